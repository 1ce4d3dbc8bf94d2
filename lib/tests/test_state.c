/*
 * test_state.c - the phase machine: every transition and every violation,
 * driven with pgw_message structs in wire order.
 */
#include "pgw_test.h"

static const pgw_dir F = PGW_FRONTEND;
static const pgw_dir B = PGW_BACKEND;

static pgw_message mk(pgw_kind k) {
  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = k;
  return m;
}

static pgw_message auth(int32_t code) {
  pgw_message m = mk(PGW_MSG_AUTHENTICATION);
  m.body.auth.code = code;
  return m;
}

static pgw_message answer(pgw_kind k, uint8_t a) {
  pgw_message m = mk(k);
  m.type = a;
  m.body.encryption.answer = a;
  return m;
}

static pgw_message startup(uint32_t proto) {
  pgw_message m = mk(PGW_MSG_STARTUP_MESSAGE);
  m.body.startup.protocol = proto;
  return m;
}

static pgw_message rfq(uint8_t st) {
  pgw_message m = mk(PGW_MSG_READY_FOR_QUERY);
  m.body.ready.status = st;
  return m;
}

static pgw_message describe(uint8_t target) {
  pgw_message m = mk(PGW_MSG_DESCRIBE);
  m.body.describe.target = target;
  return m;
}

static pgw_notice_field err_fields[2][4];

/* ErrorResponse with severity sev (both S and V). */
static pgw_message error(int which, const char *sev) {
  pgw_message m = mk(PGW_MSG_ERROR_RESPONSE);
  pgw_notice_field *f = err_fields[which];
  f[0].code = 'S';
  f[0].value = PGW_STR(sev);
  f[1].code = 'V';
  f[1].value = PGW_STR(sev);
  f[2].code = 'C';
  f[2].value = PGW_STR("42601");
  f[3].code = 'M';
  f[3].value = PGW_STR("syntax error");
  m.body.error.fields.count = 4;
  m.body.error.fields.items = f;
  return m;
}

static pgw_message key(size_t n) {
  static const uint8_t k[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  pgw_message m = mk(PGW_MSG_BACKEND_KEY_DATA);
  m.body.backend_key.pid = 4242;
  m.body.backend_key.key.ptr = k;
  m.body.backend_key.key.len = n;
  return m;
}

static int feed(pgw_state *s, pgw_dir d, pgw_message m) {
  return pgw_state_feed(s, d, &m);
}

#define OK(s, d, m) CHECK_EQ_INT(feed(s, d, m), PGW_OK)
#define BAD(s, d, m) CHECK_EQ_INT(feed(s, d, m), PGW_ERR_UNEXPECTED_MESSAGE)
#define CLOSED(s, d, m) CHECK_EQ_INT(feed(s, d, m), PGW_ERR_CONNECTION_CLOSED)
#define PHASE(s, p) CHECK_EQ_INT(pgw_state_phase(s), p)

static void init(pgw_state *s) {
  CHECK_EQ_INT(pgw_state_init(s, NULL), 0);
}

static void ready(pgw_state *s) {
  pgw_state_options o;
  memset(&o, 0, sizeof o);
  o.start_phase = PGW_PHASE_READY;
  CHECK_EQ_INT(pgw_state_init(s, &o), 0);
  PHASE(s, PGW_PHASE_READY);
}

static void test_names(void) {
  for (int p = 0; p < PGW_PHASE_COUNT; p++)
    CHECK(strcmp(pgw_phase_name((pgw_phase)p), "?") != 0);
  CHECK(strcmp(pgw_phase_name(PGW_PHASE_COUNT), "?") == 0);
  CHECK(strcmp(pgw_phase_name(PGW_PHASE_SIMPLE_QUERY), "SimpleQuery") == 0);
}

/* SSL refused, GSS refused, SCRAM, NegotiateProtocolVersion 3.2 -> 3.0. */
static void test_startup_sasl(void) {
  pgw_state s;
  init(&s);
  PHASE(&s, PGW_PHASE_STARTUP);
  CHECK_EQ_INT(pgw_state_framing(&s, F), PGW_FRAMING_STARTUP);
  CHECK_EQ_INT(pgw_state_protocol(&s), 0);
  BAD(&s, B, auth(PGW_AUTH_OK)); /* nothing from the backend yet */
  BAD(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, F, mk(PGW_MSG_SSL_REQUEST));
  PHASE(&s, PGW_PHASE_SSL_NEGOTIATION);
  CHECK_EQ_INT(pgw_state_framing(&s, B), PGW_FRAMING_NEGOTIATION);
  CHECK_EQ_INT(pgw_state_answer_kind(&s), PGW_MSG_SSL_RESPONSE);
  BAD(&s, F, startup(PGW_PROTOCOL_3_0)); /* backend's turn */
  BAD(&s, B, answer(PGW_MSG_GSSENC_RESPONSE, 'N'));
  OK(&s, B, answer(PGW_MSG_SSL_RESPONSE, 'N'));
  PHASE(&s, PGW_PHASE_STARTUP);
  CHECK_EQ_INT(pgw_state_framing(&s, B), PGW_FRAMING_STANDARD);
  BAD(&s, F, mk(PGW_MSG_SSL_REQUEST));   /* no second SSL negotiation */
  OK(&s, F, mk(PGW_MSG_GSSENC_REQUEST)); /* GSS may follow a refused SSL */
  PHASE(&s, PGW_PHASE_GSS_NEGOTIATION);
  CHECK_EQ_INT(pgw_state_answer_kind(&s), PGW_MSG_GSSENC_RESPONSE);
  OK(&s, B, answer(PGW_MSG_GSSENC_RESPONSE, 'N'));
  BAD(&s, F, mk(PGW_MSG_GSSENC_REQUEST));
  BAD(&s, F, mk(PGW_MSG_SSL_REQUEST));
  CHECK_EQ_INT(feed(&s, F, startup(PGW_PROTOCOL(2, 0))),
               PGW_ERR_UNSUPPORTED_PROTOCOL);
  OK(&s, F, startup(PGW_PROTOCOL_3_2));
  PHASE(&s, PGW_PHASE_AUTHENTICATION);
  CHECK_EQ_INT(pgw_state_framing(&s, F), PGW_FRAMING_STANDARD);
  CHECK_EQ_INT(pgw_state_protocol(&s), PGW_PROTOCOL_3_2);
  BAD(&s, B, mk(PGW_MSG_NOTICE_RESPONSE)); /* no notices before auth ends */
  BAD(&s, B, mk(PGW_MSG_PARAMETER_STATUS));
  BAD(&s, F, mk(PGW_MSG_TERMINATE));
  pgw_message npv = mk(PGW_MSG_NEGOTIATE_PROTOCOL_VERSION);
  npv.body.negotiate.newest_version = PGW_PROTOCOL_3_0;
  OK(&s, B, npv);
  CHECK_EQ_INT(pgw_state_protocol(&s), PGW_PROTOCOL_3_0);
  CHECK_EQ_INT(pgw_state_requested_protocol(&s), PGW_PROTOCOL_3_2);
  BAD(&s, B, npv);                          /* at most once */
  BAD(&s, B, auth(PGW_AUTH_SASL_CONTINUE)); /* not before SASL started */
  BAD(&s, B, auth(PGW_AUTH_KERBEROS_V5));
  OK(&s, B, auth(PGW_AUTH_SASL));
  PHASE(&s, PGW_PHASE_AUTH_SASL_INITIAL);
  CHECK_EQ_INT(pgw_state_password_kind(&s), PGW_MSG_SASL_INITIAL_RESPONSE);
  BAD(&s, F, mk(PGW_MSG_PASSWORD_MESSAGE));
  BAD(&s, B, auth(PGW_AUTH_OK)); /* frontend's turn */
  OK(&s, F, mk(PGW_MSG_SASL_INITIAL_RESPONSE));
  PHASE(&s, PGW_PHASE_AUTHENTICATION);
  BAD(&s, B, auth(PGW_AUTH_OK)); /* SASL must end with SASLFinal */
  BAD(&s, B, npv);               /* only before authentication */
  OK(&s, B, auth(PGW_AUTH_SASL_CONTINUE));
  PHASE(&s, PGW_PHASE_AUTH_SASL);
  CHECK_EQ_INT(pgw_state_password_kind(&s), PGW_MSG_SASL_RESPONSE);
  BAD(&s, F, mk(PGW_MSG_SASL_INITIAL_RESPONSE));
  OK(&s, F, mk(PGW_MSG_SASL_RESPONSE));
  OK(&s, B, auth(PGW_AUTH_SASL_FINAL));
  PHASE(&s, PGW_PHASE_AUTH_SASL_FINAL);
  BAD(&s, F, mk(PGW_MSG_SASL_RESPONSE));
  OK(&s, B, auth(PGW_AUTH_OK));
  PHASE(&s, PGW_PHASE_INITIALIZATION);
  BAD(&s, B, npv);
  BAD(&s, B, auth(PGW_AUTH_OK));
  BAD(&s, F, mk(PGW_MSG_QUERY)); /* wait for ReadyForQuery */
  OK(&s, B, mk(PGW_MSG_PARAMETER_STATUS));
  CHECK_EQ_INT(feed(&s, B, key(8)), PGW_ERR_BAD_KEY_LENGTH); /* 3.0 */
  OK(&s, B, key(4));
  BAD(&s, B, key(4)); /* at most once */
  OK(&s, B, mk(PGW_MSG_NOTICE_RESPONSE));
  OK(&s, B, mk(PGW_MSG_PARAMETER_STATUS));
  int32_t pid = 0;
  pgw_bytes k = {NULL, 0};
  CHECK_EQ_INT(pgw_state_backend_key(&s, &pid, &k), 1);
  CHECK_EQ_INT(pid, 4242);
  CHECK_EQ_INT(k.len, 4);
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);
  CHECK_EQ_INT(pgw_state_transaction_status(&s), 'I');
  BAD(&s, B, key(4));
  BAD(&s, B, npv);
  pgw_state_free(&s);
}

/* Password auth, protocol 3.2 kept, no BackendKeyData (RDS Proxy). */
static void test_password_no_key(void) {
  pgw_state s;
  init(&s);
  OK(&s, F, startup(PGW_PROTOCOL_3_2));
  OK(&s, B, auth(PGW_AUTH_MD5_PASSWORD));
  PHASE(&s, PGW_PHASE_AUTH_PASSWORD);
  CHECK_EQ_INT(pgw_state_password_kind(&s), PGW_MSG_PASSWORD_MESSAGE);
  BAD(&s, F, mk(PGW_MSG_SASL_INITIAL_RESPONSE));
  OK(&s, F, mk(PGW_MSG_PASSWORD_MESSAGE));
  BAD(&s, B, auth(PGW_AUTH_SASL_CONTINUE));
  OK(&s, B, auth(PGW_AUTH_OK));
  CHECK_EQ_INT(pgw_state_protocol(&s), PGW_PROTOCOL_3_2);
  OK(&s, B, mk(PGW_MSG_PARAMETER_STATUS));
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);
  CHECK_EQ_INT(pgw_state_backend_key(&s, NULL, NULL), 0);

  /* 3.2: keys of 4 to 256 bytes. */
  init(&s);
  OK(&s, F, startup(PGW_PROTOCOL_3_2));
  OK(&s, B, auth(PGW_AUTH_CLEARTEXT_PASSWORD));
  OK(&s, F, mk(PGW_MSG_PASSWORD_MESSAGE));
  OK(&s, B, auth(PGW_AUTH_OK));
  OK(&s, B, key(8));
  OK(&s, B, rfq('I'));
}

/* GSS: after GSSContinue the server may finish without another token. */
static void test_gss(void) {
  pgw_state s;
  init(&s);
  OK(&s, F, startup(PGW_PROTOCOL_3_0));
  OK(&s, B, auth(PGW_AUTH_GSS));
  PHASE(&s, PGW_PHASE_AUTH_GSS);
  CHECK_EQ_INT(pgw_state_password_kind(&s), PGW_MSG_GSS_RESPONSE);
  OK(&s, F, mk(PGW_MSG_GSS_RESPONSE));
  OK(&s, B, auth(PGW_AUTH_GSS_CONTINUE));
  OK(&s, F, mk(PGW_MSG_GSS_RESPONSE));
  OK(&s, B, auth(PGW_AUTH_GSS_CONTINUE));
  OK(&s, B, auth(PGW_AUTH_OK));
  PHASE(&s, PGW_PHASE_INITIALIZATION);
  BAD(&s, F, mk(PGW_MSG_GSS_RESPONSE));

  init(&s);
  OK(&s, F, startup(PGW_PROTOCOL_3_0));
  OK(&s, B, auth(PGW_AUTH_SSPI));
  CHECK_EQ_INT(pgw_state_password_kind(&s), PGW_MSG_GSS_RESPONSE);
  BAD(&s, B, auth(PGW_AUTH_GSS_CONTINUE)); /* the client's turn */
}

/* ErrorResponse during startup: failed, then the connection is over. */
static void test_startup_errors(void) {
  pgw_state s;
  init(&s);
  OK(&s, F, startup(PGW_PROTOCOL_3_0));
  OK(&s, B, auth(PGW_AUTH_MD5_PASSWORD));
  OK(&s, F, mk(PGW_MSG_PASSWORD_MESSAGE));
  OK(&s, B, error(0, "FATAL"));
  PHASE(&s, PGW_PHASE_FAILED);
  CLOSED(&s, B, auth(PGW_AUTH_OK));
  OK(&s, F, mk(PGW_MSG_QUERY));     /* in flight when the FATAL came */
  OK(&s, F, mk(PGW_MSG_TERMINATE)); /* may cross the error */
  CLOSED(&s, F, mk(PGW_MSG_TERMINATE));
  PHASE(&s, PGW_PHASE_FAILED);

  /* While the frontend owes its password (authentication timeout). */
  init(&s);
  OK(&s, F, startup(PGW_PROTOCOL_3_0));
  OK(&s, B, auth(PGW_AUTH_CLEARTEXT_PASSWORD));
  OK(&s, B, error(0, "FATAL"));
  PHASE(&s, PGW_PHASE_FAILED);
  OK(&s, F, mk(PGW_MSG_PASSWORD_MESSAGE)); /* crossed the FATAL */

  /* In initialization (database does not exist). */
  init(&s);
  OK(&s, F, startup(PGW_PROTOCOL_3_0));
  OK(&s, B, auth(PGW_AUTH_OK));
  OK(&s, B, error(0, "FATAL"));
  PHASE(&s, PGW_PHASE_FAILED);

  /* An ErrorResponse answering SSLRequest (server without SSL support). */
  init(&s);
  OK(&s, F, mk(PGW_MSG_SSL_REQUEST));
  OK(&s, B, error(0, "FATAL"));
  PHASE(&s, PGW_PHASE_FAILED);

  /* Right after StartupMessage. */
  init(&s);
  OK(&s, F, startup(PGW_PROTOCOL_3_0));
  OK(&s, B, error(0, "FATAL"));
  PHASE(&s, PGW_PHASE_FAILED);
}

/* 'S': bring your own TLS, then continue. */
static void test_tls(void) {
  pgw_state s;
  init(&s);
  CHECK_EQ_INT(pgw_state_tls_established(&s), PGW_ERR_INVALID_ARGUMENT);
  OK(&s, F, mk(PGW_MSG_SSL_REQUEST));
  OK(&s, B, answer(PGW_MSG_SSL_RESPONSE, 'S'));
  PHASE(&s, PGW_PHASE_TLS_HANDSHAKE);
  BAD(&s, F, startup(PGW_PROTOCOL_3_0)); /* not before TLS is up */
  BAD(&s, B, auth(PGW_AUTH_OK));
  CHECK(strstr(pgw_state_error(&s)->reason, "TLSHandshake") != NULL);
  CHECK_EQ_INT(pgw_state_tls_established(&s), 0);
  PHASE(&s, PGW_PHASE_STARTUP);
  BAD(&s, F, mk(PGW_MSG_SSL_REQUEST));
  BAD(&s, F, mk(PGW_MSG_GSSENC_REQUEST)); /* both done after success */
  OK(&s, F, startup(PGW_PROTOCOL_3_0));

  init(&s);
  OK(&s, F, mk(PGW_MSG_GSSENC_REQUEST));
  OK(&s, B, answer(PGW_MSG_GSSENC_RESPONSE, 'G'));
  PHASE(&s, PGW_PHASE_TLS_HANDSHAKE);
  CHECK_EQ_INT(pgw_state_tls_established(&s), 0);
  BAD(&s, F, mk(PGW_MSG_SSL_REQUEST));
  OK(&s, F, mk(PGW_MSG_CANCEL_REQUEST)); /* cancel over encryption */
  PHASE(&s, PGW_PHASE_CANCEL);

  /* GSS refused, then SSL. */
  init(&s);
  OK(&s, F, mk(PGW_MSG_GSSENC_REQUEST));
  OK(&s, B, answer(PGW_MSG_GSSENC_RESPONSE, 'N'));
  OK(&s, F, mk(PGW_MSG_SSL_REQUEST));
  OK(&s, B, answer(PGW_MSG_SSL_RESPONSE, 'S'));
  CHECK_EQ_INT(pgw_state_tls_established(&s), 0);

  /* Direct SSL. */
  init(&s);
  CHECK_EQ_INT(pgw_state_direct_ssl(&s), 0);
  PHASE(&s, PGW_PHASE_TLS_HANDSHAKE);
  CHECK_EQ_INT(pgw_state_tls_established(&s), 0);
  BAD(&s, F, mk(PGW_MSG_SSL_REQUEST));
  OK(&s, F, startup(PGW_PROTOCOL_3_2));
  CHECK_EQ_INT(pgw_state_direct_ssl(&s), PGW_ERR_INVALID_ARGUMENT);
}

static void test_cancel(void) {
  pgw_state s;
  init(&s);
  OK(&s, F, mk(PGW_MSG_CANCEL_REQUEST));
  PHASE(&s, PGW_PHASE_CANCEL);
  CLOSED(&s, F, startup(PGW_PROTOCOL_3_0));
  CLOSED(&s, F, mk(PGW_MSG_TERMINATE));
  CLOSED(&s, B, error(0, "FATAL"));
  CLOSED(&s, B, auth(PGW_AUTH_OK));
}

static void test_simple_query(void) {
  pgw_state s;
  ready(&s);
  BAD(&s, B, mk(PGW_MSG_DATA_ROW));
  BAD(&s, B, rfq('I')); /* no ReadyForQuery without a request */
  OK(&s, F, mk(PGW_MSG_QUERY));
  PHASE(&s, PGW_PHASE_SIMPLE_QUERY);
  CHECK_EQ_INT(pgw_state_pending(&s), 1);
  BAD(&s, B, mk(PGW_MSG_DATA_ROW)); /* DataRow before RowDescription */
  CHECK(strcmp(pgw_state_error(&s)->reason,
               "in phase SimpleQuery the backend sent DataRow; expected "
               "EmptyQueryResponse, RowDescription, CommandComplete, "
               "CopyInResponse, CopyOutResponse, CopyBothResponse, "
               "ErrorResponse, ParameterStatus, NoticeResponse or "
               "NotificationResponse") == 0);
  BAD(&s, B, rfq('I')); /* a Query gets at least one answer */
  BAD(&s, B, mk(PGW_MSG_PARSE_COMPLETE));
  OK(&s, B, mk(PGW_MSG_ROW_DESCRIPTION));
  OK(&s, B, mk(PGW_MSG_DATA_ROW));
  OK(&s, B, mk(PGW_MSG_NOTICE_RESPONSE));
  OK(&s, B, mk(PGW_MSG_DATA_ROW));
  BAD(&s, B, mk(PGW_MSG_ROW_DESCRIPTION));
  BAD(&s, B, rfq('I')); /* CommandComplete first */
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  BAD(&s, B, mk(PGW_MSG_DATA_ROW)); /* rows end with the statement */
  BAD(&s, B, mk(PGW_MSG_EMPTY_QUERY_RESPONSE));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE)); /* second statement (SET) */
  OK(&s, B, mk(PGW_MSG_PARAMETER_STATUS));
  OK(&s, B, rfq('T'));
  PHASE(&s, PGW_PHASE_READY);
  CHECK_EQ_INT(pgw_state_transaction_status(&s), 'T');
  BAD(&s, B, rfq('I')); /* one ReadyForQuery per Query */

  /* Empty query. */
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_EMPTY_QUERY_RESPONSE));
  BAD(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, rfq('I'));

  /* Error ends the query string. */
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_ROW_DESCRIPTION));
  OK(&s, B, error(0, "ERROR"));
  BAD(&s, B, mk(PGW_MSG_DATA_ROW));
  BAD(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  BAD(&s, B, error(1, "ERROR")); /* one error per query */
  OK(&s, B, rfq('E'));
  PHASE(&s, PGW_PHASE_READY);

  /* Pipelined simple queries: two Queries, two ReadyForQuery. */
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, F, mk(PGW_MSG_QUERY));
  CHECK_EQ_INT(pgw_state_pending(&s), 2);
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_SIMPLE_QUERY);
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);

  /* Frontend messages that are never allowed once ready. */
  BAD(&s, F, startup(PGW_PROTOCOL_3_0));
  BAD(&s, F, mk(PGW_MSG_PASSWORD_MESSAGE));
  BAD(&s, F, mk(PGW_MSG_COPY_DATA));
  BAD(&s, F, mk(PGW_MSG_COPY_FAIL));
  BAD(&s, F, mk(PGW_MSG_DATA_ROW)); /* a backend message */
  pgw_state_free(&s);
}

static void test_extended(void) {
  pgw_state s;
  ready(&s);
  OK(&s, F, mk(PGW_MSG_PARSE));
  PHASE(&s, PGW_PHASE_EXTENDED_QUERY);
  OK(&s, F, mk(PGW_MSG_BIND));
  OK(&s, F, describe('P'));
  OK(&s, F, mk(PGW_MSG_EXECUTE));
  /* A FunctionCall before the Sync is answered too (measured:
   * fe.FunctionCall.in-batch); not sent here. */
  OK(&s, F, mk(PGW_MSG_SYNC));
  CHECK_EQ_INT(pgw_state_pending(&s), 5);
  CHECK_EQ_INT(pgw_state_pending_syncs(&s), 1);
  BAD(&s, B, mk(PGW_MSG_BIND_COMPLETE)); /* ParseComplete first */
  BAD(&s, B, rfq('I'));
  OK(&s, B, mk(PGW_MSG_PARSE_COMPLETE));
  OK(&s, B, mk(PGW_MSG_BIND_COMPLETE));
  BAD(&s, B, mk(PGW_MSG_PARAMETER_DESCRIPTION)); /* Describe portal */
  OK(&s, B, mk(PGW_MSG_ROW_DESCRIPTION));
  BAD(&s, B, mk(PGW_MSG_PORTAL_SUSPENDED)); /* only after rows */
  BAD(&s, B, mk(PGW_MSG_ROW_DESCRIPTION));  /* Execute sends none */
  OK(&s, B, mk(PGW_MSG_DATA_ROW));
  OK(&s, B, mk(PGW_MSG_DATA_ROW));
  BAD(&s, B, mk(PGW_MSG_EMPTY_QUERY_RESPONSE));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  PHASE(&s, PGW_PHASE_EXTENDED_QUERY);
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);
  BAD(&s, B, rfq('I')); /* one per Sync */

  /* Describe statement: ParameterDescription, then RowDescription/NoData;
   * Close; Execute with max_rows: PortalSuspended; empty statement. */
  OK(&s, F, mk(PGW_MSG_PARSE));
  OK(&s, F, describe('S'));
  OK(&s, F, mk(PGW_MSG_BIND));
  pgw_message limited = mk(PGW_MSG_EXECUTE);
  limited.body.execute.max_rows = 1;
  OK(&s, F, limited);
  OK(&s, F, mk(PGW_MSG_FLUSH)); /* no answer of its own */
  OK(&s, F, mk(PGW_MSG_EXECUTE));
  OK(&s, F, mk(PGW_MSG_CLOSE));
  OK(&s, F, mk(PGW_MSG_SYNC));
  OK(&s, B, mk(PGW_MSG_PARSE_COMPLETE));
  BAD(&s, B, mk(PGW_MSG_NO_DATA)); /* ParameterDescription first */
  OK(&s, B, mk(PGW_MSG_PARAMETER_DESCRIPTION));
  OK(&s, B, mk(PGW_MSG_NO_DATA));
  OK(&s, B, mk(PGW_MSG_BIND_COMPLETE));
  OK(&s, B, mk(PGW_MSG_DATA_ROW));
  OK(&s, B, mk(PGW_MSG_PORTAL_SUSPENDED));
  OK(&s, B, mk(PGW_MSG_EMPTY_QUERY_RESPONSE));
  BAD(&s, B, mk(PGW_MSG_BIND_COMPLETE));
  OK(&s, B, mk(PGW_MSG_CLOSE_COMPLETE));
  OK(&s, B, rfq('I'));
  CHECK_EQ_INT(pgw_state_pending(&s), 0);

  /* Parse + Flush with no Sync yet: the Sync is still owed. */
  OK(&s, F, mk(PGW_MSG_PARSE));
  OK(&s, F, mk(PGW_MSG_FLUSH));
  OK(&s, B, mk(PGW_MSG_PARSE_COMPLETE));
  PHASE(&s, PGW_PHASE_EXTENDED_QUERY);
  OK(&s, F, mk(PGW_MSG_SYNC));
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);

  /* A Sync alone; a Sync whose implicit COMMIT fails. */
  OK(&s, F, mk(PGW_MSG_SYNC));
  OK(&s, B, error(0, "ERROR"));
  BAD(&s, B, error(1, "ERROR"));
  OK(&s, B, rfq('I'));
  pgw_state_free(&s);
}

/* Pipelining: several Syncs pending, an error discards to the next Sync. */
static void test_pipeline(void) {
  pgw_state s;
  ready(&s);
  for (int i = 0; i < 3; i++) {
    OK(&s, F, mk(PGW_MSG_BIND));
    OK(&s, F, mk(PGW_MSG_EXECUTE));
    OK(&s, F, mk(PGW_MSG_SYNC));
  }
  CHECK_EQ_INT(pgw_state_pending(&s), 9);
  CHECK_EQ_INT(pgw_state_pending_syncs(&s), 3);
  /* First batch: Bind fails; Execute is skipped. */
  OK(&s, B, error(0, "ERROR"));
  CHECK_EQ_INT(pgw_state_pending(&s), 7);
  BAD(&s, B, mk(PGW_MSG_DATA_ROW));
  BAD(&s, B, mk(PGW_MSG_BIND_COMPLETE));
  OK(&s, B, mk(PGW_MSG_NOTICE_RESPONSE));
  OK(&s, B, rfq('E'));
  CHECK_EQ_INT(pgw_state_pending_syncs(&s), 2);
  /* Second batch fine. */
  OK(&s, B, mk(PGW_MSG_BIND_COMPLETE));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, rfq('I'));
  /* Third: Execute fails after rows. */
  OK(&s, B, mk(PGW_MSG_BIND_COMPLETE));
  OK(&s, B, mk(PGW_MSG_DATA_ROW));
  OK(&s, B, error(0, "ERROR"));
  PHASE(&s, PGW_PHASE_EXTENDED_QUERY);
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);
  CHECK_EQ_INT(pgw_state_pending_syncs(&s), 0);

  /* Error before the Sync was sent: the server discards what follows. */
  OK(&s, F, mk(PGW_MSG_PARSE));
  OK(&s, F, mk(PGW_MSG_BIND));
  OK(&s, F, mk(PGW_MSG_FLUSH));
  OK(&s, B, mk(PGW_MSG_PARSE_COMPLETE));
  OK(&s, B, error(0, "ERROR"));
  CHECK_EQ_INT(pgw_state_pending(&s), 0);
  PHASE(&s, PGW_PHASE_EXTENDED_QUERY);
  BAD(&s, B, rfq('I'));           /* no Sync yet */
  OK(&s, F, mk(PGW_MSG_EXECUTE)); /* discarded */
  OK(&s, F, mk(PGW_MSG_QUERY));   /* discarded too (ignore_till_sync) */
  CHECK_EQ_INT(pgw_state_pending(&s), 0);
  BAD(&s, B, mk(PGW_MSG_COMMAND_COMPLETE)); /* backend sends nothing */
  OK(&s, B, mk(PGW_MSG_PARAMETER_STATUS));  /* but async messages */
  OK(&s, F, mk(PGW_MSG_SYNC));
  CHECK_EQ_INT(pgw_state_pending(&s), 1);
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);

  /* Deep pipeline: the queue grows past its 32 inline entries through the
   * allocator, and max_pending bounds it. */
  pgw_test_counter cnt = {0, 0, 0};
  pgw_allocator a = pgw_test_allocator(&cnt);
  pgw_state_options o;
  memset(&o, 0, sizeof o);
  o.start_phase = PGW_PHASE_READY;
  o.allocator = &a;
  o.max_pending = 100;
  pgw_state_free(&s);
  CHECK_EQ_INT(pgw_state_init(&s, &o), 0);
  for (int i = 0; i < 50; i++) {
    OK(&s, F, mk(PGW_MSG_EXECUTE));
    OK(&s, F, mk(PGW_MSG_SYNC));
  }
  CHECK_EQ_INT(pgw_state_pending(&s), 100);
  CHECK_EQ_INT(feed(&s, F, mk(PGW_MSG_SYNC)), PGW_ERR_TOO_LARGE);
  CHECK(cnt.allocs >= 1);
  for (int i = 0; i < 50; i++) {
    OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
    OK(&s, B, rfq('I'));
  }
  PHASE(&s, PGW_PHASE_READY);
  pgw_state_free(&s);
  CHECK_EQ_INT(cnt.allocs, cnt.frees);
}

static void test_copy(void) {
  pgw_state s;
  ready(&s);
  /* COPY FROM STDIN, simple query. */
  OK(&s, F, mk(PGW_MSG_QUERY));
  BAD(&s, F, mk(PGW_MSG_COPY_DATA)); /* not before CopyInResponse */
  OK(&s, B, mk(PGW_MSG_COPY_IN_RESPONSE));
  PHASE(&s, PGW_PHASE_COPY_IN);
  BAD(&s, B, mk(PGW_MSG_COPY_DATA));        /* wrong direction */
  BAD(&s, B, mk(PGW_MSG_COMMAND_COMPLETE)); /* before CopyDone */
  OK(&s, F, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, mk(PGW_MSG_NOTICE_RESPONSE));
  OK(&s, F, mk(PGW_MSG_COPY_DATA));
  BAD(&s, F, mk(PGW_MSG_QUERY));
  BAD(&s, F, mk(PGW_MSG_TERMINATE));
  OK(&s, F, mk(PGW_MSG_COPY_DONE));
  BAD(&s, F, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  PHASE(&s, PGW_PHASE_SIMPLE_QUERY);
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);

  /* CopyFail: the backend must answer with ErrorResponse. */
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_COPY_IN_RESPONSE));
  OK(&s, F, mk(PGW_MSG_COPY_FAIL));
  BAD(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, error(0, "ERROR"));
  OK(&s, B, rfq('I'));

  /* The backend aborts while the frontend is still sending: its copy
   * messages in flight are accepted (the server ignores them). */
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_COPY_IN_RESPONSE));
  OK(&s, F, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, error(0, "ERROR"));
  OK(&s, F, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, rfq('I'));
  OK(&s, F, mk(PGW_MSG_COPY_DONE));
  BAD(&s, F, mk(PGW_MSG_COPY_DATA)); /* the stale copy ended */
  PHASE(&s, PGW_PHASE_READY);

  /* COPY TO STDOUT. */
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_COPY_OUT_RESPONSE));
  PHASE(&s, PGW_PHASE_COPY_OUT);
  BAD(&s, F, mk(PGW_MSG_COPY_DATA)); /* wrong direction */
  BAD(&s, F, mk(PGW_MSG_COPY_DONE));
  BAD(&s, F, mk(PGW_MSG_COPY_FAIL)); /* CopyFail only in copy-in */
  OK(&s, B, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, mk(PGW_MSG_PARAMETER_STATUS));
  OK(&s, B, mk(PGW_MSG_COPY_DATA));
  BAD(&s, B, mk(PGW_MSG_COMMAND_COMPLETE)); /* CopyDone first */
  OK(&s, B, mk(PGW_MSG_COPY_DONE));
  BAD(&s, B, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, rfq('I'));

  /* Copy-both (START_REPLICATION) ending at a timeline switch. */
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_COPY_BOTH_RESPONSE));
  PHASE(&s, PGW_PHASE_COPY_BOTH);
  OK(&s, B, mk(PGW_MSG_COPY_DATA));
  OK(&s, F, mk(PGW_MSG_COPY_DATA));
  BAD(&s, F, mk(PGW_MSG_COPY_FAIL));
  OK(&s, B, mk(PGW_MSG_COPY_DONE));
  BAD(&s, B, mk(PGW_MSG_COPY_DATA));
  BAD(&s, B, mk(PGW_MSG_COMMAND_COMPLETE)); /* frontend's CopyDone due */
  OK(&s, F, mk(PGW_MSG_COPY_DATA));
  OK(&s, F, mk(PGW_MSG_COPY_DONE));
  PHASE(&s, PGW_PHASE_SIMPLE_QUERY);
  OK(&s, B, mk(PGW_MSG_ROW_DESCRIPTION));
  OK(&s, B, mk(PGW_MSG_DATA_ROW));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, rfq('I'));
  /* Copy-both, frontend first; Terminate ends a replication stream. */
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_COPY_BOTH_RESPONSE));
  OK(&s, F, mk(PGW_MSG_COPY_DONE));
  OK(&s, B, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, mk(PGW_MSG_COPY_DONE));
  /* A logical walsender's keepalive after both CopyDones (PostgreSQL 15
   * and 18 send it; libpq drops it): accepted there and only there. */
  OK(&s, B, mk(PGW_MSG_COPY_DATA));
  BAD(&s, F, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  BAD(&s, B, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, rfq('I'));
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_COPY_BOTH_RESPONSE));
  OK(&s, F, mk(PGW_MSG_TERMINATE));
  PHASE(&s, PGW_PHASE_TERMINATED);

  /* COPY FROM STDIN through extended query (libpq's PQexecParams): the
   * Sync sent with Execute is ignored during the copy, a new Sync follows
   * CopyDone. */
  ready(&s);
  OK(&s, F, mk(PGW_MSG_PARSE));
  OK(&s, F, mk(PGW_MSG_BIND));
  OK(&s, F, describe('P'));
  OK(&s, F, mk(PGW_MSG_EXECUTE));
  OK(&s, F, mk(PGW_MSG_SYNC));
  OK(&s, B, mk(PGW_MSG_PARSE_COMPLETE));
  OK(&s, B, mk(PGW_MSG_BIND_COMPLETE));
  OK(&s, B, mk(PGW_MSG_NO_DATA));
  BAD(&s, B, mk(PGW_MSG_COPY_BOTH_RESPONSE)); /* replication only */
  OK(&s, B, mk(PGW_MSG_COPY_IN_RESPONSE));
  PHASE(&s, PGW_PHASE_COPY_IN);
  CHECK_EQ_INT(pgw_state_pending_syncs(&s), 0);
  OK(&s, F, mk(PGW_MSG_COPY_DATA));
  OK(&s, F, mk(PGW_MSG_FLUSH)); /* ignored during copy-in */
  OK(&s, F, mk(PGW_MSG_COPY_DONE));
  OK(&s, F, mk(PGW_MSG_SYNC));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  PHASE(&s, PGW_PHASE_EXTENDED_QUERY);
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);

  /* Extended COPY OUT, then an error in extended copy-in. */
  OK(&s, F, mk(PGW_MSG_EXECUTE));
  OK(&s, F, mk(PGW_MSG_SYNC));
  OK(&s, B, mk(PGW_MSG_COPY_OUT_RESPONSE));
  OK(&s, B, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, mk(PGW_MSG_COPY_DONE));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, rfq('I'));
  OK(&s, F, mk(PGW_MSG_EXECUTE));
  OK(&s, F, mk(PGW_MSG_SYNC));
  OK(&s, B, mk(PGW_MSG_COPY_IN_RESPONSE));
  OK(&s, F, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, error(0, "ERROR"));
  PHASE(&s, PGW_PHASE_EXTENDED_QUERY); /* discarding until Sync */
  OK(&s, F, mk(PGW_MSG_COPY_DATA));    /* in flight, ignored */
  OK(&s, F, mk(PGW_MSG_COPY_DONE));
  BAD(&s, B, rfq('I'));
  OK(&s, F, mk(PGW_MSG_SYNC));
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);
  pgw_state_free(&s);
}

static void test_function_call(void) {
  pgw_state s;
  ready(&s);
  OK(&s, F, mk(PGW_MSG_FUNCTION_CALL));
  PHASE(&s, PGW_PHASE_FUNCTION_CALL);
  BAD(&s, B, rfq('I'));
  BAD(&s, B, mk(PGW_MSG_DATA_ROW));
  OK(&s, B, mk(PGW_MSG_FUNCTION_CALL_RESPONSE));
  BAD(&s, B, mk(PGW_MSG_FUNCTION_CALL_RESPONSE));
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);
  OK(&s, F, mk(PGW_MSG_FUNCTION_CALL));
  OK(&s, B, error(0, "ERROR"));
  OK(&s, B, rfq('I'));
}

static void test_async_and_end(void) {
  pgw_state s;
  ready(&s);
  OK(&s, B, mk(PGW_MSG_PARAMETER_STATUS));
  OK(&s, B, mk(PGW_MSG_NOTICE_RESPONSE));
  OK(&s, B, mk(PGW_MSG_NOTIFICATION_RESPONSE));
  PHASE(&s, PGW_PHASE_READY);
  BAD(&s, B, error(0, "ERROR")); /* an ERROR needs a request */
  OK(&s, B, error(0, "FATAL"));  /* FATAL may come unprompted */
  PHASE(&s, PGW_PHASE_FAILED);
  CLOSED(&s, B, mk(PGW_MSG_NOTICE_RESPONSE));

  /* FATAL mid-query. */
  ready(&s);
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_ROW_DESCRIPTION));
  OK(&s, B, error(0, "FATAL"));
  PHASE(&s, PGW_PHASE_FAILED);
  CLOSED(&s, B, rfq('I'));

  /* Terminate: answers to earlier requests may still come. */
  ready(&s);
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, F, mk(PGW_MSG_TERMINATE));
  PHASE(&s, PGW_PHASE_TERMINATED);
  CLOSED(&s, F, mk(PGW_MSG_QUERY));
  CLOSED(&s, F, mk(PGW_MSG_TERMINATE));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_TERMINATED);
  CLOSED(&s, B, mk(PGW_MSG_NOTICE_RESPONSE));

  /* Terminate during initialization. */
  init(&s);
  OK(&s, F, startup(PGW_PROTOCOL_3_0));
  OK(&s, B, auth(PGW_AUTH_OK));
  OK(&s, F, mk(PGW_MSG_TERMINATE));
  PHASE(&s, PGW_PHASE_TERMINATED);
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_TERMINATED);
}

static void test_start_phases(void) {
  pgw_state s;
  pgw_state_options o;
  memset(&o, 0, sizeof o);
  o.start_phase = PGW_PHASE_SIMPLE_QUERY;
  CHECK_EQ_INT(pgw_state_init(&s, &o), PGW_ERR_INVALID_ARGUMENT);
  o.start_phase = PGW_PHASE_INITIALIZATION;
  o.protocol = PGW_PROTOCOL_3_2;
  CHECK_EQ_INT(pgw_state_init(&s, &o), 0);
  CHECK_EQ_INT(pgw_state_protocol(&s), PGW_PROTOCOL_3_2);
  OK(&s, B, key(8));
  OK(&s, B, rfq('I'));
  o.start_phase = PGW_PHASE_AUTHENTICATION;
  CHECK_EQ_INT(pgw_state_init(&s, &o), 0);
  OK(&s, B, auth(PGW_AUTH_OK));
  PHASE(&s, PGW_PHASE_INITIALIZATION);
  CHECK_EQ_INT(pgw_state_feed(NULL, F, NULL), PGW_ERR_INVALID_ARGUMENT);
}

static void test_lenient(void) {
  pgw_state s;
  pgw_state_options o;
  memset(&o, 0, sizeof o);
  o.lenient = 1;
  o.start_phase = PGW_PHASE_READY;
  CHECK_EQ_INT(pgw_state_init(&s, &o), 0);
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_DATA_ROW)); /* violation, ignored */
  CHECK_EQ_INT(pgw_state_violations(&s), 1);
  CHECK_EQ_INT(pgw_state_error(&s)->code, PGW_ERR_UNEXPECTED_MESSAGE);
  PHASE(&s, PGW_PHASE_SIMPLE_QUERY);
  OK(&s, B, rfq('I')); /* not due: resynchronises */
  CHECK_EQ_INT(pgw_state_violations(&s), 2);
  PHASE(&s, PGW_PHASE_READY);
  CHECK_EQ_INT(pgw_state_pending(&s), 0);
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_COPY_IN_RESPONSE));
  OK(&s, B, rfq('I')); /* closes the COPY too */
  PHASE(&s, PGW_PHASE_READY);
  OK(&s, F, mk(PGW_MSG_QUERY)); /* frontend copy no longer open */
  CHECK_EQ_INT(pgw_state_violations(&s), 3);
  OK(&s, B, error(0, "ERROR"));
  OK(&s, B, rfq('I'));
  CHECK_EQ_INT(pgw_state_violations(&s), 3);
  pgw_state_free(&s);
}

/* pg_basebackup against PostgreSQL 15 (recorded through pgw record): the
 * archive's CopyDone is followed by a result set, then two
 * CommandCompletes (SELECT, BASE_BACKUP). */
static void test_base_backup(void) {
  pgw_state s;
  ready(&s);
  OK(&s, F, mk(PGW_MSG_QUERY));
  OK(&s, B, mk(PGW_MSG_ROW_DESCRIPTION));
  OK(&s, B, mk(PGW_MSG_DATA_ROW));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, mk(PGW_MSG_COPY_OUT_RESPONSE));
  OK(&s, B, mk(PGW_MSG_COPY_DATA));
  OK(&s, B, mk(PGW_MSG_NOTICE_RESPONSE));
  OK(&s, B, mk(PGW_MSG_COPY_DONE));
  OK(&s, B, mk(PGW_MSG_ROW_DESCRIPTION));
  OK(&s, B, mk(PGW_MSG_DATA_ROW));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, mk(PGW_MSG_COMMAND_COMPLETE));
  OK(&s, B, rfq('I'));
  PHASE(&s, PGW_PHASE_READY);
  pgw_state_free(&s);
}

int main(void) {
  test_base_backup();
  test_names();
  test_startup_sasl();
  test_password_no_key();
  test_gss();
  test_startup_errors();
  test_tls();
  test_cancel();
  test_simple_query();
  test_extended();
  test_pipeline();
  test_copy();
  test_function_call();
  test_async_and_end();
  test_start_phases();
  test_lenient();
  return pgw_test_done("state");
}
