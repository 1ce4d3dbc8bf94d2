/*
 * pgw_wire.h - internal: bounds-checked big-endian reader over a payload,
 * and a counting writer, shared by every message family. Not installed.
 */
#ifndef PGW_WIRE_H
#define PGW_WIRE_H

#include <string.h>

#include "pgw/message.h"

/* Reader over payload[0..len). Every read checks bounds; on failure it
 * records code, offset (from base) and reason in *err and returns code. */
typedef struct pgw_rd {
  const uint8_t *base;
  const uint8_t *p;
  const uint8_t *end;
  pgw_error *err; /* never NULL inside the library */
} pgw_rd;

static inline void pgw_rd_init(pgw_rd *r, const uint8_t *payload, size_t len,
                               pgw_error *err) {
  static const uint8_t empty[1] = {0};
  if (payload == NULL) payload = empty, len = 0; /* no NULL arithmetic */
  r->base = payload;
  r->p = payload;
  r->end = payload + len;
  r->err = err;
}

static inline size_t pgw_rd_left(const pgw_rd *r) {
  return (size_t)(r->end - r->p);
}

static inline size_t pgw_rd_offset(const pgw_rd *r) {
  return (size_t)(r->p - r->base);
}

/* Record a failure at the reader's current offset. */
static inline int pgw_rd_fail(pgw_rd *r, int code, const char *reason) {
  r->err->code = code;
  r->err->offset = pgw_rd_offset(r);
  r->err->reason = reason;
  return code;
}

/* The same, naming the rule (when the kind and code do not decide it). */
static inline int pgw_rd_fail_rule(pgw_rd *r, int code, const pgw_rule *rule,
                                   const char *reason) {
  pgw_rd_fail(r, code, reason);
  r->err->rule = rule;
  return code;
}

static inline uint16_t pgw_load16(const uint8_t *p) {
  return (uint16_t)((unsigned)p[0] << 8 | (unsigned)p[1]);
}

static inline uint32_t pgw_load32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/* Two's complement reinterpretation without implementation-defined casts. */
static inline int32_t pgw_as_i32(uint32_t v) {
  return v <= 0x7fffffffu ? (int32_t)v : -(int32_t)(~v) - 1;
}

static inline int16_t pgw_as_i16(uint16_t v) {
  return v <= 0x7fffu ? (int16_t)v : (int16_t)(-(int32_t)(uint16_t)(~v) - 1);
}

static inline int pgw_rd_u8(pgw_rd *r, uint8_t *out, const char *what) {
  if (pgw_rd_left(r) < 1) return pgw_rd_fail(r, PGW_ERR_TRUNCATED, what);
  *out = *r->p++;
  return 0;
}

static inline int pgw_rd_u16(pgw_rd *r, uint16_t *out, const char *what) {
  if (pgw_rd_left(r) < 2) return pgw_rd_fail(r, PGW_ERR_TRUNCATED, what);
  *out = pgw_load16(r->p);
  r->p += 2;
  return 0;
}

static inline int pgw_rd_i16(pgw_rd *r, int16_t *out, const char *what) {
  uint16_t v;
  int rc = pgw_rd_u16(r, &v, what);
  if (rc == 0) *out = pgw_as_i16(v);
  return rc;
}

static inline int pgw_rd_u32(pgw_rd *r, uint32_t *out, const char *what) {
  if (pgw_rd_left(r) < 4) return pgw_rd_fail(r, PGW_ERR_TRUNCATED, what);
  *out = pgw_load32(r->p);
  r->p += 4;
  return 0;
}

static inline int pgw_rd_i32(pgw_rd *r, int32_t *out, const char *what) {
  uint32_t v;
  int rc = pgw_rd_u32(r, &v, what);
  if (rc == 0) *out = pgw_as_i32(v);
  return rc;
}

/* NUL-terminated string; the view excludes the NUL. */
static inline int pgw_rd_cstr(pgw_rd *r, pgw_str *out, const char *what) {
  const uint8_t *nul =
      pgw_rd_left(r) ? (const uint8_t *)memchr(r->p, 0, pgw_rd_left(r)) : NULL;
  if (nul == NULL) return pgw_rd_fail(r, PGW_ERR_NO_TERMINATOR, what);
  out->ptr = (const char *)r->p;
  out->len = (size_t)(nul - r->p);
  r->p = nul + 1;
  return 0;
}

static inline int pgw_rd_bytes(pgw_rd *r, size_t n, pgw_bytes *out,
                               const char *what) {
  if (pgw_rd_left(r) < n) return pgw_rd_fail(r, PGW_ERR_TRUNCATED, what);
  out->ptr = r->p;
  out->len = n;
  r->p += n;
  return 0;
}

/* All remaining bytes. */
static inline void pgw_rd_rest(pgw_rd *r, pgw_bytes *out) {
  out->ptr = r->p;
  out->len = pgw_rd_left(r);
  r->p = r->end;
}

/* Fail with PGW_ERR_TRAILING_BYTES unless the payload is used up. */
static inline int pgw_rd_end(pgw_rd *r, const char *what) {
  if (r->p != r->end) return pgw_rd_fail(r, PGW_ERR_TRAILING_BYTES, what);
  return 0;
}

/* Writer: counts every byte, stores only those that fit in cap. */
typedef struct pgw_wr {
  uint8_t *buf;
  size_t len;
  size_t cap;
} pgw_wr;

static inline void pgw_wr_put(pgw_wr *w, const void *src, size_t n) {
  if (n != 0 && w->len <= w->cap && n <= w->cap - w->len)
    memcpy(w->buf + w->len, src, n);
  w->len += n;
}

static inline void pgw_wr_u8(pgw_wr *w, uint8_t v) {
  if (w->len < w->cap) w->buf[w->len] = v;
  w->len += 1;
}

static inline void pgw_wr_u16(pgw_wr *w, uint16_t v) {
  uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
  pgw_wr_put(w, b, 2);
}

static inline void pgw_wr_u32(pgw_wr *w, uint32_t v) {
  uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                  (uint8_t)v};
  pgw_wr_put(w, b, 4);
}

static inline void pgw_wr_i16(pgw_wr *w, int16_t v) {
  pgw_wr_u16(w, (uint16_t)v);
}

static inline void pgw_wr_i32(pgw_wr *w, int32_t v) {
  pgw_wr_u32(w, (uint32_t)v);
}

/* String plus NUL; PGW_ERR_BAD_VALUE if it holds a NUL itself. */
static inline int pgw_wr_cstr(pgw_wr *w, pgw_str s) {
  if (s.len != 0 && (s.ptr == NULL || memchr(s.ptr, 0, s.len) != NULL))
    return PGW_ERR_BAD_VALUE;
  pgw_wr_put(w, s.ptr, s.len);
  pgw_wr_u8(w, 0);
  return 0;
}

/* A list count as Int16 (unsigned on the wire, as PostgreSQL reads it). */
static inline int pgw_wr_count16(pgw_wr *w, size_t n) {
  if (n > 0xffffu) return PGW_ERR_BAD_COUNT;
  pgw_wr_u16(w, (uint16_t)n);
  return 0;
}

#endif /* PGW_WIRE_H */
