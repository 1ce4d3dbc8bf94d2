/* replay_int.h - the parts of `pgw replay` (replay*.c) share the
 * replayer: the recording, the live peer, the normalisers and what the
 * live conversation has taught so far. */
#ifndef PGW_CLI_REPLAY_INT_H
#define PGW_CLI_REPLAY_INT_H

#include "normalize.h"
#include "replay.h"
#include "replay_rec.h"
#include "scram.h"

#define CANCEL_QUIET_MS 300
#define MAX_LO 256

/* live_next() results besides PGW_OK and PGW_ERR_* */
enum { R_EOF = 100, R_TIMEOUT = 101, R_EXTRA = 102, R_IOERR = 103 };

/* The live peer: a socket and a pgw_conn of pgw's role. */
struct cli_tls;
typedef struct live {
  int fd;
  struct cli_tls *tls; /* TLS on fd (replaying a TLS session); NULL clear */
  pgw_conn conn;
  uint8_t buf[65536];
  int eof;
} live;

typedef struct replayer {
  const cli_replay_opts *o;
  const char *password;
  recording rec;    /* the main session */
  recording cancel; /* paired cancel session, if has_cancel */
  int has_cancel, cancel_done;
  int timeout_ms;
  live lv;
  cli_norm nrec, nlive;
  pgw_buf na, nb, out;
  size_t ok;      /* messages matched or sent */
  long last_sent; /* index of the last message pgw sent, -1 none */
  /* live authentication state */
  int32_t live_auth;
  uint8_t live_salt[4];
  char *client_first; /* SCRAM client-first-message (the live one or the
                         replayed one) */
  size_t client_first_len;
  char *server_first; /* SCRAM server-first-message (live or built) */
  size_t server_first_len;
  uint8_t server_sig[CLI_SCRAM_KEY_LEN];
  int have_sig;
  /* live BackendKeyData */
  int live_key_seen;
  rkey live_key;
  /* large objects: recorded OID -> live OID */
  uint32_t lo_rec[MAX_LO], lo_live[MAX_LO];
  size_t nlo;
  int listen_fd;
  struct cli_tls_ctx *tls_server; /* --to-client of a TLS session */
  int seen_copy_both; /* live: a CopyBothResponse came (replication) */
  size_t keepalives_skipped;
  int encoding_differs; /* a message pgw re-encoded differs from the
                           recording: reported, and the replay fails */
} replayer;

/* replay_live.c: the live peer */
void live_close(live *l);
/* live_open(), or -1 with fd closed and "cannot initialise WHAT". */
int live_open_or_fail(replayer *r, live *l, int fd, pgw_dir role,
                      const char *what);
/* Next message from the peer: PGW_OK (views valid until the next call),
 * R_EOF, R_TIMEOUT, R_EXTRA (extra_fd became readable first), R_IOERR, or
 * the connection's error (PGW_ERR_*, PGW_DIRECT_SSL). */
int live_next(live *l, pgw_message *m, int timeout_ms, int extra_fd);
/* Send m on l (through TLS once l has it): 0, a PGW_ERR_* of pgw_conn_send,
 * or -1 if the write failed. */
int live_send(live *l, const pgw_message *m);
/* Describe a live_next() failure of l (buf holds it if needed). */
const char *live_why(const replayer *r, const live *l, int rc, char *buf,
                     size_t n);

/* replay_check.c: comparing and reporting */
void replay_show(const char *label, pgw_dir dir, pgw_phase phase,
                 const pgw_message *m);
/* Report a mismatch at recorded message i of rec: `actual` is the live
 * message (NULL when there is none, then `why` says what happened
 * instead). Returns -1. */
int replay_mismatch(replayer *r, const recording *rec, size_t i,
                    const pgw_message *actual, pgw_phase live_phase,
                    const char *why);
/* An error that is not a mismatch of one message: fmt has one %s, for
 * detail. Returns -1. */
int replay_fail(replayer *r, const char *fmt, const char *detail);

/* replay_tls.c: TLS with the live server (--to-server). Handshake on l
 * (direct: before anything; otherwise after the 'S', then
 * pgw_conn_tls_established): 0 or -1 (reported). */
int replay_tls_start(replayer *r, live *l, int direct);
/* --to-client: the server end of the handshake with the client on l
 * (after the recorded 'S' was sent, or at once for direct SSL: the
 * client's ClientHello is peeked at so that l's conn sees it), then
 * pgw_conn_tls_established: 0 or -1 (reported). */
int replay_tls_accept(replayer *r, live *l, int direct);
/* --to-client: 1 if the client's c= (base64) binds to the certificate
 * this replay presents (or binds to nothing: "n,," / "y,,"), else 0. */
int replay_tls_client_binding_ok(const replayer *r, pgw_str c);
/* The recorded SCRAM c= attribute for the live connection: a
 * tls-server-end-point binding gets the live server's certificate hash
 * (base64 into out); other values are kept. 0, or -1. */
int replay_tls_binding(const replayer *r, pgw_str c, char *out, size_t cap,
                       pgw_str *live_c);
/* Compare recorded message i of rec with live message m (both normalised
 * with their conversation's context): 0 or -1 (reported). */
int replay_compare(replayer *r, const recording *rec, size_t i,
                   const pgw_message *m, pgw_phase live_phase);
/* A live ParameterStatus server_version tells the normalisers whether
 * the server is the recorded one. */
void replay_note_server(replayer *r, const pgw_message *m);
/* Send lm (the live version of recorded message i, rm) through the live
 * connection into r->out; `changed`: lm is not rm, so its encoding is not
 * compared with the recording. 0, or -1 (reported). */
int replay_send(replayer *r, size_t i, const pgw_message *rm,
                const pgw_message *lm, int changed);
/* Send the live versions of chunk ch's messages (send_one each) in one
 * write: 0, or -1 (reported). */
int replay_send_chunk(replayer *r, const rchunk *ch,
                      int (*send_one)(replayer *r, size_t i));
/* After the recording: the peer must send nothing more (and close if the
 * session ended). 0, or -1 (reported). */
int replay_expect_end(replayer *r);
/* Keep the client's SCRAM client-first-message (len -1: none). */
void replay_keep_client_first(replayer *r, pgw_value data);

/* replay_server.c, replay_client.c */
int replay_to_server(replayer *r);
int replay_to_client_once(replayer *r, int fd);
/* --to-client: the connection fd that arrived besides the session's. */
int replay_serve_cancel(replayer *r, int fd);

#endif /* PGW_CLI_REPLAY_INT_H */
