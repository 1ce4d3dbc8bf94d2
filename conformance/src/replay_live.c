/* replay_live.c - the live peer of `pgw replay`: a socket read into a
 * pgw_conn of pgw's role, waited on with a deadline. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "replay_int.h"
#include "tls.h"

static int live_open(live *l, int fd, pgw_dir role) {
  pgw_conn_options co;
  memset(&co, 0, sizeof co);
  co.role = role;
  l->fd = fd;
  l->tls = NULL;
  l->eof = 0;
  return pgw_conn_init(&l->conn, &co);
}

int live_open_or_fail(replayer *r, live *l, int fd, pgw_dir role,
                      const char *what) {
  if (live_open(l, fd, role) == 0) return 0;
  close(fd);
  return replay_fail(r, "cannot initialise %s", what);
}

void live_close(live *l) {
  cli_tls_close(l->tls);
  l->tls = NULL;
  if (l->fd >= 0) close(l->fd);
  l->fd = -1;
  pgw_conn_free(&l->conn);
}

/* Wait for l's socket or extra_fd: 1 l's, 0 timeout, R_EXTRA, R_IOERR. */
static int wait_either(const live *l, int timeout_ms, int extra_fd) {
  struct pollfd p[2];
  int rc;
  p[0].fd = l->fd;
  p[0].events = POLLIN;
  p[0].revents = 0;
  p[1].fd = extra_fd;
  p[1].events = POLLIN;
  p[1].revents = 0;
  do
    rc = poll(p, extra_fd >= 0 ? 2 : 1, timeout_ms);
  while (rc < 0 && errno == EINTR);
  if (rc < 0) return R_IOERR;
  if (rc == 0) return 0;
  if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) return R_EXTRA;
  return 1;
}

int live_next(live *l, pgw_message *m, int timeout_ms, int extra_fd) {
  for (;;) {
    ssize_t n;
    int rc = pgw_conn_next(&l->conn, m);
    if (rc != PGW_NEED_MORE) return rc;
    if (l->eof)
      return pgw_conn_finish(&l->conn) ? PGW_ERR_END_OF_STREAM : R_EOF;
    if (l->tls) {
      n = cli_tls_read(l->tls, l->buf, sizeof l->buf, timeout_ms);
      if (n == -2) return R_TIMEOUT;
      if (n == -1) return R_IOERR;
    } else {
      rc = wait_either(l, timeout_ms, extra_fd);
      if (rc == 0) return R_TIMEOUT;
      if (rc != 1) return rc;
      n = read(l->fd, l->buf, sizeof l->buf);
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != ECONNRESET) return R_IOERR;
    if (n <= 0) {
      l->eof = 1;
      continue;
    }
    pgw_conn_receive(&l->conn, l->buf, (size_t)n);
  }
}

int live_send(live *l, const pgw_message *m) {
  pgw_buf out;
  pgw_buf_init(&out, NULL);
  int rc = pgw_conn_send(&l->conn, m, &out);
  if (rc == 0)
    rc = l->tls ? cli_tls_write(l->tls, out.data, out.len)
                : cli_net_write(l->fd, out.data, out.len);
  pgw_buf_free(&out);
  return rc;
}

const char *live_why(const replayer *r, const live *l, int rc, char *buf,
                     size_t n) {
  const pgw_error *e = pgw_conn_error(&l->conn);
  switch (rc) {
  case R_EOF: return "the peer closed the connection";
  case R_TIMEOUT:
    snprintf(buf, n, "nothing arrived within %d ms", r->timeout_ms);
    return buf;
  case R_IOERR: return "read error";
  case R_EXTRA: return "another connection arrived instead";
  case PGW_DIRECT_SSL: return "the client opened with TLS (direct SSL)";
  default:
    snprintf(buf, n, "%s at live stream offset %zu: %s", pgw_strerror(rc),
             e->offset, e->reason ? e->reason : "?");
    return buf;
  }
}
