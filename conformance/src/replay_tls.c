/* replay_tls.c - replaying TLS sessions. --to-server: the handshake with
 * the live server (after its 'S', or first for direct SSL), and the
 * SCRAM-SHA-256-PLUS channel binding recomputed for its certificate.
 * --to-client: the server end of the handshake with the certificate
 * given, and the client's channel binding checked against it. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <string.h>

#include "net.h"
#include "replay_int.h"
#include "tls.h"
#include "tls_ctx.h"

#define GS2_END_POINT "p=tls-server-end-point,,"

int replay_tls_start(replayer *r, live *l, int direct) {
  char err[300];
  /* the server's certificate is verified only with --tls-ca (and its
   * name with --tls-host): replay checks the conversation */
  l->tls = cli_tls_connect(l->fd, r->o->tls_host, r->o->tls_ca, 1,
                           r->timeout_ms, err, sizeof err);
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

/* Direct SSL: the client's first bytes, peeked at (OpenSSL reads them
 * again), so that l's conn sees the TLS record and says PGW_DIRECT_SSL. */
static int peek_direct(replayer *r, live *l) {
  uint8_t head[5];
  pgw_message m;
  struct pollfd p = {l->fd, POLLIN, 0};
  if (poll(&p, 1, r->timeout_ms) <= 0)
    return replay_fail(r, "direct SSL: no ClientHello within the timeout%s",
                       "");
  ssize_t n = recv(l->fd, head, sizeof head, MSG_PEEK);
  if (n <= 0) return replay_fail(r, "direct SSL: %s", "the client closed");
  pgw_conn_receive(&l->conn, head, (size_t)n);
  if (pgw_conn_next(&l->conn, &m) != PGW_DIRECT_SSL)
    return replay_fail(r, "the client did not open with TLS (direct SSL)%s",
                       "");
  return 0;
}

int replay_tls_accept(replayer *r, live *l, int direct) {
  char err[300];
  if (direct && peek_direct(r, l) != 0) return -1;
  l->tls = cli_tls_start(r->tls_server, l->fd, 1, NULL, err, sizeof err);
  if (!l->tls) return replay_fail(r, "%s", err);
  long until = cli_net_now_ms() + r->timeout_ms;
  int rc;
  while ((rc = cli_tls_step(l->tls, err, sizeof err)) == 0) {
    struct pollfd p = {l->fd, cli_tls_wants(l->tls), 0};
    long left = until - cli_net_now_ms();
    if (left <= 0 || poll(&p, 1, (int)left) <= 0)
      return replay_fail(r, "TLS handshake with the client: %s",
                         "no progress within the timeout");
  }
  if (rc < 0) return replay_fail(r, "TLS handshake with the client: %s", err);
  if (pgw_conn_tls_established(&l->conn) != 0)
    return replay_fail(r, "pgw_conn refused the switch to TLS%s", "");
  return 0;
}

int replay_tls_client_binding_ok(const replayer *r, pgw_str c) {
  uint8_t dec[256], want[64];
  size_t h = sizeof GS2_END_POINT - 1;
  int n = cli_b64_decode(c.ptr, c.len, dec, sizeof dec);
  if (n < (int)h || memcmp(dec, GS2_END_POINT, h) != 0) return 1;
  int e =
      r->lv.tls ? cli_tls_local_end_point(r->lv.tls, want, sizeof want) : -1;
  return e > 0 && (size_t)n == h + (size_t)e &&
         memcmp(dec + h, want, (size_t)e) == 0;
}
