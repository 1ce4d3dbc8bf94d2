/* raw_gssenc (raw: pgw speaks, no libpq): GSSENCRequest, which libpq sends
 * only when a Kerberos credential cache exists. A server without GSSAPI
 * encryption (PostgreSQL 18 from npm) answers the one byte 'N' and the
 * client goes on with an ordinary StartupMessage on the same connection.
 * A server built with GSSAPI (Debian's PostgreSQL 15) answers 'G': the
 * client has no credentials for the GSSAPI handshake and closes. */
#include "raw.h"
int main(int argc, char **argv) {
  raw r;
  raw_open(&r, argc, argv);
  raw_simple(&r, PGW_MSG_GSSENC_REQUEST);
  pgw_message m;
  if (!raw_next(&r, &m)) return 1;
  raw_print(&m);
  if (m.kind != PGW_MSG_GSSENC_RESPONSE) return 1;
  if (m.body.encryption.answer == 'G') {
    printf("closing: no GSSAPI credentials here\n");
    close(r.fd);
    pgw_buf_free(&r.out);
    pgw_conn_free(&r.conn);
    return 0;
  }
  raw_startup(&r, 0x00030000u, NULL, 0);
  if (!raw_until_ready(&r)) return 1;
  return raw_finish(&r);
}
