/* pipeline: pipeline mode with several Syncs pending, an error in the
 * middle (the server skips to the next Sync), and a Flush request. */
#include "scenario.h"
/* libpq 17+ only (weak: NULL when running with libpq 15): a Sync without
 * a flush. With it the whole pipeline leaves in one write, so the wire
 * order (all requests, then all answers) is the order of libpq's trace,
 * whatever the timing; libpq 15's PQpipelineSync flushes at each Sync. */
extern int PQsendPipelineSync(PGconn *conn) __attribute__((weak));
static void sync_nowait(PGconn *c) {
  if (PQsendPipelineSync)
    PQsendPipelineSync(c);
  else
    PQpipelineSync(c);
}
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  if (!PQenterPipelineMode(c)) return 1;
  PQsendQueryParams(c, "SELECT 1 AS first", 0, NULL, NULL, NULL, NULL, 0);
  sync_nowait(c);
  PQsendQueryParams(c, "SELECT 1/0", 0, NULL, NULL, NULL, NULL, 0);
  PQsendQueryParams(c, "SELECT 'skipped'", 0, NULL, NULL, NULL, NULL, 0);
  sync_nowait(c);
  PQsendPrepare(c, "p", "SELECT $1::int AS v", 0, NULL);
  PQsendQueryPrepared(c, "p", 1, (const char *[]){"5"}, NULL, NULL, 0);
  PQsendFlushRequest(c);
  PQpipelineSync(c);
  for (int syncs = 0; syncs < 3;) {
    PGresult *r = PQgetResult(c);
    if (r == NULL) {
      printf("end of query\n");
      continue;
    }
    if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) syncs++;
    scenario_print_result(r);
    PQclear(r);
  }
  PQexitPipelineMode(c);
  return scenario_finish(c);
}
