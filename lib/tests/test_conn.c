/*
 * test_conn.c - a frontend conn and a backend conn talking to each other
 * through pgw_conn_send -> bytes -> pgw_conn_receive; framing, SSL answer,
 * SASL 'p' kinds, hooks, violations, and no allocation in steady state.
 */
#include "pgw_test.h"

static pgw_message mk(pgw_kind k) {
  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = k;
  return m;
}

static pgw_param user_param[1];

static pgw_message startup_msg(void) {
  pgw_message m;
  user_param[0] = pgw_param_of("user", "postgres");
  pgw_param_list l = pgw_param_list_of(user_param, 1);
  pgw_msg_startup(&m, PGW_PROTOCOL_3_0, &l);
  return m;
}

static pgw_message auth(int32_t code) {
  pgw_message m;
  pgw_msg_auth(&m, (enum pgw_auth_code)code);
  return m;
}

static pgw_message text_msg(pgw_kind k, const char *t) {
  pgw_message m = mk(k);
  m.body.query.text = PGW_STR(t); /* every one-string body is a pgw_text */
  return m;
}

static pgw_message rfq(void) {
  pgw_message m;
  pgw_msg_ready_for_query(&m, 'I');
  return m;
}

static pgw_column col[1];
static pgw_value val[1];

static pgw_message row_desc(void) {
  pgw_message m;
  col[0] = pgw_column_of("?column?", 23, 4);
  pgw_column_list l = pgw_column_list_of(col, 1);
  pgw_msg_row_description(&m, &l);
  return m;
}

static pgw_message data_row(void) {
  pgw_message m;
  val[0] = pgw_value_text("1");
  pgw_value_list l = pgw_value_list_of(val, 1);
  pgw_msg_data_row(&m, &l);
  return m;
}

static pgw_buf wire;

/* from sends m; to receives it; returns to's status and the kind seen. */
static int xfer(pgw_conn *from, pgw_conn *to, pgw_message m, pgw_kind *got) {
  pgw_message in;
  pgw_buf_clear(&wire);
  int rc = pgw_conn_send(from, &m, &wire);
  if (rc) return rc;
  rc = pgw_conn_receive(to, wire.data, wire.len);
  if (rc) return rc;
  rc = pgw_conn_next(to, &in);
  if (rc == PGW_OK) {
    if (got) *got = in.kind;
    pgw_message more;
    CHECK_EQ_INT(pgw_conn_next(to, &more), PGW_NEED_MORE);
  }
  return rc;
}

#define XFER(a, b, m, k)                                                       \
  do {                                                                         \
    pgw_kind got_ = PGW_MSG_UNKNOWN;                                           \
    CHECK_EQ_INT(xfer(a, b, m, &got_), PGW_OK);                                \
    CHECK_EQ_INT(got_, k);                                                     \
  } while (0)

static void pair(pgw_conn *fe, pgw_conn *be, const pgw_allocator *a) {
  pgw_conn_options o;
  memset(&o, 0, sizeof o);
  o.allocator = a;
  o.role = PGW_FRONTEND;
  CHECK_EQ_INT(pgw_conn_init(fe, &o), 0);
  o.role = PGW_BACKEND;
  CHECK_EQ_INT(pgw_conn_init(be, &o), 0);
}

static void login(pgw_conn *fe, pgw_conn *be) {
  XFER(fe, be, startup_msg(), PGW_MSG_STARTUP_MESSAGE);
  XFER(be, fe, auth(PGW_AUTH_OK), PGW_MSG_AUTHENTICATION);
  pgw_message ps = mk(PGW_MSG_PARAMETER_STATUS);
  ps.body.parameter_status.name = PGW_STR("server_version");
  ps.body.parameter_status.value = PGW_STR("15.8");
  XFER(be, fe, ps, PGW_MSG_PARAMETER_STATUS);
  static const uint8_t k[4] = {0x12, 0x34, 0x56, 0x78};
  pgw_message kd = mk(PGW_MSG_BACKEND_KEY_DATA);
  kd.body.backend_key.pid = 77;
  kd.body.backend_key.key.ptr = k;
  kd.body.backend_key.key.len = 4;
  XFER(be, fe, kd, PGW_MSG_BACKEND_KEY_DATA);
  XFER(be, fe, rfq(), PGW_MSG_READY_FOR_QUERY);
  CHECK_EQ_INT(pgw_conn_phase(fe), PGW_PHASE_READY);
  CHECK_EQ_INT(pgw_conn_phase(be), PGW_PHASE_READY);
}

static void query_cycle(pgw_conn *fe, pgw_conn *be) {
  XFER(fe, be, text_msg(PGW_MSG_QUERY, "SELECT 1"), PGW_MSG_QUERY);
  XFER(be, fe, row_desc(), PGW_MSG_ROW_DESCRIPTION);
  XFER(be, fe, data_row(), PGW_MSG_DATA_ROW);
  XFER(be, fe, text_msg(PGW_MSG_COMMAND_COMPLETE, "SELECT 1"),
       PGW_MSG_COMMAND_COMPLETE);
  XFER(be, fe, rfq(), PGW_MSG_READY_FOR_QUERY);
  pgw_message d = mk(PGW_MSG_DESCRIBE);
  d.body.describe.target = 'P';
  XFER(fe, be, mk(PGW_MSG_BIND), PGW_MSG_BIND);
  XFER(fe, be, d, PGW_MSG_DESCRIBE);
  XFER(fe, be, mk(PGW_MSG_EXECUTE), PGW_MSG_EXECUTE);
  XFER(fe, be, mk(PGW_MSG_SYNC), PGW_MSG_SYNC);
  XFER(be, fe, mk(PGW_MSG_BIND_COMPLETE), PGW_MSG_BIND_COMPLETE);
  XFER(be, fe, row_desc(), PGW_MSG_ROW_DESCRIPTION);
  XFER(be, fe, data_row(), PGW_MSG_DATA_ROW);
  XFER(be, fe, text_msg(PGW_MSG_COMMAND_COMPLETE, "SELECT 1"),
       PGW_MSG_COMMAND_COMPLETE);
  XFER(be, fe, rfq(), PGW_MSG_READY_FOR_QUERY);
}

static void test_session(void) {
  pgw_conn fe, be;
  pgw_test_counter cnt = {0, 0, 0};
  pgw_allocator a = pgw_test_allocator(&cnt);
  pgw_buf_init(&wire, NULL);
  pair(&fe, &be, &a);
  login(&fe, &be);
  int32_t pid = 0;
  CHECK_EQ_INT(pgw_state_backend_key(pgw_conn_state(&fe), &pid, NULL), 1);
  CHECK_EQ_INT(pid, 77);
  query_cycle(&fe, &be);
  size_t before = cnt.allocs + cnt.reallocs;
  for (int i = 0; i < 100; i++)
    query_cycle(&fe, &be);
  CHECK_EQ_INT(cnt.allocs + cnt.reallocs, before); /* steady state */

  /* Sending what the state forbids: error, nothing appended. */
  pgw_buf_clear(&wire);
  pgw_message dr = data_row();
  CHECK_EQ_INT(pgw_conn_send(&fe, &dr, &wire), PGW_ERR_UNEXPECTED_MESSAGE);
  CHECK_EQ_INT(wire.len, 0);
  CHECK(strstr(pgw_conn_error(&fe)->reason, "DataRow") != NULL);
  CHECK_EQ_INT(pgw_conn_send(&be, &dr, &wire), PGW_ERR_UNEXPECTED_MESSAGE);
  CHECK_EQ_INT(wire.len, 0);

  /* Receiving it: sticky error with the stream offset. */
  pgw_conn_free(&be);
  pgw_conn_options o;
  memset(&o, 0, sizeof o);
  o.role = PGW_BACKEND;
  o.start_phase = PGW_PHASE_READY;
  CHECK_EQ_INT(pgw_conn_init(&be, &o), 0);
  pgw_message bad = data_row();
  pgw_buf_clear(&wire);
  CHECK_EQ_INT(pgw_message_encode_buf(&bad, &wire), 0);
  CHECK_EQ_INT(pgw_conn_receive(&fe, wire.data, wire.len), 0);
  pgw_message in;
  CHECK_EQ_INT(pgw_conn_next(&fe, &in), PGW_ERR_UNEXPECTED_MESSAGE);
  CHECK_EQ_INT(in.kind, PGW_MSG_DATA_ROW);
  CHECK_EQ_INT(pgw_conn_next(&fe, &in), PGW_ERR_UNEXPECTED_MESSAGE);

  /* Terminate. */
  XFER(&fe, &be, mk(PGW_MSG_TERMINATE), PGW_MSG_TERMINATE);
  CHECK_EQ_INT(pgw_conn_phase(&be), PGW_PHASE_TERMINATED);
  CHECK_EQ_INT(pgw_conn_finish(&be), 0);
  pgw_conn_free(&fe);
  pgw_conn_free(&be);
  CHECK_EQ_INT(cnt.allocs, cnt.frees);
  pgw_buf_free(&wire);
}

/* SSLRequest answered 'S': bring your own TLS. */
static void test_ssl(void) {
  pgw_conn fe, be;
  pgw_buf_init(&wire, NULL);
  pair(&fe, &be, NULL);
  XFER(&fe, &be, mk(PGW_MSG_SSL_REQUEST), PGW_MSG_SSL_REQUEST);
  pgw_message s = mk(PGW_MSG_SSL_RESPONSE);
  s.type = 'S';
  s.body.encryption.answer = 'S';
  XFER(&be, &fe, s, PGW_MSG_SSL_RESPONSE);
  CHECK_EQ_INT(pgw_conn_phase(&fe), PGW_PHASE_TLS_HANDSHAKE);
  CHECK_EQ_INT(pgw_conn_phase(&be), PGW_PHASE_TLS_HANDSHAKE);
  pgw_message sm = startup_msg();
  pgw_buf_clear(&wire);
  CHECK_EQ_INT(pgw_conn_send(&fe, &sm, &wire), PGW_ERR_UNEXPECTED_MESSAGE);
  CHECK_EQ_INT(pgw_conn_tls_established(&fe), 0);
  CHECK_EQ_INT(pgw_conn_tls_established(&be), 0);
  CHECK_EQ_INT(pgw_conn_tls_established(&be), PGW_ERR_INVALID_ARGUMENT);
  login(&fe, &be);
  pgw_conn_free(&fe);
  pgw_conn_free(&be);

  /* Bytes stuffed after 'S' before the handshake (CVE-2021-23222). */
  pair(&fe, &be, NULL);
  XFER(&fe, &be, mk(PGW_MSG_SSL_REQUEST), PGW_MSG_SSL_REQUEST);
  pgw_buf_clear(&wire);
  CHECK_EQ_INT(pgw_conn_send(&be, &s, &wire), 0);
  pgw_message ok = auth(PGW_AUTH_OK);
  CHECK_EQ_INT(pgw_message_encode_buf(&ok, &wire), 0);
  CHECK_EQ_INT(pgw_conn_receive(&fe, wire.data, wire.len), 0);
  pgw_message in;
  CHECK_EQ_INT(pgw_conn_next(&fe, &in), PGW_OK);
  CHECK_EQ_INT(pgw_conn_next(&fe, &in), PGW_ERR_UNEXPECTED_MESSAGE);
  /* Half a message stuffed: caught when TLS is declared up. */
  pgw_conn_free(&fe);
  pgw_conn_free(&be);
  pair(&fe, &be, NULL);
  XFER(&fe, &be, mk(PGW_MSG_SSL_REQUEST), PGW_MSG_SSL_REQUEST);
  pgw_buf_clear(&wire);
  CHECK_EQ_INT(pgw_conn_send(&be, &s, &wire), 0);
  CHECK_EQ_INT(pgw_message_encode_buf(&ok, &wire), 0);
  CHECK_EQ_INT(pgw_conn_receive(&fe, wire.data, 4), 0);
  CHECK_EQ_INT(pgw_conn_next(&fe, &in), PGW_OK);
  CHECK_EQ_INT(pgw_conn_next(&fe, &in), PGW_NEED_MORE);
  CHECK_EQ_INT(pgw_conn_tls_established(&fe), PGW_ERR_UNEXPECTED_MESSAGE);
  pgw_conn_free(&fe);
  pgw_conn_free(&be);

  /* GSSENCRequest refused: the decoder expects 'G'/'N', not 'S'. */
  pair(&fe, &be, NULL);
  XFER(&fe, &be, mk(PGW_MSG_GSSENC_REQUEST), PGW_MSG_GSSENC_REQUEST);
  pgw_message g = mk(PGW_MSG_GSSENC_RESPONSE);
  g.type = 'N';
  g.body.encryption.answer = 'N';
  XFER(&be, &fe, g, PGW_MSG_GSSENC_RESPONSE);
  CHECK_EQ_INT(pgw_conn_phase(&fe), PGW_PHASE_STARTUP);
  login(&fe, &be);
  pgw_conn_free(&fe);
  pgw_conn_free(&be);

  /* Fuzz findings 3 and 5: the server answers GSSENCRequest 'N' and
   * writes 4 bytes of a header before the client's fallback SSLRequest.
   * The frontend conn fails with UNEXPECTED_MESSAGE from its decoder; no
   * memory is touched past the header buffer, and the message handed
   * back is zeroed (wire_len 0: there is none to show). */
  pair(&fe, &be, NULL);
  XFER(&fe, &be, mk(PGW_MSG_GSSENC_REQUEST), PGW_MSG_GSSENC_REQUEST);
  pgw_buf_clear(&wire);
  CHECK_EQ_INT(pgw_conn_send(&be, &g, &wire), 0);
  static const uint8_t early[] = {'Z', 0, 0, 0};
  CHECK_EQ_INT(pgw_buf_reserve(&wire, sizeof early), 0);
  memcpy(wire.data + wire.len, early, sizeof early);
  wire.len += sizeof early;
  CHECK_EQ_INT(pgw_conn_receive(&fe, wire.data, wire.len), 0);
  CHECK_EQ_INT(pgw_conn_next(&fe, &in), PGW_OK);
  CHECK_EQ_INT(pgw_conn_next(&fe, &in), PGW_NEED_MORE);
  pgw_message ssl_req = mk(PGW_MSG_SSL_REQUEST);
  pgw_buf_clear(&wire);
  CHECK_EQ_INT(pgw_conn_send(&fe, &ssl_req, &wire), 0);
  static const uint8_t more[40] = {'A'};
  CHECK_EQ_INT(pgw_conn_receive(&fe, more, sizeof more), 0);
  memset(&in, 0xa5, sizeof in);
  CHECK_EQ_INT(pgw_conn_next(&fe, &in), PGW_ERR_UNEXPECTED_MESSAGE);
  CHECK_EQ_INT(in.wire_len, 0);
  CHECK_EQ_INT(in.kind, PGW_MSG_UNKNOWN);
  CHECK_EQ_INT(pgw_conn_error(&fe)->offset, 1);
  pgw_conn_free(&fe);
  pgw_conn_free(&be);
  pgw_buf_free(&wire);
}

/* SCRAM: the backend's decoder reads each 'p' as the right kind. */
static void test_sasl(void) {
  pgw_conn fe, be;
  pgw_buf_init(&wire, NULL);
  pair(&fe, &be, NULL);
  XFER(&fe, &be, startup_msg(), PGW_MSG_STARTUP_MESSAGE);
  pgw_str mech[1] = {{"SCRAM-SHA-256", 13}};
  pgw_message a = auth(PGW_AUTH_SASL);
  a.body.auth.mechanisms.count = 1;
  a.body.auth.mechanisms.items = mech;
  XFER(&be, &fe, a, PGW_MSG_AUTHENTICATION);
  pgw_message ir = mk(PGW_MSG_SASL_INITIAL_RESPONSE);
  ir.body.sasl_initial.mechanism = mech[0];
  ir.body.sasl_initial.data.ptr = (const uint8_t *)"n,,n=,r=abc";
  ir.body.sasl_initial.data.len = 11;
  XFER(&fe, &be, ir, PGW_MSG_SASL_INITIAL_RESPONSE);
  pgw_message c = auth(PGW_AUTH_SASL_CONTINUE);
  c.body.auth.data.ptr = (const uint8_t *)"r=abcdef,s=c2FsdA==,i=4096";
  c.body.auth.data.len = 26;
  XFER(&be, &fe, c, PGW_MSG_AUTHENTICATION);
  pgw_message r = mk(PGW_MSG_SASL_RESPONSE);
  r.body.sasl_response.data.ptr = (const uint8_t *)"c=biws,r=abcdef,p=x";
  r.body.sasl_response.data.len = 19;
  XFER(&fe, &be, r, PGW_MSG_SASL_RESPONSE);
  pgw_message f = auth(PGW_AUTH_SASL_FINAL);
  f.body.auth.data.ptr = (const uint8_t *)"v=x";
  f.body.auth.data.len = 3;
  XFER(&be, &fe, f, PGW_MSG_AUTHENTICATION);
  XFER(&be, &fe, auth(PGW_AUTH_OK), PGW_MSG_AUTHENTICATION);
  XFER(&be, &fe, rfq(), PGW_MSG_READY_FOR_QUERY);
  pgw_conn_free(&fe);
  pgw_conn_free(&be);
  pgw_buf_free(&wire);
}

typedef struct hook_log {
  int calls;
  uint8_t bytes[64];
  size_t len;
} hook_log;

static int log_hook(void *user, const pgw_message *m, const uint8_t *b,
                    size_t n) {
  hook_log *l = (hook_log *)user;
  (void)m;
  l->calls++;
  if (n <= sizeof l->bytes) {
    memcpy(l->bytes, b, n);
    l->len = n;
  }
  return 0;
}

static void test_hooks(void) {
  hook_log sent = {0, {0}, 0}, recv = {0, {0}, 0};
  pgw_conn fe, be;
  pgw_conn_options o;
  memset(&o, 0, sizeof o);
  o.role = PGW_FRONTEND;
  o.on_send = log_hook;
  o.hook_user = &sent;
  CHECK_EQ_INT(pgw_conn_init(&fe, &o), 0);
  memset(&o, 0, sizeof o);
  o.role = PGW_BACKEND;
  o.on_receive = log_hook;
  o.hook_user = &recv;
  CHECK_EQ_INT(pgw_conn_init(&be, &o), 0);
  pgw_message sm = startup_msg();
  CHECK_EQ_INT(pgw_conn_send(&fe, &sm, NULL), 0); /* bytes to hook only */
  CHECK_EQ_INT(sent.calls, 1);
  CHECK_EQ_INT(pgw_conn_receive(&be, sent.bytes, sent.len), 0);
  pgw_message in;
  CHECK_EQ_INT(pgw_conn_next(&be, &in), PGW_OK);
  CHECK_EQ_INT(recv.calls, 1);
  CHECK_MEM(recv.bytes, recv.len, sent.bytes, sent.len);
  CHECK_EQ_INT(pgw_conn_send(&be, &sm, NULL), PGW_ERR_INVALID_ARGUMENT);
  pgw_conn_free(&fe);
  pgw_conn_free(&be);
}

/* Lenient: a second RowDescription out of turn in extended query (after
 * the Describe's) is let through, and libpq loses the rows after it (it
 * ends the result it held): each DataRow is a violation of its own, on
 * the fast path of pgw_conn_next() too. */
static void test_rows_lost(void) {
  pgw_conn fe;
  pgw_conn_options o;
  memset(&o, 0, sizeof o);
  o.mode = PGW_MODE_LENIENT;
  o.start_phase = PGW_PHASE_READY;
  o.protocol = PGW_PROTOCOL_3_0;
  CHECK_EQ_INT(pgw_conn_init(&fe, &o), 0);
  pgw_buf out, in;
  pgw_buf_init(&out, NULL);
  pgw_buf_init(&in, NULL);
  pgw_message m;
  pgw_msg_parse(&m, "", "SELECT 1", NULL);
  CHECK_EQ_INT(pgw_conn_send(&fe, &m, &out), 0);
  pgw_msg_bind(&m, "", "", NULL, NULL, NULL);
  CHECK_EQ_INT(pgw_conn_send(&fe, &m, &out), 0);
  pgw_msg_describe(&m, 'P', "");
  CHECK_EQ_INT(pgw_conn_send(&fe, &m, &out), 0);
  pgw_msg_execute(&m, "", 0);
  CHECK_EQ_INT(pgw_conn_send(&fe, &m, &out), 0);
  pgw_msg_sync(&m);
  CHECK_EQ_INT(pgw_conn_send(&fe, &m, &out), 0);
  pgw_msg_parse_complete(&m);
  pgw_message_encode_buf(&m, &in);
  pgw_msg_bind_complete(&m);
  pgw_message_encode_buf(&m, &in);
  m = row_desc();
  pgw_message_encode_buf(&m, &in); /* the Describe's */
  pgw_message_encode_buf(&m, &in); /* out of turn */
  m = data_row();
  pgw_message_encode_buf(&m, &in);
  pgw_message_encode_buf(&m, &in);
  pgw_message_encode_buf(&m, &in);
  CHECK_EQ_INT(pgw_conn_receive(&fe, in.data, in.len), 0);
  size_t rows = 0, warned = 0;
  int rc;
  while ((rc = pgw_conn_next(&fe, &m)) == PGW_OK) {
    if (m.kind == PGW_MSG_DATA_ROW) {
      rows++;
      warned += pgw_conn_warning(&fe)->offset == m.offset;
    }
  }
  CHECK_EQ_INT(rc, PGW_NEED_MORE);
  CHECK_EQ_INT(rows, 3);
  CHECK_EQ_INT(warned, 3);
  CHECK_EQ_INT(pgw_conn_warnings(&fe), 4); /* RowDescription and 3 rows */
  pgw_buf_free(&out);
  pgw_buf_free(&in);
  pgw_conn_free(&fe);
}

int main(void) {
  test_rows_lost();
  test_session();
  test_ssl();
  test_sasl();
  test_hooks();
  return pgw_test_done("conn");
}
