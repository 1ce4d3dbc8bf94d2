/* data_types: RowDescription of many types (sizes, typmods) and DataRow
 * with NULLs, empty strings, wide rows over libpq's 30000-byte short
 * message limit, and many columns. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(
      c, "SELECT 1::int2 a, 2::int8 b, 1.25::numeric(6,2) c, "
         "'x'::char(3) d, 'y'::varchar(9) e, true f, '\\x00ff'::bytea g, "
         "'2024-01-02'::date h, '{1,2}'::int[] i, ''::text j, NULL::text k");
  PGresult *r = PQexec(
      c,
      "SELECT length(repeat('z', 70000)) AS n, md5(repeat('z', 70000)) AS h, "
      "repeat('z', 70000) AS big");
  printf("wide %s ntuples=%d len=%d\n", PQresStatus(PQresultStatus(r)),
         PQntuples(r), PQntuples(r) ? PQgetlength(r, 0, 2) : -1);
  PQclear(r);
  scenario_exec(
      c,
      "SELECT 1 c1,2 c2,3 c3,4 c4,5 c5,6 c6,7 c7,8 c8,9 c9,10 c10,"
      "11 c11,12 c12,13 c13,14 c14,15 c15,16 c16,17 c17,18 c18,19 c19,20 c20");
  scenario_exec(c, "SELECT FROM generate_series(1,2)");
  return scenario_finish(c);
}
