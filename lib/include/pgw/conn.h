/*
 * pgw/conn.h - one end of a connection: a decoder for the peer's bytes and
 * the state machine, coordinated. Still no I/O: bytes in, messages out;
 * messages in, bytes out.
 *
 * Frontend role: you send frontend messages and receive the backend's.
 * Backend role: the reverse. After every message, sent or received, the
 * conn moves the state and hands the decoder what it needs for the next
 * one (framing, which SSL/GSS answer, negotiated protocol, which 'p'), so
 * the caller never sets framing by hand.
 *
 * Receive:
 *   pgw_conn_receive(&c, chunk, n);
 *   while ((rc = pgw_conn_next(&c, &msg)) == PGW_OK) use(&msg);
 *   if (rc < 0) report(pgw_conn_error(&c));   // else PGW_NEED_MORE
 * Send:
 *   pgw_conn_send(&c, &msg, &out);            // appends to out
 *
 * View lifetime: as pgw/decoder.h: a received message's views are valid
 * until the next pgw_conn_next(), _receive(), _tls_established() or
 * _free(), and, when they point into the caller's chunk, while it is
 * unchanged.
 */
#ifndef PGW_CONN_H
#define PGW_CONN_H

#include "pgw/state.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Hook called after a message was sent (bytes: its encoding) or received
 * (bytes: the message exactly as on the wire), with the state already
 * advanced. bytes are valid during the call only. A non-zero return is
 * passed back as the result of pgw_conn_send()/pgw_conn_next() (the
 * message still counts as sent/received).
 */
typedef int (*pgw_conn_hook)(void *user, const pgw_message *m,
                             const uint8_t *bytes, size_t len);

typedef struct pgw_conn_options {
  /* PGW_FRONTEND: this end is the client. PGW_BACKEND: the server. */
  pgw_dir role;
  /* Lenient decoding and state (see pgw_decoder_options and
   * pgw_state_options). */
  int lenient;
  /* PGW_MODE_STRICT (default), _REFERENCE or _LENIENT for the decoder and
   * the state (pgw/rule.h); lenient != 0 means PGW_MODE_LENIENT. In
   * reference mode documented-level deviations are counted
   * (pgw_conn_warnings) and the message is returned with PGW_OK. */
  pgw_mode mode;
  /* Highest protocol version the server offers; 0 unknown (see
   * pgw_decoder_options.server_protocol). */
  uint32_t server_protocol;
  /* PostgreSQL major version of the server; 0 unknown (see
   * pgw_decoder_options.server_version). */
  unsigned server_version;
  /* For the decoder's reassembly buffer, the state's queue and the
   * internal send buffer; NULL: malloc. */
  const pgw_allocator *allocator;
  /* Largest message received (see pgw_decoder_options); 0: 1 GiB - 1. */
  size_t max_message_len;
  /* Poolers: start phase and protocol (see pgw_state_options). */
  pgw_phase start_phase;
  uint32_t protocol;
  pgw_conn_hook on_send;
  pgw_conn_hook on_receive;
  void *hook_user;
} pgw_conn_options;

/* Private fields; public so that it can live on the stack. */
typedef struct pgw_conn {
  pgw_dir role;
  pgw_decoder decoder; /* the peer's bytes */
  pgw_state state;
  pgw_buf scratch; /* pgw_conn_send() with out == NULL */
  pgw_conn_hook on_send, on_receive;
  void *hook_user;
  int status; /* sticky receive error */
  int direct_ssl;
  pgw_error error;
  pgw_error warning; /* the last deviation accepted on receive */
  size_t warnings;
} pgw_conn;

/* Initialise; opts may be NULL (frontend role, strict). Returns 0 or
 * PGW_ERR_INVALID_ARGUMENT (bad role or start phase). */
int pgw_conn_init(pgw_conn *c, const pgw_conn_options *opts);

/* Release the decoder's, the state's and the send buffer's memory. */
void pgw_conn_free(pgw_conn *c);

/* Hand over the next chunk of the peer's bytes (not copied). Call it at
 * the start and whenever pgw_conn_next() returned PGW_NEED_MORE. Returns 0
 * or PGW_ERR_INVALID_ARGUMENT (bytes of the previous chunk unread). */
int pgw_conn_receive(pgw_conn *c, const uint8_t *data, size_t len);

/*
 * Next message from the peer, checked by the decoder and the state.
 * Returns PGW_OK (*m set, state advanced, receive hook called),
 * PGW_NEED_MORE, PGW_DIRECT_SSL (backend role: the client opened with
 * TLS; do the handshake, then pgw_conn_tls_established()), or an error:
 * decoder errors (framing, content; *m is zeroed, wire_len 0: there is
 * no message), PGW_ERR_UNEXPECTED_MESSAGE or PGW_ERR_CONNECTION_CLOSED
 * from the state (then *m holds the offending message, wire_len > 0; the
 * decoder also reports a peer that sent bytes before a framing change as
 * PGW_ERR_UNEXPECTED_MESSAGE, with no message). Errors are sticky on the
 * first call; later calls return the code and leave *m alone.
 * pgw_conn_error() tells the stream offset, reason and rule. Reference and
 * lenient modes: deviations the mode lets through are counted
 * (pgw_conn_warnings) and the message is returned with PGW_OK.
 */
int pgw_conn_next(pgw_conn *c, pgw_message *m);

/*
 * Batch read of result rows (frontend role): while rows of a result are
 * due, the DataRows that lie whole in the current chunk, with the column
 * count of their RowDescription, their values row after row into
 * values[0..cap) (pgw_decoder_rows()); *ncols is set to that count. The
 * state is as after pgw_conn_next() on each (rows change nothing). The
 * first message that is not such a row is left to pgw_conn_next(), which
 * takes it or reports its error.
 * Ownership: values are views into the chunk passed to
 * pgw_conn_receive(), valid while it is unchanged.
 * Returns:
 *   the number of rows read, 0 when none (no rows due, a receive hook
 *   set, a sticky error, an unknown column count, or the next message is
 *   no such row): call pgw_conn_next();
 *   PGW_ERR_INVALID_ARGUMENT  c, values or ncols NULL.
 */
int pgw_conn_rows(pgw_conn *c, pgw_value *values, size_t cap, size_t *ncols);

/* End of the peer's stream: 0, or PGW_ERR_END_OF_STREAM if it ended
 * inside a message. */
int pgw_conn_finish(pgw_conn *c);

/*
 * Send m: check it against the state (it must be a message of this
 * end's role allowed now), encode it, append the bytes to out, advance the
 * state, then call the send hook. out may be NULL when a send hook is set:
 * the bytes then go to the hook only (from an internal buffer kept across
 * calls). On failure nothing is appended and the state is unchanged;
 * returns the encoder's or the state's error (pgw_conn_error() has the
 * state's reason).
 */
int pgw_conn_send(pgw_conn *c, const pgw_message *m, pgw_buf *out);

/* m was sent by this end without pgw_conn_send(): a proxy forwarded the
 * peer's original bytes, or m could not be re-encoded (a malformed body
 * accepted in reference or lenient mode). Checks and advances the state
 * as pgw_conn_send() does; nothing is encoded and no hook is called. */
int pgw_conn_forwarded(pgw_conn *c, const pgw_message *m);

/*
 * Encryption is up (phase TLSHandshake after an 'S'/'G' answer, or after
 * PGW_DIRECT_SSL / a direct-SSL client in phase Startup): the decoder
 * restarts on the decrypted stream, expecting a startup packet, at the
 * current stream offset. Returns PGW_ERR_INVALID_ARGUMENT in other phases,
 * PGW_ERR_UNEXPECTED_MESSAGE if unencrypted bytes of a message arrived
 * after the answer (the CVE-2021-23214/23222 injection).
 */
int pgw_conn_tls_established(pgw_conn *c);

pgw_phase pgw_conn_phase(const pgw_conn *c);
const pgw_state *pgw_conn_state(const pgw_conn *c);
/* The last error (code 0 if none); its rule names what was broken. */
const pgw_error *pgw_conn_error(const pgw_conn *c);

/* Deviations accepted so far while receiving (reference or lenient mode),
 * in the decoder and in the state. */
size_t pgw_conn_warnings(const pgw_conn *c);
/* The last deviation accepted while receiving (code 0 if none): offset,
 * reason and rule as for an error. */
const pgw_error *pgw_conn_warning(const pgw_conn *c);

#ifdef __cplusplus
}
#endif

#endif /* PGW_CONN_H */
