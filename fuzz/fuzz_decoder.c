/*
 * fuzz_decoder.c - the stream decoder for one direction (FUZZ_DIR is
 * PGW_FRONTEND or PGW_BACKEND; built as fuzz_decoder_frontend and
 * fuzz_decoder_backend).
 *
 * Input:
 *   byte 0  bit 0 lenient; bits 1-2 protocol (0, 3.0, 3.2, 3.9999);
 *           bits 3-4 frontend: which message 'p' is; backend: start in
 *           standard framing or expecting an SSL or GSSENC answer;
 *           bits 5-7 number of split points (0..7)
 *   byte 1  bit 7 reference mode (when not lenient); bits 0-6
 *           max_message_len: 0 -> 1 MiB, else 64 * value (small limits
 *           reach PGW_ERR_TOO_LARGE)
 *   then one byte per split point: the length of that chunk (0..255);
 *   the rest of the stream is the last chunk.
 * Each chunk is copied to its own allocation so that ASan sees its bounds.
 *
 * Checks: messages come out in order with offset == the sum of the
 * wire_len before them; payload views lie in the chunk or in the
 * decoder's buffer and equal the stream's bytes at that offset; strict
 * messages pass fuzz_check_decoded() and the per-type limits; NEED_MORE
 * means the chunk is used up; errors are sticky with a known code and an
 * offset inside the stream and, unless it is an allocation failure or
 * the caller's max_message_len, a rule (of level reference in reference
 * mode); in reference mode a malformed message is a documented-level
 * deviation, counted; finish() agrees with what was delivered; the
 * reassembly buffer never grows beyond twice the limit (max_message_len,
 * or the startup packet limit). Backend: wherever a DataRow begins in the
 * chunk, pgw_decoder_rows() on a copy of the decoder reads k rows of its
 * column count, and the next k messages of next() are exactly those rows
 * (same values), ending where the batch ended.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

#ifndef FUZZ_DIR
#define FUZZ_DIR PGW_FRONTEND
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t alloc_limit;

static void *lim_malloc(size_t n, void *u) {
  (void)u;
  FUZZ_ASSERT(n <= alloc_limit);
  return malloc(n);
}
static void *lim_realloc(void *p, size_t n, void *u) {
  (void)u;
  FUZZ_ASSERT(n <= alloc_limit);
  return realloc(p, n);
}
static void lim_free(void *p, void *u) {
  (void)u;
  free(p);
}

/* pgw_decoder_rows() on a copy of d, when a DataRow begins at the next
 * unread byte: what next() must deliver after it. */
typedef struct batch {
  pgw_value v[64];
  size_t rows, done, cols, end_pos;
} batch;

static void batch_take(batch *b, const pgw_decoder *d) {
  b->rows = b->done = 0;
  size_t pos = d->chunk_pos;
  if (d->chunk == NULL || d->chunk_len - pos < 7 || d->chunk[pos] != 'D')
    return;
  b->cols = (size_t)d->chunk[pos + 5] << 8 | d->chunk[pos + 6];
  if (b->cols == 0) return;
  pgw_decoder copy = *d; /* the rows read only the chunk */
  int k = pgw_decoder_rows(&copy, b->cols, b->v, 64);
  FUZZ_ASSERT(k >= 0 && (size_t)k <= 64 / b->cols);
  FUZZ_ASSERT(k > 0 || copy.chunk_pos == pos);
  b->rows = (size_t)k;
  b->end_pos = copy.chunk_pos;
}

/* m, from next(), must be the batch's next row. */
static void batch_check(batch *b, const pgw_decoder *d, const pgw_message *m) {
  FUZZ_ASSERT(m->kind == PGW_MSG_DATA_ROW && m->malformed == 0);
  FUZZ_ASSERT(m->body.data_row.columns.count == b->cols);
  pgw_iter it = pgw_value_iter(&m->body.data_row.columns);
  pgw_value v;
  for (size_t i = 0; i < b->cols; i++) {
    FUZZ_ASSERT(pgw_value_next(&it, &v) == 1);
    const pgw_value *w = &b->v[b->done * b->cols + i];
    FUZZ_ASSERT(v.len == w->len && v.ptr == w->ptr);
  }
  if (++b->done == b->rows) FUZZ_ASSERT(d->chunk_pos == b->end_pos);
}

static const uint32_t protocols[4] = {0, PGW_PROTOCOL_3_0, PGW_PROTOCOL_3_2,
                                      PGW_PROTOCOL(3, 9999)};

static int in_block(const void *p, size_t len, const uint8_t *lo, size_t n) {
  uintptr_t a = (uintptr_t)p, l = (uintptr_t)lo;
  return lo != NULL && a >= l && a <= l + n && len <= l + n - a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  uint8_t flags = fuzz_u8(&in);
  uint8_t maxsel = fuzz_u8(&in);
  size_t nsplit = (size_t)(flags >> 5);
  size_t split[8];
  for (size_t i = 0; i < nsplit; i++)
    split[i] = fuzz_u8(&in);
  const uint8_t *stream = in.p;
  size_t total = in.n;

  pgw_allocator alloc = {lim_malloc, lim_realloc, lim_free, NULL};
  pgw_decoder_options opts;
  memset(&opts, 0, sizeof opts);
  opts.lenient = flags & 1;
  opts.mode =
      !opts.lenient && (maxsel & 0x80) ? PGW_MODE_REFERENCE : PGW_MODE_STRICT;
  maxsel &= 0x7f;
  opts.max_message_len = maxsel ? (size_t)maxsel * 64 : (size_t)1 << 20;
  size_t warnings = 0;
  opts.allocator = &alloc;
  /* Startup packets have their own limit (10000 + 4 bytes), whatever
   * max_message_len says; the buffer grows by doubling from 1024. */
  alloc_limit = 2 * opts.max_message_len;
  if (alloc_limit < 2 * (PGW_STARTUP_MAX_PAYLOAD + 4))
    alloc_limit = 2 * (PGW_STARTUP_MAX_PAYLOAD + 4);
  pgw_decoder d;
  pgw_decoder_init(&d, FUZZ_DIR, &opts);
  uint32_t protocol = protocols[(flags >> 1) & 3];
  pgw_decoder_set_protocol(&d, protocol);
  unsigned hint = (unsigned)(flags >> 3) & 3;
  if (FUZZ_DIR == PGW_FRONTEND) {
    static const pgw_kind pk[4] = {PGW_MSG_PASSWORD_MESSAGE,
                                   PGW_MSG_SASL_INITIAL_RESPONSE,
                                   PGW_MSG_SASL_RESPONSE, PGW_MSG_GSS_RESPONSE};
    FUZZ_ASSERT(pgw_decoder_set_password_kind(&d, pk[hint]) == 0);
    FUZZ_ASSERT(pgw_decoder_framing(&d) == PGW_FRAMING_STARTUP);
  } else {
    FUZZ_ASSERT(pgw_decoder_framing(&d) == PGW_FRAMING_STANDARD);
    if (hint == 1)
      FUZZ_ASSERT(pgw_decoder_expect_answer(&d, PGW_MSG_SSL_RESPONSE) == 0);
    if (hint == 2)
      FUZZ_ASSERT(pgw_decoder_expect_answer(&d, PGW_MSG_GSSENC_RESPONSE) == 0);
  }
  FUZZ_ASSERT(pgw_decoder_set_password_kind(&d, PGW_MSG_QUERY) ==
              PGW_ERR_INVALID_ARGUMENT);
  FUZZ_ASSERT(pgw_decoder_expect_answer(&d, PGW_MSG_QUERY) ==
              PGW_ERR_INVALID_ARGUMENT);

  size_t fed = 0;      /* stream bytes handed to the decoder */
  size_t expected = 0; /* offset of the next message */
  int stopped = 0;     /* error or direct SSL */
  static batch rows;   /* backend: a batch read ahead of next() */
  rows.rows = rows.done = 0;
  for (size_t c = 0; c <= nsplit && !stopped; c++) {
    size_t clen = c < nsplit ? split[c] : total - fed;
    if (clen > total - fed) clen = total - fed;
    uint8_t *chunk = (uint8_t *)malloc(clen ? clen : 1);
    if (chunk == NULL) break;
    if (clen) memcpy(chunk, stream + fed, clen);
    FUZZ_ASSERT(pgw_decoder_feed(&d, chunk, clen) == 0);
    fed += clen;
    for (;;) {
      pgw_message m;
      pgw_framing framing = pgw_decoder_framing(&d);
      if (FUZZ_DIR == PGW_BACKEND && rows.done == rows.rows)
        batch_take(&rows, &d);
      int rc = pgw_decoder_next(&d, &m);
      FUZZ_ASSERT(fuzz_status_known(rc));
      if (rows.done < rows.rows) {
        FUZZ_ASSERT(rc == PGW_OK);
        batch_check(&rows, &d, &m);
      }
      if (rc == PGW_OK) {
        FUZZ_ASSERT(m.offset == expected);
        FUZZ_ASSERT(m.wire_len >= 1);
        FUZZ_ASSERT(m.wire_len <= fed - expected);
        if (framing == PGW_FRAMING_STARTUP)
          FUZZ_ASSERT(m.wire_len <= PGW_STARTUP_MAX_PAYLOAD + 4);
        else
          FUZZ_ASSERT(m.wire_len <= d.max_len);
        FUZZ_ASSERT(m.payload.len < m.wire_len ||
                    (framing == PGW_FRAMING_NEGOTIATION && m.wire_len == 1));
        size_t hdr = m.wire_len - m.payload.len;
        if (framing == PGW_FRAMING_STARTUP)
          FUZZ_ASSERT(hdr == 4);
        else if (m.wire_len == 1)
          FUZZ_ASSERT(hdr == 0);
        else
          FUZZ_ASSERT(hdr == 5);
        const uint8_t *lo;
        size_t lon;
        if (in_block(m.payload.ptr, m.payload.len, chunk, clen)) {
          lo = chunk, lon = clen;
        } else {
          FUZZ_ASSERT(in_block(m.payload.ptr, m.payload.len, d.buf, d.buf_cap));
          lo = d.buf, lon = d.buf_cap;
        }
        if (m.payload.len)
          FUZZ_ASSERT(memcmp(m.payload.ptr, stream + m.offset + hdr,
                             m.payload.len) == 0);
        if (hdr == 5) FUZZ_ASSERT(m.type == stream[m.offset]);
        if (hdr == 0) FUZZ_ASSERT(m.type == stream[m.offset]);
        FUZZ_ASSERT(m.wire_len <= pgw_message_limit(FUZZ_DIR, framing,
                                                    stream[m.offset]) ||
                    opts.lenient);
        if (!opts.lenient) FUZZ_ASSERT(m.kind != PGW_MSG_UNKNOWN);
        if (opts.mode == PGW_MODE_STRICT && !opts.lenient)
          FUZZ_ASSERT(m.malformed == 0);
        if (opts.mode == PGW_MODE_REFERENCE && m.malformed) {
          const pgw_rule *w = pgw_decoder_warning(&d)->rule;
          FUZZ_ASSERT(pgw_decoder_warnings(&d) == ++warnings);
          FUZZ_ASSERT(w != NULL && w->level == PGW_LEVEL_DOCUMENTED);
          FUZZ_ASSERT(pgw_decoder_warning(&d)->code == m.malformed);
        }
        if (m.malformed == 0 && m.kind != PGW_MSG_UNKNOWN) {
          int dir = pgw_kind_dir(m.kind);
          FUZZ_ASSERT(dir == -1 || dir == (int)FUZZ_DIR);
          fuzz_check_decoded(&m, lo, lon);
          pgw_message again;
          FUZZ_ASSERT(pgw_message_decode(m.kind, m.payload.ptr, m.payload.len,
                                         protocol, &again, NULL) == 0);
          FUZZ_ASSERT(fuzz_same_fields(&m, &again));
        } else if (m.malformed) {
          FUZZ_ASSERT((opts.lenient || opts.mode == PGW_MODE_REFERENCE) &&
                      m.malformed < 0 && fuzz_status_known(m.malformed));
        } else {
          FUZZ_ASSERT(opts.lenient && hdr == 5);
          FUZZ_ASSERT(pgw_kind_of(FUZZ_DIR, m.type) == PGW_MSG_UNKNOWN);
        }
        if (FUZZ_DIR == PGW_FRONTEND && m.kind == PGW_MSG_STARTUP_MESSAGE)
          FUZZ_ASSERT(pgw_decoder_framing(&d) == PGW_FRAMING_STANDARD);
        if (framing == PGW_FRAMING_NEGOTIATION)
          FUZZ_ASSERT(pgw_decoder_framing(&d) == PGW_FRAMING_STANDARD);
        expected += m.wire_len;
        /* Feeding while bytes are unread is refused. */
        if (pgw_decoder_offset(&d) < fed)
          FUZZ_ASSERT(pgw_decoder_feed(&d, chunk, clen) ==
                      PGW_ERR_INVALID_ARGUMENT);
        continue;
      }
      if (rc == PGW_NEED_MORE) {
        FUZZ_ASSERT(pgw_decoder_offset(&d) == fed);
        FUZZ_ASSERT(pgw_decoder_error(&d)->code == 0);
        break;
      }
      stopped = 1;
      if (rc == PGW_DIRECT_SSL) {
        FUZZ_ASSERT(framing == PGW_FRAMING_STARTUP);
        size_t off = pgw_decoder_offset(&d);
        FUZZ_ASSERT(off == expected && off < fed);
        FUZZ_ASSERT(stream[off] == 0x16);
        FUZZ_ASSERT(pgw_decoder_next(&d, &m) == PGW_DIRECT_SSL);
        break;
      }
      FUZZ_ASSERT(rc < 0 && rc != PGW_ERR_INVALID_ARGUMENT);
      const pgw_error *e = pgw_decoder_error(&d);
      FUZZ_ASSERT(e->code == rc);
      FUZZ_ASSERT(e->reason != NULL && e->reason[0] != '\0');
      FUZZ_ASSERT(e->offset >= expected && e->offset <= fed);
      /* Only the caller's max_message_len and allocation have no rule. */
      if (rc != PGW_ERR_NOMEM && rc != PGW_ERR_TOO_LARGE)
        FUZZ_ASSERT(e->rule != NULL);
      if (opts.mode == PGW_MODE_REFERENCE && e->rule)
        FUZZ_ASSERT(e->rule->level == PGW_LEVEL_REFERENCE ||
                    rc == PGW_ERR_TOO_LARGE);
      if (!opts.lenient && rc == PGW_ERR_UNKNOWN_TYPE)
        FUZZ_ASSERT(pgw_kind_of(FUZZ_DIR, stream[e->offset]) ==
                    PGW_MSG_UNKNOWN);
      FUZZ_ASSERT(pgw_decoder_next(&d, &m) == rc); /* sticky */
      FUZZ_ASSERT(pgw_decoder_finish(&d) == rc);
      break;
    }
    free(chunk);
  }
  if (!stopped) {
    int rc = pgw_decoder_finish(&d);
    if (rc == 0) {
      FUZZ_ASSERT(expected == total);
    } else {
      FUZZ_ASSERT(rc == PGW_ERR_END_OF_STREAM);
      FUZZ_ASSERT(expected < total);
      FUZZ_ASSERT(pgw_decoder_error(&d)->offset == expected);
    }
  }
  /* The decoder can be reset and reused. */
  pgw_decoder_reset(&d, PGW_FRAMING_STANDARD, 0);
  FUZZ_ASSERT(pgw_decoder_error(&d)->code == 0);
  pgw_decoder_free(&d);
  return 0;
}
