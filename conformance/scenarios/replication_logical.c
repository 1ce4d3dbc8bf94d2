#define _DEFAULT_SOURCE
/* replication_logical: a logical replication connection
 * (replication=database): a temporary pgoutput slot, a change committed
 * on a second connection, START_REPLICATION ... LOGICAL streams
 * Begin/Relation/Insert/Commit inside XLogData; the client stops with
 * CopyDone. Only message kinds are printed (LSNs vary). The runner gives
 * the normal conninfo as the third argument. */
#include "scenario.h"
#include <unistd.h>
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  PGconn *w = PQconnectdb(argc > 3 ? argv[3] : "");
  if (PQstatus(w) != CONNECTION_OK) {
    printf("second connection failed\n");
    return 1;
  }
  PQclear(PQexec(w, "DROP TABLE IF EXISTS pgw_repl; CREATE TABLE pgw_repl(a int primary key, b text); "
                    "DROP PUBLICATION IF EXISTS pgw_pub; CREATE PUBLICATION pgw_pub FOR TABLE pgw_repl"));
  PGresult *r = PQexec(c, "CREATE_REPLICATION_SLOT pgw_slot TEMPORARY LOGICAL pgoutput");
  printf("slot %s\n", PQresStatus(PQresultStatus(r)));
  PQclear(r);
  PQclear(PQexec(w, "INSERT INTO pgw_repl VALUES (1, 'one')"));
  r = PQexec(c, "START_REPLICATION SLOT pgw_slot LOGICAL 0/0 "
                "(proto_version '1', publication_names 'pgw_pub')");
  printf("start %s\n", PQresStatus(PQresultStatus(r)));
  PQclear(r);
  char *buf;
  int n, seen_commit = 0;
  while (!seen_commit && (n = PQgetCopyData(c, &buf, 0)) > 0) {
    if (buf[0] == 'w' && n > 25) {
      printf("xlogdata %c\n", buf[25]);
      seen_commit = buf[25] == 'C';
    } else if (buf[0] == 'k') {
      printf("keepalive\n");
    }
    PQfreemem(buf);
  }
  printf("end %d\n", PQputCopyEnd(c, NULL));
  while ((n = PQgetCopyData(c, &buf, 0)) > 0) PQfreemem(buf);
  while ((r = PQgetResult(c)) != NULL) {
    printf("result %s\n", PQresStatus(PQresultStatus(r)));
    PQclear(r);
  }
  PQclear(PQexec(w, "DROP PUBLICATION pgw_pub; DROP TABLE pgw_repl"));
  PQfinish(w);
  return scenario_finish(c);
}
