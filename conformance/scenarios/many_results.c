/* many_results: a larger result (1000 rows) and an aggregate, to give
 * the decoder split messages across TCP reads. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  PGresult *r =
      PQexec(c, "SELECT g, md5(g::text) FROM generate_series(1,1000) g");
  printf("rows %s ntuples=%d last=%s\n", PQresStatus(PQresultStatus(r)),
         PQntuples(r), PQntuples(r) ? PQgetvalue(r, PQntuples(r) - 1, 1) : "");
  PQclear(r);
  scenario_exec(c, "SELECT count(*), sum(g) FROM generate_series(1,1000) g");
  return scenario_finish(c);
}
