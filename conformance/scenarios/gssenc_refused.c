/* gssenc_refused: gssencmode=prefer. libpq sends GSSENCRequest only when
 * it was built with GSSAPI and finds a Kerberos credential cache; the
 * runner points KRB5CCNAME at nothing, so libpq skips the request and the
 * session shows a plain startup: what a client without credentials does.
 * The request itself and both answers ('N' from PostgreSQL 18 from npm,
 * 'G' from Debian's GSSAPI-enabled 15) are in raw_gssenc. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "SELECT 'no gss' AS transport");
  return scenario_finish(c);
}
