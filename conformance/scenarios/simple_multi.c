/* simple_multi: one Query holding several statements: a result for
 * each, one ReadyForQuery at the end. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "SELECT 1 AS a; SELECT 'two' AS b, NULL AS c; "
                   "CREATE TEMP TABLE t(x int); INSERT INTO t VALUES (1),(2); "
                   "UPDATE t SET x = x + 1; DELETE FROM t; DROP TABLE t");
  return scenario_finish(c);
}
