/*
 * pgw/read.h - reading decoded messages: typed cursors over lists, so that
 * a cursor of one list type cannot be read with another's next function,
 * and lookups by name or code.
 *
 *   pgw_value_cursor c = pgw_value_cursor_of(&m.body.data_row.columns);
 *   pgw_value v;
 *   while ((rc = pgw_value_cursor_next(&c, &v)) == 1) use(v);
 *
 *   pgw_str sqlstate;
 *   if (pgw_notice_get(&m.body.error, 'C', &sqlstate) == 1) ...
 *
 * The untyped pgw_iter of pgw/message.h stays; a cursor wraps one. Cursors
 * are plain values (copy freely) and hold views of the list: valid as long
 * as the message's views are.
 */
#ifndef PGW_READ_H
#define PGW_READ_H

#include "pgw/message.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One cursor type per list type: pgw_X_cursor, pgw_X_cursor_of(list) and
 * pgw_X_cursor_next(cursor, out), which returns 1 with *out set, 0 at the
 * end, or PGW_ERR_TRUNCATED for the raw bytes of a list not produced by
 * the decoder that run short (as pgw_X_next()).
 */
#define PGW__CURSOR(X, list_t, item_t)                                         \
  typedef struct pgw_##X##_cursor {                                            \
    pgw_iter it;                                                               \
  } pgw_##X##_cursor;                                                          \
  static inline pgw_##X##_cursor pgw_##X##_cursor_of(const list_t *l) {        \
    pgw_##X##_cursor c;                                                        \
    c.it = pgw_##X##_iter(l);                                                  \
    return c;                                                                  \
  }                                                                            \
  static inline int pgw_##X##_cursor_next(pgw_##X##_cursor *c, item_t *out) {  \
    return pgw_##X##_next(&c->it, out);                                        \
  }

PGW__CURSOR(i16, pgw_i16_list, int16_t)
PGW__CURSOR(oid, pgw_oid_list, uint32_t)
PGW__CURSOR(value, pgw_value_list, pgw_value)
PGW__CURSOR(str, pgw_str_list, pgw_str)
PGW__CURSOR(param, pgw_param_list, pgw_param)
PGW__CURSOR(notice_field, pgw_notice_field_list, pgw_notice_field)
PGW__CURSOR(column, pgw_column_list, pgw_column)

/*
 * The value of the first field with this code in an ErrorResponse or
 * NoticeResponse ('S' severity, 'C' SQLSTATE, 'M' message, ...).
 * Ownership: *out is a view into n's bytes.
 * Returns:
 *   1                  found, *out set;
 *   0                  no such field, *out = {NULL, 0};
 *   PGW_ERR_TRUNCATED  n's raw fields run short (a list not decoded by pgw).
 */
int pgw_notice_get(const pgw_notice *n, uint8_t code, pgw_str *out);

/*
 * The value of a StartupMessage parameter by name ("user", "database").
 * Ownership and returns as pgw_notice_get().
 */
int pgw_startup_get(const pgw_startup_message *s, const char *name,
                    pgw_str *out);

/*
 * Whether the list holds the string (e.g. a SASL mechanism offered by
 * AuthenticationSASL).
 * Returns:
 *   1 / 0              present / absent;
 *   PGW_ERR_TRUNCATED  raw strings run short.
 */
int pgw_str_list_has(const pgw_str_list *l, const char *s);

/*
 * Batch read of a DataRow's columns: the first min(count, cap) values into
 * out[0..cap), without a call per value.
 * Ownership: the values are views into the row's bytes.
 * Returns:
 *   the column count (may exceed cap: then only cap values were written);
 *   PGW_ERR_TRUNCATED  raw bytes run short (a list not decoded by pgw).
 */
int32_t pgw_data_row_values(const pgw_data_row *r, pgw_value *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* PGW_READ_H */
