/*
 * pgw_test.h - tiny test harness shared by the unit tests: checks that
 * report file:line and keep going, hex fixtures, a counting allocator.
 */
#ifndef PGW_TEST_H
#define PGW_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgw/pgw.h"

static int pgw_test_failures;
static int pgw_test_checks;

#define CHECK(cond)                                                            \
  do {                                                                         \
    pgw_test_checks++;                                                         \
    if (!(cond)) {                                                             \
      pgw_test_failures++;                                                     \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                     \
  do {                                                                         \
    long long va_ = (long long)(a), vb_ = (long long)(b);                      \
    pgw_test_checks++;                                                         \
    if (va_ != vb_) {                                                          \
      pgw_test_failures++;                                                     \
      fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__,    \
              __LINE__, #a, va_, #b, vb_);                                     \
    }                                                                          \
  } while (0)

/* Compare a view with a C string. */
#define CHECK_STR(view, cstr)                                                  \
  do {                                                                         \
    pgw_str v_ = (view);                                                       \
    const char *c_ = (cstr);                                                   \
    pgw_test_checks++;                                                         \
    if (v_.len != strlen(c_) || memcmp(v_.ptr, c_, v_.len) != 0) {             \
      pgw_test_failures++;                                                     \
      fprintf(stderr, "%s:%d: %s is \"%.*s\", expected \"%s\"\n", __FILE__,    \
              __LINE__, #view, (int)v_.len, v_.ptr, c_);                       \
    }                                                                          \
  } while (0)

#define CHECK_MEM(p, n, q, m)                                                  \
  do {                                                                         \
    pgw_test_checks++;                                                         \
    if ((size_t)(n) != (size_t)(m) || memcmp((p), (q), (size_t)(n)) != 0) {    \
      pgw_test_failures++;                                                     \
      fprintf(stderr, "%s:%d: bytes differ: %s vs %s\n", __FILE__, __LINE__,   \
              #p, #q);                                                         \
    }                                                                          \
  } while (0)

/* Parse hex (spaces allowed) into out; returns the byte count. Aborts on
 * malformed fixtures: they are the test's own data. */
static inline size_t pgw_test_hex(const char *hex, unsigned char *out,
                                  size_t cap) {
  size_t n = 0;
  int hi = -1;
  for (; *hex; hex++) {
    int v;
    char c = *hex;
    if (c == ' ' || c == '\n' || c == '\t') continue;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      abort();
    if (hi < 0) {
      hi = v;
    } else {
      if (n >= cap) abort();
      out[n++] = (unsigned char)(hi << 4 | v);
      hi = -1;
    }
  }
  if (hi >= 0) abort();
  return n;
}

/* Counting allocator: tests assert that steady state allocates nothing. */
typedef struct pgw_test_counter {
  size_t allocs, reallocs, frees;
} pgw_test_counter;

static void *pgw_test_malloc(size_t n, void *u) {
  ((pgw_test_counter *)u)->allocs++;
  return malloc(n);
}
static void *pgw_test_realloc(void *p, size_t n, void *u) {
  ((pgw_test_counter *)u)->reallocs++;
  return realloc(p, n);
}
static void pgw_test_free(void *p, void *u) {
  if (p) ((pgw_test_counter *)u)->frees++;
  free(p);
}
static inline pgw_allocator pgw_test_allocator(pgw_test_counter *c) {
  pgw_allocator a;
  a.malloc_fn = pgw_test_malloc;
  a.realloc_fn = pgw_test_realloc;
  a.free_fn = pgw_test_free;
  a.user = c;
  return a;
}

/* ---- recorded messages ------------------------------------------------ */

/* A whole message parsed from a hex fixture, with room after it for the
 * bytes a malformed variant appends. */
typedef struct pgw_test_wire {
  unsigned char b[1024];
  size_t n;   /* the whole message */
  size_t hdr; /* before the payload: 5 (type byte and length word), or 4
               * for a startup-phase packet (length word only) */
} pgw_test_wire;

/* A typed message (type byte, length word, payload); framing unchecked. */
static inline pgw_test_wire pgw_test_wire_hex(const char *hex) {
  pgw_test_wire w;
  w.n = pgw_test_hex(hex, w.b, sizeof w.b);
  w.hdr = 5;
  return w;
}

static inline const unsigned char *pgw_test_payload(const pgw_test_wire *w) {
  return w->b + w->hdr;
}
static inline size_t pgw_test_payload_len(const pgw_test_wire *w) {
  return w->n - w->hdr;
}

/* The fixture's own framing: long enough, type byte (unless type < 0 or a
 * startup-phase packet) and a length word that covers it exactly. */
static inline void pgw_test_check_framing(const pgw_test_wire *w, int type) {
  const unsigned char *l = w->b + w->hdr - 4;
  CHECK(w->n >= w->hdr);
  if (w->hdr == 5 && type >= 0) CHECK_EQ_INT(w->b[0], type);
  CHECK_EQ_INT((size_t)l[0] << 24 | (size_t)l[1] << 16 | (size_t)l[2] << 8 |
                   (size_t)l[3],
               w->n - (w->hdr - 4));
}

/* Parse a fixture into *w and check its framing. type: the type byte; 0
 * for a startup-phase packet (no type byte). */
static inline void pgw_test_load(pgw_test_wire *w, const char *hex, int type) {
  *w = pgw_test_wire_hex(hex);
  if (type == 0) w->hdr = 4;
  pgw_test_check_framing(w, type);
}

/* ---- decoding ----------------------------------------------------------- */

/* A test of one family's codec defines PGW_TEST_FAMILY_DECODE and
 * PGW_TEST_FAMILY_ENCODE (e.g. pgw__copy_decode, pgw__copy_encode) before
 * including this header: the decoder under test is then that family's
 * alone, with no dispatch in between; otherwise pgw_message_decode. */
#ifdef PGW_TEST_FAMILY_DECODE
#include "pgw_internal.h"
#endif

/* Decode p[0..n) in place with the decoder under test; a family decoder
 * must consume the whole payload (99 if it does not). *e (if not NULL)
 * gets the error, offset SIZE_MAX where the decoder set none. */
static inline int pgw_test_decode(pgw_kind kind, const unsigned char *p,
                                  size_t n, uint32_t protocol, pgw_message *m,
                                  pgw_error *e) {
  pgw_error local;
  local.code = 0;
  local.offset = (size_t)-1;
  local.reason = NULL;
#ifdef PGW_TEST_FAMILY_DECODE
  pgw_rd r;
  (void)protocol;
  memset(m, 0, sizeof *m);
  m->kind = kind;
  pgw_rd_init(&r, p, n, &local);
  int rc = PGW_TEST_FAMILY_DECODE(kind, &r, m);
  if (rc == 0 && r.p != r.end) rc = 99;
#else
  int rc = pgw_message_decode(kind, p, n, protocol, m, &local);
#endif
  if (e) *e = local;
  return rc;
}

/* The exact-size heap copy the last pgw_test_decode_copy() decoded, so the
 * sanitizers catch any read past the end. Views into it stay valid until
 * the next call; pgw_test_done() frees it. */
static unsigned char *pgw_test_heap;

static inline int pgw_test_decode_copy(pgw_kind kind, const unsigned char *p,
                                       size_t n, uint32_t protocol,
                                       pgw_message *m, pgw_error *e) {
  unsigned char *c = (unsigned char *)malloc(n ? n : 1);
  if (c == NULL) abort();
  if (n) memcpy(c, p, n); /* p may point into the previous copy */
  free(pgw_test_heap);
  pgw_test_heap = c;
  return pgw_test_decode(kind, c, n, protocol, m, e);
}

/* Decode a recorded message (its framing checked) from an exact-size copy:
 * it must succeed. Returns the decoder's result. */
static inline int pgw_test_dec_ok(pgw_kind kind, const pgw_test_wire *w,
                                  uint32_t protocol, pgw_message *m) {
  pgw_error e;
  pgw_test_check_framing(w, pgw_kind_type(kind));
  int rc = pgw_test_decode_copy(kind, pgw_test_payload(w),
                                pgw_test_payload_len(w), protocol, m, &e);
  CHECK_EQ_INT(rc, PGW_OK);
  if (rc)
    fprintf(stderr, "  decode: %s: %s at %zu\n", pgw_strerror(rc),
            e.reason ? e.reason : "-", e.offset);
  return rc;
}

/* Any offset inside the payload, for pgw_test_expect_fail(). */
#define PGW_TEST_ANY_OFFSET ((size_t)-1)

/* Decoding p[0..n) from an exact-size copy must fail with code, reported
 * in the error too, with a reason, at offset (or at most n with
 * PGW_TEST_ANY_OFFSET). Four checks; file and line are the caller's. */
static inline void pgw_test_expect_fail(const char *file, int line,
                                        pgw_kind kind, const unsigned char *p,
                                        size_t n, uint32_t protocol, int code,
                                        size_t offset) {
  pgw_message m;
  pgw_error e;
  int rc = pgw_test_decode_copy(kind, p, n, protocol, &m, &e);
  int bad = (rc != code) + (e.code != code) +
            (e.reason == NULL || e.reason[0] == '\0') +
            (offset == PGW_TEST_ANY_OFFSET ? e.offset > n : e.offset != offset);
  pgw_test_checks += 4;
  if (bad) {
    pgw_test_failures += bad;
    fprintf(stderr,
            "%s:%d: decode of %zu bytes: got %s (code %d, \"%s\" at %zu), "
            "want %s at ",
            file, line, n, pgw_strerror(rc), e.code, e.reason ? e.reason : "-",
            e.offset, pgw_strerror(code));
    if (offset == PGW_TEST_ANY_OFFSET)
      fprintf(stderr, "any offset\n");
    else
      fprintf(stderr, "%zu\n", offset);
  }
}
#define EXPECT_DECODE_FAIL(kind, p, n, code, offset)                           \
  pgw_test_expect_fail(__FILE__, __LINE__, kind, p, n, 0, code, offset)
#define EXPECT_DECODE_FAIL_PROTO(kind, p, n, protocol, code, offset)           \
  pgw_test_expect_fail(__FILE__, __LINE__, kind, p, n, protocol, code, offset)

/* A fixture's payload with patch (hex) written at payload offset at. */
static inline void pgw_test_expect_patched(const char *file, int line,
                                           pgw_kind kind, const char *fixture,
                                           size_t at, const char *patch,
                                           int code, size_t offset) {
  pgw_test_wire w = pgw_test_wire_hex(fixture);
  unsigned char pb[16];
  size_t pn = pgw_test_hex(patch, pb, sizeof pb);
  if (at + pn > pgw_test_payload_len(&w)) abort();
  memcpy(w.b + w.hdr + at, pb, pn);
  pgw_test_expect_fail(file, line, kind, pgw_test_payload(&w),
                       pgw_test_payload_len(&w), 0, code, offset);
}
#define EXPECT_PATCHED(kind, fixture, at, patch, code, offset)                 \
  pgw_test_expect_patched(__FILE__, __LINE__, kind, fixture, at, patch, code,  \
                          offset)

/* A payload given as hex. */
static inline void pgw_test_expect_payload(const char *file, int line,
                                           pgw_kind kind,
                                           const char *payload_hex, int code,
                                           size_t offset) {
  unsigned char b[64];
  size_t n = pgw_test_hex(payload_hex, b, sizeof b);
  pgw_test_expect_fail(file, line, kind, b, n, 0, code, offset);
}
#define EXPECT_PAYLOAD(kind, payload_hex, code, offset)                        \
  pgw_test_expect_payload(__FILE__, __LINE__, kind, payload_hex, code, offset)

/* Every proper prefix of p[0..n) fails as a cut message does (TRUNCATED,
 * NO_TERMINATOR or BAD_COUNT), with a reason, at or before the cut. */
static inline void pgw_test_expect_cuts_fail(pgw_kind kind,
                                             const unsigned char *p, size_t n) {
  for (size_t cut = 0; cut < n; cut++) {
    pgw_message m;
    pgw_error e;
    int rc = pgw_test_decode_copy(kind, p, cut, 0, &m, &e);
    CHECK(rc == PGW_ERR_TRUNCATED || rc == PGW_ERR_NO_TERMINATOR ||
          rc == PGW_ERR_BAD_COUNT);
    CHECK_EQ_INT(e.code, rc);
    CHECK(e.offset <= cut);
    CHECK(e.reason != NULL);
  }
}

/* ---- encoding ----------------------------------------------------------- */

/* Encoding m must give exactly w's bytes, also through the size query (no
 * buffer), a buffer one byte short (both report the size) and a pgw_buf. */
static inline void pgw_test_enc_same(const pgw_message *m,
                                     const pgw_test_wire *w) {
  unsigned char out[sizeof w->b];
  size_t len = 0;
  CHECK_EQ_INT(pgw_message_encode(m, NULL, 0, &len), PGW_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ_INT(len, w->n);
  CHECK_EQ_INT(pgw_message_encode(m, out, w->n - 1, &len),
               PGW_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ_INT(len, w->n);
  CHECK_EQ_INT(pgw_message_encode(m, out, sizeof out, &len), PGW_OK);
  CHECK_MEM(out, len, w->b, w->n);
  pgw_buf b;
  pgw_test_counter cnt = {0, 0, 0};
  pgw_allocator a = pgw_test_allocator(&cnt);
  pgw_buf_init(&b, &a);
  CHECK_EQ_INT(pgw_message_encode_buf(m, &b), PGW_OK);
  CHECK_MEM(b.data, b.len, w->b, w->n);
  pgw_buf_free(&b);
}

/* The result of encoding m into a buffer large enough for any fixture. */
static inline int pgw_test_encode_rc(const pgw_message *m) {
  unsigned char out[4096];
  size_t len;
  return pgw_message_encode(m, out, sizeof out, &len);
}

/* Decode a fixture and re-encode it byte-exactly, reject one trailing
 * byte, and reject every truncation (pgw_test_expect_cuts_fail). */
static inline void pgw_test_roundtrip_and_cuts(pgw_kind kind, const char *hex) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  const unsigned char *p = pgw_test_payload(&w);
  size_t n = pgw_test_payload_len(&w);
  pgw_message m;
  if (pgw_test_dec_ok(kind, &w, 0, &m) == 0) pgw_test_enc_same(&m, &w);
  unsigned char longer[sizeof w.b + 1];
  memcpy(longer, p, n);
  longer[n] = 0;
  EXPECT_DECODE_FAIL(kind, longer, n + 1, PGW_ERR_TRAILING_BYTES, n);
  pgw_test_expect_cuts_fail(kind, p, n);
}

#ifdef PGW_TEST_FAMILY_ENCODE
/* Encode m's payload with the family encoder under test: it counts what
 * does not fit, so *len is the full size even when cap is too small. */
static inline int pgw_test_encode_payload(const pgw_message *m,
                                          unsigned char *buf, size_t cap,
                                          size_t *len) {
  pgw_wr w;
  w.buf = buf;
  w.len = 0;
  w.cap = cap;
  int rc = PGW_TEST_FAMILY_ENCODE(m, &w);
  *len = w.len;
  return rc;
}

/* The family codec alone re-encodes w's payload, decoded in place,
 * byte-exactly (also the size query and a buffer one byte short), and so
 * does the public API for the whole message (pgw_test_enc_same). */
static inline void pgw_test_family_roundtrip(pgw_kind kind,
                                             const pgw_test_wire *w) {
  const unsigned char *p = pgw_test_payload(w);
  size_t n = pgw_test_payload_len(w);
  pgw_message m;
  unsigned char out[sizeof w->b];
  size_t len = 0;
  CHECK_EQ_INT(pgw_test_decode(kind, p, n, 0, &m, NULL), 0);
  CHECK_EQ_INT(pgw_test_encode_payload(&m, NULL, 0, &len), 0);
  CHECK_EQ_INT(len, n);
  if (n > 0) {
    CHECK_EQ_INT(pgw_test_encode_payload(&m, out, n - 1, &len), 0);
    CHECK_EQ_INT(len, n);
  }
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, p, n);
  /* Through the public API: the whole message comes back byte-exact. */
  pgw_error e;
  CHECK_EQ_INT(pgw_message_decode(kind, p, n, 0, &m, &e), 0);
  pgw_test_enc_same(&m, w);
}

/* The family codec refuses a kind it does not own (Query) both ways: m
 * (its body left as it is) to encode, w's payload to decode. */
static inline void pgw_test_family_refuses_query(pgw_message *m,
                                                 const pgw_test_wire *w) {
  unsigned char out[sizeof w->b];
  size_t len;
  m->kind = PGW_MSG_QUERY;
  CHECK_EQ_INT(pgw_test_encode_payload(m, out, sizeof out, &len),
               PGW_ERR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pgw_test_decode_copy(PGW_MSG_QUERY, pgw_test_payload(w),
                                    pgw_test_payload_len(w), 0, m, NULL),
               PGW_ERR_INVALID_ARGUMENT);
}
#endif

static inline int pgw_test_done(const char *name) {
  free(pgw_test_heap);
  pgw_test_heap = NULL;
  printf("%s: %d checks, %d failed\n", name, pgw_test_checks,
         pgw_test_failures);
  return pgw_test_failures ? 1 : 0;
}

#endif /* PGW_TEST_H */
