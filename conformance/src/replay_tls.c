/* replay_tls.c - `pgw replay --to-server` of TLS sessions: the handshake
 * with the live server (after its 'S', or first for direct SSL), and the
 * SCRAM-SHA-256-PLUS channel binding recomputed for its certificate. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "replay_int.h"
#include "tls.h"

#define GS2_END_POINT "p=tls-server-end-point,,"

int replay_tls_start(replayer *r, live *l, int direct) {
  char err[300];
  /* the server's certificate is not verified: replay checks the
   * conversation, not the server's identity */
  l->tls =
      cli_tls_connect(l->fd, NULL, NULL, 1, r->timeout_ms, err, sizeof err);
  if (!l->tls) return replay_fail(r, "%s", err);
  if (!direct && pgw_conn_tls_established(&l->conn) != 0)
    return replay_fail(r, "pgw_conn refused the switch to TLS%s", "");
  return 0;
}

int replay_tls_binding(const replayer *r, pgw_str c, char *out, size_t cap,
                       pgw_str *live_c) {
  uint8_t dec[256], cb[sizeof GS2_END_POINT + 64];
  size_t h = sizeof GS2_END_POINT - 1;
  int n = cli_b64_decode(c.ptr, c.len, dec, sizeof dec), e;
  *live_c = c;
  if (n < (int)h || memcmp(dec, GS2_END_POINT, h) != 0) return 0;
  if (!r->lv.tls) return -1;
  memcpy(cb, GS2_END_POINT, h);
  e = cli_tls_server_end_point(r->lv.tls, cb + h, sizeof cb - h);
  if (e < 0) return -1;
  n = cli_b64_encode(cb, h + (size_t)e, out, cap);
  if (n < 0) return -1;
  live_c->ptr = out;
  live_c->len = (size_t)n;
  return 0;
}
