/* test_replication.c - pgw/replication.h on real bytes: every CopyData
 * payload of the recorded replication sessions (fixtures_replication.h,
 * generated from conformance/sessions/replication) decodes, re-encodes
 * byte for byte, and fails as it must when truncated, extended or
 * mutated. */
#include "pgw_test.h"

#include "fixtures_replication.h"

#define NFIX (sizeof repl_fixtures / sizeof repl_fixtures[0])

static unsigned char buf[65536], enc[65536];

static size_t load(const repl_fixture *f) {
  return pgw_test_hex(f->hex, buf, sizeof buf);
}

static int decode(const repl_fixture *f, const uint8_t *p, size_t n,
                  pgw_error *e) {
  pgw_repl_msg m;
  pgw_lrep_msg l;
  if (f->ctx == 2)
    return pgw_lrep_decode(p, n, f->version, f->in_stream, &l, e);
  return pgw_repl_decode(f->ctx ? PGW_REPL_BASE_BACKUP : PGW_REPL_STREAMING,
                         f->dir ? PGW_BACKEND : PGW_FRONTEND, p, n, &m, e);
}

/* Decode, check the kind, re-encode: the same bytes. */
static void roundtrip(const repl_fixture *f) {
  size_t n = load(f), len = 0;
  pgw_error e;
  int rc;
  if (f->ctx == 2) {
    pgw_lrep_msg m;
    rc = pgw_lrep_decode(buf, n, f->version, f->in_stream, &m, &e);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(m.kind, buf[0]);
    CHECK(pgw_lrep_kind_name(m.kind) != NULL);
    CHECK_EQ_INT(pgw_lrep_encode(&m, enc, sizeof enc, &len), 0);
  } else {
    pgw_repl_msg m;
    rc = decode(f, buf, n, &e);
    CHECK_EQ_INT(rc, 0);
    pgw_repl_decode(f->ctx ? PGW_REPL_BASE_BACKUP : PGW_REPL_STREAMING,
                    f->dir ? PGW_BACKEND : PGW_FRONTEND, buf, n, &m, &e);
    CHECK(m.kind != PGW_REPL_UNKNOWN);
    CHECK_EQ_INT(pgw_repl_encode(&m, enc, sizeof enc, &len), 0);
  }
  if (rc) fprintf(stderr, "  %s: %s at %zu\n", f->source, e.reason, e.offset);
  CHECK_EQ_INT(len, n);
  CHECK(memcmp(enc, buf, n) == 0);
}

/* A prefix that is itself a whole message: XLogData and archive data end
 * anywhere after their header; Stream Abort of version 4 may stop after
 * the subtransaction id. */
static int prefix_valid(const repl_fixture *f, size_t k) {
  if (f->ctx != 2)
    return (buf[0] == 'w' && k >= 25) ||
           (buf[0] == 'd' && f->ctx == 1 && k >= 1);
  return buf[0] == 'A' && f->version >= 4 && k == 9;
}

static void truncations(const repl_fixture *f) {
  size_t n = load(f);
  for (size_t k = 0; k < n; k++) {
    pgw_error e;
    memset(&e, 0, sizeof e);
    int rc = decode(f, buf, k, &e);
    if (prefix_valid(f, k)) continue;
    CHECK(rc != 0);
    if (rc == 0)
      fprintf(stderr, "  %s: prefix %zu of %zu decodes\n", f->source, k, n);
    if (rc != 0) CHECK(e.rule != NULL && e.reason != NULL && e.offset <= k);
  }
}

static void trailing(const repl_fixture *f) {
  size_t n = load(f);
  pgw_error e;
  buf[n] = 0;
  int rc = decode(f, buf, n + 1, &e);
  if (f->ctx != 2 && (buf[0] == 'w' || (f->ctx == 1 && buf[0] == 'd'))) {
    CHECK_EQ_INT(rc, 0); /* data runs to the end */
    return;
  }
  if (f->ctx == 2 && buf[0] == 'A' && f->version >= 4 && n == 9) {
    CHECK_EQ_INT(rc, PGW_ERR_TRUNCATED); /* a partial abort LSN */
    return;
  }
  CHECK_EQ_INT(rc, PGW_ERR_TRAILING_BYTES);
  CHECK_EQ_INT(e.offset, n);
  CHECK(e.rule != NULL);
}

static void unknown_type(const repl_fixture *f) {
  size_t n = load(f);
  pgw_error e;
  buf[0] = 'Z';
  CHECK_EQ_INT(decode(f, buf, n, &e), PGW_ERR_UNKNOWN_TYPE);
  CHECK_EQ_INT(e.offset, 0);
  CHECK(e.rule != NULL && e.rule->level == PGW_LEVEL_REFERENCE);
}

static void test_fixtures(void) {
  int kinds[3][256] = {{0}};
  for (size_t i = 0; i < NFIX; i++) {
    const repl_fixture *f = &repl_fixtures[i];
    roundtrip(f);
    truncations(f);
    trailing(f);
    unknown_type(f);
    load(f);
    kinds[f->ctx][buf[0]]++;
  }
  /* what the recordings cover */
  CHECK(kinds[0]['w'] && kinds[0]['k'] && kinds[0]['r'] && kinds[0]['h']);
  CHECK(kinds[1]['n'] && kinds[1]['p'] && kinds[1]['m']);
  const char *all = "BMCORYIUDTSEcAbPKrp";
  for (const char *k = all; *k; k++) {
    CHECK(kinds[2][(unsigned char)*k] > 0);
    if (!kinds[2][(unsigned char)*k])
      fprintf(stderr, "  no fixture for '%c'\n", *k);
  }
}

/* The rule each trailing byte breaks: the walreceiver checks a
 * keepalive's exact length; the walsender never checks the end. */
static void test_trailing_rules(void) {
  for (size_t i = 0; i < NFIX; i++) {
    const repl_fixture *f = &repl_fixtures[i];
    size_t n = load(f);
    pgw_error e;
    if (f->ctx != 0 || (buf[0] != 'k' && buf[0] != 'r')) continue;
    buf[n] = 0;
    CHECK_EQ_INT(decode(f, buf, n + 1, &e), PGW_ERR_TRAILING_BYTES);
    CHECK(strcmp(e.rule->id, buf[0] == 'k' ? "replication.keepalive.length"
                                           : "replication.trailing") == 0);
    CHECK_EQ_INT(e.rule->level,
                 buf[0] == 'k' ? PGW_LEVEL_REFERENCE : PGW_LEVEL_DOCUMENTED);
  }
}

/* The encoders' edges on every fixture: a buffer one byte short (the size
 * needed still told), no length pointer, the growable buffer. */
static void test_encode_edges(void) {
  for (size_t i = 0; i < NFIX; i++) {
    const repl_fixture *f = &repl_fixtures[i];
    size_t n = load(f), len = 0;
    pgw_error e;
    pgw_buf b;
    pgw_buf_init(&b, NULL);
    if (f->ctx == 2) {
      pgw_lrep_msg m;
      if (pgw_lrep_decode(buf, n, f->version, f->in_stream, &m, &e)) continue;
      CHECK_EQ_INT(pgw_lrep_encode(&m, enc, n - 1, &len),
                   PGW_ERR_BUFFER_TOO_SMALL);
      CHECK_EQ_INT(len, n);
      CHECK_EQ_INT(pgw_lrep_encode(&m, enc, sizeof enc, NULL), 0);
      CHECK_EQ_INT(pgw_lrep_encode_buf(&m, &b), 0);
    } else {
      pgw_repl_msg m;
      if (pgw_repl_decode(f->ctx ? PGW_REPL_BASE_BACKUP : PGW_REPL_STREAMING,
                          f->dir ? PGW_BACKEND : PGW_FRONTEND, buf, n, &m, &e))
        continue;
      CHECK_EQ_INT(pgw_repl_encode(&m, enc, n - 1, &len),
                   PGW_ERR_BUFFER_TOO_SMALL);
      CHECK_EQ_INT(len, n);
      CHECK_EQ_INT(pgw_repl_encode(&m, enc, sizeof enc, NULL), 0);
      CHECK_EQ_INT(pgw_repl_encode_buf(&m, &b), 0);
    }
    CHECK_EQ_INT(b.len, n);
    CHECK(memcmp(b.data, buf, n) == 0);
    pgw_buf_free(&b);
  }
}

/* Built messages: a negative timestamp round-trips, an unknown kind and a
 * NUL inside a string are refused, the growable buffer refuses NULL. */
static void test_built(void) {
  pgw_repl_msg m, back;
  pgw_error e;
  size_t len = 0;
  memset(&m, 0, sizeof m);
  m.kind = PGW_REPL_PRIMARY_KEEPALIVE;
  m.u.keepalive.wal_end = 0x1234;
  m.u.keepalive.send_time = -5;
  CHECK_EQ_INT(pgw_repl_encode(&m, enc, sizeof enc, &len), 0);
  CHECK_EQ_INT(
      pgw_repl_decode(PGW_REPL_STREAMING, PGW_BACKEND, enc, len, &back, &e), 0);
  CHECK(back.u.keepalive.send_time == -5);
  m.kind = PGW_REPL_UNKNOWN;
  CHECK_EQ_INT(pgw_repl_encode(&m, enc, sizeof enc, &len),
               PGW_ERR_INVALID_ARGUMENT);
  memset(&m, 0, sizeof m);
  m.kind = PGW_REPL_BACKUP_NEW_ARCHIVE;
  m.u.new_archive.name.ptr = "a\0b";
  m.u.new_archive.name.len = 3;
  m.u.new_archive.location = PGW_STR("");
  CHECK_EQ_INT(pgw_repl_encode(&m, enc, sizeof enc, &len), PGW_ERR_BAD_VALUE);
  CHECK_EQ_INT(pgw_repl_encode_buf(&m, NULL), PGW_ERR_INVALID_ARGUMENT);
}

int main(void) {
  test_fixtures();
  test_trailing_rules();
  test_encode_edges();
  test_built();
  return pgw_test_done("replication");
}
