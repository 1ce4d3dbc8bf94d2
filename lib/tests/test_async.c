/*
 * test_async.c - ErrorResponse, NoticeResponse, NotificationResponse and
 * ParameterStatus (async.c).
 *
 * Every fixture is a whole message (type byte, length word, payload)
 * recorded from PostgreSQL 15.18 (Debian) through a hex-logging proxy;
 * see notes/fixtures-copy-async.md for the sessions they came from.
 */
#include "pgw_internal.h"
#define PGW_TEST_FAMILY_DECODE pgw__async_decode
#define PGW_TEST_FAMILY_ENCODE pgw__async_encode
#include "pgw_test.h"

/* psql: DO $$ BEGIN RAISE NOTICE 'hello %', 42 USING DETAIL = 'some
 * detail', HINT = 'a hint'; END $$;  Fields S V C M D H W F L R. */
static const char NOTICE_RAISE[] =
    "4e 00000092 534e4f5449434500564e4f5449434500433030303030004d68656c6c6f"
    "2034320044736f6d652064657461696c0048612068696e740057504c2f706753514c20"
    "66756e6374696f6e20696e6c696e655f636f64655f626c6f636b206c696e6520312061"
    "742052414953450046706c5f657865632e63004c333839310052657865635f73746d74"
    "5f72616973650000";
/* psql: CREATE TABLE IF NOT EXISTS u(id int); on an existing table. */
static const char NOTICE_EXISTS[] =
    "4e 0000006e 534e4f5449434500564e4f5449434500433432503037004d72656c6174"
    "696f6e2022752220616c7265616479206578697374732c20736b697070696e67004670"
    "617273655f7574696c636d642e63004c32303700527472616e73666f726d4372656174"
    "6553746d740000";
/* psql: DO $$ BEGIN RAISE WARNING 'careful'; END $$; */
static const char NOTICE_WARNING[] =
    "4e 0000007e 535741524e494e4700565741524e494e4700433031303030004d636172"
    "6566756c0057504c2f706753514c2066756e6374696f6e20696e6c696e655f636f6465"
    "5f626c6f636b206c696e6520312061742052414953450046706c5f657865632e63004c"
    "333839310052657865635f73746d745f72616973650000";
/* psql: INSERT INTO u VALUES (1,1),(1,2);  u(id int primary key, n int not
 * null check (n > 0)): unique violation with s t n (schema, table,
 * constraint). */
static const char ERROR_UNIQUE[] =
    "45 000000a8 534552524f5200564552524f5200433233353035004d6475706c696361"
    "7465206b65792076616c75652076696f6c6174657320756e6971756520636f6e737472"
    "61696e742022755f706b65792200444b657920286964293d28312920616c7265616479"
    "206578697374732e00737075626c6963007475006e755f706b657900466e6274696e73"
    "6572742e63004c36363400525f62745f636865636b5f756e697175650000";
/* psql: INSERT INTO u VALUES (2,-1);  check violation. */
static const char ERROR_CHECK[] =
    "45 000000b2 534552524f5200564552524f5200433233353134004d6e657720726f77"
    "20666f722072656c6174696f6e202275222076696f6c6174657320636865636b20636f"
    "6e73747261696e742022755f6e5f636865636b2200444661696c696e6720726f772063"
    "6f6e7461696e732028322c202d31292e00737075626c6963007475006e755f6e5f6368"
    "65636b0046657865634d61696e2e63004c32303734005245786563436f6e7374726169"
    "6e74730000";
/* psql: INSERT INTO u VALUES (3,NULL);  not-null violation with c
 * (column). */
static const char ERROR_NOT_NULL[] =
    "45 000000b3 534552524f5200564552524f5200433233353032004d6e756c6c207661"
    "6c756520696e20636f6c756d6e20226e22206f662072656c6174696f6e202275222076"
    "696f6c61746573206e6f742d6e756c6c20636f6e73747261696e7400444661696c696e"
    "6720726f7720636f6e7461696e732028332c206e756c6c292e00737075626c69630074"
    "7500636e0046657865634d61696e2e63004c32303233005245786563436f6e73747261"
    "696e74730000";
/* psql: CREATE DOMAIN pos AS int CHECK (VALUE > 0); SELECT (-1)::pos;
 * domain violation with d (data type). */
static const char ERROR_DOMAIN[] =
    "45 0000009f 534552524f5200564552524f5200433233353134004d76616c75652066"
    "6f7220646f6d61696e20706f732076696f6c6174657320636865636b20636f6e737472"
    "61696e742022706f735f636865636b2200737075626c69630064706f73006e706f735f"
    "636865636b00466578656345787072496e746572702e63004c333738370052457865"
    "634576616c436f6e73747261696e74436865636b0000";
/* psql: selec 1;  syntax error with P (position). */
static const char ERROR_SYNTAX[] =
    "45 0000005d 534552524f5200564552524f5200433432363031004d73796e74617820"
    "6572726f72206174206f72206e656172202273656c65632200503100467363616e2e6c"
    "004c3131383800527363616e6e65725f79796572726f720000";
/* psql: DO $$ BEGIN EXECUTE 'selec 1'; END $$;  W p q (context, internal
 * position, internal query). */
static const char ERROR_INTERNAL[] =
    "45 0000009d 534552524f5200564552524f5200433432363031004d73796e74617820"
    "6572726f72206174206f72206e656172202273656c6563220057504c2f706753514c20"
    "66756e6374696f6e20696e6c696e655f636f64655f626c6f636b206c696e6520312061"
    "742045584543555445007031007173656c6563203100467363616e2e6c004c31313838"
    "00527363616e6e65725f79796572726f720000";
/* psql -d nosuchdb: FATAL during startup. */
static const char ERROR_FATAL[] =
    "45 0000005d 53464154414c0056464154414c00433344303030004d64617461626173"
    "6520226e6f7375636864622220646f6573206e6f742065786973740046706f7374696e"
    "69742e63004c3934380052496e6974506f7374677265730000";
/* python client: answer to CopyFail "aborted because of read failure". */
static const char ERROR_COPY_FAIL[] =
    "45 00000086 534552524f5200564552524f5200433537303134004d434f5059206672"
    "6f6d20737464696e206661696c65643a2061626f727465642062656361757365206f66"
    "2072656164206661696c7572650057434f505920742c206c696e6520320046636f7079"
    "66726f6d70617273652e63004c3331350052436f7079476574446174610000";
/* python client: FunctionCall int4pl with 3 format codes for 2 args. */
static const char ERROR_FASTPATH_COUNT[] =
    "45 00000085 534552524f5200564552524f5200433038503031004d66756e6374696f"
    "6e2063616c6c206d65737361676520636f6e7461696e73203320617267756d656e7420"
    "666f726d61747320627574203220617267756d656e7473004666617374706174682e63"
    "004c333538005270617273655f6663616c6c5f617267756d656e74730000";

/* psql: LISTEN chan; NOTIFY chan, 'hello payload'; (backend pid 5617) */
static const char NOTIFY_PAYLOAD[] =
    "41 0000001b 000015f1 6368616e00 68656c6c6f207061796c6f616400";
/* psql: NOTIFY chan;  empty payload. */
static const char NOTIFY_EMPTY[] = "41 0000000e 000015f1 6368616e00 00";

/* psql startup. */
static const char PS_APPNAME[] =
    "53 0000001a 6170706c69636174696f6e5f6e616d65007073716c00";
static const char PS_SERVER_VERSION[] =
    "53 00000032 7365727665725f76657273696f6e0031352e3138202844656269616e20"
    "31352e31382d302b646562313275312900";
/* python client startup without application_name: empty value. */
static const char PS_EMPTY_VALUE[] =
    "53 00000016 6170706c69636174696f6e5f6e616d650000";
/* psql: SET DateStyle = 'German'; SET TimeZone = 'Europe/Berlin';
 * SET application_name = 'pgw-test'; */
static const char PS_DATESTYLE[] =
    "53 0000001a 446174655374796c65004765726d616e2c20444d5900";
static const char PS_TIMEZONE[] =
    "53 0000001b 54696d655a6f6e65004575726f70652f4265726c696e00";
static const char PS_SET_APPNAME[] =
    "53 0000001e 6170706c69636174696f6e5f6e616d65007067772d7465737400";

/* Where a cut at n falls among NUL-terminated strings that start at
 * first: the start of the string it cuts (the reader reports there). */
static size_t cut_string_start(const unsigned char *p, size_t n, size_t first) {
  size_t s = first;
  for (;;) {
    const unsigned char *z = (const unsigned char *)memchr(p + s, 0, n - s);
    if (z == NULL) return s;
    s = (size_t)(z - p) + 1;
  }
}

/* ---- ErrorResponse / NoticeResponse ---------------------------------- */

typedef struct expected_field {
  char code;
  const char *value;
} expected_field;

/* Check the decoded fields against the expected list, and that building
 * the message from those items encodes to the recorded bytes. */
static void check_fields(pgw_kind kind, const pgw_test_wire *f,
                         const expected_field *want, size_t nwant) {
  const unsigned char *pay = pgw_test_payload(f);
  const size_t pay_len = pgw_test_payload_len(f);
  pgw_message m;
  pgw_notice_field items[32];
  unsigned char out[512];
  size_t len;
  CHECK_EQ_INT(pgw_test_decode(kind, pay, pay_len, 0, &m, NULL), 0);
  const pgw_notice *nt =
      kind == PGW_MSG_ERROR_RESPONSE ? &m.body.error : &m.body.notice;
  CHECK_EQ_INT(nt->fields.count, nwant);
  CHECK(nt->fields.items == NULL);
  CHECK(nt->fields.raw.ptr == pay);
  CHECK_EQ_INT(nt->fields.raw.len, pay_len - 1);
  pgw_iter it = pgw_notice_field_iter(&nt->fields);
  pgw_notice_field fld;
  size_t i = 0;
  while (pgw_notice_field_next(&it, &fld) == 1) {
    if (i < nwant) {
      CHECK_EQ_INT(fld.code, want[i].code);
      CHECK_STR(fld.value, want[i].value);
    }
    i++;
  }
  CHECK_EQ_INT(i, nwant);

  if (nwant > 32) return;
  for (i = 0; i < nwant; i++) {
    items[i].code = (uint8_t)want[i].code;
    items[i].value = pgw_str_from_cstr(want[i].value);
  }
  memset(&m, 0, sizeof m);
  m.kind = kind;
  pgw_notice *wn =
      kind == PGW_MSG_ERROR_RESPONSE ? &m.body.error : &m.body.notice;
  wn->fields.count = nwant;
  wn->fields.items = items;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, pay, pay_len);
}

/* Every malformed class for one recorded Error/Notice payload. */
static void check_notice_malformed(pgw_kind kind, const pgw_test_wire *f) {
  const unsigned char *pay = pgw_test_payload(f);
  const size_t pay_len = pgw_test_payload_len(f);
  unsigned char buf[600];
  size_t n = pay_len;

  /* Truncated at every byte: the list (or a value) lacks its NUL. The
   * offset is the cut itself at a field boundary, else the start of the
   * value that was cut. */
  size_t fs = 0; /* start of the field holding the cut */
  for (size_t cut = 0; cut < n; cut++) {
    while (pay[fs] != 0) {
      const unsigned char *z =
          (const unsigned char *)memchr(pay + fs + 1, 0, n - fs - 1);
      size_t next = (size_t)(z - pay) + 1;
      if (cut < next) break;
      fs = next;
    }
    size_t off = cut == fs ? cut : fs + 1;
    EXPECT_DECODE_FAIL(kind, pay, cut, PGW_ERR_NO_TERMINATOR, off);
  }

  /* Trailing bytes: a second terminator, or a whole extra field. */
  memcpy(buf, pay, n);
  buf[n] = 0;
  EXPECT_DECODE_FAIL(kind, buf, n + 1, PGW_ERR_TRAILING_BYTES, n);
  memcpy(buf + n, "Mx", 3);
  EXPECT_DECODE_FAIL(kind, buf, n + 3, PGW_ERR_TRAILING_BYTES, n);

  /* Missing S, C or M: remove that field from the real bytes. */
  static const char required[] = {'S', 'C', 'M'};
  for (size_t r = 0; r < 3; r++) {
    size_t s = 0, out = 0;
    while (pay[s] != 0) {
      size_t e = s + 1 + strlen((const char *)pay + s + 1) + 1;
      if (pay[s] != (unsigned char)required[r]) {
        memcpy(buf + out, pay + s, e - s);
        out += e - s;
      }
      s = e;
    }
    buf[out++] = 0;
    CHECK(out < n);
    EXPECT_DECODE_FAIL(kind, buf, out, PGW_ERR_MISSING_FIELD, out - 1);
  }
  /* No fields at all. */
  buf[0] = 0;
  EXPECT_DECODE_FAIL(kind, buf, 1, PGW_ERR_MISSING_FIELD, 0);
  EXPECT_DECODE_FAIL(kind, buf, 0, PGW_ERR_NO_TERMINATOR, 0);

  /* Unknown codes are accepted and kept: rename the last field ('R'). */
  memcpy(buf, pay, n);
  size_t last = 0;
  for (size_t s = 0; buf[s] != 0;
       s = s + 1 + strlen((const char *)buf + s + 1) + 1)
    last = s;
  static const unsigned char unknown[] = {'Z', 'x', 0x01, 0xff};
  for (size_t u = 0; u < sizeof unknown; u++) {
    pgw_message m;
    buf[last] = unknown[u];
    CHECK_EQ_INT(pgw_test_decode(kind, buf, n, 0, &m, NULL), 0);
    const pgw_notice *nt =
        kind == PGW_MSG_ERROR_RESPONSE ? &m.body.error : &m.body.notice;
    pgw_iter it = pgw_notice_field_iter(&nt->fields);
    pgw_notice_field fld;
    uint8_t lastcode = 0;
    while (pgw_notice_field_next(&it, &fld) == 1)
      lastcode = fld.code;
    CHECK_EQ_INT(lastcode, unknown[u]);
    unsigned char out[600];
    size_t len;
    CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
    CHECK_MEM(out, len, buf, n);
  }
}

static void check_notice(pgw_kind kind, const char *hex, unsigned char type,
                         const expected_field *want, size_t nwant) {
  pgw_test_wire f;
  pgw_test_load(&f, hex, type);
  pgw_test_family_roundtrip(kind, &f);
  check_fields(kind, &f, want, nwant);
  check_notice_malformed(kind, &f);
}

#define NF(a) (sizeof(a) / sizeof((a)[0]))

static void test_notices(void) {
  static const expected_field raise[] = {
      {'S', "NOTICE"},
      {'V', "NOTICE"},
      {'C', "00000"},
      {'M', "hello 42"},
      {'D', "some detail"},
      {'H', "a hint"},
      {'W', "PL/pgSQL function inline_code_block line 1 at RAISE"},
      {'F', "pl_exec.c"},
      {'L', "3891"},
      {'R', "exec_stmt_raise"}};
  static const expected_field exists[] = {
      {'S', "NOTICE"},
      {'V', "NOTICE"},
      {'C', "42P07"},
      {'M', "relation \"u\" already exists, skipping"},
      {'F', "parse_utilcmd.c"},
      {'L', "207"},
      {'R', "transformCreateStmt"}};
  static const expected_field warning[] = {
      {'S', "WARNING"},
      {'V', "WARNING"},
      {'C', "01000"},
      {'M', "careful"},
      {'W', "PL/pgSQL function inline_code_block line 1 at RAISE"},
      {'F', "pl_exec.c"},
      {'L', "3891"},
      {'R', "exec_stmt_raise"}};
  static const expected_field unique[] = {
      {'S', "ERROR"},
      {'V', "ERROR"},
      {'C', "23505"},
      {'M', "duplicate key value violates unique constraint \"u_pkey\""},
      {'D', "Key (id)=(1) already exists."},
      {'s', "public"},
      {'t', "u"},
      {'n', "u_pkey"},
      {'F', "nbtinsert.c"},
      {'L', "664"},
      {'R', "_bt_check_unique"}};
  static const expected_field check[] = {
      {'S', "ERROR"},
      {'V', "ERROR"},
      {'C', "23514"},
      {'M', "new row for relation \"u\" violates check constraint "
            "\"u_n_check\""},
      {'D', "Failing row contains (2, -1)."},
      {'s', "public"},
      {'t', "u"},
      {'n', "u_n_check"},
      {'F', "execMain.c"},
      {'L', "2074"},
      {'R', "ExecConstraints"}};
  static const expected_field not_null[] = {
      {'S', "ERROR"},
      {'V', "ERROR"},
      {'C', "23502"},
      {'M', "null value in column \"n\" of relation \"u\" violates "
            "not-null constraint"},
      {'D', "Failing row contains (3, null)."},
      {'s', "public"},
      {'t', "u"},
      {'c', "n"},
      {'F', "execMain.c"},
      {'L', "2023"},
      {'R', "ExecConstraints"}};
  static const expected_field domain[] = {
      {'S', "ERROR"},
      {'V', "ERROR"},
      {'C', "23514"},
      {'M', "value for domain pos violates check constraint \"pos_check\""},
      {'s', "public"},
      {'d', "pos"},
      {'n', "pos_check"},
      {'F', "execExprInterp.c"},
      {'L', "3787"},
      {'R', "ExecEvalConstraintCheck"}};
  static const expected_field syntax[] = {
      {'S', "ERROR"}, {'V', "ERROR"},
      {'C', "42601"}, {'M', "syntax error at or near \"selec\""},
      {'P', "1"},     {'F', "scan.l"},
      {'L', "1188"},  {'R', "scanner_yyerror"}};
  static const expected_field internal[] = {
      {'S', "ERROR"},
      {'V', "ERROR"},
      {'C', "42601"},
      {'M', "syntax error at or near \"selec\""},
      {'W', "PL/pgSQL function inline_code_block line 1 at EXECUTE"},
      {'p', "1"},
      {'q', "selec 1"},
      {'F', "scan.l"},
      {'L', "1188"},
      {'R', "scanner_yyerror"}};
  static const expected_field fatal[] = {
      {'S', "FATAL"},       {'V', "FATAL"},
      {'C', "3D000"},       {'M', "database \"nosuchdb\" does not exist"},
      {'F', "postinit.c"},  {'L', "948"},
      {'R', "InitPostgres"}};
  static const expected_field copy_fail[] = {
      {'S', "ERROR"},
      {'V', "ERROR"},
      {'C', "57014"},
      {'M', "COPY from stdin failed: aborted because of read failure"},
      {'W', "COPY t, line 2"},
      {'F', "copyfromparse.c"},
      {'L', "315"},
      {'R', "CopyGetData"}};
  static const expected_field fastpath[] = {
      {'S', "ERROR"},
      {'V', "ERROR"},
      {'C', "08P01"},
      {'M', "function call message contains 3 argument formats but 2 "
            "arguments"},
      {'F', "fastpath.c"},
      {'L', "358"},
      {'R', "parse_fcall_arguments"}};

  check_notice(PGW_MSG_NOTICE_RESPONSE, NOTICE_RAISE, 'N', raise, NF(raise));
  check_notice(PGW_MSG_NOTICE_RESPONSE, NOTICE_EXISTS, 'N', exists, NF(exists));
  check_notice(PGW_MSG_NOTICE_RESPONSE, NOTICE_WARNING, 'N', warning,
               NF(warning));
  check_notice(PGW_MSG_ERROR_RESPONSE, ERROR_UNIQUE, 'E', unique, NF(unique));
  check_notice(PGW_MSG_ERROR_RESPONSE, ERROR_CHECK, 'E', check, NF(check));
  check_notice(PGW_MSG_ERROR_RESPONSE, ERROR_NOT_NULL, 'E', not_null,
               NF(not_null));
  check_notice(PGW_MSG_ERROR_RESPONSE, ERROR_DOMAIN, 'E', domain, NF(domain));
  check_notice(PGW_MSG_ERROR_RESPONSE, ERROR_SYNTAX, 'E', syntax, NF(syntax));
  check_notice(PGW_MSG_ERROR_RESPONSE, ERROR_INTERNAL, 'E', internal,
               NF(internal));
  check_notice(PGW_MSG_ERROR_RESPONSE, ERROR_FATAL, 'E', fatal, NF(fatal));
  check_notice(PGW_MSG_ERROR_RESPONSE, ERROR_COPY_FAIL, 'E', copy_fail,
               NF(copy_fail));
  check_notice(PGW_MSG_ERROR_RESPONSE, ERROR_FASTPATH_COUNT, 'E', fastpath,
               NF(fastpath));
}

static void test_notice_encode(void) {
  pgw_test_wire f;
  pgw_message m;
  unsigned char out[512];
  size_t len;
  pgw_notice_field items[4];
  pgw_test_load(&f, ERROR_SYNTAX, 'E');

  /* Items win over raw; the terminator is always added. */
  items[0].code = 'S';
  items[0].value = PGW_STR("ERROR");
  items[1].code = 'C';
  items[1].value = PGW_STR("42601");
  items[2].code = 'M';
  items[2].value = PGW_STR("x");
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_NOTICE_RESPONSE;
  m.body.notice.fields.count = 3;
  m.body.notice.fields.items = items;
  m.body.notice.fields.raw.ptr = pgw_test_payload(&f);
  m.body.notice.fields.raw.len = pgw_test_payload_len(&f) - 1;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, "SERROR\0C42601\0Mx\0", 18);
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, 4, &len), 0);
  CHECK_EQ_INT(len, 18);

  /* Code 0 and a NUL inside a value are refused. */
  items[1].code = 0;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
  items[1].code = 'C';
  items[2].value.ptr = "a\0b";
  items[2].value.len = 3;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
  items[2].value = PGW_STR("x");
  /* S, C and M are required when encoding too. */
  m.body.notice.fields.count = 2;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_MISSING_FIELD);
  items[2].code = 'D';
  m.body.notice.fields.count = 3;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_MISSING_FIELD);

  /* Raw regions that are not a field list, or disagree with the count. */
  m.body.notice.fields.items = NULL;
  m.body.notice.fields.count = 8;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, pgw_test_payload(&f), pgw_test_payload_len(&f));
  m.body.notice.fields.count = 7;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_COUNT);
  m.body.notice.fields.count = 8;
  m.body.notice.fields.raw.len =
      pgw_test_payload_len(&f); /* includes the terminator */
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
  m.body.notice.fields.raw.len =
      pgw_test_payload_len(&f) - 2; /* last value lost its NUL */
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_NO_TERMINATOR);

  pgw_test_family_refuses_query(&m, &f);
}

/* ---- NotificationResponse --------------------------------------------- */

static void check_notification(const char *hex, int32_t pid,
                               const char *channel, const char *payload) {
  pgw_test_wire f;
  pgw_message m;
  unsigned char buf[128];
  unsigned char out[128];
  size_t len;
  pgw_test_load(&f, hex, 'A');
  const unsigned char *pay = pgw_test_payload(&f);
  const size_t pay_len = pgw_test_payload_len(&f);
  CHECK_EQ_INT(
      pgw_test_decode(PGW_MSG_NOTIFICATION_RESPONSE, pay, pay_len, 0, &m, NULL),
      0);
  CHECK_EQ_INT(m.body.notification.pid, pid);
  CHECK_STR(m.body.notification.channel, channel);
  CHECK_STR(m.body.notification.payload, payload);
  pgw_test_family_roundtrip(PGW_MSG_NOTIFICATION_RESPONSE, &f);

  /* Built from fields. */
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_NOTIFICATION_RESPONSE;
  m.body.notification.pid = pid;
  m.body.notification.channel = pgw_str_from_cstr(channel);
  m.body.notification.payload = pgw_str_from_cstr(payload);
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, pay, pay_len);
  m.body.notification.payload.ptr = "a\0b";
  m.body.notification.payload.len = 3;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
  m.body.notification.payload = pgw_str_from_cstr(payload);
  m.body.notification.channel.ptr = "a\0b";
  m.body.notification.channel.len = 3;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);

  for (size_t n = 0; n < pay_len; n++) {
    if (n < 4)
      EXPECT_DECODE_FAIL(PGW_MSG_NOTIFICATION_RESPONSE, pay, n,
                         PGW_ERR_TRUNCATED, 0);
    else
      EXPECT_DECODE_FAIL(PGW_MSG_NOTIFICATION_RESPONSE, pay, n,
                         PGW_ERR_NO_TERMINATOR, cut_string_start(pay, n, 4));
  }
  memcpy(buf, pay, pay_len);
  buf[pay_len] = 0;
  EXPECT_DECODE_FAIL(PGW_MSG_NOTIFICATION_RESPONSE, buf, pay_len + 1,
                     PGW_ERR_TRAILING_BYTES, pay_len);
  memcpy(buf + pay_len, "extra", 6);
  EXPECT_DECODE_FAIL(PGW_MSG_NOTIFICATION_RESPONSE, buf, pay_len + 6,
                     PGW_ERR_TRAILING_BYTES, pay_len);
  /* The pid is any Int32, negative included. */
  memcpy(buf, pay, pay_len);
  memset(buf, 0xff, 4);
  CHECK_EQ_INT(
      pgw_test_decode(PGW_MSG_NOTIFICATION_RESPONSE, buf, pay_len, 0, &m, NULL),
      0);
  CHECK_EQ_INT(m.body.notification.pid, -1);
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, buf, pay_len);
}

static void test_notifications(void) {
  check_notification(NOTIFY_PAYLOAD, 5617, "chan", "hello payload");
  check_notification(NOTIFY_EMPTY, 5617, "chan", "");
}

/* ---- ParameterStatus -------------------------------------------------- */

static void check_status(const char *hex, const char *name, const char *value) {
  pgw_test_wire f;
  pgw_message m;
  unsigned char buf[128];
  unsigned char out[128];
  size_t len;
  pgw_test_load(&f, hex, 'S');
  const unsigned char *pay = pgw_test_payload(&f);
  const size_t pay_len = pgw_test_payload_len(&f);
  CHECK_EQ_INT(
      pgw_test_decode(PGW_MSG_PARAMETER_STATUS, pay, pay_len, 0, &m, NULL), 0);
  CHECK_STR(m.body.parameter_status.name, name);
  CHECK_STR(m.body.parameter_status.value, value);
  pgw_test_family_roundtrip(PGW_MSG_PARAMETER_STATUS, &f);

  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_PARAMETER_STATUS;
  m.body.parameter_status.name = pgw_str_from_cstr(name);
  m.body.parameter_status.value = pgw_str_from_cstr(value);
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, pay, pay_len);
  m.body.parameter_status.value.ptr = "on\0";
  m.body.parameter_status.value.len = 3;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);
  m.body.parameter_status.value = pgw_str_from_cstr(value);
  m.body.parameter_status.name.ptr = "\0";
  m.body.parameter_status.name.len = 1;
  CHECK_EQ_INT(pgw_test_encode_payload(&m, out, sizeof out, &len),
               PGW_ERR_BAD_VALUE);

  for (size_t n = 0; n < pay_len; n++)
    EXPECT_DECODE_FAIL(PGW_MSG_PARAMETER_STATUS, pay, n, PGW_ERR_NO_TERMINATOR,
                       cut_string_start(pay, n, 0));
  memcpy(buf, pay, pay_len);
  buf[pay_len] = 0;
  EXPECT_DECODE_FAIL(PGW_MSG_PARAMETER_STATUS, buf, pay_len + 1,
                     PGW_ERR_TRAILING_BYTES, pay_len);
  memcpy(buf + pay_len, "x", 2);
  EXPECT_DECODE_FAIL(PGW_MSG_PARAMETER_STATUS, buf, pay_len + 2,
                     PGW_ERR_TRAILING_BYTES, pay_len);
}

static void test_parameter_status(void) {
  check_status(PS_APPNAME, "application_name", "psql");
  check_status(PS_SERVER_VERSION, "server_version",
               "15.18 (Debian 15.18-0+deb12u1)");
  check_status(PS_EMPTY_VALUE, "application_name", "");
  check_status(PS_DATESTYLE, "DateStyle", "German, DMY");
  check_status(PS_TIMEZONE, "TimeZone", "Europe/Berlin");
  check_status(PS_SET_APPNAME, "application_name", "pgw-test");
}

/* Lenient decoders deliver malformed messages with a zeroed body: an
 * empty field list (NULL raw view) must be refused cleanly by the
 * encoder, never walked. */
static void test_empty_body_encode(void) {
  pgw_message m;
  unsigned char out[64];
  size_t len = 0;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_ERROR_RESPONSE;
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len),
               PGW_ERR_MISSING_FIELD);
  m.kind = PGW_MSG_NOTICE_RESPONSE;
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len),
               PGW_ERR_MISSING_FIELD);
  m.kind = PGW_MSG_AUTHENTICATION;
  m.body.auth.code = PGW_AUTH_SASL; /* no mechanisms: libpq refuses it */
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len),
               PGW_ERR_BAD_COUNT);
  m.kind = PGW_MSG_STARTUP_MESSAGE;
  m.body.startup.protocol = PGW_PROTOCOL_3_0;
  CHECK(pgw_message_encode(&m, out, sizeof out, &len) <= 0);
}

int main(void) {
  test_empty_body_encode();
  test_notices();
  test_notice_encode();
  test_notifications();
  test_parameter_status();
  return pgw_test_done("async");
}
