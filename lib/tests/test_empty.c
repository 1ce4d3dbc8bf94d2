/*
 * test_empty.c - the messages without a payload: Sync, Flush, Terminate,
 * CopyDone (both directions), ParseComplete, BindComplete, CloseComplete,
 * NoData, PortalSuspended, EmptyQueryResponse.
 *
 * Sources of the bytes: recorded from PostgreSQL 15.18 through pgw record
 * (conformance/sessions/pg15: pgbench-prepared.pgs for Sync,
 * ParseComplete, BindComplete; psql-copy-notice.pgs for CopyDone and
 * EmptyQueryResponse; psql-simple-query-error.pgs for Terminate) and
 * through a logging proxy with a Python client against PostgreSQL 15.18
 * (NoData for Describe of SET, PortalSuspended for Execute with max_rows 1,
 * CloseComplete for Close 'S'). Flush: its only possible encoding, from
 * the protocol documentation's format ('H', Int32 4).
 */
#include "pgw_test.h"

typedef struct empty_case {
  pgw_dir dir;
  pgw_kind kind;
  const char *hex;
} empty_case;

static const empty_case cases[] = {
    {PGW_FRONTEND, PGW_MSG_SYNC, "5300000004"},
    {PGW_FRONTEND, PGW_MSG_FLUSH, "4800000004"},
    {PGW_FRONTEND, PGW_MSG_TERMINATE, "5800000004"},
    {PGW_FRONTEND, PGW_MSG_COPY_DONE, "6300000004"},
    {PGW_BACKEND, PGW_MSG_COPY_DONE, "6300000004"},
    {PGW_BACKEND, PGW_MSG_PARSE_COMPLETE, "3100000004"},
    {PGW_BACKEND, PGW_MSG_BIND_COMPLETE, "3200000004"},
    {PGW_BACKEND, PGW_MSG_CLOSE_COMPLETE, "3300000004"},
    {PGW_BACKEND, PGW_MSG_NO_DATA, "6e00000004"},
    {PGW_BACKEND, PGW_MSG_PORTAL_SUSPENDED, "7300000004"},
    {PGW_BACKEND, PGW_MSG_EMPTY_QUERY_RESPONSE, "4900000004"},
};

/* Run bytes through a standard-framed decoder of dir; return the status
 * of the first next() that is not PGW_OK, with the message count. */
static int stream(pgw_dir dir, const unsigned char *b, size_t n, size_t *msgs,
                  pgw_decoder *d) {
  pgw_message m;
  int rc;
  pgw_decoder_init(d, dir, NULL);
  pgw_decoder_set_framing(d, PGW_FRAMING_STANDARD);
  CHECK_EQ_INT(pgw_decoder_feed(d, b, n), 0);
  *msgs = 0;
  while ((rc = pgw_decoder_next(d, &m)) == PGW_OK)
    (*msgs)++;
  return rc;
}

static void test_case(const empty_case *c) {
  unsigned char b[16], out[16];
  size_t n = pgw_test_hex(c->hex, b, sizeof b);
  pgw_message m;
  pgw_error e;
  size_t len = 0, msgs = 0;
  pgw_decoder d;

  /* Type byte maps to the kind, and the kind to the type byte. */
  CHECK_EQ_INT(pgw_kind_of(c->dir, b[0]), c->kind);
  CHECK_EQ_INT(pgw_kind_type(c->kind), b[0]);
  /* Decodes, re-encodes byte for byte (size query first). */
  CHECK_EQ_INT(pgw_message_decode(c->kind, b + 5, 0, 0, &m, &e), 0);
  CHECK_EQ_INT(pgw_message_encode(&m, NULL, 0, &len), PGW_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ_INT(len, n);
  CHECK_EQ_INT(pgw_message_encode(&m, out, sizeof out, &len), 0);
  CHECK_MEM(out, len, b, n);
  /* Through the stream decoder. */
  CHECK_EQ_INT(stream(c->dir, b, n, &msgs, &d), PGW_NEED_MORE);
  CHECK_EQ_INT(msgs, 1);
  pgw_decoder_free(&d);

  /* A payload byte is trailing, at payload offset 0 / stream offset 5. */
  unsigned char t[16];
  memcpy(t, b, n);
  t[4] = 5;
  t[5] = 0;
  CHECK_EQ_INT(pgw_message_decode(c->kind, t + 5, 1, 0, &m, &e),
               PGW_ERR_TRAILING_BYTES);
  CHECK_EQ_INT(e.offset, 0);
  CHECK(e.reason != NULL);
  CHECK_EQ_INT(stream(c->dir, t, n + 1, &msgs, &d), PGW_ERR_TRAILING_BYTES);
  CHECK_EQ_INT(pgw_decoder_error(&d)->offset, 5);
  pgw_decoder_free(&d);

  /* Length word below 4, and negative. */
  memcpy(t, b, n);
  t[4] = 3;
  CHECK_EQ_INT(stream(c->dir, t, n, &msgs, &d), PGW_ERR_BAD_LENGTH);
  pgw_decoder_free(&d);
  t[1] = 0xff;
  CHECK(stream(c->dir, t, n, &msgs, &d) < 0);
  pgw_decoder_free(&d);

  /* Oversize: past PostgreSQL's limit for a small message of this side
   * (10000 payload bytes read by the server, 30000 checked by libpq). */
  memcpy(t, b, n);
  uint32_t big = c->dir == PGW_FRONTEND ? 10005 : 30001;
  t[1] = (unsigned char)(big >> 24);
  t[2] = (unsigned char)(big >> 16);
  t[3] = (unsigned char)(big >> 8);
  t[4] = (unsigned char)big;
  CHECK_EQ_INT(stream(c->dir, t, 5, &msgs, &d), PGW_ERR_TOO_LARGE);
  pgw_decoder_free(&d);

  /* Truncated: the stream ends inside the message at every cut. */
  for (size_t cut = 1; cut < n; cut++) {
    CHECK_EQ_INT(stream(c->dir, b, cut, &msgs, &d), PGW_NEED_MORE);
    CHECK_EQ_INT(msgs, 0);
    CHECK_EQ_INT(pgw_decoder_finish(&d), PGW_ERR_END_OF_STREAM);
    pgw_decoder_free(&d);
  }
}

int main(void) {
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    test_case(&cases[i]);
  /* Each of these type bytes is unknown in the other direction. */
  unsigned char b[8];
  size_t msgs;
  pgw_decoder d;
  static const char wrong_side[] = "123nsIX";
  for (const char *p = wrong_side; *p; p++) {
    b[0] = (unsigned char)*p;
    pgw_dir dir = *p == 'X' ? PGW_BACKEND : PGW_FRONTEND;
    CHECK_EQ_INT(stream(dir, b, 1, &msgs, &d), PGW_ERR_UNKNOWN_TYPE);
    pgw_decoder_free(&d);
  }
  return pgw_test_done("empty");
}
