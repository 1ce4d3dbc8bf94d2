/* certify_cli.h - `pgw certify server|session`: the command's entry. */
#ifndef PGW_CLI_CERTIFY_CLI_H
#define PGW_CLI_CERTIFY_CLI_H

#include <stdio.h>

/* argv after "certify". Exit status: 0 if no MUST case failed, 1 if one
 * did, 2 for bad arguments. */
int cli_certify(int argc, char **argv);

/* `pgw certify session FILE.pgs`: 0 if both sides kept every rule. */
int cli_certify_session(const char *path);

struct pgs_session;
/* The check of `pgw certify session` on a parsed session: one line to out,
 * "PASS  NAME: ..." (returns 0) or "FAIL  NAME: the SIDE broke rule ID at
 * SIDE offset N: ..." (returns 1). */
int certify_session_check(const struct pgs_session *s, const char *name,
                          FILE *out);

/* 1 if id is selected by --cases PATTERN: globs (fnmatch) or prefixes
 * ("extended/" or "extended"), comma-separated; NULL selects all. */
int cert_selected(const char *pattern, const char *id);

#endif
