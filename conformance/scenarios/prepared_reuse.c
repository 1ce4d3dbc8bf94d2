/* prepared_reuse: PQsendPrepare/PQsendQueryPrepared in asynchronous mode,
 * then PQclosePrepared-like DEALLOCATE and a statement error at Bind
 * (wrong parameter count) answered with ErrorResponse. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  PQsendPrepare(c, "r1", "SELECT $1::text || '!' AS e", 1, NULL);
  scenario_drain(c);
  for (int i = 0; i < 3; i++) {
    char v[8];
    snprintf(v, sizeof v, "v%d", i);
    PQsendQueryPrepared(c, "r1", 1, (const char *[]){v}, NULL, NULL, 0);
    scenario_drain(c);
  }
  PQsendQueryPrepared(c, "r1", 0, NULL, NULL, NULL, 0);
  scenario_drain(c);
  PQsendQueryPrepared(c, "missing", 0, NULL, NULL, NULL, 0);
  scenario_drain(c);
  return scenario_finish(c);
}
