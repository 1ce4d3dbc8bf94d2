/* raw_portal_suspended (raw: pgw speaks, no libpq): Execute with a row
 * limit, which libpq never sends. Parse a named statement, Describe it,
 * Bind a named portal, Describe the portal, Execute it two rows at a time
 * (DataRow, DataRow, PortalSuspended, twice, then the last row and
 * CommandComplete), Close the portal and the statement (CloseComplete),
 * Flush, Sync; then a second round with a named portal left suspended and
 * closed by Sync inside a transaction block. */
#include "raw.h"
static pgw_message msg(pgw_kind k) {
  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = k;
  return m;
}
int main(int argc, char **argv) {
  raw r;
  raw_open(&r, argc, argv);
  raw_startup(&r, 0x00030000u, NULL, 0);
  if (!raw_until_ready(&r)) return 1;

  pgw_message m = msg(PGW_MSG_PARSE);
  m.body.parse.statement = PGW_STR("ps");
  m.body.parse.query =
      PGW_STR("SELECT g, 'row ' || g AS t FROM generate_series(1, $1::int) g");
  raw_queue(&r, &m);
  m = msg(PGW_MSG_DESCRIBE);
  m.body.describe.target = 'S';
  m.body.describe.name = PGW_STR("ps");
  raw_queue(&r, &m);
  static const pgw_value five = {(const uint8_t *)"5", 1};
  m = msg(PGW_MSG_BIND);
  m.body.bind.portal = PGW_STR("cur");
  m.body.bind.statement = PGW_STR("ps");
  m.body.bind.params.count = 1;
  m.body.bind.params.items = &five;
  raw_queue(&r, &m);
  m = msg(PGW_MSG_DESCRIBE);
  m.body.describe.target = 'P';
  m.body.describe.name = PGW_STR("cur");
  raw_queue(&r, &m);
  for (int i = 0; i < 3; i++) {
    m = msg(PGW_MSG_EXECUTE);
    m.body.execute.portal = PGW_STR("cur");
    m.body.execute.max_rows = 2;
    raw_queue(&r, &m);
  }
  m = msg(PGW_MSG_CLOSE);
  m.body.close.target = 'P';
  m.body.close.name = PGW_STR("cur");
  raw_queue(&r, &m);
  m = msg(PGW_MSG_CLOSE);
  m.body.close.target = 'S';
  m.body.close.name = PGW_STR("ps");
  raw_queue(&r, &m);
  m = msg(PGW_MSG_FLUSH);
  raw_queue(&r, &m);
  raw_flush(&r);
  /* Flush: everything up to CloseComplete arrives before Sync is sent. */
  pgw_message in;
  int closes = 0;
  while (closes < 2 && raw_next(&r, &in)) {
    raw_print(&in);
    if (in.kind == PGW_MSG_CLOSE_COMPLETE) closes++;
  }
  printf("-- flushed\n");
  m = msg(PGW_MSG_SYNC);
  raw_send(&r, &m);
  if (!raw_until_ready(&r)) return 1;

  /* Unnamed statement and portal, one Execute with a limit, then Sync
   * inside BEGIN: the suspended portal is left open until COMMIT. */
  m = msg(PGW_MSG_QUERY);
  m.body.query.text = PGW_STR("BEGIN");
  raw_send(&r, &m);
  if (!raw_until_ready(&r)) return 1;
  m = msg(PGW_MSG_PARSE);
  m.body.parse.query = PGW_STR("SELECT g FROM generate_series(1, 3) g");
  raw_queue(&r, &m);
  m = msg(PGW_MSG_BIND);
  raw_queue(&r, &m);
  m = msg(PGW_MSG_EXECUTE);
  m.body.execute.max_rows = 1;
  raw_queue(&r, &m);
  m = msg(PGW_MSG_SYNC);
  raw_queue(&r, &m);
  raw_flush(&r);
  if (!raw_until_ready(&r)) return 1;
  m = msg(PGW_MSG_QUERY);
  m.body.query.text = PGW_STR("COMMIT");
  raw_send(&r, &m);
  if (!raw_until_ready(&r)) return 1;
  return raw_finish(&r);
}
