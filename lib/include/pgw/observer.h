/*
 * pgw/observer.h - one connection seen from the middle (a proxy, pooler,
 * recorder or dump tool): both directions' decoders and one state machine
 * kept in step, still without I/O.
 *
 * Feed each direction's bytes as they cross the middle, in wire order,
 * and drain that direction's messages before feeding the next chunk of
 * either side:
 *
 *   pgw_observer_feed(&o, PGW_FRONTEND, chunk, n);
 *   while ((rc = pgw_observer_next(&o, PGW_FRONTEND, &m)) == PGW_OK) use(&m);
 *   if (rc < 0) report(pgw_observer_error(&o));   // else PGW_NEED_MORE
 *
 * Every message goes through the state machine (pgw/state.h) as sent by
 * its direction, and what the state learns is handed to both decoders:
 * the framing each side needs next (startup packet, one-byte SSL/GSS
 * answer, standard), the negotiated protocol, which 'p' message the
 * client sends. Nothing is re-derived by the caller.
 *
 * View lifetime: as for pgw_decoder (valid until the next call on the
 * observer for the same direction, while the fed chunk is unchanged).
 *
 * Errors are sticky for the whole connection: after a failure every call
 * returns it; pgw_observer_error() says which direction, where and why,
 * with the rule. Modes (pgw/rule.h): strict, reference (documented-level
 * deviations counted as warnings, the message returned with PGW_OK),
 * lenient.
 *
 * Encryption: after an 'S' or 'G' answer (phase TLSHandshake) or a
 * direct-SSL client (PGW_DIRECT_SSL from the frontend), the bytes are
 * encrypted; a middle that terminates TLS calls pgw_observer_tls_on()
 * and continues with the decrypted bytes.
 *
 * Memory: the object lives where the caller puts it; the decoders'
 * reassembly buffers and the state's queue use the allocator.
 */
#ifndef PGW_OBSERVER_H
#define PGW_OBSERVER_H

#include "pgw/state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pgw_observer_options {
  /* PGW_MODE_STRICT (0), _REFERENCE or _LENIENT, for decoders and state. */
  pgw_mode mode;
  /* Highest protocol the server offers; 0 unknown (pgw_decoder_options). */
  uint32_t server_protocol;
  /* PostgreSQL major version of the server; 0 unknown (pgw_decoder_options). */
  unsigned server_version;
  /* Largest message of either side; 0: PGW_MAX_MESSAGE_LEN. */
  size_t max_message_len;
  /* Where the connection stands (see pgw_state_options). */
  pgw_phase start_phase;
  uint32_t protocol;
  /* NULL: malloc. */
  const pgw_allocator *allocator;
} pgw_observer_options;

/* Private fields; public so that it can live on the stack. */
typedef struct pgw_observer {
  pgw_decoder dec[2]; /* indexed by pgw_dir: the bytes that side sends */
  pgw_state state;
  int status; /* sticky error */
  pgw_dir error_dir;
  pgw_error error;
  pgw_error warning;
  size_t warnings;
  uint64_t synced[2]; /* what the decoders were last told (observer.c) */
} pgw_observer;

/* Initialise; opts may be NULL (strict, from the startup). Returns 0 or
 * PGW_ERR_INVALID_ARGUMENT (bad start phase). */
int pgw_observer_init(pgw_observer *o, const pgw_observer_options *opts);

/* Release both decoders' buffers and the state's queue. */
void pgw_observer_free(pgw_observer *o);

/* The next chunk of bytes sent by dir (not copied). Returns 0, or
 * PGW_ERR_INVALID_ARGUMENT when bytes of dir's previous chunk are unread
 * or dir is not PGW_FRONTEND/PGW_BACKEND. */
int pgw_observer_feed(pgw_observer *o, pgw_dir dir, const uint8_t *data,
                      size_t len);

/*
 * Next message sent by dir, decoded and checked against the phase.
 * Returns PGW_OK (*m set, state advanced), PGW_NEED_MORE (dir's chunk is
 * used up; *m untouched), PGW_DIRECT_SSL (the client opened with TLS:
 * state in phase TLSHandshake; *m zeroed), or a sticky error: a decoder
 * error (*m zeroed, wire_len 0) or a state error (*m holds the message
 * the state refused); every later call returns it again with *m zeroed.
 */
int pgw_observer_next(pgw_observer *o, pgw_dir dir, pgw_message *m);

/* dir's stream ended: 0, or PGW_ERR_END_OF_STREAM inside a message. */
int pgw_observer_finish(pgw_observer *o, pgw_dir dir);

/* Encryption established (phase TLSHandshake): both decoders restart on
 * the decrypted bytes at their current offsets, the client with a startup
 * packet. Returns PGW_ERR_INVALID_ARGUMENT in another phase, and the
 * sticky PGW_ERR_UNEXPECTED_MESSAGE if part of a plaintext message came
 * after the answer (injected bytes). */
int pgw_observer_tls_on(pgw_observer *o);

pgw_phase pgw_observer_phase(const pgw_observer *o);
const pgw_state *pgw_observer_state(const pgw_observer *o);

/* The sticky error (code 0 if none) and the direction it came from. */
const pgw_error *pgw_observer_error(const pgw_observer *o, pgw_dir *dir);

/* Deviations accepted so far (reference, lenient) and the last one. */
size_t pgw_observer_warnings(const pgw_observer *o);
const pgw_error *pgw_observer_warning(const pgw_observer *o);

#ifdef __cplusplus
}
#endif

#endif /* PGW_OBSERVER_H */
