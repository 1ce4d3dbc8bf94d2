/*
 * certify_script.h - the language of a case's script.
 *
 * One step per line; words are split at spaces, "double quotes" group
 * (with \n \t \r \\ \" escapes). A '$' anywhere is the sweep value.
 *
 *   login [VER] [name=value]...   startup then `expect AUTH K? Z`
 *   startup [VER] [name=value]... [-user] [-database]   StartupMessage
 *   ssl | gss                      SSLRequest | GSSENCRequest
 *   cancelreq PID KEYHEX           CancelRequest on this connection
 *   cancel [wrong]                 a second connection cancels this one
 *                                  with its BackendKeyData (or a wrong key)
 *   Q "sql"   P name "sql" [oid]...   B portal stmt [value|NULL|hex:..]...
 *             [pf=0|1] [rf=0|1]   Ds|Dp name   E portal [maxrows]
 *   Cs|Cp name   S   H   X   d "data"   c   f "message"
 *   F oid [arg]... [rf=0|1]        FunctionCall (text arguments)
 *   !VERB ...                      VERB encoded but not checked by the
 *                                  state machine (out of order on purpose)
 *   raw HEX|NxHH ...               bytes as given (NxHH: N bytes HH)
 *   times N VERB ...               the send N times
 *   slow MS                        the next send one byte every MS ms
 *   sleep MS   quiet MS [or-close] wait; expect no answer for MS ms (or
 *                                  the server closing)
 *   ssl pipelined                  SSLRequest and a StartupMessage in one
 *                                  write (the conn sees the SSLRequest)
 *   plus [wrong]                   the next login uses SCRAM-SHA-256-PLUS
 *                                  (UNSUPPORTED if not offered); wrong:
 *                                  corrupt the channel binding data
 *   starttls [direct] [noalpn]     the TLS handshake now (after S; direct:
 *                                  first thing, ALPN postgresql unless
 *                                  noalpn)
 *   shutdown                       half-close our side
 *   expect ALT | ALT ...           one of the answers (see below)
 *
 * An answer is a sequence of tokens: a backend type byte (T D C Z E ...)
 * or message name, optionally =VALUE (what it is checked against is in
 * certify_expect.c: SQLSTATE or severity for E/N, status for Z, tag for
 * C, column values a|b for D, ...; a trailing % matches a prefix), then
 * optionally a quantifier ? * + or {N}. AUTH runs the authentication
 * exchange up to AuthenticationOk; close is the server closing; . is any
 * message; bytes is an answer pgw cannot frame (only after raw input). An
 * answer starting with ~ is the documented way to decline: the case ends
 * UNSUPPORTED. NoticeResponse, ParameterStatus and NotificationResponse may
 * come anywhere unless the answer names them.
 */
#ifndef PGW_CLI_CERTIFY_SCRIPT_H
#define PGW_CLI_CERTIFY_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "pgw/pgw.h"

#define CERT_MAX_WORDS 256

typedef struct cert_line {
  int argc;
  char *argv[CERT_MAX_WORDS];
  char *store; /* the words, grown as needed */
  size_t cap;
} cert_line;

/* Split one line; 0, or -1 with err (unterminated quote, too many words,
 * no memory). */
int cert_line_split(cert_line *l, const char *text, size_t n, char *err,
                    size_t en);
void cert_line_free(cert_line *l);

/* Token kinds beyond pgw_kind. */
enum { CERT_T_AUTH = 1000, CERT_T_CLOSE, CERT_T_ANY, CERT_T_BYTES };
/* The pseudo-kind of bytes pgw cannot frame after raw input (the token
 * "bytes"): a peer answering in another protocol version. */
#define CERT_UNFRAMED PGW_MSG_KIND_COUNT

typedef struct cert_tok {
  int kind;          /* pgw_kind or CERT_T_* */
  uint8_t answer;    /* SSL=/GSS= answers: 'S', 'G', 'N' */
  const char *value; /* NULL: any */
  int prefix;        /* value ended with % */
  char quant;        /* 0, '?' or '*' ({N} and + are expanded) */
  const char *text;  /* as written */
} cert_tok;

#define CERT_MAX_ALTS 8
#define CERT_MAX_TOKS 1024

typedef struct cert_alt {
  size_t first, n; /* toks[first .. first + n) */
  int unsupported;
  int names_notice, names_status, names_notify;
} cert_alt;

typedef struct cert_pattern {
  cert_alt alts[CERT_MAX_ALTS];
  size_t nalts;
  cert_tok toks[CERT_MAX_TOKS];
  size_t ntoks;
} cert_pattern;

/* Parse words argv[0..argc) (after "expect"); the pattern points into
 * them. 0, or -1 with err. */
int cert_pattern_parse(cert_pattern *p, int argc, char **argv, char *err,
                       size_t en);

/* Parse hex words and NxHH runs into out (grown with realloc). Returns
 * the length, or -1. */
long cert_hex_parse(int argc, char **argv, uint8_t **out);

#endif
