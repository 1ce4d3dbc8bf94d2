/*
 * bench_session.h - pgw-bench on a session file (FILE.pgs, both
 * directions, see conformance/SESSION-FORMAT.md): mode observe runs the
 * chunks in wire order through a strict pgw_observer (a fresh one per
 * pass: one whole connection, startup included); mode bare is the bound
 * over the same bytes, each direction's stream framed in one go (startup
 * packets, one-byte SSL/GSS answers, then type + length) with DataRow
 * columns walked. Both count the same messages and column lengths.
 * Included by pgw_bench.c only.
 */
#ifndef PGW_BENCH_SESSION_H
#define PGW_BENCH_SESSION_H

typedef struct bench_chunk {
  pgw_dir dir;
  size_t off, len; /* in stream[dir] */
} bench_chunk;

typedef struct bench_session {
  uint8_t *stream[2];
  size_t len[2], cap[2];
  bench_chunk *chunks;
  size_t nchunks, chunk_cap;
} bench_session;

static void session_grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return;
  size_t n = *cap ? *cap * 2 : 4096;
  while (n < need)
    n *= 2;
  *p = realloc(*p, n * size);
  if (*p == NULL) exit(1);
  *cap = n;
}

static int session_hex(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* One "F ..." or "B ..." line: a chunk appended to its direction. */
static void session_line(bench_session *s, const char *line, size_t n) {
  pgw_dir d = line[0] == 'F' ? PGW_FRONTEND : PGW_BACKEND;
  size_t start = s->len[d];
  session_grow((void **)&s->stream[d], &s->cap[d], start + n / 2 + 1, 1);
  int hi = -1;
  for (size_t i = 2; i < n; i++) {
    int v = session_hex(line[i]);
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
      continue;
    }
    s->stream[d][s->len[d]++] = (uint8_t)(hi << 4 | v);
    hi = -1;
  }
  session_grow((void **)&s->chunks, &s->chunk_cap, s->nchunks + 1,
               sizeof *s->chunks);
  bench_chunk c = {d, start, s->len[d] - start};
  s->chunks[s->nchunks++] = c;
}

static bench_session *session_load(const char *path) {
  size_t len;
  uint8_t *text = bench_load(path, &len);
  if (text == NULL) exit(1);
  bench_session *s = (bench_session *)calloc(1, sizeof *s);
  if (s == NULL) exit(1);
  for (size_t i = 0; i < len;) {
    size_t e = i;
    while (e < len && text[e] != '\n')
      e++;
    const char *l = (const char *)text + i;
    if (e - i > 2 && (l[0] == 'F' || l[0] == 'B') && l[1] == ' ')
      session_line(s, l, e - i);
    else if (e - i >= 8 && !memcmp(l, "@ tls on", 8)) {
      fprintf(stderr, "pgw-bench: %s switches to TLS: not supported\n", path);
      exit(1);
    }
    i = e + 1;
  }
  free(text);
  return s;
}

static void session_free(bench_session *s) {
  free(s->stream[0]);
  free(s->stream[1]);
  free(s->chunks);
  free(s);
}

/* One connection through the observer. */
static void observe_pass(const bench_session *s, tally *t) {
  pgw_observer_options o;
  memset(&o, 0, sizeof o);
  o.allocator = &g_alloc;
  pgw_observer obs;
  int rc = pgw_observer_init(&obs, &o);
  if (rc) fail_msg("pgw_observer_init", rc, NULL);
  tally acc = *t;
  pgw_message m;
  for (size_t i = 0; i < s->nchunks; i++) {
    const bench_chunk *c = &s->chunks[i];
    rc = pgw_observer_feed(&obs, c->dir, s->stream[c->dir] + c->off, c->len);
    if (rc) fail_msg("pgw_observer_feed", rc, NULL);
    while ((rc = pgw_observer_next(&obs, c->dir, &m)) == PGW_OK)
      on_message(&m, &acc);
    if (rc != PGW_NEED_MORE)
      fail_msg("observe", rc, pgw_observer_error(&obs, NULL));
  }
  *t = acc;
  pgw_observer_free(&obs);
}

/* The frontend's startup packets (SSL/GSS requests, then the startup or
 * cancel packet); returns the bytes they take, counts the requests. */
static size_t bare_startup(const uint8_t *p, size_t len, size_t *requests,
                           tally *t) {
  size_t off = 0;
  while (len - off >= 8) {
    uint32_t plen = bench_load32(p + off), code = bench_load32(p + off + 4);
    if (plen < 8 || plen > len - off) exit(1);
    off += plen;
    t->messages++;
    if (code != PGW_SSL_REQUEST_CODE && code != PGW_GSSENC_REQUEST_CODE) break;
    (*requests)++;
  }
  return off;
}

/* The frontend's standard messages: framed only ('D' is Describe). */
static int bare_frames(const uint8_t *p, size_t len, tally *t) {
  const uint8_t *end = p + len;
  uint64_t msgs = 0;
  while (end - p >= 5) {
    uint32_t mlen = bench_load32(p + 1);
    if (mlen < 4 || mlen > (size_t)(end - p) - 1) return -1;
    p += 1 + mlen;
    msgs++;
  }
  t->messages += msgs;
  return p == end ? 0 : -1;
}

static void bare_session_pass(const bench_session *s, tally *t) {
  size_t requests = 0;
  size_t f = bare_startup(s->stream[0], s->len[0], &requests, t);
  if (requests > s->len[1] ||
      bare_frames(s->stream[0] + f, s->len[0] - f, t) != 0 ||
      bare_pass(s->stream[1] + requests, s->len[1] - requests, t) != 0) {
    fprintf(stderr, "pgw-bench: bare loop: impossible length\n");
    exit(1);
  }
  t->messages += requests; /* the one-byte answers */
}

#endif
