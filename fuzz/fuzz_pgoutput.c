/*
 * fuzz_pgoutput.c - the pgoutput stream context, pgw_lrep_stream_feed(),
 * fed a sequence of messages.
 *
 * Input: byte 0 picks the protocol version (bits 0-1, plus 1), streaming
 * = parallel (bit 2), the mode (bits 3-4: strict, reference, lenient) and
 * the relation cache limit (bit 5: 2 relations, else the default); then
 * messages, each a 2-byte big-endian length and that many bytes. Checks:
 * no allocation after init; a message the strict context accepts
 * re-encodes to its bytes; tuple and column iterators yield exactly their
 * counts; a failure leaves the context unchanged and carries a known code,
 * a reason and an offset inside the message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "pgw/replication.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t allocs;
static void *f_malloc(size_t n, void *u) {
  (void)u;
  allocs++;
  return malloc(n);
}
static void *f_realloc(void *p, size_t n, void *u) {
  (void)u;
  allocs++;
  return realloc(p, n);
}
static void f_free(void *p, void *u) {
  (void)u;
  free(p);
}

static uint8_t out[1 << 16];

static void check_tuple(const pgw_lrep_tuple *t) {
  pgw_lrep_iter it = pgw_lrep_tuple_iter(t);
  pgw_lrep_value v;
  size_t k = 0;
  int rc;
  while ((rc = pgw_lrep_tuple_next(&it, &v)) == 1)
    k++;
  FUZZ_ASSERT(rc == 0 && k == t->ncols);
}

static void check_accepted(const pgw_lrep_msg *m, const uint8_t *p, size_t n,
                           int strict) {
  size_t len = 0;
  if (m->kind == PGW_LREP_RELATION) {
    pgw_lrep_iter it = pgw_lrep_relation_iter(m);
    pgw_lrep_column c;
    size_t k = 0;
    while (pgw_lrep_relation_next(&it, &c) == 1)
      k++;
    FUZZ_ASSERT(k == m->u.relation.ncols);
  }
  if (m->kind == PGW_LREP_INSERT || m->kind == PGW_LREP_UPDATE ||
      m->kind == PGW_LREP_DELETE) {
    check_tuple(&m->u.change.old_tuple);
    check_tuple(&m->u.change.new_tuple);
  }
  if (!strict) return; /* a tolerated deviation may not re-encode */
  FUZZ_ASSERT(pgw_lrep_encode(m, out, sizeof out, &len) == 0);
  FUZZ_ASSERT(len == n && memcmp(out, p, n) == 0);
}

static void feed_one(pgw_lrep_stream *s, const uint8_t *p, size_t n) {
  uint8_t *copy = (uint8_t *)malloc(n ? n : 1); /* exact bounds */
  if (copy == NULL) return;
  if (n) memcpy(copy, p, n);
  pgw_lrep_stream before = *s;
  pgw_lrep_msg m;
  pgw_error e = {0, 0, NULL, NULL};
  size_t w = s->warnings;
  int rc = pgw_lrep_stream_feed(s, copy, n, &m, &e);
  if (rc == 0) {
    check_accepted(&m, copy, n, s->mode == PGW_MODE_STRICT && s->warnings == w);
  } else {
    FUZZ_ASSERT(rc < 0 && fuzz_status_known(rc));
    FUZZ_ASSERT(e.code == rc && e.reason != NULL && e.offset <= n);
    FUZZ_ASSERT(s->in_stream == before.in_stream && s->nrel == before.nrel);
  }
  FUZZ_ASSERT(s->nrel <= s->limit);
  free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  pgw_allocator a = {f_malloc, f_realloc, f_free, NULL};
  pgw_lrep_stream s;
  int version = 1 + (data[0] & 3);
  if (pgw_lrep_stream_init(&s, version, (data[0] & 32) ? 2 : 0, &a) != 0)
    return 0;
  pgw_lrep_stream_set_parallel(&s, (data[0] >> 2) & 1);
  pgw_lrep_stream_set_mode(&s, (pgw_mode)(((data[0] >> 3) & 3) % 3));
  size_t before = allocs;
  for (size_t i = 1; i + 2 <= size;) {
    size_t n = (size_t)data[i] << 8 | data[i + 1];
    i += 2;
    if (n > size - i) n = size - i;
    feed_one(&s, data + i, n);
    i += n;
  }
  FUZZ_ASSERT(allocs == before);
  pgw_lrep_stream_free(&s);
  return 0;
}
