/*
 * state.c - the connection phase machine.
 *
 * Two cursors describe a connection: what the frontend may send now (a
 * frontend context) and what the backend may send now (a backend context).
 * Each context is a row list {message, effect, next frontend context, next
 * backend context, next phase} plus an optional base context whose rows
 * also apply (asynchronous messages, shared alternatives). Lookup and the
 * "expected A, B or C" text both walk the same rows.
 *
 * Once the connection is ready, frontend requests join a queue of pending
 * requests; the backend context is then the answer state of the oldest
 * request (see the items table), so pipelining, Sync counting and the
 * discard-until-Sync rule after an extended-query error fall out of the
 * queue. Sources: protocol.sgml (Message Flow), postgres.c (main loop,
 * ignore_till_sync), copyfromparse.c (Flush/Sync ignored during COPY FROM
 * STDIN), backend_startup.c (SSL/GSS negotiation order), elog.c (no
 * notices during authentication), fe-connect.c and fe-protocol3.c.
 */
#include <string.h>

#include "pgw/state.h"
#include "pgw_internal.h"
#include "pgw_rules.h"

/* ---- tokens: message kinds, with Authentication refined by code ---- */

enum {
  T_AUTH_OK = PGW_MSG_KIND_COUNT,
  T_AUTH_KERBEROS,
  T_AUTH_CLEARTEXT,
  T_AUTH_MD5,
  T_AUTH_GSS,
  T_AUTH_GSS_CONTINUE,
  T_AUTH_SSPI,
  T_AUTH_SASL,
  T_AUTH_SASL_CONTINUE,
  T_AUTH_SASL_FINAL,
  T_COUNT
};

static const char *const auth_names[T_COUNT - T_AUTH_OK] = {
    "AuthenticationOk",
    "AuthenticationKerberosV5",
    "AuthenticationCleartextPassword",
    "AuthenticationMD5Password",
    "AuthenticationGSS",
    "AuthenticationGSSContinue",
    "AuthenticationSSPI",
    "AuthenticationSASL",
    "AuthenticationSASLContinue",
    "AuthenticationSASLFinal"};

static const char *token_name(int tok) {
  if (tok >= T_AUTH_OK && tok < T_COUNT) return auth_names[tok - T_AUTH_OK];
  if (tok == PGW_MSG_UNKNOWN) return "an unknown message";
  return pgw_kind_name((pgw_kind)tok);
}

/* ---- effects: what a transition does besides moving the cursors ---- */

enum {
  E_NONE,
  E_STARTUP,      /* record the requested protocol */
  E_SSL_ANSWER,   /* 'S': TLS handshake; 'N': back to startup */
  E_GSS_ANSWER,   /* 'G': GSS encryption; 'N': back to startup */
  E_NPV,          /* NegotiateProtocolVersion: lower the protocol */
  E_AUTH,         /* Authentication request: next 'p' kind */
  E_BKD,          /* BackendKeyData: check and keep the key */
  E_READY,        /* first ReadyForQuery: connection is ready */
  E_FAIL,         /* ErrorResponse during startup: failed */
  E_ASYNC_ERROR,  /* unprompted ErrorResponse: FATAL/PANIC only */
  E_TERMINATE,    /* frontend Terminate */
  E_ENQUEUE,      /* a request the backend must answer */
  E_SYNC,         /* Sync: ends the extended-query series */
  E_POP,          /* the oldest request is answered */
  E_COMPLETE,     /* CommandComplete: statement (Query) or request done */
  E_RFQ,          /* ReadyForQuery ends a Query, FunctionCall or Sync */
  E_ERROR,        /* ErrorResponse answering the oldest request */
  E_COPY_IN,      /* CopyInResponse */
  E_COPY_OUT,     /* CopyOutResponse */
  E_COPY_BOTH,    /* CopyBothResponse */
  E_FE_COPY_DONE, /* frontend CopyDone */
  E_FE_COPY_FAIL, /* frontend CopyFail */
  E_STALE_END,    /* CopyDone/CopyFail after the backend aborted COPY */
  E_SASL_INITIAL, /* SASLInitialResponse: a mechanism that was offered */
  E_EARLY_OK,     /* AuthenticationOk before the SASL exchange ended */
  E_SUSPENDED     /* PortalSuspended: the Execute had a row limit */
};

/* ---- contexts ---- */

enum { /* frontend */
       F_CLOSED,
       F_WAIT,
       F_TLS,
       F_STARTUP,
       F_STARTUP_NO_SSL,
       F_STARTUP_NO_GSS,
       F_STARTUP_PLAIN,
       F_PASSWORD,
       F_SASL_INITIAL,
       F_SASL,
       F_GSS,
       F_INIT,
       F_FAILED,
       F_IDLE,
       F_EXTENDED,
       F_DISCARD,
       F_COPY_IN,
       F_COPY_BOTH,
       F_STALE_IDLE,
       F_STALE_EXTENDED,
       F_STALE_DISCARD,
       F_COUNT,
       F_OP = 0xfe /* stored while ready: the context is computed */
};

enum { /* backend */
       B_NONE,
       B_SSL_ANSWER,
       B_GSS_ANSWER,
       B_AUTH_FAIL,
       B_AUTH_START,
       B_AUTH_REQUEST,
       B_AUTH_CLIENT,
       B_AUTH_RESULT,
       B_SASL_STEP,
       B_GSS_STEP,
       B_ASYNC,
       B_INIT,
       B_INIT_KEYED,
       B_IDLE,
       B_Q_NEXT,
       B_Q_FIRST,
       B_Q_STMT,
       B_Q_ROWS,
       B_RFQ,
       B_FC,
       B_PARSE,
       B_BIND,
       B_CLOSE,
       B_DESCRIBE_S,
       B_DESCRIBE_ROWS,
       B_EXEC,
       B_EXEC_ROWS,
       B_SYNC,
       B_COPY_IN,
       B_COPY_IN_DONE,
       B_COPY_FAILED,
       B_COPY_OUT,
       B_COPY_OUT_DONE,
       B_COPY_BOTH,
       B_COPY_BOTH_BE_DONE,
       B_COPY_BOTH_FE_DONE,
       B_COPY_BOTH_AFTER,
       B_COUNT
};
/* Backend contexts in which rows are due (pgw__state_rows_due()). */
const uint8_t pgw__rows_due_ctx[B_COUNT] = {[B_Q_ROWS] = 1, [B_EXEC_ROWS] = 1};

#define KEEP 0xff
#define BY_ITEM PGW_PHASE_COUNT

typedef struct row {
  uint8_t tok, eff, nf, nb, np;
} row;

typedef struct context {
  const row *rows;
  uint8_t n;
  uint8_t base;  /* KEEP: none */
  uint8_t phase; /* backend contexts once ready: BY_ITEM or a COPY phase */
  uint8_t on_fe_done, on_fe_fail; /* backend context after frontend
                                     CopyDone / CopyFail */
  const char *none;               /* what "expected" says when no row applies */
} context;

#define R(tok, eff, nf, nb, np)                                                \
  {                                                                            \
    (uint8_t)(tok), (uint8_t)(eff), (uint8_t)(nf), (uint8_t)(nb),              \
        (uint8_t)(np)                                                          \
  }
#define RE(tok, eff) R(tok, eff, KEEP, KEEP, KEEP)
#define RB(tok, eff, nb) R(tok, eff, KEEP, nb, KEEP)
#define ROWS(a) a, (uint8_t)(sizeof a / sizeof a[0])
#define NOROWS NULL, 0

/*
 * The transition rows, one accepted message a line, in five columns:
 *   message        a pgw_kind; T_AUTH_*: an Authentication subtype
 *   effect         E_*: what else the transition does (effect())
 *   next frontend  the frontend context after it (F_*; KEEP: unchanged)
 *   next backend   the backend context after it (B_*; KEEP: unchanged)
 *   next phase     the phase after it (KEEP: unchanged)
 */
// clang-format off
/* ---- frontend rows ---- */

/*    message                             effect          next frontend   next backend         next phase */
static const row f_startup_plain[] = {
    R(PGW_MSG_STARTUP_MESSAGE,            E_STARTUP,      F_WAIT,         B_AUTH_START,        PGW_PHASE_AUTHENTICATION),
    R(PGW_MSG_CANCEL_REQUEST,             E_NONE,         F_CLOSED,       B_NONE,              PGW_PHASE_CANCEL)
};
static const row f_ssl[] = {
    R(PGW_MSG_SSL_REQUEST,                E_NONE,         F_WAIT,         B_SSL_ANSWER,        PGW_PHASE_SSL_NEGOTIATION)
};
static const row f_gss[] = {
    R(PGW_MSG_GSSENC_REQUEST,             E_NONE,         F_WAIT,         B_GSS_ANSWER,        PGW_PHASE_GSS_NEGOTIATION)
};
static const row f_startup[] = {
    R(PGW_MSG_SSL_REQUEST,                E_NONE,         F_WAIT,         B_SSL_ANSWER,        PGW_PHASE_SSL_NEGOTIATION),
    R(PGW_MSG_GSSENC_REQUEST,             E_NONE,         F_WAIT,         B_GSS_ANSWER,        PGW_PHASE_GSS_NEGOTIATION)
};
static const row f_password[] = {
    R(PGW_MSG_PASSWORD_MESSAGE,           E_NONE,         F_WAIT,         B_AUTH_RESULT,       PGW_PHASE_AUTHENTICATION)
};
static const row f_sasl_initial[] = {
    R(PGW_MSG_SASL_INITIAL_RESPONSE,      E_SASL_INITIAL, F_WAIT,         B_SASL_STEP,         PGW_PHASE_AUTHENTICATION)
};
static const row f_sasl[] = {
    R(PGW_MSG_SASL_RESPONSE,              E_NONE,         F_WAIT,         B_SASL_STEP,         PGW_PHASE_AUTHENTICATION)
};
static const row f_gss_response[] = {
    R(PGW_MSG_GSS_RESPONSE,               E_NONE,         F_WAIT,         B_GSS_STEP,          PGW_PHASE_AUTHENTICATION)
};
static const row f_init[] = {
    R(PGW_MSG_TERMINATE,                  E_TERMINATE,    KEEP,           KEEP,                KEEP)
};
static const row f_failed[] = {
    R(PGW_MSG_TERMINATE,                  E_NONE,         F_CLOSED,       KEEP,                KEEP)
};
static const row f_idle[] = {
    R(PGW_MSG_QUERY,                      E_ENQUEUE,      KEEP,           KEEP,                KEEP),
    R(PGW_MSG_FUNCTION_CALL,              E_ENQUEUE,      KEEP,           KEEP,                KEEP)
};
/* A Query before the batch's Sync is legal: PostgresMain runs it (and
 * answers ReadyForQuery) as pgJDBC's autosave sends it; the documentation
 * only says the frontend "should" Sync first. */
static const row f_extended[] = {
    R(PGW_MSG_QUERY,                      E_ENQUEUE,      KEEP,           KEEP,                KEEP),
    R(PGW_MSG_FUNCTION_CALL,              E_ENQUEUE,      KEEP,           KEEP,                KEEP),
    R(PGW_MSG_PARSE,                      E_ENQUEUE,      KEEP,           KEEP,                KEEP),
    R(PGW_MSG_BIND,                       E_ENQUEUE,      KEEP,           KEEP,                KEEP),
    R(PGW_MSG_DESCRIBE,                   E_ENQUEUE,      KEEP,           KEEP,                KEEP),
    R(PGW_MSG_EXECUTE,                    E_ENQUEUE,      KEEP,           KEEP,                KEEP),
    R(PGW_MSG_CLOSE,                      E_ENQUEUE,      KEEP,           KEEP,                KEEP),
    R(PGW_MSG_SYNC,                       E_SYNC,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_FLUSH,                      E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_TERMINATE,                  E_TERMINATE,    KEEP,           KEEP,                KEEP)
};
/* After an error in extended query the server discards all but Sync,
 * unparsed: PostgresMain's ignore_till_sync skips even a Terminate (the
 * connection only ends when the client closes it). */
static const row f_discard[] = {
    R(PGW_MSG_QUERY,                      E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_FUNCTION_CALL,              E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_PARSE,                      E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_BIND,                       E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_DESCRIBE,                   E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_EXECUTE,                    E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_CLOSE,                      E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_SYNC,                       E_SYNC,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_FLUSH,                      E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_TERMINATE,                  E_NONE,         KEEP,           KEEP,                KEEP)
};
/* COPY FROM STDIN: Flush and Sync are ignored by the server; anything
 * else but copy messages is a protocol violation (copyfromparse.c). */
static const row f_copy_in[] = {
    R(PGW_MSG_COPY_DATA,                  E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_DONE,                  E_FE_COPY_DONE, KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_FAIL,                  E_FE_COPY_FAIL, KEEP,           KEEP,                KEEP),
    R(PGW_MSG_FLUSH,                      E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_SYNC,                       E_NONE,         KEEP,           KEEP,                KEEP)
};
/* Copy-both (walsender): CopyData, CopyDone, Terminate. */
static const row f_copy_both[] = {
    R(PGW_MSG_COPY_DATA,                  E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_DONE,                  E_FE_COPY_DONE, KEEP,           KEEP,                KEEP),
    R(PGW_MSG_TERMINATE,                  E_TERMINATE,    KEEP,           KEEP,                KEEP)
};
/* The backend ended the COPY with an error while the frontend was still
 * sending: its copy messages in flight are ignored by the server. */
static const row f_stale[] = {
    R(PGW_MSG_COPY_DATA,                  E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_DONE,                  E_STALE_END,    KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_FAIL,                  E_STALE_END,    KEEP,           KEEP,                KEEP)
};

#define FC(rows, base, none)                                                   \
  { rows, base, 0, KEEP, KEEP, none }
static const context fctx_table[F_COUNT] = {
    [F_CLOSED] = FC(NOROWS, KEEP, "nothing: the connection is over"),
    [F_WAIT] = FC(NOROWS, KEEP, "nothing: it is the backend's turn"),
    [F_TLS] = FC(NOROWS, KEEP, "nothing before encryption is established"),
    [F_STARTUP] = FC(ROWS(f_startup), F_STARTUP_PLAIN, NULL),
    [F_STARTUP_NO_SSL] = FC(ROWS(f_gss), F_STARTUP_PLAIN, NULL),
    [F_STARTUP_NO_GSS] = FC(ROWS(f_ssl), F_STARTUP_PLAIN, NULL),
    [F_STARTUP_PLAIN] = FC(ROWS(f_startup_plain), KEEP, NULL),
    [F_PASSWORD] = FC(ROWS(f_password), KEEP, NULL),
    [F_SASL_INITIAL] = FC(ROWS(f_sasl_initial), KEEP, NULL),
    [F_SASL] = FC(ROWS(f_sasl), KEEP, NULL),
    [F_GSS] = FC(ROWS(f_gss_response), KEEP, NULL),
    [F_INIT] = FC(ROWS(f_init), KEEP, NULL),
    [F_FAILED] = FC(ROWS(f_failed), KEEP, NULL),
    [F_IDLE] = FC(ROWS(f_idle), F_EXTENDED, NULL),
    [F_EXTENDED] = FC(ROWS(f_extended), KEEP, NULL),
    [F_DISCARD] = FC(ROWS(f_discard), KEEP, NULL),
    [F_COPY_IN] = FC(ROWS(f_copy_in), KEEP, NULL),
    [F_COPY_BOTH] = FC(ROWS(f_copy_both), KEEP, NULL),
    [F_STALE_IDLE] = FC(ROWS(f_stale), F_IDLE, NULL),
    [F_STALE_EXTENDED] = FC(ROWS(f_stale), F_EXTENDED, NULL),
    [F_STALE_DISCARD] = FC(ROWS(f_stale), F_DISCARD, NULL),
};

/* ---- backend rows ---- */

/*    message                             effect          next frontend   next backend         next phase */
static const row b_ssl_answer[] = {
    R(PGW_MSG_SSL_RESPONSE,               E_SSL_ANSWER,   KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_FAIL,         KEEP,           KEEP,                KEEP)
};
static const row b_gss_answer[] = {
    R(PGW_MSG_GSSENC_RESPONSE,            E_GSS_ANSWER,   KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_FAIL,         KEEP,           KEEP,                KEEP)
};
/* Every authentication context: a FATAL ends the attempt (elog.c sends
 * nothing below ERROR to the client while authentication is in progress,
 * so no NoticeResponse here). */
static const row b_auth_fail[] = {
    R(PGW_MSG_ERROR_RESPONSE,             E_FAIL,         KEEP,           KEEP,                KEEP)
};
/* NegotiateProtocolVersion comes right after the StartupMessage, before
 * any Authentication message, at most once. */
static const row b_auth_start[] = {
    R(PGW_MSG_NEGOTIATE_PROTOCOL_VERSION, E_NPV,          KEEP,           B_AUTH_REQUEST,      KEEP)
};
static const row b_auth_request[] = {
    R(T_AUTH_OK,                          E_AUTH,         F_INIT,         B_INIT,              PGW_PHASE_INITIALIZATION),
    R(T_AUTH_CLEARTEXT,                   E_AUTH,         F_PASSWORD,     B_AUTH_CLIENT,       PGW_PHASE_AUTH_PASSWORD),
    R(T_AUTH_MD5,                         E_AUTH,         F_PASSWORD,     B_AUTH_CLIENT,       PGW_PHASE_AUTH_PASSWORD),
    R(T_AUTH_SASL,                        E_AUTH,         F_SASL_INITIAL, B_AUTH_CLIENT,       PGW_PHASE_AUTH_SASL_INITIAL),
    R(T_AUTH_GSS,                         E_AUTH,         F_GSS,          B_AUTH_CLIENT,       PGW_PHASE_AUTH_GSS),
    R(T_AUTH_SSPI,                        E_AUTH,         F_GSS,          B_AUTH_CLIENT,       PGW_PHASE_AUTH_GSS)
};
static const row b_auth_result[] = {
    R(T_AUTH_OK,                          E_AUTH,         F_INIT,         B_INIT,              PGW_PHASE_INITIALIZATION)
};
static const row b_sasl_step[] = {
    R(T_AUTH_OK,                          E_EARLY_OK,     F_INIT,         B_INIT,              PGW_PHASE_INITIALIZATION),
    R(T_AUTH_SASL_CONTINUE,               E_AUTH,         F_SASL,         B_AUTH_CLIENT,       PGW_PHASE_AUTH_SASL),
    R(T_AUTH_SASL_FINAL,                  E_AUTH,         F_WAIT,         B_AUTH_RESULT,       PGW_PHASE_AUTH_SASL_FINAL)
};
/* After GSSContinue the server may be done (GSS_S_COMPLETE) and send
 * AuthenticationOk, or wait for another GSSResponse (F_GSS). */
static const row b_gss_step[] = {
    R(T_AUTH_GSS_CONTINUE,                E_AUTH,         F_GSS,          B_AUTH_RESULT,       PGW_PHASE_AUTH_GSS)
};
static const row b_async[] = {
    R(PGW_MSG_PARAMETER_STATUS,           E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_NOTICE_RESPONSE,            E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_NOTIFICATION_RESPONSE,      E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ASYNC_ERROR,  KEEP,           KEEP,                KEEP)
};
static const row b_init[] = {
    R(PGW_MSG_BACKEND_KEY_DATA,           E_BKD,          KEEP,           B_INIT_KEYED,        KEEP)
};
static const row b_init_keyed[] = {
    R(PGW_MSG_READY_FOR_QUERY,            E_READY,        KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_FAIL,         KEEP,           KEEP,                KEEP)
};
/* A statement's answer in a simple Query. */
static const row b_q_next[] = {
    R(PGW_MSG_ROW_DESCRIPTION,            E_NONE,         KEEP,           B_Q_ROWS,            KEEP),
    R(PGW_MSG_COMMAND_COMPLETE,           E_COMPLETE,     KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_IN_RESPONSE,           E_COPY_IN,      KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_OUT_RESPONSE,          E_COPY_OUT,     KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_BOTH_RESPONSE,         E_COPY_BOTH,    KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
/* EmptyQueryResponse only answers a query string without statements. */
static const row b_q_first[] = {
    R(PGW_MSG_EMPTY_QUERY_RESPONSE,       E_NONE,         KEEP,           B_RFQ,               KEEP)
};
static const row b_q_stmt[] = {
    R(PGW_MSG_READY_FOR_QUERY,            E_RFQ,          KEEP,           KEEP,                KEEP)
};
static const row b_q_rows[] = {
    R(PGW_MSG_DATA_ROW,                   E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COMMAND_COMPLETE,           E_COMPLETE,     KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
static const row b_rfq[] = {
    R(PGW_MSG_READY_FOR_QUERY,            E_RFQ,          KEEP,           KEEP,                KEEP)
};
static const row b_fc[] = {
    R(PGW_MSG_FUNCTION_CALL_RESPONSE,     E_NONE,         KEEP,           B_RFQ,               KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
static const row b_parse[] = {
    R(PGW_MSG_PARSE_COMPLETE,             E_POP,          KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
static const row b_bind[] = {
    R(PGW_MSG_BIND_COMPLETE,              E_POP,          KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
static const row b_close[] = {
    R(PGW_MSG_CLOSE_COMPLETE,             E_POP,          KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
static const row b_describe_s[] = {
    R(PGW_MSG_PARAMETER_DESCRIPTION,      E_NONE,         KEEP,           B_DESCRIBE_ROWS,     KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
static const row b_describe_rows[] = {
    R(PGW_MSG_ROW_DESCRIPTION,            E_POP,          KEEP,           KEEP,                KEEP),
    R(PGW_MSG_NO_DATA,                    E_POP,          KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
/* Execute: rows need no RowDescription here (the client had it from a
 * Describe or knows it); PortalSuspended only after max_rows rows, so
 * after at least one DataRow. CopyBothResponse only answers replication
 * commands, which only run as simple queries. */
static const row b_exec[] = {
    R(PGW_MSG_DATA_ROW,                   E_NONE,         KEEP,           B_EXEC_ROWS,         KEEP),
    R(PGW_MSG_COMMAND_COMPLETE,           E_COMPLETE,     KEEP,           KEEP,                KEEP),
    R(PGW_MSG_EMPTY_QUERY_RESPONSE,       E_POP,          KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_IN_RESPONSE,           E_COPY_IN,      KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_OUT_RESPONSE,          E_COPY_OUT,     KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
static const row b_exec_rows[] = {
    R(PGW_MSG_DATA_ROW,                   E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COMMAND_COMPLETE,           E_COMPLETE,     KEEP,           KEEP,                KEEP),
    R(PGW_MSG_PORTAL_SUSPENDED,           E_SUSPENDED,    KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
/* Sync: the implicit COMMIT may fail (ErrorResponse, then ReadyForQuery). */
static const row b_sync[] = {
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
static const row b_error_only[] = {
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
static const row b_copy_in_done[] = {
    R(PGW_MSG_COMMAND_COMPLETE,           E_COMPLETE,     KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
/* COPY OUT done: CommandComplete; a replication command may first send a
 * result set of its own (BASE_BACKUP's end position after the archive's
 * CopyDone, PostgreSQL 15 to 18: basebackup.c SendXlogRecPtrResult). */
static const row b_copy_out_done[] = {
    R(PGW_MSG_COMMAND_COMPLETE,           E_COMPLETE,     KEEP,           KEEP,                KEEP),
    R(PGW_MSG_ROW_DESCRIPTION,            E_NONE,         KEEP,           B_Q_ROWS,            KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
static const row b_copy_out[] = {
    R(PGW_MSG_COPY_DATA,                  E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_DONE,                  E_NONE,         KEEP,           B_COPY_OUT_DONE,     KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
static const row b_copy_both[] = {
    R(PGW_MSG_COPY_DATA,                  E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_DONE,                  E_NONE,         KEEP,           B_COPY_BOTH_BE_DONE, KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
/* Both sides done: the replication command may still return a result set
 * (the next timeline) before CommandComplete. */
static const row b_copy_both_fe_done[] = {
    R(PGW_MSG_COPY_DATA,                  E_NONE,         KEEP,           KEEP,                KEEP),
    R(PGW_MSG_COPY_DONE,                  E_NONE,         KEEP,           B_COPY_BOTH_AFTER,   KEEP),
    R(PGW_MSG_ERROR_RESPONSE,             E_ERROR,        KEEP,           KEEP,                KEEP)
};
/* After both CopyDones, before the command's result: a walsender may
 * still send a keepalive CopyData (seen from PostgreSQL 15 and 18's
 * logical walsender); libpq drops CopyData outside COPY, so real clients
 * cope, and pgw accepts it here, and only here. */
static const row b_copy_both_after[] = {
    R(PGW_MSG_COPY_DATA,                  E_NONE,         KEEP,           KEEP,                KEEP)
};

#define BC(rows, base, phase, fd, ff, none)                                    \
  { rows, base, phase, fd, ff, none }
#define BOP(rows, base)                                                        \
  { rows, base, BY_ITEM, KEEP, KEEP, NULL }
static const context bctx_table[B_COUNT] = {
    [B_NONE] = BC(NOROWS, KEEP, BY_ITEM, KEEP, KEEP, "nothing"),
    [B_SSL_ANSWER] = BOP(ROWS(b_ssl_answer), KEEP),
    [B_GSS_ANSWER] = BOP(ROWS(b_gss_answer), KEEP),
    [B_AUTH_FAIL] = BOP(ROWS(b_auth_fail), KEEP),
    [B_AUTH_START] = BOP(ROWS(b_auth_start), B_AUTH_REQUEST),
    [B_AUTH_REQUEST] = BOP(ROWS(b_auth_request), B_AUTH_FAIL),
    [B_AUTH_CLIENT] = BOP(NOROWS, B_AUTH_FAIL),
    [B_AUTH_RESULT] = BOP(ROWS(b_auth_result), B_AUTH_FAIL),
    [B_SASL_STEP] = BOP(ROWS(b_sasl_step), B_AUTH_FAIL),
    [B_GSS_STEP] = BOP(ROWS(b_gss_step), B_AUTH_RESULT),
    [B_ASYNC] = BOP(ROWS(b_async), KEEP),
    [B_INIT] = BOP(ROWS(b_init), B_INIT_KEYED),
    [B_INIT_KEYED] = BOP(ROWS(b_init_keyed), B_ASYNC),
    [B_IDLE] = BOP(NOROWS, B_ASYNC),
    [B_Q_NEXT] = BOP(ROWS(b_q_next), B_ASYNC),
    [B_Q_FIRST] = BOP(ROWS(b_q_first), B_Q_NEXT),
    [B_Q_STMT] = BOP(ROWS(b_q_stmt), B_Q_NEXT),
    [B_Q_ROWS] = BOP(ROWS(b_q_rows), B_ASYNC),
    [B_RFQ] = BOP(ROWS(b_rfq), B_ASYNC),
    [B_FC] = BOP(ROWS(b_fc), B_ASYNC),
    [B_PARSE] = BOP(ROWS(b_parse), B_ASYNC),
    [B_BIND] = BOP(ROWS(b_bind), B_ASYNC),
    [B_CLOSE] = BOP(ROWS(b_close), B_ASYNC),
    [B_DESCRIBE_S] = BOP(ROWS(b_describe_s), B_ASYNC),
    [B_DESCRIBE_ROWS] = BOP(ROWS(b_describe_rows), B_ASYNC),
    [B_EXEC] = BOP(ROWS(b_exec), B_ASYNC),
    [B_EXEC_ROWS] = BOP(ROWS(b_exec_rows), B_ASYNC),
    [B_SYNC] = BOP(ROWS(b_sync), B_RFQ),
    [B_COPY_IN] = BC(ROWS(b_error_only), B_ASYNC, PGW_PHASE_COPY_IN,
                     B_COPY_IN_DONE, B_COPY_FAILED, NULL),
    [B_COPY_IN_DONE] =
        BC(ROWS(b_copy_in_done), B_ASYNC, PGW_PHASE_COPY_IN, KEEP, KEEP, NULL),
    [B_COPY_FAILED] =
        BC(ROWS(b_error_only), B_ASYNC, PGW_PHASE_COPY_IN, KEEP, KEEP, NULL),
    [B_COPY_OUT] =
        BC(ROWS(b_copy_out), B_ASYNC, PGW_PHASE_COPY_OUT, KEEP, KEEP, NULL),
    [B_COPY_OUT_DONE] = BC(ROWS(b_copy_out_done), B_ASYNC, PGW_PHASE_COPY_OUT,
                           KEEP, KEEP, NULL),
    [B_COPY_BOTH] = BC(ROWS(b_copy_both), B_ASYNC, PGW_PHASE_COPY_BOTH,
                       B_COPY_BOTH_FE_DONE, KEEP, NULL),
    [B_COPY_BOTH_BE_DONE] = BC(ROWS(b_error_only), B_ASYNC, PGW_PHASE_COPY_BOTH,
                               B_COPY_BOTH_AFTER, KEEP, NULL),
    [B_COPY_BOTH_FE_DONE] = BC(ROWS(b_copy_both_fe_done), B_ASYNC,
                               PGW_PHASE_COPY_BOTH, KEEP, KEEP, NULL),
    [B_COPY_BOTH_AFTER] = BOP(ROWS(b_copy_both_after), B_Q_NEXT),
};

// clang-format on

/* ---- pending requests ---- */

enum {
  IT_QUERY,
  IT_FUNCTION_CALL,
  IT_PARSE,
  IT_BIND,
  IT_DESCRIBE_S,
  IT_DESCRIBE_P,
  IT_EXECUTE,
  IT_CLOSE,
  IT_SYNC,
  IT_COUNT
};

#define DISCARD_TO_SYNC 0xfe
#define POP 0xfd

/* How the backend answers each request: its first context, the context
 * after an ErrorResponse (or: drop requests up to the next Sync), the
 * context after CommandComplete (or: answered), and the phase. */
static const struct item {
  uint8_t first, on_error, on_complete, phase;
} items[IT_COUNT] = {
    [IT_QUERY] = {B_Q_FIRST, B_RFQ, B_Q_STMT, PGW_PHASE_SIMPLE_QUERY},
    [IT_FUNCTION_CALL] = {B_FC, B_RFQ, POP, PGW_PHASE_FUNCTION_CALL},
    [IT_PARSE] = {B_PARSE, DISCARD_TO_SYNC, POP, PGW_PHASE_EXTENDED_QUERY},
    [IT_BIND] = {B_BIND, DISCARD_TO_SYNC, POP, PGW_PHASE_EXTENDED_QUERY},
    [IT_DESCRIBE_S] = {B_DESCRIBE_S, DISCARD_TO_SYNC, POP,
                       PGW_PHASE_EXTENDED_QUERY},
    [IT_DESCRIBE_P] = {B_DESCRIBE_ROWS, DISCARD_TO_SYNC, POP,
                       PGW_PHASE_EXTENDED_QUERY},
    [IT_EXECUTE] = {B_EXEC, DISCARD_TO_SYNC, POP, PGW_PHASE_EXTENDED_QUERY},
    [IT_CLOSE] = {B_CLOSE, DISCARD_TO_SYNC, POP, PGW_PHASE_EXTENDED_QUERY},
    [IT_SYNC] = {B_SYNC, B_RFQ, POP, PGW_PHASE_EXTENDED_QUERY},
};

#define Q_INLINE (sizeof(((pgw_state *)0)->q_inline))
#define Q_DEFAULT_MAX ((size_t)1 << 20)

static uint8_t *q_buf(pgw_state *s) {
  return s->q_heap ? s->q_heap : s->q_inline;
}

/* A queued Bind, Describe or Execute of the unnamed portal carries this
 * bit, so that the DataRow column count can be checked against the
 * portal's RowDescription. */
#define Q_UNNAMED 0x80u
/* A queued Execute with a row limit (max_rows > 0): only it may end in
 * PortalSuspended. */
#define Q_LIMITED 0x40u
#define Q_FLAGS (Q_UNNAMED | Q_LIMITED)

static uint8_t q_front_raw(const pgw_state *s) {
  const uint8_t *b = s->q_heap ? s->q_heap : s->q_inline;
  return b[s->q_head];
}

static uint8_t q_front(const pgw_state *s) {
  return (uint8_t)(q_front_raw(s) & ~Q_FLAGS);
}

/* Make room for one more request. */
static int q_reserve(pgw_state *s) {
  if (s->q_len >= s->q_max) return PGW_ERR_TOO_LARGE;
  if (s->q_len < s->q_cap) return 0;
  size_t cap = s->q_cap * 2;
  uint8_t *nb = (uint8_t *)s->alloc.malloc_fn(cap, s->alloc.user);
  if (nb == NULL) return PGW_ERR_NOMEM;
  uint8_t *ob = q_buf(s);
  for (size_t i = 0; i < s->q_len; i++)
    nb[i] = ob[(s->q_head + i) % s->q_cap];
  if (s->q_heap) s->alloc.free_fn(s->q_heap, s->alloc.user);
  s->q_heap = nb;
  s->q_cap = cap;
  s->q_head = 0;
  return 0;
}

static void q_push(pgw_state *s, uint8_t it) {
  q_buf(s)[(s->q_head + s->q_len) % s->q_cap] = it;
  s->q_len++;
  if (it == IT_SYNC) s->q_syncs++;
}

static void q_push_front(pgw_state *s, uint8_t it) {
  s->q_head = (s->q_head + s->q_cap - 1) % s->q_cap;
  q_buf(s)[s->q_head] = it;
  s->q_len++;
  if (it == IT_SYNC) s->q_syncs++;
}

static uint8_t q_pop(pgw_state *s) {
  uint8_t it = q_front(s);
  s->q_head = (s->q_head + 1) % s->q_cap;
  s->q_len--;
  if (it == IT_SYNC) s->q_syncs--;
  return it;
}

/* ---- helpers ---- */

static int token_of(const pgw_message *m) {
  if ((unsigned)m->kind >= (unsigned)PGW_MSG_KIND_COUNT) return PGW_MSG_UNKNOWN;
  if (m->kind != PGW_MSG_AUTHENTICATION) return (int)m->kind;
  if (m->malformed) return PGW_MSG_UNKNOWN;
  switch (m->body.auth.code) {
  case PGW_AUTH_OK: return T_AUTH_OK;
  case PGW_AUTH_KERBEROS_V5: return T_AUTH_KERBEROS;
  case PGW_AUTH_CLEARTEXT_PASSWORD: return T_AUTH_CLEARTEXT;
  case PGW_AUTH_MD5_PASSWORD: return T_AUTH_MD5;
  case PGW_AUTH_GSS: return T_AUTH_GSS;
  case PGW_AUTH_GSS_CONTINUE: return T_AUTH_GSS_CONTINUE;
  case PGW_AUTH_SSPI: return T_AUTH_SSPI;
  case PGW_AUTH_SASL: return T_AUTH_SASL;
  case PGW_AUTH_SASL_CONTINUE: return T_AUTH_SASL_CONTINUE;
  case PGW_AUTH_SASL_FINAL: return T_AUTH_SASL_FINAL;
  default: return PGW_MSG_UNKNOWN;
  }
}

static uint8_t startup_ctx(const pgw_state *s) {
  if (s->ssl_done && s->gss_done) return F_STARTUP_PLAIN;
  if (s->ssl_done) return F_STARTUP_NO_SSL;
  if (s->gss_done) return F_STARTUP_NO_GSS;
  return F_STARTUP;
}

/* pgw_state.fe_copy: the frontend's side of a COPY. STALE: the backend
 * ended the COPY (an error) while the frontend may still send data. */
enum { FE_COPY_NONE, FE_COPY_IN, FE_COPY_BOTH, FE_COPY_STALE };

/* Frontend context once ready. */
static uint8_t fe_ctx(const pgw_state *s) {
  if (s->fe_terminated) return F_CLOSED;
  if (s->fctx != F_OP) return s->fctx;
  if (s->fe_copy == FE_COPY_IN) return F_COPY_IN;
  if (s->fe_copy == FE_COPY_BOTH) return F_COPY_BOTH;
  if (s->fe_copy == FE_COPY_STALE)
    return s->discarding ? F_STALE_DISCARD
           : s->unsynced ? F_STALE_EXTENDED
                         : F_STALE_IDLE;
  return s->discarding ? F_DISCARD : s->unsynced ? F_EXTENDED : F_IDLE;
}

static const row *lookup(const context *table, uint8_t ctx, int tok) {
  while (ctx != KEEP) {
    const context *c = &table[ctx];
    for (uint8_t i = 0; i < c->n; i++)
      if (c->rows[i].tok == tok) return &c->rows[i];
    ctx = c->base;
  }
  return NULL;
}

static int pstr_eq(pgw_str a, const char *b) {
  size_t n = strlen(b);
  return a.len == n && memcmp(a.ptr, b, n) == 0;
}

/* Severity FATAL or PANIC: the backend closes the connection. 'V' is the
 * non-localised severity; without it 'S' is used. */
static int is_fatal(const pgw_message *m) {
  pgw_iter it = pgw_notice_field_iter(&m->body.error.fields);
  pgw_notice_field f;
  pgw_str sev = {NULL, 0};
  int have_v = 0;
  while (pgw_notice_field_next(&it, &f) == 1) {
    if (f.code == 'V') {
      sev = f.value;
      have_v = 1;
    } else if (f.code == 'S' && !have_v) {
      sev = f.value;
    }
  }
  return pstr_eq(sev, "FATAL") || pstr_eq(sev, "PANIC");
}

/* ---- phase ---- */

static void refresh(pgw_state *s) {
  if (s->fctx == F_OP) {
    if (s->q_len == 0) {
      s->bctx = s->fe_terminated ? B_NONE : B_IDLE;
      s->phase =
          (uint8_t)(s->unsynced || s->discarding ? PGW_PHASE_EXTENDED_QUERY
                                                 : PGW_PHASE_READY);
    } else {
      uint8_t p = bctx_table[s->bctx].phase;
      s->phase = p != BY_ITEM ? p : items[q_front(s)].phase;
    }
  }
  if (s->fe_terminated && s->phase != PGW_PHASE_FAILED &&
      s->phase != PGW_PHASE_CANCEL)
    s->phase = PGW_PHASE_TERMINATED;
}

static void fail_all(pgw_state *s) {
  s->phase = PGW_PHASE_FAILED;
  s->fctx = s->fe_terminated ? F_CLOSED : F_FAILED;
  s->bctx = B_NONE;
  s->fe_copy = FE_COPY_NONE;
  s->q_len = 0;
  s->q_head = 0;
  s->q_syncs = 0;
  s->unsynced = 0;
  s->discarding = 0;
}

static void pop_head(pgw_state *s) {
  q_pop(s);
  if (s->q_len) s->bctx = items[q_front(s)].first;
}

/* CopyIn/CopyBoth: the server now reads the frontend stream as copy data.
 * Requests the frontend pipelined after the COPY's request are read in
 * copy mode: Syncs are ignored (so an extended query owes a new Sync), the
 * first other message aborts the COPY with an error. */
static void copy_consume(pgw_state *s) {
  if (s->q_len <= 1) return;
  uint8_t head = q_pop(s);
  int dropped_sync = 0;
  while (s->q_len && q_front(s) == IT_SYNC) {
    q_pop(s);
    dropped_sync = 1;
  }
  if (dropped_sync && head == IT_EXECUTE) s->unsynced = 1;
  if (s->q_len) {
    q_pop(s);
    s->bctx = B_COPY_FAILED;
  }
  q_push_front(s, head);
}

/* ---- errors ---- */

static int closed_for(const pgw_state *s, pgw_dir dir) {
  if (dir == PGW_FRONTEND)
    return s->fe_terminated || s->phase == PGW_PHASE_CANCEL ||
           s->phase == PGW_PHASE_FAILED;
  return s->bctx == B_NONE &&
         (s->phase == PGW_PHASE_CANCEL || s->phase == PGW_PHASE_FAILED ||
          s->phase == PGW_PHASE_TERMINATED);
}

typedef struct sbuf {
  char *p;
  size_t len, cap;
} sbuf;

static void put(sbuf *b, const char *s) {
  while (*s && b->len + 1 < b->cap)
    b->p[b->len++] = *s++;
  b->p[b->len] = '\0';
}

/* "in phase P the frontend sent X; expected A, B or C". */
static void describe(pgw_state *s, pgw_dir dir, uint8_t ctx, int tok) {
  const context *table = dir == PGW_FRONTEND ? fctx_table : bctx_table;
  sbuf b = {s->reason, 0, sizeof s->reason};
  int seen[T_COUNT];
  int toks[T_COUNT];
  size_t n = 0;
  memset(seen, 0, sizeof seen);
  put(&b, "in phase ");
  put(&b, pgw_phase_name((pgw_phase)s->phase));
  put(&b, dir == PGW_FRONTEND ? " the frontend sent " : " the backend sent ");
  put(&b, token_name(tok));
  put(&b, "; expected ");
  for (uint8_t c = ctx; c != KEEP; c = table[c].base)
    for (uint8_t i = 0; i < table[c].n; i++) {
      int t = table[c].rows[i].tok;
      if (!seen[t]) {
        seen[t] = 1;
        toks[n++] = t;
      }
    }
  if (n == 0) put(&b, table[ctx].none ? table[ctx].none : "nothing");
  for (size_t i = 0; i < n; i++) {
    if (i) put(&b, i + 1 == n ? " or " : ", ");
    put(&b, token_name(toks[i]));
  }
  if (b.len + 1 >= b.cap && b.cap > 4) memcpy(b.p + b.cap - 4, "...", 4);
}

static int record(pgw_state *s, const pgw_message *m, int code,
                  const char *reason, const pgw_rule *rule) {
  s->error.code = code;
  s->error.offset = m->offset;
  s->error.reason = reason;
  s->error.rule = rule;
  return code;
}

/* A violation of rule: fails where the mode rejects the rule; otherwise
 * (lenient, or reference mode and a documented rule) counted, ignored. */
static int violation(pgw_state *s, const pgw_message *m, int code,
                     const char *reason, enum pgw__rule_index rule) {
  record(s, m, code, reason, pgw__rule(rule));
  if (!s->lenient && pgw_mode_rejects((pgw_mode)s->mode, pgw__rule(rule)))
    return code;
  s->violations++;
  return PGW_OK;
}

/* ReadyForQuery's status if it is one of I, T, E; 0 (unknown) for another
 * byte, which reference and lenient modes let through (libpq reports
 * PQTRANS_UNKNOWN). */
static uint8_t txn_of(const pgw_message *m) {
  uint8_t t = m->body.ready.status;
  return t == 'I' || t == 'T' || t == 'E' ? t : 0;
}

/* Lenient resynchronisation on an unexpected ReadyForQuery. */
static void lenient_rfq(pgw_state *s, const pgw_message *m) {
  s->txn_status = txn_of(m);
  s->rows_lost = 0;
  if (s->fctx != F_OP) {
    if (s->phase != PGW_PHASE_INITIALIZATION) return;
    s->fctx = F_OP;
  }
  while (s->q_len) {
    uint8_t it = q_pop(s);
    if (it == IT_QUERY || it == IT_FUNCTION_CALL || it == IT_SYNC) break;
  }
  if (s->q_len) s->bctx = items[q_front(s)].first;
  if (s->q_len == 0) s->unsynced = 0;
  s->discarding = 0;
  s->fe_copy = FE_COPY_NONE;
  refresh(s);
}

/* ---- the machine ---- */

static const pgw_kind password_kinds[T_COUNT - T_AUTH_OK] = {
    PGW_MSG_PASSWORD_MESSAGE,      /* Ok: back to the initial value */
    PGW_MSG_PASSWORD_MESSAGE,      /* KerberosV5 */
    PGW_MSG_PASSWORD_MESSAGE,      /* Cleartext */
    PGW_MSG_PASSWORD_MESSAGE,      /* MD5 */
    PGW_MSG_GSS_RESPONSE,          /* GSS */
    PGW_MSG_GSS_RESPONSE,          /* GSSContinue */
    PGW_MSG_GSS_RESPONSE,          /* SSPI */
    PGW_MSG_SASL_INITIAL_RESPONSE, /* SASL */
    PGW_MSG_SASL_RESPONSE,         /* SASLContinue */
    PGW_MSG_SASL_RESPONSE,         /* SASLFinal */
};

static uint8_t item_of(const pgw_message *m) {
  switch (m->kind) {
  case PGW_MSG_QUERY: return IT_QUERY;
  case PGW_MSG_FUNCTION_CALL: return IT_FUNCTION_CALL;
  case PGW_MSG_PARSE: return IT_PARSE;
  case PGW_MSG_BIND: return IT_BIND;
  case PGW_MSG_DESCRIBE:
    return m->body.describe.target == 'S' ? IT_DESCRIBE_S : IT_DESCRIBE_P;
  case PGW_MSG_EXECUTE: return IT_EXECUTE;
  case PGW_MSG_CLOSE: return IT_CLOSE;
  default: return IT_SYNC;
  }
}

/* Names kept as NUL-separated strings in a small buffer (SASL mechanisms,
 * _pq_ options); a length of 0xff means "too many to keep: not judged". */
static void keep_name(uint8_t *buf, uint8_t *len, pgw_str name) {
  if (*len == 0xff) return;
  if (name.len + 1 > (size_t)(PGW__NAMES_MAX - *len)) {
    *len = 0xff;
    return;
  }
  memcpy(buf + *len, name.ptr, name.len);
  buf[*len + name.len] = 0;
  *len = (uint8_t)(*len + name.len + 1);
}

static void keep_list(uint8_t *buf, uint8_t *len, const pgw_str_list *l) {
  pgw_iter it = pgw_str_iter(l);
  pgw_str name;
  *len = 0;
  while (pgw_str_next(&it, &name) == 1)
    keep_name(buf, len, name);
}

static void keep_pq_options(pgw_state *s, const pgw_message *m) {
  pgw_iter it = pgw_param_iter(&m->body.startup.params);
  pgw_param p;
  s->pq_options_len = 0;
  while (pgw_param_next(&it, &p) == 1)
    if (p.name.len > 5 && memcmp(p.name.ptr, "_pq_.", 5) == 0)
      keep_name(s->pq_options, &s->pq_options_len, p.name);
}

/* Is name among the kept names? Always yes when they were too many. */
static int listed(const uint8_t *buf, uint8_t len, pgw_str name) {
  if (len == 0xff) return 1;
  for (size_t i = 0; i < len;) {
    size_t n = strlen((const char *)buf + i);
    if (n == name.len && memcmp(buf + i, name.ptr, n) == 0) return 1;
    i += n + 1;
  }
  return 0;
}

/* NegotiateProtocolVersion must change something, never upward, to a
 * version that exists, naming only options that were asked for. */
static int check_npv(pgw_state *s, const pgw_message *m) {
  uint32_t v = m->body.negotiate.newest_version;
  if (v != PGW_PROTOCOL_3_0 && v != PGW_PROTOCOL_3_2 && v < s->requested)
    return violation(s, m, PGW_ERR_BAD_VALUE,
                     "NegotiateProtocolVersion: offers a protocol version "
                     "that does not exist",
                     PGW__R_NPV_KNOWN);
  pgw_iter it = pgw_str_iter(&m->body.negotiate.unrecognized);
  pgw_str name;
  while (s->pq_options_len != 0xff && pgw_str_next(&it, &name) == 1)
    if (!listed(s->pq_options, s->pq_options_len, name))
      return violation(s, m, PGW_ERR_BAD_VALUE,
                       "NegotiateProtocolVersion: lists an option the "
                       "StartupMessage did not send",
                       PGW__R_NPV_UNREQUESTED);
  if (v > s->requested)
    return violation(s, m, PGW_ERR_BAD_VALUE,
                     "NegotiateProtocolVersion: offers a version above the "
                     "one requested",
                     PGW__R_NPV_UPGRADE);
  if (v == s->requested && m->body.negotiate.unrecognized.count == 0)
    return violation(s, m, PGW_ERR_BAD_VALUE,
                     "NegotiateProtocolVersion: neither lowers the version "
                     "nor lists an unrecognised option",
                     PGW__R_NPV_NO_CHANGE);
  return 1;
}

/* Q_UNNAMED for a Bind, Describe or Execute of the unnamed portal. */
static uint8_t unnamed_flag(const pgw_message *m) {
  if (m->malformed && !pgw__body_complete(m->kind, m->malformed)) return 0;
  switch (m->kind) {
  case PGW_MSG_BIND: return m->body.bind.portal.len == 0 ? Q_UNNAMED : 0;
  case PGW_MSG_EXECUTE:
    return (uint8_t)((m->body.execute.portal.len == 0 ? Q_UNNAMED : 0) |
                     (m->body.execute.max_rows > 0 ? Q_LIMITED : 0));
  case PGW_MSG_DESCRIBE:
    return m->body.describe.target == 'P' && m->body.describe.name.len == 0
               ? Q_UNNAMED
               : 0;
  default: return 0;
  }
}

/* Checks an effect makes before anything changes. */
static int precheck(pgw_state *s, const row *r, const pgw_message *m) {
  if (m->malformed && !pgw__body_complete(m->kind, m->malformed) &&
      r->eff != E_ENQUEUE && r->eff != E_SYNC)
    return 1; /* a tolerated body: its fields are not there to check */
  switch (r->eff) {
  case E_NPV: return check_npv(s, m);
  case E_SASL_INITIAL:
    if (s->sasl_mechs_len != 0 && /* 0: not seen (a later start phase) */
        !listed(s->sasl_mechs, s->sasl_mechs_len,
                m->body.sasl_initial.mechanism))
      return violation(s, m, PGW_ERR_BAD_VALUE,
                       "SASLInitialResponse: mechanism was not offered by "
                       "AuthenticationSASL",
                       PGW__R_SASL_MECHANISM);
    break;
  case E_EARLY_OK: {
    /* libpq accepts it; go on after the warning in reference mode */
    int rc = violation(s, m, PGW_ERR_UNEXPECTED_MESSAGE,
                       "AuthenticationOk before the SASL exchange ended "
                       "(no AuthenticationSASLFinal)",
                       PGW__R_SASL_EARLY_OK);
    if (rc != PGW_OK) return rc;
    break;
  }
  case E_SUSPENDED:
    if (!(q_front_raw(s) & Q_LIMITED))
      return violation(s, m, PGW_ERR_UNEXPECTED_MESSAGE,
                       "PortalSuspended for an Execute without a row limit",
                       PGW__R_PORTAL_SUSPENDED);
    break;
  case E_STARTUP:
    if (PGW_PROTOCOL_MAJOR(m->body.startup.protocol) != 3)
      return violation(s, m, PGW_ERR_UNSUPPORTED_PROTOCOL,
                       "StartupMessage: protocol major version is not 3",
                       PGW__R_STARTUP_VERSION);
    break;
  case E_SSL_ANSWER:
  case E_GSS_ANSWER: {
    uint8_t yes = r->eff == E_SSL_ANSWER ? 'S' : 'G';
    uint8_t a = m->body.encryption.answer;
    if (a != yes && a != 'N')
      return violation(s, m, PGW_ERR_UNEXPECTED_MESSAGE,
                       "encryption answer is not S/G or N", PGW__R_ANSWER_BYTE);
    break;
  }
  case E_BKD: {
    /* As the decoder checks it: exactly 4 bytes in 3.0, 4 to 256 bytes
     * otherwise (3.2) or when the version is unknown. */
    size_t n = m->body.backend_key.key.len;
    int ok = s->protocol == PGW_PROTOCOL_3_0
                 ? n == PGW_CANCEL_KEY_MIN
                 : n >= PGW_CANCEL_KEY_MIN && n <= PGW_CANCEL_KEY_MAX;
    if (!ok)
      return violation(s, m, PGW_ERR_BAD_KEY_LENGTH,
                       "BackendKeyData: key length does not fit the "
                       "negotiated protocol (4 bytes in 3.0, 4 to 256 in 3.2)",
                       PGW__R_BKD_KEY_STATE);
    break;
  }
  case E_ASYNC_ERROR:
    if (!is_fatal(m))
      return violation(s, m, PGW_ERR_UNEXPECTED_MESSAGE,
                       "ErrorResponse while no request is pending (only "
                       "FATAL or PANIC may come unprompted)",
                       PGW__R_UNSOLICITED_ERROR);
    break;
  case E_ENQUEUE:
  case E_SYNC: {
    if (m->kind == PGW_MSG_EXECUTE && s->unnamed_bad_result && unnamed_flag(m))
      return violation(s, m, PGW_ERR_BAD_VALUE,
                       "Execute: the unnamed portal was bound with a result "
                       "format code that is not 0 or 1",
                       PGW__R_BIND_RESULT_FORMAT_EXECUTED);
    int rc = q_reserve(s);
    if (rc)
      return record(s, m, rc,
                    rc == PGW_ERR_NOMEM
                        ? "pending-request queue allocation failed"
                        : "more pending requests than max_pending",
                    NULL);
    break;
  }
  default: break;
  }
  return 1; /* go on */
}

static void effect(pgw_state *s, int eff, const pgw_message *m, int tok) {
  switch (eff) {
  case E_STARTUP:
    s->requested = s->protocol = m->body.startup.protocol;
    keep_pq_options(s, m);
    break;
  case E_SSL_ANSWER:
  case E_GSS_ANSWER:
    if (m->body.encryption.answer != 'N') {
      s->ssl_done = s->gss_done = 1;
      s->phase = PGW_PHASE_TLS_HANDSHAKE;
      s->fctx = F_TLS;
    } else {
      if (eff == E_SSL_ANSWER)
        s->ssl_done = 1;
      else
        s->gss_done = 1;
      s->phase = PGW_PHASE_STARTUP;
      s->fctx = startup_ctx(s);
    }
    s->bctx = B_NONE;
    break;
  case E_NPV:
    if (m->body.negotiate.newest_version < s->requested)
      s->protocol = m->body.negotiate.newest_version;
    break;
  case E_AUTH:
    s->password_kind = password_kinds[tok - T_AUTH_OK];
    if (tok == T_AUTH_SASL)
      keep_list(s->sasl_mechs, &s->sasl_mechs_len, &m->body.auth.mechanisms);
    break;
  case E_BKD:
    if (m->malformed) break; /* lenient: no key to keep */
    s->key_seen = 1;
    s->key_pid = m->body.backend_key.pid;
    s->key_len = m->body.backend_key.key.len;
    if (s->key_len > sizeof s->key) s->key_len = sizeof s->key;
    if (s->key_len) memcpy(s->key, m->body.backend_key.key.ptr, s->key_len);
    break;
  case E_READY:
    s->txn_status = txn_of(m);
    s->fctx = F_OP;
    s->bctx = B_IDLE;
    break;
  case E_FAIL:
  case E_ASYNC_ERROR: fail_all(s); break;
  case E_TERMINATE:
    s->fe_terminated = 1;
    if (s->fctx != F_OP) s->fctx = F_CLOSED;
    break;
  case E_ENQUEUE: {
    uint8_t it = item_of(m);
    if (m->kind == PGW_MSG_BIND && unnamed_flag(m))
      s->unnamed_bad_result =
          pgw__bad_format(&m->body.bind.result_formats) != NULL;
    q_push(s, (uint8_t)(it | unnamed_flag(m)));
    if (s->q_len == 1) s->bctx = items[it].first;
    if (it != IT_QUERY && it != IT_FUNCTION_CALL) s->unsynced = 1;
    break;
  }
  case E_SYNC:
    q_push(s, IT_SYNC);
    if (s->q_len == 1) s->bctx = B_SYNC;
    s->unsynced = 0;
    s->discarding = 0;
    break;
  case E_POP:
  case E_SUSPENDED: pop_head(s); break;
  case E_EARLY_OK: s->password_kind = PGW_MSG_PASSWORD_MESSAGE; break;
  case E_COMPLETE: {
    uint8_t c = items[q_front(s)].on_complete;
    if (c == POP)
      pop_head(s);
    else
      s->bctx = c;
    break;
  }
  case E_RFQ:
    s->txn_status = txn_of(m);
    pop_head(s);
    break;
  case E_ERROR: {
    if (is_fatal(m)) {
      fail_all(s);
      break;
    }
    if (s->fe_copy == FE_COPY_IN || s->fe_copy == FE_COPY_BOTH)
      s->fe_copy = FE_COPY_STALE;
    uint8_t e = items[q_front(s)].on_error;
    if (e != DISCARD_TO_SYNC) {
      s->bctx = e;
      break;
    }
    while (s->q_len && q_front(s) != IT_SYNC)
      q_pop(s);
    if (s->q_len)
      s->bctx = B_SYNC;
    else
      s->discarding = 1;
    break;
  }
  case E_COPY_IN:
    s->fe_copy = FE_COPY_IN;
    s->bctx = B_COPY_IN;
    s->result_open = 0; /* the application takes the copy result */
    copy_consume(s);
    break;
  case E_COPY_BOTH:
    s->fe_copy = FE_COPY_BOTH;
    s->bctx = B_COPY_BOTH;
    copy_consume(s);
    break;
  case E_COPY_OUT:
    s->bctx = B_COPY_OUT;
    s->result_open = 0;
    break;
  case E_FE_COPY_DONE:
  case E_FE_COPY_FAIL: {
    uint8_t nb = eff == E_FE_COPY_DONE ? bctx_table[s->bctx].on_fe_done
                                       : bctx_table[s->bctx].on_fe_fail;
    s->fe_copy = FE_COPY_NONE;
    if (nb != KEEP) s->bctx = nb;
    break;
  }
  case E_STALE_END: s->fe_copy = FE_COPY_NONE; break;
  default: break;
  }
}

/* row_cols when a RowDescription came out of turn in extended query:
 * libpq then ends the result it was building, and the rows after it have
 * no row description for it. */
#define ROWS_LOST (-2)
/* row_cols for an Execute whose portal Describe answered NoData: libpq
 * made no result, so it has no row description for rows. */
#define ROWS_NO_DATA (-3)

/* A DataRow's column count against the RowDescription of its result. */
static int check_row(pgw_state *s, const pgw_message *m) {
  if (s->row_cols == ROWS_LOST)
    return violation(s, m, PGW_ERR_UNEXPECTED_MESSAGE,
                     "DataRow after its RowDescription was superseded out of "
                     "turn (libpq: data without prior row description)",
                     PGW__R_BE_ORDER);
  if (s->row_cols == ROWS_NO_DATA)
    return violation(s, m, PGW_ERR_UNEXPECTED_MESSAGE,
                     "DataRow for a portal described with NoData (libpq: "
                     "data without prior row description)",
                     PGW__R_BE_ORDER);
  if (s->row_cols < 0 ||
      (m->malformed && !pgw__body_complete(m->kind, m->malformed)) ||
      m->body.data_row.columns.count == (size_t)s->row_cols)
    return PGW_OK;
  return violation(s, m, PGW_ERR_BAD_COUNT,
                   "DataRow: column count differs from the RowDescription "
                   "of its result",
                   PGW__R_DATA_ROW_COUNT);
}

/* Remember result shapes: the simple query's RowDescription, the unnamed
 * portal's (Describe, forgotten by its next Bind), and which applies when
 * an Execute's rows begin. Called before the transition, with ctx the
 * backend context the message arrives in and r the row it matched. */
static void track_rows(pgw_state *s, const pgw_message *m, uint8_t ctx,
                       const row *r) {
  int unnamed = s->q_len && (q_front_raw(s) & Q_UNNAMED);
  switch (m->kind) {
  case PGW_MSG_ROW_DESCRIPTION: {
    int32_t n = m->malformed && !pgw__body_complete(m->kind, m->malformed)
                    ? -1
                    : (int32_t)m->body.row_description.columns.count;
    if (r->nb == B_Q_ROWS) s->row_cols = n;
    if (ctx == B_DESCRIBE_ROWS && unnamed) s->unnamed_cols = n;
    s->result_open = 1;
    break;
  }
  case PGW_MSG_COMMAND_COMPLETE:
  case PGW_MSG_EMPTY_QUERY_RESPONSE: s->result_open = 1; break;
  case PGW_MSG_NO_DATA:
    /* libpq makes no result of it (PQsendQueryParams' Describe): rows
     * after it have no row description */
    if (ctx == B_DESCRIBE_ROWS && unnamed) s->unnamed_cols = ROWS_NO_DATA;
    break;
  case PGW_MSG_BIND_COMPLETE:
    if (unnamed) s->unnamed_cols = -1;
    break;
  case PGW_MSG_DATA_ROW:
    if (ctx == B_EXEC) s->row_cols = unnamed ? s->unnamed_cols : -1;
    if (s->rows_lost) s->row_cols = ROWS_LOST;
    break;
  case PGW_MSG_READY_FOR_QUERY:
    s->rows_lost = 0;
    s->result_open = 0;
    break;
  case PGW_MSG_ERROR_RESPONSE:
    /* once the application took the error result libpq has no result for
     * rows: in a simple query until a new RowDescription; in extended
     * query libpq 14+ also advance the command queue, so until
     * ReadyForQuery */
    if (s->q_len && q_front(s) == IT_QUERY) s->row_cols = ROWS_LOST;
    if (s->q_len && q_front(s) != IT_QUERY && q_front(s) != IT_FUNCTION_CALL)
      s->rows_lost = 1;
    break;
  default: break;
  }
}

/* Frontend messages the backend will never read: after a FATAL error the
 * client's bytes already in flight (it sent them before it could read the
 * error; "Termination" in the documentation), and copy messages outside
 * COPY, which PostgresMain drops (a documented-level deviation). Returns
 * 1 with *rc set when the message is handled here. */
static int frontend_unread(pgw_state *s, const pgw_message *m, int tok,
                           uint8_t ctx, int *rc) {
  if (ctx == F_FAILED && tok != PGW_MSG_TERMINATE) {
    *rc = PGW_OK;
    return 1;
  }
  int copy_msg = tok == PGW_MSG_COPY_DATA || tok == PGW_MSG_COPY_DONE ||
                 tok == PGW_MSG_COPY_FAIL;
  if (!copy_msg || s->fctx != F_OP || s->fe_terminated) return 0;
  describe(s, PGW_FRONTEND, ctx, tok);
  *rc = violation(s, m, PGW_ERR_UNEXPECTED_MESSAGE, s->reason,
                  PGW__R_FE_COPY_OUTSIDE);
  return 1;
}

/* Backend messages out of turn that libpq (13 to 18) takes or drops after
 * the startup (fe-protocol3.c pqParseInput3 handles them in any busy state
 * and drops anything with a notice when idle; measured by
 * conformance/diff). While a request is pending, Authentication,
 * NegotiateProtocolVersion, FunctionCallResponse, PortalSuspended and a
 * DataRow without its RowDescription are refused. */
static int libpq_tolerates(const pgw_state *s, int tok) {
  /* a second BackendKeyData during the startup overwrites the first */
  if (tok == PGW_MSG_BACKEND_KEY_DATA && s->phase == PGW_PHASE_INITIALIZATION)
    return 1;
  if (s->fctx != F_OP) return 0;
  if (s->q_len == 0) return 1; /* idle: dropped with a notice */
  /* pqFunctionCall3 has its own loop and refuses the rest ("protocol
   * error: no function result") */
  if (q_front(s) == IT_FUNCTION_CALL) return 0;
  switch (tok) {
  case PGW_MSG_PARAMETER_DESCRIPTION: /* a result of its own: rows_lost() */
  case PGW_MSG_PARSE_COMPLETE:
  case PGW_MSG_BIND_COMPLETE:
  case PGW_MSG_CLOSE_COMPLETE:
  case PGW_MSG_NO_DATA:
  case PGW_MSG_ROW_DESCRIPTION:
  case PGW_MSG_BACKEND_KEY_DATA:
  case PGW_MSG_COMMAND_COMPLETE:
  case PGW_MSG_EMPTY_QUERY_RESPONSE:
  case PGW_MSG_READY_FOR_QUERY:
  case PGW_MSG_COPY_DATA:
  case PGW_MSG_COPY_DONE:
  case PGW_MSG_COPY_IN_RESPONSE: /* libpq enters COPY whenever it comes */
  case PGW_MSG_COPY_OUT_RESPONSE: return 1;
  default: return 0;
  }
}

/* An out-of-turn backend message that answers a later pending request
 * (BindComplete with no ParseComplete before it): drop the requests
 * before that one, as the client that took the message would. Returns 1
 * if it did. Reference and lenient modes only. */
static int skip_to_answered(pgw_state *s, int tok) {
  if (s->fctx != F_OP) return 0;
  const uint8_t *b = q_buf(s);
  for (size_t i = 1; i < s->q_len; i++) {
    uint8_t it = (uint8_t)(b[(s->q_head + i) % s->q_cap] & ~Q_FLAGS);
    if (it == IT_SYNC || it == IT_QUERY || it == IT_FUNCTION_CALL) return 0;
    if (lookup(bctx_table, items[it].first, tok) == NULL) continue;
    while (i--)
      q_pop(s);
    s->bctx = items[q_front(s)].first;
    return 1;
  }
  return 0;
}

/* After a ParameterDescription out of turn libpq holds a result of its
 * own (getParamDescriptions replaces conn->result): the rows of the
 * result it was building then have no row description for it (measured
 * by fuzz_libpq_diff, corpus/libpq_diff/diff-be.pd.*). */
static void rows_lost(pgw_state *s) {
  if (s->bctx == B_Q_ROWS || s->bctx == B_EXEC_ROWS) s->row_cols = ROWS_LOST;
  /* In extended query libpq 14+ also end the command when that result is
   * taken (the command queue advances): a later RowDescription makes a
   * Describe-like result, and every row until ReadyForQuery is lost. */
  if (s->q_len && q_front(s) != IT_QUERY) {
    s->rows_lost = 1;
    s->unnamed_cols = ROWS_LOST;
  }
}

/* In extended query libpq holds no result of its own and has not
 * advanced its command queue: nothing made one yet (or a COPY result was
 * taken). A RowDescription then makes a new result (getRowDescriptions)
 * whose rows follow. */
static int extended_between_results(const pgw_state *s) {
  return !s->rows_lost && !s->result_open && s->bctx != B_COPY_IN &&
         s->bctx < B_COPY_BOTH;
}

/* A RowDescription let through out of turn: libpq takes it as a new
 * result in a simple query (leaving COPY OUT, after the client ended COPY
 * IN, or after the application took an error result), and its rows
 * follow; in extended query too when it held no result
 * (extended_between_results()), else the rows that follow are lost to
 * it. */
static void row_description_out_of_turn(pgw_state *s, const pgw_message *m) {
  /* after a FATAL the queue is gone: rows_lost tells extended query */
  int simple = s->q_len ? q_front(s) == IT_QUERY : !s->rows_lost;
  int32_t n = (int32_t)m->body.row_description.columns.count;
  int between = !simple && s->q_len && extended_between_results(s);
  s->result_open = 1;
  if (between) {
    s->row_cols = n;
    if (q_front(s) == IT_EXECUTE) s->bctx = B_EXEC_ROWS;
    refresh(s);
    return;
  }
  s->row_cols = simple ? n : ROWS_LOST;
  s->unnamed_cols = simple ? s->unnamed_cols : ROWS_LOST;
  if (simple && s->bctx != B_COPY_IN && s->bctx < B_COPY_BOTH) {
    s->bctx = B_Q_ROWS;
    refresh(s);
  }
}

/* A CopyInResponse or CopyOutResponse let through out of turn: libpq
 * enters that COPY (a new result: pqParseInput3 takes either in any busy
 * state). What follows is read as copy data; a COPY IN the client ends as
 * it would any other, so the frontend may send copy data. */
static void copy_out_of_turn(pgw_state *s, int copy_in) {
  if (!s->q_len || q_front(s) == IT_FUNCTION_CALL || s->bctx == B_COPY_IN ||
      s->bctx >= B_COPY_BOTH)
    return;
  if (copy_in) s->fe_copy = FE_COPY_IN;
  s->bctx = copy_in ? B_COPY_IN : B_COPY_OUT;
  s->result_open = 0;
  refresh(s);
}

/* A backend message out of turn was let through: follow what libpq made
 * of it, for a message whose fields were read. */
static void out_of_turn_resync(pgw_state *s, const pgw_message *m, int tok) {
  if (m->malformed && !pgw__body_complete(m->kind, m->malformed)) return;
  switch (tok) {
  case PGW_MSG_ROW_DESCRIPTION: row_description_out_of_turn(s, m); break;
  case PGW_MSG_COPY_OUT_RESPONSE: copy_out_of_turn(s, 0); break;
  case PGW_MSG_COPY_IN_RESPONSE: copy_out_of_turn(s, 1); break;
  case PGW_MSG_PARAMETER_DESCRIPTION:
    if (!m->malformed) rows_lost(s);
    break;
  /* libpq's result ends (PGASYNC_READY) at a CommandComplete or an
   * EmptyQueryResponse in any busy state, as at a ParameterDescription */
  case PGW_MSG_COMMAND_COMPLETE:
  case PGW_MSG_EMPTY_QUERY_RESPONSE: rows_lost(s); break;
  default: break;
  }
}

/* Kinds pqParseInput3 refuses in any busy state ("unexpected response
 * from server"), so also after a FATAL ErrorResponse, where libpq goes on
 * parsing the rest (backend.nothing-after-end is documented). */
static int libpq_never_busy(pgw_kind k) {
  return k == PGW_MSG_AUTHENTICATION ||
         k == PGW_MSG_NEGOTIATE_PROTOCOL_VERSION ||
         k == PGW_MSG_FUNCTION_CALL_RESPONSE || k == PGW_MSG_PORTAL_SUSPENDED;
}

/* No row allows the message. */
static int not_allowed(pgw_state *s, pgw_dir dir, const pgw_message *m,
                       uint8_t ctx, int tok) {
  int rc;
  if (dir == PGW_FRONTEND && frontend_unread(s, m, tok, ctx, &rc)) return rc;
  describe(s, dir, ctx, tok);
  int closed = closed_for(s, dir);
  /* after a FATAL libpq goes on parsing as before it (a RowDescription
   * after it may have opened a result again: bctx is then not B_NONE) */
  int after_end =
      closed || (dir == PGW_BACKEND && s->phase == PGW_PHASE_FAILED);
  enum pgw__rule_index rule;
  if (dir == PGW_FRONTEND && (s->phase == PGW_PHASE_SSL_NEGOTIATION ||
                              s->phase == PGW_PHASE_GSS_NEGOTIATION))
    rule = PGW__R_BYTES_BEFORE_ANSWER;
  else if (dir == PGW_FRONTEND)
    rule = closed ? PGW__R_FE_AFTER_END : PGW__R_FE_ORDER;
  else if (after_end)
    rule = libpq_never_busy(m->kind) ||
                   (m->kind == PGW_MSG_DATA_ROW &&
                    (s->rows_lost || s->row_cols == ROWS_LOST))
               ? PGW__R_BE_ORDER
               : PGW__R_BE_AFTER_END;
  else
    rule =
        libpq_tolerates(s, tok) ? PGW__R_BE_ORDER_TOLERATED : PGW__R_BE_ORDER;
  rc = violation(
      s, m, closed ? PGW_ERR_CONNECTION_CLOSED : PGW_ERR_UNEXPECTED_MESSAGE,
      s->reason, rule);
  if (rc != PGW_OK || dir != PGW_BACKEND) return rc;
  /* the violation was let through: resynchronise */
  out_of_turn_resync(s, m, tok);
  if (tok == PGW_MSG_READY_FOR_QUERY)
    lenient_rfq(s, m);
  else if (skip_to_answered(s, tok))
    return pgw_state_feed(s, dir, m);
  return rc;
}

int pgw_state_feed(pgw_state *s, pgw_dir dir, const pgw_message *m) {
  if (s == NULL || m == NULL || (dir != PGW_FRONTEND && dir != PGW_BACKEND))
    return PGW_ERR_INVALID_ARGUMENT;
  /* Hot path: a DataRow while rows are due matches RE(DATA_ROW, E_NONE)
   * in b_q_rows/b_exec_rows and changes nothing (refresh() would
   * recompute the same phase). */
  if (dir == PGW_BACKEND && m->kind == PGW_MSG_DATA_ROW &&
      (s->bctx == B_Q_ROWS || s->bctx == B_EXEC_ROWS))
    return check_row(s, m);
  int tok = token_of(m);
  uint8_t ctx = dir == PGW_FRONTEND ? fe_ctx(s) : s->bctx;
  const row *r =
      lookup(dir == PGW_FRONTEND ? fctx_table : bctx_table, ctx, tok);
  if (r == NULL) return not_allowed(s, dir, m, ctx, tok);
  int rc = precheck(s, r, m);
  if (rc != 1) return rc; /* failed, or lenient violation ignored */
  if (dir == PGW_BACKEND) {
    track_rows(s, m, ctx, r);
    if (tok == PGW_MSG_DATA_ROW && (rc = check_row(s, m)) != PGW_OK) return rc;
  }
  if (r->nf != KEEP) s->fctx = r->nf;
  if (r->nb != KEEP) s->bctx = r->nb;
  if (r->np != KEEP) s->phase = r->np;
  effect(s, r->eff, m, tok);
  if (dir == PGW_FRONTEND && s->fe_copy == FE_COPY_STALE &&
      tok != PGW_MSG_COPY_DATA && tok != PGW_MSG_COPY_DONE &&
      tok != PGW_MSG_COPY_FAIL)
    s->fe_copy = FE_COPY_NONE; /* the frontend moved on */
  refresh(s);
  return PGW_OK;
}

/* ---- public accessors ---- */

static const char *const phase_names[PGW_PHASE_COUNT] = {
    [PGW_PHASE_STARTUP] = "Startup",
    [PGW_PHASE_SSL_NEGOTIATION] = "SSLNegotiation",
    [PGW_PHASE_GSS_NEGOTIATION] = "GSSNegotiation",
    [PGW_PHASE_TLS_HANDSHAKE] = "TLSHandshake",
    [PGW_PHASE_AUTHENTICATION] = "Authentication",
    [PGW_PHASE_AUTH_PASSWORD] = "AuthPassword",
    [PGW_PHASE_AUTH_SASL_INITIAL] = "AuthSASLInitial",
    [PGW_PHASE_AUTH_SASL] = "AuthSASL",
    [PGW_PHASE_AUTH_SASL_FINAL] = "AuthSASLFinal",
    [PGW_PHASE_AUTH_GSS] = "AuthGSS",
    [PGW_PHASE_INITIALIZATION] = "Initialization",
    [PGW_PHASE_READY] = "Ready",
    [PGW_PHASE_SIMPLE_QUERY] = "SimpleQuery",
    [PGW_PHASE_EXTENDED_QUERY] = "ExtendedQuery",
    [PGW_PHASE_COPY_IN] = "CopyIn",
    [PGW_PHASE_COPY_OUT] = "CopyOut",
    [PGW_PHASE_COPY_BOTH] = "CopyBoth",
    [PGW_PHASE_FUNCTION_CALL] = "FunctionCall",
    [PGW_PHASE_CANCEL] = "Cancel",
    [PGW_PHASE_TERMINATED] = "Terminated",
    [PGW_PHASE_FAILED] = "Failed",
};

const char *pgw_phase_name(pgw_phase phase) {
  if ((unsigned)phase >= (unsigned)PGW_PHASE_COUNT) return "?";
  return phase_names[phase];
}

int pgw_state_init(pgw_state *s, const pgw_state_options *opts) {
  if (s == NULL) return PGW_ERR_INVALID_ARGUMENT;
  pgw_phase start = opts ? opts->start_phase : PGW_PHASE_STARTUP;
  memset(s, 0, sizeof *s);
  pgw__allocator_init(&s->alloc, opts ? opts->allocator : NULL);
  s->mode = (uint8_t)(opts && opts->lenient ? PGW_MODE_LENIENT
                      : opts                ? opts->mode
                                            : PGW_MODE_STRICT);
  s->lenient = s->mode == PGW_MODE_LENIENT;
  s->row_cols = s->unnamed_cols = -1;
  s->q_cap = Q_INLINE;
  s->q_max = opts && opts->max_pending ? opts->max_pending : Q_DEFAULT_MAX;
  s->password_kind = PGW_MSG_PASSWORD_MESSAGE;
  uint32_t proto = opts && opts->protocol ? opts->protocol : PGW_PROTOCOL_3_0;
  s->phase = (uint8_t)start;
  switch (start) {
  case PGW_PHASE_STARTUP:
    s->fctx = F_STARTUP;
    s->bctx = B_NONE;
    return 0;
  case PGW_PHASE_AUTHENTICATION:
    s->fctx = F_WAIT;
    s->bctx = B_AUTH_START;
    break;
  case PGW_PHASE_INITIALIZATION:
    s->fctx = F_INIT;
    s->bctx = B_INIT;
    break;
  case PGW_PHASE_READY:
    s->fctx = F_OP;
    s->bctx = B_IDLE;
    break;
  default:
    s->phase = PGW_PHASE_STARTUP;
    s->fctx = F_STARTUP;
    return PGW_ERR_INVALID_ARGUMENT;
  }
  s->ssl_done = s->gss_done = 1;
  s->protocol = s->requested = proto;
  return 0;
}

void pgw_state_free(pgw_state *s) {
  if (s == NULL) return;
  if (s->q_heap) s->alloc.free_fn(s->q_heap, s->alloc.user);
  s->q_heap = NULL;
  s->q_cap = Q_INLINE;
  s->q_len = s->q_head = s->q_syncs = 0;
}

int pgw_state_tls_established(pgw_state *s) {
  if (s == NULL || s->phase != PGW_PHASE_TLS_HANDSHAKE)
    return PGW_ERR_INVALID_ARGUMENT;
  s->phase = PGW_PHASE_STARTUP;
  s->fctx = F_STARTUP_PLAIN;
  s->bctx = B_NONE;
  return 0;
}

int pgw_state_direct_ssl(pgw_state *s) {
  if (s == NULL || s->phase != PGW_PHASE_STARTUP || s->ssl_done || s->gss_done)
    return PGW_ERR_INVALID_ARGUMENT;
  s->ssl_done = s->gss_done = 1;
  s->phase = PGW_PHASE_TLS_HANDSHAKE;
  s->fctx = F_TLS;
  s->bctx = B_NONE;
  return 0;
}

pgw_phase pgw_state_phase(const pgw_state *s) {
  return (pgw_phase)s->phase;
}

pgw_framing pgw_state_framing(const pgw_state *s, pgw_dir dir) {
  /* A frontend that does not wait for the SSL/GSS answer sends what
   * would follow it, a startup packet: read it as one, and refuse it
   * (negotiation.no-bytes-before-answer). */
  if (dir == PGW_FRONTEND)
    return s->phase == PGW_PHASE_STARTUP ||
                   s->phase == PGW_PHASE_TLS_HANDSHAKE ||
                   s->phase == PGW_PHASE_SSL_NEGOTIATION ||
                   s->phase == PGW_PHASE_GSS_NEGOTIATION
               ? PGW_FRAMING_STARTUP
               : PGW_FRAMING_STANDARD;
  return s->phase == PGW_PHASE_SSL_NEGOTIATION ||
                 s->phase == PGW_PHASE_GSS_NEGOTIATION
             ? PGW_FRAMING_NEGOTIATION
             : PGW_FRAMING_STANDARD;
}

pgw_kind pgw_state_answer_kind(const pgw_state *s) {
  if (s->phase == PGW_PHASE_SSL_NEGOTIATION) return PGW_MSG_SSL_RESPONSE;
  if (s->phase == PGW_PHASE_GSS_NEGOTIATION) return PGW_MSG_GSSENC_RESPONSE;
  return PGW_MSG_UNKNOWN;
}

pgw_kind pgw_state_password_kind(const pgw_state *s) {
  return s->password_kind;
}

uint32_t pgw_state_protocol(const pgw_state *s) {
  return s->protocol;
}
uint32_t pgw_state_requested_protocol(const pgw_state *s) {
  return s->requested;
}
uint8_t pgw_state_transaction_status(const pgw_state *s) {
  return s->txn_status;
}
size_t pgw_state_pending(const pgw_state *s) {
  return s->q_len;
}
size_t pgw_state_pending_syncs(const pgw_state *s) {
  return s->q_syncs;
}

int pgw_state_backend_key(const pgw_state *s, int32_t *pid, pgw_bytes *key) {
  if (!s->key_seen) return 0;
  if (pid) *pid = s->key_pid;
  if (key) {
    key->ptr = s->key;
    key->len = s->key_len;
  }
  return 1;
}

const pgw_error *pgw_state_error(const pgw_state *s) {
  return &s->error;
}
size_t pgw_state_violations(const pgw_state *s) {
  return s->violations;
}

_Static_assert(PGW_MSG_KIND_COUNT <= 64, "a kind mask fits in 64 bits");
#define KBIT(k) ((uint64_t)1 << (k))

/* Frontend kinds whose body the server skips unparsed now: all but Sync
 * while it ignores messages until Sync (PostgresMain ignore_till_sync) or
 * after a FATAL; Sync and Flush in COPY IN (CopyGetData); copy messages
 * outside COPY (PostgresMain drops them). */
static uint64_t unread_kinds(const pgw_state *s) {
  const uint64_t copy_msgs = KBIT(PGW_MSG_COPY_DATA) | KBIT(PGW_MSG_COPY_DONE) |
                             KBIT(PGW_MSG_COPY_FAIL);
  switch (fe_ctx(s)) {
  case F_FAILED: return ~(uint64_t)0;
  case F_DISCARD:
  case F_STALE_DISCARD: return ~KBIT(PGW_MSG_SYNC);
  case F_COPY_IN: return KBIT(PGW_MSG_SYNC) | KBIT(PGW_MSG_FLUSH);
  case F_IDLE:
  case F_EXTENDED:
  case F_STALE_IDLE:
  case F_STALE_EXTENDED: return copy_msgs;
  default: return 0;
  }
}

void pgw__sync_decoder(pgw_decoder *d, const pgw_state *s, pgw_dir dir) {
  if (dir == PGW_FRONTEND) {
    d->unread = unread_kinds(s);
    d->after_end = s->fe_terminated || s->phase == PGW_PHASE_CANCEL;
  }
  pgw_framing f = pgw_state_framing(s, dir);
  if (f == PGW_FRAMING_NEGOTIATION) {
    pgw_decoder_expect_answer(d, pgw_state_answer_kind(s));
  } else if (pgw_decoder_framing(d) != f) {
    pgw_decoder_set_framing(d, f);
  }
  pgw_decoder_set_protocol(d, pgw_state_protocol(s));
  if (dir == PGW_FRONTEND)
    pgw_decoder_set_password_kind(d, pgw_state_password_kind(s));
}
