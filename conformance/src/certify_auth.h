/*
 * certify_auth.h - the client side of authentication for certify:
 * cleartext, MD5 and SCRAM-SHA-256, inside TLS SCRAM-SHA-256-PLUS with
 * tls-server-end-point channel binding when offered (scram.h does the
 * hashing).
 */
#ifndef PGW_CLI_CERTIFY_AUTH_H
#define PGW_CLI_CERTIFY_AUTH_H

#include "certify_peer.h"

typedef struct cert_auth {
  const char *user;
  const char *password;   /* NULL: none given */
  char client_bare[160];  /* SCRAM client-first-message-bare */
  char server_first[512]; /* SCRAM server-first-message */
  char server_sig64[64];  /* the ServerSignature we expect, base64 */
  char gs2[64];           /* the GS2 header sent: "n,," or "p=...,," */
  int plus;               /* inside TLS and offered: SCRAM-SHA-256-PLUS */
  int require_plus;       /* 1: a case wants channel binding; 2: with the
                             binding data corrupted */
} cert_auth;

/* cert_auth_answer()'s result when the case wants SCRAM-SHA-256-PLUS and
 * the server does not offer it (the case ends UNSUPPORTED). */
#define CERT_AUTH_NO_PLUS (-2)

void cert_auth_init(cert_auth *a, const char *user, const char *password);

/* Answer authentication request m (not AuthenticationOk) on p. 0, or -1
 * with a one-line reason in err (no password, unknown method, a wrong
 * server signature, ...). */
int cert_auth_answer(cert_auth *a, cert_peer *p, const pgw_message *m,
                     char *err, size_t n);

#endif
