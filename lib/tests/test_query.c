/*
 * test_query.c - Query, CommandComplete, ReadyForQuery, RowDescription and
 * DataRow against bytes recorded from PostgreSQL 15.18 (Debian 15.18-0+deb12u1)
 * through a logging proxy (see notes/fixtures-query-extended.md):
 *   [psql]    psql 15 -f script (one statement per Query)
 *   [psql-c]  psql 15 -c "SELECT 1 AS one; SELECT NULL AS n, 'x' AS y;
 *             SELECT 1/0; SELECT 3" (one multi-statement Query)
 *   [pgbench] pgbench 15 -M extended / -M prepared with a custom script
 *   [libpq]   a libpq 15 program: PQprepare, PQdescribePrepared,
 *             PQexecPrepared with binary parameters and binary results
 *   [raw]     a Python client (Bind with result formats 0,1); the bytes
 *             here are the server's answers
 * Each fixture is a whole message as on the wire (type, length, payload).
 */
#include "pgw_test.h"

/* ---- fixtures ---------------------------------------------------------- */

/* [psql] SELECT 1 AS a, NULL::text AS b, 'hi'::varchar(10) AS c; */
static const char Q_SELECT[] =
    "510000003c53454c454354203120415320612c204e554c4c3a3a7465787420415320622c"
    "20276869273a3a766172636861722831302920415320633b00";
/* [psql-c] four statements in one Query */
static const char Q_MULTI[] =
    "510000004653454c4543542031204153206f6e653b2053454c454354204e554c4c204153"
    "206e2c2027782720415320793b2053454c45435420312f303b2053454c454354203300";
/* [psql] SELECT; */
static const char Q_EMPTY_SELECT[] = "510000000c53454c4543543b00";

/* [psql] command tags */
static const char CC_SELECT1[] = "430000000d53454c454354203100";
static const char CC_SELECT0[] = "430000000d53454c454354203000";
static const char CC_BEGIN[] = "430000000a424547494e00";
static const char CC_COMMIT[] = "430000000b434f4d4d495400";
static const char CC_ROLLBACK[] = "430000000d524f4c4c4241434b00";
/* [pgbench] SET application_name = 'pgb' */
static const char CC_SET[] = "430000000853455400";

/* [psql] idle, after BEGIN, after an error inside BEGIN */
static const char Z_IDLE[] = "5a0000000549";
static const char Z_TRANS[] = "5a0000000554";
static const char Z_FAILED[] = "5a0000000545";

/* [psql] RowDescription of Q_SELECT: int4, text, varchar(10) */
static const char T_THREE[] =
    "540000004200036100000000000000000000170004ffffffff0000620000000000000000"
    "000019ffffffffffff0000630000000000000000000413ffff0000000e0000";
/* [psql] SELECT; -> zero fields */
static const char T_ZERO[] = "54000000060000";
/* [psql] SELECT oid, relname FROM pg_class WHERE relname = 'pg_type';
 * table OID 1259 (pg_class), attnums 1 and 2, types oid and name */
static const char T_TABLE[] =
    "540000003600026f696400000004eb00010000001a0004ffffffff000072656c6e616d65"
    "00000004eb0002000000130040ffffffff0000";
/* [libpq] PQexecPrepared(..., resultFormat 1): all fields binary */
static const char T_BINARY[] =
    "540000005600046e00000000000000000000170004ffffffff0001740000000000000000"
    "000019ffffffffffff00016c00000000000000000000170004ffffffff00017a00000000"
    "000000000000140008ffffffff0001";
/* [raw] Describe portal bound with result formats (0, 1) */
static const char T_MIXED[] =
    "540000002e00026700000000000000000000170004ffffffff0000740000000000000000"
    "000019ffffffffffff0001";
/* [psql] SELECT 'a'::text AS t, 1.5::numeric(4,1) AS n WHERE false;
 * numeric typmod ((4 << 16) | 1) + 4 */
static const char T_NUMERIC[] =
    "540000002e0002740000000000000000000019ffffffffffff00006e0000000000000000"
    "0006a4ffff000400050000";

/* [psql] row of Q_SELECT: "1", NULL, "hi" */
static const char D_THREE[] = "440000001500030000000131ffffffff000000026869";
/* [psql] SELECT; -> a row with zero columns */
static const char D_ZERO[] = "44000000060000";
/* [psql] pg_class row "1247", "pg_type" */
static const char D_TABLE[] =
    "4400000019000200000004313234370000000770675f74797065";
/* [psql-c] NULL first, then "x" */
static const char D_NULL_FIRST[] = "440000000f0002ffffffff0000000178";
/* [libpq] binary row: int4 42, text "ABC", int4 4, NULL int8 */
static const char D_BINARY[] =
    "44000000210004000000040000002a000000034142430000000400000004ffffffff";
/* [raw] binary int8 42, NULL text */
static const char D_INT8[] = "4400000016000200000008000000000000002affffffff";
/* [libpq] text row with two NULLs: "8", NULL, "2", NULL */
static const char D_TWO_NULLS[] =
    "440000001800040000000138ffffffff0000000132ffffffff";

/* ---- Query and CommandComplete ------------------------------------------ */

static void text_kind(pgw_kind k, const char *hex, const char *expect) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  pgw_message m;
  if (pgw_test_dec_ok(k, &w, 0, &m) == 0) {
    pgw_str s =
        k == PGW_MSG_QUERY ? m.body.query.text : m.body.command_complete.text;
    CHECK_STR(s, expect);
    pgw_test_enc_same(&m, &w);
  }
  pgw_test_roundtrip_and_cuts(k, hex);
  /* Every cut loses the terminator; the string starts at 0. */
  const unsigned char *p = pgw_test_payload(&w);
  size_t n = pgw_test_payload_len(&w);
  for (size_t cut = 0; cut < n; cut++)
    EXPECT_DECODE_FAIL(k, p, cut, PGW_ERR_NO_TERMINATOR, 0);
  /* A second string after the first is trailing. */
  unsigned char two[300];
  memcpy(two, p, n);
  memcpy(two + n, "x", 2);
  EXPECT_DECODE_FAIL(k, two, n + 2, PGW_ERR_TRAILING_BYTES, n);
}

static void test_query(void) {
  text_kind(PGW_MSG_QUERY, Q_SELECT,
            "SELECT 1 AS a, NULL::text AS b, 'hi'::varchar(10) AS c;");
  text_kind(PGW_MSG_QUERY, Q_MULTI,
            "SELECT 1 AS one; SELECT NULL AS n, 'x' AS y; SELECT 1/0; "
            "SELECT 3");
  text_kind(PGW_MSG_QUERY, Q_EMPTY_SELECT, "SELECT;");

  /* Built Query encodes to psql's bytes; a NUL inside is refused. */
  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_QUERY;
  m.body.query.text = PGW_STR("SELECT;");
  pgw_test_wire w = pgw_test_wire_hex(Q_EMPTY_SELECT);
  pgw_test_enc_same(&m, &w);
  m.body.query.text.ptr = "SELECT\0;";
  m.body.query.text.len = 8;
  size_t len;
  CHECK_EQ_INT(pgw_message_encode(&m, NULL, 0, &len), PGW_ERR_BAD_VALUE);
}

static void test_command_complete(void) {
  text_kind(PGW_MSG_COMMAND_COMPLETE, CC_SELECT1, "SELECT 1");
  text_kind(PGW_MSG_COMMAND_COMPLETE, CC_SELECT0, "SELECT 0");
  text_kind(PGW_MSG_COMMAND_COMPLETE, CC_BEGIN, "BEGIN");
  text_kind(PGW_MSG_COMMAND_COMPLETE, CC_COMMIT, "COMMIT");
  text_kind(PGW_MSG_COMMAND_COMPLETE, CC_ROLLBACK, "ROLLBACK");
  text_kind(PGW_MSG_COMMAND_COMPLETE, CC_SET, "SET");

  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_COMMAND_COMPLETE;
  m.body.command_complete.text = PGW_STR("ROLLBACK");
  pgw_test_wire w = pgw_test_wire_hex(CC_ROLLBACK);
  pgw_test_enc_same(&m, &w);
}

/* ---- ReadyForQuery ------------------------------------------------------ */

static void test_ready(void) {
  const char *fx[3] = {Z_IDLE, Z_TRANS, Z_FAILED};
  const char st[3] = {'I', 'T', 'E'};
  for (int i = 0; i < 3; i++) {
    pgw_test_wire w = pgw_test_wire_hex(fx[i]);
    pgw_message m;
    if (pgw_test_dec_ok(PGW_MSG_READY_FOR_QUERY, &w, 0, &m) == 0) {
      CHECK_EQ_INT(m.body.ready.status, st[i]);
      pgw_test_enc_same(&m, &w);
    }
    pgw_test_roundtrip_and_cuts(PGW_MSG_READY_FOR_QUERY, fx[i]);

    pgw_message b;
    memset(&b, 0, sizeof b);
    b.kind = PGW_MSG_READY_FOR_QUERY;
    b.body.ready.status = (uint8_t)st[i];
    pgw_test_enc_same(&b, &w);
  }
  EXPECT_PAYLOAD(PGW_MSG_READY_FOR_QUERY, "", PGW_ERR_TRUNCATED, 0);
  EXPECT_PAYLOAD(PGW_MSG_READY_FOR_QUERY, "58", PGW_ERR_BAD_VALUE, 0); /* X */
  EXPECT_PAYLOAD(PGW_MSG_READY_FOR_QUERY, "69", PGW_ERR_BAD_VALUE, 0); /* i */
  EXPECT_PAYLOAD(PGW_MSG_READY_FOR_QUERY, "00", PGW_ERR_BAD_VALUE, 0);
  EXPECT_PAYLOAD(PGW_MSG_READY_FOR_QUERY, "4949", PGW_ERR_TRAILING_BYTES, 1);

  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_READY_FOR_QUERY;
  b.body.ready.status = 'Q';
  size_t len;
  CHECK_EQ_INT(pgw_message_encode(&b, NULL, 0, &len), PGW_ERR_BAD_VALUE);
}

/* ---- RowDescription ----------------------------------------------------- */

/* Reference model of where a cut RowDescription must fail. */
static void rd_cuts(const char *hex) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  const unsigned char *p = pgw_test_payload(&w);
  size_t n = pgw_test_payload_len(&w);
  for (size_t cut = 0; cut < n; cut++) {
    int code = 0;
    size_t off = 0;
    if (cut < 2) {
      code = PGW_ERR_TRUNCATED;
    } else {
      size_t pos = 2;
      unsigned count = (unsigned)p[0] << 8 | p[1];
      for (unsigned i = 0; i < count && code == 0; i++) {
        size_t nul = pos;
        while (p[nul] != 0)
          nul++;
        if (cut == pos) {
          code = PGW_ERR_BAD_COUNT, off = pos;
        } else if (cut <= nul) {
          code = PGW_ERR_NO_TERMINATOR, off = pos;
        } else if (cut < nul + 19) {
          code = PGW_ERR_TRUNCATED, off = nul + 1;
        }
        pos = nul + 19;
      }
    }
    EXPECT_DECODE_FAIL(PGW_MSG_ROW_DESCRIPTION, p, cut, code, off);
  }
}

static void check_column(const pgw_column *c, const char *name, uint32_t table,
                         int16_t attnum, uint32_t type, int16_t size,
                         int32_t typmod, int16_t format) {
  CHECK_STR(c->name, name);
  CHECK_EQ_INT(c->table_oid, table);
  CHECK_EQ_INT(c->column_attnum, attnum);
  CHECK_EQ_INT(c->type_oid, type);
  CHECK_EQ_INT(c->type_size, size);
  CHECK_EQ_INT(c->type_modifier, typmod);
  CHECK_EQ_INT(c->format, format);
}

/* Decode, compare every field with want[], and rebuild from want[]. */
static void rd_fixture(const char *hex, const pgw_column *want, size_t n) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  pgw_message m;
  if (pgw_test_dec_ok(PGW_MSG_ROW_DESCRIPTION, &w, 0, &m) == 0) {
    const pgw_column_list *l = &m.body.row_description.columns;
    CHECK_EQ_INT(l->count, n);
    CHECK(l->items == NULL);
    CHECK_EQ_INT(l->raw.len, pgw_test_payload_len(&w) - 2);
    pgw_iter it = pgw_column_iter(l);
    pgw_column c;
    size_t i = 0;
    int rc;
    while ((rc = pgw_column_next(&it, &c)) == 1) {
      if (i < n)
        check_column(&c, want[i].name.ptr, want[i].table_oid,
                     want[i].column_attnum, want[i].type_oid, want[i].type_size,
                     want[i].type_modifier, want[i].format);
      i++;
    }
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(i, n);
    pgw_test_enc_same(&m, &w);
  }

  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_ROW_DESCRIPTION;
  b.body.row_description.columns.count = n;
  b.body.row_description.columns.items = want;
  pgw_test_enc_same(&b, &w);

  pgw_test_roundtrip_and_cuts(PGW_MSG_ROW_DESCRIPTION, hex);
  rd_cuts(hex);
}

static pgw_column col(const char *name, uint32_t table, int16_t attnum,
                      uint32_t type, int16_t size, int32_t typmod,
                      int16_t format) {
  pgw_column c;
  c.name = PGW_STR(name);
  c.table_oid = table;
  c.column_attnum = attnum;
  c.type_oid = type;
  c.type_size = size;
  c.type_modifier = typmod;
  c.format = format;
  return c;
}

static void test_row_description(void) {
  pgw_column three[3] = {col("a", 0, 0, 23, 4, -1, 0),
                         col("b", 0, 0, 25, -1, -1, 0),
                         col("c", 0, 0, 1043, -1, 14, 0)};
  rd_fixture(T_THREE, three, 3);
  rd_fixture(T_ZERO, NULL, 0);
  pgw_column table[2] = {col("oid", 1259, 1, 26, 4, -1, 0),
                         col("relname", 1259, 2, 19, 64, -1, 0)};
  rd_fixture(T_TABLE, table, 2);
  pgw_column bin[4] = {
      col("n", 0, 0, 23, 4, -1, 1), col("t", 0, 0, 25, -1, -1, 1),
      col("l", 0, 0, 23, 4, -1, 1), col("z", 0, 0, 20, 8, -1, 1)};
  rd_fixture(T_BINARY, bin, 4);
  pgw_column mixed[2] = {col("g", 0, 0, 23, 4, -1, 0),
                         col("t", 0, 0, 25, -1, -1, 1)};
  rd_fixture(T_MIXED, mixed, 2);
  pgw_column num[2] = {col("t", 0, 0, 25, -1, -1, 0),
                       col("n", 0, 0, 1700, -1, (4 << 16 | 1) + 4, 0)};
  rd_fixture(T_NUMERIC, num, 2);

  /* Format codes other than 0/1, at the format of the first and last field
   * (T_THREE: field a at 2..21, format at 20; field c's format at 60). */
  EXPECT_PATCHED(PGW_MSG_ROW_DESCRIPTION, T_THREE, 20, "0002",
                 PGW_ERR_BAD_VALUE, 20);
  EXPECT_PATCHED(PGW_MSG_ROW_DESCRIPTION, T_THREE, 60, "ffff",
                 PGW_ERR_BAD_VALUE, 60);
  EXPECT_PATCHED(PGW_MSG_ROW_DESCRIPTION, T_THREE, 60, "0100",
                 PGW_ERR_BAD_VALUE, 60);
  /* Count says more fields than present: BAD_COUNT at the end. */
  EXPECT_PATCHED(PGW_MSG_ROW_DESCRIPTION, T_THREE, 0, "0004", PGW_ERR_BAD_COUNT,
                 62);
  /* Counts are unsigned: 0xffff is 65535 fields, not -1. */
  EXPECT_PATCHED(PGW_MSG_ROW_DESCRIPTION, T_THREE, 0, "ffff", PGW_ERR_BAD_COUNT,
                 62);
  EXPECT_PATCHED(PGW_MSG_ROW_DESCRIPTION, T_ZERO, 0, "0001", PGW_ERR_BAD_COUNT,
                 2);
  /* Fewer: the rest is trailing. */
  EXPECT_PATCHED(PGW_MSG_ROW_DESCRIPTION, T_THREE, 0, "0002",
                 PGW_ERR_TRAILING_BYTES, 42);
  EXPECT_PATCHED(PGW_MSG_ROW_DESCRIPTION, T_THREE, 0, "0000",
                 PGW_ERR_TRAILING_BYTES, 2);
  /* Name without terminator at the end of the payload. */
  EXPECT_PAYLOAD(PGW_MSG_ROW_DESCRIPTION, "0001 616263", PGW_ERR_NO_TERMINATOR,
                 2);

  /* Built lists: format code outside 0/1, NUL in a name. */
  pgw_column bad = col("a", 0, 0, 23, 4, -1, 2);
  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_ROW_DESCRIPTION;
  b.body.row_description.columns.count = 1;
  b.body.row_description.columns.items = &bad;
  size_t len;
  CHECK_EQ_INT(pgw_message_encode(&b, NULL, 0, &len), PGW_ERR_BAD_VALUE);
  bad.format = 0;
  bad.name.ptr = "a\0b";
  bad.name.len = 3;
  CHECK_EQ_INT(pgw_message_encode(&b, NULL, 0, &len), PGW_ERR_BAD_VALUE);
  b.body.row_description.columns.count = 65536;
  CHECK_EQ_INT(pgw_message_encode(&b, NULL, 0, &len), PGW_ERR_BAD_COUNT);
}

/* ---- DataRow ------------------------------------------------------------ */

/* Reference model of where a cut DataRow must fail. */
static void dr_cuts(const char *hex) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  const unsigned char *p = pgw_test_payload(&w);
  size_t n = pgw_test_payload_len(&w);
  for (size_t cut = 0; cut < n; cut++) {
    int code = 0;
    size_t off = 0;
    if (cut < 2) {
      code = PGW_ERR_TRUNCATED;
    } else {
      size_t pos = 2;
      unsigned count = (unsigned)p[0] << 8 | p[1];
      for (unsigned i = 0; i < count && code == 0; i++) {
        uint32_t len = (uint32_t)p[pos] << 24 | (uint32_t)p[pos + 1] << 16 |
                       (uint32_t)p[pos + 2] << 8 | p[pos + 3];
        size_t vlen = len == 0xffffffffu ? 0 : len;
        if (cut == pos) {
          code = PGW_ERR_BAD_COUNT, off = pos;
        } else if (cut < pos + 4) {
          code = PGW_ERR_TRUNCATED, off = pos;
        } else if (cut < pos + 4 + vlen) {
          code = PGW_ERR_TRUNCATED, off = pos + 4;
        }
        pos += 4 + vlen;
      }
    }
    EXPECT_DECODE_FAIL(PGW_MSG_DATA_ROW, p, cut, code, off);
  }
}

static pgw_value val(const char *bytes, int32_t len) {
  pgw_value v;
  v.ptr = (const uint8_t *)bytes;
  v.len = len;
  return v;
}

static void dr_fixture(const char *hex, const pgw_value *want, size_t n) {
  pgw_test_wire w = pgw_test_wire_hex(hex);
  pgw_message m;
  if (pgw_test_dec_ok(PGW_MSG_DATA_ROW, &w, 0, &m) == 0) {
    const pgw_value_list *l = &m.body.data_row.columns;
    CHECK_EQ_INT(l->count, n);
    CHECK(l->items == NULL);
    CHECK_EQ_INT(l->raw.len, pgw_test_payload_len(&w) - 2);
    pgw_iter it = pgw_value_iter(l);
    pgw_value v;
    size_t i = 0;
    int rc;
    while ((rc = pgw_value_next(&it, &v)) == 1) {
      if (i < n) {
        CHECK_EQ_INT(v.len, want[i].len);
        if (v.len < 0) {
          CHECK(v.ptr == NULL);
        } else {
          CHECK_MEM(v.ptr, v.len, want[i].ptr, want[i].len);
          /* The view points into the payload. */
          CHECK(v.ptr >= pgw_test_heap &&
                v.ptr + v.len <= pgw_test_heap + pgw_test_payload_len(&w));
        }
      }
      i++;
    }
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(i, n);
    pgw_test_enc_same(&m, &w);
  }

  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_DATA_ROW;
  b.body.data_row.columns.count = n;
  b.body.data_row.columns.items = want;
  pgw_test_enc_same(&b, &w);

  pgw_test_roundtrip_and_cuts(PGW_MSG_DATA_ROW, hex);
  dr_cuts(hex);
}

static void test_data_row(void) {
  pgw_value three[3] = {val("1", 1), val(NULL, -1), val("hi", 2)};
  dr_fixture(D_THREE, three, 3);
  dr_fixture(D_ZERO, NULL, 0);
  pgw_value table[2] = {val("1247", 4), val("pg_type", 7)};
  dr_fixture(D_TABLE, table, 2);
  pgw_value nf[2] = {val(NULL, -1), val("x", 1)};
  dr_fixture(D_NULL_FIRST, nf, 2);
  pgw_value bin[4] = {val("\0\0\0\x2a", 4), val("ABC", 3), val("\0\0\0\x04", 4),
                      val(NULL, -1)};
  dr_fixture(D_BINARY, bin, 4);
  pgw_value i8[2] = {val("\0\0\0\0\0\0\0\x2a", 8), val(NULL, -1)};
  dr_fixture(D_INT8, i8, 2);
  pgw_value two[4] = {val("8", 1), val(NULL, -1), val("2", 1), val(NULL, -1)};
  dr_fixture(D_TWO_NULLS, two, 4);

  /* Negative lengths other than -1 (D_THREE: lengths at 2, 7, 11). The
   * value then has no bytes, as libpq reads it; NEGATIVE_LENGTH (a
   * documented rule) is reported only when nothing else is wrong, and the
   * value's bytes left over are what libpq refuses (insufficient data,
   * message contents do not agree with length). */
  EXPECT_PATCHED(PGW_MSG_DATA_ROW, D_THREE, 7, "fffffffe",
                 PGW_ERR_NEGATIVE_LENGTH, 7);
  EXPECT_PATCHED(PGW_MSG_DATA_ROW, D_THREE, 2, "80000000", PGW_ERR_TRUNCATED,
                 10);
  EXPECT_PATCHED(PGW_MSG_DATA_ROW, D_THREE, 11, "ffffff00",
                 PGW_ERR_TRAILING_BYTES, 15);
  /* A length past the end: TRUNCATED at the value. */
  EXPECT_PATCHED(PGW_MSG_DATA_ROW, D_THREE, 11, "00000003", PGW_ERR_TRUNCATED,
                 15);
  EXPECT_PATCHED(PGW_MSG_DATA_ROW, D_THREE, 2, "7fffffff", PGW_ERR_TRUNCATED,
                 6);
  /* A shorter length leaves bytes that do not form a column. */
  EXPECT_PATCHED(PGW_MSG_DATA_ROW, D_THREE, 11, "00000001",
                 PGW_ERR_TRAILING_BYTES, 16);
  /* Counts: more columns than present, unsigned 0xffff, fewer. */
  EXPECT_PATCHED(PGW_MSG_DATA_ROW, D_THREE, 0, "0004", PGW_ERR_BAD_COUNT, 17);
  EXPECT_PATCHED(PGW_MSG_DATA_ROW, D_THREE, 0, "ffff", PGW_ERR_BAD_COUNT, 17);
  EXPECT_PATCHED(PGW_MSG_DATA_ROW, D_ZERO, 0, "0001", PGW_ERR_BAD_COUNT, 2);
  EXPECT_PATCHED(PGW_MSG_DATA_ROW, D_THREE, 0, "0002", PGW_ERR_TRAILING_BYTES,
                 11);
  EXPECT_PATCHED(PGW_MSG_DATA_ROW, D_THREE, 0, "0000", PGW_ERR_TRAILING_BYTES,
                 2);
  EXPECT_PAYLOAD(PGW_MSG_DATA_ROW, "", PGW_ERR_TRUNCATED, 0);
  EXPECT_PAYLOAD(PGW_MSG_DATA_ROW, "00", PGW_ERR_TRUNCATED, 0);

  /* A large row: 1000 columns alternating NULL and 3 bytes; decodes, walks
   * and re-encodes. */
  size_t n = 2 + 500 * 4 + 500 * 7;
  unsigned char *big = (unsigned char *)malloc(n);
  if (big == NULL) abort();
  big[0] = 0x03, big[1] = 0xe8;
  size_t pos = 2;
  for (int i = 0; i < 1000; i++) {
    if (i % 2) {
      memcpy(big + pos, "\xff\xff\xff\xff", 4), pos += 4;
    } else {
      memcpy(big + pos,
             "\0\0\0\x03"
             "abc",
             7),
          pos += 7;
    }
  }
  pgw_message m;
  pgw_error e;
  CHECK_EQ_INT(pgw_message_decode(PGW_MSG_DATA_ROW, big, n, 0, &m, &e), 0);
  CHECK_EQ_INT(m.body.data_row.columns.count, 1000);
  pgw_iter it = pgw_value_iter(&m.body.data_row.columns);
  pgw_value v;
  size_t nulls = 0, cols = 0;
  while (pgw_value_next(&it, &v) == 1) {
    cols++;
    nulls += v.len == -1;
  }
  CHECK_EQ_INT(cols, 1000);
  CHECK_EQ_INT(nulls, 500);
  size_t len = 0;
  CHECK_EQ_INT(pgw_message_encode(&m, NULL, 0, &len), PGW_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ_INT(len, n + 5);
  free(big);

  /* Built values with a length below -1 are refused. */
  pgw_value bad[1] = {val("x", -2)};
  pgw_message b;
  memset(&b, 0, sizeof b);
  b.kind = PGW_MSG_DATA_ROW;
  b.body.data_row.columns.count = 1;
  b.body.data_row.columns.items = bad;
  CHECK_EQ_INT(pgw_message_encode(&b, NULL, 0, &len), PGW_ERR_NEGATIVE_LENGTH);
  b.body.data_row.columns.count = 65536;
  b.body.data_row.columns.items = NULL;
  CHECK_EQ_INT(pgw_message_encode(&b, NULL, 0, &len), PGW_ERR_BAD_COUNT);
}

int main(void) {
  test_query();
  test_command_complete();
  test_ready();
  test_row_description();
  test_data_row();
  return pgw_test_done("query");
}
