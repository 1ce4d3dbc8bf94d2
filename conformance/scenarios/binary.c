/* binary: binary parameters and binary results (format codes 1). */
#include "scenario.h"
#include <arpa/inet.h>
#include <stdint.h>
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  uint32_t n = htonl(1234567);
  const char *vals[2] = {(const char *)&n, "\x01\x02\x00\xff"};
  int lens[2] = {4, 4};
  int fmts[2] = {1, 1};
  Oid types[2] = {23, 17};
  PGresult *r = PQexecParams(c,
                             "SELECT $1 AS i, $2 AS b, 1.5::float8 AS f, "
                             "NULL::int AS z",
                             2, types, vals, lens, fmts, 1);
  scenario_print_result(r);
  PQclear(r);
  /* mixed: one text and one binary parameter */
  int fmts2[2] = {0, 1};
  const char *vals2[2] = {"99", (const char *)&n};
  r = PQexecParams(c, "SELECT $1::int + $2 AS s", 2, (Oid[]){23, 23}, vals2,
                   lens, fmts2, 0);
  scenario_print_result(r);
  PQclear(r);
  return scenario_finish(c);
}
