/*
 * pgw/decoder.h - incremental stream decoder: bytes in, framed and strictly
 * decoded messages out, for one direction of one connection.
 *
 * Three framings: startup packets (length word, no type byte), the one-byte
 * answers to SSLRequest/GSSENCRequest, and standard messages (type byte and
 * length word). The frontend decoder starts in startup framing and moves to
 * standard framing after a StartupMessage by itself; everything else the
 * decoder cannot know (an SSL answer is due, the negotiated protocol
 * version, which 'p' message the client sends) is set by the caller or by
 * the state layer.
 *
 * Usage:
 *   pgw_decoder_feed(&d, chunk, n);
 *   while ((rc = pgw_decoder_next(&d, &msg)) == PGW_OK) use(&msg);
 *   if (rc < 0) report(pgw_decoder_error(&d));   // else PGW_NEED_MORE
 *
 * View lifetime: a message's views point either into the caller's chunk
 * (when the whole message was in it: zero copy) or into the decoder's
 * reassembly buffer (when it was split across chunks). Either way they are
 * valid until the next call of pgw_decoder_next(), _feed(), _reset() or
 * _free() on this decoder, and, for views into the chunk, while the chunk
 * is unchanged. When pgw_decoder_next() returns PGW_NEED_MORE the decoder
 * has copied what it needs of a partial message, so the caller may reuse
 * its chunk.
 *
 * Memory: the decoder object lives where the caller puts it. Only the
 * reassembly buffer is allocated (through the allocator hook), for a
 * split message whose length has been checked against the limits: it
 * doubles as the message's bytes arrive (at most twice what arrived,
 * never past the announced length, so announcing 1 GiB and sending
 * little costs little); it is kept and reused, so steady state allocates
 * nothing.
 *
 * Errors are sticky: once next() fails, it returns the same error until
 * reset; pgw_decoder_error() tells the stream offset and reason.
 */
#ifndef PGW_DECODER_H
#define PGW_DECODER_H

#include "pgw/message.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pgw_framing {
  PGW_FRAMING_STARTUP = 0,     /* length + payload, no type byte */
  PGW_FRAMING_NEGOTIATION = 1, /* one byte answering SSLRequest/GSSENCRequest
                                  ('S'/'N' or 'G'/'N'; an 'E' starts an
                                  ordinary ErrorResponse) */
  PGW_FRAMING_STANDARD = 2     /* type byte + length + payload */
} pgw_framing;

typedef struct pgw_decoder_options {
  /* Largest standard-framed message accepted, type byte and length word
   * included (startup packets have their own fixed limit); 0 means
   * PGW_MAX_MESSAGE_LEN (PostgreSQL's 1 GiB - 1), larger values are capped
   * there. Strict mode additionally applies PostgreSQL's per-message
   * limits (10000 bytes for the frontend's small messages, 30000 for the
   * backend's, as libpq checks, 65535 for authentication tokens). */
  size_t max_message_len;
  /* Non-zero: lenient mode, for proxies and forensics. Unknown type bytes
   * yield PGW_MSG_UNKNOWN, a body that fails to decode is delivered with
   * pgw_message.malformed set, per-message limits are not applied. Framing
   * errors (bad length words, oversize) still fail. */
  int lenient;
  /* PGW_MODE_STRICT (0, the default), _REFERENCE or _LENIENT (pgw/rule.h);
   * lenient != 0 means PGW_MODE_LENIENT. In reference mode a body that
   * fails only a DOCUMENTED rule is delivered as in lenient mode (kind
   * known, pgw_message.malformed set, body zeroed) and the deviation is
   * counted and kept (pgw_decoder_warnings, pgw_decoder_warning); every
   * REFERENCE rule still fails. */
  pgw_mode mode;
  /* Highest protocol version the server offers (PGW_PROTOCOL_3_0, _3_2),
   * or 0 when unknown. Judges what depends on it before anything is
   * negotiated: a CancelRequest to a 3.0-only server carries a 4-byte key. */
  uint32_t server_protocol;
  /* PostgreSQL major version of the server (13, 14, ...), or 0 when
   * unknown (judged as the newest). Decides the limits that changed:
   * PostgreSQL 13 has no per-type limit on typed messages but reads a
   * PasswordMessage under 1000 bytes. */
  unsigned server_version;
  /* Allocator for the reassembly buffer; NULL for malloc. */
  const pgw_allocator *allocator;
} pgw_decoder_options;

/* The decoder's fields are private; the struct is public only so that it
 * can live on the stack or inside another object. */
typedef struct pgw_decoder {
  pgw_dir dir;
  pgw_framing framing;
  uint32_t protocol;
  pgw_kind password_kind;
  pgw_kind answer_kind;
  int lenient; /* mode == PGW_MODE_LENIENT */
  pgw_mode mode;
  uint32_t server_protocol;
  unsigned server_version;
  size_t warnings;
  pgw_error warning;
  /* Set by the state layer for the frontend's bytes: kinds whose body the
   * server will skip unparsed (bit per pgw_kind), and "the server reads
   * nothing more" (after Terminate or a CancelRequest). */
  uint64_t unread;
  int after_end;
  size_t max_len;
  pgw_allocator alloc;
  const uint8_t *chunk;
  size_t chunk_len;
  size_t chunk_pos;
  size_t chunk_offset; /* stream offset of chunk[0] */
  uint8_t head[5];     /* partial header of a split message */
  size_t head_len;
  uint8_t *buf; /* reassembly buffer */
  size_t buf_cap;
  size_t buf_len;
  size_t msg_len;    /* wire length of the message being reassembled */
  size_t msg_offset; /* its stream offset */
  int status;        /* sticky error or PGW_DIRECT_SSL */
  pgw_error error;
} pgw_decoder;

/* Initialise for the bytes sent by dir. Frontend starts in startup
 * framing, backend in standard framing. opts may be NULL. */
void pgw_decoder_init(pgw_decoder *d, pgw_dir dir,
                      const pgw_decoder_options *opts);

/* Release the reassembly buffer. The decoder may be initialised again. */
void pgw_decoder_free(pgw_decoder *d);

/* Forget the current chunk, any partial message and any sticky error;
 * continue at stream offset offset with the given framing (e.g. after the
 * caller terminated TLS). Options, protocol and buffer are kept. */
void pgw_decoder_reset(pgw_decoder *d, pgw_framing framing, size_t offset);

/* Switch framing. PGW_FRAMING_NEGOTIATION expects the answer to an
 * SSLRequest; use pgw_decoder_expect_answer() for a GSSENCRequest. After
 * a one-byte answer the decoder returns to standard framing by itself.
 * A switch while part of a message is buffered means the peer sent bytes
 * before it could know the new framing: next() then fails with the sticky
 * PGW_ERR_UNEXPECTED_MESSAGE at that message's offset. */
void pgw_decoder_set_framing(pgw_decoder *d, pgw_framing framing);
pgw_framing pgw_decoder_framing(const pgw_decoder *d);

/* Backend stream: the next byte answers a request of this kind
 * (PGW_MSG_SSL_RESPONSE or PGW_MSG_GSSENC_RESPONSE); sets negotiation
 * framing. PGW_ERR_INVALID_ARGUMENT for other kinds. */
int pgw_decoder_expect_answer(pgw_decoder *d, pgw_kind answer);

/* Negotiated protocol version (PGW_PROTOCOL_3_0, _3_2, ...), which decides
 * cancel key lengths; 0 (the initial value) accepts 4..256 bytes. */
void pgw_decoder_set_protocol(pgw_decoder *d, uint32_t protocol);

/* Which message a frontend 'p' is: PGW_MSG_PASSWORD_MESSAGE (initial),
 * PGW_MSG_SASL_INITIAL_RESPONSE, PGW_MSG_SASL_RESPONSE or
 * PGW_MSG_GSS_RESPONSE. Returns PGW_ERR_INVALID_ARGUMENT for other kinds. */
int pgw_decoder_set_password_kind(pgw_decoder *d, pgw_kind kind);

/* Hand the decoder the next chunk of the stream (not copied). Call it at
 * the start and whenever next() returned PGW_NEED_MORE; calling it while
 * bytes of the previous chunk are unread returns PGW_ERR_INVALID_ARGUMENT.
 * len may be 0. */
int pgw_decoder_feed(pgw_decoder *d, const uint8_t *data, size_t len);

/*
 * Next message. Returns:
 *   PGW_OK          *m holds the message (kind, offset, wire_len, body);
 *   PGW_NEED_MORE   the chunk is used up (a partial message is buffered);
 *   PGW_DIRECT_SSL  a TLS record where a startup packet was due; the TLS
 *                   bytes start at pgw_decoder_offset(); sticky until reset;
 *   PGW_ERR_*       framing or content error; see pgw_decoder_error().
 */
int pgw_decoder_next(pgw_decoder *d, pgw_message *m);

/*
 * Batch read of result rows, for clients that read many narrow rows: the
 * DataRows that lie whole in the current chunk, one after the other from
 * the next unread byte, each with exactly ncols columns. Their values go
 * row after row into values[0..cap), cap / ncols rows at most.
 * Each row is checked as pgw_decoder_next() checks it (strict in every
 * mode: a row it would report as malformed stops the batch). The batch
 * stops before the first message that is not such a row (another kind, a
 * row cut by the chunk's end, another column count, a bad length), which
 * pgw_decoder_next() then decodes or reports with its exact error.
 * Ownership: values are views into the chunk (valid while it is
 * unchanged and until the next feed or reset); no message is produced.
 * Returns:
 *   the number of rows read (0: none; call pgw_decoder_next());
 *   PGW_ERR_INVALID_ARGUMENT  d or values NULL, ncols 0 or over 65535.
 * A backend decoder in standard framing only (0 otherwise).
 */
int pgw_decoder_rows(pgw_decoder *d, size_t ncols, pgw_value *values,
                     size_t cap);

/* End of stream: 0 if no partial message is pending, otherwise
 * PGW_ERR_END_OF_STREAM (and the error records where it began). */
int pgw_decoder_finish(pgw_decoder *d);

/* Stream offset of the next byte not yet consumed. */
size_t pgw_decoder_offset(const pgw_decoder *d);

/* The last error (code 0 if none). Its rule names what was broken. */
const pgw_error *pgw_decoder_error(const pgw_decoder *d);

/* Reference and lenient modes: deviations accepted so far, and the last
 * one (code 0 if none; offset in the stream, rule set). */
size_t pgw_decoder_warnings(const pgw_decoder *d);
const pgw_error *pgw_decoder_warning(const pgw_decoder *d);

/* The highest protocol version the server offers (see the options). */
void pgw_decoder_set_server_protocol(pgw_decoder *d, uint32_t version);

/* Largest message a decoder accepts for this type byte in strict mode
 * (wire length), given the direction: PostgreSQL's own limits. */
size_t pgw_message_limit(pgw_dir dir, pgw_framing framing, uint8_t type);

#ifdef __cplusplus
}
#endif

#endif /* PGW_DECODER_H */
