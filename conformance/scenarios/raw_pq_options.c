/* raw_pq_options (raw: pgw speaks, no libpq): a StartupMessage asking for
 * protocol 3.2 with two "_pq_." options no server knows. PostgreSQL 15
 * answers NegotiateProtocolVersion with newest 3.0 and both options,
 * PostgreSQL 18 with newest 3.2 and both options; then the startup goes
 * on (trust) and one Query runs. */
#include "raw.h"
int main(int argc, char **argv) {
  raw r;
  raw_open(&r, argc, argv);
  static const char *const extra[] = {"_pq_.pgw_unknown", "1", "_pq_.pgw_other",
                                      "on"};
  raw_startup(&r, 0x00030002u, extra, 2);
  if (!raw_until_ready(&r)) return 1;
  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_QUERY;
  m.body.query.text = PGW_STR("SELECT 'options ignored' AS s");
  raw_send(&r, &m);
  if (!raw_until_ready(&r)) return 1;
  return raw_finish(&r);
}
