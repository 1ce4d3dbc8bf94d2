/* notices: NoticeResponse with detail, hint and context, at several
 * severities, before and inside query results. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "SET client_min_messages = debug1");
  scenario_exec(c, "DO $$ BEGIN RAISE NOTICE 'n1' USING DETAIL = 'dd', "
                   "HINT = 'hh'; RAISE WARNING 'w1'; RAISE INFO 'i1'; END $$");
  scenario_exec(c, "DROP TABLE IF EXISTS no_such_table_here");
  scenario_exec(c, "RESET client_min_messages");
  return scenario_finish(c);
}
