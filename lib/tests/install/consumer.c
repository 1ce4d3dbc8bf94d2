/* consumer.c - the README example, built against an installed pgw with
 * pkg-config and with find_package(pgw); it encodes a Query, decodes it
 * back with a frontend decoder and prints what it saw. */
#include <pgw/pgw.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  uint8_t out[256];
  size_t n;
  pgw_message q;
  memset(&q, 0, sizeof q);
  q.kind = PGW_MSG_QUERY;
  q.body.query.text = PGW_STR("SELECT 1");
  if (pgw_message_encode(&q, out, sizeof out, &n) != PGW_OK) return 1;

  pgw_decoder d;
  pgw_decoder_init(&d, PGW_FRONTEND, NULL);
  pgw_decoder_set_framing(&d, PGW_FRAMING_STANDARD);
  pgw_decoder_feed(&d, out, n);
  pgw_message m;
  int rc = pgw_decoder_next(&d, &m);
  pgw_decoder_free(&d);
  if (rc != PGW_OK || m.kind != PGW_MSG_QUERY) return 1;
  printf("pgw %s: %s \"%.*s\" (%zu bytes)\n", pgw_version(),
         pgw_message_name(&m), (int)m.body.query.text.len,
         m.body.query.text.ptr, m.wire_len);
  return 0;
}
