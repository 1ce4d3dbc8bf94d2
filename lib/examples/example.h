/*
 * example.h - what the examples share and that is not pgw's job: sockets,
 * the "key=value ..." connection string, and the password exchanges
 * (auth.c: md5 and SCRAM-SHA-256 through OpenSSL's libcrypto; pgw depends
 * on nothing). Written for clarity, not as a library.
 */
#ifndef PGW_EXAMPLE_H
#define PGW_EXAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "pgw/pgw.h"

/* "host=H port=P user=U dbname=D [password=W]"; missing keys are "". */
typedef struct ex_conninfo {
  char host[256], port[16], user[64], dbname[64], password[128];
} ex_conninfo;

int ex_parse_conninfo(const char *s, ex_conninfo *ci); /* 0 or -1 */
/* The StartupMessage for ci (protocol 3.0; database defaults to the
 * user); views into ci and p, which must outlive *m. */
void ex_startup(pgw_message *m, pgw_param p[2], const ex_conninfo *ci);

/* A connected TCP socket (host "127.0.0.1") or unix socket (host a
 * directory: HOST/.s.PGSQL.PORT); -1 with a message on stderr. */
int ex_connect(const char *host, const char *port);
/* A listening TCP socket on 127.0.0.1:port; -1 on failure. */
int ex_listen(const char *port);
/* Write all of p[0..n): 0 or -1. */
int ex_write_all(int fd, const uint8_t *p, size_t n);
/* Write b's bytes and clear it: 0 or -1. */
int ex_flush(int fd, pgw_buf *b);
/* Print an ErrorResponse or NoticeResponse as "SEVERITY: message". */
void ex_print_notice(const char *who, const pgw_message *m);

/* The client's side of password authentication. */
typedef struct ex_auth {
  const char *user, *password;
  char nonce[64];
  char first_bare[128];   /* client-first-message-bare */
  uint8_t server_sig[32]; /* expected in AuthenticationSASLFinal */
  uint8_t out[512];       /* the bytes of the last answer */
} ex_auth;

/*
 * Answer an Authentication request into *answer (views into a's buffers,
 * valid until the next call). Returns 1 (send *answer), 0 (nothing to
 * send: AuthenticationOk, or SASLFinal verified) or -1 (unsupported, or
 * the server's SCRAM signature is wrong), with a message on stderr.
 */
int ex_auth_answer(ex_auth *a, const pgw_authentication *req,
                   pgw_message *answer);

#endif
