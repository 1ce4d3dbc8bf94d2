/* ssl_refused: sslmode=prefer against a server without SSL: SSLRequest,
 * the one-byte answer 'N', then an ordinary startup. The runner adds
 * sslmode=prefer (and gssencmode=disable) to the conninfo. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  printf("ssl in use: %d\n", PQsslInUse(c));
  scenario_exec(c, "SELECT 'plain' AS transport");
  return scenario_finish(c);
}
