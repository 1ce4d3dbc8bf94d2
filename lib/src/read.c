/*
 * read.c - lookups over decoded lists (pgw/read.h).
 */
#include <string.h>

#include "pgw/read.h"

static int str_is(pgw_str a, const char *b) {
  size_t n = strlen(b);
  return a.len == n && (n == 0 || memcmp(a.ptr, b, n) == 0);
}

int pgw_notice_get(const pgw_notice *n, uint8_t code, pgw_str *out) {
  pgw_iter it = pgw_notice_field_iter(&n->fields);
  pgw_notice_field f;
  int rc;
  out->ptr = NULL;
  out->len = 0;
  while ((rc = pgw_notice_field_next(&it, &f)) == 1) {
    if (f.code == code) {
      *out = f.value;
      return 1;
    }
  }
  return rc;
}

int pgw_startup_get(const pgw_startup_message *s, const char *name,
                    pgw_str *out) {
  pgw_iter it = pgw_param_iter(&s->params);
  pgw_param p;
  int rc;
  out->ptr = NULL;
  out->len = 0;
  while ((rc = pgw_param_next(&it, &p)) == 1) {
    if (str_is(p.name, name)) {
      *out = p.value;
      return 1;
    }
  }
  return rc;
}

int pgw_str_list_has(const pgw_str_list *l, const char *s) {
  pgw_iter it = pgw_str_iter(l);
  pgw_str v;
  int rc;
  while ((rc = pgw_str_next(&it, &v)) == 1)
    if (str_is(v, s)) return 1;
  return rc;
}

int32_t pgw_data_row_values(const pgw_data_row *r, pgw_value *out, size_t cap) {
  const pgw_value_list *l = &r->columns;
  size_t n = l->count < cap ? l->count : cap;
  if (l->items) {
    if (n) memcpy(out, l->items, n * sizeof *out);
    return (int32_t)l->count;
  }
  pgw_iter it = pgw_value_iter(l);
  for (size_t i = 0; i < n; i++) {
    int rc = pgw_value_next(&it, &out[i]);
    if (rc != 1) return PGW_ERR_TRUNCATED;
  }
  return (int32_t)l->count;
}
