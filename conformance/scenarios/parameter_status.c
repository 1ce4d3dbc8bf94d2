/* parameter_status: SET of reported settings makes the server send
 * ParameterStatus (application_name, TimeZone, DateStyle, IntervalStyle),
 * also inside a transaction that is rolled back. */
#include "scenario.h"
static void show(PGconn *c, const char *p) {
  printf("param %s=%s\n", p, PQparameterStatus(c, p));
}
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  show(c, "client_encoding");
  show(c, "standard_conforming_strings");
  scenario_exec(c, "SET application_name = 'pgw-conformance'");
  show(c, "application_name");
  scenario_exec(c, "SET TimeZone = 'Europe/Paris'");
  show(c, "TimeZone");
  scenario_exec(c, "BEGIN; SET DateStyle = 'German'; ROLLBACK");
  show(c, "DateStyle");
  scenario_exec(c, "SET IntervalStyle = 'iso_8601'");
  show(c, "IntervalStyle");
  return scenario_finish(c);
}
