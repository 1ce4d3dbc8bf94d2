/* replay_rec.h - a recorded session as `pgw replay` plays it: every
 * message decoded (as `pgw dump` decodes it, strict), copied, with its
 * phase, and the chunks the messages ended in. */
#ifndef PGW_CLI_REPLAY_REC_H
#define PGW_CLI_REPLAY_REC_H

#include <stddef.h>
#include <stdint.h>

#include "pgw/pgw.h"

typedef struct rmsg {
  pgw_dir dir;
  pgw_kind kind;
  uint8_t type;     /* type byte (0 for startup-framed messages) */
  uint8_t *payload; /* copy of the bytes after the header */
  size_t plen;
  size_t offset, wire_len, line;
  uint32_t protocol;
  pgw_phase phase; /* after the message */
} rmsg;

typedef struct rchunk {
  pgw_dir dir;
  size_t line;
  size_t first, end; /* messages that end in this chunk */
} rchunk;

/* A BackendKeyData's process id and secret key, copied. */
typedef struct rkey {
  int32_t pid;
  uint8_t key[PGW_CANCEL_KEY_MAX];
  size_t len;
} rkey;

/* Copy BackendKeyData m into k. */
void rkey_set(rkey *k, const pgw_message *m);
/* Put k into CancelRequest m (its views point into k). */
void rkey_put(const rkey *k, pgw_message *m);

typedef struct recording {
  const char *path;
  rmsg *msgs;
  size_t n, cap;
  rchunk *chunks;
  size_t nchunks;
  char *server_version; /* "@ server" without "PostgreSQL ", or the
                           recorded ParameterStatus; NULL if unknown */
  pgw_str user;         /* from the StartupMessage (points into msgs) */
  int has_key;
  rkey key;
  int cancel_only;  /* one CancelRequest, after nothing but the SSLRequest
                       and 'S' of a TLS cancel (libpq 17+) */
  size_t cancel_at; /* the CancelRequest's index when cancel_only */
  int has_57014;
  int tls; /* 1: `@ tls on` after an 'S'; 2: `@ tls direct` */
} recording;

/* Read and decode FILE (path is kept, not copied): 0, or -1 with the
 * reason on standard error (and nothing to free). */
int rec_load(recording *r, const char *path);
void rec_free(recording *r);

/* Decode recorded message i again (its views point into the recording). */
int rec_decode(const recording *r, size_t i, pgw_message *m);

/* Does chunk c hold the "query_canceled" ErrorResponse (57014)? */
int rec_chunk_has_57014(const recording *r, const rchunk *c);

/* Did the recorded server accept the password sent as message i (the
 * next backend message is AuthenticationOk or SASLFinal)? */
int rec_accepts(const recording *r, size_t i);

/* Is the one message of cancel-only c a CancelRequest for r's recorded
 * BackendKeyData? */
int rec_cancels(const recording *c, const recording *r);

#endif /* PGW_CLI_REPLAY_REC_H */
