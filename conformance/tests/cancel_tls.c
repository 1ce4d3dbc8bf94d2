/* cancel_tls.c - a query canceled with libpq 17+'s PQcancelCreate and
 * PQcancelBlocking, which send the CancelRequest over the main
 * connection's encryption (sslmode=require: inside TLS). Built against
 * libpq 15's headers, so the new functions are declared here. Usage:
 * cancel_tls CONNINFO; prints the query's SQLSTATE. */
#include <stdio.h>
#include <unistd.h>

#include <libpq-fe.h>

typedef struct pg_cancel_conn PGcancelConn;
PGcancelConn *PQcancelCreate(PGconn *conn);
int PQcancelBlocking(PGcancelConn *cancelConn);
char *PQcancelErrorMessage(const PGcancelConn *cancelConn);
void PQcancelFinish(PGcancelConn *cancelConn);

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  PGconn *c = PQconnectdb(argv[1]);
  if (PQstatus(c) != CONNECTION_OK) {
    fprintf(stderr, "%s", PQerrorMessage(c));
    return 1;
  }
  if (!PQsendQuery(c, "select pg_sleep(10)")) return 1;
  usleep(1000000); /* the query has started: a cancel before it is lost */
  PGcancelConn *k = PQcancelCreate(c);
  if (!PQcancelBlocking(k)) {
    fprintf(stderr, "cancel: %s", PQcancelErrorMessage(k));
    return 1;
  }
  PQcancelFinish(k);
  PGresult *r;
  while ((r = PQgetResult(c)) != NULL) {
    const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (st) printf("%s\n", st);
    PQclear(r);
  }
  PQfinish(c);
  return 0;
}
