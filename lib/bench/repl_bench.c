/*
 * repl_bench.c - pgw-bench-repl: decode a capture of a logical
 * replication stream (the backend's CopyData messages, each 'd' + length
 * + payload, as scripts/bench-replication extracts them from a recorded
 * pg_recvlogical session) and print messages/s beside the bare framing
 * loop on the same bytes.
 *
 *   pgw-bench-repl [--passes N] [--version V] [--only bare|decode] FILE
 *
 * bare:   frames each CopyData, and for an XLogData carrying a pgoutput
 *         Insert or Update walks its new tuple's column lengths by hand;
 * decode: the same framing, then pgw_repl_decode, pgw_lrep_stream_feed
 *         (every check, the relation cache) and the tuple iterator.
 * Both sum the column lengths (colsum) and must agree (--only runs one,
 * e.g. under callgrind for instructions per message). The stream's
 * allocator counts calls: steady_allocs is what decoding allocated after
 * init (0 is the goal).
 */
#define _POSIX_C_SOURCE 200809L
#include "bench_util.h"

#include "pgw/pgw.h"

typedef struct tally {
  size_t messages, logical;
  unsigned long long colsum;
} tally;

static size_t g_allocs;
static void *c_malloc(size_t n, void *u) {
  (void)u;
  g_allocs++;
  return malloc(n);
}
static void *c_realloc(void *p, size_t n, void *u) {
  (void)u;
  g_allocs++;
  return realloc(p, n);
}
static void c_free(void *p, void *u) {
  (void)u;
  free(p);
}

/* Column lengths of the TupleData at q (count first), by hand. */
static unsigned long long walk_tuple(const uint8_t *q) {
  unsigned n = bench_load16(q);
  unsigned long long sum = 0;
  q += 2;
  for (unsigned i = 0; i < n; i++) {
    uint8_t k = *q++;
    if (k != 't' && k != 'b') continue;
    uint32_t l = bench_load32(q);
    sum += l;
    q += 4 + l;
  }
  return sum;
}

static int bare_pass(const uint8_t *p, size_t len, tally *t) {
  const uint8_t *end = p + len;
  size_t x = 0; /* 4 inside a streamed block: changes carry an xid */
  while (p < end) {
    uint32_t mlen = bench_load32(p + 1);
    const uint8_t *d = p + 5;
    t->messages++;
    if (p[0] == 'd' && d[0] == 'w' && mlen > 4 + 25) {
      const uint8_t *l = d + 25;
      t->logical++;
      if (l[0] == 'S') x = 4;
      if (l[0] == 'E') x = 0;
      if (l[0] == 'I') t->colsum += walk_tuple(l + 6 + x);
      /* Update: new tuple only when no old key precedes it */
      if (l[0] == 'U' && l[5 + x] == 'N') t->colsum += walk_tuple(l + 6 + x);
    }
    p += 1 + mlen;
  }
  return 0;
}

static unsigned long long visit(const pgw_lrep_tuple *tu) {
  pgw_lrep_iter it = pgw_lrep_tuple_iter(tu);
  pgw_lrep_value v;
  unsigned long long sum = 0;
  while (pgw_lrep_tuple_next(&it, &v) == 1)
    if (v.kind == 't' || v.kind == 'b') sum += v.data.len;
  return sum;
}

static int decode_pass(pgw_lrep_stream *s, const uint8_t *p, size_t len,
                       tally *t) {
  const uint8_t *end = p + len;
  pgw_repl_msg m;
  pgw_lrep_msg l;
  pgw_error e;
  while (p < end) {
    uint32_t mlen = bench_load32(p + 1);
    t->messages++;
    if (p[0] == 'd') {
      int rc = pgw_repl_decode(PGW_REPL_STREAMING, PGW_BACKEND, p + 5, mlen - 4,
                               &m, &e);
      if (rc == 0 && m.kind == PGW_REPL_XLOG_DATA && m.u.xlog_data.data.len) {
        rc = pgw_lrep_stream_feed(s, m.u.xlog_data.data.ptr,
                                  m.u.xlog_data.data.len, &l, &e);
        t->logical++;
        if (rc == 0 && (l.kind == PGW_LREP_INSERT ||
                        (l.kind == PGW_LREP_UPDATE && !l.u.change.old_kind)))
          t->colsum += visit(&l.u.change.new_tuple);
      }
      if (rc) {
        fprintf(stderr, "decode: %s: %s at %zu\n", pgw_strerror(rc), e.reason,
                e.offset);
        return -1;
      }
    }
    p += 1 + mlen;
  }
  return 0;
}

static int check_framing(const uint8_t *p, size_t len) {
  size_t off = 0;
  while (off < len) {
    if (len - off < 5) return -1;
    uint32_t mlen = bench_load32(p + off + 1);
    if (mlen < 4 || mlen > len - off - 1) return -1;
    off += 1 + mlen;
  }
  return 0;
}

static void report(const char *mode, double *secs, size_t passes,
                   const tally *t, size_t len, size_t allocs) {
  double med = bench_median(secs, passes);
  printf("result mode=%s messages=%zu logical=%zu median_s=%.6f "
         "msg_per_s=%.0f mb_per_s=%.1f colsum=%llu steady_allocs=%zu\n",
         mode, t->messages, t->logical, med, (double)t->messages / med,
         (double)len / med / 1e6, t->colsum, allocs);
}

typedef struct opts {
  size_t passes;
  int version;
  int only; /* 0 both, 1 bare, 2 decode (instruction counts per mode) */
  const char *file;
} opts;

static int parse(int argc, char **argv, opts *o) {
  o->passes = 7;
  o->version = 2;
  o->only = 0;
  o->file = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc)
      o->passes = (size_t)atoi(argv[++i]);
    else if (strcmp(argv[i], "--version") == 0 && i + 1 < argc)
      o->version = atoi(argv[++i]);
    else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
      o->only = strcmp(argv[++i], "bare") == 0 ? 1 : 2;
    else
      o->file = argv[i];
  }
  if (o->file == NULL || o->passes < 1 || o->passes > 1000) {
    fprintf(stderr, "usage: pgw-bench-repl [--passes N] [--version V] "
                    "[--only bare|decode] FILE\n");
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  opts o;
  size_t len;
  if (parse(argc, argv, &o) != 0) return 2;
  uint8_t *data = bench_load(o.file, &len);
  if (data == NULL) return 1;
  if (check_framing(data, len) != 0) {
    fprintf(stderr, "%s: not a sequence of whole messages\n", o.file);
    return 1;
  }
  pgw_allocator a = {c_malloc, c_realloc, c_free, NULL};
  double bare[1000], dec[1000];
  tally tb = {0, 0, 0}, td = {0, 0, 0};
  size_t steady = 0;
  for (size_t i = 0; i <= o.passes; i++) { /* pass 0 warms up */
    pgw_lrep_stream s;
    tally x = {0, 0, 0}, y = {0, 0, 0};
    if (pgw_lrep_stream_init(&s, o.version, 0, &a) != 0) return 1;
    size_t before = g_allocs;
    double t0 = bench_now();
    if (o.only != 2) bare_pass(data, len, &x);
    double t1 = bench_now();
    int rc = o.only == 1 ? 0 : decode_pass(&s, data, len, &y);
    double t2 = bench_now();
    steady += g_allocs - before;
    pgw_lrep_stream_free(&s);
    if (rc != 0) return 1;
    if (i == 0) continue;
    bare[i - 1] = t1 - t0, dec[i - 1] = t2 - t1, tb = x, td = y;
  }
  if (o.only) {
    report(o.only == 1 ? "bare" : "decode", o.only == 1 ? bare : dec, o.passes,
           o.only == 1 ? &tb : &td, len, steady);
    free(data);
    return 0;
  }
  if (tb.colsum != td.colsum || tb.messages != td.messages) {
    fprintf(stderr, "bare and decode disagree: colsum %llu vs %llu\n",
            tb.colsum, td.colsum);
    return 1;
  }
  report("bare", bare, o.passes, &tb, len, 0);
  report("decode", dec, o.passes, &td, len, steady);
  printf("ratio decode/bare msg_per_s=%.3f\n",
         bench_median(bare, o.passes) / bench_median(dec, o.passes));
  free(data);
  return 0;
}
