/*
 * lists.c - repeated parts of messages: strict readers that validate a
 * whole list and keep it as a raw view, writers that emit either the raw
 * view or caller-built items, and the iterators that read both.
 */
#include "pgw_internal.h"

/* ---- readers ---------------------------------------------------------- */

int pgw__rd_i16_list(pgw_rd *r, size_t count, int check_format,
                     pgw_i16_list *out, const char *what) {
  size_t need = count * 2;
  if (pgw_rd_left(r) < need) return pgw_rd_fail(r, PGW_ERR_BAD_COUNT, what);
  if (check_format) {
    for (size_t i = 0; i < count; i++) {
      uint16_t v = pgw_load16(r->p + 2 * i);
      if (v > 1) {
        r->p += 2 * i;
        return pgw_rd_fail(r, PGW_ERR_BAD_VALUE,
                           "format code is not 0 (text) or 1 (binary)");
      }
    }
  }
  out->count = count;
  out->raw.ptr = r->p;
  out->raw.len = need;
  out->items = NULL;
  r->p += need;
  return 0;
}

const void *pgw__bad_format(const pgw_i16_list *l) {
  for (size_t i = 0; i < l->count; i++) {
    if (l->items != NULL) { /* built by the caller */
      if (l->items[i] != 0 && l->items[i] != 1) return &l->items[i];
    } else if (l->raw.ptr != NULL && pgw_load16(l->raw.ptr + 2 * i) > 1) {
      return l->raw.ptr + 2 * i;
    }
  }
  return NULL;
}

int pgw__rd_oid_list(pgw_rd *r, size_t count, pgw_oid_list *out,
                     const char *what) {
  size_t need = count * 4;
  if (pgw_rd_left(r) < need) return pgw_rd_fail(r, PGW_ERR_BAD_COUNT, what);
  out->count = count;
  out->raw.ptr = r->p;
  out->raw.len = need;
  out->items = NULL;
  r->p += need;
  return 0;
}

int pgw__rd_value(pgw_rd *r, pgw_value *out, const char *what) {
  int32_t len;
  int rc = pgw_rd_i32(r, &len, what);
  if (rc) return rc;
  if (len == -1) {
    out->ptr = NULL;
    out->len = -1;
    return 0;
  }
  if (len < 0) {
    r->p -= 4;
    return pgw_rd_fail(r, PGW_ERR_NEGATIVE_LENGTH,
                       "value length is negative and not -1 (NULL)");
  }
  if (pgw_rd_left(r) < (size_t)len)
    return pgw_rd_fail(r, PGW_ERR_TRUNCATED, what);
  out->ptr = r->p;
  out->len = len;
  r->p += len;
  return 0;
}

int pgw__rd_value_list(pgw_rd *r, size_t count, pgw_value_list *out,
                       const char *what) {
  const uint8_t *start = r->p;
  const uint8_t *p = r->p;
  const uint8_t *end = r->end;
  for (size_t i = 0; i < count; i++) {
    if ((size_t)(end - p) < 4) {
      r->p = p;
      /* No value left at all: the count is wrong; part of one: cut short. */
      return p == end ? pgw_rd_fail(r, PGW_ERR_BAD_COUNT, what)
                      : pgw_rd_fail(r, PGW_ERR_TRUNCATED,
                                    "value length runs past the end");
    }
    uint32_t len = pgw_load32(p);
    p += 4;
    if (len == 0xffffffffu) continue;
    if (len > 0x7fffffffu) {
      r->p = p - 4;
      return pgw_rd_fail(r, PGW_ERR_NEGATIVE_LENGTH,
                         "value length is negative and not -1 (NULL)");
    }
    if ((size_t)(end - p) < len) {
      r->p = p;
      return pgw_rd_fail(r, PGW_ERR_TRUNCATED,
                         "value runs past the end of the message");
    }
    p += len;
  }
  out->count = count;
  out->raw.ptr = start;
  out->raw.len = (size_t)(p - start);
  out->items = NULL;
  r->p = p;
  return 0;
}

int pgw__rd_str_list_counted(pgw_rd *r, size_t count, pgw_str_list *out,
                             const char *what) {
  const uint8_t *start = r->p;
  for (size_t i = 0; i < count; i++) {
    pgw_str s;
    if (pgw_rd_left(r) == 0) return pgw_rd_fail(r, PGW_ERR_BAD_COUNT, what);
    int rc = pgw_rd_cstr(r, &s, what);
    if (rc) return rc;
  }
  out->count = count;
  out->raw.ptr = start;
  out->raw.len = (size_t)(r->p - start);
  out->items = NULL;
  return 0;
}

int pgw__rd_str_list_terminated(pgw_rd *r, pgw_str_list *out,
                                const char *what) {
  const uint8_t *start = r->p;
  size_t count = 0;
  for (;;) {
    pgw_str s;
    int rc = pgw_rd_cstr(r, &s, what);
    if (rc) return rc;
    if (s.len == 0) break;
    count++;
  }
  out->count = count;
  out->raw.ptr = start;
  out->raw.len = (size_t)(r->p - start) - 1; /* terminator excluded */
  out->items = NULL;
  return 0;
}

/* ---- writers ---------------------------------------------------------- */

int pgw__wr_i16_list(pgw_wr *w, const pgw_i16_list *l) {
  if (l->items == NULL) {
    if (l->raw.len != l->count * 2) return PGW_ERR_BAD_COUNT;
    pgw_wr_put(w, l->raw.ptr, l->raw.len);
    return 0;
  }
  for (size_t i = 0; i < l->count; i++)
    pgw_wr_i16(w, l->items[i]);
  return 0;
}

int pgw__wr_oid_list(pgw_wr *w, const pgw_oid_list *l) {
  if (l->items == NULL) {
    if (l->raw.len != l->count * 4) return PGW_ERR_BAD_COUNT;
    pgw_wr_put(w, l->raw.ptr, l->raw.len);
    return 0;
  }
  for (size_t i = 0; i < l->count; i++)
    pgw_wr_u32(w, l->items[i]);
  return 0;
}

void pgw__wr_value(pgw_wr *w, pgw_value v) {
  if (v.len < 0) {
    pgw_wr_i32(w, -1);
    return;
  }
  pgw_wr_i32(w, v.len);
  pgw_wr_put(w, v.ptr, (size_t)v.len);
}

int pgw__wr_value_list(pgw_wr *w, const pgw_value_list *l) {
  if (l->items == NULL) {
    pgw_wr_put(w, l->raw.ptr, l->raw.len);
    return 0;
  }
  for (size_t i = 0; i < l->count; i++) {
    if (l->items[i].len < -1) return PGW_ERR_NEGATIVE_LENGTH;
    pgw__wr_value(w, l->items[i]);
  }
  return 0;
}

int pgw__wr_str_list(pgw_wr *w, const pgw_str_list *l) {
  if (l->items == NULL) {
    pgw_wr_put(w, l->raw.ptr, l->raw.len);
    return 0;
  }
  for (size_t i = 0; i < l->count; i++) {
    int rc = pgw_wr_cstr(w, l->items[i]);
    if (rc) return rc;
  }
  return 0;
}

/* ---- raw regions being encoded ---------------------------------------- */

int pgw__check_raw_strs(pgw_bytes raw, size_t count, size_t per_item,
                        int first_nonempty) {
  if (raw.ptr == NULL) /* empty; NULL + 0 is not defined in C */
    return raw.len == 0 && count == 0 ? 0 : PGW_ERR_INVALID_ARGUMENT;
  const uint8_t *p = raw.ptr, *end = raw.ptr + raw.len;
  size_t strs = 0;
  while (p < end) {
    const uint8_t *nul = (const uint8_t *)memchr(p, 0, (size_t)(end - p));
    if (nul == NULL) return PGW_ERR_NO_TERMINATOR;
    if (nul == p && first_nonempty && strs % per_item == 0)
      return PGW_ERR_BAD_VALUE;
    p = nul + 1;
    strs++;
  }
  if (strs % per_item != 0) return PGW_ERR_NO_TERMINATOR; /* item cut short */
  return strs / per_item == count ? 0 : PGW_ERR_BAD_COUNT;
}

/* ---- iterators -------------------------------------------------------- */

static pgw_iter iter_of(pgw_bytes raw, const void *items, size_t count) {
  pgw_iter it;
  it.pos = raw.ptr;
  it.end = raw.ptr ? raw.ptr + raw.len : NULL;
  it.items = items;
  it.index = 0;
  it.count = count;
  return it;
}

pgw_iter pgw_i16_iter(const pgw_i16_list *l) {
  return iter_of(l->raw, l->items, l->count);
}
pgw_iter pgw_oid_iter(const pgw_oid_list *l) {
  return iter_of(l->raw, l->items, l->count);
}
extern inline pgw_iter pgw_value_iter(const pgw_value_list *l);
pgw_iter pgw_str_iter(const pgw_str_list *l) {
  return iter_of(l->raw, l->items, l->count);
}
pgw_iter pgw_param_iter(const pgw_param_list *l) {
  return iter_of(l->raw, l->items, l->count);
}
pgw_iter pgw_notice_field_iter(const pgw_notice_field_list *l) {
  return iter_of(l->raw, l->items, l->count);
}
pgw_iter pgw_column_iter(const pgw_column_list *l) {
  return iter_of(l->raw, l->items, l->count);
}

static size_t it_left(const pgw_iter *it) {
  return (size_t)(it->end - it->pos);
}

/* String at it->pos up to its NUL; 0 if the raw bytes hold none. */
static int it_cstr(pgw_iter *it, pgw_str *out) {
  if (it_left(it) == 0) return 0;
  const uint8_t *nul = (const uint8_t *)memchr(it->pos, 0, it_left(it));
  if (nul == NULL) return 0;
  out->ptr = (const char *)it->pos;
  out->len = (size_t)(nul - it->pos);
  it->pos = nul + 1;
  return 1;
}

int pgw_i16_next(pgw_iter *it, int16_t *out) {
  if (it->index >= it->count) return 0;
  if (it->items) {
    *out = ((const int16_t *)it->items)[it->index++];
    return 1;
  }
  if (it_left(it) < 2) return PGW_ERR_TRUNCATED;
  *out = pgw_as_i16(pgw_load16(it->pos));
  it->pos += 2;
  it->index++;
  return 1;
}

int pgw_oid_next(pgw_iter *it, uint32_t *out) {
  if (it->index >= it->count) return 0;
  if (it->items) {
    *out = ((const uint32_t *)it->items)[it->index++];
    return 1;
  }
  if (it_left(it) < 4) return PGW_ERR_TRUNCATED;
  *out = pgw_load32(it->pos);
  it->pos += 4;
  it->index++;
  return 1;
}

extern inline int pgw_value_next(pgw_iter *it, pgw_value *out);

int pgw_str_next(pgw_iter *it, pgw_str *out) {
  if (it->index >= it->count) return 0;
  if (it->items) {
    *out = ((const pgw_str *)it->items)[it->index++];
    return 1;
  }
  if (!it_cstr(it, out)) return PGW_ERR_TRUNCATED;
  it->index++;
  return 1;
}

int pgw_param_next(pgw_iter *it, pgw_param *out) {
  if (it->index >= it->count) return 0;
  if (it->items) {
    *out = ((const pgw_param *)it->items)[it->index++];
    return 1;
  }
  pgw_iter save = *it;
  if (!it_cstr(it, &out->name) || !it_cstr(it, &out->value)) {
    *it = save;
    return PGW_ERR_TRUNCATED;
  }
  it->index++;
  return 1;
}

int pgw_notice_field_next(pgw_iter *it, pgw_notice_field *out) {
  if (it->index >= it->count) return 0;
  if (it->items) {
    *out = ((const pgw_notice_field *)it->items)[it->index++];
    return 1;
  }
  pgw_iter save = *it;
  if (it_left(it) < 1) return PGW_ERR_TRUNCATED;
  out->code = *it->pos++;
  if (!it_cstr(it, &out->value)) {
    *it = save;
    return PGW_ERR_TRUNCATED;
  }
  it->index++;
  return 1;
}

int pgw_column_next(pgw_iter *it, pgw_column *out) {
  if (it->index >= it->count) return 0;
  if (it->items) {
    *out = ((const pgw_column *)it->items)[it->index++];
    return 1;
  }
  pgw_iter save = *it;
  if (!it_cstr(it, &out->name) || it_left(it) < 18) {
    *it = save;
    return PGW_ERR_TRUNCATED;
  }
  const uint8_t *p = it->pos;
  out->table_oid = pgw_load32(p);
  out->column_attnum = pgw_as_i16(pgw_load16(p + 4));
  out->type_oid = pgw_load32(p + 6);
  out->type_size = pgw_as_i16(pgw_load16(p + 10));
  out->type_modifier = pgw_as_i32(pgw_load32(p + 12));
  out->format = pgw_as_i16(pgw_load16(p + 16));
  it->pos += 18;
  it->index++;
  return 1;
}

int16_t pgw_i16_get(const pgw_i16_list *l, size_t i) {
  if (i >= l->count) return 0;
  if (l->items) return l->items[i];
  if (l->raw.len < 2 * (i + 1)) return 0;
  return pgw_as_i16(pgw_load16(l->raw.ptr + 2 * i));
}

uint32_t pgw_oid_get(const pgw_oid_list *l, size_t i) {
  if (i >= l->count) return 0;
  if (l->items) return l->items[i];
  if (l->raw.len < 4 * (i + 1)) return 0;
  return pgw_load32(l->raw.ptr + 4 * i);
}
