/*
 * pgw_repl.h - internal: 64-bit fields and rule-naming failures shared by
 * replication.c, pgoutput.c and pgoutput_stream.c. Not installed.
 */
#ifndef PGW_REPL_H
#define PGW_REPL_H

#include "pgw/replication.h"
#include "pgw_rules.h"
#include "pgw_wire.h"

static inline int pgw_rd_u64(pgw_rd *r, uint64_t *out, const char *what) {
  if (pgw_rd_left(r) < 8) return pgw_rd_fail(r, PGW_ERR_TRUNCATED, what);
  *out = (uint64_t)pgw_load32(r->p) << 32 | pgw_load32(r->p + 4);
  r->p += 8;
  return 0;
}

/* Two's complement without implementation-defined conversion. */
static inline int64_t pgw_as_i64(uint64_t v) {
  return v <= 0x7fffffffffffffffu ? (int64_t)v : -(int64_t)(~v) - 1;
}

static inline int pgw_rd_i64(pgw_rd *r, int64_t *out, const char *what) {
  uint64_t v;
  int rc = pgw_rd_u64(r, &v, what);
  if (rc == 0) *out = pgw_as_i64(v);
  return rc;
}

static inline void pgw_wr_u64(pgw_wr *w, uint64_t v) {
  pgw_wr_u32(w, (uint32_t)(v >> 32));
  pgw_wr_u32(w, (uint32_t)v);
}

static inline void pgw_wr_i64(pgw_wr *w, int64_t v) {
  pgw_wr_u64(w, (uint64_t)v);
}

static inline void pgw_wr_bytes(pgw_wr *w, pgw_bytes b) {
  pgw_wr_put(w, b.ptr, b.len);
}

/* Fail at the reader's offset naming rule idx. */
static inline int pgw_repl_fail(pgw_rd *r, int code, enum pgw__rule_index idx,
                                const char *reason) {
  return pgw_rd_fail_rule(r, code, pgw__rule(idx), reason);
}

/* Run an encoder into buf[0..cap) the way pgw_message_encode does. */
static inline int pgw_repl_finish(pgw_wr *w, int rc, size_t cap, size_t *len) {
  if (rc) {
    if (len) *len = 0;
    return rc;
  }
  if (len) *len = w->len;
  return w->len <= cap ? 0 : PGW_ERR_BUFFER_TOO_SMALL;
}

/* Append what enc writes for m to b: size query, reserve, encode. */
static inline int pgw_repl_encode_into_buf(int (*enc)(const void *, uint8_t *,
                                                      size_t, size_t *),
                                           const void *m, pgw_buf *b) {
  size_t need = 0;
  if (b == NULL) return PGW_ERR_INVALID_ARGUMENT;
  int rc = enc(m, NULL, 0, &need);
  if (rc != 0 && rc != PGW_ERR_BUFFER_TOO_SMALL) return rc;
  if (pgw_buf_reserve(b, need) != 0) return PGW_ERR_NOMEM;
  rc = enc(m, b->data + b->len, b->cap - b->len, &need);
  if (rc == 0) b->len += need;
  return rc;
}

const char *pgw__repl_strerror(int status);

/* pgoutput decoding with a mode: a check of a rule the mode does not
 * reject is counted in *warnings (and *warn keeps the last) instead of
 * failing. pgw_lrep_decode is this in strict mode. */
typedef struct pgw__lrep_ctx {
  pgw_mode mode;
  size_t *warnings;
  pgw_error *warn;
} pgw__lrep_ctx;

int pgw__lrep_decode(const pgw__lrep_ctx *c, const uint8_t *payload, size_t len,
                     int version, int in_stream, pgw_lrep_msg *out,
                     pgw_error *err);

#endif /* PGW_REPL_H */
