/*
 * record_conn.h - one proxied connection of `pgw record`: the two
 * sockets, the bytes read from each and not yet written to the other,
 * the session file, and the lenient observer that learns metadata.
 *
 * Memory per connection is bounded: a side is read from only when
 * what was read from it before has all been written to its peer, so at
 * most REC_BUF bytes wait per direction whatever a peer announces.
 */
#ifndef PGW_CLI_RECORD_CONN_H
#define PGW_CLI_RECORD_CONN_H

#include "record_file.h"

/* Largest read(2), and so the largest chunk of a session line. */
#define REC_BUF 65536

struct cli_tls;
struct cli_tls_ctx;

/* --tls-cert: the contexts of both legs and the upstream's host name. */
typedef struct rec_tls_cfg {
  const struct cli_tls_ctx *server; /* the client leg: pgw is the server */
  const struct cli_tls_ctx *client; /* the server leg */
  const char *host;                 /* SNI / verified name; NULL none */
} rec_tls_cfg;

/* Terminating TLS (with a rec_tls_cfg). */
typedef enum rec_tls_state {
  REC_TLS_NONE,      /* clear bytes */
  REC_TLS_HANDSHAKE, /* both handshakes under way: nothing forwarded */
  REC_TLS_ON         /* decrypted bytes forwarded and recorded */
} rec_tls_state;

typedef enum rec_state {
  REC_FREE,       /* slot unused */
  REC_CONNECTING, /* upstream connect(2) in progress */
  REC_OPEN,       /* forwarding */
  REC_REJECTING   /* over --max-connections: answering with an error */
} rec_state;

typedef struct rec_side {
  int fd;       /* the socket this side's bytes are read from; -1 none */
  int eof;      /* read returned 0 */
  int shut;     /* the peer's write side was shut down after eof */
  uint8_t *buf; /* bytes read from fd, buf[pos..len) not yet written */
  size_t len, pos;
  struct cli_tls *tls; /* TLS on fd once terminated; NULL clear */
  short rwant;         /* TLS: the event a blocked read waits for */
  short wwant;         /* TLS: the event a blocked write to fd waits for */
  int done;            /* TLS: this leg's handshake finished */
} rec_side;

typedef struct rec_conn {
  rec_state state;
  int number;       /* accepted connections, counted from 1 */
  long deadline_ms; /* REC_CONNECTING, REC_REJECTING: give up then */
  rec_side s[2];    /* s[PGW_FRONTEND]: client; s[PGW_BACKEND]: server */
  rec_file file;
  pgw_observer watch;
  int sniffing;   /* the observer still follows (until ReadyForQuery) */
  int recording;  /* 0 after a switch to TLS */
  int direct_ssl; /* the client opened with TLS */
  char *meta_key, *meta_value; /* learned, not yet written */
  const char *tls_note;
  const rec_tls_cfg *tls_cfg; /* NULL: TLS is forwarded, not terminated */
  rec_tls_state tls;
  int tls_pending_start; /* the 'S' answer is on its way to the client */
  size_t client_bytes;   /* read from the client so far */
} rec_conn;

/* Bytes of side d are waiting for the peer. */
#define REC_PENDING(c, d) ((c)->s[d].pos < (c)->s[d].len)

/* Start: client accepted, upstream socket with connect(2) issued (or
 * done). Allocates the buffers and the observer: 0 or -1. */
int rec_conn_start(rec_conn *c, int client, int upstream, int connecting,
                   int number, long deadline_ms);

/* The upstream connect finished (POLLOUT): 0, or -1 (reason on stderr). */
int rec_conn_connected(rec_conn *c, const char *upstream);

/* Open the session file (when connected). */
int rec_conn_open_file(rec_conn *c, const char *base, int *next_number,
                       const char *note, long now_ms);

/* Move bytes from side dir to its peer given dir's and the peer's poll
 * results. Returns -1 when the connection is over. */
int rec_conn_pump(rec_conn *c, pgw_dir dir, short rev_from, short rev_to,
                  long now_ms);

/* Close both sockets, finish the session file, free; the slot is free. */
int rec_conn_end(rec_conn *c);

#endif
