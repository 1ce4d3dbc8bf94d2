/*
 * test_build.c - every builder of pgw/build.h encodes to the bytes that
 * real PostgreSQL 15 and libpq 15 sent: each encoding must occur, whole,
 * in its direction's stream of a session recorded in conformance/sessions
 * (PGW_SESSIONS_DIR). Also the readers of pgw/read.h on decoded messages.
 */
#include "pgw_test.h"

#include <stdint.h>

typedef struct session {
  unsigned char b[2][65536]; /* indexed by pgw_dir */
  size_t n[2];
} session;

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Append the hex digits of one F/B line to its direction's stream. */
static void load_line(session *s, const char *line) {
  int d = line[0] == 'F' ? PGW_FRONTEND : PGW_BACKEND;
  int hi = -1;
  for (const char *p = line + 1; *p && *p != '\n'; p++) {
    int v = hexval(*p);
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      if (s->n[d] >= sizeof s->b[d]) abort();
      s->b[d][s->n[d]++] = (unsigned char)(hi << 4 | v);
      hi = -1;
    }
  }
}

/* The session's two streams; aborts if the file is missing. */
static const session *load(const char *name) {
  static session s;
  static char loaded[256];
  if (strcmp(loaded, name) == 0) return &s;
  char path[1024], line[8192];
  snprintf(path, sizeof path, "%s/%s", PGW_SESSIONS_DIR, name);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    abort();
  }
  memset(&s, 0, sizeof s);
  while (fgets(line, sizeof line, f))
    if ((line[0] == 'F' || line[0] == 'B') && line[1] == ' ')
      load_line(&s, line);
  fclose(f);
  snprintf(loaded, sizeof loaded, "%s", name);
  return &s;
}

static int contains(const unsigned char *hay, size_t n, const uint8_t *needle,
                    size_t m) {
  for (size_t i = 0; m <= n && i <= n - m; i++)
    if (memcmp(hay + i, needle, m) == 0) return 1;
  return 0;
}

/* m must encode, and its bytes occur in dir's stream of the session. */
static void expect_in(int line, const char *name, pgw_dir dir,
                      const pgw_message *m) {
  uint8_t out[4096];
  size_t len = 0;
  int rc = pgw_message_encode(m, out, sizeof out, &len);
  const session *s = load(name);
  pgw_test_checks++;
  if (rc != 0 || !contains(s->b[dir], s->n[dir], out, len)) {
    pgw_test_failures++;
    fprintf(stderr, "%s:%d: %s (%s, %zu bytes) not in %s of %s\n", __FILE__,
            line, pgw_message_name(m), pgw_strerror(rc), len,
            dir == PGW_FRONTEND ? "F" : "B", name);
  }
}
#define EXPECT_IN(name, dir, m) expect_in(__LINE__, name, dir, m)

#define MULTI "pg15/simple_multi-libpq15.pgs"
#define NAMED "pg15/extended_named-libpq15.pgs"

static void test_startup_and_auth(void) {
  pgw_message m;
  pgw_param p[3] = {pgw_param_of("user", "pgw_trust"),
                    pgw_param_of("database", "pgw"),
                    pgw_param_of("application_name", "pgw-conformance")};
  pgw_param_list pl = pgw_param_list_of(p, 3);
  pgw_msg_startup(&m, PGW_PROTOCOL_3_0, &pl);
  EXPECT_IN(MULTI, PGW_FRONTEND, &m);
  pgw_msg_ssl_request(&m);
  EXPECT_IN("pg15/ssl_refused-libpq15.pgs", PGW_FRONTEND, &m);
  pgw_msg_ssl_response(&m, 'N');
  EXPECT_IN("pg15/ssl_refused-libpq15.pgs", PGW_BACKEND, &m);
  pgw_msg_gssenc_request(&m);
  EXPECT_IN("pg15/raw_gssenc.pgs", PGW_FRONTEND, &m);
  pgw_msg_gssenc_response(&m, 'G');
  EXPECT_IN("pg15/raw_gssenc.pgs", PGW_BACKEND, &m);
  const uint8_t key[4] = {0xd8, 0x36, 0xf5, 0x6c};
  pgw_msg_cancel_request(&m, 4265, key, 4);
  EXPECT_IN("pg15/cancel-libpq15-2.pgs", PGW_FRONTEND, &m);

  pgw_msg_auth_ok(&m);
  EXPECT_IN(MULTI, PGW_BACKEND, &m);
  pgw_msg_auth_cleartext(&m);
  EXPECT_IN("pg15/auth_ok-cleartext-libpq15.pgs", PGW_BACKEND, &m);
  pgw_msg_password(&m, "clearpass");
  EXPECT_IN("pg15/auth_ok-cleartext-libpq15.pgs", PGW_FRONTEND, &m);
  const uint8_t salt[4] = {0x3d, 0xc5, 0x77, 0xe4};
  pgw_msg_auth_md5(&m, salt);
  EXPECT_IN("pg15/auth_ok-md5-libpq15.pgs", PGW_BACKEND, &m);
  pgw_msg_password(&m, "md5010cf70538f0d3328485b8b87f613555");
  EXPECT_IN("pg15/auth_ok-md5-libpq15.pgs", PGW_FRONTEND, &m);
  const uint8_t bkey[4] = {0xda, 0x0b, 0xe3, 0x5b};
  pgw_msg_backend_key_data(&m, 3310, bkey, 4);
  EXPECT_IN("pg15/auth_ok-md5-libpq15.pgs", PGW_BACKEND, &m);
}

static void test_sasl(void) {
  const char *f = "pg15/auth_ok-scram-libpq15.pgs";
  pgw_message m;
  pgw_str mech = PGW_STR("SCRAM-SHA-256");
  pgw_str_list mechs = pgw_str_list_of(&mech, 1);
  pgw_msg_auth_sasl(&m, &mechs);
  EXPECT_IN(f, PGW_BACKEND, &m);
  const char *first = "n,,n=,r=gMfDvZEGcOorkRXDL8EP7aDp";
  pgw_msg_sasl_initial_response(&m, "SCRAM-SHA-256", (const uint8_t *)first,
                                strlen(first));
  EXPECT_IN(f, PGW_FRONTEND, &m);
  const char *final = "v=cJrk7n4YaJcgW+aljlVx036Db3wtIProwRdXw5IThTI=";
  pgw_msg_auth_sasl_final(&m, (const uint8_t *) final, strlen(final));
  EXPECT_IN(f, PGW_BACKEND, &m);
  /* The continue and response messages carry the nonce and proof found
   * in the stream: take them from there (after the 9- and 5-byte headers
   * of AuthenticationSASLContinue and SASLResponse). */
  const session *s = load(f);
  const unsigned char *b = s->b[PGW_BACKEND];
  size_t at = 24; /* after AuthenticationSASL (24 bytes) */
  size_t clen = ((size_t)b[at + 3] << 8 | b[at + 4]) - 8;
  pgw_msg_auth_sasl_continue(&m, b + at + 9, clen);
  EXPECT_IN(f, PGW_BACKEND, &m);
  const unsigned char *fr = s->b[PGW_FRONTEND];
  at = (size_t)fr[3] | (size_t)fr[2] << 8;          /* after StartupMessage */
  at += 1 + ((size_t)fr[at + 3] << 8 | fr[at + 4]); /* after SASLInitial */
  size_t rlen = ((size_t)fr[at + 3] << 8 | fr[at + 4]) - 4;
  pgw_msg_sasl_response(&m, fr + at + 5, rlen);
  EXPECT_IN(f, PGW_FRONTEND, &m);
  CHECK(rlen > 80 && memcmp(fr + at + 5, "c=biws,", 7) == 0);
}

static void test_simple_query(void) {
  pgw_message m;
  pgw_msg_parameter_status(&m, "client_encoding", "UTF8");
  EXPECT_IN(MULTI, PGW_BACKEND, &m);
  pgw_msg_ready_for_query(&m, 'I');
  EXPECT_IN(MULTI, PGW_BACKEND, &m);
  pgw_msg_query(&m, "DEALLOCATE s1");
  EXPECT_IN(NAMED, PGW_FRONTEND, &m);
  pgw_column a = pgw_column_of("a", 23, 4);
  pgw_column_list al = pgw_column_list_of(&a, 1);
  pgw_msg_row_description(&m, &al);
  EXPECT_IN(MULTI, PGW_BACKEND, &m);
  pgw_column bc[2] = {pgw_column_of("b", 25, -1), pgw_column_of("c", 25, -1)};
  pgw_column_list bcl = pgw_column_list_of(bc, 2);
  pgw_msg_row_description(&m, &bcl);
  EXPECT_IN(MULTI, PGW_BACKEND, &m);
  pgw_value v[2] = {pgw_value_text("two"), pgw_value_text(NULL)};
  pgw_value_list vl = pgw_value_list_of(v, 2);
  pgw_msg_data_row(&m, &vl);
  EXPECT_IN(MULTI, PGW_BACKEND, &m);
  pgw_msg_command_complete(&m, "INSERT 0 2");
  EXPECT_IN(MULTI, PGW_BACKEND, &m);
  pgw_msg_terminate(&m);
  EXPECT_IN(MULTI, PGW_FRONTEND, &m);
  pgw_msg_query(&m, "");
  EXPECT_IN("pg15/empty_query-libpq15.pgs", PGW_FRONTEND, &m);
  pgw_msg_empty_query_response(&m);
  EXPECT_IN("pg15/empty_query-libpq15.pgs", PGW_BACKEND, &m);
  pgw_msg_notification(&m, 5805, "pgw_chan", "hello payload");
  EXPECT_IN("pg15/listen_notify-libpq15.pgs", PGW_BACKEND, &m);
}

static void test_extended(void) {
  pgw_message m;
  uint32_t types[2] = {23, 25};
  pgw_oid_list tl = pgw_oid_list_of(types, 2);
  pgw_msg_parse(&m, "s1", "SELECT $1 * 2 AS d, upper($2) AS u", &tl);
  EXPECT_IN(NAMED, PGW_FRONTEND, &m);
  pgw_msg_parse(&m, "s2", "SELECT 2", NULL);
  EXPECT_IN(NAMED, PGW_FRONTEND, &m);
  pgw_msg_sync(&m);
  EXPECT_IN(NAMED, PGW_FRONTEND, &m);
  pgw_value params[2] = {pgw_value_text("21"), pgw_value_text("a")};
  pgw_value_list pl = pgw_value_list_of(params, 2);
  int16_t text = 0;
  pgw_i16_list rf = pgw_i16_list_of(&text, 1);
  pgw_msg_bind(&m, "", "s1", NULL, &pl, &rf);
  EXPECT_IN(NAMED, PGW_FRONTEND, &m);
  pgw_msg_describe(&m, 'P', "");
  EXPECT_IN(NAMED, PGW_FRONTEND, &m);
  pgw_msg_describe(&m, 'S', "s1");
  EXPECT_IN(NAMED, PGW_FRONTEND, &m);
  pgw_msg_execute(&m, "", 0);
  EXPECT_IN(NAMED, PGW_FRONTEND, &m);
  pgw_msg_parse_complete(&m);
  EXPECT_IN(NAMED, PGW_BACKEND, &m);
  pgw_msg_bind_complete(&m);
  EXPECT_IN(NAMED, PGW_BACKEND, &m);
  pgw_msg_parameter_description(&m, &tl);
  EXPECT_IN(NAMED, PGW_BACKEND, &m);
  pgw_msg_no_data(&m);
  EXPECT_IN("pg15/describe-libpq15.pgs", PGW_BACKEND, &m);
}

static void test_portal(void) {
  const char *f = "pg15/raw_portal_suspended.pgs";
  pgw_message m;
  pgw_value five = pgw_value_text("5");
  pgw_value_list pl = pgw_value_list_of(&five, 1);
  pgw_msg_bind(&m, "cur", "ps", NULL, &pl, NULL);
  EXPECT_IN(f, PGW_FRONTEND, &m);
  pgw_msg_execute(&m, "cur", 2);
  EXPECT_IN(f, PGW_FRONTEND, &m);
  pgw_msg_close(&m, 'P', "cur");
  EXPECT_IN(f, PGW_FRONTEND, &m);
  pgw_msg_close(&m, 'S', "ps");
  EXPECT_IN(f, PGW_FRONTEND, &m);
  pgw_msg_flush(&m);
  EXPECT_IN(f, PGW_FRONTEND, &m);
  pgw_msg_portal_suspended(&m);
  EXPECT_IN(f, PGW_BACKEND, &m);
  pgw_msg_close_complete(&m);
  EXPECT_IN(f, PGW_BACKEND, &m);
}

static void test_copy(void) {
  pgw_message m;
  int16_t text2[2] = {0, 0}, bin = 1;
  pgw_i16_list t2 = pgw_i16_list_of(text2, 2), b1 = pgw_i16_list_of(&bin, 1);
  pgw_msg_copy_in_response(&m, 0, &t2);
  EXPECT_IN("pg15/copy_in-libpq15.pgs", PGW_BACKEND, &m);
  pgw_msg_copy_in_response(&m, 1, &b1);
  EXPECT_IN("pg15/copy_in-libpq15.pgs", PGW_BACKEND, &m);
  pgw_msg_copy_data(&m, (const uint8_t *)"3\tthree\n", 8);
  EXPECT_IN("pg15/copy_in-libpq15.pgs", PGW_FRONTEND, &m);
  pgw_msg_copy_done(&m);
  EXPECT_IN("pg15/copy_in-libpq15.pgs", PGW_FRONTEND, &m);
  pgw_msg_copy_out_response(&m, 1, &b1);
  EXPECT_IN("pg15/copy_out-libpq15.pgs", PGW_BACKEND, &m);
  pgw_msg_copy_data(&m, (const uint8_t *)"\xff\xff", 2);
  EXPECT_IN("pg15/copy_out-libpq15.pgs", PGW_BACKEND, &m);
  pgw_msg_copy_done(&m);
  EXPECT_IN("pg15/copy_out-libpq15.pgs", PGW_BACKEND, &m);
  pgw_msg_copy_fail(&m, "client gave up");
  EXPECT_IN("pg15/copy_fail-libpq15.pgs", PGW_FRONTEND, &m);
  pgw_msg_copy_both_response(&m, 0, NULL);
  EXPECT_IN("pg15/replication_physical-libpq15.pgs", PGW_BACKEND, &m);
}

static void test_errors_and_fastpath(void) {
  pgw_message m;
  pgw_notice_field ef[8] = {
      pgw_notice_field_of('S', "ERROR"),
      pgw_notice_field_of('V', "ERROR"),
      pgw_notice_field_of('C', "42P01"),
      pgw_notice_field_of('M', "relation \"no_such_table\" does not exist"),
      pgw_notice_field_of('P', "15"),
      pgw_notice_field_of('F', "parse_relation.c"),
      pgw_notice_field_of('L', "1392"),
      pgw_notice_field_of('R', "parserOpenTable")};
  pgw_notice_field_list el = pgw_notice_field_list_of(ef, 8);
  pgw_msg_error_response(&m, &el);
  EXPECT_IN(NAMED, PGW_BACKEND, &m);
  pgw_notice_field nf[7] = {
      pgw_notice_field_of('S', "WARNING"),
      pgw_notice_field_of('V', "WARNING"),
      pgw_notice_field_of('C', "01000"),
      pgw_notice_field_of('M', "w1"),
      pgw_notice_field_of(
          'W', "PL/pgSQL function inline_code_block line 1 at RAISE"),
      pgw_notice_field_of('F', "pl_exec.c"),
      pgw_notice_field_of('L', "3891")};
  pgw_notice_field all[8];
  memcpy(all, nf, sizeof nf);
  all[7] = pgw_notice_field_of('R', "exec_stmt_raise");
  pgw_notice_field_list nl = pgw_notice_field_list_of(all, 8);
  pgw_msg_notice_response(&m, &nl);
  EXPECT_IN("pg15/notices-libpq15.pgs", PGW_BACKEND, &m);

  int16_t bin = 1;
  pgw_i16_list b1 = pgw_i16_list_of(&bin, 1);
  pgw_value args[2] = {pgw_value_bytes("\0\0\0\0", 4),
                       pgw_value_text("hello large object")};
  pgw_value_list al = pgw_value_list_of(args, 2);
  pgw_msg_function_call(&m, 955, &b1, &al, 1);
  EXPECT_IN("pg15/fastpath-libpq15.pgs", PGW_FRONTEND, &m);
  pgw_msg_function_call_response(&m, pgw_value_bytes("\0\0\0\x12", 4));
  EXPECT_IN("pg15/fastpath-libpq15.pgs", PGW_BACKEND, &m);
}

static void test_negotiate(void) {
  pgw_message m;
  pgw_msg_negotiate_protocol_version(&m, PGW_PROTOCOL_3_0, NULL);
  EXPECT_IN("pg15/protocol_version-libpq18.pgs", PGW_BACKEND, &m);
  pgw_param p[3] = {pgw_param_of("user", "pgw_trust"),
                    pgw_param_of("database", "pgw"),
                    pgw_param_of("application_name", "pgw-conformance")};
  pgw_param_list pl = pgw_param_list_of(p, 3);
  pgw_msg_startup(&m, PGW_PROTOCOL_3_2, &pl);
  EXPECT_IN("pg18/protocol_version-libpq18.pgs", PGW_FRONTEND, &m);
  unsigned char key[32];
  pgw_test_hex("cabfc8d8e810378b990aff6217a1f9d5"
               "18205bc107b742d9bf210deb0b3eb25d",
               key, sizeof key);
  pgw_msg_backend_key_data(&m, 6614, key, 32);
  EXPECT_IN("pg18/protocol_version-libpq18.pgs", PGW_BACKEND, &m);
}

/* Decode the recorded ErrorResponse and read it back with pgw/read.h. */
static void test_readers(void) {
  pgw_message m, d;
  pgw_notice_field f[3] = {pgw_notice_field_of('S', "ERROR"),
                           pgw_notice_field_of('C', "42P01"),
                           pgw_notice_field_of('M', "no")};
  pgw_notice_field_list fl = pgw_notice_field_list_of(f, 3);
  pgw_msg_error_response(&m, &fl);
  uint8_t buf[256];
  size_t len;
  CHECK_EQ_INT(pgw_message_encode(&m, buf, sizeof buf, &len), 0);
  CHECK_EQ_INT(
      pgw_message_decode(PGW_MSG_ERROR_RESPONSE, buf + 5, len - 5, 0, &d, NULL),
      0);
  pgw_str v;
  CHECK_EQ_INT(pgw_notice_get(&d.body.error, 'C', &v), 1);
  CHECK_STR(v, "42P01");
  CHECK_EQ_INT(pgw_notice_get(&m.body.error, 'M', &v), 1);
  CHECK_STR(v, "no");
  CHECK_EQ_INT(pgw_notice_get(&d.body.error, 'D', &v), 0);
  CHECK(v.ptr == NULL && v.len == 0);
  /* A decoded list edited: rebuilt with the _of constructor, raw gone. */
  d.body.error.fields = pgw_notice_field_list_of(f, 2);
  CHECK_EQ_INT(pgw_message_encode(&d, buf, sizeof buf, &len),
               PGW_ERR_MISSING_FIELD);

  pgw_value row[3] = {pgw_value_text("1"), pgw_value_null(),
                      pgw_value_bytes("ab", 2)};
  pgw_value_list rl = pgw_value_list_of(row, 3);
  pgw_msg_data_row(&m, &rl);
  CHECK_EQ_INT(pgw_message_encode(&m, buf, sizeof buf, &len), 0);
  CHECK_EQ_INT(
      pgw_message_decode(PGW_MSG_DATA_ROW, buf + 5, len - 5, 0, &d, NULL), 0);
  pgw_value out[3];
  CHECK_EQ_INT(pgw_data_row_values(&d.body.data_row, out, 2), 3);
  CHECK(out[0].len == 1 && out[0].ptr[0] == '1' && out[1].len == -1);
  CHECK_EQ_INT(pgw_data_row_values(&d.body.data_row, out, 3), 3);
  CHECK(out[2].len == 2 && memcmp(out[2].ptr, "ab", 2) == 0);
  pgw_value_cursor c = pgw_value_cursor_of(&d.body.data_row.columns);
  pgw_value x;
  int n = 0;
  while (pgw_value_cursor_next(&c, &x) == 1)
    n++;
  CHECK_EQ_INT(n, 3);
  /* A list built with _of (items, no raw bytes) reads the same. */
  CHECK_EQ_INT(pgw_data_row_values(&m.body.data_row, out, 3), 3);
  CHECK(out[1].len == -1 && out[2].len == 2);
  CHECK_EQ_INT(pgw_data_row_values(&m.body.data_row, out, 0), 3);
  /* Raw bytes that run short: a list pgw did not decode. */
  pgw_data_row cut = d.body.data_row;
  cut.columns.raw.len = 4;
  CHECK_EQ_INT(pgw_data_row_values(&cut, out, 3), PGW_ERR_TRUNCATED);

  pgw_param p[2] = {pgw_param_of("user", "u"), pgw_param_of("database", "")};
  pgw_param_list pl = pgw_param_list_of(p, 2);
  pgw_msg_startup(&m, PGW_PROTOCOL_3_0, &pl);
  CHECK_EQ_INT(pgw_startup_get(&m.body.startup, "database", &v), 1);
  CHECK(v.len == 0);
  CHECK_EQ_INT(pgw_startup_get(&m.body.startup, "options", &v), 0);
  pgw_str mech[2] = {PGW_STR("SCRAM-SHA-256-PLUS"), PGW_STR("SCRAM-SHA-256")};
  pgw_str_list ml = pgw_str_list_of(mech, 2);
  CHECK_EQ_INT(pgw_str_list_has(&ml, "SCRAM-SHA-256"), 1);
  CHECK_EQ_INT(pgw_str_list_has(&ml, "SCRAM"), 0);
}

/* NULL for a list or a string means empty; the encoder still refuses
 * what the protocol does not allow empty (a StartupMessage without user,
 * AuthenticationSASL without a mechanism). */
static void test_null_arguments(void) {
  pgw_message m;
  uint8_t out[256];
  size_t len;
  pgw_msg_startup(&m, 0x00030000, NULL);
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len),
               PGW_ERR_MISSING_FIELD);
  pgw_msg_bind(&m, NULL, NULL, NULL, NULL, NULL);
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len), 0);
  CHECK_EQ_INT(len, 13); /* 'B', length, two NULs, three zero counts */
  pgw_msg_function_call(&m, 1598, NULL, NULL, 0);
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len), 0);
  pgw_msg_sasl_initial_response(&m, "SCRAM-SHA-256", NULL, 0);
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len), 0);
  pgw_msg_auth_sasl(&m, NULL);
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len),
               PGW_ERR_BAD_COUNT);
  pgw_msg_negotiate_protocol_version(&m, 0x00030000, NULL);
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len), 0);
  pgw_msg_row_description(&m, NULL);
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len), 0);
  pgw_msg_data_row(&m, NULL);
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len), 0);
  CHECK_EQ_INT(len, 7);
  pgw_msg_query(&m, NULL);
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len), 0);
  CHECK_EQ_INT(len, 6);
}

int main(void) {
  test_null_arguments();
  test_startup_and_auth();
  test_sasl();
  test_simple_query();
  test_extended();
  test_portal();
  test_copy();
  test_errors_and_fastpath();
  test_negotiate();
  test_readers();
  return pgw_test_done("build");
}
