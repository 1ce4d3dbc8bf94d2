/*
 * pgw_bench.c - pgw-bench: how fast pgw decodes (and re-encodes) a real
 * backend byte stream.
 *
 *   pgw-bench [--passes N] [--mode MODE[,MODE...]] [--chunk BYTES] FILE
 *   pgw-bench [--passes N] [--mode decode|conn] [--rbuf BYTES]
 *             --socket PATH
 *
 * FILE holds what a server sent after the startup phase (e.g. the answer to
 * one simple query, as pgw-bench-capture records it). Every pass decodes
 * all of it in memory and visits every column of every DataRow with
 * pgw_value_iter()/pgw_value_next() (summing the lengths, so the work
 * cannot be optimised away and the sums can be compared between modes).
 *
 *   decode  pgw_decoder, strict, fed the whole file (or --chunk pieces)
 *   conn    the frontend connection (pgw/conn.h), state machine included
 *   encode  decode, then re-encode every message with pgw_message_encode()
 *   bare    the upper bound: a loop that frames messages and walks DataRow
 *           column lengths, nothing else, compiled with the same flags
 *   rows    decode, reading DataRows in batches with pgw_decoder_rows()
 *           (the column count from the RowDescription) into an array of
 *           1024 values; other messages with pgw_decoder_next()
 *   conn-rows  conn, rows in batches with pgw_conn_rows()
 *   observe FILE is a session file (.pgs, both directions): its chunks go
 *           through a pgw_observer in wire order; bare then frames the
 *           same two streams (bench_session.h). Only bare and observe
 *           take a session file.
 *
 * With --socket the bytes come from a server over a unix socket instead
 * (pgw-bench-server replays a capture): each pass opens a connection, sends
 * a StartupMessage, waits for ReadyForQuery, sends a Query and times the
 * answer up to ReadyForQuery, reading --rbuf bytes at a time.
 *
 * Several modes (--mode bare,decode,conn,encode) run interleaved, one pass
 * of each in turn, so that a change in the machine's load hits them alike
 * and the ratios of their medians mean something on a shared machine.
 *
 * A warm-up pass runs first (untimed; in encode mode it checks that the
 * re-encoded bytes equal the input). Each mode prints one line of
 * key=value pairs:
 *   result mode=... messages=... rows=... bytes=... passes=... median_s=...
 *          min_s=... msg_per_s=... mb_per_s=... allocs_per_msg=...
 *          steady_allocs=... columns=... colsum=... maxrss_kb=...
 * allocs_per_msg counts allocator calls (malloc and realloc) during the
 * timed passes through a counting pgw_allocator; steady_allocs is their
 * number. In conn mode and over a socket every pass is a new connection,
 * so a decoder buffer allocated per connection shows up there.
 */
#define _POSIX_C_SOURCE 200809L

#include "bench_util.h"
#include "pgw/pgw.h"

/* ---- counting allocator ------------------------------------------------ */

typedef struct counter {
  size_t allocs;
  size_t frees;
} counter;

static void *count_malloc(size_t n, void *u) {
  ((counter *)u)->allocs++;
  return malloc(n);
}
static void *count_realloc(void *p, size_t n, void *u) {
  ((counter *)u)->allocs++;
  return realloc(p, n);
}
static void count_free(void *p, void *u) {
  if (p) ((counter *)u)->frees++;
  free(p);
}

static counter g_count;
static const pgw_allocator g_alloc = {count_malloc, count_realloc, count_free,
                                      &g_count};

/* ---- results ----------------------------------------------------------- */

typedef struct tally {
  uint64_t messages;
  uint64_t rows;
  uint64_t columns;
  uint64_t colsum;  /* sum of non-NULL column lengths */
  uint64_t encoded; /* encode mode: bytes written */
} tally;

static void fail_msg(const char *what, int rc, const pgw_error *e) {
  fprintf(stderr, "pgw-bench: %s: %s", what, pgw_strerror(rc));
  if (e && e->reason)
    fprintf(stderr, " at offset %zu: %s", e->offset, e->reason);
  fputc('\n', stderr);
  exit(1);
}

/* Visit every column of a DataRow the way a client would. Inline, and
 * the passes count into a local tally, as the bare loop does: the client
 * loop's own bookkeeping should cost no more than the bound's. */
static inline void visit_row(const pgw_message *m, tally *t) {
  pgw_iter it = pgw_value_iter(&m->body.data_row.columns);
  pgw_value v;
  int rc;
  uint64_t cols = 0, sum = 0;
  while ((rc = pgw_value_next(&it, &v)) == 1) {
    cols++;
    if (v.len > 0) sum += (uint64_t)v.len;
  }
  if (rc < 0) fail_msg("pgw_value_next", rc, NULL);
  t->rows++;
  t->columns += cols;
  t->colsum += sum;
}

static inline void on_message(const pgw_message *m, tally *t) {
  t->messages++;
  if (m->kind == PGW_MSG_DATA_ROW) visit_row(m, t);
}

/* Batch reads: the values of several rows at once. */
#define BATCH_VALUES 1024
static pgw_value g_values[BATCH_VALUES];

static inline void visit_values(const pgw_value *v, size_t rows, size_t ncols,
                                tally *t) {
  uint64_t sum = 0;
  size_t n = rows * ncols;
  for (size_t i = 0; i < n; i++)
    if (v[i].len > 0) sum += (uint64_t)v[i].len;
  t->messages += rows;
  t->rows += rows;
  t->columns += n;
  t->colsum += sum;
}

/* ---- decode ------------------------------------------------------------ */

static void rows_pass(pgw_decoder *d, const uint8_t *data, size_t len,
                      size_t chunk, tally *t) {
  pgw_decoder_reset(d, PGW_FRAMING_STANDARD, 0);
  pgw_message m;
  tally acc = *t;
  size_t off = 0, ncols = 0;
  int rc;
  do {
    size_t n = len - off < chunk ? len - off : chunk;
    rc = pgw_decoder_feed(d, data + off, n);
    if (rc) fail_msg("pgw_decoder_feed", rc, NULL);
    off += n;
    for (;;) {
      int rows = ncols ? pgw_decoder_rows(d, ncols, g_values, BATCH_VALUES) : 0;
      if (rows > 0) {
        visit_values(g_values, (size_t)rows, ncols, &acc);
        continue;
      }
      if ((rc = pgw_decoder_next(d, &m)) != PGW_OK) break;
      if (m.kind == PGW_MSG_ROW_DESCRIPTION)
        ncols = m.body.row_description.columns.count;
      on_message(&m, &acc);
    }
    if (rc != PGW_NEED_MORE) fail_msg("decode", rc, pgw_decoder_error(d));
  } while (off < len);
  rc = pgw_decoder_finish(d);
  if (rc) fail_msg("decode", rc, pgw_decoder_error(d));
  *t = acc;
}

static void decode_pass(pgw_decoder *d, const uint8_t *data, size_t len,
                        size_t chunk, tally *t) {
  pgw_decoder_reset(d, PGW_FRAMING_STANDARD, 0);
  pgw_message m;
  tally acc = *t;
  size_t off = 0;
  do {
    size_t n = len - off < chunk ? len - off : chunk;
    int rc = pgw_decoder_feed(d, data + off, n);
    if (rc) fail_msg("pgw_decoder_feed", rc, NULL);
    off += n;
    while ((rc = pgw_decoder_next(d, &m)) == PGW_OK)
      on_message(&m, &acc);
    if (rc != PGW_NEED_MORE) fail_msg("decode", rc, pgw_decoder_error(d));
  } while (off < len);
  int rc = pgw_decoder_finish(d);
  if (rc) fail_msg("decode", rc, pgw_decoder_error(d));
  *t = acc;
}

/* ---- encode ------------------------------------------------------------ */

static void encode_pass(pgw_decoder *d, pgw_buf *out, const uint8_t *data,
                        size_t len, int verify, tally *t) {
  pgw_decoder_reset(d, PGW_FRAMING_STANDARD, 0);
  pgw_message m;
  int rc = pgw_decoder_feed(d, data, len);
  if (rc) fail_msg("pgw_decoder_feed", rc, NULL);
  while ((rc = pgw_decoder_next(d, &m)) == PGW_OK) {
    pgw_buf_clear(out);
    int erc = pgw_message_encode_buf(&m, out);
    if (erc) fail_msg("encode", erc, NULL);
    t->messages++;
    t->encoded += out->len;
    if (verify && (out->len != m.wire_len ||
                   memcmp(out->data, data + m.offset, out->len) != 0)) {
      fprintf(stderr, "pgw-bench: re-encoded %s at offset %zu differs\n",
              pgw_kind_name(m.kind), m.offset);
      exit(1);
    }
  }
  if (rc != PGW_NEED_MORE) fail_msg("decode", rc, pgw_decoder_error(d));
}

/* ---- bare loop --------------------------------------------------------- */

/* Frames messages and walks DataRow column lengths; nothing else. It does
 * the bounds checks needed not to read past the buffer and stops at the
 * first impossible length. */
static int bare_pass(const uint8_t *p, size_t len, tally *t) {
  const uint8_t *end = p + len;
  uint64_t msgs = 0, rows = 0, cols = 0, sum = 0;
  while (end - p >= 5) {
    uint32_t mlen = bench_load32(p + 1);
    if (mlen < 4 || mlen > (size_t)(end - p) - 1) return -1;
    const uint8_t *mend = p + 1 + mlen;
    if (p[0] == 'D') {
      const uint8_t *q = p + 5;
      if (mend - q < 2) return -1;
      unsigned n = bench_load16(q);
      q += 2;
      for (; n; n--) {
        if (mend - q < 4) return -1;
        uint32_t l = bench_load32(q);
        q += 4;
        if (l == 0xffffffffu) continue;
        if (l > (size_t)(mend - q)) return -1;
        q += l;
        sum += l;
      }
      cols += bench_load16(p + 5);
      rows++;
    }
    msgs++;
    p = mend;
  }
  if (p != end) return -1;
  t->messages += msgs;
  t->rows += rows;
  t->columns += cols;
  t->colsum += sum;
  return 0;
}

/* ---- socket client ----------------------------------------------------- */

static void send_msg(int fd, const pgw_message *m, pgw_buf *b) {
  pgw_buf_clear(b);
  int rc = pgw_message_encode_buf(m, b);
  if (rc) fail_msg("encode", rc, NULL);
  if (bench_write_all(fd, b->data, b->len)) {
    fprintf(stderr, "pgw-bench: write to the server failed\n");
    exit(1);
  }
}

static void send_startup(int fd, pgw_buf *b) {
  static const pgw_param params[2] = {
      {{"user", 4}, {"pgw_trust", 9}},
      {{"database", 8}, {"pgw", 3}},
  };
  pgw_param_list l = pgw_param_list_of(params, 2);
  pgw_message m;
  pgw_msg_startup(&m, PGW_PROTOCOL_3_0, &l);
  send_msg(fd, &m, b);
}

static void send_query(int fd, pgw_buf *b) {
  pgw_message m;
  pgw_msg_query(&m, "SELECT 'replayed by pgw-bench-server'");
  send_msg(fd, &m, b);
}

static void send_terminate(int fd, pgw_buf *b) {
  pgw_message m;
  pgw_msg_terminate(&m);
  send_msg(fd, &m, b);
}

static size_t read_some(int fd, uint8_t *rbuf, size_t cap) {
  for (;;) {
    ssize_t r = read(fd, rbuf, cap);
    if (r > 0) return (size_t)r;
    if (r < 0 && errno == EINTR) continue;
    fprintf(stderr, "pgw-bench: server closed the connection early\n");
    exit(1);
  }
}

/* ---- conn -------------------------------------------------------------- */

#include "bench_conn.h"
#include "bench_session.h"

/* Read messages through the decoder until a ReadyForQuery; count them in
 * t if t is not NULL. */
static void socket_decode_until_ready(int fd, pgw_decoder *d, uint8_t *rbuf,
                                      size_t cap, tally *t) {
  pgw_message m;
  for (;;) {
    int rc;
    while ((rc = pgw_decoder_next(d, &m)) == PGW_OK) {
      if (m.kind == PGW_MSG_ERROR_RESPONSE) {
        fprintf(stderr, "pgw-bench: server sent ErrorResponse\n");
        exit(1);
      }
      if (t) on_message(&m, t);
      if (m.kind == PGW_MSG_READY_FOR_QUERY) return;
    }
    if (rc != PGW_NEED_MORE) fail_msg("decode", rc, pgw_decoder_error(d));
    size_t n = read_some(fd, rbuf, cap);
    rc = pgw_decoder_feed(d, rbuf, n);
    if (rc) fail_msg("pgw_decoder_feed", rc, NULL);
  }
}

/* One connection: startup, then the timed query. Returns seconds. */
static double socket_pass(const char *path, int use_conn, size_t cap,
                          uint8_t *rbuf, tally *t) {
  int fd = bench_connect_unix(path);
  if (fd < 0) {
    fprintf(stderr, "pgw-bench: cannot connect to %s\n", path);
    exit(1);
  }
  pgw_buf out;
  pgw_buf_init(&out, &g_alloc);
  double t0, t1;
  if (use_conn) {
    t0 = 0;
    t1 = bench_conn_socket(fd, rbuf, cap, &out, t, &t0);
  } else {
    pgw_decoder_options o;
    memset(&o, 0, sizeof o);
    o.allocator = &g_alloc;
    pgw_decoder d;
    pgw_decoder_init(&d, PGW_BACKEND, &o);
    send_startup(fd, &out);
    socket_decode_until_ready(fd, &d, rbuf, cap, NULL);
    t0 = bench_now();
    send_query(fd, &out);
    socket_decode_until_ready(fd, &d, rbuf, cap, t);
    t1 = bench_now();
    send_terminate(fd, &out);
    pgw_decoder_free(&d);
  }
  pgw_buf_free(&out);
  close(fd);
  return t1 - t0;
}

/* ---- main -------------------------------------------------------------- */

static void usage(void) {
  fprintf(stderr,
          "usage: pgw-bench [--passes N] [--mode MODE[,MODE...]] "
          "[--chunk BYTES] FILE\n"
          "         MODE: decode, conn, encode, bare, rows, conn-rows; "
          "FILE.pgs: bare, observe\n"
          "       pgw-bench [--passes N] [--mode decode|conn] [--rbuf BYTES] "
          "--socket PATH\n");
  exit(2);
}

static size_t parse_size(const char *s) {
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (end == s || *end || v == 0) usage();
  return (size_t)v;
}

enum mode {
  M_DECODE,
  M_CONN,
  M_ENCODE,
  M_BARE,
  M_OBSERVE,
  M_ROWS,
  M_CONN_ROWS,
  M_COUNT
};
static const char *const mode_names[M_COUNT] = {
    "decode", "conn", "encode", "bare", "observe", "rows", "conn-rows"};

/* One mode's measurements. */
typedef struct run {
  enum mode mode;
  double *secs;  /* per timed pass */
  tally first;   /* the warm-up pass's counts; every pass must agree */
  size_t allocs; /* allocator calls during the timed passes */
} run;

static void print_result(const char *name, const run *r, size_t passes,
                         uint64_t bytes) {
  double best = r->secs[0];
  for (size_t p = 1; p < passes; p++)
    if (r->secs[p] < best) best = r->secs[p];
  double med = bench_median(r->secs, passes);
  double msgs = (double)r->first.messages;
  printf("result mode=%s messages=%llu rows=%llu bytes=%llu passes=%zu "
         "median_s=%.9f min_s=%.9f msg_per_s=%.0f mb_per_s=%.1f "
         "allocs_per_msg=%.6f steady_allocs=%zu columns=%llu colsum=%llu "
         "maxrss_kb=%ld\n",
         name, (unsigned long long)r->first.messages,
         (unsigned long long)r->first.rows, (unsigned long long)bytes, passes,
         med, best, msgs / med, (double)bytes / med / 1e6,
         msgs > 0 ? (double)r->allocs / (msgs * (double)passes) : 0.0,
         r->allocs, (unsigned long long)r->first.columns,
         (unsigned long long)r->first.colsum, bench_maxrss_kb());
}

static void check_same(const tally *t, const tally *first) {
  if (memcmp(t, first, sizeof *t) != 0) {
    fprintf(stderr, "pgw-bench: passes disagree\n");
    exit(1);
  }
}

int main(int argc, char **argv) {
  const char *file = NULL, *sock = NULL, *mode = "decode";
  size_t passes = 5, chunk = 0, rbuf_cap = 65536;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int more = i + 1 < argc;
    if (!strcmp(a, "--passes") && more)
      passes = parse_size(argv[++i]);
    else if (!strcmp(a, "--mode") && more)
      mode = argv[++i];
    else if (!strcmp(a, "--chunk") && more)
      chunk = parse_size(argv[++i]);
    else if (!strcmp(a, "--rbuf") && more)
      rbuf_cap = parse_size(argv[++i]);
    else if (!strcmp(a, "--socket") && more)
      sock = argv[++i];
    else if (a[0] != '-' && file == NULL)
      file = a;
    else
      usage();
  }
  if ((file == NULL) == (sock == NULL)) usage();

  /* The mode list: with several, their passes are interleaved (one pass of
   * each in turn), so that a change in machine load hits them alike and
   * the ratios of their medians stay meaningful. */
  run runs[M_COUNT];
  size_t nruns = 0;
  for (const char *m = mode; *m;) {
    size_t n = strcspn(m, ",");
    int found = -1;
    for (int k = 0; k < M_COUNT; k++)
      if (strlen(mode_names[k]) == n && !strncmp(m, mode_names[k], n))
        found = k;
    if (found < 0 || nruns == M_COUNT) usage();
    memset(&runs[nruns], 0, sizeof runs[nruns]);
    runs[nruns].mode = (enum mode)found;
    runs[nruns].secs = (double *)calloc(passes, sizeof(double));
    if (runs[nruns].secs == NULL) exit(1);
    nruns++;
    m += n;
    if (*m == ',') m++;
  }
  if (nruns == 0) usage();
  if (sock &&
      (nruns != 1 || (runs[0].mode != M_DECODE && runs[0].mode != M_CONN)))
    usage();

  tally t;
  if (sock) {
    run *r = &runs[0];
    int use_conn = r->mode == M_CONN;
    uint8_t *rbuf = (uint8_t *)malloc(rbuf_cap);
    if (rbuf == NULL) exit(1);
    /* Warm-up connection, then the timed ones. */
    socket_pass(sock, use_conn, rbuf_cap, rbuf, &r->first);
    for (size_t p = 0; p < passes; p++) {
      memset(&t, 0, sizeof t);
      size_t a0 = g_count.allocs;
      r->secs[p] = socket_pass(sock, use_conn, rbuf_cap, rbuf, &t);
      r->allocs += g_count.allocs - a0;
      check_same(&t, &r->first);
    }
    free(rbuf);
    char name[32];
    snprintf(name, sizeof name, "%s-socket", mode_names[r->mode]);
    /* bytes are not known to the client; scripts use the file size */
    print_result(name, r, passes, 0);
    free(r->secs);
    return 0;
  }

  size_t flen = strlen(file);
  bench_session *sess = NULL;
  if (flen > 4 && !strcmp(file + flen - 4, ".pgs")) {
    for (size_t k = 0; k < nruns; k++)
      if (runs[k].mode != M_BARE && runs[k].mode != M_OBSERVE) usage();
    sess = session_load(file);
  } else {
    for (size_t k = 0; k < nruns; k++)
      if (runs[k].mode == M_OBSERVE) usage();
  }

  size_t len;
  uint8_t *data = bench_load(file, &len);
  if (data == NULL) exit(1);
  if (len == 0) {
    fprintf(stderr, "pgw-bench: %s is empty\n", file);
    exit(1);
  }
  if (chunk == 0 || chunk > len) chunk = len;
  pgw_decoder_options o;
  memset(&o, 0, sizeof o);
  o.allocator = &g_alloc;
  pgw_decoder d;
  pgw_decoder_init(&d, PGW_BACKEND, &o);
  pgw_buf out;
  pgw_buf_init(&out, &g_alloc);
  bench_conn_state *cs = NULL;
  for (size_t k = 0; k < nruns; k++)
    if ((runs[k].mode == M_CONN || runs[k].mode == M_CONN_ROWS) && cs == NULL)
      cs = bench_conn_open(file, &g_alloc);

  /* Pass 0 is the warm-up (and, for encode, checks the bytes). */
  for (size_t p = 0; p <= passes; p++) {
    for (size_t k = 0; k < nruns; k++) {
      run *r = &runs[k];
      memset(&t, 0, sizeof t);
      size_t a0 = g_count.allocs;
      double t0 = bench_now();
      switch (r->mode) {
      case M_DECODE: decode_pass(&d, data, len, chunk, &t); break;
      case M_ENCODE: encode_pass(&d, &out, data, len, p == 0, &t); break;
      case M_CONN: bench_conn_pass(cs, data, len, chunk, 0, &t); break;
      case M_CONN_ROWS: bench_conn_pass(cs, data, len, chunk, 1, &t); break;
      case M_ROWS: rows_pass(&d, data, len, chunk, &t); break;
      case M_OBSERVE: observe_pass(sess, &t); break;
      case M_BARE:
      case M_COUNT:
        if (sess) {
          bare_session_pass(sess, &t);
        } else if (bare_pass(data, len, &t)) {
          fprintf(stderr, "pgw-bench: bare loop: impossible length\n");
          exit(1);
        }
        break;
      }
      double t1 = bench_now();
      if (p == 0) {
        r->first = t;
        continue;
      }
      r->secs[p - 1] = t1 - t0;
      r->allocs += g_count.allocs - a0;
      check_same(&t, &r->first);
    }
  }
  if (sess) len = sess->len[0] + sess->len[1]; /* the wire bytes */
  for (size_t k = 0; k < nruns; k++) {
    print_result(mode_names[runs[k].mode], &runs[k], passes, len);
    free(runs[k].secs);
  }
  if (cs) bench_conn_close(cs);
  if (sess) session_free(sess);
  pgw_buf_free(&out);
  pgw_decoder_free(&d);
  free(data);
  return 0;
}
