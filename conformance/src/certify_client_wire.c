/* certify_client_wire.c - the scripted server's side of one connection. */
#define _POSIX_C_SOURCE 200809L
#include "certify_client_wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "certify_client.h"
#include "net.h"
#include "session.h"

#define CC_SEEN_MAX (1u << 20)

int cc_wire_open(cc_wire *w, int fd, uint32_t server_protocol) {
  pgw_conn_options co;
  int one = 1;
  memset(w, 0, sizeof w[0]);
  /* One-byte writes must leave as one-byte segments, without Nagle's
   * wait for the peer's (delayed) ACK. */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  memset(&co, 0, sizeof co);
  co.role = PGW_BACKEND;
  co.server_protocol = server_protocol;
  w->fd = fd;
  pgw_buf_init(&w->msg, NULL);
  pgw_buf_init(&w->seen, NULL);
  return pgw_conn_init(&w->conn, &co);
}

void cc_wire_record(cc_wire *w, const char *path, const char *note) {
  if (!(w->rec = fopen(path, "w"))) return;
  pgs_write_header(w->rec);
  pgs_write_meta(w->rec, "server", "pgw certify client --serve");
  pgs_write_meta(w->rec, "note", note);
}

void cc_wire_close(cc_wire *w) {
  if (w->rec) fclose(w->rec);
  w->rec = NULL;
  if (w->fd >= 0) close(w->fd);
  w->fd = -1;
  pgw_conn_free(&w->conn);
  pgw_buf_free(&w->msg);
  pgw_buf_free(&w->seen);
}

static int read_more(cc_wire *w, int timeout_ms) {
  ssize_t r;
  int rc = cli_net_wait(w->fd, timeout_ms);
  if (rc == 0) return CC_TIMEOUT;
  if (rc < 0) return CC_IOERR;
  do
    r = recv(w->fd, w->buf, sizeof w->buf, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0) return errno == ECONNRESET ? CC_EOF : CC_IOERR;
  if (r == 0) return CC_EOF;
  if (w->seen.len + (size_t)r <= CC_SEEN_MAX &&
      pgw_buf_reserve(&w->seen, (size_t)r) == 0) {
    memcpy(w->seen.data + w->seen.len, w->buf, (size_t)r);
    w->seen.len += (size_t)r;
  }
  w->seen_total += (size_t)r;
  if (w->rec) pgs_write_chunk(w->rec, PGW_FRONTEND, w->buf, (size_t)r);
  pgw_conn_receive(&w->conn, w->buf, (size_t)r);
  return PGW_OK;
}

int cc_wire_next(cc_wire *w, pgw_message *m, int timeout_ms) {
  long end = cli_net_now_ms() + timeout_ms;
  if (w->status < 0) return w->status;
  for (;;) {
    int rc = pgw_conn_next(&w->conn, m);
    long left;
    if (rc == PGW_OK) return PGW_OK;
    if (rc < 0 || rc == PGW_DIRECT_SSL) return w->status = rc < 0 ? rc : -1;
    left = end - cli_net_now_ms();
    /* In slices, so that SIGINT/SIGTERM (w->stop) ends the wait. */
    rc = read_more(w, left > 200 ? 200 : left > 0 ? (int)left : 0);
    if (rc == CC_TIMEOUT && left > 200 && !(w->stop && *w->stop)) continue;
    if (rc == CC_EOF && pgw_conn_finish(&w->conn) != 0)
      return w->status = PGW_ERR_END_OF_STREAM;
    if (rc != PGW_OK) return rc;
  }
}

void cc_b(cc_wire *w, uint8_t t) {
  static const uint8_t zero[4] = {0, 0, 0, 0};
  pgw_buf_clear(&w->msg);
  cc_raw(w, &t, 1);
  cc_raw(w, zero, 4);
}

void cc_raw(cc_wire *w, const void *p, size_t n) {
  if (pgw_buf_reserve(&w->msg, n) != 0) return;
  if (n) memcpy(w->msg.data + w->msg.len, p, n);
  w->msg.len += n;
}

void cc_i32(cc_wire *w, uint32_t v) {
  uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                  (uint8_t)v};
  cc_raw(w, b, 4);
}

void cc_i16(cc_wire *w, uint16_t v) {
  uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
  cc_raw(w, b, 2);
}

void cc_str(cc_wire *w, const char *s) {
  cc_raw(w, s, strlen(s) + 1);
}

int cc_send_bytes(cc_wire *w, const uint8_t *p, size_t n) {
  size_t i;
  if (w->rec && n) pgs_write_chunk(w->rec, PGW_BACKEND, p, n);
  if (!w->split) return (w->gone = cli_net_write(w->fd, p, n) != 0) ? -1 : 0;
  for (i = 0; i < n; i++)
    if (cli_net_write(w->fd, p + i, 1) != 0) return w->gone = 1, -1;
  return 0;
}

int cc_send(cc_wire *w, char *err, size_t n) {
  pgw_message m;
  pgw_error e;
  uint8_t *p = w->msg.data;
  size_t len = w->msg.len - 1;
  int rc;
  p[1] = (uint8_t)(len >> 24), p[2] = (uint8_t)(len >> 16);
  p[3] = (uint8_t)(len >> 8), p[4] = (uint8_t)len;
  rc = pgw_message_decode(pgw_kind_of(PGW_BACKEND, p[0]), p + 5, len - 4,
                          pgw_state_protocol(pgw_conn_state(&w->conn)), &m, &e);
  if (rc == 0) rc = pgw_conn_forwarded(&w->conn, &m);
  if (rc != 0) {
    if (err)
      snprintf(err, n, "pgw certify: our own '%c' refused: %s", p[0],
               pgw_conn_error(&w->conn)->reason
                   ? pgw_conn_error(&w->conn)->reason
                   : pgw_strerror(rc));
    return -1;
  }
  return cc_send_bytes(w, p, w->msg.len);
}

int cc_send_error(cc_wire *w, const char *sev, const char *code,
                  const char *text) {
  cc_b(w, 'E');
  cc_raw(w, "S", 1), cc_str(w, sev);
  cc_raw(w, "V", 1), cc_str(w, sev);
  cc_raw(w, "C", 1), cc_str(w, code);
  cc_raw(w, "M", 1), cc_str(w, text);
  cc_raw(w, "", 1);
  return cc_send(w, NULL, 0);
}

int cc_send_ready(cc_wire *w, char status) {
  cc_b(w, 'Z');
  cc_raw(w, &status, 1);
  return cc_send(w, NULL, 0);
}

int cc_send_ps(cc_wire *w, const char *name, const char *value) {
  cc_b(w, 'S');
  cc_str(w, name);
  cc_str(w, value);
  return cc_send(w, NULL, 0);
}

void cc_hex(char *out, size_t n, const uint8_t *b, size_t len, size_t off) {
  size_t i, k = 0;
  k += (size_t)snprintf(out, n, "offset %zu:", off);
  for (i = off; i < len && i < off + 24 && k + 4 < n; i++)
    k += (size_t)snprintf(out + k, n - k, " %02x", b[i]);
  if (i < len && k + 4 < n) snprintf(out + k, n - k, " ..");
  if (off >= len && k + 24 < n) snprintf(out + k, n - k, " (not kept)");
}

void cc_wire_broke(const cc_wire *w, char *rule, size_t rn, char *out,
                   size_t n) {
  const pgw_error *e = pgw_conn_error(&w->conn);
  char hex[160];
  snprintf(rule, rn, "%s", e->rule ? e->rule->id : "stream");
  cc_hex(hex, sizeof hex, w->seen.data, w->seen.len, e->offset);
  snprintf(out, n, "%s; %s", e->reason ? e->reason : pgw_strerror(e->code),
           hex);
}

int cc_str_is(pgw_str v, const char *s) {
  return v.len == strlen(s) && (v.len == 0 || !memcmp(v.ptr, s, v.len));
}
