/* record_tls.c - terminating TLS on both legs of `pgw record` (see
 * record_tls.h). */
#define _POSIX_C_SOURCE 200809L
#include "record_tls.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls.h"
#include "tls_ctx.h"

static const char *leg_name(int d) {
  return d == PGW_FRONTEND ? "client" : "upstream";
}

int rec_tls_begin(rec_conn *c, int direct, long now_ms) {
  char err[300];
  const rec_tls_cfg *g = c->tls_cfg;
  c->s[PGW_FRONTEND].tls =
      cli_tls_start(g->server, c->s[PGW_FRONTEND].fd, 1, NULL, err, sizeof err);
  if (c->s[PGW_FRONTEND].tls)
    c->s[PGW_BACKEND].tls = cli_tls_start(g->client, c->s[PGW_BACKEND].fd, 0,
                                          g->host, err, sizeof err);
  if (!c->s[PGW_FRONTEND].tls || !c->s[PGW_BACKEND].tls) {
    fprintf(stderr, "pgw record: connection %d: %s\n", c->number, err);
    return -1;
  }
  c->tls = REC_TLS_HANDSHAKE;
  c->direct_ssl = direct;
  c->sniffing = 0;
  if (direct) rec_file_meta(&c->file, "tls", "direct", now_ms);
  return rec_tls_handshake(c, now_ms);
}

/* Both legs are up: say how, and let the observer follow again. */
static void established(rec_conn *c, long now_ms) {
  char text[200], alpn[2][32];
  cli_tls *fe = c->s[PGW_FRONTEND].tls, *be = c->s[PGW_BACKEND].tls;
  snprintf(text, sizeof text,
           "%sterminated by pgw record: client leg %s ALPN '%s'; upstream "
           "leg %s, %s, ALPN '%s'",
           c->direct_ssl ? "direct SSL, " : "", cli_tls_version(fe),
           cli_tls_alpn(fe, alpn[0], sizeof alpn[0]), cli_tls_version(be),
           cli_tls_ctx_verifies(c->tls_cfg->client) ? "verified"
                                                    : "not verified",
           cli_tls_alpn(be, alpn[1], sizeof alpn[1]));
  rec_file_comment(&c->file, text, now_ms);
  c->tls = REC_TLS_ON;
  c->sniffing = c->direct_ssl || pgw_observer_tls_on(&c->watch) == 0;
  for (int d = 0; d < 2; d++) {
    c->s[d].rwant = POLLIN;
    c->s[d].wwant = POLLOUT;
  }
}

int rec_tls_handshake(rec_conn *c, long now_ms) {
  char err[300];
  for (int d = 0; d < 2; d++) {
    rec_side *s = &c->s[d];
    int rc = s->done ? 1 : cli_tls_step(s->tls, err, sizeof err);
    if (rc < 0) {
      fprintf(stderr, "pgw record: connection %d: %s leg: %s\n", c->number,
              leg_name(d), err);
      return -1;
    }
    s->done = rc;
  }
  if (c->s[0].done && c->s[1].done) established(c, now_ms);
  return 0;
}

int rec_tls_client_opens_tls(const rec_conn *c) {
  uint8_t b;
  ssize_t n = recv(c->s[PGW_FRONTEND].fd, &b, 1, MSG_PEEK);
  if (n == 1) return b == 0x16;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return 0;
  return n == 0 ? 0 : -1; /* the end is read as usual */
}

ssize_t rec_io_read(rec_conn *c, int d, uint8_t *buf, size_t n) {
  rec_side *s = &c->s[d];
  ssize_t got;
  if (!s->tls) {
    got = read(s->fd, buf, n);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      return -2;
    return got;
  }
  got = cli_tls_read_nb(s->tls, buf, n);
  s->rwant = got == -2 ? cli_tls_wants(s->tls) : POLLIN;
  return got;
}

ssize_t rec_io_write(rec_conn *c, int d, const uint8_t *p, size_t n) {
  rec_side *s = &c->s[d];
  ssize_t put;
  if (!s->tls) {
    put = send(s->fd, p, n, MSG_NOSIGNAL);
    if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      return -2;
    return put;
  }
  put = cli_tls_write_nb(s->tls, p, n);
  s->wwant = put == -2 ? cli_tls_wants(s->tls) : POLLOUT;
  return put;
}

void rec_io_shut(rec_conn *c, int to) {
  if (c->s[to].tls) cli_tls_notify_close(c->s[to].tls);
  shutdown(c->s[to].fd, SHUT_WR);
}

void rec_tls_events(const rec_conn *c, short ev[2], int *ready) {
  int d;
  ev[0] = ev[1] = 0;
  if (c->tls == REC_TLS_HANDSHAKE) {
    for (d = 0; d < 2; d++)
      if (!c->s[d].done) ev[d] = cli_tls_wants(c->s[d].tls);
    return;
  }
  for (d = 0; d < 2; d++) {
    const rec_side *s = &c->s[d];
    if (!s->eof && !REC_PENDING(c, d)) {
      ev[d] |= s->tls ? s->rwant : POLLIN;
      if (s->tls && cli_tls_pending(s->tls)) *ready = 1;
    }
    if (REC_PENDING(c, !d)) ev[d] |= s->tls ? s->wwant : POLLOUT;
  }
}
