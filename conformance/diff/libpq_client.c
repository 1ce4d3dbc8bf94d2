/*
 * libpq_client.c - the real-libpq client of the differential suite's
 * backend runner (conformance/diff/be_runner.py). It connects with the
 * conninfo given, does one thing (MODE), and prints what libpq made of the
 * server's answer, one "key value" line each (values on one line, newlines
 * escaped as \n):
 *
 *   libpq VERSION            PQlibVersion()
 *   connect OK|BAD           PQstatus() after PQconnectdb
 *   error TEXT               PQerrorMessage() when not empty
 *   result STATUS            PQresStatus() of each result
 *   result-error TEXT        PQresultErrorMessage()
 *   result-sqlstate CODE     PG_DIAG_SQLSTATE (only from a server's message)
 *   rows N / value TEXT      tuples of a result
 *   copy N                   bytes received by PQgetCopyData
 *   notice TEXT              notices (the notice processor)
 *   final OK|BAD             PQstatus() before PQfinish
 *
 * MODE: connect | query | extended | copyout | copyin | fn
 *
 * Build: cc -O1 -o libpq_client libpq_client.c -I$(pg_config --includedir) -lpq
 * Run with LD_LIBRARY_PATH=$PG18_LIB for libpq 18 (Debian's is libpq 15).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

static void put(const char *key, const char *text) {
  printf("%s ", key);
  int n = 0; /* at most 400 characters a line: the runner reads the pipe only at
                the end */
  for (const char *p = text ? text : ""; *p && n < 400; p++, n++) {
    if (*p == '\n')
      fputs("\\n", stdout);
    else if (*p == '\\')
      fputs("\\\\", stdout);
    else if ((unsigned char)*p < 0x20)
      printf("\\x%02x", (unsigned char)*p);
    else
      putchar(*p);
  }
  putchar('\n');
  fflush(stdout);
}

static void on_notice(void *arg, const char *message) {
  (void)arg;
  put("notice", message);
}

static void show_result(PGresult *r) {
  put("result", PQresStatus(PQresultStatus(r)));
  const char *e = PQresultErrorMessage(r);
  if (e && *e) put("result-error", e);
  const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  if (st) put("result-sqlstate", st);
  if (PQresultStatus(r) == PGRES_TUPLES_OK) {
    char buf[64];
    snprintf(buf, sizeof buf, "%d x %d", PQntuples(r), PQnfields(r));
    put("rows", buf);
    if (PQntuples(r) > 0 && PQnfields(r) > 0) {
      char v[80];
      snprintf(v, sizeof v, "%.70s",
               PQgetisnull(r, 0, 0) ? "(null)" : PQgetvalue(r, 0, 0));
      put("value", v);
    }
  }
}

/* Drain the remaining results of a command. */
static void drain(PGconn *c) {
  PGresult *r;
  int n = 0;
  while ((r = PQgetResult(c)) != NULL && n++ < 20) {
    show_result(r);
    PQclear(r);
    if (PQstatus(c) == CONNECTION_BAD) break;
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: libpq_client CONNINFO MODE\n");
    return 2;
  }
  const char *mode = argv[2];
  char ver[32];
  snprintf(ver, sizeof ver, "%d", PQlibVersion());
  put("libpq", ver);
  PGconn *c = PQconnectdb(argv[1]);
  if (c == NULL) {
    put("connect", "BAD");
    return 1;
  }
  PQsetNoticeProcessor(c, on_notice, NULL);
  if (PQstatus(c) != CONNECTION_OK) {
    put("connect", "BAD");
    put("error", PQerrorMessage(c));
    PQfinish(c);
    return 0;
  }
  put("connect", "OK");
  {
    char pv[32];
    snprintf(pv, sizeof pv, "%d", PQprotocolVersion(c));
    put("protocol", pv);
  }
  PGresult *r = NULL;
  if (strcmp(mode, "connect") == 0) {
    /* nothing more */
  } else if (strcmp(mode, "query") == 0) {
    if (PQsendQuery(c, "select 1")) drain(c);
  } else if (strcmp(mode, "extended") == 0) {
    const char *vals[1] = {"1"};
    if (PQsendQueryParams(c, "select $1::int4", 1, NULL, vals, NULL, NULL, 0))
      drain(c);
  } else if (strcmp(mode, "copyout") == 0) {
    r = PQexec(c, "copy t to stdout");
    show_result(r);
    if (PQresultStatus(r) == PGRES_COPY_OUT) {
      PQclear(r);
      long total = 0;
      char *buf;
      int n, k = 0;
      while ((n = PQgetCopyData(c, &buf, 0)) > 0 && k++ < 1000) {
        total += n;
        PQfreemem(buf);
      }
      char t[64];
      snprintf(t, sizeof t, "%ld end %d", total, n);
      put("copy", t);
      drain(c);
    } else {
      PQclear(r);
      drain(c);
    }
    r = NULL;
  } else if (strcmp(mode, "copyin") == 0) {
    r = PQexec(c, "copy t from stdin");
    show_result(r);
    if (PQresultStatus(r) == PGRES_COPY_IN) {
      PQclear(r);
      if (PQputCopyData(c, "1\n", 2) != 1) put("copy", "putCopyData failed");
      if (PQputCopyEnd(c, NULL) != 1) put("copy", "putCopyEnd failed");
      drain(c);
    } else {
      PQclear(r);
      drain(c);
    }
    r = NULL;
  } else if (strcmp(mode, "fn") == 0) {
    PQArgBlock arg;
    int out = 0, outlen = 0;
    arg.len = 4;
    arg.isint = 1;
    arg.u.integer = 5;
    r = PQfn(c, 1397, &out, &outlen, 1, &arg, 1);
    if (r) {
      show_result(r);
      char t[64];
      snprintf(t, sizeof t, "%d len %d", out, outlen);
      put("fn", t);
      PQclear(r);
    } else {
      put("result", "(null)");
    }
    r = NULL;
  } else {
    fprintf(stderr, "libpq_client: unknown mode %s\n", mode);
    PQfinish(c);
    return 2;
  }
  if (PQerrorMessage(c)[0]) put("error", PQerrorMessage(c));
  put("final", PQstatus(c) == CONNECTION_OK ? "OK" : "BAD");
  PQfinish(c);
  return 0;
}
