/*
 * certify_client.h - `pgw certify client`: certify a client (a driver,
 * psql, a pooler's client side) against the frontend rules.
 *
 * Two modes. --serve: pgw is the server (a backend pgw_conn) and each
 * connection the client makes gets the next case of the catalogue
 * (certify_client_cases.c): a scripted server behaviour and what the
 * client must do in response. --upstream: a checking proxy
 * (certify_client_proxy.c) that forwards bytes unchanged and checks both
 * sides with the library observer.
 *
 * Cases share the server's case format (certify.h: id, level, rules,
 * says; `script` says what the scripted server does) and its reports.
 */
#ifndef PGW_CLI_CERTIFY_CLIENT_H
#define PGW_CLI_CERTIFY_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "certify.h"
#include "certify_report.h"

/* How the scripted server authenticates. */
typedef enum cc_auth {
  CC_TRUST = 0,
  CC_CLEAR,
  CC_MD5,
  CC_SCRAM,
  CC_SCRAM_BADSIG,   /* a wrong ServerSignature: the client must abort */
  CC_SCRAM_BADNONCE, /* a server nonce not extending the client's */
  CC_SCRAM_PLUS,     /* -PLUS offered first on a plain connection */
  CC_SASL_UNKNOWN,   /* only a mechanism nobody knows */
  CC_REJECT          /* any password gets FATAL 28P01 */
} cc_auth;

/* Startup behaviour and what a case needs to show anything. */
enum {
  CC_SPLIT = 1 << 0,          /* every byte in its own TCP write */
  CC_DOWNGRADE = 1 << 1,      /* NegotiateProtocolVersion 3.0 for 3.2 */
  CC_NO_KEY = 1 << 2,         /* no BackendKeyData */
  CC_MANY_PARAMS = 1 << 3,    /* 40 ParameterStatus, unknown names too */
  CC_NOTICE_START = 1 << 4,   /* NoticeResponse before ReadyForQuery */
  CC_FATAL_START = 1 << 5,    /* FATAL instead of authentication */
  CC_FATAL_AFTER_OK = 1 << 6, /* AuthenticationOk, then FATAL 53300 */
  CC_NEED_32 = 1 << 7,        /* shows something only if 3.2 was asked */
  CC_NEED_30 = 1 << 8,        /* ... only if 3.0 was asked */
  CC_NEED_OPTS = 1 << 9,      /* ... only if _pq_ options were sent */
  CC_NEED_GREASE = 1 << 10,   /* ... only if a minor above 2 was asked */
  CC_NEED_SSL = 1 << 11,      /* ... only if an SSLRequest came */
  CC_NEED_GSS = 1 << 12,      /* ... only if a GSSENCRequest came */
  CC_NEED_SIMPLE = 1 << 13    /* ... only if a simple Query came */
};

/* The scripted answer to the client's first query (simple or extended);
 * later queries get one row of one int4 column. */
typedef enum cc_answer {
  A_ROWS = 0,
  A_EMPTY,
  A_MULTI,
  A_WIDE,
  A_HUGE,
  A_MANY,
  A_NULLS,
  A_COLS,
  A_TAG,
  A_ERR_FULL,
  A_ERR_AFTER_ROWS,
  A_NOTICE_MID,
  A_PS_MID,
  A_NOTIFY_MID,
  A_ASYNC_MID,
  A_TXN_T,
  A_TXN_E,
  A_EXT_ERR_PARSE,
  A_EXT_ERR_BIND,
  A_EXT_ERR_EXEC,
  A_PIPE_ERR_MID,
  A_COPY_IN,
  A_COPY_IN_ERR,
  A_COPY_OUT,
  A_COPY_OUT_ERR,
  A_COPY_OUT_WIDE,
  A_IDLE_NOTIFY,
  A_IDLE_NOTICE,
  A_IDLE_PS,
  A_CANCEL,
  A_FATAL_IDLE,
  A_CLOSE_MID,
  A_CLOSE_NOW,
  A_FATAL_MID
} cc_answer;

/* What the client must show. */
typedef enum cc_want {
  W_QUERY = 0, /* it goes on to a query after the startup */
  W_TERMINATE, /* it ends with Terminate and sends nothing after */
  W_CONTINUES, /* after the error it sends another query */
  W_SYNC,      /* after an error in extended query it sends Sync */
  W_COPY_DONE, /* COPY FROM STDIN ends with CopyDone */
  W_COPY_FAIL, /* COPY FROM STDIN ends with CopyFail */
  W_CANCEL,    /* a CancelRequest with exactly the key, on a new conn */
  W_CLOSE,     /* it closes without another message */
  W_MECH,      /* SCRAM-SHA-256 chosen, channel binding not claimed */
  W_RESTART    /* after 'N' to an SSL/GSSENCRequest, a StartupMessage */
} cc_want;

/* One case: the server's format (id, level, rules, says, script) plus the
 * scripted server's behaviour and the driver action (`--list`). */
typedef struct cc_case {
  cert_case c;
  const char *action; /* query, query2, extended, pipeline, copyin,
                         copyfail, copyout, cancel, listen */
  cc_auth auth;
  unsigned flags;
  int keylen; /* 3.2 cancel key length (3.0: always 4) */
  cc_answer answer;
  cc_want want;
} cc_case;

extern const cc_case cc_cases[];
extern const size_t cc_case_count;

/* The client behaviours cases name (certify_client_rules.c); known: those,
 * certify server's (certify_rules.c) and the library's. */
extern const cert_rule cc_rules[];
extern const size_t cc_rule_count;
int cc_rule_known(const char *id, size_t len);

/* Where the scripted server listens and what it expects. */
typedef struct cc_opts {
  const char *listen, *upstream, *password, *cases, *json, *junit;
  const char *record_dir;
  int serve, list, markdown;
  long connections; /* 0: every selected case once (serve) / until signal */
  int timeout_ms;
} cc_opts;

/* The outcome of one case on its connection(s): what was seen. */
typedef struct cc_seen {
  int startup, ssl, gss, restart, queries, simple, terminated, eof;
  int closed_by_us;
  int sync_after_error, error_sent, copy_done, copy_fail, cancel;
  int sasl, mech_ok, options;
  uint32_t requested; /* the protocol the StartupMessage asked for */
  uint32_t protocol;  /* the one in use after negotiation */
  int no_sync_query;  /* a Query while extended messages wait for Sync */
  char broke[768];    /* the first rule broken, with offset and bytes */
  char broke_rule[96];
  char fail[512]; /* the case's own check that failed */
} cc_seen;

/* `pgw certify client ...` (argv after "client"). */
int cli_certify_client(int argc, char **argv);

/* Scripted server: serve the selected cases on lfd; results in d. Returns
 * the number of cases run (stops early on a signal). */
size_t cc_serve(int lfd, const cc_case *const *sel, size_t n, const cc_opts *o,
                cert_done *d, volatile int *stop);

/* Proxy: forward to o->upstream; every finished connection appends one or
 * more results (FAIL per broken rule) to *d. Returns the count. */
size_t cc_proxy(int lfd, const cc_opts *o, cert_done **d, size_t *cap,
                volatile int *stop);

/* Free the entries cc_proxy() made (d itself stays the caller's). */
void cc_proxy_free(cert_done *d, size_t n);

/* The verdict of a served case from what was seen. */
void cc_judge(const cc_case *k, const cc_seen *s, cert_result *r);

/* "offset N: 51 00 00 00 ..": up to 24 bytes of b from off. */
void cc_hex(char *out, size_t n, const uint8_t *b, size_t len, size_t off);

#endif
