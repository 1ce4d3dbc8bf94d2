/* gssenc_refused: gssencmode=prefer: GSSENCRequest answered 'N' (when
 * libpq was built with GSSAPI and a credential cache exists; otherwise
 * libpq skips the request and the session shows a plain startup). */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "SELECT 'no gss' AS transport");
  return scenario_finish(c);
}
