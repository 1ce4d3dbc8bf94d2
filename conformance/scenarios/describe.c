/* describe: Describe of a statement (ParameterDescription +
 * RowDescription, or NoData) and of a portal (a cursor). */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  PGresult *r =
      PQprepare(c, "q", "SELECT $1::int AS a, $2::text AS b", 0, NULL);
  PQclear(r);
  r = PQdescribePrepared(c, "q");
  scenario_print_result(r);
  PQclear(r);
  r = PQprepare(c, "nodata", "SET search_path = public", 0, NULL);
  PQclear(r);
  r = PQdescribePrepared(c, "nodata");
  scenario_print_result(r);
  PQclear(r);
  scenario_exec(c, "BEGIN");
  scenario_exec(c,
                "DECLARE cur CURSOR FOR SELECT 1 AS one, 'x'::varchar(5) AS v");
  r = PQdescribePortal(c, "cur");
  scenario_print_result(r);
  PQclear(r);
  scenario_exec(c, "COMMIT");
  return scenario_finish(c);
}
