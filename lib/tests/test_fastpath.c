/*
 * test_fastpath.c - FunctionCall and FunctionCallResponse (fastpath.c).
 *
 * Every fixture is a whole message (type byte, length word, payload)
 * recorded from PostgreSQL 15.18 (Debian) and psql/libpq 15 through a
 * hex-logging proxy; see notes/fixtures-copy-async.md for the sessions.
 */
#include "pgw_internal.h"
#define PGW_TEST_FAMILY_DECODE pgw__fastpath_decode
#define PGW_TEST_FAMILY_ENCODE pgw__fastpath_encode
#include "pgw_test.h"

/* psql \lo_import: lo_creat(0x60000) = OID 957; libpq sends one format
 * code (binary) for all arguments and asks for a binary result. */
static const char CALL_LO_CREAT[] =
    "46 00000018 000003bd 0001 0001 0001 00000004 00060000 0001";
/* ... answered with the new large object's OID 16398. */
static const char RESULT_OID[] = "56 0000000c 00000004 0000400e";
/* psql \lo_import: lo_open(16398, INV_WRITE) = OID 952. */
static const char CALL_LO_OPEN[] =
    "46 00000020 000003b8 0001 0001 0002 00000004 0000400e 00000004 00020000"
    " 0001";
/* ... answered with descriptor 0. */
static const char RESULT_ZERO[] = "56 0000000c 00000004 00000000";
/* psql \lo_import: lowrite(0, "hello large object\n") = OID 955. */
static const char CALL_LOWRITE[] =
    "46 0000002f 000003bb 0001 0001 0002 00000004 00000000 00000013"
    " 68656c6c6f206c61726765206f626a6563740a 0001";
/* ... answered with 19 bytes written. */
static const char RESULT_19[] = "56 0000000c 00000004 00000013";
/* psql \lo_import: lo_close(0) = OID 953. */
static const char CALL_LO_CLOSE[] =
    "46 00000018 000003b9 0001 0001 0001 00000004 00000000 0001";
/* psql \lo_export: loread(0, 8192) = OID 954. */
static const char CALL_LOREAD[] =
    "46 00000020 000003ba 0001 0001 0002 00000004 00000000 00000004 00002000"
    " 0001";
/* ... first answer: the 19 bytes. */
static const char RESULT_DATA[] =
    "56 0000001b 00000013 68656c6c6f206c61726765206f626a6563740a";
/* ... second answer at end of object: an empty bytea. */
static const char RESULT_EMPTY[] = "56 00000008 00000000";
/* python client: int4pl('2', '3') = OID 177, no format codes (all text),
 * text result. */
static const char CALL_TEXT[] =
    "46 00000018 000000b1 0000 0002 00000001 32 00000001 33 0000";
/* ... answered "5". */
static const char RESULT_TEXT[] = "56 00000009 00000001 35";
/* python client: int4pl(2, NULL) with one format code per argument. */
static const char CALL_NULL_ARG[] =
    "46 0000001e 000000b1 0002 0001 0001 0002 00000004 00000002 ffffffff"
    " 0001";
/* ... answered NULL (int4pl is strict). */
static const char RESULT_NULL[] = "56 00000008 ffffffff";
/* python client: format code 2; the server answered 22023 "unsupported
 * format code: 2". */
static const char CALL_BAD_FORMAT[] =
    "46 00000020 000000b1 0001 0002 0002 00000004 00000002 00000004 00000003"
    " 0001";
/* python client: 3 format codes for 2 arguments; the server answered
 * 08P01 "function call message contains 3 argument formats but 2
 * arguments". */
static const char CALL_BAD_COUNT[] =
    "46 00000024 000000b1 0003 0001 0001 0001 0002 00000004 00000002"
    " 00000004 00000003 0001";

/* ---- FunctionCall ----------------------------------------------------- */

/* What a cut at `cut` must report, from the message's documented layout:
 * a missing fixed field is TRUNCATED at its start; a list shorter than
 * its count is BAD_COUNT at the item that is missing (TRUNCATED when part
 * of its length word is there); a value shorter than
 * its length is TRUNCATED after its length word. */
static void expected_cut(const unsigned char *p, size_t n, size_t cut,
                         int *code, size_t *off) {
  size_t nf = pgw_load16(p + 4);
  size_t a = 6 + 2 * nf; /* argument count */
  if (cut < 4) {
    *code = PGW_ERR_TRUNCATED, *off = 0;
    return;
  }
  if (cut < 6) {
    *code = PGW_ERR_TRUNCATED, *off = 4;
    return;
  }
  if (cut < a) {
    *code = PGW_ERR_BAD_COUNT, *off = 6;
    return;
  }
  if (cut < a + 2) {
    *code = PGW_ERR_TRUNCATED, *off = a;
    return;
  }
  size_t nargs = pgw_load16(p + a);
  size_t s = a + 2;
  for (size_t i = 0; i < nargs; i++) {
    if (cut < s + 4) { /* no argument left: count; part of one: cut */
      *code = cut == s ? PGW_ERR_BAD_COUNT : PGW_ERR_TRUNCATED, *off = s;
      return;
    }
    uint32_t len = pgw_load32(p + s);
    size_t e = s + 4 + (len == 0xffffffffu ? 0 : len);
    if (cut < e) {
      *code = PGW_ERR_TRUNCATED, *off = s + 4;
      return;
    }
    s = e;
  }
  CHECK(s + 2 == n);
  *code = PGW_ERR_TRUNCATED, *off = s;
}

typedef struct call_want {
  uint32_t oid;
  size_t nformats;
  int16_t format0;
  size_t nargs;
  int16_t result_format;
} call_want;

static void check_call(const char *hex, call_want w,
                       const char *const *arg_hex) {
  pgw_test_wire f;
  pgw_message m;
  unsigned char buf[300];
  unsigned char want[64];
  pgw_test_load(&f, hex, 'F');
  const unsigned char *pay = pgw_test_payload(&f);
  const size_t pay_len = pgw_test_payload_len(&f);
  CHECK_EQ_INT(
      pgw_test_decode(PGW_MSG_FUNCTION_CALL, pay, pay_len, 0, &m, NULL), 0);
  const pgw_function_call *c = &m.body.function_call;
  CHECK_EQ_INT(c->function_oid, w.oid);
  CHECK_EQ_INT(c->arg_formats.count, w.nformats);
  if (w.nformats) CHECK_EQ_INT(pgw_i16_get(&c->arg_formats, 0), w.format0);
  CHECK_EQ_INT(c->args.count, w.nargs);
  CHECK_EQ_INT(c->result_format, w.result_format);
  pgw_iter it = pgw_value_iter(&c->args);
  pgw_value v;
  size_t i = 0;
  while (pgw_value_next(&it, &v) == 1) {
    if (i < w.nargs) {
      if (arg_hex[i] == NULL) {
        CHECK_EQ_INT(v.len, -1);
        CHECK(v.ptr == NULL);
      } else {
        size_t wn = pgw_test_hex(arg_hex[i], want, sizeof want);
        CHECK_MEM(v.ptr, (size_t)v.len, want, wn);
      }
    }
    i++;
  }
  CHECK_EQ_INT(i, w.nargs);
  pgw_test_family_roundtrip(PGW_MSG_FUNCTION_CALL, &f);

  /* Truncated at every byte. */
  for (size_t cut = 0; cut < pay_len; cut++) {
    int code;
    size_t off;
    expected_cut(pay, pay_len, cut, &code, &off);
    EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, pay, cut, code, off);
  }

  /* Trailing bytes. */
  memcpy(buf, pay, pay_len);
  buf[pay_len] = 0;
  EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, buf, pay_len + 1,
                     PGW_ERR_TRAILING_BYTES, pay_len);

  /* Result format code other than 0/1. */
  static const unsigned char bad[][2] = {{0, 2}, {0xff, 0xff}, {1, 0}};
  for (size_t b = 0; b < 3; b++) {
    memcpy(buf, pay, pay_len);
    buf[pay_len - 2] = bad[b][0];
    buf[pay_len - 1] = bad[b][1];
    EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, buf, pay_len, PGW_ERR_BAD_VALUE,
                       pay_len - 2);
  }
  /* Argument format code other than 0/1, in each position. */
  for (size_t k = 0; k < w.nformats; k++)
    for (size_t b = 0; b < 3; b++) {
      memcpy(buf, pay, pay_len);
      buf[6 + 2 * k] = bad[b][0];
      buf[7 + 2 * k] = bad[b][1];
      EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, buf, pay_len, PGW_ERR_BAD_VALUE,
                         6 + 2 * k);
    }

  size_t a = 6 + 2 * w.nformats;
  /* Format count larger than the bytes (read unsigned). */
  memcpy(buf, pay, pay_len);
  buf[4] = 0xff;
  buf[5] = 0xff;
  EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, buf, pay_len, PGW_ERR_BAD_COUNT, 6);
  /* One argument more than present: the 2-byte result format code is read
   * as the start of a length word that is cut short. */
  memcpy(buf, pay, pay_len);
  buf[a + 1] = (unsigned char)(w.nargs + 1);
  if (w.nformats <= 1)
    EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, buf, pay_len, PGW_ERR_TRUNCATED,
                       pay_len - 2);
  else /* now the format count disagrees with the argument count */
    EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, buf, pay_len, PGW_ERR_BAD_COUNT,
                       a);
  /* Argument count 0xffff: unsigned, far more than present. */
  buf[a] = 0xff;
  buf[a + 1] = 0xff;
  if (w.nformats <= 1) {
    size_t s = a + 2;
    for (size_t k = 0; k < w.nargs; k++) {
      uint32_t len = pgw_load32(pay + s);
      s += 4 + (len == 0xffffffffu ? 0 : len);
    }
    EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, buf, pay_len, PGW_ERR_TRUNCATED,
                       s);
  } else {
    EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, buf, pay_len, PGW_ERR_BAD_COUNT,
                       a);
  }

  /* Every argument length: negative other than -1, and too long. */
  size_t s = a + 2;
  for (size_t k = 0; k < w.nargs; k++) {
    uint32_t len = pgw_load32(pay + s);
    static const unsigned char negs[][4] = {
        {0xff, 0xff, 0xff, 0xfe}, {0x80, 0, 0, 0}, {0xff, 0, 0, 0}};
    for (size_t q = 0; q < 3; q++) {
      memcpy(buf, pay, pay_len);
      memcpy(buf + s, negs[q], 4);
      EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, buf, pay_len,
                         PGW_ERR_NEGATIVE_LENGTH, s);
    }
    memcpy(buf, pay, pay_len);
    buf[s] = 0x7f;
    EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, buf, pay_len, PGW_ERR_TRUNCATED,
                       s + 4);
    s += 4 + (len == 0xffffffffu ? 0 : len);
  }
}

static void test_calls(void) {
  static const char *const lo_creat_args[] = {"00060000"};
  static const char *const lo_open_args[] = {"0000400e", "00020000"};
  static const char *const lowrite_args[] = {
      "00000000", "68656c6c6f206c61726765206f626a6563740a"};
  static const char *const lo_close_args[] = {"00000000"};
  static const char *const loread_args[] = {"00000000", "00002000"};
  static const char *const text_args[] = {"32", "33"};
  static const char *const null_args[] = {"00000002", NULL};
  call_want w;

  w = (call_want){957, 1, 1, 1, 1};
  check_call(CALL_LO_CREAT, w, lo_creat_args);
  w = (call_want){952, 1, 1, 2, 1};
  check_call(CALL_LO_OPEN, w, lo_open_args);
  w = (call_want){955, 1, 1, 2, 1};
  check_call(CALL_LOWRITE, w, lowrite_args);
  w = (call_want){953, 1, 1, 1, 1};
  check_call(CALL_LO_CLOSE, w, lo_close_args);
  w = (call_want){954, 1, 1, 2, 1};
  check_call(CALL_LOREAD, w, loread_args);
  w = (call_want){177, 0, 0, 2, 0};
  check_call(CALL_TEXT, w, text_args);
  w = (call_want){177, 2, 1, 2, 1};
  check_call(CALL_NULL_ARG, w, null_args);

  /* Calls the server itself rejected. */
  pgw_test_wire f;
  pgw_test_load(&f, CALL_BAD_FORMAT, 'F');
  EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, pgw_test_payload(&f),
                     pgw_test_payload_len(&f), PGW_ERR_BAD_VALUE, 6);
  pgw_test_load(&f, CALL_BAD_COUNT, 'F');
  EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL, pgw_test_payload(&f),
                     pgw_test_payload_len(&f), PGW_ERR_BAD_COUNT, 12);
}

static void test_call_encode(void) {
  pgw_test_wire f;
  pgw_message m;
  unsigned char out[128];
  size_t len;
  int16_t fmt1[1] = {1};
  int16_t fmt2[2] = {1, 1};
  int16_t fmt_bad[2] = {1, 2};
  static const unsigned char two[4] = {0, 0, 0, 2};
  pgw_value args[3];
  args[0].ptr = two;
  args[0].len = 4;
  args[1].ptr = NULL;
  args[1].len = -1;
  args[2] = args[0];

  /* int4pl(2, NULL) built from items equals the recorded call. */
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_FUNCTION_CALL;
  m.body.function_call.function_oid = 177;
  m.body.function_call.arg_formats.count = 2;
  m.body.function_call.arg_formats.items = fmt2;
  m.body.function_call.args.count = 2;
  m.body.function_call.args.items = args;
  m.body.function_call.result_format = 1;
  pgw_test_load(&f, CALL_NULL_ARG, 'F');
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, pgw_test_payload(&f), pgw_test_payload_len(&f));
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, 5, &len), 0);
  CHECK_EQ_INT(len, pgw_test_payload_len(&f));

  /* One format code for all arguments is fine; 2 for 3 is not. */
  m.body.function_call.arg_formats.count = 1;
  m.body.function_call.arg_formats.items = fmt1;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  m.body.function_call.arg_formats.count = 2;
  m.body.function_call.arg_formats.items = fmt2;
  m.body.function_call.args.count = 3;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_COUNT);
  m.body.function_call.args.count = 2;
  /* Bad format codes. */
  m.body.function_call.arg_formats.items = fmt_bad;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
  m.body.function_call.arg_formats.items = fmt2;
  m.body.function_call.result_format = 2;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
  m.body.function_call.result_format = -1;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
  m.body.function_call.result_format = 1;
  /* Negative length other than -1. */
  args[1].len = -2;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_NEGATIVE_LENGTH);
  args[1].len = -1;
  /* Counts over 65535. */
  m.body.function_call.arg_formats.count = 0;
  m.body.function_call.args.count = 65536;
  m.body.function_call.args.items = NULL;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_COUNT);
  /* Raw argument bytes that disagree with the count. */
  m.body.function_call.args.count = 3;
  m.body.function_call.args.raw.ptr = pgw_test_payload(&f) + 12;
  m.body.function_call.args.raw.len = 12;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_COUNT);
  m.body.function_call.args.count = 2;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  m.body.function_call.args.raw.len = 11;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_COUNT);

  pgw_test_family_refuses_query(&m, &f);
}

/* ---- FunctionCallResponse --------------------------------------------- */

static void check_result(const char *hex, int32_t len, const char *val_hex) {
  pgw_test_wire f;
  pgw_message m;
  unsigned char buf[64];
  unsigned char want[64];
  unsigned char out[64];
  size_t olen;
  pgw_test_load(&f, hex, 'V');
  const unsigned char *pay = pgw_test_payload(&f);
  const size_t pay_len = pgw_test_payload_len(&f);
  CHECK_EQ_INT(pgw_test_decode(PGW_MSG_FUNCTION_CALL_RESPONSE, pay, pay_len, 0,
                               &m, NULL),
               0);
  pgw_value v = m.body.function_result.result;
  CHECK_EQ_INT(v.len, len);
  if (len < 0) {
    CHECK(v.ptr == NULL);
  } else {
    size_t wn = pgw_test_hex(val_hex, want, sizeof want);
    CHECK_MEM(v.ptr, (size_t)v.len, want, wn);
    CHECK(v.ptr == pay + 4);
  }
  pgw_test_family_roundtrip(PGW_MSG_FUNCTION_CALL_RESPONSE, &f);

  /* Built from the value. */
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_FUNCTION_CALL_RESPONSE;
  m.body.function_result.result.len = len;
  m.body.function_result.result.ptr = len < 0 ? NULL : want;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &olen), 0);
  CHECK_MEM(out, olen, pay, pay_len);

  for (size_t n = 0; n < pay_len; n++)
    EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL_RESPONSE, pay, n,
                       PGW_ERR_TRUNCATED, n < 4 ? 0 : 4);
  memcpy(buf, pay, pay_len);
  buf[pay_len] = 0;
  EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL_RESPONSE, buf, pay_len + 1,
                     PGW_ERR_TRAILING_BYTES, pay_len);
  static const unsigned char negs[][4] = {
      {0xff, 0xff, 0xff, 0xfe}, {0x80, 0, 0, 0}, {0xff, 0, 0, 0}};
  for (size_t q = 0; q < 3; q++) {
    memcpy(buf, pay, pay_len);
    memcpy(buf, negs[q], 4);
    EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL_RESPONSE, buf, pay_len,
                       PGW_ERR_NEGATIVE_LENGTH, 0);
  }
  /* Length one more than the bytes present. */
  memcpy(buf, pay, pay_len);
  if (len >= 0) {
    buf[3] = (unsigned char)(buf[3] + 1);
    EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL_RESPONSE, buf, pay_len,
                       PGW_ERR_TRUNCATED, 4);
    /* and one less: the last byte is trailing. */
    if (len > 0) {
      buf[3] = (unsigned char)(buf[3] - 2);
      EXPECT_DECODE_FAIL(PGW_MSG_FUNCTION_CALL_RESPONSE, buf, pay_len,
                         PGW_ERR_TRAILING_BYTES, pay_len - 1);
    }
  }
}

static void test_results(void) {
  check_result(RESULT_OID, 4, "0000400e");
  check_result(RESULT_ZERO, 4, "00000000");
  check_result(RESULT_19, 4, "00000013");
  check_result(RESULT_DATA, 19, "68656c6c6f206c61726765206f626a6563740a");
  check_result(RESULT_EMPTY, 0, "");
  check_result(RESULT_TEXT, 1, "35");
  check_result(RESULT_NULL, -1, "");

  pgw_message m;
  unsigned char out[16];
  size_t len;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_FUNCTION_CALL_RESPONSE;
  m.body.function_result.result.len = -2;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_NEGATIVE_LENGTH);
  m.body.function_result.result.len = 3;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_INVALID_ARGUMENT);
}

int main(void) {
  test_calls();
  test_call_encode();
  test_results();
  return pgw_test_done("fastpath");
}
