/*
 * test_copy.c - CopyData, CopyFail, CopyIn/Out/BothResponse (copy.c).
 *
 * Every fixture is a whole message (type byte, length word, payload)
 * recorded from PostgreSQL 15.18 (Debian) through a hex-logging proxy;
 * see notes/fixtures-copy-async.md for the sessions they came from.
 */
#include "pgw_internal.h"
#define PGW_TEST_FAMILY_DECODE pgw__copy_decode
#define PGW_TEST_FAMILY_ENCODE pgw__copy_encode
#include "pgw_test.h"

/* psql: COPY t FROM STDIN (t is (a int, b text)) -> CopyInResponse, text. */
static const char COPY_IN_TEXT[] = "47 0000000b 00 0002 0000 0000";
/* psql: COPY t FROM STDIN (FORMAT binary) -> CopyInResponse, binary. */
static const char COPY_IN_BINARY[] = "47 0000000b 01 0002 0001 0001";
/* psql: COPY t TO STDOUT -> CopyOutResponse, text. */
static const char COPY_OUT_TEXT[] = "48 0000000b 00 0002 0000 0000";
/* psql: COPY t TO STDOUT (FORMAT binary) -> CopyOutResponse, binary. */
static const char COPY_OUT_BINARY[] = "48 0000000b 01 0002 0001 0001";
/* pg_recvlogical: START_REPLICATION SLOT "s1" LOGICAL 0/0 on a
 * replication=database connection -> CopyBothResponse, text, 0 columns. */
static const char COPY_BOTH[] = "57 00000007 00 0000";

/* psql: COPY t FROM STDIN, frontend CopyData "3\tthree\n4\t\\N\n". */
static const char DATA_FE_TEXT[] = "64 00000011 330974687265650a34095c4e0a";
/* psql: COPY t TO STDOUT (FORMAT binary), first backend CopyData: the
 * PGCOPY header and the first row (1, 'x'). */
static const char DATA_BE_BINARY_HEADER[] =
    "64 00000026 5047434f50590aff0d0a00000000000000000000020000000400000001"
    "0000000178";
/* Same session: row (2, NULL). */
static const char DATA_BE_BINARY_ROW_NULL[] =
    "64 00000012 00020000000400000002ffffffff";
/* Same session: the binary trailer (-1 field count). */
static const char DATA_BE_BINARY_TRAILER[] = "64 00000006 ffff";
/* python client in COPY t FROM STDIN: an empty CopyData, accepted by the
 * server (the COPY then went on to CopyFail, see COPY_FAIL). */
static const char DATA_FE_EMPTY[] = "64 00000004";
/* pg_recvlogical: XLogData carrying test_decoding's "BEGIN 727". */
static const char DATA_BE_XLOGDATA[] =
    "64 00000026 77000000000151fc30000000000151fc3000030420361a7c04424547494e"
    "20373237";
/* pg_recvlogical: standby status update ('r'). */
static const char DATA_FE_STANDBY_STATUS[] =
    "64 00000026 7200000000000000000000000000000000000000000000000000030420"
    "360345ec00";
/* python client during COPY t FROM STDIN; the server answered
 * ErrorResponse 57014 "COPY from stdin failed: aborted because of read
 * failure" (see test_async.c). */
static const char COPY_FAIL[] =
    "66 00000024 61626f727465642062656361757365206f662072656164206661696c7572"
    "6500";

/* ---- CopyIn/Out/BothResponse ---------------------------------------- */

static void check_response(pgw_kind kind, const char *hex, unsigned char type,
                           int format, size_t ncols) {
  pgw_test_wire f;
  pgw_message m;
  unsigned char buf[300];
  pgw_test_load(&f, hex, type);
  const unsigned char *pay = pgw_test_payload(&f);
  const size_t pay_len = pgw_test_payload_len(&f);
  CHECK_EQ_INT(pgw_test_decode(kind, pay, pay_len, 0, &m, NULL), 0);
  CHECK_EQ_INT(m.body.copy_response.format, format);
  CHECK_EQ_INT(m.body.copy_response.columns.count, ncols);
  CHECK(m.body.copy_response.columns.items == NULL);
  pgw_iter it = pgw_i16_iter(&m.body.copy_response.columns);
  int16_t v;
  size_t seen = 0;
  while (pgw_i16_next(&it, &v) == 1) {
    CHECK_EQ_INT(v, format);
    CHECK_EQ_INT(pgw_i16_get(&m.body.copy_response.columns, seen), format);
    seen++;
  }
  CHECK_EQ_INT(seen, ncols);
  pgw_test_family_roundtrip(kind, &f);

  /* Truncated at every byte: no format or count -> TRUNCATED; short
   * column list -> BAD_COUNT. */
  for (size_t n = 0; n < pay_len; n++) {
    if (n < 1)
      EXPECT_DECODE_FAIL(kind, pay, n, PGW_ERR_TRUNCATED, 0);
    else if (n < 3)
      EXPECT_DECODE_FAIL(kind, pay, n, PGW_ERR_TRUNCATED, 1);
    else
      EXPECT_DECODE_FAIL(kind, pay, n, PGW_ERR_BAD_COUNT, 3);
  }

  /* Trailing bytes. */
  memcpy(buf, pay, pay_len);
  buf[pay_len] = 0;
  EXPECT_DECODE_FAIL(kind, buf, pay_len + 1, PGW_ERR_TRAILING_BYTES, pay_len);
  buf[pay_len] = 0x01;
  buf[pay_len + 1] = 0x02;
  EXPECT_DECODE_FAIL(kind, buf, pay_len + 2, PGW_ERR_TRAILING_BYTES, pay_len);

  /* Overall format other than 0/1. */
  static const unsigned char bad_formats[] = {2, 0x7f, 0x80, 0xff};
  for (size_t i = 0; i < sizeof bad_formats; i++) {
    memcpy(buf, pay, pay_len);
    buf[0] = bad_formats[i];
    EXPECT_DECODE_FAIL(kind, buf, pay_len, PGW_ERR_BAD_VALUE, 0);
  }

  /* Count one more than the columns present -> BAD_COUNT. */
  memcpy(buf, pay, pay_len);
  buf[1] = (unsigned char)((ncols + 1) >> 8);
  buf[2] = (unsigned char)(ncols + 1);
  EXPECT_DECODE_FAIL(kind, buf, pay_len, PGW_ERR_BAD_COUNT, 3);
  /* Count read unsigned: 0xffff is 65535 columns, not -1. */
  buf[1] = 0xff;
  buf[2] = 0xff;
  EXPECT_DECODE_FAIL(kind, buf, pay_len, PGW_ERR_BAD_COUNT, 3);
  buf[1] = 0x80;
  buf[2] = 0x00;
  EXPECT_DECODE_FAIL(kind, buf, pay_len, PGW_ERR_BAD_COUNT, 3);
  if (ncols > 0) {
    /* Count one less: the last column format becomes trailing bytes. */
    buf[1] = (unsigned char)((ncols - 1) >> 8);
    buf[2] = (unsigned char)(ncols - 1);
    EXPECT_DECODE_FAIL(kind, buf, pay_len, PGW_ERR_TRAILING_BYTES, pay_len - 2);
    /* A column format other than 0/1, in each position. */
    for (size_t c = 0; c < ncols; c++) {
      static const unsigned char bad[][2] = {{0, 2}, {0xff, 0xff}, {1, 0}};
      for (size_t b = 0; b < 3; b++) {
        memcpy(buf, pay, pay_len);
        buf[3 + 2 * c] = bad[b][0];
        buf[4 + 2 * c] = bad[b][1];
        EXPECT_DECODE_FAIL(kind, buf, pay_len, PGW_ERR_BAD_VALUE, 3 + 2 * c);
      }
      /* Text COPY with a binary column. */
      if (format == 0) {
        memcpy(buf, pay, pay_len);
        buf[4 + 2 * c] = 1;
        EXPECT_DECODE_FAIL(kind, buf, pay_len, PGW_ERR_BAD_VALUE, 3 + 2 * c);
      }
    }
  }
}

static void test_responses(void) {
  check_response(PGW_MSG_COPY_IN_RESPONSE, COPY_IN_TEXT, 'G', 0, 2);
  check_response(PGW_MSG_COPY_IN_RESPONSE, COPY_IN_BINARY, 'G', 1, 2);
  check_response(PGW_MSG_COPY_OUT_RESPONSE, COPY_OUT_TEXT, 'H', 0, 2);
  check_response(PGW_MSG_COPY_OUT_RESPONSE, COPY_OUT_BINARY, 'H', 1, 2);
  check_response(PGW_MSG_COPY_BOTH_RESPONSE, COPY_BOTH, 'W', 0, 0);

  /* A binary COPY may not hold text columns either in practice, but the
   * documentation only constrains the text case: binary overall with a
   * text column decodes (and re-encodes). */
  pgw_test_wire f;
  pgw_test_load(&f, COPY_OUT_BINARY, 'H');
  f.b[5 + 4] = 0;
  pgw_test_family_roundtrip(PGW_MSG_COPY_OUT_RESPONSE, &f);
}

static void test_response_encode(void) {
  pgw_test_wire f;
  unsigned char out[64];
  size_t len;
  pgw_message m;
  int16_t binary2[2] = {1, 1};
  int16_t text2[2] = {0, 0};
  int16_t mixed[2] = {0, 1};
  int16_t two[2] = {1, 2};

  /* Built from items, the encoding equals the recorded bytes. */
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_COPY_OUT_RESPONSE;
  m.body.copy_response.format = 1;
  m.body.copy_response.columns.count = 2;
  m.body.copy_response.columns.items = binary2;
  pgw_test_load(&f, COPY_OUT_BINARY, 'H');
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, pgw_test_payload(&f), pgw_test_payload_len(&f));

  m.kind = PGW_MSG_COPY_IN_RESPONSE;
  m.body.copy_response.format = 0;
  m.body.copy_response.columns.items = text2;
  pgw_test_load(&f, COPY_IN_TEXT, 'G');
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, pgw_test_payload(&f), pgw_test_payload_len(&f));

  m.kind = PGW_MSG_COPY_BOTH_RESPONSE;
  m.body.copy_response.columns.count = 0;
  m.body.copy_response.columns.items = NULL;
  pgw_test_load(&f, COPY_BOTH, 'W');
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, pgw_test_payload(&f), pgw_test_payload_len(&f));

  /* Size query and a buffer that is too small report the full size. */
  m.kind = PGW_MSG_COPY_IN_RESPONSE;
  m.body.copy_response.columns.count = 2;
  m.body.copy_response.columns.items = text2;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, 3, &len), 0);
  CHECK_EQ_INT(len, 7);

  /* Bad values. */
  m.body.copy_response.format = 2;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
  m.body.copy_response.format = -1;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
  m.body.copy_response.format = 0;
  m.body.copy_response.columns.items = mixed;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
  m.body.copy_response.format = 1;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  m.body.copy_response.columns.items = two;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);

  /* Counts: over 65535, or raw bytes that disagree with the count. */
  m.body.copy_response.columns.items = NULL;
  m.body.copy_response.columns.count = 65536;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_COUNT);
  pgw_test_load(&f, COPY_OUT_BINARY, 'H');
  m.body.copy_response.columns.count = 3;
  m.body.copy_response.columns.raw.ptr = pgw_test_payload(&f) + 3;
  m.body.copy_response.columns.raw.len = 4;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_COUNT);

  /* Wrong kind. */
  pgw_test_family_refuses_query(&m, &f);
}

/* ---- CopyData --------------------------------------------------------- */

static void check_data(const char *hex) {
  pgw_test_wire f;
  pgw_message m;
  pgw_test_load(&f, hex, 'd');
  const unsigned char *pay = pgw_test_payload(&f);
  const size_t pay_len = pgw_test_payload_len(&f);
  CHECK_EQ_INT(pgw_test_decode(PGW_MSG_COPY_DATA, pay, pay_len, 0, &m, NULL),
               0);
  CHECK(m.body.copy_data.data.ptr == pay);
  CHECK_EQ_INT(m.body.copy_data.data.len, pay_len);
  pgw_test_family_roundtrip(PGW_MSG_COPY_DATA, &f);
  /* Opaque: every prefix is itself a valid CopyData payload (truncation
   * is caught by the framing, not here), and views the whole prefix. */
  for (size_t n = 0; n <= pay_len; n++) {
    CHECK_EQ_INT(pgw_test_decode(PGW_MSG_COPY_DATA, pay, n, 0, &m, NULL), 0);
    CHECK_EQ_INT(m.body.copy_data.data.len, n);
  }
  CHECK_EQ_INT(
      pgw_test_decode_copy(PGW_MSG_COPY_DATA, pay, pay_len, 0, &m, NULL), 0);
}

static void test_data(void) {
  check_data(DATA_FE_TEXT);
  check_data(DATA_BE_BINARY_HEADER);
  check_data(DATA_BE_BINARY_ROW_NULL);
  check_data(DATA_BE_BINARY_TRAILER);
  check_data(DATA_FE_EMPTY);
  check_data(DATA_BE_XLOGDATA);
  check_data(DATA_FE_STANDBY_STATUS);

  pgw_test_wire f;
  pgw_message m;
  pgw_test_load(&f, DATA_FE_TEXT, 'd');
  CHECK_EQ_INT(pgw_test_decode(PGW_MSG_COPY_DATA, pgw_test_payload(&f),
                               pgw_test_payload_len(&f), 0, &m, NULL),
               0);
  CHECK_MEM(m.body.copy_data.data.ptr, m.body.copy_data.data.len,
            "3\tthree\n4\t\\N\n", 13);

  /* Build and encode; NUL bytes are data, not terminators. */
  unsigned char out[64];
  size_t len;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_COPY_DATA;
  pgw_test_load(&f, DATA_BE_BINARY_ROW_NULL, 'd');
  m.body.copy_data.data.ptr = pgw_test_payload(&f);
  m.body.copy_data.data.len = pgw_test_payload_len(&f);
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, pgw_test_payload(&f), pgw_test_payload_len(&f));
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, 2, &len), 0);
  CHECK_EQ_INT(len, pgw_test_payload_len(&f));
  m.body.copy_data.data.ptr = NULL;
  m.body.copy_data.data.len = 0;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_EQ_INT(len, 0);
  m.body.copy_data.data.len = 3;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_INVALID_ARGUMENT);
}

/* ---- CopyFail --------------------------------------------------------- */

static void test_fail(void) {
  pgw_test_wire f;
  pgw_message m;
  unsigned char buf[128];
  pgw_test_load(&f, COPY_FAIL, 'f');
  const unsigned char *pay = pgw_test_payload(&f);
  const size_t pay_len = pgw_test_payload_len(&f);
  CHECK_EQ_INT(pgw_test_decode(PGW_MSG_COPY_FAIL, pay, pay_len, 0, &m, NULL),
               0);
  CHECK_STR(m.body.copy_fail.text, "aborted because of read failure");
  pgw_test_family_roundtrip(PGW_MSG_COPY_FAIL, &f);

  /* Truncated anywhere: the string has lost its NUL. */
  for (size_t n = 0; n < pay_len; n++)
    EXPECT_DECODE_FAIL(PGW_MSG_COPY_FAIL, pay, n, PGW_ERR_NO_TERMINATOR, 0);
  /* Trailing bytes after the string, including a second string. */
  memcpy(buf, pay, pay_len);
  buf[pay_len] = 0;
  EXPECT_DECODE_FAIL(PGW_MSG_COPY_FAIL, buf, pay_len + 1,
                     PGW_ERR_TRAILING_BYTES, pay_len);
  memcpy(buf + pay_len, "x", 2);
  EXPECT_DECODE_FAIL(PGW_MSG_COPY_FAIL, buf, pay_len + 2,
                     PGW_ERR_TRAILING_BYTES, pay_len);
  /* An empty message is a valid string. */
  buf[0] = 0;
  CHECK_EQ_INT(pgw_test_decode(PGW_MSG_COPY_FAIL, buf, 1, 0, &m, NULL), 0);
  CHECK_EQ_INT(m.body.copy_fail.text.len, 0);

  /* Encode: built text equals the recording; an inner NUL is refused. */
  unsigned char out[128];
  size_t len;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_COPY_FAIL;
  m.body.copy_fail.text = PGW_STR("aborted because of read failure");
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, pay, pay_len);
  m.body.copy_fail.text.ptr = "ab\0cd";
  m.body.copy_fail.text.len = 5;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
}

int main(void) {
  test_responses();
  test_response_encode();
  test_data();
  test_fail();
  return pgw_test_done("copy");
}
