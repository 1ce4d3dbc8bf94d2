/*
 * certify_peer.h - the server under test, seen from one client
 * connection: a socket with deadlines, pgw's strict frontend conn that
 * checks every answer, and the traffic kept as a session file.
 *
 * Raw bytes (malformed input, messages sent out of order on purpose) are
 * beyond what the strict state machine can follow: after the first, the
 * peer "desyncs" and reads the rest of the answers with a lenient conn
 * in standard framing (the case's own expectation still checks them).
 */
#ifndef PGW_CLI_CERTIFY_PEER_H
#define PGW_CLI_CERTIFY_PEER_H

#include <stdio.h>

#include "pgw/pgw.h"
#include "tls.h"

/* cert_peer_next() results besides PGW_OK and PGW_ERR_*. */
enum { CERT_EOF = 100, CERT_TIMEOUT = 101, CERT_IOERR = 102 };

typedef struct cert_peer {
  int fd;
  pgw_conn strict; /* every answer, until a desync */
  pgw_conn loose;  /* after a desync: lenient */
  int desynced;
  size_t loose_base; /* backend offset where loose began */
  size_t fe_off, be_off;
  int eof;
  int slow_ms;  /* next send: one byte every slow_ms */
  FILE *rec;    /* the session file, or NULL */
  cli_tls *tls; /* after cert_peer_starttls(): every byte through it */
  pgw_buf out;
  uint8_t buf[65536];
} cert_peer;

/* Connect; rec_path NULL or the .pgs to write. 0, or -1 with err. */
int cert_peer_open(cert_peer *p, const char *addr, int timeout_ms,
                   const char *rec_path, const char *note, char *err, size_t n);
void cert_peer_close(cert_peer *p);

/* Send m through the strict conn (which must allow it). 0, -1 on a
 * socket error, or pgw's refusal (PGW_ERR_*; pgw_conn_error() tells). */
int cert_peer_send(cert_peer *p, const pgw_message *m);
/* Send m encoded but unchecked, or raw bytes: desyncs. 0 or -1. */
int cert_peer_send_unchecked(cert_peer *p, const pgw_message *m);
int cert_peer_send_raw(cert_peer *p, const uint8_t *b, size_t n);

/* Next answer within timeout_ms: PGW_OK (*m valid until the next call),
 * CERT_EOF, CERT_TIMEOUT, CERT_IOERR, or the conn's PGW_ERR_*. */
int cert_peer_next(cert_peer *p, pgw_message *m, int timeout_ms);

/* The conn answers are read with now, and its last error. */
const pgw_conn *cert_peer_conn(const cert_peer *p);
/* Stream offset of m (backend direction). */
size_t cert_peer_offset(const cert_peer *p, const pgw_message *m);

/* Bring TLS up on the connection: after an S answer to SSLRequest, or
 * first thing (direct: ALPN "postgresql" unless noalpn). host is sent as
 * SNI and, with ca, verified. The strict conn resumes inside TLS and the
 * session file gets "@ tls on". 0, or -1 with the reason in err (the
 * connection is then closed: reads see the end of the stream). */
int cert_peer_starttls(cert_peer *p, int direct, int noalpn, const char *host,
                       const char *ca, int timeout_ms, char *err, size_t n);
/* SSLRequest and the bytes b[0..n) in one write (the strict conn sees
 * the SSLRequest only). 0, -1 on a socket error, or pgw's refusal. */
int cert_peer_send_ssl_pipelined(cert_peer *p, const uint8_t *b, size_t n);

/* Half-close: no more bytes from us. */
void cert_peer_shutdown(cert_peer *p);

#endif
