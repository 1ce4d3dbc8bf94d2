/* copy_fail: the client aborts COPY FROM STDIN with CopyFail; the server
 * answers with an ErrorResponse (57014). Also a COPY whose data is bad,
 * where the server fails the COPY itself. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "CREATE TEMP TABLE cf(a int)");
  scenario_exec(c, "COPY cf FROM STDIN");
  printf("put %d\n", PQputCopyData(c, "1\n", 2));
  printf("end %d\n", PQputCopyEnd(c, "client gave up"));
  scenario_drain(c);
  scenario_exec(c, "COPY cf FROM STDIN");
  printf("put %d\n", PQputCopyData(c, "not a number\n", 13));
  printf("end %d\n", PQputCopyEnd(c, NULL));
  scenario_drain(c);
  scenario_exec(c, "SELECT count(*) FROM cf");
  return scenario_finish(c);
}
