/*
 * fuzz_libpq_diff.c - differential harness: the fuzzer's bytes are the
 * backend's answer to a real, unmodified libpq (linked in: Debian's libpq
 * 15, or libpq 18 through LD_LIBRARY_PATH) and, the same bytes, to pgw's
 * frontend pgw_conn in PGW_MODE_REFERENCE. It aborts when the verdicts
 * disagree on something the wire alone decides:
 *
 *   - libpq refuses the bytes with one of its own protocol complaints
 *     (lost synchronization, message contents do not agree with length,
 *     unexpected field count, insufficient data, unexpected response, data
 *     without a row description, an invalid BackendKeyData) and pgw in
 *     reference mode accepts every byte;
 *   - libpq takes every byte without such a complaint and pgw in reference
 *     mode refuses one (reference mode refuses only REFERENCE rules, so a
 *     refusal there claims that libpq or PostgreSQL rejects it).
 *
 * What libpq made of the bytes: its own complaint (in a result or in
 * PQerrorMessage; never a text of the server's ErrorResponse, and an answer
 * that quotes libpq's wording is not judged), or none. libpq may also
 * stall: a count or a field that reaches past the end of a complete
 * message makes it wait for bytes that belong to the next message (more
 * of them would turn it into "message contents do not agree with
 * length"). To see that, the answer is cut at the last whole message (in
 * libpq's framing) and followed by a sentinel NoticeResponse; a sentinel
 * libpq did not parse before it saw the end of the stream means it
 * stalled, which counts as a refusal.
 *
 * Not judged (the wire does not decide, or libpq never looked): a refusal
 * by pgw after a ReadyForQuery when libpq dropped a message with the
 * notice "message type ... arrived from server while idle"; anything after
 * libpq entered COPY BOTH or a COPY IN it could not end (it parses no
 * further); a NotificationResponse, NoticeResponse or ParameterStatus
 * whose fields do not fit its length while libpq is in COPY OUT
 * (getCopyDataMessage parses them without pqParseInput3's length check
 * and reads on into the next message: libpq loses sync without a word;
 * after a FATAL, where pgw's phase stays Failed, when libpq entered COPY
 * OUT at all).
 *
 * Input: byte 0 chooses the client's request (bit 0: simple Query, or
 * extended query through PQsendQueryParams: Parse, Bind, Describe,
 * Execute, Sync) and, with libpq 18, bit 1 the protocol (3.0, or 3.2 with
 * max_protocol_version=3.2: a 32-byte cancel key at startup). The rest is
 * what the server sends after the client's request, in one write, after
 * which the server closes its sending side. The startup (AuthenticationOk,
 * ParameterStatus, BackendKeyData, ReadyForQuery) is fixed and valid.
 *
 * How: libpq connects to a unix socket in a private directory
 * (PQconnectStartParams, host=that directory); the harness accepts, reads
 * what libpq sends and answers, single-threaded (libpq's socket is
 * non-blocking while connecting; afterwards all the server's bytes are in
 * the socket before libpq reads, so libpq never waits on the harness).
 * What libpq sent (StartupMessage, the request, a CopyDone after COPY IN)
 * is decoded with a pgw decoder and handed to the pgw conn with
 * pgw_conn_forwarded(), so that both clients stand in the same place.
 *
 * Environment: PGW_DIFF_SURVEY=DIR: do not abort; print each class of
 * disagreement once (stderr) and keep one input of each class in DIR (for
 * long runs that map every disagreement). PGW_DIFF_VERBOSE=1: print both
 * verdicts of every input.
 *
 * Build: scripts/fuzz-libpq-diff (its own script: it needs libpq).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "fuzz_check.h"
#include "pgw/pgw.h"

/* Largest server answer the harness sends: it must fit into the socket's
 * buffer in one write (libpq reads only after the harness wrote it). */
#define DIFF_MAX_INPUT 32768
/* A long message (DataRow, ErrorResponse, ...) may announce up to 1 GiB;
 * libpq would allocate that much. Cut the input before such a message. */
#define DIFF_MAX_ANNOUNCED (1u << 20)

typedef struct bytes {
  uint8_t *p;
  size_t n, cap;
} bytes;

static void bytes_add(bytes *b, const void *p, size_t n) {
  if (n == 0) return;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + n)
      cap *= 2;
    uint8_t *q = realloc(b->p, cap);
    FUZZ_ASSERT(q != NULL);
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->n, p, n);
  b->n += n;
}

static void put32(bytes *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                  (uint8_t)v};
  bytes_add(b, x, 4);
}

static void add_msg(bytes *b, char type, const void *body, size_t n) {
  uint8_t t = (uint8_t)type;
  bytes_add(b, &t, 1);
  put32(b, (uint32_t)(n + 4));
  bytes_add(b, body, n);
}

static void add_param(bytes *b, const char *name, const char *value) {
  size_t a = strlen(name) + 1, v = strlen(value) + 1;
  uint8_t body[128];
  FUZZ_ASSERT(a + v <= sizeof body);
  memcpy(body, name, a);
  memcpy(body + a, value, v);
  add_msg(b, 'S', body, a + v);
}

/* The server's valid answer to the StartupMessage. */
static void startup_answer(bytes *b, int proto32, int libpq18) {
  static const uint8_t auth_ok[4] = {0, 0, 0, 0};
  add_msg(b, 'R', auth_ok, 4);
  add_param(b, "server_version", libpq18 ? "18.0" : "15.0");
  add_param(b, "server_encoding", "UTF8");
  add_param(b, "client_encoding", "UTF8");
  add_param(b, "DateStyle", "ISO, MDY");
  add_param(b, "integer_datetimes", "on");
  add_param(b, "standard_conforming_strings", "on");
  uint8_t key[4 + 32];
  for (size_t i = 0; i < sizeof key; i++)
    key[i] = (uint8_t)(i + 1);
  add_msg(b, 'K', key, proto32 ? 4 + 32 : 4 + 4);
  add_msg(b, 'Z', "I", 1);
}

/* ---------------------------------------------------------------------- */
/* The server side: a listening unix socket in a private directory.       */

static char sock_dir[64];
static int listen_fd = -1;

static void remove_socket(void) {
  char path[128];
  snprintf(path, sizeof path, "%s/.s.PGSQL.5432", sock_dir);
  unlink(path);
  rmdir(sock_dir);
}

static void server_init(void) {
  if (listen_fd >= 0) return;
  snprintf(sock_dir, sizeof sock_dir, "/tmp/pgw-libpq-diff-XXXXXX");
  FUZZ_ASSERT(mkdtemp(sock_dir) != NULL);
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s/.s.PGSQL.5432", sock_dir);
  listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
  FUZZ_ASSERT(listen_fd >= 0);
  FUZZ_ASSERT(bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) == 0);
  FUZZ_ASSERT(listen(listen_fd, 4) == 0);
  atexit(remove_socket);
}

/* Everything the client has sent so far (non-blocking). */
static void drain(int fd, bytes *into) {
  uint8_t buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      bytes_add(into, buf, (size_t)n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return;
  }
}

static void write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) {
      struct pollfd pfd = {fd, POLLOUT, 0};
      FUZZ_ASSERT(poll(&pfd, 1, 5000) == 1);
      continue;
    }
    FUZZ_ASSERT(w > 0);
    p += w;
    n -= (size_t)w;
  }
}

/* ---------------------------------------------------------------------- */
/* libpq's verdict.                                                        */

typedef struct libpq_verdict {
  char complaint[256]; /* libpq's own first protocol complaint, or "" */
  int idle_drop;       /* "arrived from server while idle" noticed */
  int copy_both;       /* stopped parsing (COPY BOTH, or a COPY IN it
                          could not end) */
  int copy_out;        /* entered COPY OUT at least once */
  int sentinel;        /* the sentinel NotificationResponse was seen
                          before libpq saw the end of the stream */
  PGconn *conn;
  size_t notifies;
  int connected;
  bytes startup, request, copy_end; /* what libpq sent */
} libpq_verdict;

/* Where s first occurs in p[0..n), or n. A plain loop, not memmem() or
 * strstr(): libFuzzer intercepts those and would teach the fuzzer the
 * strings the harness looks for (its sentinel, libpq's wording). */
static size_t locate(const void *p, size_t n, const char *s) {
  const uint8_t *b = p;
  size_t k = strlen(s);
  for (size_t i = 0; k <= n && i <= n - k; i++) {
    size_t j = 0;
    while (j < k && b[i + j] == (uint8_t)s[j])
      j++;
    if (j == k) return i;
  }
  return n;
}

static int find(const void *p, size_t n, const char *s) {
  return locate(p, n, s) < n;
}

static const char *const complaints[] = {
    "lost synchronization with server",
    "message contents do not agree with length",
    "insufficient data in",
    "unexpected field count in",
    "without prior row description",
    "unexpected response from server",
    "protocol error",
    "received invalid BackendKeyData",
    "received invalid error message",
    "received invalid protocol negotiation message",
    "received duplicate protocol negotiation message",
};

static void note_complaint(libpq_verdict *v, const char *text) {
  if (!text || v->complaint[0]) return;
  for (size_t i = 0; i < sizeof complaints / sizeof complaints[0]; i++) {
    size_t len = strlen(text), at = locate(text, len, complaints[i]);
    if (at == len) continue;
    const char *hit = text + at;
    /* The line of the complaint, without libpq's trailing newline. */
    const char *start = hit;
    while (start > text && start[-1] != '\n')
      start--;
    size_t n = strcspn(start, "\n");
    if (n >= sizeof v->complaint) n = sizeof v->complaint - 1;
    memcpy(v->complaint, start, n);
    v->complaint[n] = 0;
    return;
  }
}

/* The sentinel: a NoticeResponse the harness sends after the case's bytes
 * (libpq takes one in every state and hands it to the notice processor as
 * it parses it). If libpq had not parsed it before it saw the end of the
 * stream, it was still waiting inside a message whose bytes were all
 * there: it read past that message's end (a count or a field reaching
 * beyond the length), which more bytes would turn into "message contents
 * do not agree with length". A refusal, decided by the wire. (After the
 * end, libpq parses what it has left as arriving while idle: a sentinel
 * found then proves nothing.) */
#define SENTINEL_TEXT "pgw-diff-sentinel-4f2a"

static void add_sentinel(bytes *b) {
  static const char body[] = "SNOTICE\0VNOTICE\0C00000\0M" SENTINEL_TEXT "\0";
  add_msg(b, 'N', body, sizeof body); /* sizeof: the final terminator too */
}

/* Collect the notifications. Bounded: libpq 18 was seen handing out
 * notifications without end after a lost synchronization (see
 * corpus/libpq_diff/libpq18-endless-notifications). */
static void take_notifies(PGconn *c, libpq_verdict *v) {
  PGnotify *nt;
  while (v->notifies < 1000 && (nt = PQnotifies(c)) != NULL) {
    if (getenv("PGW_DIFF_VERBOSE") && v->notifies < 3)
      fprintf(stderr, "libpq_diff: libpq notification pid %d \"%s\" \"%s\"\n",
              nt->be_pid, nt->relname, nt->extra);
    v->notifies++;
    PQfreemem(nt);
  }
}

static void on_notice(void *arg, const char *message) {
  libpq_verdict *v = arg;
  if (find(message, strlen(message), SENTINEL_TEXT) &&
      !find(PQerrorMessage(v->conn), strlen(PQerrorMessage(v->conn)),
            "server closed the connection unexpectedly"))
    v->sentinel = 1;
  if (find(message, strlen(message), "arrived from server while idle"))
    v->idle_drop = 1;
  if (getenv("PGW_DIFF_VERBOSE"))
    fprintf(stderr, "libpq_diff: libpq notice %s", message);
}

static void run_libpq(const uint8_t *answer, size_t n, int sentinel,
                      int extended, int proto32, int libpq18,
                      libpq_verdict *v) {
  server_init();
  const char *keys[] = {"host",
                        "port",
                        "user",
                        "dbname",
                        "sslmode",
                        "gssencmode",
                        "connect_timeout",
                        "max_protocol_version",
                        NULL};
  const char *vals[] = {sock_dir,  "5432", "fuzz", "fuzz", "disable",
                        "disable", "10",   "3.2",  NULL};
  if (!proto32) keys[7] = vals[7] = NULL;
  PGconn *c = PQconnectStartParams(keys, vals, 0);
  FUZZ_ASSERT(c != NULL && PQstatus(c) != CONNECTION_BAD);
  v->conn = c;
  PQsetNoticeProcessor(c, on_notice, v);
  int fd = accept(listen_fd, NULL, NULL);
  FUZZ_ASSERT(fd >= 0);
  FUZZ_ASSERT(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);

  /* Startup: poll libpq until it has sent its StartupMessage, answer. */
  bytes ans = {0};
  startup_answer(&ans, proto32, libpq18);
  int answered = 0;
  for (int i = 0; i < 10000; i++) {
    PostgresPollingStatusType st = PQconnectPoll(c);
    if (st == PGRES_POLLING_OK || st == PGRES_POLLING_FAILED) break;
    if (answered) {
      struct pollfd pfd = {PQsocket(c), POLLIN, 0};
      poll(&pfd, 1, 1000);
      continue;
    }
    drain(fd, &v->startup);
    if (v->startup.n >= 4) {
      uint32_t len = (uint32_t)v->startup.p[0] << 24 |
                     (uint32_t)v->startup.p[1] << 16 |
                     (uint32_t)v->startup.p[2] << 8 | v->startup.p[3];
      if (v->startup.n >= len) {
        FUZZ_ASSERT(v->startup.n == len);
        write_all(fd, ans.p, ans.n);
        answered = 1;
      }
    }
  }
  free(ans.p);
  if (PQstatus(c) != CONNECTION_OK) {
    fprintf(stderr, "libpq did not connect: %s", PQerrorMessage(c));
    fuzz_fail(__FILE__, __LINE__, "libpq connects to the fixed startup answer");
  }
  v->connected = 1;

  int sent;
  if (extended) {
    const char *params[1] = {"1"};
    sent = PQsendQueryParams(c, "select $1", 1, NULL, params, NULL, NULL, 0);
  } else {
    sent = PQsendQuery(c, "select 1");
  }
  FUZZ_ASSERT(sent == 1);
  drain(fd, &v->request);
  bytes out = {0};
  bytes_add(&out, answer, n);
  if (sentinel) add_sentinel(&out);
  write_all(fd, out.p, out.n);
  free(out.p);
  shutdown(fd, SHUT_WR);

  PGresult *r;
  int guard = 0;
  while (guard++ < 10000 && (r = PQgetResult(c)) != NULL) {
    ExecStatusType st = PQresultStatus(r);
    if (getenv("PGW_DIFF_VERBOSE"))
      fprintf(stderr, "libpq_diff: libpq result %s %s\n", PQresStatus(st),
              PQresultErrorMessage(r));
    note_complaint(v, PQresultErrorMessage(r));
    take_notifies(c, v);
    PQclear(r);
    if (st == PGRES_COPY_OUT) {
      v->copy_out = 1;
      char *buf;
      int got;
      while ((got = PQgetCopyData(c, &buf, 0)) >= 0)
        if (got > 0) PQfreemem(buf);
    } else if (st == PGRES_COPY_IN) {
      if (PQputCopyEnd(c, NULL) != 1) {
        v->copy_both = 1; /* stuck in COPY IN: libpq parses no further */
        break;
      }
      PQflush(c);
      drain(fd, &v->copy_end);
    } else if (st == PGRES_COPY_BOTH) {
      v->copy_both = 1;
      break;
    }
  }
  if (!v->copy_both) {
    /* Idle: what is left is parsed as messages arriving while idle. */
    while (PQstatus(c) == CONNECTION_OK && guard++ < 10000) {
      int ok = PQconsumeInput(c);
      take_notifies(c, v);
      if (!ok) break;
      struct pollfd pfd = {PQsocket(c), POLLIN, 0};
      if (poll(&pfd, 1, 1000) != 1) break;
    }
  }
  take_notifies(c, v);
  if (getenv("PGW_DIFF_VERBOSE"))
    fprintf(stderr, "libpq_diff: libpq %zu notifications; PQerrorMessage: %s\n",
            v->notifies, PQerrorMessage(c));
  note_complaint(v, PQerrorMessage(c));
  PQfinish(c);
  close(fd);
}

/* ---------------------------------------------------------------------- */
/* pgw's verdict.                                                          */

typedef struct pgw_verdict {
  int refused;
  pgw_error error; /* reason: a copy in why[] (the conn is gone) */
  char why[256];
  pgw_phase phase_before; /* phase when the refused message came */
  const char *kind;       /* the refused message's name (state errors) */
  size_t warnings;        /* documented deviations let through */
  int after_rfq;          /* a ReadyForQuery came before the refusal: where
                             libpq, idle, drops what is unexpected */
  size_t messages;        /* accepted before the refusal */
  uint8_t type;           /* type byte of the message refused, or 0 */
} pgw_verdict;

/* The type byte of the message (standard framing) holding byte off of p. */
static uint8_t type_at(const uint8_t *p, size_t n, size_t off) {
  size_t at = 0;
  while (n - at >= 5) {
    size_t len = (size_t)p[at + 1] << 24 | (size_t)p[at + 2] << 16 |
                 (size_t)p[at + 3] << 8 | p[at + 4];
    if (len < 4 || off < at) return 0;
    if (off <= at + len) return p[at];
    if (len > n - at - 1) return 0;
    at += 1 + len;
  }
  return 0;
}

/* Hand what libpq sent to the pgw conn, message by message. */
static void forward(pgw_decoder *fe, pgw_conn *c, const bytes *b) {
  if (b->n == 0) return;
  FUZZ_ASSERT(pgw_decoder_feed(fe, b->p, b->n) == 0);
  pgw_message m;
  int rc;
  while ((rc = pgw_decoder_next(fe, &m)) == PGW_OK) {
    int f = pgw_conn_forwarded(c, &m);
    if (f != 0) {
      fprintf(stderr, "pgw_conn_forwarded(%s): %s: %s\n", pgw_message_name(&m),
              pgw_strerror(f), pgw_conn_error(c)->reason);
      fuzz_fail(__FILE__, __LINE__, "libpq's own messages are accepted by pgw");
    }
  }
  FUZZ_ASSERT(rc == PGW_NEED_MORE);
}

/* Hand the next end of a COPY IN libpq sent (CopyDone, and the Sync
 * PQputCopyEnd adds in extended query) to the pgw conn; *at is where it
 * starts in libpq's copy_end bytes. */
static void forward_copy_end(pgw_decoder *fe, pgw_conn *c, const bytes *b,
                             size_t *at) {
  size_t end = *at;
  for (int i = 0; i < 2 && b->n - end >= 5; i++) {
    if (i == 1 && b->p[end] != 'S') break;
    size_t len = (size_t)b->p[end + 1] << 24 | (size_t)b->p[end + 2] << 16 |
                 (size_t)b->p[end + 3] << 8 | b->p[end + 4];
    FUZZ_ASSERT(len >= 4 && len < b->n - end);
    end += 1 + len;
  }
  bytes one = {b->p + *at, end - *at, 0};
  forward(fe, c, &one);
  *at = end;
}

static void run_pgw(const uint8_t *answer, size_t n, int proto32, int libpq18,
                    const libpq_verdict *lv, pgw_verdict *v) {
  pgw_decoder_options dopt;
  memset(&dopt, 0, sizeof dopt);
  pgw_decoder fe;
  pgw_decoder_init(&fe, PGW_FRONTEND, &dopt);
  pgw_conn_options copt;
  memset(&copt, 0, sizeof copt);
  copt.role = PGW_FRONTEND;
  copt.mode = PGW_MODE_REFERENCE;
  pgw_conn c;
  FUZZ_ASSERT(pgw_conn_init(&c, &copt) == 0);

  forward(&fe, &c, &lv->startup);
  bytes ans = {0};
  startup_answer(&ans, proto32, libpq18);
  pgw_message m;
  int rc;
  FUZZ_ASSERT(pgw_conn_receive(&c, ans.p, ans.n) == 0);
  while ((rc = pgw_conn_next(&c, &m)) == PGW_OK)
    continue;
  FUZZ_ASSERT(rc == PGW_NEED_MORE);
  FUZZ_ASSERT(pgw_conn_phase(&c) == PGW_PHASE_READY);
  forward(&fe, &c, &lv->request);

  size_t copy_end_at = 0; /* how much of lv->copy_end pgw was given */
  FUZZ_ASSERT(pgw_conn_receive(&c, answer, n) == 0);
  for (;;) {
    pgw_phase before = pgw_conn_phase(&c);
    rc = pgw_conn_next(&c, &m);
    if (rc == PGW_NEED_MORE) break;
    if (rc != PGW_OK) {
      v->refused = 1;
      v->error = *pgw_conn_error(&c);
      snprintf(v->why, sizeof v->why, "%s",
               v->error.reason ? v->error.reason : "-");
      v->error.reason = v->why;
      v->phase_before = before;
      v->kind = m.wire_len > 0 ? pgw_message_name(&m) : "-";
      if (v->error.offset >= ans.n)
        v->type = type_at(answer, n, v->error.offset - ans.n);
      break;
    }
    v->messages++;
    if (m.kind == PGW_MSG_READY_FOR_QUERY) v->after_rfq = 1;
    /* libpq ends each COPY IN at once (PQputCopyEnd): so does pgw's side,
     * one end for each copy it enters. */
    if (pgw_conn_phase(&c) == PGW_PHASE_COPY_IN &&
        copy_end_at < lv->copy_end.n &&
        (copy_end_at == 0 || m.kind == PGW_MSG_COPY_IN_RESPONSE))
      forward_copy_end(&fe, &c, &lv->copy_end, &copy_end_at);
  }
  v->warnings = pgw_conn_warnings(&c);
  if (getenv("PGW_DIFF_VERBOSE") && pgw_conn_warnings(&c) > 0) {
    const pgw_error *w = pgw_conn_warning(&c);
    fprintf(stderr, "libpq_diff: pgw %zu warning(s), last at %zu: %s [%s]\n",
            pgw_conn_warnings(&c), w->offset, w->reason ? w->reason : "-",
            w->rule ? w->rule->id : "-");
  }
  free(ans.p);
  pgw_conn_free(&c);
  pgw_decoder_free(&fe);
}

/* ---------------------------------------------------------------------- */

/*
 * The answer as libpq frames it (type byte, length word, body): returns
 * how many bytes to send. The answer is cut at the last whole message (a
 * partial one only makes both sides wait) and before a message that
 * announces more than DIFF_MAX_ANNOUNCED bytes (libpq would allocate it);
 * *sentinel is then 1. A length word that libpq refuses at once (below 4,
 * or over 30000 for a type that is not long) keeps the rest as it is, with
 * no sentinel (libpq stops there).
 */
static int long_type(uint8_t t) {
  return t == 'T' || t == 'D' || t == 'd' || t == 'V' || t == 'E' || t == 'N' ||
         t == 'A';
}

static size_t frame(const uint8_t *p, size_t n, int *sentinel) {
  size_t at = 0;
  *sentinel = 1;
  while (n - at >= 5) {
    uint32_t len = (uint32_t)p[at + 1] << 24 | (uint32_t)p[at + 2] << 16 |
                   (uint32_t)p[at + 3] << 8 | p[at + 4];
    if (len < 4 || len > 0x7fffffffu || (len > 30000 && !long_type(p[at]))) {
      *sentinel = 0;
      return n;
    }
    if (len > DIFF_MAX_ANNOUNCED || n - at - 1 < len) return at;
    at += 1 + len;
  }
  return at;
}

/* A class of disagreement: which way, pgw's rule, libpq's complaint with
 * quoted characters and numbers masked. */
static void class_of(char *out, size_t cap, const char *way,
                     const pgw_verdict *pv, const libpq_verdict *lv) {
  char lp[256];
  size_t j = 0;
  int quoted = 0;
  for (const char *s = lv->complaint; *s && j + 1 < sizeof lp; s++) {
    if (*s == '"') quoted = !quoted;
    if ((quoted && *s != '"') || (*s >= '0' && *s <= '9')) {
      if (j == 0 || lp[j - 1] != '#') lp[j++] = '#';
      continue;
    }
    lp[j++] = *s;
  }
  lp[j] = 0;
  if (pv->refused)
    snprintf(out, cap, "%s | pgw %s %s %s in %s | libpq %s", way,
             pgw_strerror(pv->error.code),
             pv->error.rule ? pv->error.rule->id : "-", pv->kind,
             pgw_phase_name(pv->phase_before), lp[0] ? lp : "-");
  else
    snprintf(out, cap, "%s | pgw accepted | libpq %s", way, lp[0] ? lp : "-");
}

static unsigned long hash(const char *s) {
  unsigned long h = 5381;
  while (*s)
    h = h * 33 + (unsigned char)*s++;
  return h;
}

static void disagree(const char *way, const uint8_t *data, size_t size,
                     const pgw_verdict *pv, const libpq_verdict *lv) {
  char cls[512];
  class_of(cls, sizeof cls, way, pv, lv);
  const char *survey = getenv("PGW_DIFF_SURVEY");
  fprintf(stderr,
          "libpq_diff: %s\n  pgw: %s at offset %zu after %zu messages "
          "(%s)%s%s\n  libpq %d: %s\n",
          way, pv->refused ? pgw_strerror(pv->error.code) : "accepted",
          pv->refused ? pv->error.offset : 0, pv->messages,
          pv->refused && pv->error.reason ? pv->error.reason : "-",
          pv->refused && pv->error.rule ? ", rule " : "",
          pv->refused && pv->error.rule ? pv->error.rule->id : "",
          PQlibVersion(), lv->complaint[0] ? lv->complaint : "no complaint");
  if (!survey || !*survey) fuzz_fail(__FILE__, __LINE__, "pgw and libpq agree");
  char path[1024];
  snprintf(path, sizeof path, "%s/class-%016lx", survey, hash(cls));
  FILE *f = fopen(path, "wx");
  if (!f) return; /* seen before */
  fwrite(data, 1, size, f);
  fclose(f);
  snprintf(path, sizeof path, "%s/class-%016lx.txt", survey, hash(cls));
  f = fopen(path, "w");
  if (f) {
    fprintf(f, "%s\n", cls);
    fclose(f);
  }
  fprintf(stderr, "libpq_diff: NEW CLASS %s\n", cls);
}

/* Not judged: see the header (libpq's COPY OUT reading of A, N, S). After
 * a FATAL pgw's phase stays Failed while libpq may enter COPY OUT. */
static int copy_out_async(const pgw_verdict *pv, const libpq_verdict *lv) {
  return pv->refused &&
         (pv->phase_before == PGW_PHASE_COPY_OUT ||
          (pv->phase_before == PGW_PHASE_FAILED && lv->copy_out)) &&
         (pv->type == 'A' || pv->type == 'N' || pv->type == 'S') &&
         (pv->error.code == PGW_ERR_TRUNCATED ||
          pv->error.code == PGW_ERR_NO_TERMINATOR ||
          pv->error.code == PGW_ERR_TRAILING_BYTES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > DIFF_MAX_INPUT + 1) return 0;
  int libpq18 = PQlibVersion() >= 180000;
  int extended = data[0] & 1;
  int proto32 = libpq18 && (data[0] & 2);
  const uint8_t *answer = data + 1;
  int sentinel;
  size_t n = frame(answer, size - 1, &sentinel);
  /* An answer that names the sentinel could fake it. */
  int sentinel_named = find(answer, n, SENTINEL_TEXT);
  if (sentinel_named) sentinel = 0;

  libpq_verdict lv;
  memset(&lv, 0, sizeof lv);
  run_libpq(answer, n, sentinel, extended, proto32, libpq18, &lv);
  if (!lv.copy_both && !lv.complaint[0]) {
    if (sentinel && !lv.sentinel)
      snprintf(lv.complaint, sizeof lv.complaint,
               "read past the end of a complete message (the notification "
               "after the answer never arrived)");
    else if (!sentinel && !sentinel_named)
      /* A length word libpq refuses at once lies ahead, yet libpq did not
       * complain: it never got there, stuck in an earlier message. */
      snprintf(lv.complaint, sizeof lv.complaint,
               "read past the end of a complete message (never reached the "
               "length word it refuses)");
  }
  pgw_verdict pv;
  memset(&pv, 0, sizeof pv);
  run_pgw(answer, n, proto32, libpq18, &lv, &pv);

  if (getenv("PGW_DIFF_VERBOSE"))
    fprintf(stderr, "libpq_diff: pgw %s%s%s after %zu | libpq %s%s%s%s\n",
            pv.refused ? pgw_strerror(pv.error.code) : "accepted",
            pv.refused && pv.error.rule ? " " : "",
            pv.refused && pv.error.rule ? pv.error.rule->id : "", pv.messages,
            lv.complaint[0] ? lv.complaint : "no complaint",
            lv.idle_drop ? ", dropped while idle" : "",
            sentinel ? (lv.sentinel ? ", sentinel seen" : ", sentinel lost")
                     : "",
            lv.copy_both ? ", stopped in COPY BOTH" : "");

  if (lv.complaint[0]) {
    /* An ErrorResponse that quotes libpq's wording is not libpq's. */
    int quoted = 0;
    for (size_t i = 0; i < sizeof complaints / sizeof complaints[0]; i++)
      quoted |= find(answer, n, complaints[i]);
    if (!pv.refused && !quoted)
      disagree("pgw accepts what libpq refuses", data, size, &pv, &lv);
  } else if (pv.refused && !lv.copy_both && !sentinel_named &&
             !(lv.idle_drop && pv.after_rfq) && !copy_out_async(&pv, &lv)) {
    disagree("pgw refuses what libpq accepts", data, size, &pv, &lv);
  }
  free(lv.startup.p);
  free(lv.request.p);
  free(lv.copy_end.p);
  return 0;
}
