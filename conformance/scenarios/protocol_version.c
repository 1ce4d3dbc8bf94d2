/* protocol_version: the runner asks for max_protocol_version=3.2 with
 * libpq 18. PostgreSQL 18 accepts 3.2 (32-byte cancel key); PostgreSQL 15
 * answers NegotiateProtocolVersion and the connection goes on in 3.0. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "SELECT 3 AS major");
  return scenario_finish(c);
}
