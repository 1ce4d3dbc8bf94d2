/*
 * fuzz_observer.c - one connection seen from the middle (pgw/observer.h):
 * both sides' bytes come from the fuzzer in wire order, each chunk is
 * drained before the next.
 *
 * Input (the record layout of fuzz_conn, so its seeds fit):
 *   byte 0  bits 0-1 mode (strict, reference, lenient, strict);
 *           bits 2-3 start phase (Startup, Authentication, Initialization,
 *           Ready); bit 4 protocol for a later start phase (3.0 / 3.2);
 *           bit 5 server protocol 3.0 (else unknown);
 *           bit 6 max_message_len 4096 (else 1 MiB)
 *   then records: tag, length (0..255), bytes. Tag bit 0: who sent the
 *   bytes (0 frontend, 1 backend); bit 1: call pgw_observer_tls_on()
 *   before the record.
 *
 * Checks: every message comes out of its own side's stream at the offset
 * where the previous one ended, with its payload equal to the bytes
 * there; strict messages are well-formed; a malformed message appears
 * only in reference or lenient mode, and in reference mode each one is a
 * warning of a documented-level rule; an error is sticky for both sides,
 * names its direction and (but for allocation and the size bound) a rule,
 * of reference level in reference mode; the phase stays in its domain.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const pgw_phase starts[4] = {PGW_PHASE_STARTUP, PGW_PHASE_AUTHENTICATION,
                                    PGW_PHASE_INITIALIZATION, PGW_PHASE_READY};
static const pgw_mode modes[4] = {PGW_MODE_STRICT, PGW_MODE_REFERENCE,
                                  PGW_MODE_LENIENT, PGW_MODE_STRICT};

typedef struct side {
  uint8_t *bytes; /* everything this side sent, for the payload check */
  size_t len, taken;
} side;

static void check_error(pgw_observer *o, int rc, pgw_mode mode) {
  pgw_dir dir;
  const pgw_error *e = pgw_observer_error(o, &dir);
  FUZZ_ASSERT(fuzz_status_known(rc) && rc < 0 && e->code == rc);
  FUZZ_ASSERT(dir == PGW_FRONTEND || dir == PGW_BACKEND);
  FUZZ_ASSERT(e->reason != NULL && e->reason[0] != '\0');
  if (rc != PGW_ERR_NOMEM && rc != PGW_ERR_TOO_LARGE)
    FUZZ_ASSERT(e->rule != NULL);
  if (mode == PGW_MODE_REFERENCE && e->rule && rc != PGW_ERR_TOO_LARGE)
    FUZZ_ASSERT(e->rule->level == PGW_LEVEL_REFERENCE);
  pgw_message m;
  FUZZ_ASSERT(pgw_observer_next(o, PGW_FRONTEND, &m) == rc);
  FUZZ_ASSERT(pgw_observer_next(o, PGW_BACKEND, &m) == rc);
}

static void check_message(const pgw_message *m, const side *sd, pgw_mode mode,
                          size_t *warned, pgw_observer *o) {
  FUZZ_ASSERT(m->offset == sd->taken && m->wire_len <= sd->len - sd->taken);
  size_t hdr = m->wire_len - m->payload.len;
  FUZZ_ASSERT(hdr <= 5);
  if (m->payload.len)
    FUZZ_ASSERT(memcmp(m->payload.ptr, sd->bytes + m->offset + hdr,
                       m->payload.len) == 0);
  if (mode == PGW_MODE_STRICT) FUZZ_ASSERT(m->malformed == 0);
  if (m->malformed == 0 && m->kind != PGW_MSG_UNKNOWN)
    fuzz_check_decoded(m, m->payload.ptr, m->payload.len);
  if (mode == PGW_MODE_REFERENCE) {
    FUZZ_ASSERT(m->kind != PGW_MSG_UNKNOWN);
    if (pgw_observer_warnings(o) != *warned) {
      const pgw_rule *w = pgw_observer_warning(o)->rule;
      FUZZ_ASSERT(w != NULL && w->level == PGW_LEVEL_DOCUMENTED);
      *warned = pgw_observer_warnings(o);
    }
    if (m->malformed) FUZZ_ASSERT(*warned > 0);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  uint8_t flags = fuzz_u8(&in);
  pgw_mode mode = modes[flags & 3];
  pgw_observer_options opts;
  memset(&opts, 0, sizeof opts);
  opts.mode = mode;
  opts.start_phase = starts[(flags >> 2) & 3];
  opts.protocol = flags & 16 ? PGW_PROTOCOL_3_2 : PGW_PROTOCOL_3_0;
  opts.server_protocol = flags & 32 ? PGW_PROTOCOL_3_0 : 0;
  opts.max_message_len = flags & 64 ? 4096 : (size_t)1 << 20;
  pgw_observer o;
  FUZZ_ASSERT(pgw_observer_init(&o, &opts) == 0);
  side sides[2];
  memset(sides, 0, sizeof sides);
  sides[0].bytes = malloc(size + 1);
  sides[1].bytes = malloc(size + 1);
  size_t warned = 0;
  int dead = 0, tls_due = 0; /* direct SSL seen, pgw_observer_tls_on() due */
  while (in.n > 0 && !dead) {
    uint8_t tag = fuzz_u8(&in);
    size_t len;
    const uint8_t *p = fuzz_bytes(&in, fuzz_u8(&in), &len);
    pgw_dir dir = (pgw_dir)(tag & 1);
    if (tag & 2) {
      int t = pgw_observer_tls_on(&o);
      FUZZ_ASSERT(t == 0 || t == PGW_ERR_INVALID_ARGUMENT ||
                  t == PGW_ERR_UNEXPECTED_MESSAGE);
      if (t == PGW_ERR_UNEXPECTED_MESSAGE) {
        check_error(&o, t, mode);
        break;
      }
      if (t == 0) { /* both streams go on after what was consumed */
        sides[0].len = sides[0].taken, sides[1].len = sides[1].taken;
        tls_due = 0;
      }
    }
    /* Each chunk in its own allocation, so that ASan sees its bounds. */
    uint8_t *chunk = malloc(len ? len : 1);
    if (len) memcpy(chunk, p, len);
    side *sd = &sides[dir];
    memcpy(sd->bytes + sd->len, chunk, len);
    sd->len += len;
    int frc = pgw_observer_feed(&o, dir, chunk, len);
    if (frc != 0) {
      /* only the frontend's TLS record is left unread, until tls_on */
      FUZZ_ASSERT(frc == PGW_ERR_INVALID_ARGUMENT && tls_due &&
                  dir == PGW_FRONTEND);
      sd->len -= len;
      free(chunk);
      continue;
    }
    pgw_message m;
    int rc;
    while ((rc = pgw_observer_next(&o, dir, &m)) == PGW_OK) {
      check_message(&m, sd, mode, &warned, &o);
      sd->taken += m.wire_len;
      FUZZ_ASSERT((unsigned)pgw_observer_phase(&o) < PGW_PHASE_COUNT);
    }
    if (rc == PGW_DIRECT_SSL) {
      FUZZ_ASSERT(dir == PGW_FRONTEND);
      tls_due = 1;
    } else if (rc != PGW_NEED_MORE) {
      check_error(&o, rc, mode);
      dead = 1;
    }
    free(chunk);
  }
  free(sides[0].bytes);
  free(sides[1].bytes);
  pgw_observer_free(&o);
  return 0;
}
