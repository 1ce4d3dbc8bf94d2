/*
 * pgw/state.h - the connection phase machine, for the frontend role, the
 * backend role and observers (proxies, dump tools).
 *
 * One pgw_state tracks ONE connection in both directions: feed it every
 * message in wire order together with the direction that sent it. It
 * checks that the message is allowed now (phase and order inside the phase,
 * as the protocol documentation and PostgreSQL's own sources define them),
 * and advances. The rules are a declarative transition table inside
 * state.c; the error reasons ("in phase SimpleQuery the backend sent
 * DataRow; expected RowDescription, CommandComplete, ... or
 * NotificationResponse") are generated from the same table.
 *
 * Pipelining is modelled exactly: every frontend request that the backend
 * must answer (Query, FunctionCall, Parse, Bind, Describe, Execute, Close,
 * Sync) joins a queue of pending requests, and backend messages are checked
 * against the oldest one. After an ErrorResponse in extended query the
 * pending requests up to the next Sync are dropped (the server discards
 * them), and frontend messages sent before that Sync are discarded too.
 *
 * Memory: the object lives where the caller puts it. The pending-request
 * queue holds 32 requests inline; a deeper pipeline grows it through the
 * allocator (kept and reused, so steady state allocates nothing).
 * pgw_state_free() releases it.
 */
#ifndef PGW_STATE_H
#define PGW_STATE_H

#include "pgw/decoder.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pgw_phase {
  /* Frontend's turn: StartupMessage, SSLRequest, GSSENCRequest or
   * CancelRequest (framing: startup). */
  PGW_PHASE_STARTUP = 0,
  /* SSLRequest sent; the backend answers one byte 'S' or 'N' (or an
   * ErrorResponse from a server that predates SSL). */
  PGW_PHASE_SSL_NEGOTIATION,
  /* GSSENCRequest sent; the backend answers 'G' or 'N' (or ErrorResponse). */
  PGW_PHASE_GSS_NEGOTIATION,
  /* 'S' or 'G' answered (or direct SSL seen): bring your own TLS or GSSAPI
   * encryption, then call pgw_state_tls_established(). No message is
   * allowed in either direction until then. */
  PGW_PHASE_TLS_HANDSHAKE,
  /* StartupMessage sent: the backend's turn (NegotiateProtocolVersion,
   * an Authentication request, AuthenticationOk or ErrorResponse). Also
   * after a PasswordMessage/SASL/GSS response while the server decides. */
  PGW_PHASE_AUTHENTICATION,
  /* AuthenticationCleartextPassword/MD5Password: PasswordMessage due. */
  PGW_PHASE_AUTH_PASSWORD,
  /* AuthenticationSASL: SASLInitialResponse due. */
  PGW_PHASE_AUTH_SASL_INITIAL,
  /* AuthenticationSASLContinue: SASLResponse due. */
  PGW_PHASE_AUTH_SASL,
  /* AuthenticationSASLFinal: AuthenticationOk (or ErrorResponse) due. */
  PGW_PHASE_AUTH_SASL_FINAL,
  /* AuthenticationGSS/SSPI/GSSContinue: GSSResponse due (after
   * GSSContinue the server may also finish with AuthenticationOk). */
  PGW_PHASE_AUTH_GSS,
  /* After AuthenticationOk until the first ReadyForQuery: ParameterStatus,
   * BackendKeyData (at most once, optional), NoticeResponse. */
  PGW_PHASE_INITIALIZATION,
  /* Idle: no request pending. */
  PGW_PHASE_READY,
  /* The oldest pending request is a Query. */
  PGW_PHASE_SIMPLE_QUERY,
  /* The oldest pending request is an extended-query message or a Sync, or
   * extended messages were sent and their Sync is still due. */
  PGW_PHASE_EXTENDED_QUERY,
  /* CopyInResponse: frontend sends CopyData, then CopyDone or CopyFail. */
  PGW_PHASE_COPY_IN,
  /* CopyOutResponse: backend sends CopyData, then CopyDone. */
  PGW_PHASE_COPY_OUT,
  /* CopyBothResponse (replication): both send CopyData and CopyDone. */
  PGW_PHASE_COPY_BOTH,
  /* The oldest pending request is a FunctionCall. */
  PGW_PHASE_FUNCTION_CALL,
  /* A CancelRequest was sent: the connection carries nothing else. */
  PGW_PHASE_CANCEL,
  /* The frontend sent Terminate. Answers to requests sent before it are
   * still accepted from the backend; nothing else. */
  PGW_PHASE_TERMINATED,
  /* ErrorResponse during startup or with severity FATAL/PANIC: the
   * backend closes the connection. Only a frontend Terminate (that may
   * cross the error on the wire) is accepted. */
  PGW_PHASE_FAILED,
  PGW_PHASE_COUNT
} pgw_phase;

/* Name of a phase, e.g. "SimpleQuery"; "?" for an invalid value. */
const char *pgw_phase_name(pgw_phase phase);

typedef struct pgw_state_options {
  /* Non-zero: lenient. A message the table does not allow is counted
   * (pgw_state_violations), recorded (pgw_state_error) and otherwise
   * ignored: pgw_state_feed() returns PGW_OK and the state does not
   * change, with one exception that lets the machine resynchronise: a
   * ReadyForQuery that was not due ends the oldest pending Query,
   * FunctionCall or Sync (dropping the requests before it; all of them if
   * there is none), closes any COPY, and from Initialization enters Ready.
   * Errors that are not violations (PGW_ERR_NOMEM, too many pending
   * requests) are returned in lenient mode too. */
  int lenient;
  /* PGW_MODE_STRICT (0, the default), _REFERENCE or _LENIENT (pgw/rule.h);
   * lenient != 0 means PGW_MODE_LENIENT. Reference mode fails only on
   * REFERENCE rules; a message that breaks a DOCUMENTED rule (copy
   * messages outside COPY, an ErrorResponse below FATAL with no request
   * pending) is counted and ignored as in lenient mode. */
  pgw_mode mode;
  /* Where the connection stands (poolers taking over an established
   * connection): PGW_PHASE_STARTUP (0, the default), _AUTHENTICATION
   * (StartupMessage already sent), _INITIALIZATION (AuthenticationOk seen)
   * or _READY. Anything else: pgw_state_init() fails. */
  pgw_phase start_phase;
  /* Negotiated protocol for a start phase after startup; 0 means 3.0. */
  uint32_t protocol;
  /* Allocator for a pending-request queue deeper than 32; NULL: malloc. */
  const pgw_allocator *allocator;
  /* Most requests pending at once; 0 means 1048576. Feeding one more
   * fails with PGW_ERR_TOO_LARGE (bounded memory under hostile input). */
  size_t max_pending;
} pgw_state_options;

#define PGW__NAMES_MAX 128 /* private */

/* The fields are private; the struct is public so that it can live on the
 * stack or inside another object. A copy is a valid independent state
 * only while pending() <= 32 (the queue is then inline). */
typedef struct pgw_state {
  uint8_t phase, fctx, bctx, fe_copy;
  uint8_t ssl_done, gss_done, fe_terminated, unsynced, discarding;
  uint8_t txn_status, mode;
  int lenient;
  int32_t row_cols, unnamed_cols; /* DataRow columns due; -1 unknown,
                                   -2 lost to libpq */
  /* SASL mechanisms offered, _pq_ options asked for (NUL-separated) */
  uint8_t sasl_mechs[PGW__NAMES_MAX], pq_options[PGW__NAMES_MAX];
  uint8_t sasl_mechs_len, pq_options_len;
  uint8_t unnamed_bad_result; /* unnamed portal bound with a bad result
                                 format code (reference mode) */
  uint8_t rows_lost;   /* rows lost to libpq until ReadyForQuery (a tolerated
                          ParameterDescription in extended query) */
  uint8_t result_open; /* libpq holds a result (RowDescription, or one
                          CommandComplete/EmptyQueryResponse made) */
  uint32_t protocol, requested;
  pgw_kind password_kind;
  size_t violations;
  /* pending-request ring */
  uint8_t q_inline[32];
  uint8_t *q_heap;
  size_t q_cap, q_head, q_len, q_syncs, q_max;
  pgw_allocator alloc;
  /* BackendKeyData */
  int key_seen;
  int32_t key_pid;
  size_t key_len;
  uint8_t key[PGW_CANCEL_KEY_MAX];
  pgw_error error;
  char reason[320];
} pgw_state;

/* Initialise; opts may be NULL (strict, startup). Returns 0 or
 * PGW_ERR_INVALID_ARGUMENT for an unsupported start phase. */
int pgw_state_init(pgw_state *s, const pgw_state_options *opts);

/* Release the queue's heap memory, if any. The state may be initialised
 * again. */
void pgw_state_free(pgw_state *s);

/*
 * Check message m sent by dir against the current phase and advance.
 * Returns:
 *   PGW_OK                      allowed (or, lenient, a violation ignored);
 *   PGW_ERR_UNEXPECTED_MESSAGE  not allowed now (strict mode);
 *   PGW_ERR_CONNECTION_CLOSED   the connection is over (cancel, terminated,
 *                               failed) (strict mode);
 *   PGW_ERR_UNSUPPORTED_PROTOCOL / PGW_ERR_BAD_KEY_LENGTH  StartupMessage
 *                               major version, BackendKeyData key length
 *                               for the negotiated protocol (strict mode);
 *   PGW_ERR_TOO_LARGE / PGW_ERR_NOMEM  queue limit or allocation failure;
 *   PGW_ERR_INVALID_ARGUMENT    NULL arguments.
 * On failure the state is unchanged and pgw_state_error() tells why, with
 * the offset taken from m->offset.
 */
int pgw_state_feed(pgw_state *s, pgw_dir dir, const pgw_message *m);

/* The caller established TLS or GSSAPI encryption (phase TLSHandshake);
 * the startup continues with a StartupMessage or CancelRequest. Returns
 * PGW_ERR_INVALID_ARGUMENT in any other phase. */
int pgw_state_tls_established(pgw_state *s);

/* The frontend opened with a TLS handshake (direct SSL, PostgreSQL 17):
 * allowed in phase Startup before any negotiation; enters TLSHandshake. */
int pgw_state_direct_ssl(pgw_state *s);

pgw_phase pgw_state_phase(const pgw_state *s);

/* Framing the decoder for dir's bytes needs for the next message. When it
 * is PGW_FRAMING_NEGOTIATION, pgw_state_answer_kind() tells which answer. */
pgw_framing pgw_state_framing(const pgw_state *s, pgw_dir dir);
/* PGW_MSG_SSL_RESPONSE or PGW_MSG_GSSENC_RESPONSE while negotiating,
 * else PGW_MSG_UNKNOWN. */
pgw_kind pgw_state_answer_kind(const pgw_state *s);

/* Which kind a frontend 'p' message is next, from the last Authentication
 * request: PGW_MSG_PASSWORD_MESSAGE (initially), _SASL_INITIAL_RESPONSE,
 * _SASL_RESPONSE or _GSS_RESPONSE. */
pgw_kind pgw_state_password_kind(const pgw_state *s);

/* Negotiated protocol: 0 before the StartupMessage; the requested version
 * after it; min(requested, server's) after NegotiateProtocolVersion. */
uint32_t pgw_state_protocol(const pgw_state *s);
/* Version the StartupMessage asked for (0 before it). */
uint32_t pgw_state_requested_protocol(const pgw_state *s);

/* Transaction status of the last ReadyForQuery ('I', 'T', 'E'), 0 before
 * the first one or after one whose status was another byte (let through in
 * reference and lenient modes). */
uint8_t pgw_state_transaction_status(const pgw_state *s);

/* Requests the backend has yet to answer, and how many of them are Syncs. */
size_t pgw_state_pending(const pgw_state *s);
size_t pgw_state_pending_syncs(const pgw_state *s);

/* 1 and the process id and key (a view into the state, valid while it
 * lives and until the next feed) if BackendKeyData was seen, else 0. */
int pgw_state_backend_key(const pgw_state *s, int32_t *pid, pgw_bytes *key);

/* The last error or (lenient) violation; code 0 if none. Its reason points
 * into the state object (a buffer rewritten by the next failing feed) or to
 * a static string: copy it if it must outlive the next feed. */
const pgw_error *pgw_state_error(const pgw_state *s);

/* Violations ignored so far (lenient mode; documented-rule deviations in
 * reference mode). The error's rule tells which. */
size_t pgw_state_violations(const pgw_state *s);

#ifdef __cplusplus
}
#endif

#endif /* PGW_STATE_H */
