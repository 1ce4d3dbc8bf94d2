/* error_fields: errors carrying every field PostgreSQL sends: detail,
 * hint, position, schema/table/column/datatype/constraint names, an
 * internal query with its position and context. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "CREATE TEMP TABLE e(id int PRIMARY KEY, v int NOT NULL "
                   "CHECK (v > 0), d int)");
  scenario_exec(c, "INSERT INTO e VALUES (1, 1)");
  scenario_exec(c, "INSERT INTO e VALUES (1, 1)");
  scenario_exec(c, "INSERT INTO e VALUES (2, NULL)");
  scenario_exec(c, "INSERT INTO e VALUES (3, -1)");
  scenario_exec(c, "SELECT nosuchcolumn FROM e");
  scenario_exec(c, "SELECT 1 +");
  scenario_exec(c, "DO $$ BEGIN RAISE EXCEPTION 'custom' USING DETAIL = 'd', "
                   "HINT = 'h', ERRCODE = 'P0001'; END $$");
  scenario_exec(c, "DO $$ BEGIN EXECUTE 'SELECT 1/0'; END $$");
  return scenario_finish(c);
}
