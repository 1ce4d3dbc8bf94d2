/*
 * observer.c - both directions of one connection, seen from the middle:
 * two decoders and one state machine, kept in step (pgw/observer.h).
 */
#include <stddef.h>
#include <string.h>

#include "pgw/observer.h"
#include "pgw_internal.h"

static int dir_ok(pgw_dir dir) {
  return dir == PGW_FRONTEND || dir == PGW_BACKEND;
}

/* Everything pgw__sync_decoder() reads, packed: the state's fields
 * behind framing, answer kind, protocol, password kind and the frontend's
 * unread kinds (phase ... unsynced, discarding: bctx masked out, it moves
 * with every answer and tells the decoders nothing), and each decoder's
 * own framing (a decoder leaves startup and negotiation framing by
 * itself). */
_Static_assert(
    offsetof(pgw_state, fctx) == offsetof(pgw_state, phase) + 1 &&
        offsetof(pgw_state, bctx) == offsetof(pgw_state, phase) + 2 &&
        offsetof(pgw_state, unsynced) == offsetof(pgw_state, phase) + 7 &&
        offsetof(pgw_state, discarding) == offsetof(pgw_state, phase) + 8,
    "pgw_state's cursor bytes are contiguous");
static const unsigned char no_bctx[8] = {0xff, 0xff, 0,    0xff,
                                         0xff, 0xff, 0xff, 0xff};

static void sync_key(const pgw_observer *o, uint64_t k[2]) {
  const pgw_state *s = &o->state;
  uint64_t bytes, mask;
  memcpy(&bytes, &s->phase, 8);
  memcpy(&mask, no_bctx, 8);
  k[0] = bytes & mask;
  k[1] = (uint64_t)s->protocol | (uint64_t)s->discarding << 32 |
         (uint64_t)((unsigned)s->password_kind & 0xff) << 40 |
         (uint64_t)((unsigned)o->dec[PGW_FRONTEND].framing & 0xff) << 48 |
         (uint64_t)((unsigned)o->dec[PGW_BACKEND].framing & 0xff) << 56;
}

/* What the state expects next, told to both decoders. */
static void sync_both(pgw_observer *o) {
  pgw__sync_decoder(&o->dec[PGW_FRONTEND], &o->state, PGW_FRONTEND);
  pgw__sync_decoder(&o->dec[PGW_BACKEND], &o->state, PGW_BACKEND);
  sync_key(o, o->synced);
}

/* The same, skipped when nothing it reads changed since the last time:
 * then it would tell the decoders what they already know. */
static void resync(pgw_observer *o) {
  uint64_t k[2];
  sync_key(o, k);
  if (k[0] != o->synced[0] || k[1] != o->synced[1]) sync_both(o);
}

int pgw_observer_init(pgw_observer *o, const pgw_observer_options *opts) {
  if (o == NULL) return PGW_ERR_INVALID_ARGUMENT;
  memset(o, 0, sizeof *o);
  pgw_state_options so;
  pgw_decoder_options dopt;
  memset(&so, 0, sizeof so);
  memset(&dopt, 0, sizeof dopt);
  if (opts) {
    so.mode = dopt.mode = opts->mode;
    so.start_phase = opts->start_phase;
    so.protocol = opts->protocol;
    so.allocator = dopt.allocator = opts->allocator;
    dopt.server_protocol = opts->server_protocol;
    dopt.server_version = opts->server_version;
    dopt.max_message_len = opts->max_message_len;
  }
  int rc = pgw_state_init(&o->state, &so);
  if (rc) return rc;
  pgw_decoder_init(&o->dec[PGW_FRONTEND], PGW_FRONTEND, &dopt);
  pgw_decoder_init(&o->dec[PGW_BACKEND], PGW_BACKEND, &dopt);
  sync_both(o);
  return 0;
}

void pgw_observer_free(pgw_observer *o) {
  if (o == NULL) return;
  pgw_decoder_free(&o->dec[PGW_FRONTEND]);
  pgw_decoder_free(&o->dec[PGW_BACKEND]);
  pgw_state_free(&o->state);
}

int pgw_observer_feed(pgw_observer *o, pgw_dir dir, const uint8_t *data,
                      size_t len) {
  if (o == NULL || !dir_ok(dir)) return PGW_ERR_INVALID_ARGUMENT;
  return pgw_decoder_feed(&o->dec[dir], data, len);
}

static int fail(pgw_observer *o, pgw_dir dir, const pgw_error *e) {
  o->error = *e;
  o->error_dir = dir;
  o->status = e->code;
  return e->code;
}

static void warn(pgw_observer *o, const pgw_error *e) {
  o->warning = *e;
  o->warnings++;
}

int pgw_observer_next(pgw_observer *o, pgw_dir dir, pgw_message *m) {
  if (o == NULL || m == NULL || !dir_ok(dir)) return PGW_ERR_INVALID_ARGUMENT;
  if (o->status) {
    memset(m, 0, sizeof *m); /* the error was reported: no message now */
    return o->status;
  }
  pgw_decoder *d = &o->dec[dir];
  size_t warned = pgw_decoder_warnings(d);
  int rc = pgw_decoder_next(d, m);
  if (rc == PGW_DIRECT_SSL) {
    memset(m, 0, sizeof *m);
    pgw_state_direct_ssl(&o->state);
    return rc;
  }
  if (rc < 0) {
    memset(m, 0, sizeof *m); /* no message: wire_len 0 says so */
    return fail(o, dir, pgw_decoder_error(d));
  }
  if (rc != PGW_OK) return rc;
  if (pgw_decoder_warnings(d) != warned) warn(o, pgw_decoder_warning(d));
  warned = pgw_state_violations(&o->state);
  rc = pgw_state_feed(&o->state, dir, m);
  if (rc < 0) return fail(o, dir, pgw_state_error(&o->state));
  if (pgw_state_violations(&o->state) != warned)
    warn(o, pgw_state_error(&o->state));
  /* Rows and COPY data never change framing, protocol or password kind. */
  if (m->kind != PGW_MSG_DATA_ROW && m->kind != PGW_MSG_COPY_DATA) resync(o);
  return PGW_OK;
}

int pgw_observer_finish(pgw_observer *o, pgw_dir dir) {
  if (o == NULL || !dir_ok(dir)) return PGW_ERR_INVALID_ARGUMENT;
  if (o->status) return o->status;
  int rc = pgw_decoder_finish(&o->dec[dir]);
  if (rc < 0) return fail(o, dir, pgw_decoder_error(&o->dec[dir]));
  return rc;
}

int pgw_observer_tls_on(pgw_observer *o) {
  if (o == NULL || pgw_state_phase(&o->state) != PGW_PHASE_TLS_HANDSHAKE)
    return PGW_ERR_INVALID_ARGUMENT;
  pgw_decoder *f = &o->dec[PGW_FRONTEND], *b = &o->dec[PGW_BACKEND];
  /* Part of a plaintext message after the answer: injected bytes. */
  pgw_error e;
  for (int dir = 0; dir < 2; dir++)
    if (pgw__decoder_injected(&o->dec[dir], &e))
      return fail(o, (pgw_dir)dir, &e);
  /* After direct SSL the frontend decoder stopped at the TLS record. */
  size_t foff = f->status == PGW_DIRECT_SSL ? pgw_decoder_error(f)->offset
                                            : pgw_decoder_offset(f);
  pgw_state_tls_established(&o->state);
  pgw_decoder_reset(f, PGW_FRAMING_STARTUP, foff);
  pgw_decoder_reset(b, PGW_FRAMING_STANDARD, pgw_decoder_offset(b));
  sync_both(o);
  return 0;
}

pgw_phase pgw_observer_phase(const pgw_observer *o) {
  return pgw_state_phase(&o->state);
}

const pgw_state *pgw_observer_state(const pgw_observer *o) {
  return &o->state;
}

const pgw_error *pgw_observer_error(const pgw_observer *o, pgw_dir *dir) {
  if (dir) *dir = o->error_dir;
  return &o->error;
}

size_t pgw_observer_warnings(const pgw_observer *o) {
  return o->warnings;
}

const pgw_error *pgw_observer_warning(const pgw_observer *o) {
  return &o->warning;
}
