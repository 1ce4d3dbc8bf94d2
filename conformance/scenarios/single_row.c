/* single_row: single-row mode delivers each DataRow as its own result;
 * the wire traffic is an ordinary extended query. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  if (!PQsendQueryParams(
          c, "SELECT g, repeat('y', g) FROM generate_series(1, 4) g", 0, NULL,
          NULL, NULL, NULL, 0))
    return 1;
  PQsetSingleRowMode(c);
  scenario_drain(c);
  return scenario_finish(c);
}
