/* error_fields: errors carrying every field PostgreSQL sends: detail,
 * hint, position, schema/table/column/datatype/constraint names, an
 * internal query with its position and context. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  /* a regular table: a temporary one's schema (pg_temp_N) varies */
  scenario_exec(c, "SET client_min_messages = warning");
  scenario_exec(c, "DROP TABLE IF EXISTS pgw_err");
  scenario_exec(c, "DROP DOMAIN IF EXISTS pgw_pos");
  scenario_exec(c, "RESET client_min_messages");
  scenario_exec(c, "CREATE TABLE pgw_err(id int PRIMARY KEY, v int NOT NULL "
                   "CHECK (v > 0), d int)");
  scenario_exec(c, "INSERT INTO pgw_err VALUES (1, 1)");
  scenario_exec(c, "INSERT INTO pgw_err VALUES (1, 1)");
  scenario_exec(c, "INSERT INTO pgw_err VALUES (2, NULL)");
  scenario_exec(c, "INSERT INTO pgw_err VALUES (3, -1)");
  scenario_exec(c, "SELECT nosuchcolumn FROM pgw_err");
  scenario_exec(c, "SELECT 1 +");
  scenario_exec(c, "DO $$ BEGIN RAISE EXCEPTION 'custom' USING DETAIL = 'd', "
                   "HINT = 'h', ERRCODE = 'P0001'; END $$");
  scenario_exec(c, "DO $$ BEGIN EXECUTE 'SELECT 1/0'; END $$");
  /* internal query and position (q, p) */
  scenario_exec(c, "DO $$ BEGIN EXECUTE 'SELECT 1 +'; END $$");
  /* data type name (d) */
  scenario_exec(c, "CREATE DOMAIN pgw_pos AS int CHECK (VALUE > 0)");
  scenario_exec(c, "SELECT (-1)::pgw_pos");
  scenario_exec(c, "DROP DOMAIN pgw_pos");
  scenario_exec(c, "DROP TABLE pgw_err");
  return scenario_finish(c);
}
