/*
 * fuzz_conn.c - one end of a connection (pgw/conn.h) driven through a
 * whole conversation: the peer's bytes come from the fuzzer and are
 * received; this end's bytes also come from the fuzzer, are framed by a
 * private decoder and sent with pgw_conn_send() (so recorded sessions are
 * seeds as they are).
 *
 * Input:
 *   byte 0  bit 0 lenient; bit 1 role (0 frontend, 1 backend);
 *           bits 2-3 start phase (Startup, Authentication, Initialization,
 *           Ready); bit 4 protocol for a later start phase (3.0 / 3.2);
 *           bit 5 send through the hook only (out == NULL);
 *           bit 6 max_message_len 4096 (else 1 MiB)
 *   then records: tag, length (0..255), bytes. Tag bit 0: who sent the
 *   bytes (0 frontend, 1 backend); bit 1: call pgw_conn_tls_established()
 *   before the record.
 *
 * Checks: the phase and everything the state reports stay in their
 * domains after every step; received messages are well-formed (strict),
 * come from the peer, and the receive hook sees exactly their wire bytes;
 * a sent message's bytes (hook and out buffer) are exactly the bytes it
 * was framed from; a refused send leaves the buffer and the phase as they
 * were; errors are sticky with known codes. Before every receive,
 * pgw_conn_rows() on a copy of the conn (without the receive hook, which
 * turns batches off) reads k rows, and the next k messages of
 * pgw_conn_next() are exactly those rows, with no warning and no change
 * of the backend context.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A batch read ahead of pgw_conn_next() on a copy of the conn. */
typedef struct batch {
  pgw_value v[64];
  size_t rows, done, cols, end_pos, warnings;
  uint8_t bctx;
} batch;

static void batch_take(batch *b, const pgw_conn *c) {
  pgw_conn copy = *c; /* the rows read only the chunk and the state */
  copy.on_receive = NULL;
  size_t ncols = 99;
  int k = pgw_conn_rows(&copy, b->v, 64, &ncols);
  FUZZ_ASSERT(k >= 0);
  FUZZ_ASSERT(k == 0 ? ncols == 0 : ncols > 0 && (size_t)k <= 64 / ncols);
  b->rows = (size_t)k;
  b->done = 0;
  b->cols = ncols;
  b->end_pos = copy.decoder.chunk_pos;
  b->warnings = c->warnings;
  b->bctx = c->state.bctx;
}

static void batch_check(batch *b, const pgw_conn *c, const pgw_message *m) {
  FUZZ_ASSERT(m->kind == PGW_MSG_DATA_ROW && m->malformed == 0);
  FUZZ_ASSERT(m->body.data_row.columns.count == b->cols);
  pgw_iter it = pgw_value_iter(&m->body.data_row.columns);
  pgw_value v;
  for (size_t i = 0; i < b->cols; i++) {
    FUZZ_ASSERT(pgw_value_next(&it, &v) == 1);
    const pgw_value *w = &b->v[b->done * b->cols + i];
    FUZZ_ASSERT(v.len == w->len && v.ptr == w->ptr);
  }
  FUZZ_ASSERT(c->warnings == b->warnings && c->state.bctx == b->bctx);
  if (++b->done == b->rows) FUZZ_ASSERT(c->decoder.chunk_pos == b->end_pos);
}

typedef struct stream {
  uint8_t *b;
  size_t len, cap;
} stream;

static void stream_add(stream *s, const uint8_t *p, size_t n) {
  if (s->len + n > s->cap) {
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < s->len + n)
      cap *= 2;
    uint8_t *q = (uint8_t *)realloc(s->b, cap);
    if (q == NULL) abort();
    s->b = q;
    s->cap = cap;
  }
  if (n) memcpy(s->b + s->len, p, n);
  s->len += n;
}

typedef struct ctx {
  stream peer; /* every byte received, by stream offset */
  stream own;  /* every byte of this end, by stream offset */
  size_t sends, receives;
} ctx;

static int on_receive(void *user, const pgw_message *m, const uint8_t *bytes,
                      size_t len) {
  ctx *x = (ctx *)user;
  FUZZ_ASSERT(len == m->wire_len && len >= 1);
  FUZZ_ASSERT(m->offset <= x->peer.len && len <= x->peer.len - m->offset);
  FUZZ_ASSERT(memcmp(bytes, x->peer.b + m->offset, len) == 0);
  x->receives++;
  return 0;
}

static int on_send(void *user, const pgw_message *m, const uint8_t *bytes,
                   size_t len) {
  ctx *x = (ctx *)user;
  /* m was framed from own[m->offset..+wire_len]; pgw re-encodes exactly. */
  FUZZ_ASSERT(len == m->wire_len);
  FUZZ_ASSERT(m->offset <= x->own.len && len <= x->own.len - m->offset);
  FUZZ_ASSERT(memcmp(bytes, x->own.b + m->offset, len) == 0);
  x->sends++;
  return 0;
}

static void check_state(const pgw_conn *c) {
  pgw_phase p = pgw_conn_phase(c);
  FUZZ_ASSERT((int)p >= 0 && p < PGW_PHASE_COUNT);
  FUZZ_ASSERT(strcmp(pgw_phase_name(p), "?") != 0);
  const pgw_state *s = pgw_conn_state(c);
  FUZZ_ASSERT(pgw_state_phase(s) == p);
  for (int d = 0; d < 2; d++) {
    pgw_framing f = pgw_state_framing(s, (pgw_dir)d);
    FUZZ_ASSERT(f == PGW_FRAMING_STARTUP || f == PGW_FRAMING_NEGOTIATION ||
                f == PGW_FRAMING_STANDARD);
  }
  pgw_kind ak = pgw_state_answer_kind(s);
  if (pgw_state_framing(s, PGW_BACKEND) == PGW_FRAMING_NEGOTIATION)
    FUZZ_ASSERT(ak == PGW_MSG_SSL_RESPONSE || ak == PGW_MSG_GSSENC_RESPONSE);
  pgw_kind pk = pgw_state_password_kind(s);
  FUZZ_ASSERT(pk == PGW_MSG_PASSWORD_MESSAGE ||
              pk == PGW_MSG_SASL_INITIAL_RESPONSE ||
              pk == PGW_MSG_SASL_RESPONSE || pk == PGW_MSG_GSS_RESPONSE);
  uint32_t proto = pgw_state_protocol(s);
  FUZZ_ASSERT(proto == 0 || PGW_PROTOCOL_MAJOR(proto) == 3);
  uint8_t t = pgw_state_transaction_status(s);
  FUZZ_ASSERT(t == 0 || t == 'I' || t == 'T' || t == 'E');
  FUZZ_ASSERT(pgw_state_pending_syncs(s) <= pgw_state_pending(s));
  int32_t pid;
  pgw_bytes key;
  if (pgw_state_backend_key(s, &pid, &key))
    FUZZ_ASSERT(key.len >= PGW_CANCEL_KEY_MIN && key.len <= PGW_CANCEL_KEY_MAX);
  const pgw_error *e = pgw_conn_error(c);
  FUZZ_ASSERT(e->code == 0 || fuzz_status_known(e->code));
}

static const pgw_phase start_phases[4] = {
    PGW_PHASE_STARTUP, PGW_PHASE_AUTHENTICATION, PGW_PHASE_INITIALIZATION,
    PGW_PHASE_READY};

/* Point the private decoder of this end's bytes at what the state expects
 * next (only between messages). */
static void sync_own(pgw_decoder *d, const pgw_conn *c, pgw_dir role) {
  if (d->head_len != 0 || d->msg_len != 0) return;
  const pgw_state *s = pgw_conn_state(c);
  pgw_framing f = pgw_state_framing(s, role);
  if (f == PGW_FRAMING_NEGOTIATION)
    pgw_decoder_expect_answer(d, pgw_state_answer_kind(s));
  else
    pgw_decoder_set_framing(d, f);
  pgw_decoder_set_protocol(d, pgw_state_protocol(s));
  if (role == PGW_FRONTEND)
    pgw_decoder_set_password_kind(d, pgw_state_password_kind(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  uint8_t flags = fuzz_u8(&in);
  ctx x;
  memset(&x, 0, sizeof x);
  pgw_dir role = (flags & 2) ? PGW_BACKEND : PGW_FRONTEND;
  pgw_dir peer = role == PGW_FRONTEND ? PGW_BACKEND : PGW_FRONTEND;
  pgw_conn_options o;
  memset(&o, 0, sizeof o);
  o.role = role;
  o.lenient = flags & 1;
  o.start_phase = start_phases[(flags >> 2) & 3];
  o.protocol = (flags & 16) ? PGW_PROTOCOL_3_2 : PGW_PROTOCOL_3_0;
  o.max_message_len = (flags & 64) ? 4096 : (size_t)1 << 20;
  o.on_send = on_send;
  o.on_receive = on_receive;
  o.hook_user = &x;
  int hook_only = (flags & 32) != 0;
  pgw_conn c;
  FUZZ_ASSERT(pgw_conn_init(&c, &o) == 0);
  FUZZ_ASSERT(pgw_conn_phase(&c) == o.start_phase);
  check_state(&c);

  pgw_decoder own;
  pgw_decoder_options dopt;
  memset(&dopt, 0, sizeof dopt);
  dopt.max_message_len = (size_t)1 << 20;
  pgw_decoder_init(&own, role, &dopt);
  sync_own(&own, &c, role);
  pgw_buf out;
  pgw_buf_init(&out, NULL);

  int peer_dead = 0, own_dead = 0;
  static batch rows; /* rows read ahead by pgw_conn_rows() */
  rows.rows = rows.done = 0;
  while (in.n > 0) {
    uint8_t tag = fuzz_u8(&in);
    size_t len;
    const uint8_t *bytes = fuzz_bytes(&in, 255, &len);
    if (tag & 2) {
      pgw_phase before = pgw_conn_phase(&c);
      int direct = c.direct_ssl;
      int rc = pgw_conn_tls_established(&c);
      FUZZ_ASSERT(fuzz_status_known(rc));
      if (rc == 0) {
        FUZZ_ASSERT(
            before == PGW_PHASE_TLS_HANDSHAKE ||
            (before == PGW_PHASE_STARTUP && (direct || role == PGW_FRONTEND)));
        peer_dead = 0;
        /* Both streams continue decrypted from where the decoders are. */
        size_t off = pgw_decoder_offset(&c.decoder);
        FUZZ_ASSERT(off <= x.peer.len);
        x.peer.len = off;
        pgw_decoder_reset(&own, PGW_FRAMING_STARTUP, pgw_decoder_offset(&own));
        x.own.len = pgw_decoder_offset(&own);
        own_dead = 0;
        sync_own(&own, &c, role);
      } else if (rc == PGW_ERR_UNEXPECTED_MESSAGE) {
        FUZZ_ASSERT(before == PGW_PHASE_TLS_HANDSHAKE);
        peer_dead = 1;
      } else {
        FUZZ_ASSERT(rc == PGW_ERR_INVALID_ARGUMENT);
      }
      check_state(&c);
    }
    if (len == 0) continue;
    /* Copy to an exact-size buffer so that ASan sees the chunk's bounds. */
    uint8_t *chunk = (uint8_t *)malloc(len);
    if (chunk == NULL) break;
    memcpy(chunk, bytes, len);
    if ((pgw_dir)(tag & 1) == peer) {
      if (!peer_dead) {
        stream_add(&x.peer, chunk, len);
        FUZZ_ASSERT(pgw_conn_receive(&c, chunk, len) == 0);
        for (;;) {
          pgw_message m;
          size_t before = x.receives;
          if (rows.done == rows.rows) batch_take(&rows, &c);
          int rc = pgw_conn_next(&c, &m);
          FUZZ_ASSERT(fuzz_status_known(rc));
          if (rows.done < rows.rows) {
            FUZZ_ASSERT(rc == PGW_OK);
            batch_check(&rows, &c, &m);
          }
          check_state(&c);
          if (rc == PGW_OK) {
            FUZZ_ASSERT(x.receives == before + 1);
            int kd = pgw_kind_dir(m.kind);
            FUZZ_ASSERT(kd == -1 || kd == (int)peer);
            if (!o.lenient) {
              uintptr_t p = (uintptr_t)m.payload.ptr, lo = (uintptr_t)chunk;
              if (p >= lo && p <= lo + len)
                fuzz_check_decoded(&m, chunk, len);
              else
                fuzz_check_decoded(&m, c.decoder.buf, c.decoder.buf_cap);
            }
            continue;
          }
          if (rc == PGW_NEED_MORE) break;
          if (rc == PGW_DIRECT_SSL) {
            FUZZ_ASSERT(role == PGW_BACKEND);
            /* The rest is TLS: nothing more to receive until a later
             * record calls pgw_conn_tls_established(). */
            peer_dead = 1;
            break;
          }
          FUZZ_ASSERT(rc < 0);
          FUZZ_ASSERT(pgw_conn_error(&c)->code == rc);
          FUZZ_ASSERT(pgw_conn_next(&c, &m) == rc); /* sticky */
          peer_dead = 1;
          break;
        }
      }
    } else if (!own_dead) {
      stream_add(&x.own, chunk, len);
      FUZZ_ASSERT(pgw_decoder_feed(&own, chunk, len) == 0);
      for (;;) {
        pgw_message m;
        sync_own(&own, &c, role);
        int rc = pgw_decoder_next(&own, &m);
        if (rc == PGW_NEED_MORE) break;
        if (rc != PGW_OK) {
          own_dead = 1; /* not a message of this role: nothing to send */
          break;
        }
        pgw_phase before = pgw_conn_phase(&c);
        size_t sends = x.sends;
        size_t outlen = out.len;
        rc = pgw_conn_send(&c, &m, hook_only ? NULL : &out);
        FUZZ_ASSERT(fuzz_status_known(rc));
        check_state(&c);
        if (rc == PGW_OK) {
          FUZZ_ASSERT(x.sends == sends + 1);
          if (!hook_only) {
            FUZZ_ASSERT(out.len == outlen + m.wire_len);
            FUZZ_ASSERT(
                memcmp(out.data + outlen, x.own.b + m.offset, m.wire_len) == 0);
          }
        } else {
          FUZZ_ASSERT(rc < 0);
          FUZZ_ASSERT(x.sends == sends && out.len == outlen);
          FUZZ_ASSERT(pgw_conn_phase(&c) == before);
        }
        pgw_buf_clear(&out);
      }
    }
    free(chunk);
  }
  int rc = pgw_conn_finish(&c);
  FUZZ_ASSERT(rc <= 0 && fuzz_status_known(rc));
  check_state(&c);
  pgw_buf_free(&out);
  pgw_decoder_free(&own);
  pgw_conn_free(&c);
  free(x.peer.b);
  free(x.own.b);
  return 0;
}
