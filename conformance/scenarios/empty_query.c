/* empty_query: an empty query string and one of only a comment give
 * EmptyQueryResponse. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "");
  scenario_exec(c, "-- nothing here");
  scenario_exec(c, ";");
  return scenario_finish(c);
}
