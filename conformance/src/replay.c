/*
 * replay.c - `pgw replay`: play one side of a recorded session to a live
 * peer through a pgw_conn of that side's role, and compare every message
 * the peer sends with the recording after normalisation (normalize.h).
 *
 * --to-server: pgw is the client. The recorded frontend messages are
 * re-encoded by pgw and sent chunk by chunk (all messages that end in a
 * recorded chunk go out in one write), in wire order: before a frontend
 * chunk is sent, every backend message recorded before it must have
 * arrived and matched. Recomputed instead of copied: the MD5 password
 * (live salt), the SCRAM client-final message (live server-first; the
 * server's signature is verified), a CancelRequest (live BackendKeyData)
 * and large-object OIDs passed to fast-path calls (live lo_creat result).
 *
 * --to-client: pgw is the server. It accepts a connection, compares each
 * message the client sends with the recording, and answers with the
 * recorded backend messages, re-encoded by pgw. Recomputed: SCRAM
 * server-first (live client nonce, recorded salt and iteration count) and
 * server-final (a real ServerSignature, after verifying the client's
 * proof); the MD5 hash is checked against the password with the recorded
 * salt. Whether a password is accepted must agree with the recording.
 *
 * Cancel requests live in their own session file (the recorder writes the
 * n-th connection to FILE-n.pgs). A file FILE-n.pgs beside FILE.pgs whose
 * only message is a CancelRequest for FILE's recorded BackendKeyData is
 * paired with FILE automatically (or name the main session with
 * --cancel-of when replaying the cancel file itself). The cancel is sent
 * (--to-server) or awaited (--to-client) while the replay waits for the
 * recorded backend chunk holding the "query_canceled" ErrorResponse
 * (SQLSTATE 57014); --to-server sends it once the server has been quiet
 * for 300 ms, so that the query is running.
 */
#define _POSIX_C_SOURCE 200809L
#include "addr.h"
#include "replay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "normalize.h"
#include "render.h"
#include "scram.h"
#include "session.h"

#define CANCEL_QUIET_MS 300
#define MAX_LO 256

/* live_next() results besides PGW_OK and PGW_ERR_* */
enum { R_EOF = 100, R_TIMEOUT = 101, R_EXTRA = 102, R_IOERR = 103 };

/* ---- the recording ------------------------------------------------------ */

typedef struct rmsg {
  pgw_dir dir;
  pgw_kind kind;
  uint8_t type;     /* type byte (0 for startup-framed messages) */
  uint8_t *payload; /* copy of the bytes after the header */
  size_t plen;
  size_t offset, wire_len, line;
  uint32_t protocol;
  pgw_phase phase; /* after the message */
} rmsg;

typedef struct rchunk {
  pgw_dir dir;
  size_t line;
  size_t first, end; /* messages that end in this chunk */
} rchunk;

typedef struct recording {
  const char *path;
  rmsg *msgs;
  size_t n, cap;
  rchunk *chunks;
  size_t nchunks;
  char *server_version; /* "@ server" without "PostgreSQL ", or the
                           recorded ParameterStatus; NULL if unknown */
  pgw_str user;         /* from the StartupMessage (points into msgs) */
  int has_key;
  int32_t key_pid;
  uint8_t key[PGW_CANCEL_KEY_MAX];
  size_t key_len;
  int cancel_only; /* one frontend CancelRequest, nothing else */
  int uses_scram, uses_md5;
  int has_57014;
} recording;

static void rec_free(recording *r) {
  size_t i;
  for (i = 0; i < r->n; i++)
    free(r->msgs[i].payload);
  free(r->msgs);
  free(r->chunks);
  free(r->server_version);
  memset(r, 0, sizeof *r);
}

/* Decode recorded message i again (its views point into the recording). */
static int rec_decode(const recording *r, size_t i, pgw_message *m) {
  const rmsg *x = &r->msgs[i];
  int rc =
      pgw_message_decode(x->kind, x->payload, x->plen, x->protocol, m, NULL);
  m->offset = x->offset;
  m->wire_len = x->wire_len;
  return rc;
}

static int is_57014(const pgw_message *m) {
  pgw_iter it;
  pgw_notice_field f;
  if (m->kind != PGW_MSG_ERROR_RESPONSE) return 0;
  it = pgw_notice_field_iter(&m->body.error.fields);
  while (pgw_notice_field_next(&it, &f) == 1)
    if (f.code == 'C' && f.value.len == 5 &&
        memcmp(f.value.ptr, "57014", 5) == 0)
      return 1;
  return 0;
}

static int rec_push(recording *r, pgw_dir dir, const pgw_message *m,
                    size_t line, pgw_phase phase, uint32_t protocol) {
  rmsg *x;
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 64;
    rmsg *n = realloc(r->msgs, cap * sizeof *n);
    if (!n) return -1;
    r->msgs = n;
    r->cap = cap;
  }
  x = &r->msgs[r->n];
  memset(x, 0, sizeof *x);
  x->dir = dir;
  x->kind = m->kind;
  x->type = m->type;
  x->plen = m->payload.len;
  x->payload = malloc(x->plen ? x->plen : 1);
  if (!x->payload) return -1;
  if (x->plen) memcpy(x->payload, m->payload.ptr, x->plen);
  x->offset = m->offset;
  x->wire_len = m->wire_len;
  x->line = line;
  x->phase = phase;
  x->protocol = protocol;
  r->n++;
  return 0;
}

/* What the replay needs to know about the recording beforehand. */
static void rec_scan(recording *r) {
  size_t i, nf = 0, nb = 0;
  for (i = 0; i < r->n; i++) {
    pgw_message m;
    if (rec_decode(r, i, &m) != 0) continue;
    if (r->msgs[i].dir == PGW_FRONTEND)
      nf++;
    else
      nb++;
    switch (m.kind) {
    case PGW_MSG_STARTUP_MESSAGE: {
      pgw_iter it = pgw_param_iter(&m.body.startup.params);
      pgw_param p;
      while (pgw_param_next(&it, &p) == 1)
        if (p.name.len == 4 && memcmp(p.name.ptr, "user", 4) == 0)
          r->user = p.value;
      break;
    }
    case PGW_MSG_BACKEND_KEY_DATA:
      r->has_key = 1;
      r->key_pid = m.body.backend_key.pid;
      r->key_len = m.body.backend_key.key.len;
      memcpy(r->key, m.body.backend_key.key.ptr, r->key_len);
      break;
    case PGW_MSG_AUTHENTICATION:
      if (m.body.auth.code == PGW_AUTH_SASL_CONTINUE) r->uses_scram = 1;
      if (m.body.auth.code == PGW_AUTH_MD5_PASSWORD) r->uses_md5 = 1;
      break;
    case PGW_MSG_PARAMETER_STATUS: {
      const pgw_parameter_status *ps = &m.body.parameter_status;
      if (!r->server_version && ps->name.len == 14 &&
          memcmp(ps->name.ptr, "server_version", 14) == 0) {
        r->server_version = malloc(ps->value.len + 1);
        if (r->server_version) {
          memcpy(r->server_version, ps->value.ptr, ps->value.len);
          r->server_version[ps->value.len] = '\0';
        }
      }
      break;
    }
    case PGW_MSG_ERROR_RESPONSE:
      if (is_57014(&m)) r->has_57014 = 1;
      break;
    default: break;
    }
  }
  r->cancel_only = nf == 1 && nb == 0 && r->n == 1 &&
                   r->msgs[0].kind == PGW_MSG_CANCEL_REQUEST;
}

/* Read FILE and decode it as `pgw dump` does (a frontend-role and a
 * backend-role pgw_conn in wire order, strict). */
static int rec_load(recording *r, const char *path) {
  pgs_session s;
  pgw_conn conn[2];
  pgw_conn_options co;
  pgw_buf enc;
  char err[512];
  size_t i;
  int status = 0;
  const char *server;
  memset(r, 0, sizeof *r);
  r->path = path;
  if (pgs_read_file(path, &s, err, sizeof err) != 0) {
    fprintf(stderr, "pgw replay: %s\n", err);
    return -1;
  }
  memset(&co, 0, sizeof co);
  co.role = PGW_FRONTEND;
  pgw_conn_init(&conn[PGW_FRONTEND], &co);
  co.role = PGW_BACKEND;
  pgw_conn_init(&conn[PGW_BACKEND], &co);
  pgw_buf_init(&enc, NULL);
  r->chunks = calloc(s.count ? s.count : 1, sizeof *r->chunks);
  if (!r->chunks) status = -1;
  for (i = 0; status == 0 && i < s.count; i++) {
    const pgs_item *it = &s.items[i];
    pgw_conn *rx;
    pgw_message m;
    rchunk *c;
    int rc;
    if (it->kind == PGS_META) {
      if (strcmp(it->key, "tls") == 0) {
        fprintf(stderr,
                "pgw replay: %s:%zu: the session switched to TLS; pgw "
                "replay plays unencrypted sessions only\n",
                path, it->line);
        status = -1;
      }
      continue;
    }
    rx = &conn[!it->dir];
    c = &r->chunks[r->nchunks++];
    c->dir = it->dir;
    c->line = it->line;
    c->first = r->n;
    rc = pgw_conn_receive(rx, it->data, it->len);
    while (rc == PGW_OK && (rc = pgw_conn_next(rx, &m)) == PGW_OK) {
      pgw_buf_clear(&enc);
      rc = pgw_conn_send(&conn[it->dir], &m, &enc);
      if (rc != PGW_OK) break;
      if (pgw_conn_phase(rx) == PGW_PHASE_TLS_HANDSHAKE) {
        fprintf(stderr,
                "pgw replay: %s:%zu: the server accepted TLS; pgw replay "
                "plays unencrypted sessions only\n",
                path, it->line);
        status = -1;
        break;
      }
      if (rec_push(r, it->dir, &m, it->line,
                   pgw_conn_phase(&conn[PGW_FRONTEND]),
                   pgw_state_protocol(pgw_conn_state(rx))) != 0) {
        status = -1;
        break;
      }
    }
    c->end = r->n;
    if (status == 0 && rc != PGW_NEED_MORE) {
      const pgw_error *e = rc == PGW_ERR_UNEXPECTED_MESSAGE ||
                                   rc == PGW_ERR_CONNECTION_CLOSED ||
                                   pgw_conn_error(rx)->code == 0
                               ? pgw_conn_error(&conn[it->dir])
                               : pgw_conn_error(rx);
      if (pgw_conn_error(rx)->code) e = pgw_conn_error(rx);
      fprintf(stderr,
              "pgw replay: %s:%zu: the recording does not decode (%s at "
              "%s stream offset %zu: %s); see pgw dump\n",
              path, it->line, pgw_strerror(rc),
              it->dir == PGW_FRONTEND ? "frontend" : "backend", e->offset,
              e->reason ? e->reason : "?");
      status = -1;
    }
  }
  if (status == 0 && (pgw_conn_finish(&conn[0]) || pgw_conn_finish(&conn[1]))) {
    fprintf(stderr, "pgw replay: %s: the recording ends inside a message\n",
            path);
    status = -1;
  }
  server = pgs_meta(&s, "server");
  if (status == 0 && server && strncmp(server, "PostgreSQL ", 11) == 0) {
    r->server_version = malloc(strlen(server) - 11 + 1);
    if (r->server_version) strcpy(r->server_version, server + 11);
  }
  pgw_buf_free(&enc);
  pgw_conn_free(&conn[0]);
  pgw_conn_free(&conn[1]);
  pgs_free(&s);
  if (status == 0) rec_scan(r);
  if (status != 0) rec_free(r);
  return status;
}

/* ---- sockets ------------------------------------------------------------- */

static int connect_to(const char *addr) {
  struct sockaddr_in sa;
  int fd;
  if (cli_parse_addr(addr, &sa) != 0) {
    fprintf(stderr, "pgw replay: bad address '%s' (IPv4 HOST:PORT)\n", addr);
    return -1;
  }
  fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    fprintf(stderr, "pgw replay: connect to %s: %s\n", addr, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

static int write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Wait until fd is readable: 1, 0 on timeout, -1 on error. */
static int wait_readable(int fd, int timeout_ms) {
  struct pollfd p;
  int rc;
  p.fd = fd;
  p.events = POLLIN;
  p.revents = 0;
  do
    rc = poll(&p, 1, timeout_ms);
  while (rc < 0 && errno == EINTR);
  return rc;
}

/* ---- the live peer ---------------------------------------------------------
 */

typedef struct live {
  int fd;
  pgw_conn conn;
  uint8_t buf[65536];
  int eof;
} live;

static int live_open(live *l, int fd, pgw_dir role) {
  pgw_conn_options co;
  memset(&co, 0, sizeof co);
  co.role = role;
  l->fd = fd;
  l->eof = 0;
  return pgw_conn_init(&l->conn, &co);
}

static void live_close(live *l) {
  if (l->fd >= 0) close(l->fd);
  l->fd = -1;
  pgw_conn_free(&l->conn);
}

/* Next message from the peer: PGW_OK (views valid until the next call),
 * R_EOF, R_TIMEOUT, R_EXTRA (extra_fd became readable first), R_IOERR, or
 * the connection's error (PGW_ERR_*, PGW_DIRECT_SSL). */
static int live_next(live *l, pgw_message *m, int timeout_ms, int extra_fd) {
  for (;;) {
    struct pollfd p[2];
    ssize_t n;
    int rc = pgw_conn_next(&l->conn, m);
    if (rc != PGW_NEED_MORE) return rc;
    if (l->eof)
      return pgw_conn_finish(&l->conn) ? PGW_ERR_END_OF_STREAM : R_EOF;
    p[0].fd = l->fd;
    p[0].events = POLLIN;
    p[0].revents = 0;
    p[1].fd = extra_fd;
    p[1].events = POLLIN;
    p[1].revents = 0;
    rc = poll(p, extra_fd >= 0 ? 2 : 1, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return R_IOERR;
    if (rc == 0) return R_TIMEOUT;
    if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) return R_EXTRA;
    n = read(l->fd, l->buf, sizeof l->buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != ECONNRESET) return R_IOERR;
    if (n <= 0) {
      l->eof = 1;
      continue;
    }
    pgw_conn_receive(&l->conn, l->buf, (size_t)n);
  }
}

/* ---- the replayer ----------------------------------------------------------
 */

typedef struct replayer {
  const cli_replay_opts *o;
  const char *password;
  recording rec;    /* the main session */
  recording cancel; /* paired cancel session, if has_cancel */
  int has_cancel, cancel_done;
  const char *name; /* the file the result line names */
  int timeout_ms;
  live lv;
  cli_norm nrec, nlive;
  pgw_buf na, nb, out;
  size_t ok;      /* messages matched or sent */
  long last_sent; /* index of the last message pgw sent, -1 none */
  int send_failed;
  /* live authentication state */
  int32_t live_auth;
  uint8_t live_salt[4];
  char *client_first; /* SCRAM client-first-message (the live one or the
                         replayed one) */
  size_t client_first_len;
  char *server_first; /* SCRAM server-first-message (live or built) */
  size_t server_first_len;
  char snonce[128]; /* --to-client: the recorded server nonce part */
  uint8_t server_sig[CLI_SCRAM_KEY_LEN];
  int have_sig;
  /* live BackendKeyData */
  int live_key_seen;
  int32_t live_pid;
  uint8_t live_key[PGW_CANCEL_KEY_MAX];
  size_t live_key_len;
  /* large objects: recorded OID -> live OID */
  uint32_t lo_rec[MAX_LO], lo_live[MAX_LO];
  size_t nlo;
  int listen_fd;
  int seen_copy_both; /* live: a CopyBothResponse came (replication) */
  size_t keepalives_skipped;
  int encoding_differs; /* a message pgw re-encoded differs from the
                           recording: reported, and the replay fails */
} replayer;

static const char *dir_name(pgw_dir d) {
  return d == PGW_FRONTEND ? "frontend" : "backend";
}

static void render_line(const char *label, pgw_dir dir, pgw_phase phase,
                        const pgw_message *m) {
  cli_msg msg;
  msg.dir = dir;
  msg.phase = pgw_phase_name(phase);
  msg.m = m;
  fprintf(stderr, "  %-9s ", label);
  cli_render_text(stderr, &msg);
}

/* Report a mismatch at recorded message i: `actual` is the live message
 * (NULL when there is none, then `why` says what happened instead). */
static int mismatch(replayer *r, const recording *rec, size_t i,
                    const pgw_message *actual, pgw_phase live_phase,
                    const char *why) {
  const rmsg *x = &rec->msgs[i];
  pgw_message m;
  fflush(stdout);
  fprintf(stderr,
          "pgw replay: %s: message %zu of %zu differs (%s, stream offset "
          "%zu, phase %s, line %zu)%s%s\n",
          rec->path, i + 1, rec->n, dir_name(x->dir), x->offset,
          pgw_phase_name(x->phase), x->line, why ? ": " : "", why ? why : "");
  if (rec_decode(rec, i, &m) == 0)
    render_line("expected:", x->dir, x->phase, &m);
  if (actual) {
    fprintf(stderr, "  (live stream offset %zu)\n", actual->offset);
    render_line("actual:", x->dir, live_phase, actual);
  } else {
    fprintf(stderr, "  %-9s (none)\n", "actual:");
  }
  if (r->last_sent >= 0 && (size_t)r->last_sent < r->rec.n &&
      rec_decode(&r->rec, (size_t)r->last_sent, &m) == 0) {
    /* what pgw encoded last: a bad encoding shows up in the answer to it */
    fprintf(stderr,
            "  the last message pgw sent was message %ld (recorded "
            "form; MD5/SCRAM/cancel fields recomputed live):\n",
            r->last_sent + 1);
    render_line("sent:", r->rec.msgs[r->last_sent].dir,
                r->rec.msgs[r->last_sent].phase, &m);
  }
  return -1;
}

/* An error that is not a mismatch of one message. */
static int fail(replayer *r, const char *fmt, const char *detail) {
  fflush(stdout);
  fprintf(stderr, "pgw replay: %s: ", r->rec.path);
  fprintf(stderr, fmt, detail);
  fputc('\n', stderr);
  return -1;
}

static char *dup_bytes(const void *p, size_t n) {
  char *c = malloc(n + 1);
  if (!c) return NULL;
  memcpy(c, p, n);
  c[n] = '\0';
  return c;
}

/* Describe a live_next() failure. */
static const char *live_why(replayer *r, int rc, char *buf, size_t n) {
  switch (rc) {
  case R_EOF: return "the peer closed the connection";
  case R_TIMEOUT:
    snprintf(buf, n, "nothing arrived within %d ms", r->timeout_ms);
    return buf;
  case R_IOERR: return "read error";
  case R_EXTRA: return "another connection arrived instead";
  case PGW_DIRECT_SSL: return "the client opened with TLS (direct SSL)";
  default: {
    const pgw_error *e = pgw_conn_error(&r->lv.conn);
    snprintf(buf, n, "%s at live stream offset %zu: %s", pgw_strerror(rc),
             e->offset, e->reason ? e->reason : "?");
    return buf;
  }
  }
}

/* Compare recorded message i of rec with the live message m (both
 * normalised with their conversation's context). Both normalisers see
 * both messages, so call it for every message received. */
static int compare(replayer *r, const recording *rec, size_t i,
                   const pgw_message *m, pgw_phase live_phase) {
  const rmsg *x = &rec->msgs[i];
  pgw_message rm;
  int rc;
  if (rec_decode(rec, i, &rm) != 0)
    return fail(r, "recorded message %s does not decode", "");
  pgw_buf_clear(&r->na);
  pgw_buf_clear(&r->nb);
  rc = cli_norm_message(&r->nrec, x->dir, &rm, x->phase, &r->na);
  if (rc == 0) rc = cli_norm_message(&r->nlive, x->dir, m, live_phase, &r->nb);
  if (rc != 0) return fail(r, "cannot normalise: %s", pgw_strerror(rc));
  if (rm.kind != m->kind || r->na.len != r->nb.len ||
      memcmp(r->na.data, r->nb.data, r->na.len) != 0)
    return mismatch(r, rec, i, m, live_phase, NULL);
  return 0;
}

/* Note what the recorded and live versions of the message mean for the
 * normalisers before comparing (the server version decides two rules). */
static void before_compare(replayer *r, const pgw_message *m) {
  if (m->kind == PGW_MSG_PARAMETER_STATUS) {
    const pgw_parameter_status *ps = &m->body.parameter_status;
    if (ps->name.len == 14 && memcmp(ps->name.ptr, "server_version", 14) == 0) {
      const char *v = r->rec.server_version;
      int same = v && strlen(v) == ps->value.len &&
                 memcmp(v, ps->value.ptr, ps->value.len) == 0;
      r->nrec.same_server = r->nlive.same_server = same;
    }
  }
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/* pgw's encoding (enc, n bytes) of recorded message i, sent unchanged,
 * must be the recorded bytes: otherwise report it (once per message), go
 * on to see what the peer makes of it, and fail in the end. */
static void check_encoding(replayer *r, size_t i, const uint8_t *enc,
                           size_t n) {
  const rmsg *x = &r->rec.msgs[i];
  uint8_t head[5];
  size_t h = 0, k, total;
  pgw_message m;
  if (x->kind == PGW_MSG_SSL_RESPONSE || x->kind == PGW_MSG_GSSENC_RESPONSE) {
    h = 0;
  } else {
    uint32_t len = (uint32_t)(x->plen + 4);
    if (x->type) head[h++] = x->type;
    head[h++] = (uint8_t)(len >> 24);
    head[h++] = (uint8_t)(len >> 16);
    head[h++] = (uint8_t)(len >> 8);
    head[h++] = (uint8_t)len;
  }
  total = h + x->plen;
  for (k = 0; k < n && k < total; k++)
    if (enc[k] != (k < h ? head[k] : x->payload[k - h])) break;
  if (k == n && n == total) return;
  r->encoding_differs = 1;
  fflush(stdout);
  fprintf(stderr,
          "pgw replay: %s: message %zu of %zu: pgw's encoding differs from "
          "the recording (%s, stream offset %zu, phase %s, line %zu): ",
          r->rec.path, i + 1, r->rec.n, dir_name(x->dir), x->offset,
          pgw_phase_name(x->phase), x->line);
  if (k < n && k < total)
    fprintf(stderr, "byte %zu is 0x%02x recorded, 0x%02x encoded", k,
            k < h ? head[k] : x->payload[k - h], enc[k]);
  else
    fprintf(stderr, "%zu bytes recorded, %zu encoded", total, n);
  fputc('\n', stderr);
  if (rec_decode(&r->rec, i, &m) == 0)
    render_line("recorded:", x->dir, x->phase, &m);
}

/* ---- --to-server ------------------------------------------------------------
 */

static int run_cancel_to_server(replayer *r) {
  live cl;
  pgw_message m, cm;
  pgw_buf out;
  int fd, rc;
  char why[300];
  r->cancel_done = 1;
  if (!r->live_key_seen)
    return fail(r, "cannot send the cancel request%s: no live BackendKeyData",
                "");
  fd = connect_to(r->o->to_server);
  if (fd < 0) return -1;
  if (live_open(&cl, fd, PGW_FRONTEND) != 0) {
    close(fd);
    return fail(r, "cannot initialise a connection%s", "");
  }
  rec_decode(&r->cancel, 0, &m);
  cm = m;
  cm.body.cancel.pid = r->live_pid;
  cm.body.cancel.key.ptr = r->live_key;
  cm.body.cancel.key.len = r->live_key_len;
  pgw_buf_init(&out, NULL);
  rc = pgw_conn_send(&cl.conn, &cm, &out);
  if (rc == 0) rc = write_all(fd, out.data, out.len);
  pgw_buf_free(&out);
  if (rc != 0) {
    live_close(&cl);
    return fail(r, "cannot send the cancel request: %s", pgw_strerror(rc));
  }
  {
    /* compare the cancel file's one message with what was sent */
    cli_norm a, b;
    pgw_buf x, y;
    int same;
    cli_norm_init(&a);
    cli_norm_init(&b);
    pgw_buf_init(&x, NULL);
    pgw_buf_init(&y, NULL);
    cli_norm_message(&a, PGW_FRONTEND, &m, PGW_PHASE_CANCEL, &x);
    cli_norm_message(&b, PGW_FRONTEND, &cm, PGW_PHASE_CANCEL, &y);
    same = x.len == y.len && memcmp(x.data, y.data, x.len) == 0;
    pgw_buf_free(&x);
    pgw_buf_free(&y);
    cli_norm_free(&a);
    cli_norm_free(&b);
    if (!same) {
      live_close(&cl);
      return mismatch(r, &r->cancel, 0, &cm, PGW_PHASE_CANCEL,
                      "the cancel request pgw built");
    }
  }
  /* The server answers a CancelRequest with nothing: it closes. */
  rc = live_next(&cl, &m, r->timeout_ms, -1);
  live_close(&cl);
  if (rc == PGW_OK) {
    fprintf(stderr,
            "pgw replay: %s: the server answered the CancelRequest "
            "with a message\n",
            r->cancel.path);
    return -1;
  }
  if (rc != R_EOF) {
    fprintf(stderr, "pgw replay: %s: after the CancelRequest: %s\n",
            r->cancel.path, live_why(r, rc, why, sizeof why));
    return -1;
  }
  return 0;
}

/* Does chunk c hold the recorded query_canceled error? */
static int chunk_has_57014(const recording *rec, const rchunk *c) {
  size_t i;
  for (i = c->first; i < c->end; i++) {
    pgw_message m;
    if (rec->msgs[i].kind == PGW_MSG_ERROR_RESPONSE &&
        rec_decode(rec, i, &m) == 0 && is_57014(&m))
      return 1;
  }
  return 0;
}

/* After a live backend message matched: what it tells the replay. */
static int after_backend(replayer *r, const pgw_message *m, size_t i) {
  switch (m->kind) {
  case PGW_MSG_AUTHENTICATION:
    r->live_auth = m->body.auth.code;
    if (m->body.auth.code == PGW_AUTH_MD5_PASSWORD)
      memcpy(r->live_salt, m->body.auth.salt, 4);
    if (m->body.auth.code == PGW_AUTH_SASL_CONTINUE) {
      free(r->server_first);
      r->server_first = dup_bytes(m->body.auth.data.ptr, m->body.auth.data.len);
      r->server_first_len = m->body.auth.data.len;
      if (!r->server_first) return fail(r, "out of memory%s", "");
    }
    if (m->body.auth.code == PGW_AUTH_SASL_FINAL) {
      pgw_str v, data;
      uint8_t sig[CLI_SCRAM_KEY_LEN + 3];
      data.ptr = (const char *)m->body.auth.data.ptr;
      data.len = m->body.auth.data.len;
      if (!r->have_sig || !cli_scram_attr(data, 'v', &v) ||
          cli_b64_decode(v.ptr, v.len, sig, sizeof sig) != CLI_SCRAM_KEY_LEN ||
          memcmp(sig, r->server_sig, CLI_SCRAM_KEY_LEN) != 0)
        return mismatch(r, &r->rec, i, m, pgw_conn_phase(&r->lv.conn),
                        "the server's ServerSignature does not verify");
    }
    break;
  case PGW_MSG_BACKEND_KEY_DATA:
    r->live_key_seen = 1;
    r->live_pid = m->body.backend_key.pid;
    r->live_key_len = m->body.backend_key.key.len;
    memcpy(r->live_key, m->body.backend_key.key.ptr, r->live_key_len);
    break;
  case PGW_MSG_FUNCTION_CALL_RESPONSE: {
    pgw_message rm;
    if (cli_norm_is_lo_create(r->nlive.fcall_oid) &&
        m->body.function_result.result.len == 4 && r->nlo < MAX_LO &&
        rec_decode(&r->rec, i, &rm) == 0 &&
        rm.body.function_result.result.len == 4) {
      r->lo_rec[r->nlo] = be32(rm.body.function_result.result.ptr);
      r->lo_live[r->nlo++] = be32(m->body.function_result.result.ptr);
    }
    break;
  }
  default: break;
  }
  return 0;
}

/* A walsender keepalive: CopyData 'k' + WAL end (8) + time (8) + reply
 * flag (1), on a connection that entered COPY BOTH. */
static int is_keepalive(const replayer *r, const pgw_message *m) {
  return r->seen_copy_both && m->kind == PGW_MSG_COPY_DATA &&
         m->body.copy_data.data.len == 18 &&
         m->body.copy_data.data.ptr[0] == 'k';
}

/* Wait for recorded backend message i from the server and compare. A
 * walsender sends keepalives on its own clock (even after both
 * CopyDones): a live keepalive where the recording has none is skipped
 * and counted, never compared. */
static int expect_backend(replayer *r, size_t i, int cancel_here) {
  pgw_message m, rm;
  char why[300];
  int rc;
  for (;;) {
    int wait = r->timeout_ms;
    if (cancel_here && !r->cancel_done && r->live_key_seen)
      wait = CANCEL_QUIET_MS;
    rc = live_next(&r->lv, &m, wait, -1);
    if (rc == R_TIMEOUT && wait != r->timeout_ms) {
      if (run_cancel_to_server(r) != 0) return -1;
      continue;
    }
    if (rc == PGW_OK && m.kind == PGW_MSG_COPY_BOTH_RESPONSE)
      r->seen_copy_both = 1;
    if (rc == PGW_OK && is_keepalive(r, &m) &&
        (rec_decode(&r->rec, i, &rm) != 0 || !is_keepalive(r, &rm))) {
      r->keepalives_skipped++;
      continue;
    }
    break;
  }
  if (rc != PGW_OK)
    return mismatch(r, &r->rec, i, NULL, pgw_conn_phase(&r->lv.conn),
                    live_why(r, rc, why, sizeof why));
  before_compare(r, &m);
  if (compare(r, &r->rec, i, &m, pgw_conn_phase(&r->lv.conn)) != 0) return -1;
  if (after_backend(r, &m, i) != 0) return -1;
  r->ok++;
  return 0;
}

/* The SCRAM client-final message for the live server-first. */
static int scram_client_final(replayer *r, const pgw_message *rm,
                              pgw_buf *text) {
  pgw_str sf, cf, bare, nonce, salt64, iter, c, cfirst_nonce;
  uint8_t salt[256], proof[CLI_SCRAM_KEY_LEN];
  char proof64[64], num[16];
  cli_scram_keys k;
  pgw_buf auth;
  int salt_len, iterations, rc = -1;
  size_t head;
  if (!r->password)
    return fail(r, "SCRAM needs --password (or PGPASSWORD)%s", "");
  if (!r->server_first || !r->client_first)
    return fail(r, "SCRAM: no server-first or client-first message%s", "");
  sf.ptr = r->server_first;
  sf.len = r->server_first_len;
  cf.ptr = r->client_first;
  cf.len = r->client_first_len;
  if (cli_scram_bare(cf, &bare) != 0 ||
      !cli_scram_attr(bare, 'r', &cfirst_nonce) ||
      !cli_scram_attr(sf, 'r', &nonce) || !cli_scram_attr(sf, 's', &salt64) ||
      !cli_scram_attr(sf, 'i', &iter) || iter.len == 0 ||
      iter.len >= sizeof num)
    return fail(r, "SCRAM: malformed server-first or client-first message%s",
                "");
  cf.ptr = (const char *)rm->body.sasl_response.data.ptr;
  cf.len = rm->body.sasl_response.data.len;
  if (!cli_scram_attr(cf, 'c', &c))
    return fail(r, "SCRAM: the recorded client-final message has no c=%s", "");
  memcpy(num, iter.ptr, iter.len);
  num[iter.len] = '\0';
  iterations = atoi(num);
  salt_len = cli_b64_decode(salt64.ptr, salt64.len, salt, sizeof salt);
  if (salt_len < 0 || iterations < 1 ||
      cli_scram_keys_derive(r->password, salt, (size_t)salt_len, iterations,
                            &k))
    return fail(r,
                "SCRAM: bad salt or iteration count, or a password that "
                "is not printable ASCII%s",
                "");
  /* client-final-message-without-proof, then AuthMessage */
  pgw_buf_clear(text);
  if (pgw_buf_reserve(text, c.len + nonce.len + 200) != 0) return -1;
  text->len = (size_t)sprintf((char *)text->data, "c=%.*s,r=%.*s", (int)c.len,
                              c.ptr, (int)nonce.len, nonce.ptr);
  head = text->len;
  pgw_buf_init(&auth, NULL);
  if (pgw_buf_reserve(&auth, bare.len + sf.len + head + 2) == 0) {
    pgw_str a;
    memcpy(auth.data, bare.ptr, bare.len);
    auth.data[bare.len] = ',';
    memcpy(auth.data + bare.len + 1, sf.ptr, sf.len);
    auth.data[bare.len + 1 + sf.len] = ',';
    memcpy(auth.data + bare.len + 2 + sf.len, text->data, head);
    auth.len = bare.len + 2 + sf.len + head;
    a.ptr = (const char *)auth.data;
    a.len = auth.len;
    if (cli_scram_client_proof(&k, a, proof) == 0 &&
        cli_scram_server_signature(&k, a, r->server_sig) == 0 &&
        cli_b64_encode(proof, sizeof proof, proof64, sizeof proof64) > 0) {
      r->have_sig = 1;
      text->len += (size_t)sprintf((char *)text->data + head, ",p=%s", proof64);
      rc = 0;
    }
  }
  pgw_buf_free(&auth);
  if (rc) return fail(r, "SCRAM computation failed%s", "");
  return 0;
}

/* Build the live version of recorded frontend message i and send it
 * (appending to r->out). */
static int send_frontend(replayer *r, size_t i) {
  pgw_message rm, lm;
  char md5[36];
  pgw_buf scram;
  pgw_value *args = NULL;
  uint8_t *argbytes = NULL;
  size_t before;
  int rc, changed = 1;
  if (rec_decode(&r->rec, i, &rm) != 0)
    return fail(r, "recorded message does not decode%s", "");
  lm = rm;
  before = r->out.len;
  pgw_buf_init(&scram, NULL);
  switch (rm.kind) {
  case PGW_MSG_PASSWORD_MESSAGE:
    if (r->live_auth == PGW_AUTH_MD5_PASSWORD) {
      if (!r->password)
        return fail(r, "MD5 authentication needs --password (or PGPASSWORD)%s",
                    "");
      if (cli_md5_password(r->password, r->rec.user, r->live_salt, md5) != 0)
        return fail(r, "MD5 computation failed%s", "");
      lm.body.password.text = pgw_str_from_cstr(md5);
    } else if (r->password) {
      lm.body.password.text = pgw_str_from_cstr(r->password);
    } else {
      changed = 0;
    }
    break;
  case PGW_MSG_SASL_INITIAL_RESPONSE:
    free(r->client_first);
    r->client_first = NULL;
    if (rm.body.sasl_initial.data.len >= 0) {
      r->client_first = dup_bytes(rm.body.sasl_initial.data.ptr,
                                  (size_t)rm.body.sasl_initial.data.len);
      r->client_first_len = (size_t)rm.body.sasl_initial.data.len;
    }
    changed = 0; /* replayed verbatim: it holds the client nonce */
    break;
  case PGW_MSG_SASL_RESPONSE:
    if (scram_client_final(r, &rm, &scram) != 0) {
      pgw_buf_free(&scram);
      return -1;
    }
    lm.body.sasl_response.data.ptr = scram.data;
    lm.body.sasl_response.data.len = scram.len;
    break;
  case PGW_MSG_CANCEL_REQUEST:
    if (r->live_key_seen) {
      lm.body.cancel.pid = r->live_pid;
      lm.body.cancel.key.ptr = r->live_key;
      lm.body.cancel.key.len = r->live_key_len;
    }
    break;
  case PGW_MSG_FUNCTION_CALL: {
    /* large-object OIDs the recording got from lo_creat: the live ones */
    const pgw_value_list *l = &rm.body.function_call.args;
    pgw_iter it = pgw_value_iter(l);
    pgw_value v;
    size_t k = 0, j;
    int any = 0;
    changed = 0;
    if (r->nlo == 0 || l->count == 0) break;
    args = malloc(l->count * sizeof *args);
    argbytes = malloc(l->count * 4);
    if (!args || !argbytes) break;
    while (pgw_value_next(&it, &v) == 1 && k < l->count) {
      if (v.len == 4)
        for (j = 0; j < r->nlo; j++)
          if (be32(v.ptr) == r->lo_rec[j]) {
            uint32_t o = r->lo_live[j];
            argbytes[4 * k] = (uint8_t)(o >> 24);
            argbytes[4 * k + 1] = (uint8_t)(o >> 16);
            argbytes[4 * k + 2] = (uint8_t)(o >> 8);
            argbytes[4 * k + 3] = (uint8_t)o;
            v.ptr = argbytes + 4 * k;
            any = 1;
            break;
          }
      args[k++] = v;
    }
    if (any) {
      changed = 1;
      lm.body.function_call.args.items = args;
      lm.body.function_call.args.count = k;
      memset(&lm.body.function_call.args.raw, 0, sizeof(pgw_bytes));
    }
    break;
  }
  default: changed = 0; break;
  }
  rc = pgw_conn_send(&r->lv.conn, &lm, &r->out);
  if (rc == 0 && !changed)
    check_encoding(r, i, r->out.data + before, r->out.len - before);
  if (rc == 0) {
    /* both normalisers follow their conversation */
    cli_norm_message(&r->nrec, PGW_FRONTEND, &rm, r->rec.msgs[i].phase, NULL);
    cli_norm_message(&r->nlive, PGW_FRONTEND, &lm, pgw_conn_phase(&r->lv.conn),
                     NULL);
    r->last_sent = (long)i;
    r->ok++;
  }
  free(args);
  free(argbytes);
  pgw_buf_free(&scram);
  if (rc != 0) {
    char why[400];
    const pgw_error *e = pgw_conn_error(&r->lv.conn);
    snprintf(why, sizeof why, "pgw cannot send it now: %s: %s",
             pgw_strerror(rc), e->reason ? e->reason : "");
    return mismatch(r, &r->rec, i, &lm, pgw_conn_phase(&r->lv.conn), why);
  }
  return 0;
}

static int serve_cancel(replayer *r, int fd);

/* After the recording: the server must send nothing more (and close if
 * the session ended with Terminate, a cancel or a fatal error). */
static int expect_end(replayer *r, const recording *rec) {
  pgw_phase ph = pgw_conn_phase(&r->lv.conn);
  int closing = ph == PGW_PHASE_TERMINATED || ph == PGW_PHASE_FAILED ||
                ph == PGW_PHASE_CANCEL;
  pgw_message m;
  char why[300];
  int rc;
  for (;;) {
    rc = live_next(&r->lv, &m, closing ? r->timeout_ms : 200, r->listen_fd);
    if (rc != R_EXTRA) break;
    if (serve_cancel(r, accept(r->listen_fd, NULL, NULL)) != 0) return -1;
  }
  if (rc == R_EOF || (rc == R_TIMEOUT && !closing)) return 0;
  fflush(stdout);
  if (rc == PGW_OK) {
    fprintf(stderr,
            "pgw replay: %s: message %zu: the recording ends here but the "
            "%s sent more (phase %s)\n",
            rec->path, rec->n + 1,
            r->lv.conn.role == PGW_FRONTEND ? "server" : "client",
            pgw_phase_name(pgw_conn_phase(&r->lv.conn)));
    render_line(
        "actual:", r->lv.conn.role == PGW_FRONTEND ? PGW_BACKEND : PGW_FRONTEND,
        pgw_conn_phase(&r->lv.conn), &m);
    return -1;
  }
  fprintf(stderr, "pgw replay: %s: after the last message: %s\n", rec->path,
          live_why(r, rc, why, sizeof why));
  return -1;
}

static int to_server(replayer *r) {
  size_t c, i;
  int fd = connect_to(r->o->to_server);
  if (fd < 0) return -1;
  if (live_open(&r->lv, fd, PGW_FRONTEND) != 0) {
    close(fd);
    return fail(r, "cannot initialise the connection%s", "");
  }
  for (c = 0; c < r->rec.nchunks; c++) {
    const rchunk *ch = &r->rec.chunks[c];
    if (ch->dir == PGW_FRONTEND) {
      pgw_buf_clear(&r->out);
      for (i = ch->first; i < ch->end; i++)
        if (send_frontend(r, i) != 0) return -1;
      if (r->out.len && write_all(fd, r->out.data, r->out.len) != 0)
        r->send_failed = 1; /* the next expected message reports it */
    } else {
      int cancel_here = r->has_cancel && !r->cancel_done &&
                        (!r->rec.has_57014 || chunk_has_57014(&r->rec, ch));
      for (i = ch->first; i < ch->end; i++)
        if (expect_backend(r, i, cancel_here) != 0) return -1;
    }
  }
  if (expect_end(r, &r->rec) != 0) return -1;
  if (r->has_cancel && !r->cancel_done &&
      fail(r, "the paired cancel request (%s) was never due", r->cancel.path))
    return -1;
  return 0;
}

/* ---- --to-client ------------------------------------------------------------
 */

static int listen_on(const char *addr, char *shown, size_t n) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  int fd, one = 1;
  if (cli_parse_addr(addr, &sa) != 0) {
    fprintf(stderr, "pgw replay: bad address '%s' (IPv4 ADDR:PORT)\n", addr);
    return -1;
  }
  fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0 ||
      getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
    fprintf(stderr, "pgw replay: listen on %s: %s\n", addr, strerror(errno));
    close(fd);
    return -1;
  }
  {
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
    snprintf(shown, n, "%s:%u", ip, (unsigned)ntohs(sa.sin_port));
  }
  return fd;
}

static int accept_one(replayer *r, int timeout_ms) {
  int rc = wait_readable(r->listen_fd, timeout_ms), fd;
  if (rc <= 0) return -1;
  fd = accept(r->listen_fd, NULL, NULL);
  return fd;
}

/* The next recorded backend message after i, or -1. */
static long next_backend(const recording *rec, size_t i) {
  for (i = i + 1; i < rec->n; i++)
    if (rec->msgs[i].dir == PGW_BACKEND) return (long)i;
  return -1;
}

/* Did the recorded server accept the password sent as message i? */
static int recorded_accepts(const recording *rec, size_t i) {
  long b = next_backend(rec, i);
  pgw_message m;
  if (b < 0 || rec_decode(rec, (size_t)b, &m) != 0) return 0;
  return m.kind == PGW_MSG_AUTHENTICATION &&
         (m.body.auth.code == PGW_AUTH_OK ||
          m.body.auth.code == PGW_AUTH_SASL_FINAL);
}

/* --to-client: the authentication checks on a client message that
 * matched its recorded message i. */
static int check_client_auth(replayer *r, size_t i, const pgw_message *m) {
  pgw_phase ph = pgw_conn_phase(&r->lv.conn);
  pgw_message rm;
  if (rec_decode(&r->rec, i, &rm) != 0) return 0;
  switch (m->kind) {
  case PGW_MSG_PASSWORD_MESSAGE:
    if (r->nrec.auth_code != PGW_AUTH_MD5_PASSWORD) break;
    if (!r->password) {
      /* the recorded salt was sent: the same password gives the same hash */
      if (m->body.password.text.len != rm.body.password.text.len ||
          memcmp(m->body.password.text.ptr, rm.body.password.text.ptr,
                 rm.body.password.text.len) != 0)
        return mismatch(r, &r->rec, i, m, ph,
                        "the MD5 hash is not the recorded one (another "
                        "password?)");
    } else {
      char md5[36];
      pgw_message a;
      long b = (long)i - 1;
      int good;
      while (b >= 0 && r->rec.msgs[b].kind != PGW_MSG_AUTHENTICATION)
        b--;
      if (b < 0 || rec_decode(&r->rec, (size_t)b, &a) != 0 ||
          cli_md5_password(r->password, r->rec.user, a.body.auth.salt, md5))
        return fail(r, "MD5 computation failed%s", "");
      good = m->body.password.text.len == 35 &&
             memcmp(m->body.password.text.ptr, md5, 35) == 0;
      if (good != recorded_accepts(&r->rec, i))
        return mismatch(
            r, &r->rec, i, m, ph,
            good ? "the client's MD5 hash matches --password but "
                   "the recorded server rejected it"
                 : "the client's MD5 hash does not match --password");
    }
    break;
  case PGW_MSG_SASL_INITIAL_RESPONSE:
    free(r->client_first);
    r->client_first = NULL;
    if (m->body.sasl_initial.data.len >= 0) {
      r->client_first = dup_bytes(m->body.sasl_initial.data.ptr,
                                  (size_t)m->body.sasl_initial.data.len);
      r->client_first_len = (size_t)m->body.sasl_initial.data.len;
    }
    break;
  case PGW_MSG_SASL_RESPONSE: {
    pgw_str cf, sf, bare, nonce, snonce, proof64, salt64, iter, head;
    uint8_t salt[256], proof[CLI_SCRAM_KEY_LEN + 3];
    char num[16];
    cli_scram_keys k;
    pgw_buf auth;
    int salt_len, good = -1, plen;
    const char *p;
    cf.ptr = (const char *)m->body.sasl_response.data.ptr;
    cf.len = m->body.sasl_response.data.len;
    if (!r->password)
      return fail(r, "SCRAM needs --password (or PGPASSWORD)%s", "");
    sf.ptr = r->server_first;
    sf.len = r->server_first_len;
    if (!r->client_first || !r->server_first ||
        cli_scram_bare((pgw_str){r->client_first, r->client_first_len},
                       &bare) ||
        !cli_scram_attr(cf, 'r', &nonce) || !cli_scram_attr(sf, 'r', &snonce) ||
        !cli_scram_attr(cf, 'p', &proof64) ||
        !cli_scram_attr(sf, 's', &salt64) || !cli_scram_attr(sf, 'i', &iter) ||
        iter.len >= sizeof num)
      return mismatch(r, &r->rec, i, m, ph,
                      "malformed SCRAM client-final message");
    if (nonce.len != snonce.len ||
        memcmp(nonce.ptr, snonce.ptr, nonce.len) != 0)
      return mismatch(r, &r->rec, i, m, ph,
                      "the client-final nonce is not the server-first nonce");
    memcpy(num, iter.ptr, iter.len);
    num[iter.len] = '\0';
    salt_len = cli_b64_decode(salt64.ptr, salt64.len, salt, sizeof salt);
    plen = cli_b64_decode(proof64.ptr, proof64.len, proof, sizeof proof);
    if (salt_len < 0 || cli_scram_keys_derive(r->password, salt,
                                              (size_t)salt_len, atoi(num), &k))
      return fail(r,
                  "SCRAM: bad recorded salt or iteration count, or a "
                  "password that is not printable ASCII%s",
                  "");
    /* client-final-message-without-proof: up to ",p=" */
    p = proof64.ptr - 3;
    head.ptr = cf.ptr;
    head.len = (size_t)(p - cf.ptr);
    pgw_buf_init(&auth, NULL);
    if (pgw_buf_reserve(&auth, bare.len + sf.len + head.len + 2) == 0) {
      pgw_str a;
      memcpy(auth.data, bare.ptr, bare.len);
      auth.data[bare.len] = ',';
      memcpy(auth.data + bare.len + 1, sf.ptr, sf.len);
      auth.data[bare.len + 1 + sf.len] = ',';
      memcpy(auth.data + bare.len + 2 + sf.len, head.ptr, head.len);
      auth.len = bare.len + 2 + sf.len + head.len;
      a.ptr = (const char *)auth.data;
      a.len = auth.len;
      good = plen < 0 ? 0 : cli_scram_verify_proof(&k, a, proof, (size_t)plen);
      if (cli_scram_server_signature(&k, a, r->server_sig) == 0)
        r->have_sig = 1;
    }
    pgw_buf_free(&auth);
    if (good < 0) return fail(r, "SCRAM computation failed%s", "");
    if (good != recorded_accepts(&r->rec, i))
      return mismatch(
          r, &r->rec, i, m, ph,
          good ? "the client's SCRAM proof matches --password but "
                 "the recorded server rejected it"
               : "the client's SCRAM proof does not match --password");
    break;
  }
  case PGW_MSG_CANCEL_REQUEST: break;
  default: break;
  }
  return 0;
}

/* --to-client: the paired cancel session arrives on its own connection. */
static int serve_cancel(replayer *r, int fd) {
  live cl;
  pgw_message m;
  char why[300];
  int rc;
  const char *path = r->has_cancel ? r->cancel.path : r->rec.path;
  int repeat = r->cancel_done;
  r->cancel_done = 1;
  if (fd < 0) return fail(r, "accept: %s", strerror(errno));
  if (live_open(&cl, fd, PGW_BACKEND) != 0) {
    close(fd);
    return fail(r, "cannot initialise a connection%s", "");
  }
  rc = live_next(&cl, &m, r->timeout_ms, -1);
  if (rc != PGW_OK) {
    live_close(&cl);
    fprintf(stderr, "pgw replay: %s: the cancel connection: %s\n", path,
            live_why(r, rc, why, sizeof why));
    return -1;
  }
  {
    pgw_message rm;
    int same;
    if (!r->has_cancel) {
      rc = fail(r,
                "another connection arrived, and no cancel session "
                "(FILE-N.pgs) is paired with this one%s",
                "");
      render_line("actual:", PGW_FRONTEND, pgw_conn_phase(&cl.conn), &m);
      live_close(&cl);
      return rc;
    }
    if (repeat && m.kind == PGW_MSG_CANCEL_REQUEST) {
      /* a client may cancel twice (two signals); the server ignores the
       * second, and so does the replay */
      fprintf(stderr,
              "pgw replay: %s: note: a second CancelRequest, "
              "ignored\n",
              path);
      live_close(&cl);
      return 0;
    }
    rec_decode(&r->cancel, 0, &rm);
    /* pgw sent the recorded BackendKeyData: the key must be exactly it */
    same = m.kind == PGW_MSG_CANCEL_REQUEST &&
           m.payload.len == rm.payload.len &&
           memcmp(m.payload.ptr, rm.payload.ptr, rm.payload.len) == 0;
    if (!same) {
      rc = mismatch(r, &r->cancel, 0, &m, pgw_conn_phase(&cl.conn),
                    "not the recorded CancelRequest");
      live_close(&cl);
      return rc;
    }
  }
  live_close(&cl);
  return 0;
}

/* Wait for client message i and compare. */
static int expect_frontend(replayer *r, size_t i) {
  pgw_message m;
  char why[300];
  int rc;
  for (;;) {
    rc = live_next(&r->lv, &m, r->timeout_ms, r->listen_fd);
    if (rc == R_EXTRA) {
      if (serve_cancel(r, accept(r->listen_fd, NULL, NULL)) != 0) return -1;
      continue;
    }
    break;
  }
  if (rc != PGW_OK)
    return mismatch(r, &r->rec, i, NULL, pgw_conn_phase(&r->lv.conn),
                    live_why(r, rc, why, sizeof why));
  if (compare(r, &r->rec, i, &m, pgw_conn_phase(&r->lv.conn)) != 0) return -1;
  if (check_client_auth(r, i, &m) != 0) return -1;
  r->ok++;
  return 0;
}

/* Build the live version of recorded backend message i and send it. */
static int send_backend(replayer *r, size_t i) {
  pgw_message rm, lm;
  pgw_buf text;
  size_t before = r->out.len;
  int rc, changed = 1;
  if (rec_decode(&r->rec, i, &rm) != 0)
    return fail(r, "recorded message does not decode%s", "");
  lm = rm;
  pgw_buf_init(&text, NULL);
  if (rm.kind == PGW_MSG_AUTHENTICATION &&
      rm.body.auth.code == PGW_AUTH_SASL_CONTINUE) {
    /* server-first: the live client nonce + the recorded server nonce */
    pgw_str data, rnonce, cnonce, bare, rec_cnonce;
    pgw_message rcf;
    long j = (long)i - 1;
    data.ptr = (const char *)rm.body.auth.data.ptr;
    data.len = rm.body.auth.data.len;
    while (j >= 0 && r->rec.msgs[j].kind != PGW_MSG_SASL_INITIAL_RESPONSE)
      j--;
    if (j < 0 || rec_decode(&r->rec, (size_t)j, &rcf) != 0 ||
        rcf.body.sasl_initial.data.len < 0 ||
        cli_scram_bare((pgw_str){(const char *)rcf.body.sasl_initial.data.ptr,
                                 (size_t)rcf.body.sasl_initial.data.len},
                       &bare) ||
        !cli_scram_attr(bare, 'r', &rec_cnonce) ||
        !cli_scram_attr(data, 'r', &rnonce) || rnonce.len < rec_cnonce.len ||
        !r->client_first ||
        cli_scram_bare((pgw_str){r->client_first, r->client_first_len},
                       &bare) ||
        !cli_scram_attr(bare, 'r', &cnonce))
      return fail(r, "SCRAM: cannot build the server-first message%s", "");
    if (pgw_buf_reserve(&text, data.len + cnonce.len + 1) != 0) return -1;
    /* everything before r=, r=live+server part, everything after */
    {
      size_t pre = (size_t)(rnonce.ptr - data.ptr);
      size_t post = data.len - pre - rnonce.len;
      size_t sn = rnonce.len - rec_cnonce.len;
      memcpy(text.data, data.ptr, pre);
      memcpy(text.data + pre, cnonce.ptr, cnonce.len);
      memcpy(text.data + pre + cnonce.len, rnonce.ptr + rec_cnonce.len, sn);
      memcpy(text.data + pre + cnonce.len + sn, rnonce.ptr + rnonce.len, post);
      text.len = pre + cnonce.len + sn + post;
    }
    free(r->server_first);
    r->server_first = dup_bytes(text.data, text.len);
    r->server_first_len = text.len;
    lm.body.auth.data.ptr = text.data;
    lm.body.auth.data.len = text.len;
  } else if (rm.kind == PGW_MSG_AUTHENTICATION &&
             rm.body.auth.code == PGW_AUTH_SASL_FINAL) {
    char sig64[64];
    if (!r->have_sig ||
        cli_b64_encode(r->server_sig, CLI_SCRAM_KEY_LEN, sig64, sizeof sig64) <
            0 ||
        pgw_buf_reserve(&text, 80) != 0)
      return fail(r, "SCRAM: no server signature%s", "");
    text.len = (size_t)sprintf((char *)text.data, "v=%s", sig64);
    lm.body.auth.data.ptr = text.data;
    lm.body.auth.data.len = text.len;
  } else {
    changed = 0;
  }
  rc = pgw_conn_send(&r->lv.conn, &lm, &r->out);
  if (rc == 0 && !changed)
    check_encoding(r, i, r->out.data + before, r->out.len - before);
  if (rc == 0) {
    cli_norm_message(&r->nrec, PGW_BACKEND, &rm, r->rec.msgs[i].phase, NULL);
    cli_norm_message(&r->nlive, PGW_BACKEND, &lm, pgw_conn_phase(&r->lv.conn),
                     NULL);
    r->last_sent = (long)i;
    r->ok++;
  }
  pgw_buf_free(&text);
  if (rc != 0) {
    char why[400];
    const pgw_error *e = pgw_conn_error(&r->lv.conn);
    snprintf(why, sizeof why, "pgw cannot send it now: %s: %s",
             pgw_strerror(rc), e->reason ? e->reason : "");
    return mismatch(r, &r->rec, i, &lm, pgw_conn_phase(&r->lv.conn), why);
  }
  return 0;
}

static int to_client_once(replayer *r, int fd) {
  size_t c, i;
  if (live_open(&r->lv, fd, PGW_BACKEND) != 0) {
    close(fd);
    return fail(r, "cannot initialise the connection%s", "");
  }
  for (c = 0; c < r->rec.nchunks; c++) {
    const rchunk *ch = &r->rec.chunks[c];
    if (ch->dir == PGW_FRONTEND) {
      for (i = ch->first; i < ch->end; i++)
        if (expect_frontend(r, i) != 0) return -1;
    } else {
      if (r->has_cancel && !r->cancel_done && chunk_has_57014(&r->rec, ch)) {
        /* the recorded answer is "canceled": wait for the cancel */
        int cfd = accept_one(r, r->timeout_ms);
        if (cfd < 0)
          return fail(r, "the client did not send the cancel request (%s)",
                      r->cancel.path);
        if (serve_cancel(r, cfd) != 0) return -1;
      }
      pgw_buf_clear(&r->out);
      for (i = ch->first; i < ch->end; i++)
        if (send_backend(r, i) != 0) return -1;
      if (r->out.len && write_all(fd, r->out.data, r->out.len) != 0)
        r->send_failed = 1;
    }
  }
  if (pgw_conn_phase(&r->lv.conn) == PGW_PHASE_FAILED) {
    /* the server closes after a fatal error; a crossing Terminate is fine */
    return 0;
  }
  return expect_end(r, &r->rec);
}

/* ---- entry ------------------------------------------------------------------
 */

/* FILE-N.pgs for N = 2..9 beside path that cancels rec's session. */
static int find_cancel(replayer *r) {
  const char *dot = strrchr(r->rec.path, '.');
  size_t base = dot && strcmp(dot, ".pgs") == 0 ? (size_t)(dot - r->rec.path)
                                                : strlen(r->rec.path);
  int n;
  if (!r->rec.has_key) return 0;
  for (n = 2; n <= 9; n++) {
    char *name = malloc(base + 16);
    recording c;
    FILE *f;
    if (!name) return -1;
    sprintf(name, "%.*s-%d.pgs", (int)base, r->rec.path, n);
    if (!(f = fopen(name, "r"))) {
      free(name);
      break;
    }
    fclose(f);
    if (rec_load(&c, name) == 0) {
      pgw_message m;
      if (c.cancel_only && rec_decode(&c, 0, &m) == 0 &&
          m.body.cancel.pid == r->rec.key_pid &&
          m.body.cancel.key.len == r->rec.key_len &&
          memcmp(m.body.cancel.key.ptr, r->rec.key, r->rec.key_len) == 0) {
        r->cancel = c;
        r->has_cancel = 1;
        return 0; /* name is kept: c.path points to it */
      }
      rec_free(&c);
    }
    free(name);
  }
  return 0;
}

/* The main session of a cancel-only file: --cancel-of, else the name
 * without its "-N" suffix. */
static char *main_of(const char *cancel_path, const char *cancel_of) {
  const char *dot, *dash;
  char *name;
  if (cancel_of) return dup_bytes(cancel_of, strlen(cancel_of));
  dot = strrchr(cancel_path, '.');
  if (!dot || strcmp(dot, ".pgs") != 0) return NULL;
  dash = dot;
  while (dash > cancel_path && dash[-1] >= '0' && dash[-1] <= '9')
    dash--;
  if (dash == dot || dash == cancel_path || dash[-1] != '-') return NULL;
  name = malloc(strlen(cancel_path) + 1);
  if (!name) return NULL;
  sprintf(name, "%.*s.pgs", (int)(dash - 1 - cancel_path), cancel_path);
  return name;
}

int cli_replay(const cli_replay_opts *o) {
  replayer r;
  recording first;
  char *main_path = NULL, *cancel_name = NULL;
  int status = 0;
  memset(&r, 0, sizeof r);
  r.o = o;
  r.listen_fd = -1;
  r.lv.fd = -1;
  r.last_sent = -1;
  r.live_auth = -1;
  r.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
  r.password = o->password ? o->password : getenv("PGPASSWORD");
  signal(SIGPIPE, SIG_IGN);

  if (rec_load(&first, o->path) != 0) return 1;
  r.name = o->path;
  if (first.cancel_only) {
    /* replay the session it cancels, with this cancel paired */
    main_path = main_of(o->path, o->cancel_of);
    if (!main_path) {
      fprintf(stderr,
              "pgw replay: %s holds only a CancelRequest: name the session "
              "it cancels with --cancel-of MAIN.pgs\n",
              o->path);
      rec_free(&first);
      return 1;
    }
    if (rec_load(&r.rec, main_path) != 0) {
      rec_free(&first);
      free(main_path);
      return 1;
    }
    r.cancel = first;
    r.has_cancel = 1;
  } else {
    r.rec = first;
    if (o->cancel_of) {
      fprintf(stderr, "pgw replay: --cancel-of: %s is not a cancel session\n",
              o->path);
      rec_free(&first);
      return 1;
    }
    if (!o->no_cancel && find_cancel(&r) != 0) status = 1;
    if (r.has_cancel) cancel_name = (char *)r.cancel.path;
  }
  if (r.has_cancel && !first.cancel_only) {
    /* checked by find_cancel */
  } else if (r.has_cancel) {
    pgw_message m;
    rec_decode(&r.cancel, 0, &m);
    if (!r.rec.has_key || m.body.cancel.pid != r.rec.key_pid ||
        m.body.cancel.key.len != r.rec.key_len ||
        memcmp(m.body.cancel.key.ptr, r.rec.key, r.rec.key_len) != 0) {
      fprintf(stderr,
              "pgw replay: %s does not cancel %s (its process id and key "
              "are not that session's BackendKeyData)\n",
              o->path, main_path);
      status = 1;
    }
  }
  cli_norm_init(&r.nrec);
  cli_norm_init(&r.nlive);
  pgw_buf_init(&r.na, NULL);
  pgw_buf_init(&r.nb, NULL);
  pgw_buf_init(&r.out, NULL);

  if (status == 0 && o->to_server) {
    if (to_server(&r) != 0 || r.encoding_differs) status = 1;
    live_close(&r.lv);
    if (status == 0) {
      printf("replay %s: %zu messages ok", o->path,
             first.cancel_only ? (size_t)1 : r.ok);
      if (r.keepalives_skipped)
        printf(" (%zu extra walsender keepalives skipped)",
               r.keepalives_skipped);
      printf("\n");
    }
  } else if (status == 0) {
    char shown[64];
    r.listen_fd = listen_on(o->to_client, shown, sizeof shown);
    if (r.listen_fd < 0)
      status = 1;
    else {
      fprintf(stderr, "pgw replay: listening on %s\n", shown);
      fflush(stderr);
    }
    while (status == 0) {
      /* without --once: serve each client in turn until killed */
      int fd = accept_one(&r, o->once ? r.timeout_ms * 3 : -1), rc;
      if (fd < 0) {
        fail(&r, "no client connected%s", "");
        status = 1;
        break;
      }
      rc = to_client_once(&r, fd) != 0 || r.encoding_differs;
      r.encoding_differs = 0;
      live_close(&r.lv);
      if (rc == 0)
        printf("replay %s: %zu messages ok\n", o->path,
               first.cancel_only ? (size_t)1 : r.ok);
      fflush(stdout);
      if (o->once) {
        status = rc ? 1 : 0;
        break;
      }
      /* serve the session again for the next client */
      cli_norm_free(&r.nrec);
      cli_norm_free(&r.nlive);
      cli_norm_init(&r.nrec);
      cli_norm_init(&r.nlive);
      r.ok = 0;
      r.cancel_done = 0;
      r.last_sent = -1;
      r.have_sig = 0;
    }
    if (r.listen_fd >= 0) close(r.listen_fd);
  }
  free(r.client_first);
  free(r.server_first);
  pgw_buf_free(&r.na);
  pgw_buf_free(&r.nb);
  pgw_buf_free(&r.out);
  cli_norm_free(&r.nrec);
  cli_norm_free(&r.nlive);
  rec_free(&r.rec);
  if (r.has_cancel) rec_free(&r.cancel);
  free(cancel_name);
  free(main_path);
  return status;
}
