/*
 * test_decoder.c - the stream decoder: every split of real streams gives the
 * same messages, whole messages are zero-copy, limits are checked before
 * anything is buffered, errors are sticky with offsets, steady state does
 * not allocate.
 */
#include "fixtures_psql15.h"
#include "pgw_test.h"

static unsigned char fe[4096], be[4096];
static size_t fe_len, be_len;

typedef struct seen {
  pgw_kind kind;
  size_t offset, wire_len;
} seen;

/* Decode stream s[0..n) fed in chunks cut at the given points (sorted,
 * strictly inside); record what comes out. Returns the final status. */
static int run(pgw_dir dir, const unsigned char *s, size_t n,
               const size_t *cuts, size_t ncuts, seen *out, size_t *nout,
               const pgw_allocator *alloc) {
  pgw_decoder d;
  pgw_decoder_options o;
  memset(&o, 0, sizeof o);
  o.allocator = alloc;
  pgw_decoder_init(&d, dir, &o);
  size_t start = 0;
  int rc = 0;
  *nout = 0;
  for (size_t c = 0; c <= ncuts; c++) {
    size_t end = c < ncuts ? cuts[c] : n;
    CHECK_EQ_INT(pgw_decoder_feed(&d, s + start, end - start), 0);
    pgw_message m;
    while ((rc = pgw_decoder_next(&d, &m)) == PGW_OK) {
      /* The message's wire bytes re-encode exactly. */
      unsigned char enc[1024];
      size_t elen = 0;
      int erc = pgw_message_encode(&m, enc, sizeof enc, &elen);
      CHECK_EQ_INT(erc, 0);
      CHECK_MEM(enc, elen, s + m.offset, m.wire_len);
      out[(*nout)++] = (seen){m.kind, m.offset, m.wire_len};
    }
    if (rc != PGW_NEED_MORE) break;
    start = end;
  }
  if (rc == PGW_NEED_MORE) rc = pgw_decoder_finish(&d);
  pgw_decoder_free(&d);
  return rc;
}

static void check_same(const seen *a, size_t na, const seen *b, size_t nb) {
  CHECK_EQ_INT(na, nb);
  for (size_t i = 0; i < na && i < nb; i++) {
    CHECK_EQ_INT(a[i].kind, b[i].kind);
    CHECK_EQ_INT(a[i].offset, b[i].offset);
    CHECK_EQ_INT(a[i].wire_len, b[i].wire_len);
  }
}

static void test_splits(pgw_dir dir, const unsigned char *s, size_t n,
                        const pgw_kind *expect, size_t nexpect) {
  seen whole[64], part[64];
  size_t nwhole, npart;
  CHECK_EQ_INT(run(dir, s, n, NULL, 0, whole, &nwhole, NULL), 0);
  CHECK_EQ_INT(nwhole, nexpect);
  for (size_t i = 0; i < nwhole && i < nexpect; i++)
    CHECK_EQ_INT(whole[i].kind, expect[i]);
  /* One cut at every offset. */
  for (size_t cut = 1; cut < n; cut++) {
    CHECK_EQ_INT(run(dir, s, n, &cut, 1, part, &npart, NULL), 0);
    check_same(whole, nwhole, part, npart);
  }
  /* One byte at a time. */
  static size_t cuts[4096];
  for (size_t i = 1; i < n; i++)
    cuts[i - 1] = i;
  CHECK_EQ_INT(run(dir, s, n, cuts, n - 1, part, &npart, NULL), 0);
  check_same(whole, nwhole, part, npart);
  /* Two cuts at every pair of offsets 7 apart (three chunks). */
  for (size_t a = 1; a + 7 < n; a++) {
    size_t two[2] = {a, a + 7};
    CHECK_EQ_INT(run(dir, s, n, two, 2, part, &npart, NULL), 0);
    check_same(whole, nwhole, part, npart);
  }
}

static void test_zero_copy_and_allocs(void) {
  pgw_test_counter cnt = {0, 0, 0};
  pgw_allocator a = pgw_test_allocator(&cnt);
  pgw_decoder d;
  pgw_decoder_options o;
  memset(&o, 0, sizeof o);
  o.allocator = &a;
  pgw_decoder_init(&d, PGW_BACKEND, &o);
  /* Whole chunk: every view points into it, nothing allocated. */
  CHECK_EQ_INT(pgw_decoder_feed(&d, be, be_len), 0);
  pgw_message m;
  int rc;
  while ((rc = pgw_decoder_next(&d, &m)) == PGW_OK) {
    CHECK(m.payload.ptr >= be && m.payload.ptr + m.payload.len <= be + be_len);
  }
  CHECK_EQ_INT(rc, PGW_NEED_MORE);
  CHECK_EQ_INT(cnt.allocs + cnt.reallocs, 0);
  /* Split messages: the first split allocates the buffer; replaying the
   * same stream in the same pieces allocates nothing more. */
  for (int pass = 0; pass < 3; pass++) {
    size_t before = cnt.allocs + cnt.reallocs;
    for (size_t i = 0; i < be_len; i += 100) {
      size_t len = be_len - i < 100 ? be_len - i : 100;
      CHECK_EQ_INT(pgw_decoder_feed(&d, be + i, len), 0);
      while ((rc = pgw_decoder_next(&d, &m)) == PGW_OK) {
      }
      CHECK_EQ_INT(rc, PGW_NEED_MORE);
    }
    if (pass > 0) CHECK_EQ_INT(cnt.allocs + cnt.reallocs, before);
  }
  CHECK_EQ_INT(pgw_decoder_finish(&d), 0);
  pgw_decoder_free(&d);
  CHECK(cnt.frees <= cnt.allocs + cnt.reallocs);
}

/* The largest block asked of the allocator. */
static void *largest_realloc(void *p, size_t n, void *u) {
  size_t *largest = u;
  if (n > *largest) *largest = n;
  return realloc(p, n);
}
static void *largest_malloc(size_t n, void *u) {
  return largest_realloc(NULL, n, u);
}
static void largest_free(void *p, void *u) {
  (void)u;
  free(p);
}

/* A message announced as 1 GiB - 2 (PostgreSQL's largest) costs memory as
 * its bytes arrive, not as announced (MSan found the up-front reserve);
 * the message still reassembles whole when its bytes are there. */
static void test_buffer_grows_with_bytes(void) {
  size_t largest = 0;
  pgw_allocator a = {largest_malloc, largest_realloc, largest_free, &largest};
  pgw_decoder_options o;
  memset(&o, 0, sizeof o);
  o.allocator = &a;
  pgw_decoder d;
  pgw_decoder_init(&d, PGW_FRONTEND, &o);
  pgw_decoder_set_framing(&d, PGW_FRAMING_STANDARD);
  static unsigned char q[8192] = {'Q', 0x3f, 0xff, 0xff, 0xfe};
  pgw_message m;
  for (int i = 0; i < 4; i++) {
    CHECK_EQ_INT(pgw_decoder_feed(&d, q + (i ? 5 : 0), sizeof q - 5), 0);
    CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_NEED_MORE);
  }
  CHECK(largest <= 65536); /* 4 x 8 KiB arrived */
  pgw_decoder_free(&d);
  /* A split message of 20000 bytes still arrives whole. */
  largest = 0;
  pgw_decoder_init(&d, PGW_FRONTEND, &o);
  pgw_decoder_set_framing(&d, PGW_FRAMING_STANDARD);
  static unsigned char big[20001];
  memset(big, 'x', sizeof big);
  big[0] = 'Q';
  big[1] = 0, big[2] = 0, big[3] = 0x4e, big[4] = 0x20; /* 20000 */
  big[sizeof big - 1] = 0;
  for (size_t at = 0; at < sizeof big; at += 777) {
    size_t n = sizeof big - at < 777 ? sizeof big - at : 777;
    CHECK_EQ_INT(pgw_decoder_feed(&d, big + at, n), 0);
    int rc = pgw_decoder_next(&d, &m);
    CHECK_EQ_INT(rc, at + n == sizeof big ? PGW_OK : PGW_NEED_MORE);
  }
  CHECK_EQ_INT(m.kind, PGW_MSG_QUERY);
  CHECK_EQ_INT(m.wire_len, sizeof big);
  CHECK_EQ_INT(m.body.query.text.len, sizeof big - 6);
  CHECK(largest == sizeof big); /* never past the announced length */
  pgw_decoder_free(&d);
}

/* Feed bytes; return the first non-OK status of next(). */
static int first_status(pgw_decoder *d, const unsigned char *s, size_t n,
                        pgw_message *m) {
  int rc;
  CHECK_EQ_INT(pgw_decoder_feed(d, s, n), 0);
  while ((rc = pgw_decoder_next(d, m)) == PGW_OK) {
  }
  return rc;
}

static void test_framing_errors(void) {
  pgw_decoder d;
  pgw_message m;
  pgw_test_counter cnt = {0, 0, 0};
  pgw_allocator a = pgw_test_allocator(&cnt);
  pgw_decoder_options o;
  memset(&o, 0, sizeof o);
  o.allocator = &a;

  /* Unknown type byte: rejected on the first byte, with its offset. The
   * stream is ReadyForQuery from the fixture followed by '!' */
  unsigned char s[64];
  size_t n = pgw_test_hex("5a0000000549 21", s, sizeof s);
  pgw_decoder_init(&d, PGW_BACKEND, &o);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_ERR_UNKNOWN_TYPE);
  CHECK_EQ_INT(pgw_decoder_error(&d)->offset, 6);
  CHECK(pgw_decoder_error(&d)->reason != NULL);
  /* Sticky. */
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_ERR_UNKNOWN_TYPE);
  pgw_decoder_free(&d);

  /* A frontend 'Z' is unknown too (it is a backend type). */
  pgw_decoder_init(&d, PGW_FRONTEND, &o);
  pgw_decoder_set_framing(&d, PGW_FRAMING_STANDARD);
  CHECK_EQ_INT(first_status(&d, s, 1, &m), PGW_ERR_UNKNOWN_TYPE);
  pgw_decoder_free(&d);

  /* Length word below 4. */
  n = pgw_test_hex("5a00000003", s, sizeof s);
  pgw_decoder_init(&d, PGW_BACKEND, &o);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_ERR_BAD_LENGTH);
  CHECK_EQ_INT(pgw_decoder_error(&d)->offset, 1);
  pgw_decoder_free(&d);

  /* Oversize DataRow announced (1 GiB): rejected before any buffering,
   * even when the header arrives split. */
  n = pgw_test_hex("44 40000000", s, sizeof s);
  cnt.allocs = cnt.reallocs = 0;
  pgw_decoder_init(&d, PGW_BACKEND, &o);
  CHECK_EQ_INT(first_status(&d, s, 2, &m), PGW_NEED_MORE);
  CHECK_EQ_INT(first_status(&d, s + 2, n - 2, &m), PGW_ERR_TOO_LARGE);
  CHECK_EQ_INT(cnt.allocs + cnt.reallocs, 0);
  pgw_decoder_free(&d);

  /* Per-type limit: a ReadyForQuery announcing 40000 bytes (libpq's 30000
   * rule), and a configured max_message_len. */
  n = pgw_test_hex("5a 00009c40", s, sizeof s);
  pgw_decoder_init(&d, PGW_BACKEND, &o);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_ERR_TOO_LARGE);
  pgw_decoder_free(&d);
  o.max_message_len = 100;
  n = pgw_test_hex("44 00000100", s, sizeof s);
  pgw_decoder_init(&d, PGW_BACKEND, &o);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_ERR_TOO_LARGE);
  pgw_decoder_free(&d);
  o.max_message_len = 0;

  /* Frontend small message over PostgreSQL's 10000-byte limit (Sync). */
  n = pgw_test_hex("53 00002716", s, sizeof s);
  pgw_decoder_init(&d, PGW_FRONTEND, &o);
  pgw_decoder_set_framing(&d, PGW_FRAMING_STANDARD);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_ERR_TOO_LARGE);
  pgw_decoder_free(&d);

  /* Startup packet: length below 8, above 10004. */
  n = pgw_test_hex("00000007", s, sizeof s);
  pgw_decoder_init(&d, PGW_FRONTEND, &o);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_ERR_BAD_LENGTH);
  pgw_decoder_free(&d);
  n = pgw_test_hex("00002715", s, sizeof s);
  pgw_decoder_init(&d, PGW_FRONTEND, &o);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_ERR_TOO_LARGE);
  pgw_decoder_free(&d);

  /* Direct SSL: a TLS handshake record header where the startup packet
   * was due (record type 0x16, TLS 1.0 record version, as every
   * ClientHello starts). */
  n = pgw_test_hex("16 0301 0200", s, sizeof s);
  pgw_decoder_init(&d, PGW_FRONTEND, &o);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_DIRECT_SSL);
  CHECK_EQ_INT(pgw_decoder_offset(&d), 0);
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_DIRECT_SSL);
  /* The caller terminates TLS and continues with decrypted bytes. */
  pgw_decoder_reset(&d, PGW_FRAMING_STARTUP, 0);
  CHECK_EQ_INT(first_status(&d, fe, 0x3f, &m), PGW_NEED_MORE);
  CHECK_EQ_INT(m.kind, PGW_MSG_STARTUP_MESSAGE);
  CHECK_EQ_INT(pgw_decoder_framing(&d), PGW_FRAMING_STANDARD);
  pgw_decoder_free(&d);

  /* End of stream inside a message, inside a header. */
  pgw_decoder_init(&d, PGW_BACKEND, &o);
  CHECK_EQ_INT(first_status(&d, be, 10, &m), PGW_NEED_MORE);
  CHECK_EQ_INT(pgw_decoder_finish(&d), PGW_ERR_END_OF_STREAM);
  CHECK_EQ_INT(pgw_decoder_error(&d)->offset, 9);
  pgw_decoder_free(&d);
  pgw_decoder_init(&d, PGW_BACKEND, &o);
  CHECK_EQ_INT(first_status(&d, be, 3, &m), PGW_NEED_MORE);
  CHECK_EQ_INT(pgw_decoder_finish(&d), PGW_ERR_END_OF_STREAM);
  CHECK_EQ_INT(pgw_decoder_error(&d)->offset, 0);
  pgw_decoder_free(&d);

  /* Feeding while bytes are unread is misuse. */
  pgw_decoder_init(&d, PGW_BACKEND, &o);
  CHECK_EQ_INT(pgw_decoder_feed(&d, be, be_len), 0);
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_OK);
  CHECK_EQ_INT(pgw_decoder_feed(&d, be, be_len), PGW_ERR_INVALID_ARGUMENT);
  pgw_decoder_free(&d);
}

static void test_content_error_offset(void) {
  /* The fixture's ReadyForQuery with its status byte changed to '?': the
   * error offset is the stream offset of that byte. */
  unsigned char s[4096];
  memcpy(s, be, be_len);
  s[be_len - 1] = '?';
  pgw_decoder d;
  pgw_message m;
  pgw_decoder_init(&d, PGW_BACKEND, NULL);
  CHECK_EQ_INT(first_status(&d, s, be_len, &m), PGW_ERR_BAD_VALUE);
  CHECK_EQ_INT(pgw_decoder_error(&d)->offset, be_len - 1);
  pgw_decoder_free(&d);

  /* Lenient: the message is delivered, marked malformed, and decoding
   * goes on; an unknown type byte becomes PGW_MSG_UNKNOWN. */
  pgw_decoder_options o;
  memset(&o, 0, sizeof o);
  o.lenient = 1;
  pgw_decoder_init(&d, PGW_BACKEND, &o);
  CHECK_EQ_INT(pgw_decoder_feed(&d, s, be_len), 0);
  int rc, malformed = 0;
  while ((rc = pgw_decoder_next(&d, &m)) == PGW_OK)
    if (m.malformed) {
      malformed++;
      CHECK_EQ_INT(m.malformed, PGW_ERR_BAD_VALUE);
      CHECK_EQ_INT(m.kind, PGW_MSG_READY_FOR_QUERY);
    }
  CHECK_EQ_INT(rc, PGW_NEED_MORE);
  CHECK_EQ_INT(malformed, 1);
  unsigned char u[16];
  size_t n = pgw_test_hex("21 00000005 00", u, sizeof u);
  CHECK_EQ_INT(pgw_decoder_feed(&d, u, n), 0);
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_OK);
  CHECK_EQ_INT(m.kind, PGW_MSG_UNKNOWN);
  CHECK_EQ_INT(m.type, '!');
  CHECK_EQ_INT(m.payload.len, 1);
  pgw_decoder_free(&d);
}

static void test_framing_change_with_partial_message(void) {
  /* A hostile server answers GSSENCRequest with 'N' followed by 4 bytes of
   * a header, then the client falls back to SSLRequest (as libpq does with
   * gssencmode=prefer): the buffered bytes were sent out of turn. */
  unsigned char s[64];
  size_t n = pgw_test_hex("4e 5a000000", s, sizeof s);
  pgw_decoder d;
  pgw_message m;
  pgw_decoder_init(&d, PGW_BACKEND, NULL);
  CHECK_EQ_INT(pgw_decoder_expect_answer(&d, PGW_MSG_GSSENC_RESPONSE), 0);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_NEED_MORE);
  CHECK_EQ_INT(pgw_decoder_expect_answer(&d, PGW_MSG_SSL_RESPONSE), 0);
  memset(s, 'A', 40);
  CHECK_EQ_INT(first_status(&d, s, 40, &m), PGW_ERR_UNEXPECTED_MESSAGE);
  CHECK_EQ_INT(pgw_decoder_error(&d)->offset, 1);
  pgw_decoder_free(&d);
  /* The same with a whole header and part of the payload buffered. */
  n = pgw_test_hex("4e 5a00000005", s, sizeof s);
  pgw_decoder_init(&d, PGW_BACKEND, NULL);
  CHECK_EQ_INT(pgw_decoder_expect_answer(&d, PGW_MSG_GSSENC_RESPONSE), 0);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_NEED_MORE);
  pgw_decoder_set_framing(&d, PGW_FRAMING_NEGOTIATION);
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_ERR_UNEXPECTED_MESSAGE);
  CHECK_EQ_INT(pgw_decoder_error(&d)->offset, 1);
  pgw_decoder_free(&d);
}

static void test_negotiation(void) {
  /* SSLRequest answered 'N', then the StartupMessage: real bytes from a
   * psql 15 session with sslmode=prefer against a server without SSL. */
  unsigned char s[16];
  size_t n = pgw_test_hex("4e", s, sizeof s);
  pgw_decoder d;
  pgw_message m;
  pgw_decoder_init(&d, PGW_BACKEND, NULL);
  pgw_decoder_set_framing(&d, PGW_FRAMING_NEGOTIATION);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_NEED_MORE);
  CHECK_EQ_INT(m.kind, PGW_MSG_SSL_RESPONSE);
  CHECK_EQ_INT(m.body.encryption.answer, 'N');
  CHECK_EQ_INT(pgw_decoder_framing(&d), PGW_FRAMING_STANDARD);
  unsigned char out[4];
  size_t olen = 0;
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &olen), 0);
  CHECK_MEM(out, olen, s, n);
  m.body.encryption.answer = 'G'; /* not an answer to SSLRequest */
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &olen),
               PGW_ERR_BAD_VALUE);
  /* GSSENC answer 'G'; an 'S' there is an unknown code. */
  n = pgw_test_hex("47", s, sizeof s);
  CHECK_EQ_INT(pgw_decoder_expect_answer(&d, PGW_MSG_GSSENC_RESPONSE), 0);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_NEED_MORE);
  CHECK_EQ_INT(m.kind, PGW_MSG_GSSENC_RESPONSE);
  CHECK_EQ_INT(pgw_decoder_expect_answer(&d, PGW_MSG_GSSENC_RESPONSE), 0);
  n = pgw_test_hex("53", s, sizeof s);
  CHECK_EQ_INT(first_status(&d, s, n, &m), PGW_ERR_UNKNOWN_CODE);
  pgw_decoder_free(&d);
  /* An ErrorResponse in place of the answer is framed as a message: the
   * fixture's ErrorResponse. */
  pgw_decoder_init(&d, PGW_BACKEND, NULL);
  pgw_decoder_set_framing(&d, PGW_FRAMING_NEGOTIATION);
  size_t at = 0;
  while (be[at] != 'E')
    at += 1 + ((size_t)be[at + 1] << 24 | (size_t)be[at + 2] << 16 |
               (size_t)be[at + 3] << 8 | be[at + 4]);
  CHECK_EQ_INT(first_status(&d, be + at, be_len - at, &m), PGW_NEED_MORE);
  pgw_decoder_free(&d);
}

int main(void) {
  test_buffer_grows_with_bytes();
  fe_len = pgw_test_hex(psql15_frontend_hex, fe, sizeof fe);
  be_len = pgw_test_hex(psql15_backend_hex, be, sizeof be);
  static const pgw_kind fe_kinds[] = {PGW_MSG_STARTUP_MESSAGE, PGW_MSG_QUERY,
                                      PGW_MSG_QUERY, PGW_MSG_TERMINATE};
  test_splits(PGW_FRONTEND, fe, fe_len, fe_kinds, 4);
  static const pgw_kind be_kinds[] = {
      PGW_MSG_AUTHENTICATION,   PGW_MSG_PARAMETER_STATUS,
      PGW_MSG_PARAMETER_STATUS, PGW_MSG_PARAMETER_STATUS,
      PGW_MSG_PARAMETER_STATUS, PGW_MSG_PARAMETER_STATUS,
      PGW_MSG_PARAMETER_STATUS, PGW_MSG_PARAMETER_STATUS,
      PGW_MSG_PARAMETER_STATUS, PGW_MSG_PARAMETER_STATUS,
      PGW_MSG_PARAMETER_STATUS, PGW_MSG_PARAMETER_STATUS,
      PGW_MSG_PARAMETER_STATUS, PGW_MSG_PARAMETER_STATUS,
      PGW_MSG_BACKEND_KEY_DATA, PGW_MSG_READY_FOR_QUERY,
      PGW_MSG_ROW_DESCRIPTION,  PGW_MSG_DATA_ROW,
      PGW_MSG_DATA_ROW,         PGW_MSG_DATA_ROW,
      PGW_MSG_COMMAND_COMPLETE, PGW_MSG_READY_FOR_QUERY,
      PGW_MSG_ERROR_RESPONSE,   PGW_MSG_READY_FOR_QUERY};
  test_splits(PGW_BACKEND, be, be_len, be_kinds,
              sizeof be_kinds / sizeof be_kinds[0]);
  test_zero_copy_and_allocs();
  test_framing_errors();
  test_content_error_offset();
  test_negotiation();
  test_framing_change_with_partial_message();
  return pgw_test_done("decoder");
}
