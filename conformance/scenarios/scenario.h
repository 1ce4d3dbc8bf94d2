/*
 * scenario.h - shared by the conformance scenarios: each scenario is a
 * small program using the real libpq. Usage: SCENARIO CONNINFO [TRACEFILE]
 * [EXTRA] (EXTRA: a second conninfo straight to the server, for the
 * scenarios that need a helper connection).
 *
 * It connects (the conninfo decides user, auth and protocol version),
 * turns on PQtrace with timestamps suppressed and regress mode into
 * TRACEFILE, runs its part of the protocol and prints what libpq handed
 * it in a canonical form on stdout. Values that vary between runs (pids,
 * keys, timestamps, OIDs of new objects) are never printed, so two runs
 * against any server of the same version print the same text.
 *
 * Built against Debian's libpq 15 headers; run with libpq 13 to 18.
 * Functions newer than 15 are declared weak and checked before use.
 */
#ifndef PGW_SCENARIO_H
#define PGW_SCENARIO_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

/* libpq 18 only (weak: NULL when running with libpq 15). */
extern int PQfullProtocolVersion(const PGconn *conn) __attribute__((weak));
/* libpq 14 and later (weak: NULL when running with libpq 13, whose
 * PQtrace has no flags: it prints without timestamps anyway). */
extern void PQsetTraceFlags(PGconn *conn, int flags) __attribute__((weak));

static FILE *scenario_trace;

/* Print a string with C-style escapes, so output is one line per item. */
static void scenario_print_escaped(const char *s, int len) {
  putchar('"');
  for (int i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c == '\n')
      printf("\\n");
    else if (c == '\t')
      printf("\\t");
    else if (c < 0x20 || c >= 0x7f)
      printf("\\x%02x", c);
    else
      putchar(c);
  }
  putchar('"');
}

static void scenario_notice(void *arg, const PGresult *res) {
  (void)arg;
  printf("notice");
  static const struct {
    int code;
    const char *name;
  } f[] = {{PG_DIAG_SEVERITY_NONLOCALIZED, "S"}, {PG_DIAG_SQLSTATE, "C"},
           {PG_DIAG_MESSAGE_PRIMARY, "M"},       {PG_DIAG_MESSAGE_DETAIL, "D"},
           {PG_DIAG_MESSAGE_HINT, "H"},          {PG_DIAG_CONTEXT, "W"}};
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
    const char *v = PQresultErrorField(res, f[i].code);
    if (v) {
      printf(" %s=", f[i].name);
      scenario_print_escaped(v, (int)strlen(v));
    }
  }
  putchar('\n');
}

/* Connect; on failure print the error's first line and exit 0 when the
 * scenario expects failure (expect_fail), 1 otherwise. The trace starts
 * before the first byte is sent (PQconnectStart, PQtrace, then
 * PQconnectPoll), so it covers the startup and authentication messages. */
static PGconn *scenario_connect(int argc, char **argv, int expect_fail) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s CONNINFO [TRACEFILE] [EXTRA]\n", argv[0]);
    exit(2);
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  PGconn *c = PQconnectStart(argv[1]);
  if (!c) {
    printf("connect failed: out of memory\n");
    exit(1);
  }
  if (argc > 2 && argv[2][0]) {
    scenario_trace = fopen(argv[2], "w");
    if (!scenario_trace) {
      perror(argv[2]);
      exit(2);
    }
    setvbuf(scenario_trace, NULL, _IOLBF, 0);
    PQtrace(c, scenario_trace);
    if (PQsetTraceFlags)
      PQsetTraceFlags(c, PQTRACE_SUPPRESS_TIMESTAMPS | PQTRACE_REGRESS_MODE);
  }
  if (PQstatus(c) != CONNECTION_BAD) {
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
      fd_set rs, ws;
      int fd = PQsocket(c);
      if (fd < 0) break;
      FD_ZERO(&rs);
      FD_ZERO(&ws);
      if (st == PGRES_POLLING_READING)
        FD_SET(fd, &rs);
      else
        FD_SET(fd, &ws);
      if (select(fd + 1, &rs, &ws, NULL, NULL) < 0) break;
      st = PQconnectPoll(c);
    }
  }
  if (PQstatus(c) != CONNECTION_OK) {
    const char *e = PQerrorMessage(c);
    const char *nl;
    /* libpq prefixes the server address; keep only the server's words. */
    const char *fatal = strstr(e, "FATAL:");
    if (fatal) e = fatal;
    nl = strchr(e, '\n');
    printf("connect failed: %.*s\n", nl ? (int)(nl - e) : (int)strlen(e), e);
    PQfinish(c);
    if (scenario_trace) fclose(scenario_trace);
    exit(expect_fail ? 0 : 1);
  }
  if (expect_fail) {
    printf("connect unexpectedly succeeded\n");
    PQfinish(c);
    exit(1);
  }
  printf("connected protocol=%d", PQprotocolVersion(c));
  if (PQfullProtocolVersion) printf(" full=%d", PQfullProtocolVersion(c));
  printf("\n");
  PQsetNoticeReceiver(c, scenario_notice, NULL);
  return c;
}

static void scenario_print_result(const PGresult *r) {
  ExecStatusType st = PQresultStatus(r);
  printf("result %s", PQresStatus(st));
  const char *cmd = PQcmdStatus((PGresult *)r);
  if (cmd && *cmd) printf(" cmd=\"%s\"", cmd);
  if (st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE ||
      st == PGRES_COMMAND_OK) {
    int nf = PQnfields(r), nt = PQntuples(r);
    if (nf) printf(" nfields=%d ntuples=%d", nf, nt);
    putchar('\n');
    for (int f = 0; f < nf; f++)
      printf("  field %s type=%u mod=%d size=%d format=%d\n", PQfname(r, f),
             PQftype(r, f), PQfmod(r, f), PQfsize(r, f), PQfformat(r, f));
    for (int t = 0; t < nt; t++) {
      printf("  row");
      for (int f = 0; f < nf; f++) {
        putchar(' ');
        if (PQgetisnull(r, t, f))
          printf("NULL");
        else
          scenario_print_escaped(PQgetvalue(r, t, f), PQgetlength(r, t, f));
      }
      putchar('\n');
    }
    int np = PQnparams(r);
    for (int p = 0; p < np; p++)
      printf("  param %d type=%u\n", p, PQparamtype(r, p));
    return;
  }
  putchar('\n');
  if (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR) {
    static const struct {
      int code;
      const char *name;
    } f[] = {{PG_DIAG_SEVERITY_NONLOCALIZED, "S"},
             {PG_DIAG_SQLSTATE, "C"},
             {PG_DIAG_MESSAGE_PRIMARY, "M"},
             {PG_DIAG_MESSAGE_DETAIL, "D"},
             {PG_DIAG_MESSAGE_HINT, "H"},
             {PG_DIAG_STATEMENT_POSITION, "P"},
             {PG_DIAG_INTERNAL_POSITION, "p"},
             {PG_DIAG_INTERNAL_QUERY, "q"},
             {PG_DIAG_CONTEXT, "W"},
             {PG_DIAG_SCHEMA_NAME, "s"},
             {PG_DIAG_TABLE_NAME, "t"},
             {PG_DIAG_COLUMN_NAME, "c"},
             {PG_DIAG_DATATYPE_NAME, "d"},
             {PG_DIAG_CONSTRAINT_NAME, "n"}};
    printf("  error");
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
      const char *v = PQresultErrorField(r, f[i].code);
      if (v) {
        printf(" %s=", f[i].name);
        /* a session's temporary schema is numbered by backend slot */
        if (f[i].code == PG_DIAG_SCHEMA_NAME && strncmp(v, "pg_temp_", 8) == 0)
          v = "pg_temp_N";
        scenario_print_escaped(v, (int)strlen(v));
      }
    }
    putchar('\n');
  }
}

/* Print every pending result until NULL, or until a COPY result (then
 * the caller moves the COPY data; PQgetResult would repeat that result
 * forever). */
static void scenario_drain(PGconn *c) {
  PGresult *r;
  while ((r = PQgetResult(c)) != NULL) {
    ExecStatusType st = PQresultStatus(r);
    scenario_print_result(r);
    PQclear(r);
    if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH)
      return;
  }
}

/* Run a simple query and print every result it produces. */
static void scenario_exec(PGconn *c, const char *sql) {
  printf("exec ");
  scenario_print_escaped(sql, (int)strlen(sql));
  putchar('\n');
  if (!PQsendQuery(c, sql)) {
    printf("send failed: %s", PQerrorMessage(c));
    return;
  }
  scenario_drain(c);
}

static void scenario_tx_status(PGconn *c) {
  static const char *names[] = {"IDLE", "ACTIVE", "INTRANS", "INERROR",
                                "UNKNOWN"};
  PGTransactionStatusType s = PQtransactionStatus(c);
  printf("transaction %s\n", s <= PQTRANS_UNKNOWN ? names[s] : "?");
}

static int scenario_finish(PGconn *c) {
  PQfinish(c); /* sends Terminate */
  if (scenario_trace) fclose(scenario_trace);
  printf("finished\n");
  return 0;
}

#endif /* PGW_SCENARIO_H */
