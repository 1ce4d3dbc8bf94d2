/*
 * test_rules.c - the rule table and the verdicts that follow from it:
 * every failure names its rule, the reference mode rejects only
 * reference-level rules, and the checks that PostgreSQL and libpq make
 * where pgw used to be lenient (issue: verdicts that agree with the
 * reference).
 */
#include "pgw_test.h"

/* Decode a whole stream of dir's bytes with mode; returns the first
 * failure's code (0 if none) and leaves the decoder for inspection. */
static int decode_all(pgw_decoder *d, pgw_dir dir, pgw_mode mode,
                      uint32_t server_protocol, const char *hex) {
  static unsigned char buf[70000];
  size_t n = pgw_test_hex(hex, buf, sizeof buf);
  pgw_decoder_options o;
  memset(&o, 0, sizeof o);
  o.mode = mode;
  o.server_protocol = server_protocol;
  pgw_decoder_init(d, dir, &o);
  if (dir == PGW_FRONTEND) pgw_decoder_set_framing(d, PGW_FRAMING_STANDARD);
  pgw_decoder_feed(d, buf, n);
  pgw_message m;
  int rc;
  while ((rc = pgw_decoder_next(d, &m)) == PGW_OK) {
  }
  return rc == PGW_NEED_MORE ? 0 : rc;
}

static const char *rule_of(const pgw_decoder *d) {
  const pgw_rule *r = pgw_decoder_error(d)->rule;
  return r ? r->id : "(none)";
}

#define EXPECT_RULE(d, id)                                                     \
  do {                                                                         \
    pgw_test_checks++;                                                         \
    if (strcmp(rule_of(d), (id)) != 0) {                                       \
      pgw_test_failures++;                                                     \
      fprintf(stderr, "%s:%d: rule %s, expected %s\n", __FILE__, __LINE__,     \
              rule_of(d), (id));                                               \
    }                                                                          \
  } while (0)

static void test_table(void) {
  size_t n = pgw_rule_count();
  CHECK(n > 40);
  for (size_t i = 0; i < n; i++) {
    const pgw_rule *r = pgw_rule_at(i);
    CHECK(r != NULL && r->id && r->statement && r->doc && r->source &&
          r->reference);
    if (!r || !r->id) continue;
    CHECK(r->level == PGW_LEVEL_REFERENCE || r->level == PGW_LEVEL_DOCUMENTED);
    CHECK(pgw_rule_find(r->id) == r); /* ids are unique */
  }
  CHECK(pgw_rule_at(n) == NULL);
  CHECK(pgw_rule_find("no.such-rule") == NULL);
  CHECK(strcmp(pgw_level_name(PGW_LEVEL_DOCUMENTED), "documented") == 0);
  const pgw_rule *doc = pgw_rule_find("Terminate.no-trailing-bytes");
  const pgw_rule *ref = pgw_rule_find("frontend.length.small-limit");
  CHECK(doc && doc->level == PGW_LEVEL_DOCUMENTED);
  CHECK(ref && ref->level == PGW_LEVEL_REFERENCE);
  CHECK(pgw_mode_rejects(PGW_MODE_STRICT, doc));
  CHECK(!pgw_mode_rejects(PGW_MODE_REFERENCE, doc));
  CHECK(pgw_mode_rejects(PGW_MODE_REFERENCE, ref));
  CHECK(!pgw_mode_rejects(PGW_MODE_LENIENT, ref));
  CHECK(pgw_mode_rejects(PGW_MODE_LENIENT, NULL));
}

/* PostgreSQL compares the length word itself with PQ_SMALL_MESSAGE_LIMIT
 * (10000): a Close with length word 10001 is refused, 10000 is framed. */
static void test_small_limit(void) {
  pgw_decoder d;
  static char hex[2 * 10010 + 64];
  /* Close 'P' with a 9993-byte name + NUL: length word 10000. */
  strcpy(hex, "43 00002710 50");
  size_t k = strlen(hex);
  for (int i = 0; i < 9993; i++, k += 2)
    memcpy(hex + k, "61", 2);
  strcpy(hex + k, "00");
  CHECK_EQ_INT(decode_all(&d, PGW_FRONTEND, PGW_MODE_STRICT, 0, hex), 0);
  pgw_decoder_free(&d);
  memcpy(hex, "43 00002711", 11); /* 10001: one byte more */
  strcpy(hex + k, "6100");
  CHECK_EQ_INT(decode_all(&d, PGW_FRONTEND, PGW_MODE_STRICT, 0, hex),
               PGW_ERR_TOO_LARGE);
  EXPECT_RULE(&d, "frontend.length.small-limit");
  pgw_decoder_free(&d);
  CHECK_EQ_INT(decode_all(&d, PGW_FRONTEND, PGW_MODE_REFERENCE, 0, hex),
               PGW_ERR_TOO_LARGE);
  pgw_decoder_free(&d);
  CHECK_EQ_INT(pgw_message_limit(PGW_FRONTEND, PGW_FRAMING_STANDARD, 'C'),
               10001);
  CHECK_EQ_INT(pgw_message_limit(PGW_FRONTEND, PGW_FRAMING_STANDARD, 'p'),
               65536);
  CHECK_EQ_INT(pgw_message_limit(PGW_BACKEND, PGW_FRAMING_STANDARD, 'Z'),
               30001);
}

/* PQ_LARGE_MESSAGE_LIMIT is 0x3ffffffe: a length word of 0x3fffffff is
 * refused at once, without waiting for the body. */
static void test_large_limit(void) {
  pgw_decoder d;
  CHECK_EQ_INT(decode_all(&d, PGW_FRONTEND, PGW_MODE_STRICT, 0, "51 3fffffff"),
               PGW_ERR_TOO_LARGE);
  EXPECT_RULE(&d, "frontend.length.large-limit");
  pgw_decoder_free(&d);
  CHECK_EQ_INT(decode_all(&d, PGW_FRONTEND, PGW_MODE_STRICT, 0, "51 3ffffffe"),
               0); /* waits for the body */
  pgw_decoder_free(&d);
  CHECK_EQ_INT(decode_all(&d, PGW_FRONTEND, PGW_MODE_STRICT, 0, "51 00000003"),
               PGW_ERR_BAD_LENGTH);
  EXPECT_RULE(&d, "frontend.length.min");
  pgw_decoder_free(&d);
  CHECK_EQ_INT(decode_all(&d, PGW_BACKEND, PGW_MODE_STRICT, 0, "7a 00000004"),
               PGW_ERR_UNKNOWN_TYPE);
  EXPECT_RULE(&d, "backend.type.known");
  pgw_decoder_free(&d);
}

/* Documented-level deviations: strict refuses, reference delivers the
 * message (malformed set) and counts a warning naming the rule. */
static void test_reference_mode(void) {
  static const struct {
    pgw_dir dir;
    const char *hex, *rule;
  } cases[] = {
      {PGW_FRONTEND, "58 00000005 00", "Terminate.no-trailing-bytes"},
      {PGW_FRONTEND, "63 00000006 0000", "CopyDone.no-trailing-bytes"},
      {PGW_FRONTEND, "66 00000007 780000", "CopyFail.no-trailing-bytes"},
      {PGW_FRONTEND, "42 0000000e 0000 0001 0002 0000 0000",
       "Bind.format-code"},
      {PGW_BACKEND, "5a 00000005 58", "ReadyForQuery.status"},
      {PGW_BACKEND, "45 0000000b 4d 6f6f7073 00 00",
       "ErrorResponse.fields-S-C-M"},
      {PGW_BACKEND, "44 0000000a 0001 fffffffe", "DataRow.value-length"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pgw_decoder d;
    int rc = decode_all(&d, cases[i].dir, PGW_MODE_STRICT, 0, cases[i].hex);
    CHECK(rc < 0);
    EXPECT_RULE(&d, cases[i].rule);
    pgw_decoder_free(&d);
    CHECK_EQ_INT(
        decode_all(&d, cases[i].dir, PGW_MODE_REFERENCE, 0, cases[i].hex), 0);
    CHECK_EQ_INT(pgw_decoder_warnings(&d), 1);
    const pgw_rule *w = pgw_decoder_warning(&d)->rule;
    CHECK(w && strcmp(w->id, cases[i].rule) == 0);
    pgw_decoder_free(&d);
  }
  /* A reference-level content failure is refused in reference mode. */
  pgw_decoder d;
  CHECK_EQ_INT(
      decode_all(&d, PGW_FRONTEND, PGW_MODE_REFERENCE, 0, "53 00000005 00"),
      PGW_ERR_TRAILING_BYTES);
  EXPECT_RULE(&d, "message.no-trailing-bytes");
  pgw_decoder_free(&d);
}

/* CancelRequest key lengths are judged by what the server speaks. */
static void test_cancel_key(void) {
  static const char *long_key = "00000014 04d2162e 00001234 0102030405060708";
  static const char *short_key = "0000000e 04d2162e 00001234 0102";
  pgw_decoder d;
  pgw_message m;
  unsigned char b[64];
  const struct {
    const char *hex;
    uint32_t server;
    int rc;
    const char *rule;
  } cases[] = {
      {long_key, PGW_PROTOCOL_3_0, PGW_ERR_BAD_KEY_LENGTH,
       "CancelRequest.key-4-bytes-in-3.0"},
      {long_key, PGW_PROTOCOL_3_2, PGW_OK, NULL},
      {long_key, 0, PGW_OK, NULL},
      {short_key, PGW_PROTOCOL_3_2, PGW_ERR_BAD_KEY_LENGTH,
       "CancelRequest.key-at-least-4"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = pgw_test_hex(cases[i].hex, b, sizeof b);
    pgw_decoder_options o;
    memset(&o, 0, sizeof o);
    o.server_protocol = cases[i].server;
    pgw_decoder_init(&d, PGW_FRONTEND, &o);
    pgw_decoder_feed(&d, b, n);
    CHECK_EQ_INT(pgw_decoder_next(&d, &m), cases[i].rc);
    if (cases[i].rule) EXPECT_RULE(&d, cases[i].rule);
    pgw_decoder_free(&d);
  }
}

static pgw_message mk(pgw_kind k) {
  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = k;
  return m;
}

static void ready(pgw_state *s, pgw_mode mode) {
  pgw_state_options o;
  memset(&o, 0, sizeof o);
  o.start_phase = PGW_PHASE_READY;
  o.mode = mode;
  CHECK_EQ_INT(pgw_state_init(s, &o), 0);
}

static const char *state_rule(const pgw_state *s) {
  const pgw_rule *r = pgw_state_error(s)->rule;
  return r ? r->id : "(none)";
}

#define EXPECT_STATE_RULE(s, id) CHECK(strcmp(state_rule(s), (id)) == 0)

static pgw_message rows(size_t n) {
  pgw_message m = mk(PGW_MSG_ROW_DESCRIPTION);
  m.body.row_description.columns.count = n;
  return m;
}

static pgw_message data_row(size_t n) {
  pgw_message m = mk(PGW_MSG_DATA_ROW);
  m.body.data_row.columns.count = n;
  return m;
}

/* libpq: "unexpected field count in "D" message". */
static void test_data_row_count(void) {
  pgw_state s;
  ready(&s, PGW_MODE_STRICT);
  CHECK_EQ_INT(
      pgw_state_feed(&s, PGW_FRONTEND, &(pgw_message){.kind = PGW_MSG_QUERY}),
      0);
  pgw_message rd = rows(2), d2 = data_row(2), d3 = data_row(3);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &rd), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &d2), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &d3), PGW_ERR_BAD_COUNT);
  EXPECT_STATE_RULE(&s, "DataRow.count-matches-RowDescription");
  pgw_state_free(&s);

  /* Extended: Bind "", Describe P "", Execute "" as libpq sends them. */
  ready(&s, PGW_MODE_STRICT);
  pgw_message bind = mk(PGW_MSG_BIND), desc = mk(PGW_MSG_DESCRIBE),
              exec = mk(PGW_MSG_EXECUTE), sync = mk(PGW_MSG_SYNC);
  desc.body.describe.target = 'P';
  pgw_message fe[] = {bind, desc, exec, sync};
  for (size_t i = 0; i < 4; i++)
    CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &fe[i]), 0);
  pgw_message bc = mk(PGW_MSG_BIND_COMPLETE);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &bc), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &rd), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &d3), PGW_ERR_BAD_COUNT);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &d2), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &d2), 0);
  pgw_state_free(&s);

  /* A named portal's rows are not judged (pgw does not keep names). */
  ready(&s, PGW_MODE_STRICT);
  exec.body.execute.portal = PGW_STR("c1");
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &exec), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &sync), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &d3), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &d2), 0);
  pgw_state_free(&s);
}

/* pgJDBC autosave: Parse/Bind/Execute, then a Query, then Sync. */
static void test_query_in_batch(void) {
  pgw_state s;
  ready(&s, PGW_MODE_STRICT);
  pgw_kind fe[] = {PGW_MSG_PARSE, PGW_MSG_BIND,  PGW_MSG_EXECUTE,
                   PGW_MSG_QUERY, PGW_MSG_PARSE, PGW_MSG_SYNC};
  for (size_t i = 0; i < sizeof fe / sizeof fe[0]; i++) {
    pgw_message m = mk(fe[i]);
    CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &m), 0);
  }
  pgw_kind be[] = {PGW_MSG_PARSE_COMPLETE,   PGW_MSG_BIND_COMPLETE,
                   PGW_MSG_COMMAND_COMPLETE, PGW_MSG_COMMAND_COMPLETE,
                   PGW_MSG_READY_FOR_QUERY,  PGW_MSG_PARSE_COMPLETE,
                   PGW_MSG_READY_FOR_QUERY};
  for (size_t i = 0; i < sizeof be / sizeof be[0]; i++) {
    pgw_message m = mk(be[i]);
    m.body.ready.status = 'T';
    CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &m), 0);
  }
  CHECK_EQ_INT(pgw_state_pending(&s), 0);
  CHECK_EQ_INT(pgw_state_phase(&s), PGW_PHASE_READY);
  pgw_state_free(&s);
}

/* postgres.js's stray CopyFail after the COPY ended: documented level. */
static void test_copy_outside_copy(void) {
  pgw_state s;
  pgw_message cf = mk(PGW_MSG_COPY_FAIL);
  ready(&s, PGW_MODE_STRICT);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &cf),
               PGW_ERR_UNEXPECTED_MESSAGE);
  EXPECT_STATE_RULE(&s, "frontend.copy-only-in-copy");
  pgw_state_free(&s);
  ready(&s, PGW_MODE_REFERENCE);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &cf), 0);
  CHECK_EQ_INT(pgw_state_violations(&s), 1);
  CHECK_EQ_INT(pgw_state_phase(&s), PGW_PHASE_READY);
  /* Out of turn while idle: libpq drops it with a notice (documented). */
  pgw_message rfq = mk(PGW_MSG_READY_FOR_QUERY);
  rfq.body.ready.status = 'I';
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &rfq), 0);
  EXPECT_STATE_RULE(&s, "backend.order-after-startup");
  /* A reference-level order rule still fails in reference mode: libpq has
   * no case for PortalSuspended in answer to a Query. */
  pgw_message q = mk(PGW_MSG_QUERY), ps = mk(PGW_MSG_PORTAL_SUSPENDED);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &q), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &ps),
               PGW_ERR_UNEXPECTED_MESSAGE);
  EXPECT_STATE_RULE(&s, "backend.order");
  pgw_state_free(&s);
}

/* Feed backend (B) or frontend (F) kinds in order, each expected to pass. */
static void feed_all(pgw_state *s, const char *dirs, const pgw_kind *kinds) {
  for (size_t i = 0; dirs[i]; i++) {
    pgw_message m = mk(kinds[i]);
    if (kinds[i] == PGW_MSG_DESCRIBE) m.body.describe.target = 'P';
    CHECK_EQ_INT(
        pgw_state_feed(s, dirs[i] == 'F' ? PGW_FRONTEND : PGW_BACKEND, &m), 0);
  }
}

/* A CopyInResponse out of turn is the new COPY IN result libpq makes of
 * it (fuzz_libpq_diff, corpus/libpq_diff/regress-*copyin*): the client
 * ends it; in a simple query the rows after it have no row description,
 * in extended query a RowDescription after it starts a new result. */
static void test_copy_in_out_of_turn(void) {
  pgw_state s;
  ready(&s, PGW_MODE_REFERENCE);
  const pgw_kind simple[] = {PGW_MSG_QUERY, PGW_MSG_ROW_DESCRIPTION,
                             PGW_MSG_COPY_IN_RESPONSE, PGW_MSG_COPY_DONE};
  feed_all(&s, "FBBF", simple);
  CHECK_EQ_INT(pgw_state_violations(&s), 1); /* the CopyInResponse only */
  pgw_message d = mk(PGW_MSG_DATA_ROW);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &d), PGW_ERR_UNEXPECTED_MESSAGE);
  EXPECT_STATE_RULE(&s, "backend.order");
  pgw_state_free(&s);

  ready(&s, PGW_MODE_REFERENCE);
  const pgw_kind ext[] = {PGW_MSG_PARSE,
                          PGW_MSG_BIND,
                          PGW_MSG_EXECUTE,
                          PGW_MSG_SYNC,
                          PGW_MSG_PARSE_COMPLETE,
                          PGW_MSG_BIND_COMPLETE,
                          PGW_MSG_COPY_IN_RESPONSE,
                          PGW_MSG_COPY_DONE,
                          PGW_MSG_SYNC,
                          PGW_MSG_COPY_IN_RESPONSE,
                          PGW_MSG_COPY_DONE,
                          PGW_MSG_SYNC,
                          PGW_MSG_ROW_DESCRIPTION,
                          PGW_MSG_DATA_ROW,
                          PGW_MSG_DATA_ROW};
  feed_all(&s, "FFFFBBBFFBFFBBB", ext);
  CHECK_EQ_INT(pgw_state_violations(&s), 2); /* the 2nd G and the T */
  CHECK_EQ_INT(pgw_state_phase(&s), PGW_PHASE_EXTENDED_QUERY);
  pgw_state_free(&s);
}

/* An EmptyQueryResponse (or CommandComplete) out of turn ends libpq's
 * result: the rows after it have no row description. */
static void test_result_ended_out_of_turn(void) {
  pgw_state s;
  ready(&s, PGW_MODE_REFERENCE);
  const pgw_kind k[] = {PGW_MSG_QUERY, PGW_MSG_ROW_DESCRIPTION,
                        PGW_MSG_EMPTY_QUERY_RESPONSE};
  feed_all(&s, "FBB", k);
  pgw_message d = mk(PGW_MSG_DATA_ROW);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &d), PGW_ERR_UNEXPECTED_MESSAGE);
  EXPECT_STATE_RULE(&s, "backend.order");
  pgw_state_free(&s);
}

/* PQsendQueryParams' Describe answered NoData: libpq makes no result, so
 * a DataRow has no row description, while a RowDescription out of turn
 * then starts a result whose rows follow (fuzz_libpq_diff). */
static void test_no_data_then_rows(void) {
  const pgw_kind ext[] = {
      PGW_MSG_PARSE,         PGW_MSG_BIND,    PGW_MSG_DESCRIBE,
      PGW_MSG_EXECUTE,       PGW_MSG_SYNC,    PGW_MSG_PARSE_COMPLETE,
      PGW_MSG_BIND_COMPLETE, PGW_MSG_NO_DATA, PGW_MSG_ROW_DESCRIPTION,
      PGW_MSG_DATA_ROW};
  pgw_state s;
  ready(&s, PGW_MODE_REFERENCE);
  feed_all(&s, "FFFFFBBBBB", ext);
  CHECK_EQ_INT(pgw_state_violations(&s), 1); /* the RowDescription */
  pgw_state_free(&s);
  ready(&s, PGW_MODE_REFERENCE);
  feed_all(&s, "FFFFFBBB", ext);
  pgw_message d = mk(PGW_MSG_DATA_ROW);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &d), PGW_ERR_UNEXPECTED_MESSAGE);
  EXPECT_STATE_RULE(&s, "backend.order");
  pgw_state_free(&s);
}

/* libpq 18 aborts on a NegotiateProtocolVersion that changes nothing. */
static void test_npv(void) {
  const struct {
    uint32_t asked, offered;
    size_t options;
    int rc;
  } cases[] = {
      {PGW_PROTOCOL_3_2, PGW_PROTOCOL_3_2, 0, PGW_ERR_BAD_VALUE},
      {PGW_PROTOCOL_3_2, PGW_PROTOCOL_3_0, 0, PGW_OK},
      {PGW_PROTOCOL_3_0, PGW_PROTOCOL_3_0, 1, PGW_OK},
      {PGW_PROTOCOL_3_0, PGW_PROTOCOL_3_2, 0, PGW_ERR_BAD_VALUE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pgw_state s;
    CHECK_EQ_INT(pgw_state_init(&s, NULL), 0);
    pgw_message st = mk(PGW_MSG_STARTUP_MESSAGE);
    st.body.startup.protocol = cases[i].asked;
    CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &st), 0);
    pgw_message npv = mk(PGW_MSG_NEGOTIATE_PROTOCOL_VERSION);
    npv.body.negotiate.newest_version = cases[i].offered;
    npv.body.negotiate.unrecognized.count = cases[i].options;
    CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &npv), cases[i].rc);
    pgw_state_free(&s);
  }
}

/* Measured against PostgreSQL 13-18 and libpq 13-18 (conformance/diff). */
static void test_measured(void) {
  pgw_decoder d;
  /* Bind: a parameter format code 2 with a parameter is refused by
   * PostgreSQL (reference); with no parameter it is ignored (documented). */
  CHECK(decode_all(&d, PGW_FRONTEND, PGW_MODE_STRICT, 0,
                   "42 00000012 0000 0001 0002 0001 ffffffff 0000") < 0);
  EXPECT_RULE(&d, "Bind.param-format-code");
  pgw_decoder_free(&d);
  CHECK(decode_all(&d, PGW_FRONTEND, PGW_MODE_STRICT, 0,
                   "42 0000000e 0000 0001 0002 0000 0000") < 0);
  EXPECT_RULE(&d, "Bind.format-code");
  pgw_decoder_free(&d);
  /* CancelRequest to PostgreSQL 18: pid 0 and an empty key are refused. */
  CHECK(decode_all(&d, PGW_FRONTEND, PGW_MODE_STRICT, PGW_PROTOCOL_3_2,
                   "00000010 04d2162e 00000000 01020304") < 0);
  pgw_decoder_free(&d);
  /* AuthenticationSASL with no mechanism: libpq refuses it. */
  CHECK(decode_all(&d, PGW_BACKEND, PGW_MODE_STRICT, 0,
                   "52 00000009 0000000a 00") < 0);
  EXPECT_RULE(&d, "AuthenticationSASL.mechanisms-nonempty");
  pgw_decoder_free(&d);
  /* PostgreSQL 13 has no small-message limit. */
  pgw_decoder_options o;
  memset(&o, 0, sizeof o);
  o.server_version = 13;
  pgw_decoder_init(&d, PGW_FRONTEND, &o);
  pgw_decoder_set_framing(&d, PGW_FRAMING_STANDARD);
  static const uint8_t close_10001[] = {'C', 0, 0, 0x27, 0x11};
  pgw_decoder_feed(&d, close_10001, sizeof close_10001);
  pgw_message m;
  CHECK_EQ_INT(pgw_decoder_next(&d, &m), PGW_NEED_MORE);
  pgw_decoder_free(&d);
}

/* State rules measured the same way. */
static void test_measured_state(void) {
  pgw_state s;
  pgw_message ex = mk(PGW_MSG_EXECUTE), sync = mk(PGW_MSG_SYNC),
              dr = data_row(1), ps = mk(PGW_MSG_PORTAL_SUSPENDED);
  ready(&s, PGW_MODE_STRICT);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &ex), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &sync), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &dr), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &ps),
               PGW_ERR_UNEXPECTED_MESSAGE); /* no row limit */
  EXPECT_STATE_RULE(&s, "PortalSuspended.needs-row-limit");
  pgw_state_free(&s);

  /* SASLInitialResponse must name an offered mechanism. */
  CHECK_EQ_INT(pgw_state_init(&s, NULL), 0);
  pgw_message st = mk(PGW_MSG_STARTUP_MESSAGE);
  st.body.startup.protocol = PGW_PROTOCOL_3_0;
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &st), 0);
  pgw_message sasl = mk(PGW_MSG_AUTHENTICATION);
  static const pgw_str mechs[1] = {{"SCRAM-SHA-256", 13}};
  sasl.body.auth.code = PGW_AUTH_SASL;
  sasl.body.auth.mechanisms.count = 1;
  sasl.body.auth.mechanisms.items = mechs;
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &sasl), 0);
  pgw_message init = mk(PGW_MSG_SASL_INITIAL_RESPONSE);
  init.body.sasl_initial.mechanism = PGW_STR("SCRAM-SHA-256-PLUS");
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &init), PGW_ERR_BAD_VALUE);
  EXPECT_STATE_RULE(&s, "SASLInitialResponse.mechanism-offered");
  init.body.sasl_initial.mechanism = PGW_STR("SCRAM-SHA-256");
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &init), 0);
  pgw_state_free(&s);

  /* Terminate while the server skips to Sync is skipped too. */
  ready(&s, PGW_MODE_STRICT);
  pgw_message parse = mk(PGW_MSG_PARSE), err = mk(PGW_MSG_ERROR_RESPONSE),
              term = mk(PGW_MSG_TERMINATE);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &parse), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_BACKEND, &err), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &term), 0);
  CHECK_EQ_INT(pgw_state_feed(&s, PGW_FRONTEND, &sync), 0);
  CHECK(pgw_state_phase(&s) != PGW_PHASE_TERMINATED);
  pgw_state_free(&s);
}

int main(void) {
  test_measured();
  test_measured_state();
  test_table();
  test_small_limit();
  test_large_limit();
  test_reference_mode();
  test_cancel_key();
  test_data_row_count();
  test_query_in_batch();
  test_copy_outside_copy();
  test_copy_in_out_of_turn();
  test_result_ended_out_of_turn();
  test_no_data_then_rows();
  test_npv();
  printf("rules: %d checks, %d failed\n", pgw_test_checks, pgw_test_failures);
  return pgw_test_failures != 0;
}
