/* terminate: connect, one query, PQfinish sends Terminate and the server
 * closes without answering. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "SELECT 'bye' AS last");
  return scenario_finish(c);
}
