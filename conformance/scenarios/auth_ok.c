/* auth_ok: startup and authentication succeed (the runner picks the user:
 * trust, cleartext, md5 or SCRAM-SHA-256), then one query. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "SELECT current_user = session_user AS same");
  return scenario_finish(c);
}
