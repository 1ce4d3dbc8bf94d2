/*
 * libpq_driver.c - a client for `pgw certify client`: one fresh
 * connection per action given on the command line, in order (the
 * actions of `pgw certify client --list`), through libpq's ordinary API.
 *
 *   libpq_driver CONNINFO ACTION...
 *
 * Built against Debian's libpq headers (libpq 15) and run with either
 * libpq 15 or, via LD_LIBRARY_PATH, libpq 18; functions newer than 15 are
 * declared here as weak symbols. A failing action is printed and the next
 * one runs: the scripted server judges, not this program.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

/* libpq 18 */
extern int PQfullProtocolVersion(const PGconn *conn) __attribute__((weak));

static void drain(PGconn *c) {
  PGresult *r;
  while ((r = PQgetResult(c)) != NULL)
    PQclear(r);
}

static void exec(PGconn *c, const char *sql) {
  PQclear(PQexec(c, sql));
}

static void extended(PGconn *c) {
  const char *v[1] = {"1"};
  PQclear(PQexecParams(c, "SELECT $1::int", 1, NULL, v, NULL, NULL, 0));
}

static void pipeline(PGconn *c) {
  const char *v[1] = {"1"};
  int i, syncs = 0;
  PGresult *r;
  if (!PQenterPipelineMode(c)) return;
  for (i = 0; i < 3; i++)
    PQsendQueryParams(c, "SELECT $1::int", 1, NULL, v, NULL, NULL, 0);
  PQpipelineSync(c);
  while (syncs < 1 && PQstatus(c) == CONNECTION_OK) {
    r = PQgetResult(c);
    if (r && PQresultStatus(r) == PGRES_PIPELINE_SYNC) syncs++;
    if (r) PQclear(r);
    if (!r && PQisBusy(c) && !PQconsumeInput(c)) break;
  }
  PQexitPipelineMode(c);
}

static void copy_in(PGconn *c, const char *fail) {
  PGresult *r = PQexec(c, "COPY certify FROM STDIN");
  if (PQresultStatus(r) == PGRES_COPY_IN) {
    PQputCopyData(c, "1\n", 2);
    PQputCopyEnd(c, fail);
  }
  PQclear(r);
  drain(c);
}

static void copy_out(PGconn *c) {
  PGresult *r = PQexec(c, "COPY certify TO STDOUT");
  char *buf;
  if (PQresultStatus(r) == PGRES_COPY_OUT)
    while (PQgetCopyData(c, &buf, 0) > 0)
      PQfreemem(buf);
  PQclear(r);
  drain(c);
}

static void cancel(PGconn *c) {
  PGcancel *k;
  char err[256];
  if (!PQsendQuery(c, "SELECT pg_sleep(5)")) return;
  usleep(200000);
  k = PQgetCancel(c);
  if (k && !PQcancel(k, err, sizeof err)) fprintf(stderr, "cancel: %s", err);
  if (k) PQfreeCancel(k);
  drain(c);
}

static void listen_notify(PGconn *c) {
  struct timeval tv = {1, 0};
  fd_set fds;
  PGnotify *n;
  exec(c, "LISTEN certify");
  FD_ZERO(&fds);
  FD_SET(PQsocket(c), &fds);
  if (select(PQsocket(c) + 1, &fds, NULL, NULL, &tv) > 0) PQconsumeInput(c);
  while ((n = PQnotifies(c)) != NULL)
    PQfreemem(n);
}

static void act(PGconn *c, const char *a) {
  if (!strcmp(a, "query"))
    exec(c, "SELECT 1");
  else if (!strcmp(a, "query2"))
    exec(c, "SELECT 1"), exec(c, "SELECT 2");
  else if (!strcmp(a, "extended"))
    extended(c);
  else if (!strcmp(a, "pipeline"))
    pipeline(c);
  else if (!strcmp(a, "copyin"))
    copy_in(c, NULL);
  else if (!strcmp(a, "copyfail"))
    copy_in(c, "the driver gave up");
  else if (!strcmp(a, "copyout"))
    copy_out(c);
  else if (!strcmp(a, "cancel"))
    cancel(c);
  else if (!strcmp(a, "listen"))
    listen_notify(c);
  else
    fprintf(stderr, "libpq_driver: unknown action %s\n", a);
}

int main(int argc, char **argv) {
  int i;
  if (argc < 2) {
    fprintf(stderr, "usage: libpq_driver CONNINFO ACTION...\n");
    return 2;
  }
  printf("libpq %d\n", PQlibVersion());
  for (i = 2; i < argc; i++) {
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) == CONNECTION_OK) {
      if (PQfullProtocolVersion)
        printf("%d %s: protocol %d\n", i - 1, argv[i],
               PQfullProtocolVersion(c));
      act(c, argv[i]);
    } else {
      printf("%d %s: %s", i - 1, argv[i], PQerrorMessage(c));
    }
    PQfinish(c);
    fflush(stdout);
  }
  return 0;
}
