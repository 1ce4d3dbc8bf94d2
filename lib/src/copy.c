/*
 * copy.c - the COPY family: CopyData ('d', both directions), CopyFail ('f'),
 * CopyInResponse ('G'), CopyOutResponse ('H') and CopyBothResponse ('W').
 * CopyDone has no payload and is handled in message.c.
 */
#include "pgw_internal.h"

/* Int8 overall format, Int16 column count (unsigned, as PostgreSQL writes
 * it), Int16 format per column, each 0 or 1, all 0 when the overall
 * format is text. */
static int decode_response(pgw_rd *r, pgw_copy_response *out) {
  uint8_t format;
  uint16_t count;
  int rc = pgw_rd_u8(r, &format, "CopyResponse: overall format is missing");
  if (rc) return rc;
  const uint8_t *format_at = r->p - 1;
  rc = pgw_rd_u16(r, &count, "CopyResponse: column count is missing");
  if (rc) return rc;
  const uint8_t *cols = r->p;
  rc = pgw__rd_i16_list(r, count, 0, &out->columns,
                        "CopyResponse: fewer column formats than the count");
  if (rc) return rc;
  out->format = (int8_t)format;
  rc = pgw_rd_end(r, "CopyResponse: bytes after the last column format");
  if (rc) return rc;
  /* The codes are judged after the structure: libpq reads any code
   * (documented), but refuses a length that disagrees (reference). */
  if (format > 1) {
    r->p = format_at;
    return pgw_rd_fail(r, PGW_ERR_BAD_VALUE,
                       "CopyResponse: overall format is not 0 (text) or 1 "
                       "(binary)");
  }
  const uint8_t *bad = pgw__bad_format(&out->columns);
  if (bad) {
    r->p = bad;
    return pgw_rd_fail(r, PGW_ERR_BAD_VALUE,
                       "CopyResponse: format code is not 0 or 1");
  }
  for (size_t i = 0; format == 0 && i < count; i++)
    if (pgw_load16(cols + 2 * i) != 0) {
      r->p = cols + 2 * i;
      return pgw_rd_fail(r, PGW_ERR_BAD_VALUE,
                         "CopyResponse: binary column in a text-format COPY");
    }
  return 0;
}

int pgw__copy_decode(pgw_kind kind, pgw_rd *r, pgw_message *m) {
  int rc;
  switch (kind) {
  case PGW_MSG_COPY_DATA: pgw_rd_rest(r, &m->body.copy_data.data); return 0;
  case PGW_MSG_COPY_FAIL:
    rc = pgw_rd_cstr(r, &m->body.copy_fail.text,
                     "CopyFail: error message lacks its NUL terminator");
    if (rc) return rc;
    return pgw_rd_end(r, "CopyFail: bytes after the error message");
  case PGW_MSG_COPY_IN_RESPONSE:
  case PGW_MSG_COPY_OUT_RESPONSE:
  case PGW_MSG_COPY_BOTH_RESPONSE:
    return decode_response(r, &m->body.copy_response);
  default:
    return pgw_rd_fail(r, PGW_ERR_INVALID_ARGUMENT,
                       "copy: message kind is not a COPY message");
  }
}

static int encode_response(const pgw_copy_response *c, pgw_wr *w) {
  const pgw_i16_list *cols = &c->columns;
  if (c->format != 0 && c->format != 1) return PGW_ERR_BAD_VALUE;
  if (cols->count > 0xffffu) return PGW_ERR_BAD_COUNT;
  if (cols->items == NULL && cols->raw.len != cols->count * 2)
    return PGW_ERR_BAD_COUNT;
  for (size_t i = 0; i < cols->count; i++) {
    int16_t f = pgw_i16_get(cols, i);
    if (f != 0 && f != 1) return PGW_ERR_BAD_VALUE;
    if (c->format == 0 && f != 0) return PGW_ERR_BAD_VALUE;
  }
  pgw_wr_u8(w, (uint8_t)c->format);
  int rc = pgw_wr_count16(w, cols->count);
  if (rc) return rc;
  return pgw__wr_i16_list(w, cols);
}

int pgw__copy_encode(const pgw_message *m, pgw_wr *w) {
  switch (m->kind) {
  case PGW_MSG_COPY_DATA: {
    const pgw_bytes *d = &m->body.copy_data.data;
    if (d->len != 0 && d->ptr == NULL) return PGW_ERR_INVALID_ARGUMENT;
    pgw_wr_put(w, d->ptr, d->len);
    return 0;
  }
  case PGW_MSG_COPY_FAIL: return pgw_wr_cstr(w, m->body.copy_fail.text);
  case PGW_MSG_COPY_IN_RESPONSE:
  case PGW_MSG_COPY_OUT_RESPONSE:
  case PGW_MSG_COPY_BOTH_RESPONSE:
    return encode_response(&m->body.copy_response, w);
  default: return PGW_ERR_INVALID_ARGUMENT;
  }
}
