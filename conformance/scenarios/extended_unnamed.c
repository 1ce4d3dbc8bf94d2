/* extended_unnamed: PQexecParams: unnamed statement and portal (Parse,
 * Bind, Describe portal, Execute, Sync) with text parameters and NULL. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  const char *vals[3] = {"41", NULL, "x"};
  PGresult *r =
      PQexecParams(c, "SELECT $1::int + 1 AS n, $2::text AS z, $3 AS s", 3,
                   NULL, vals, NULL, NULL, 0);
  scenario_print_result(r);
  PQclear(r);
  r = PQexecParams(c, "SELECT 1/$1::int", 1, NULL, (const char *[]){"0"}, NULL,
                   NULL, 0);
  scenario_print_result(r);
  PQclear(r);
  r = PQexecParams(c, "CREATE TEMP TABLE u(a int)", 0, NULL, NULL, NULL, NULL,
                   0);
  scenario_print_result(r);
  PQclear(r);
  return scenario_finish(c);
}
