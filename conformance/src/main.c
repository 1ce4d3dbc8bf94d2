/* main.c - the pgw command: subcommand dispatch and option parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certify_cli.h"
#include "dump.h"
#include "pgw/pgw.h"
#include "record.h"
#include "render.h"
#include "replay.h"
#include "rules_cmd.h"
#include "util.h"

/* One entry per subcommand: its usage lines (`pgw help NAME`,
 * `pgw NAME --help`); all of them together are the command's usage. */
static const struct command_usage {
  const char *name;
  const char *lines;
} usages[] = {
    {"dump", "  pgw dump FILE.pgs [--json | --format=text|json|pqtrace"
             " [--libpq=13..18 [--single-row]]]\n"
             "           [--roundtrip] [--reference | --lenient]"
             " [--server-protocol=3.0|3.2]\n"},
    {"rules", "  pgw rules [--markdown]\n"},
    {"record", "  pgw record [--listen ADDR] --upstream ADDR -o FILE.pgs"
               " [--note TEXT] [--once]\n"
               "             [--max-connections N] [--connect-timeout SECONDS]"
               " [--flush-ms MS]\n"
               "             [--allow-remote]  (ADDR: HOST:PORT, [IPv6]:PORT,"
               " unix:/dir/.s.PGSQL.PORT)\n"
               "             [--tls-cert FILE --tls-key FILE"
               " [--upstream-ca FILE]]\n"},
    {"replay",
     "  pgw replay (--to-server HOST:PORT | --to-client ADDR:PORT) FILE.pgs\n"
     "             [--password PW] [--cancel-of MAIN.pgs] [--no-cancel]"
     " [--timeout SECONDS] [--once]\n"
     "             [--tls-cert FILE --tls-key FILE]  (--to-client of a TLS"
     " session)\n"
     "             [--tls-ca FILE [--tls-host NAME]]  (--to-server: verify"
     " the server)\n"},
    {"certify",
     "  pgw certify server HOST:PORT [--user U] [--password P] [--database D]\n"
     "             [--cases PATTERN] [--strict] [--list [--markdown]]\n"
     "             [--json FILE] [--junit FILE] [--record DIR]"
     " [--timeout SECONDS]\n"
     "  pgw certify session FILE.pgs\n"},
};

/* "usage:" and the lines of command `only` (NULL: all, then --version). */
static void print_usage(FILE *f, const char *only) {
  size_t i;
  fputs("usage:\n", f);
  for (i = 0; i < sizeof usages / sizeof usages[0]; i++)
    if (!only || strcmp(only, usages[i].name) == 0) fputs(usages[i].lines, f);
  if (!only) fputs("  pgw --version\n", f);
}

static int known_command(const char *name) {
  size_t i;
  for (i = 0; i < sizeof usages / sizeof usages[0]; i++)
    if (strcmp(name, usages[i].name) == 0) return 1;
  return 0;
}

/* Does a subcommand's argument list ask for help? */
static int wants_help(int argc, char **argv) {
  int i;
  for (i = 0; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0) return 1;
  return 0;
}

static int bad(const char *msg, const char *arg) {
  fprintf(stderr, "pgw: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  print_usage(stderr, NULL);
  return 2;
}

static int cmd_dump(int argc, char **argv) {
  cli_dump_opts o;
  int i;
  memset(&o, 0, sizeof o);
  for (i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--json") == 0)
      o.format = CLI_FORMAT_JSON;
    else if (strcmp(a, "--format=text") == 0)
      o.format = CLI_FORMAT_TEXT;
    else if (strcmp(a, "--format=json") == 0)
      o.format = CLI_FORMAT_JSON;
    else if (strcmp(a, "--format=pqtrace") == 0)
      o.format = CLI_FORMAT_PQTRACE;
    else if (strcmp(a, "--roundtrip") == 0)
      o.roundtrip = 1;
    else if (strcmp(a, "--lenient") == 0)
      o.mode = PGW_MODE_LENIENT;
    else if (strcmp(a, "--reference") == 0)
      o.mode = PGW_MODE_REFERENCE;
    else if (strcmp(a, "--server-protocol=3.0") == 0)
      o.server_protocol = PGW_PROTOCOL_3_0;
    else if (strcmp(a, "--server-protocol=3.2") == 0)
      o.server_protocol = PGW_PROTOCOL_3_2;
    else if (strncmp(a, "--server-protocol=", 18) == 0)
      return bad("unknown server protocol (3.0 or 3.2)", a + 18);
    else if (strncmp(a, "--libpq=", 8) == 0) {
      /* a libpq major version with a PQtrace format: digits only */
      const char *v = a + 8;
      size_t n = strspn(v, "0123456789");
      if (n == 0 || n > 4 || v[n] != '\0' || v[0] == '0' ||
          !cli_pqtrace_known(atoi(v)))
        return bad("unknown libpq version (13 to 18)", v);
      o.libpq = atoi(v);
    } else if (strcmp(a, "--single-row") == 0)
      o.single_row = 1;
    else if (strncmp(a, "--format=", 9) == 0)
      return bad("unknown format", a + 9);
    else if (a[0] == '-' && a[1] != '\0')
      return bad("unknown option", a);
    else if (o.path)
      return bad("more than one file", a);
    else
      o.path = a;
  }
  if (!o.path) return bad("dump needs a session file", NULL);
  if (o.libpq && o.format != CLI_FORMAT_PQTRACE)
    return bad("--libpq goes with --format=pqtrace", NULL);
  if (o.single_row && o.libpq != 13)
    return bad("--single-row goes with --libpq=13", NULL);
  return cli_dump(&o);
}

static int cmd_record(int argc, char **argv) {
  cli_record_opts o;
  int i;
  memset(&o, 0, sizeof o);
  o.flush_ms = -1;
  for (i = 0; i < argc; i++) {
    const char *v;
    if ((v = cli_optval(argc, argv, &i, "--listen")))
      o.listen = v;
    else if ((v = cli_optval(argc, argv, &i, "--upstream")))
      o.upstream = v;
    else if ((v = cli_optval(argc, argv, &i, "--output")) ||
             (v = cli_optval(argc, argv, &i, "-o")))
      o.output = v;
    else if ((v = cli_optval(argc, argv, &i, "--note")))
      o.note = v;
    else if (strcmp(argv[i], "--once") == 0)
      o.once = 1;
    else if (strcmp(argv[i], "--allow-remote") == 0)
      o.allow_remote = 1;
    else if ((v = cli_optval(argc, argv, &i, "--tls-cert")))
      o.tls_cert = v;
    else if ((v = cli_optval(argc, argv, &i, "--tls-key")))
      o.tls_key = v;
    else if ((v = cli_optval(argc, argv, &i, "--upstream-ca")))
      o.upstream_ca = v;
    else if ((v = cli_optval(argc, argv, &i, "--max-connections")))
      o.max_connections = atoi(v) > 0 ? atoi(v) : -1;
    else if ((v = cli_optval(argc, argv, &i, "--connect-timeout")))
      o.connect_timeout_ms = atof(v) > 0 ? (int)(atof(v) * 1000) : -1;
    else if ((v = cli_optval(argc, argv, &i, "--flush-ms")))
      o.flush_ms = strspn(v, "0123456789") == strlen(v) && *v ? atoi(v) : -2;
    else
      return bad("unknown or incomplete option", argv[i]);
  }
  if (!o.upstream || !o.output)
    return bad("record needs --upstream and -o", NULL);
  if ((o.tls_cert != NULL) != (o.tls_key != NULL) ||
      (o.upstream_ca && !o.tls_cert))
    return bad("--tls-cert and --tls-key go together (--upstream-ca with "
               "them)",
               NULL);
  if (o.max_connections < 0 || o.connect_timeout_ms < 0 || o.flush_ms < -1)
    return bad("bad --max-connections, --connect-timeout or --flush-ms", NULL);
  return cli_record(&o);
}

static int cmd_replay(int argc, char **argv) {
  cli_replay_opts o;
  int i;
  memset(&o, 0, sizeof o);
  for (i = 0; i < argc; i++) {
    const char *v;
    if ((v = cli_optval(argc, argv, &i, "--to-server")))
      o.to_server = v;
    else if ((v = cli_optval(argc, argv, &i, "--to-client")))
      o.to_client = v;
    else if ((v = cli_optval(argc, argv, &i, "--password")))
      o.password = v;
    else if ((v = cli_optval(argc, argv, &i, "--cancel-of")))
      o.cancel_of = v;
    else if ((v = cli_optval(argc, argv, &i, "--timeout")))
      o.timeout_ms = atoi(v) * 1000;
    else if ((v = cli_optval(argc, argv, &i, "--tls-cert")))
      o.tls_cert = v;
    else if ((v = cli_optval(argc, argv, &i, "--tls-key")))
      o.tls_key = v;
    else if ((v = cli_optval(argc, argv, &i, "--tls-ca")))
      o.tls_ca = v;
    else if ((v = cli_optval(argc, argv, &i, "--tls-host")))
      o.tls_host = v;
    else if (strcmp(argv[i], "--once") == 0)
      o.once = 1;
    else if (strcmp(argv[i], "--no-cancel") == 0)
      o.no_cancel = 1;
    else if (argv[i][0] == '-' && argv[i][1] != '\0')
      return bad("unknown or incomplete option", argv[i]);
    else if (o.path)
      return bad("more than one file", argv[i]);
    else
      o.path = argv[i];
  }
  if (!o.path || !o.to_server == !o.to_client)
    return bad("replay needs one of --to-server and --to-client, and a file",
               NULL);
  if ((o.tls_cert != NULL) != (o.tls_key != NULL) ||
      (o.tls_cert && !o.to_client))
    return bad("--tls-cert and --tls-key go together, with --to-client", NULL);
  if ((o.tls_ca || o.tls_host) && (!o.to_server || !o.tls_ca))
    return bad("--tls-ca (and --tls-host with it) go with --to-server", NULL);
  return cli_replay(&o);
}

/* `pgw help [COMMAND]`, `pgw --help`: the usage on standard output. */
static int help(int argc, char **argv) {
  if (argc == 0) {
    print_usage(stdout, NULL);
    return 0;
  }
  if (argc > 1) return bad("help takes one command", argv[1]);
  if (!known_command(argv[0])) return bad("unknown command", argv[0]);
  print_usage(stdout, argv[0]);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return bad("no command", NULL);
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
    return help(argc - 2, argv + 2);
  if (known_command(argv[1]) && wants_help(argc - 2, argv + 2)) {
    print_usage(stdout, argv[1]);
    return 0;
  }
  if (strcmp(argv[1], "dump") == 0) return cmd_dump(argc - 2, argv + 2);
  if (strcmp(argv[1], "rules") == 0) {
    if (argc == 2) return cli_rules(0);
    if (argc == 3 && strcmp(argv[2], "--markdown") == 0) return cli_rules(1);
    return bad("usage: pgw rules [--markdown]", NULL);
  }
  if (strcmp(argv[1], "record") == 0) return cmd_record(argc - 2, argv + 2);
  if (strcmp(argv[1], "replay") == 0) return cmd_replay(argc - 2, argv + 2);
  if (strcmp(argv[1], "certify") == 0) return cli_certify(argc - 2, argv + 2);
  if (strcmp(argv[1], "--version") == 0) {
    printf("pgw %s\n", pgw_version());
    return 0;
  }
  return bad("unknown command", argv[1]);
}
