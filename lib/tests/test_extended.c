/*
 * test_extended.c - Parse, Bind, Describe, Execute, Close and
 * ParameterDescription against bytes recorded from PostgreSQL 15.18
 * (Debian 15.18-0+deb12u1) through a logging proxy (see
 * notes/fixtures-query-extended.md):
 *   [pgbench] pgbench 15 -M extended / -M prepared, custom script
 *   [libpq]   a libpq 15 program: PQprepare with declared types,
 *             PQdescribePrepared, PQexecPrepared with binary parameters
 *   [psql]    psql 15 \gdesc
 *   [raw]     frontend bytes sent by a small Python client and accepted by
 *             the server (its answers are noted); libpq never sends a single
 *             parameter format code, a named portal or a row limit
 * Each fixture is a whole message as on the wire (type, length, payload).
 */
#include "pgw_test.h"

/* ---- fixtures ---------------------------------------------------------- */

/* [pgbench -M extended] unnamed statement, no declared types */
static const char P_UNNAMED[] =
    "50000000450053454c4543542024313a3a696e74342041532069642c204e554c4c3a3a74"
    "657874204153206e6f7468696e672c202776277c7c24322041532076616c3b000000";
/* [pgbench -M prepared] statement "P_0" */
static const char P_NAMED[] =
    "5000000048505f300053454c4543542024313a3a696e74342041532069642c204e554c4c"
    "3a3a74657874204153206e6f7468696e672c202776277c7c24322041532076616c3b0000"
    "00";
/* [libpq] PQprepare "s3" with types int4, text, bytea */
static const char P_TYPES[] =
    "500000006073330053454c4543542024313a3a696e7434202b2031204153206e2c207570"
    "7065722824322920415320742c206c656e67746828243329204153206c2c204e554c4c3a"
    "3a696e7438204153207a000003000000170000001900000011";
/* [libpq] unnamed, types 0 (unspecified) and varchar */
static const char P_UNSPEC[] =
    "500000002d0053454c4543542024313a3a696e743220415320612c202432204153206200"
    "00020000000000000413";
/* [psql] \gdesc of "SELECT 1 AS a" (psql leaves a trailing space) */
static const char P_GDESC[] = "50000000160053454c4543542031204153206120000000";

/* [pgbench -M extended] no format codes, two text params "2", "2",
 * one result format 0 */
static const char B_NOFMT[] =
    "42000000180000000000020000000132000000013200010000";
/* [pgbench -M prepared] statement "P_0", params "3", "3" */
static const char B_NAMED[] =
    "420000001b00505f3000000000020000000133000000013300010000";
/* [pgbench -M prepared] statement "P_1", no params */
static const char B_NOPARAMS[] = "420000001100505f31000000000000010000";
/* [libpq] PQexecPrepared("s3", formats {1,0,1}, resultFormat 1):
 * n format codes, binary int4 41, "abc", bytea 01 02 00 03 */
static const char B_NFMT[] =
    "420000002d0073330000030001000000010003000000040000002900000003616263000000"
    "040102000300010001";
/* [libpq] PQexecPrepared("s3", no formats): "7", NULL, "\x00ff" */
static const char B_NULL[] =
    "420000002300733300000000030000000137ffffffff000000065c783030666600010000";
/* [raw] portal "pt", statement "st", one format code (binary) for one
 * int4 param 3, result formats (0, 1); server: BindComplete */
static const char B_ONEFMT[] =
    "420000001e7074007374000001000100010000000400000003000200000001";
/* [raw] one format code (text) for "42" and NULL, one result format
 * (binary) for all; server: BindComplete */
static const char B_ONEFMT_NULL[] =
    "420000001a0000000100000002000000023432ffffffff00010001";
/* [raw] two format codes for three params; server: ErrorResponse 08P01
 * "bind message has 2 parameter formats but 3 parameters" */
static const char B_REJECTED[] =
    "420000001f000000020000000000030000000131000000013200000001330000";

/* [pgbench -M extended] Describe portal "" */
static const char D_PORTAL[] = "44000000065000";
/* [psql] \gdesc: Describe statement "" */
static const char D_STMT[] = "44000000065300";
/* [libpq] PQdescribePrepared("s3") */
static const char D_S3[] = "440000000853733300";
/* [raw] Describe portal "pt" */
static const char D_PT[] = "440000000850707400";

/* [raw] Close portal "pt", statement "st": server CloseComplete each */
static const char C_PORTAL[] = "430000000850707400";
static const char C_STMT[] = "430000000853737400";
/* [raw] Close of a statement that does not exist: CloseComplete too */
static const char C_MISSING[] = "4300000011536e6f6e6578697374656e7400";

/* [pgbench -M extended] unnamed portal, no limit */
static const char E_ALL[] = "45000000090000000000";
/* [raw] portal "pt", one row: server DataRow, PortalSuspended */
static const char E_ONE[] = "450000000b70740000000001";
/* [raw] portal "pt", rest */
static const char E_REST[] = "450000000b70740000000000";

/* [psql \gdesc] no parameters */
static const char T_NONE[] = "74000000060000";
/* [libpq] PQdescribePrepared("s3"): int4, text, bytea */
static const char T_THREE[] = "74000000120003000000170000001900000011";
/* [libpq] PQdescribePrepared(""): int2 (inferred), varchar */
static const char T_INFERRED[] = "740000000e00020000001500000413";

/* ---- helpers ----------------------------------------------------------- */

static pgw_str S(const char *s) {
  return pgw_str_from_cstr(s);
}

static pgw_value val(const char *bytes, int32_t len) {
  pgw_value v;
  v.ptr = (const uint8_t *)bytes;
  v.len = len;
  return v;
}

static void check_values(const pgw_value_list *l, const pgw_value *want,
                         size_t n) {
  CHECK_EQ_INT(l->count, n);
  pgw_iter it = pgw_value_iter(l);
  pgw_value v;
  size_t i = 0;
  int rc;
  while ((rc = pgw_value_next(&it, &v)) == 1) {
    if (i < n) {
      CHECK_EQ_INT(v.len, want[i].len);
      if (v.len >= 0) CHECK_MEM(v.ptr, v.len, want[i].ptr, want[i].len);
    }
    i++;
  }
  CHECK_EQ_INT(rc, 0);
  CHECK_EQ_INT(i, n);
}

/* ---- Parse -------------------------------------------------------------- */

static void parse_fixture(const char *hex, const char *stmt, const char *query,
                          const uint32_t *types, size_t ntypes) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  pgw_message m;
  if (pgw_test_dec_ok(PGW_MSG_PARSE, &w, 0, &m) == 0) {
    CHECK_STR(m.body.parse.statement, stmt);
    CHECK_STR(m.body.parse.query, query);
    CHECK_EQ_INT(m.body.parse.param_types.count, ntypes);
    for (size_t i = 0; i < ntypes; i++)
      CHECK_EQ_INT(pgw_oid_get(&m.body.parse.param_types, i), types[i]);
  }

  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_PARSE;
  b.body.parse.statement = S(stmt);
  b.body.parse.query = S(query);
  b.body.parse.param_types.count = ntypes;
  b.body.parse.param_types.items = types;
  pgw_test_enc_same(&b, &w);

  pgw_test_roundtrip_and_cuts(PGW_MSG_PARSE, hex);
}

static void test_parse(void) {
  const char *q =
      "SELECT $1::int4 AS id, NULL::text AS nothing, 'v'||$2 AS val;";
  parse_fixture(P_UNNAMED, "", q, NULL, 0);
  parse_fixture(P_NAMED, "P_0", q, NULL, 0);
  static const uint32_t t3[3] = {23, 25, 17};
  parse_fixture(P_TYPES, "s3",
                "SELECT $1::int4 + 1 AS n, upper($2) AS t, length($3) AS l, "
                "NULL::int8 AS z",
                t3, 3);
  static const uint32_t t2[2] = {0, 1043};
  parse_fixture(P_UNSPEC, "", "SELECT $1::int2 AS a, $2 AS b", t2, 2);
  parse_fixture(P_GDESC, "", "SELECT 1 AS a ", NULL, 0);

  /* P_TYPES: count at 78, OIDs at 80..91. */
  EXPECT_PATCHED(PGW_MSG_PARSE, P_TYPES, 78, "0004", PGW_ERR_BAD_COUNT, 80);
  EXPECT_PATCHED(PGW_MSG_PARSE, P_TYPES, 78, "ffff", PGW_ERR_BAD_COUNT, 80);
  EXPECT_PATCHED(PGW_MSG_PARSE, P_TYPES, 78, "0002", PGW_ERR_TRAILING_BYTES,
                 88);
  EXPECT_PATCHED(PGW_MSG_PARSE, P_GDESC, 16, "0001", PGW_ERR_BAD_COUNT, 18);
  /* Missing terminators: of the statement name, of the query string. */
  EXPECT_PAYLOAD(PGW_MSG_PARSE, "7333", PGW_ERR_NO_TERMINATOR, 0);
  EXPECT_PAYLOAD(PGW_MSG_PARSE, "00 53454c454354", PGW_ERR_NO_TERMINATOR, 1);
  /* Count cut short. */
  EXPECT_PAYLOAD(PGW_MSG_PARSE, "00 00 00", PGW_ERR_TRUNCATED, 2);
  EXPECT_PAYLOAD(PGW_MSG_PARSE, "", PGW_ERR_NO_TERMINATOR, 0);

  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_PARSE;
  b.body.parse.statement.ptr = "a\0b";
  b.body.parse.statement.len = 3;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_VALUE);
  b.body.parse.statement = S("");
  b.body.parse.param_types.count = 65536;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_COUNT);
}

/* ---- Bind --------------------------------------------------------------- */

static void bind_fixture(const char *hex, const char *portal, const char *stmt,
                         const int16_t *pf, size_t npf, const pgw_value *pv,
                         size_t np, const int16_t *rf, size_t nrf) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  pgw_message m;
  if (pgw_test_dec_ok(PGW_MSG_BIND, &w, 0, &m) == 0) {
    const pgw_bind *d = &m.body.bind;
    CHECK_STR(d->portal, portal);
    CHECK_STR(d->statement, stmt);
    CHECK_EQ_INT(d->param_formats.count, npf);
    for (size_t i = 0; i < npf; i++)
      CHECK_EQ_INT(pgw_i16_get(&d->param_formats, i), pf[i]);
    check_values(&d->params, pv, np);
    CHECK_EQ_INT(d->result_formats.count, nrf);
    for (size_t i = 0; i < nrf; i++)
      CHECK_EQ_INT(pgw_i16_get(&d->result_formats, i), rf[i]);
  }

  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_BIND;
  b.body.bind.portal = S(portal);
  b.body.bind.statement = S(stmt);
  b.body.bind.param_formats.count = npf;
  b.body.bind.param_formats.items = pf;
  b.body.bind.params.count = np;
  b.body.bind.params.items = pv;
  b.body.bind.result_formats.count = nrf;
  b.body.bind.result_formats.items = rf;
  pgw_test_enc_same(&b, &w);

  pgw_test_roundtrip_and_cuts(PGW_MSG_BIND, hex);
}

static void test_bind(void) {
  static const int16_t f0[1] = {0}, f1[1] = {1}, f101[3] = {1, 0, 1},
                       f01[2] = {0, 1};
  pgw_value two[2] = {val("2", 1), val("2", 1)};
  bind_fixture(B_NOFMT, "", "", NULL, 0, two, 2, f0, 1);
  pgw_value three3[2] = {val("3", 1), val("3", 1)};
  bind_fixture(B_NAMED, "", "P_0", NULL, 0, three3, 2, f0, 1);
  bind_fixture(B_NOPARAMS, "", "P_1", NULL, 0, NULL, 0, f0, 1);
  pgw_value bin[3] = {val("\0\0\0\x29", 4), val("abc", 3),
                      val("\x01\x02\0\x03", 4)};
  bind_fixture(B_NFMT, "", "s3", f101, 3, bin, 3, f1, 1);
  pgw_value nul[3] = {val("7", 1), val(NULL, -1), val("\\x00ff", 6)};
  bind_fixture(B_NULL, "", "s3", NULL, 0, nul, 3, f0, 1);
  pgw_value one[1] = {val("\0\0\0\x03", 4)};
  bind_fixture(B_ONEFMT, "pt", "st", f1, 1, one, 1, f01, 2);
  pgw_value tn[2] = {val("42", 2), val(NULL, -1)};
  bind_fixture(B_ONEFMT_NULL, "", "", f0, 1, tn, 2, f1, 1);

  /* The server rejected 2 format codes for 3 parameters; so do we, at the
   * parameter count (offset 8). */
  EXPECT_PAYLOAD(PGW_MSG_BIND,
                 "000000020000000000030000000131000000013200000001330000",
                 PGW_ERR_BAD_COUNT, 8);
  {
    pgw_test_wire w = pgw_test_wire_hex(B_REJECTED);
    EXPECT_DECODE_FAIL(PGW_MSG_BIND, pgw_test_payload(&w),
                       pgw_test_payload_len(&w), PGW_ERR_BAD_COUNT, 8);
  }
  /* B_NFMT: n formats at 4 (codes 6..11), params count at 12, first length
   * at 14, result format count at 37, result code at 39. */
  EXPECT_PATCHED(PGW_MSG_BIND, B_NFMT, 12, "0002", PGW_ERR_BAD_COUNT, 12);
  EXPECT_PATCHED(PGW_MSG_BIND, B_NFMT, 12, "0004", PGW_ERR_BAD_COUNT, 12);
  EXPECT_PATCHED(PGW_MSG_BIND, B_NFMT, 6, "0002", PGW_ERR_BAD_VALUE, 6);
  EXPECT_PATCHED(PGW_MSG_BIND, B_NFMT, 8, "ffff", PGW_ERR_BAD_VALUE, 8);
  EXPECT_PATCHED(PGW_MSG_BIND, B_NFMT, 39, "0002", PGW_ERR_BAD_VALUE, 39);
  EXPECT_PATCHED(PGW_MSG_BIND, B_NFMT, 14, "fffffffe", PGW_ERR_NEGATIVE_LENGTH,
                 14);
  EXPECT_PATCHED(PGW_MSG_BIND, B_NFMT, 14, "80000000", PGW_ERR_NEGATIVE_LENGTH,
                 14);
  EXPECT_PATCHED(PGW_MSG_BIND, B_NFMT, 37, "0002", PGW_ERR_BAD_COUNT, 39);
  EXPECT_PATCHED(PGW_MSG_BIND, B_NFMT, 37, "0000", PGW_ERR_TRAILING_BYTES, 39);
  /* B_ONEFMT: one code at 8, result codes at 22 and 24. */
  EXPECT_PATCHED(PGW_MSG_BIND, B_ONEFMT, 8, "0003", PGW_ERR_BAD_VALUE, 8);
  EXPECT_PATCHED(PGW_MSG_BIND, B_ONEFMT, 24, "0100", PGW_ERR_BAD_VALUE, 24);
  /* B_NOFMT: format count 0 at 2 -> claims 65535 codes. */
  EXPECT_PATCHED(PGW_MSG_BIND, B_NOFMT, 2, "ffff", PGW_ERR_BAD_COUNT, 4);
  /* B_NULL: value lengths at 8 ("7"), 13 (NULL), 17 (6 bytes at 21); the
   * message ends at 31. */
  EXPECT_PATCHED(PGW_MSG_BIND, B_NULL, 13, "fffffff0", PGW_ERR_NEGATIVE_LENGTH,
                 13);
  EXPECT_PATCHED(PGW_MSG_BIND, B_NULL, 17, "0000000b", PGW_ERR_TRUNCATED, 21);
  /* Missing terminators. */
  EXPECT_PAYLOAD(PGW_MSG_BIND, "7074", PGW_ERR_NO_TERMINATOR, 0);
  EXPECT_PAYLOAD(PGW_MSG_BIND, "00 7374", PGW_ERR_NO_TERMINATOR, 1);

  /* One format code with zero parameters is allowed (exec_bind_message
   * only rejects more than one code that disagrees with the count). */
  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_BIND;
  b.body.bind.param_formats.count = 1;
  b.body.bind.param_formats.items = f1;
  unsigned char out[64];
  size_t len;
  CHECK_EQ_INT(pgw_message_encode(&b, out, sizeof out, &len), 0);
  {
    pgw_message m;
    pgw_error e;
    CHECK_EQ_INT(
        pgw_test_decode_copy(PGW_MSG_BIND, out + 5, len - 5, 0, &m, &e), 0);
  }

  /* Built messages: count disagreement, bad format codes, bad lengths. */
  pgw_value three[3] = {val("1", 1), val("2", 1), val("3", 1)};
  b.body.bind.param_formats.count = 2;
  b.body.bind.param_formats.items = f01;
  b.body.bind.params.count = 3;
  b.body.bind.params.items = three;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_COUNT);
  static const int16_t bad3[3] = {0, 2, 0};
  b.body.bind.param_formats.count = 3;
  b.body.bind.param_formats.items = bad3;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_VALUE);
  b.body.bind.param_formats.count = 0;
  b.body.bind.result_formats.count = 3;
  b.body.bind.result_formats.items = bad3;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_VALUE);
  b.body.bind.result_formats.count = 0;
  three[1].len = -3;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_NEGATIVE_LENGTH);
  three[1].len = 1;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_OK); /* valid */
  b.body.bind.portal.ptr = "p\0";
  b.body.bind.portal.len = 2;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_VALUE);
}

/* ---- Describe and Close -------------------------------------------------- */

/* Cuts: no target -> TRUNCATED at 0, then the name lacks its NUL at 1. */
static void target_name_cuts(pgw_kind k, const char *hex) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  for (size_t cut = 0; cut < pgw_test_payload_len(&w); cut++)
    EXPECT_DECODE_FAIL(k, pgw_test_payload(&w), cut,
                       cut == 0 ? PGW_ERR_TRUNCATED : PGW_ERR_NO_TERMINATOR,
                       cut == 0 ? 0 : 1);
}

static void cd_fixture(pgw_kind k, const char *hex, char target,
                       const char *name) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  pgw_message m;
  if (pgw_test_dec_ok(k, &w, 0, &m) == 0) {
    const pgw_close_describe *c =
        k == PGW_MSG_CLOSE ? &m.body.close : &m.body.describe;
    CHECK_EQ_INT(c->target, target);
    CHECK_STR(c->name, name);
  }

  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = k;
  pgw_close_describe *c = k == PGW_MSG_CLOSE ? &b.body.close : &b.body.describe;
  c->target = (uint8_t)target;
  c->name = S(name);
  pgw_test_enc_same(&b, &w);
  c->target = 's';
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_VALUE);
  c->target = (uint8_t)target;
  c->name.ptr = "a\0";
  c->name.len = 2;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_VALUE);

  pgw_test_roundtrip_and_cuts(k, hex);
  target_name_cuts(k, hex);
  EXPECT_PATCHED(k, hex, 0, "58", PGW_ERR_BAD_VALUE, 0); /* 'X' */
  EXPECT_PATCHED(k, hex, 0, "73", PGW_ERR_BAD_VALUE, 0); /* 's' */
  EXPECT_PATCHED(k, hex, 0, "00", PGW_ERR_BAD_VALUE, 0);
}

static void test_describe_close(void) {
  cd_fixture(PGW_MSG_DESCRIBE, D_PORTAL, 'P', "");
  cd_fixture(PGW_MSG_DESCRIBE, D_STMT, 'S', "");
  cd_fixture(PGW_MSG_DESCRIBE, D_S3, 'S', "s3");
  cd_fixture(PGW_MSG_DESCRIBE, D_PT, 'P', "pt");
  cd_fixture(PGW_MSG_CLOSE, C_PORTAL, 'P', "pt");
  cd_fixture(PGW_MSG_CLOSE, C_STMT, 'S', "st");
  cd_fixture(PGW_MSG_CLOSE, C_MISSING, 'S', "nonexistent");
  EXPECT_PAYLOAD(PGW_MSG_DESCRIBE, "53 00 00", PGW_ERR_TRAILING_BYTES, 2);
  EXPECT_PAYLOAD(PGW_MSG_CLOSE, "50 7074 00 7074 00", PGW_ERR_TRAILING_BYTES,
                 4);
}

/* ---- Execute ------------------------------------------------------------ */

static void execute_fixture(const char *hex, const char *portal, int32_t max) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  pgw_message m;
  if (pgw_test_dec_ok(PGW_MSG_EXECUTE, &w, 0, &m) == 0) {
    CHECK_STR(m.body.execute.portal, portal);
    CHECK_EQ_INT(m.body.execute.max_rows, max);
  }
  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_EXECUTE;
  b.body.execute.portal = S(portal);
  b.body.execute.max_rows = max;
  pgw_test_enc_same(&b, &w);
  pgw_test_roundtrip_and_cuts(PGW_MSG_EXECUTE, hex);

  size_t name_end = strlen(portal);
  for (size_t cut = 0; cut < pgw_test_payload_len(&w); cut++) {
    if (cut <= name_end)
      EXPECT_DECODE_FAIL(PGW_MSG_EXECUTE, pgw_test_payload(&w), cut,
                         PGW_ERR_NO_TERMINATOR, 0);
    else
      EXPECT_DECODE_FAIL(PGW_MSG_EXECUTE, pgw_test_payload(&w), cut,
                         PGW_ERR_TRUNCATED, name_end + 1);
  }
}

static void test_execute(void) {
  execute_fixture(E_ALL, "", 0);
  execute_fixture(E_ONE, "pt", 1);
  execute_fixture(E_REST, "pt", 0);
  /* PostgreSQL takes a negative limit as "no limit": it decodes. */
  pgw_message m;
  pgw_error e;
  unsigned char neg[5] = {0, 0xff, 0xff, 0xff, 0xff};
  CHECK_EQ_INT(pgw_test_decode_copy(PGW_MSG_EXECUTE, neg, 5, 0, &m, &e), 0);
  CHECK_EQ_INT(m.body.execute.max_rows, -1);
  EXPECT_PAYLOAD(PGW_MSG_EXECUTE, "00 00000000 00", PGW_ERR_TRAILING_BYTES, 5);
}

/* ---- ParameterDescription ----------------------------------------------- */

static void pd_fixture(const char *hex, const uint32_t *types, size_t n) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  pgw_message m;
  if (pgw_test_dec_ok(PGW_MSG_PARAMETER_DESCRIPTION, &w, 0, &m) == 0) {
    const pgw_oid_list *l = &m.body.parameter_description.types;
    CHECK_EQ_INT(l->count, n);
    pgw_iter it = pgw_oid_iter(l);
    uint32_t oid;
    size_t i = 0;
    while (pgw_oid_next(&it, &oid) == 1) {
      if (i < n) CHECK_EQ_INT(oid, types[i]);
      i++;
    }
    CHECK_EQ_INT(i, n);
  }
  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_PARAMETER_DESCRIPTION;
  b.body.parameter_description.types.count = n;
  b.body.parameter_description.types.items = types;
  pgw_test_enc_same(&b, &w);
  pgw_test_roundtrip_and_cuts(PGW_MSG_PARAMETER_DESCRIPTION, hex);
  for (size_t cut = 0; cut < pgw_test_payload_len(&w); cut++)
    EXPECT_DECODE_FAIL(PGW_MSG_PARAMETER_DESCRIPTION, pgw_test_payload(&w), cut,
                       cut < 2 ? PGW_ERR_TRUNCATED : PGW_ERR_BAD_COUNT,
                       PGW_TEST_ANY_OFFSET);
}

static void test_parameter_description(void) {
  pd_fixture(T_NONE, NULL, 0);
  static const uint32_t t3[3] = {23, 25, 17};
  pd_fixture(T_THREE, t3, 3);
  static const uint32_t t2[2] = {21, 1043};
  pd_fixture(T_INFERRED, t2, 2);
  EXPECT_PATCHED(PGW_MSG_PARAMETER_DESCRIPTION, T_THREE, 0, "0004",
                 PGW_ERR_BAD_COUNT, 2);
  EXPECT_PATCHED(PGW_MSG_PARAMETER_DESCRIPTION, T_THREE, 0, "ffff",
                 PGW_ERR_BAD_COUNT, 2);
  EXPECT_PATCHED(PGW_MSG_PARAMETER_DESCRIPTION, T_THREE, 0, "0002",
                 PGW_ERR_TRAILING_BYTES, 10);
  EXPECT_PATCHED(PGW_MSG_PARAMETER_DESCRIPTION, T_NONE, 0, "0001",
                 PGW_ERR_BAD_COUNT, 2);

  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_PARAMETER_DESCRIPTION;
  b.body.parameter_description.types.count = 70000;
  CHECK_EQ_INT(pgw_test_encode_rc(&b), PGW_ERR_BAD_COUNT);
}

int main(void) {
  test_parse();
  test_bind();
  test_describe_close();
  test_execute();
  test_parameter_description();
  return pgw_test_done("extended");
}
