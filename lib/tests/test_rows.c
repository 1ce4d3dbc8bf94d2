/*
 * test_rows.c - the batch row reads, pgw_decoder_rows() and
 * pgw_conn_rows(): the same rows and values as pgw_decoder_next() /
 * pgw_conn_next() on real PostgreSQL 15 bytes (fixtures_psql15.h), and a
 * stop before everything that is not a whole, well-formed row of the
 * asked column count, which next() then takes or reports.
 */
#include "fixtures_psql15.h"
#include "pgw_test.h"

static unsigned char be[4096];
static size_t be_len;

/* Stream offsets of the first RowDescription and of the end of the
 * ReadyForQuery after it (the answer to the first query). */
static void find_answer(size_t *from, size_t *to) {
  pgw_decoder d;
  pgw_decoder_init(&d, PGW_BACKEND, NULL);
  pgw_decoder_feed(&d, be, be_len);
  pgw_message m;
  *from = *to = 0;
  while (pgw_decoder_next(&d, &m) == PGW_OK) {
    if (m.kind == PGW_MSG_ROW_DESCRIPTION && *from == 0) *from = m.offset;
    if (m.kind == PGW_MSG_READY_FOR_QUERY && *from && !*to)
      *to = m.offset + m.wire_len;
  }
  pgw_decoder_free(&d);
}

static void test_decoder_rows(size_t from, size_t to) {
  pgw_decoder d;
  pgw_decoder_init(&d, PGW_BACKEND, NULL);
  pgw_value v[16];
  CHECK_EQ_INT(pgw_decoder_rows(&d, 0, v, 16), PGW_ERR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pgw_decoder_rows(NULL, 3, v, 16), PGW_ERR_INVALID_ARGUMENT);
  pgw_decoder_feed(&d, be + from, to - from);
  pgw_message m;
  CHECK_EQ_INT(pgw_decoder_rows(&d, 3, v, 16), 0); /* RowDescription */
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_OK);
  CHECK_EQ_INT(m.kind, PGW_MSG_ROW_DESCRIPTION);
  CHECK_EQ_INT(pgw_decoder_rows(&d, 2, v, 16), 0); /* 3 columns, not 2 */
  CHECK_EQ_INT(pgw_decoder_rows(&d, 3, v, 8), 2);  /* cap: 2 rows of 3 */
  CHECK(v[0].len == 1 && v[0].ptr[0] == '1' && v[1].len == 32);
  CHECK(v[2].len == -1 && v[2].ptr == NULL && v[3].ptr[0] == '2');
  CHECK_EQ_INT(pgw_decoder_rows(&d, 3, v, 16), 1); /* the third row */
  CHECK(v[0].ptr[0] == '3' && v[2].len == -1);
  CHECK_EQ_INT(pgw_decoder_rows(&d, 3, v, 16), 0); /* CommandComplete */
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_OK);
  CHECK_STR(m.body.command_complete.text, "SELECT 3");
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_OK);
  CHECK_EQ_INT(m.kind, PGW_MSG_READY_FOR_QUERY);
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_NEED_MORE);
  pgw_decoder_free(&d);
}

/* A row cut by the chunk, a row with a bad length: 0 rows, and next()
 * buffers the first and reports the second at its offset. */
static void test_decoder_stops(size_t from) {
  pgw_decoder d;
  pgw_decoder_init(&d, PGW_BACKEND, NULL);
  pgw_message m;
  pgw_value v[8];
  pgw_decoder_feed(&d, be + from, be_len - from);
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_OK); /* RowDescription */
  size_t row = pgw_decoder_offset(&d);
  pgw_decoder_reset(&d, PGW_FRAMING_STANDARD, row);
  pgw_decoder_feed(&d, be + from + row, 10); /* part of the first row */
  CHECK_EQ_INT(pgw_decoder_rows(&d, 3, v, 8), 0);
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_NEED_MORE);
  pgw_decoder_reset(&d, PGW_FRAMING_STANDARD, row);
  unsigned char bad[64];
  memcpy(bad, be + from + row, sizeof bad);
  bad[10] = 0x7f; /* first column length 127: past the message */
  pgw_decoder_feed(&d, bad, sizeof bad);
  CHECK_EQ_INT(pgw_decoder_rows(&d, 3, v, 8), 0);
  CHECK_EQ_INT(pgw_decoder_offset(&d), row);
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_ERR_TRUNCATED);
  CHECK(pgw_decoder_error(&d)->offset > row &&
        pgw_decoder_error(&d)->offset < row + 20);
  pgw_decoder_free(&d);
  pgw_decoder fd; /* the frontend's bytes have no rows */
  pgw_decoder_init(&fd, PGW_FRONTEND, NULL);
  pgw_decoder_feed(&fd, be + from + row, 20);
  CHECK_EQ_INT(pgw_decoder_rows(&fd, 3, v, 8), 0);
  pgw_decoder_free(&fd);
}

/* The conn: rows only while due, with the RowDescription's count. */
static void test_conn_rows(size_t from, size_t to) {
  pgw_conn c;
  pgw_conn_options o;
  memset(&o, 0, sizeof o);
  o.start_phase = PGW_PHASE_READY;
  o.protocol = PGW_PROTOCOL_3_0;
  CHECK_EQ_INT(pgw_conn_init(&c, &o), 0);
  pgw_buf out;
  pgw_buf_init(&out, NULL);
  pgw_message m;
  pgw_msg_query(&m, "select i, md5(i::text), null::text from "
                    "generate_series(1,3) i");
  CHECK_EQ_INT(pgw_conn_send(&c, &m, &out), 0);
  pgw_value v[16];
  size_t ncols = 99, rows = 0, msgs = 0;
  CHECK_EQ_INT(pgw_conn_receive(&c, be + from, to - from), 0);
  CHECK_EQ_INT(pgw_conn_rows(&c, v, 16, &ncols), 0); /* not yet due */
  CHECK_EQ_INT(ncols, 0);
  int rc;
  for (;;) {
    int n = pgw_conn_rows(&c, v, 16, &ncols);
    CHECK(n >= 0);
    if (n > 0) {
      CHECK_EQ_INT(ncols, 3);
      CHECK(v[(size_t)(n - 1) * 3].ptr[0] == '0' + n);
      rows += (size_t)n;
      continue;
    }
    if ((rc = pgw_conn_next(&c, &m)) != PGW_OK) break;
    CHECK(m.kind != PGW_MSG_DATA_ROW);
    msgs++;
  }
  CHECK_EQ_INT(rc, PGW_NEED_MORE);
  CHECK_EQ_INT(rows, 3);
  CHECK_EQ_INT(msgs, 3); /* RowDescription, CommandComplete, Ready */
  CHECK_EQ_INT(pgw_conn_phase(&c), PGW_PHASE_READY);
  CHECK_EQ_INT(pgw_conn_rows(&c, v, 16, NULL), PGW_ERR_INVALID_ARGUMENT);
  pgw_buf_free(&out);
  pgw_conn_free(&c);
}

int main(void) {
  be_len = pgw_test_hex(psql15_backend_hex, be, sizeof be);
  size_t from, to;
  find_answer(&from, &to);
  CHECK(from > 0 && to > from);
  test_decoder_rows(from, to);
  test_decoder_stops(from);
  test_conn_rows(from, to);
  return pgw_test_done("rows");
}
