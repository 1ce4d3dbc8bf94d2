/* certify_peer.c - one connection to the server under test. */
#define _POSIX_C_SOURCE 200809L
#include "certify_peer.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "session.h"

static int conn_open(pgw_conn *c, int lenient, pgw_phase phase,
                     uint32_t protocol) {
  pgw_conn_options o;
  memset(&o, 0, sizeof o);
  o.role = PGW_FRONTEND;
  o.lenient = lenient;
  o.start_phase = phase;
  o.protocol = protocol;
  return pgw_conn_init(c, &o);
}

int cert_peer_open(cert_peer *p, const char *addr, int timeout_ms,
                   const char *rec_path, const char *note, char *err,
                   size_t n) {
  memset(p, 0, offsetof(cert_peer, buf));
  p->fd = cli_net_connect(addr, timeout_ms, err, n);
  if (p->fd < 0) return -1;
  conn_open(&p->strict, 0, PGW_PHASE_STARTUP, 0);
  pgw_buf_init(&p->out, NULL);
  if (rec_path && (p->rec = fopen(rec_path, "w")) != NULL) {
    pgs_write_header(p->rec);
    pgs_write_meta(p->rec, "server", addr);
    pgs_write_meta(p->rec, "client", "pgw certify");
    pgs_write_meta(p->rec, "note", note);
  }
  return 0;
}

void cert_peer_close(cert_peer *p) {
  cli_tls_close(p->tls);
  p->tls = NULL;
  if (p->fd >= 0) close(p->fd);
  p->fd = -1;
  pgw_conn_free(&p->strict);
  if (p->desynced) pgw_conn_free(&p->loose);
  pgw_buf_free(&p->out);
  if (p->rec) fclose(p->rec);
  p->rec = NULL;
}

static void pause_ms(int ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (long)(ms % 1000) * 1000000L;
  nanosleep(&ts, NULL);
}

static int put(cert_peer *p, const uint8_t *b, size_t n) {
  return p->tls ? cli_tls_write(p->tls, b, n) : cli_net_write(p->fd, b, n);
}

static int write_bytes(cert_peer *p, const uint8_t *b, size_t n) {
  size_t i;
  if (n == 0) return 0;
  if (p->rec) pgs_write_chunk(p->rec, PGW_FRONTEND, b, n);
  p->fe_off += n;
  if (!p->slow_ms) return put(p, b, n);
  for (i = 0; i < n; i++) {
    if (put(p, b + i, 1) != 0) return -1;
    if (i + 1 < n) pause_ms(p->slow_ms);
  }
  p->slow_ms = 0;
  return 0;
}

int cert_peer_send(cert_peer *p, const pgw_message *m) {
  int rc;
  if (p->desynced) return cert_peer_send_unchecked(p, m);
  pgw_buf_clear(&p->out);
  rc = pgw_conn_send(&p->strict, m, &p->out);
  if (rc != 0) return rc;
  return write_bytes(p, p->out.data, p->out.len);
}

int cert_peer_send_ssl_pipelined(cert_peer *p, const uint8_t *b, size_t n) {
  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_SSL_REQUEST;
  pgw_buf_clear(&p->out);
  int rc = pgw_conn_send(&p->strict, &m, &p->out);
  if (rc != 0) return rc;
  if (pgw_buf_reserve(&p->out, n) != 0) return -1;
  memcpy(p->out.data + p->out.len, b, n);
  p->out.len += n;
  return write_bytes(p, p->out.data, p->out.len);
}

int cert_peer_starttls(cert_peer *p, int direct, int noalpn, const char *host,
                       const char *ca, int timeout_ms, char *err, size_t n) {
  p->tls =
      cli_tls_connect(p->fd, host, ca, direct && !noalpn, timeout_ms, err, n);
  if (!p->tls) {
    p->eof = 1; /* what the server did instead: it closed or spoke TLS wrong */
    return -1;
  }
  if (pgw_conn_tls_established(&p->strict) != 0) {
    snprintf(err, n, "pgw: %s", pgw_conn_error(&p->strict)->reason);
    return -1;
  }
  if (p->rec) {
    char alpn[64], what[128];
    snprintf(what, sizeof what, "%s%s%s, ALPN '%s'",
             direct ? "direct SSL, " : "", cli_tls_version(p->tls),
             ca ? ", verified" : "", cli_tls_alpn(p->tls, alpn, sizeof alpn));
    /* SESSION-FORMAT.md rule 7: direct SSL has no clear bytes before the
     * switch; the decrypted stream is the connection from its start */
    pgs_write_meta(p->rec, "tls", direct ? "direct" : "on");
    pgs_write_comment(p->rec, what);
  }
  return 0;
}

/* From here on the strict conn cannot know what the server is answering. */
static void desync(cert_peer *p) {
  pgw_phase ph = pgw_conn_phase(&p->strict);
  if (p->desynced) return;
  p->desynced = 1;
  p->loose_base = p->be_off;
  if (ph < PGW_PHASE_INITIALIZATION || ph == PGW_PHASE_CANCEL)
    ph = PGW_PHASE_AUTHENTICATION;
  else if (ph > PGW_PHASE_INITIALIZATION)
    ph = PGW_PHASE_READY;
  conn_open(&p->loose, 1, ph, pgw_state_protocol(pgw_conn_state(&p->strict)));
}

int cert_peer_send_unchecked(cert_peer *p, const pgw_message *m) {
  pgw_buf_clear(&p->out);
  if (pgw_message_encode_buf(m, &p->out) != 0) return -1;
  desync(p);
  return write_bytes(p, p->out.data, p->out.len);
}

int cert_peer_send_raw(cert_peer *p, const uint8_t *b, size_t n) {
  desync(p);
  return write_bytes(p, b, n);
}

const pgw_conn *cert_peer_conn(const cert_peer *p) {
  return p->desynced ? &p->loose : &p->strict;
}

size_t cert_peer_offset(const cert_peer *p, const pgw_message *m) {
  return p->desynced ? p->loose_base + m->offset : m->offset;
}

void cert_peer_shutdown(cert_peer *p) {
  shutdown(p->fd, SHUT_WR);
}

/* Read one chunk into the active conn: 0, or a CERT_* result. */
static int fill(cert_peer *p, int timeout_ms) {
  pgw_conn *c = p->desynced ? &p->loose : &p->strict;
  ssize_t n;
  if (p->tls) {
    n = cli_tls_read(p->tls, p->buf, sizeof p->buf, timeout_ms);
    if (n == -2) return CERT_TIMEOUT;
    if (n == -1) n = 0; /* a broken TLS stream ends the conversation */
  } else {
    int rc = cli_net_wait(p->fd, timeout_ms);
    if (rc == 0) return CERT_TIMEOUT;
    if (rc < 0) return CERT_IOERR;
    do
      n = read(p->fd, p->buf, sizeof p->buf);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno != ECONNRESET) return CERT_IOERR;
  }
  if (n <= 0) {
    p->eof = 1;
    return 0;
  }
  if (p->rec) pgs_write_chunk(p->rec, PGW_BACKEND, p->buf, (size_t)n);
  p->be_off += (size_t)n;
  pgw_conn_receive(c, p->buf, (size_t)n);
  return 0;
}

int cert_peer_next(cert_peer *p, pgw_message *m, int timeout_ms) {
  long until = cli_net_now_ms() + timeout_ms;
  for (;;) {
    pgw_conn *c = p->desynced ? &p->loose : &p->strict;
    long left;
    int rc = pgw_conn_next(c, m);
    if (rc != PGW_NEED_MORE) return rc;
    if (p->eof) return pgw_conn_finish(c) ? PGW_ERR_END_OF_STREAM : CERT_EOF;
    left = until - cli_net_now_ms();
    rc = fill(p, left > 0 ? (int)left : 0);
    if (rc) return rc;
  }
}
