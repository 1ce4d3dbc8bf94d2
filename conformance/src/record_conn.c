/*
 * record_conn.c - forwarding one connection of `pgw record` and writing
 * what crosses it to its session file as it goes.
 *
 * The proxy watches the conversation with a lenient pgw_observer only to
 * learn metadata (server version, client application) and to see a
 * switch to TLS, until the first ReadyForQuery; decoding problems never
 * affect forwarding. Its messages are bounded by SNIFF_MAX so that it
 * never buffers a large message for its own sake.
 */
#define _POSIX_C_SOURCE 200809L
#include "record_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "record_tls.h"
#include "tls.h"

#define SNIFF_MAX 65536

static char *dup_text(const char *a, const char *p, size_t n) {
  size_t na = strlen(a);
  char *c = malloc(na + n + 1);
  if (!c) return NULL;
  memcpy(c, a, na);
  memcpy(c + na, p, n);
  c[na + n] = '\0';
  return c;
}

/* Remember one metadata entry until its chunk has been written. */
static void learn(rec_conn *c, const char *key, const char *prefix,
                  pgw_str value) {
  if (c->meta_key || value.len == 0) return;
  c->meta_value = dup_text(prefix, value.ptr, value.len);
  if (c->meta_value) c->meta_key = (char *)key;
}

static void sniff_message(rec_conn *c, pgw_dir dir, const pgw_message *m) {
  if (m->malformed) return;
  if (dir == PGW_FRONTEND && m->kind == PGW_MSG_STARTUP_MESSAGE) {
    pgw_iter it = pgw_param_iter(&m->body.startup.params);
    pgw_param p;
    while (pgw_param_next(&it, &p) == 1)
      if (p.name.len == 16 && memcmp(p.name.ptr, "application_name", 16) == 0)
        learn(c, "client", "", p.value);
  }
  if (dir == PGW_BACKEND && m->kind == PGW_MSG_PARAMETER_STATUS) {
    const pgw_parameter_status *ps = &m->body.parameter_status;
    if (ps->name.len == 14 && memcmp(ps->name.ptr, "server_version", 14) == 0)
      learn(c, "server", "PostgreSQL ", ps->value);
  }
  if (dir == PGW_BACKEND && m->kind == PGW_MSG_READY_FOR_QUERY)
    c->sniffing = 0; /* metadata and TLS come before the first one */
}

static void tls_switch(rec_conn *c, const char *note, int direct) {
  c->recording = 0;
  c->direct_ssl = direct;
  c->tls_note = note;
  c->sniffing = 0;
}

/* Feed one chunk to the observer watching the connection. */
static void sniff(rec_conn *c, pgw_dir dir, const uint8_t *data, size_t len) {
  pgw_message m;
  int rc;
  if (pgw_observer_feed(&c->watch, dir, data, len) != 0) {
    c->sniffing = 0;
    return;
  }
  while (c->sniffing &&
         (rc = pgw_observer_next(&c->watch, dir, &m)) == PGW_OK) {
    sniff_message(c, dir, &m);
    if (pgw_observer_phase(&c->watch) == PGW_PHASE_TLS_HANDSHAKE &&
        c->tls_cfg && m.kind == PGW_MSG_SSL_RESPONSE) {
      c->tls_pending_start = 1; /* 'S': terminate once it is sent */
      c->sniffing = 0;
    } else if (pgw_observer_phase(&c->watch) == PGW_PHASE_TLS_HANDSHAKE)
      tls_switch(c,
                 "the connection switched to TLS here; the encrypted "
                 "bytes that followed are not recorded",
                 0);
  }
  if (!c->sniffing) return;
  if (rc == PGW_DIRECT_SSL)
    tls_switch(c,
               "the client opened with TLS (direct SSL); the encrypted "
               "bytes are not recorded",
               1);
  else if (rc < 0)
    c->sniffing = 0; /* keep forwarding and recording regardless */
}

static void record_chunk(rec_conn *c, pgw_dir dir, const uint8_t *data,
                         size_t len, long now_ms) {
  int was_recording = c->recording;
  /* Direct SSL is seen on the first bytes: check before keeping them. */
  if (c->sniffing) sniff(c, dir, data, len);
  /* the chunk holding an 'S' answer is kept, a TLS ClientHello is not */
  if (was_recording && (!c->direct_ssl || c->tls == REC_TLS_ON))
    rec_file_chunk(&c->file, dir, data, len, now_ms);
  if (c->meta_key) {
    rec_file_meta(&c->file, c->meta_key, c->meta_value, now_ms);
    free(c->meta_value);
    c->meta_key = c->meta_value = NULL;
  }
  if (was_recording && !c->recording)
    rec_file_comment(&c->file, c->tls_note, now_ms);
  if (c->tls_pending_start == 1) {
    rec_file_meta(&c->file, "tls", "on", now_ms);
    c->tls_pending_start = 2;
  }
}

int rec_conn_start(rec_conn *c, int client, int upstream, int connecting,
                   int number, long deadline_ms) {
  pgw_observer_options wo;
  memset(c, 0, sizeof *c);
  c->state = connecting ? REC_CONNECTING : REC_OPEN;
  c->number = number;
  c->deadline_ms = deadline_ms;
  c->file.fd = -1;
  c->s[PGW_FRONTEND].fd = client;
  c->s[PGW_BACKEND].fd = upstream;
  c->sniffing = 1;
  c->recording = 1;
  memset(&wo, 0, sizeof wo);
  wo.mode = PGW_MODE_LENIENT;
  wo.max_message_len = SNIFF_MAX;
  if (pgw_observer_init(&c->watch, &wo) != 0) return -1;
  c->s[0].buf = malloc(REC_BUF);
  c->s[1].buf = malloc(REC_BUF);
  if (!c->s[0].buf || !c->s[1].buf || cli_net_set_nonblock(client) != 0)
    return -1;
  return 0;
}

int rec_conn_connected(rec_conn *c, const char *upstream) {
  int soerr = 0;
  socklen_t len = sizeof soerr;
  if (getsockopt(c->s[PGW_BACKEND].fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
    soerr = errno;
  if (soerr) {
    fprintf(stderr, "pgw record: connection %d: upstream %s: %s\n", c->number,
            upstream, strerror(soerr));
    return -1;
  }
  c->state = REC_OPEN;
  return 0;
}

int rec_conn_open_file(rec_conn *c, const char *base, int *next_number,
                       const char *note, long now_ms) {
  return rec_file_open(&c->file, base, next_number, note, now_ms);
}

/* Read from side dir if it has nothing waiting: 0, or -1 when over. */
static int pump_read(rec_conn *c, pgw_dir dir, long now_ms) {
  rec_side *from = &c->s[dir];
  ssize_t n;
  if (dir == PGW_FRONTEND && c->tls_cfg && c->tls == REC_TLS_NONE &&
      c->client_bytes == 0) {
    int t = rec_tls_client_opens_tls(c);
    if (t != 0) return t > 0 ? rec_tls_begin(c, 1, now_ms) : -1;
  }
  n = rec_io_read(c, (int)dir, from->buf, REC_BUF);
  if (n > 0) {
    from->len = (size_t)n;
    from->pos = 0;
    if (dir == PGW_FRONTEND) c->client_bytes += (size_t)n;
    if (c->file.fd >= 0) record_chunk(c, dir, from->buf, (size_t)n, now_ms);
  } else if (n == 0) {
    from->eof = 1;
  } else if (n == -1) {
    return -1;
  }
  return 0;
}

/* Write what side dir read to its peer; the 'S' answer once sent starts
 * the handshakes. 0, or -1 when over. */
static int pump_write(rec_conn *c, pgw_dir dir, long now_ms) {
  rec_side *from = &c->s[dir];
  ssize_t n =
      rec_io_write(c, !dir, from->buf + from->pos, from->len - from->pos);
  if (n > 0)
    from->pos += (size_t)n;
  else if (n == -1)
    return -1;
  if (dir == PGW_BACKEND && c->tls_pending_start == 2 && !REC_PENDING(c, dir)) {
    c->tls_pending_start = 0;
    return rec_tls_begin(c, 0, now_ms);
  }
  return 0;
}

int rec_conn_pump(rec_conn *c, pgw_dir dir, short rev_from, short rev_to,
                  long now_ms) {
  rec_side *from = &c->s[dir];
  int wrote = 0;
  short rin = POLLIN | POLLHUP | POLLERR, rout = POLLOUT | POLLERR;
  if (c->tls == REC_TLS_HANDSHAKE)
    return dir == PGW_FRONTEND ? rec_tls_handshake(c, now_ms) : 0;
  if (from->tls) rin |= POLLOUT; /* a TLS read may wait to write */
  if (c->s[!dir].tls) rout |= POLLIN | POLLHUP;
  if (!REC_PENDING(c, dir) && !from->eof &&
      ((rev_from & rin) || (from->tls && cli_tls_pending(from->tls)))) {
    if (pump_read(c, dir, now_ms) != 0) return -1;
    wrote = 1; /* try the write at once: the peer is usually ready */
  }
  if (c->tls == REC_TLS_HANDSHAKE) return 0;
  if (REC_PENDING(c, dir) && (wrote || (rev_to & rout)) &&
      pump_write(c, dir, now_ms) != 0)
    return -1;
  if (from->eof && !from->shut && !REC_PENDING(c, dir)) {
    rec_io_shut(c, !dir);
    from->shut = 1;
  }
  return 0;
}

int rec_conn_end(rec_conn *c) {
  int rc = 0, i;
  if (c->state == REC_FREE) return 0;
  if (c->file.fd >= 0) rc = rec_file_close(&c->file);
  for (i = 0; i < 2; i++) {
    cli_tls_close(c->s[i].tls);
    if (c->s[i].fd >= 0) close(c->s[i].fd);
    free(c->s[i].buf);
  }
  free(c->meta_value);
  pgw_observer_free(&c->watch);
  memset(c, 0, sizeof *c);
  c->s[0].fd = c->s[1].fd = c->file.fd = -1;
  return rc;
}
