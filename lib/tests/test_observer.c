/*
 * test_observer.c - one connection seen from the middle: a real psql 15
 * session against PostgreSQL 15 (fixtures_psql15.h) in wire order, then
 * the observer's own duties: framing handed to both decoders (SSL answer,
 * password kinds), sticky errors with their direction and rule, the
 * reference mode's warnings, direct SSL and the switch to TLS.
 */
#include "fixtures_psql15.h"
#include "pgw_test.h"

static unsigned char fe[4096], be[4096];

static void init(pgw_observer *o, pgw_mode mode) {
  pgw_observer_options opts;
  memset(&opts, 0, sizeof opts);
  opts.mode = mode;
  CHECK_EQ_INT(pgw_observer_init(o, &opts), 0);
}

/* Take backend messages up to and including a ReadyForQuery. */
static size_t backend_until_ready(pgw_observer *o) {
  pgw_message m;
  size_t n = 0;
  int rc;
  while ((rc = pgw_observer_next(o, PGW_BACKEND, &m)) == PGW_OK) {
    n++;
    if (m.kind == PGW_MSG_READY_FOR_QUERY) return n;
  }
  CHECK_EQ_INT(rc, PGW_OK); /* never reached: a ReadyForQuery was due */
  return n;
}

static pgw_kind frontend_one(pgw_observer *o) {
  pgw_message m;
  CHECK_EQ_INT(pgw_observer_next(o, PGW_FRONTEND, &m), PGW_OK);
  return m.kind;
}

static void test_recorded(void) {
  size_t fe_len = pgw_test_hex(psql15_frontend_hex, fe, sizeof fe);
  size_t be_len = pgw_test_hex(psql15_backend_hex, be, sizeof be);
  pgw_observer o;
  init(&o, PGW_MODE_STRICT);
  CHECK_EQ_INT(pgw_observer_feed(&o, PGW_FRONTEND, fe, fe_len), 0);
  CHECK_EQ_INT(pgw_observer_feed(&o, PGW_BACKEND, be, be_len), 0);
  CHECK_EQ_INT(frontend_one(&o), PGW_MSG_STARTUP_MESSAGE);
  CHECK_EQ_INT(pgw_observer_phase(&o), PGW_PHASE_AUTHENTICATION);
  /* AuthenticationOk, 13 ParameterStatus, BackendKeyData, ReadyForQuery */
  CHECK_EQ_INT(backend_until_ready(&o), 16);
  CHECK_EQ_INT(frontend_one(&o), PGW_MSG_QUERY);
  /* RowDescription, 3 DataRow, CommandComplete, ReadyForQuery */
  CHECK_EQ_INT(backend_until_ready(&o), 6);
  CHECK_EQ_INT(frontend_one(&o), PGW_MSG_QUERY);
  CHECK_EQ_INT(backend_until_ready(&o), 2); /* ErrorResponse, ReadyForQuery */
  CHECK_EQ_INT(pgw_state_transaction_status(pgw_observer_state(&o)), 'I');
  CHECK_EQ_INT(frontend_one(&o), PGW_MSG_TERMINATE);
  CHECK_EQ_INT(pgw_observer_phase(&o), PGW_PHASE_TERMINATED);
  pgw_message m;
  CHECK_EQ_INT(pgw_observer_next(&o, PGW_FRONTEND, &m), PGW_NEED_MORE);
  CHECK_EQ_INT(pgw_observer_next(&o, PGW_BACKEND, &m), PGW_NEED_MORE);
  CHECK_EQ_INT(pgw_observer_finish(&o, PGW_FRONTEND), 0);
  CHECK_EQ_INT(pgw_observer_finish(&o, PGW_BACKEND), 0);
  pgw_observer_free(&o);
}

/* feed dir's hex and take one message; returns next()'s status. */
static int one(pgw_observer *o, pgw_dir dir, const char *hex, pgw_message *m) {
  static unsigned char buf[2][256];
  size_t n = pgw_test_hex(hex, buf[dir], sizeof buf[dir]);
  CHECK_EQ_INT(pgw_observer_feed(o, dir, buf[dir], n), 0);
  return pgw_observer_next(o, dir, m);
}

static void test_framing_and_errors(void) {
  pgw_observer o;
  pgw_message m;
  init(&o, PGW_MODE_STRICT);
  /* SSLRequest: the backend decoder expects the one-byte answer. */
  CHECK_EQ_INT(one(&o, PGW_FRONTEND, "00000008 04d2162f", &m), PGW_OK);
  CHECK_EQ_INT(one(&o, PGW_BACKEND, "4e", &m), PGW_OK);
  CHECK_EQ_INT(m.kind, PGW_MSG_SSL_RESPONSE);
  CHECK_EQ_INT(
      one(&o, PGW_FRONTEND, "00000012 00030000 7573657200 70677700 00", &m),
      PGW_OK);
  /* MD5 request: the client's 'p' is a PasswordMessage... */
  CHECK_EQ_INT(one(&o, PGW_BACKEND, "52 0000000c 00000005 01020304", &m),
               PGW_OK);
  CHECK_EQ_INT(one(&o, PGW_FRONTEND, "70 00000008 78797a00", &m), PGW_OK);
  CHECK_EQ_INT(m.kind, PGW_MSG_PASSWORD_MESSAGE);
  /* ...and a backend message out of order is a sticky error naming the
   * direction and the rule. */
  CHECK_EQ_INT(one(&o, PGW_BACKEND, "5a 00000005 49", &m),
               PGW_ERR_UNEXPECTED_MESSAGE);
  pgw_dir dir = PGW_FRONTEND;
  const pgw_error *e = pgw_observer_error(&o, &dir);
  CHECK_EQ_INT(dir, PGW_BACKEND);
  CHECK(e->rule != NULL && strcmp(e->rule->id, "backend.order") == 0);
  memset(&m, 0xa5, sizeof m); /* a later call zeroes *m (MSan: certify) */
  CHECK_EQ_INT(pgw_observer_next(&o, PGW_FRONTEND, &m),
               PGW_ERR_UNEXPECTED_MESSAGE);
  CHECK_EQ_INT(m.wire_len, 0);
  pgw_observer_free(&o);
}

static void test_reference_mode(void) {
  pgw_observer o;
  pgw_message m;
  init(&o, PGW_MODE_REFERENCE);
  CHECK_EQ_INT(
      one(&o, PGW_FRONTEND, "00000012 00030000 7573657200 70677700 00", &m),
      PGW_OK);
  CHECK_EQ_INT(one(&o, PGW_BACKEND, "52 00000008 00000000 5a 00000005 49", &m),
               PGW_OK);
  CHECK_EQ_INT(pgw_observer_next(&o, PGW_BACKEND, &m), PGW_OK);
  /* A stray CopyFail (postgres.js): documented, counted, ignored. */
  CHECK_EQ_INT(one(&o, PGW_FRONTEND, "66 00000009 6e756c6c00", &m), PGW_OK);
  CHECK_EQ_INT(pgw_observer_warnings(&o), 1);
  const pgw_rule *w = pgw_observer_warning(&o)->rule;
  CHECK(w != NULL && strcmp(w->id, "frontend.copy-only-in-copy") == 0);
  CHECK_EQ_INT(pgw_observer_phase(&o), PGW_PHASE_READY);
  pgw_observer_free(&o);
}

static void test_direct_ssl(void) {
  pgw_observer o;
  pgw_message m;
  init(&o, PGW_MODE_STRICT);
  memset(&m, 0xa5, sizeof m);
  CHECK_EQ_INT(one(&o, PGW_FRONTEND, "16 0301 0005 0100000100", &m),
               PGW_DIRECT_SSL);
  CHECK_EQ_INT(m.wire_len, 0); /* no message: *m zeroed */
  CHECK_EQ_INT(pgw_observer_phase(&o), PGW_PHASE_TLS_HANDSHAKE);
  CHECK_EQ_INT(pgw_observer_tls_on(&o), 0);
  /* The decrypted stream begins with a StartupMessage. */
  CHECK_EQ_INT(
      one(&o, PGW_FRONTEND, "00000012 00030000 7573657200 70677700 00", &m),
      PGW_OK);
  CHECK_EQ_INT(m.kind, PGW_MSG_STARTUP_MESSAGE);
  CHECK_EQ_INT(pgw_observer_tls_on(&o), PGW_ERR_INVALID_ARGUMENT);
  pgw_observer_free(&o);
}

/* Bad arguments are refused without touching anything; tls_on outside a
 * TLS handshake, or with plaintext bytes of a message half-read after the
 * 'S' (injected before the handshake), fails. */
static void test_bad_arguments(void) {
  pgw_observer o;
  pgw_message m;
  uint8_t b = 0;
  CHECK_EQ_INT(pgw_observer_init(NULL, NULL), PGW_ERR_INVALID_ARGUMENT);
  pgw_observer_free(NULL);
  CHECK_EQ_INT(pgw_observer_init(&o, NULL), 0); /* NULL options: strict */
  CHECK_EQ_INT(pgw_observer_feed(NULL, PGW_FRONTEND, &b, 1),
               PGW_ERR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pgw_observer_feed(&o, (pgw_dir)2, &b, 1),
               PGW_ERR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pgw_observer_next(NULL, PGW_FRONTEND, &m),
               PGW_ERR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pgw_observer_next(&o, PGW_FRONTEND, NULL),
               PGW_ERR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pgw_observer_next(&o, (pgw_dir)7, &m), PGW_ERR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pgw_observer_finish(NULL, PGW_BACKEND),
               PGW_ERR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pgw_observer_finish(&o, (pgw_dir)2), PGW_ERR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pgw_observer_tls_on(NULL), PGW_ERR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pgw_observer_tls_on(&o), PGW_ERR_INVALID_ARGUMENT);
  pgw_observer_free(&o);

  init(&o, PGW_MODE_STRICT);
  CHECK_EQ_INT(one(&o, PGW_FRONTEND, "00000008 04d2162f", &m), PGW_OK);
  CHECK_EQ_INT(one(&o, PGW_BACKEND, "53", &m), PGW_OK);
  CHECK_EQ_INT(pgw_observer_phase(&o), PGW_PHASE_TLS_HANDSHAKE);
  CHECK_EQ_INT(one(&o, PGW_FRONTEND, "0000", &m), PGW_NEED_MORE);
  CHECK(pgw_observer_tls_on(&o) < 0);
  pgw_dir dir = PGW_BACKEND;
  CHECK(pgw_observer_error(&o, &dir)->code < 0);
  CHECK_EQ_INT(dir, PGW_FRONTEND);
  pgw_observer_free(&o);
}

int main(void) {
  test_recorded();
  test_framing_and_errors();
  test_reference_mode();
  test_direct_ssl();
  test_bad_arguments();
  printf("observer: %d checks, %d failed\n", pgw_test_checks,
         pgw_test_failures);
  return pgw_test_failures != 0;
}
