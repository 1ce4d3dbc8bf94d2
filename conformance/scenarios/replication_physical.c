/* replication_physical: a physical replication connection
 * (replication=true): IDENTIFY_SYSTEM, TIMELINE_HISTORY is skipped,
 * START_REPLICATION gives CopyBothResponse and XLogData/keepalive
 * CopyData; the client ends the stream with CopyDone. Only the shape is
 * printed (LSNs and WAL bytes vary). */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  PGresult *r = PQexec(c, "IDENTIFY_SYSTEM");
  printf("identify %s nfields=%d\n", PQresStatus(PQresultStatus(r)),
         PQnfields(r));
  char start[128];
  snprintf(start, sizeof start, "START_REPLICATION PHYSICAL %s",
           PQntuples(r) ? PQgetvalue(r, 0, 2) : "0/0");
  PQclear(r);
  r = PQexec(c, start);
  printf("start %s\n", PQresStatus(PQresultStatus(r)));
  PQclear(r);
  char *buf;
  int n = PQgetCopyData(c, &buf, 0);
  /* 'w' (XLogData) or 'k' (keepalive), depending on timing */
  printf("first copydata %s\n",
         n > 0 && (buf[0] == 'w' || buf[0] == 'k') ? "ok" : "missing");
  if (n > 0) PQfreemem(buf);
  printf("end %d\n", PQputCopyEnd(c, NULL));
  while ((n = PQgetCopyData(c, &buf, 0)) > 0)
    PQfreemem(buf);
  printf("copy end %d\n", n);
  while ((r = PQgetResult(c)) != NULL) {
    printf("result %s\n", PQresStatus(PQresultStatus(r)));
    PQclear(r);
  }
  return scenario_finish(c);
}
