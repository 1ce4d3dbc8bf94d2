/* record_reject.c - answering a client when every slot is taken. */
#define _POSIX_C_SOURCE 200809L
#include "record_reject.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* PostgreSQL's limit for a startup packet (MAX_STARTUP_PACKET_LENGTH). */
#define STARTUP_MAX 10000
#define SSL_REQUEST_CODE 80877103u
#define GSSENC_REQUEST_CODE 80877104u

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* PostgreSQL 15's answer when no PGPROC is free (proc.c, InitProcess),
 * without its F, L and R fields (they name PostgreSQL's source lines),
 * plus a detail that names pgw record's own limit. */
static void send_too_many(int fd, int max_connections) {
  char detail[96];
  pgw_notice_field f[5];
  pgw_message m;
  uint8_t out[256];
  size_t len;
  snprintf(detail, sizeof detail,
           "pgw record is forwarding %d connections (--max-connections).",
           max_connections);
  f[0].code = 'S', f[0].value = (pgw_str){"FATAL", 5};
  f[1].code = 'V', f[1].value = (pgw_str){"FATAL", 5};
  f[2].code = 'C', f[2].value = (pgw_str){"53300", 5};
  f[3].code = 'M',
  f[3].value = (pgw_str){"sorry, too many clients already", 31};
  f[4].code = 'D', f[4].value = (pgw_str){detail, strlen(detail)};
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_ERROR_RESPONSE;
  m.body.error.fields.count = 5;
  m.body.error.fields.items = f;
  if (pgw_message_encode(&m, out, sizeof out, &len) == 0)
    (void)send(fd, out, len, MSG_NOSIGNAL);
}

/* Handle the whole packets in the buffer: 1 to go on, -1 when done. */
static int answer(rec_side *s, int max_connections) {
  while (s->len >= 8) {
    uint32_t n = be32(s->buf), code = be32(s->buf + 4);
    if (n < 8 || n > STARTUP_MAX) return -1;
    if (s->len < n) return 1;
    if (code != SSL_REQUEST_CODE && code != GSSENC_REQUEST_CODE) {
      /* a StartupMessage gets the error; a CancelRequest nothing */
      if (n >= 8 && (code >> 16) >= 2 && (code >> 16) <= 3)
        send_too_many(s->fd, max_connections);
      return -1;
    }
    if (send(s->fd, "N", 1, MSG_NOSIGNAL) != 1) return -1;
    memmove(s->buf, s->buf + n, s->len - n);
    s->len -= n;
  }
  return 1;
}

int rec_reject_pump(rec_conn *c, short revents, int max_connections) {
  rec_side *s = &c->s[PGW_FRONTEND];
  ssize_t n;
  if (!(revents & (POLLIN | POLLHUP | POLLERR))) return 0;
  n = read(s->fd, s->buf + s->len, STARTUP_MAX - s->len);
  if (n == 0) return -1;
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
  s->len += (size_t)n;
  return answer(s, max_connections) < 0 ? -1 : 0;
}
