/* certify_cli.h - `pgw certify server|session`: the command's entry. */
#ifndef PGW_CLI_CERTIFY_CLI_H
#define PGW_CLI_CERTIFY_CLI_H

/* argv after "certify". Exit status: 0 if no MUST case failed, 1 if one
 * did, 2 for bad arguments. */
int cli_certify(int argc, char **argv);

/* `pgw certify session FILE.pgs`: 0 if both sides kept every rule. */
int cli_certify_session(const char *path);

/* --name VALUE or --name=VALUE at argv[*i] (advancing *i past VALUE):
 * the value, or NULL. */
const char *cert_opt(int argc, char **argv, int *i, const char *name);

/* 1 if id is selected by --cases PATTERN: globs (fnmatch) or prefixes
 * ("extended/" or "extended"), comma-separated; NULL selects all. */
int cert_selected(const char *pattern, const char *id);

#endif
