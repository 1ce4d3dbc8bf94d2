/* extended_named: PQprepare a named statement with declared types,
 * execute it twice, describe it, deallocate it with SQL, then prepare a
 * second one and close it: with libpq 18 through PQclosePrepared (the
 * Close message, answered by CloseComplete), with libpq 15 (which has no
 * Close) through DEALLOCATE. */
#include "scenario.h"
/* libpq 17+ only (weak: NULL when running with libpq 15). */
extern PGresult *PQclosePrepared(PGconn *conn, const char *stmt)
    __attribute__((weak));
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  Oid types[2] = {23, 25};
  PGresult *r =
      PQprepare(c, "s1", "SELECT $1 * 2 AS d, upper($2) AS u", 2, types);
  scenario_print_result(r);
  PQclear(r);
  for (int i = 0; i < 2; i++) {
    const char *v[2] = {i ? "7" : "21", i ? "b" : "a"};
    r = PQexecPrepared(c, "s1", 2, v, NULL, NULL, 0);
    scenario_print_result(r);
    PQclear(r);
  }
  r = PQdescribePrepared(c, "s1");
  scenario_print_result(r);
  PQclear(r);
  scenario_exec(c, "DEALLOCATE s1");
  r = PQprepare(c, "bad", "SELECT * FROM no_such_table", 0, NULL);
  scenario_print_result(r);
  PQclear(r);
  r = PQprepare(c, "s2", "SELECT 2", 0, NULL);
  PQclear(r);
  r = PQclosePrepared ? PQclosePrepared(c, "s2") : PQexec(c, "DEALLOCATE s2");
  printf("close s2 %s\n", PQresStatus(PQresultStatus(r)));
  PQclear(r);
  return scenario_finish(c);
}
