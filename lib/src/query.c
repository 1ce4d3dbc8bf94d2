/*
 * query.c - the simple query family: Query, CommandComplete, ReadyForQuery,
 * and the result messages RowDescription and DataRow (shared with the
 * extended protocol).
 *
 * DataRow is the hot path of every result set, so its reader is one tight
 * pass over the column lengths with no calls per column; the columns stay a
 * raw view that pgw_value_next() walks later.
 */
#include "pgw_internal.h"

/* Fixed part of a RowDescription field after its name: table OID (4),
 * attnum (2), type OID (4), typlen (2), typmod (4), format (2). */
#define PGW_FIELD_FIXED 18u

/* ---- decoding --------------------------------------------------------- */

/* One string and nothing after it: Query, CommandComplete. */
static int rd_text(pgw_rd *r, pgw_text *out, const char *no_nul,
                   const char *trailing) {
  int rc = pgw_rd_cstr(r, &out->text, no_nul);
  if (rc) return rc;
  return pgw_rd_end(r, trailing);
}

/* The status byte is judged after the length (libpq refuses trailing
 * bytes, but reads any status): a documented deviation must not hide a
 * reference one. */
static int rd_ready(pgw_rd *r, pgw_ready_for_query *out) {
  uint8_t s;
  int rc = pgw_rd_u8(r, &s, "ReadyForQuery: transaction status is missing");
  if (rc) return rc;
  out->status = s;
  rc = pgw_rd_end(r, "ReadyForQuery: bytes after the transaction status");
  if (rc) return rc;
  if (s != 'I' && s != 'T' && s != 'E') {
    r->p--;
    return pgw_rd_fail(r, PGW_ERR_BAD_VALUE,
                       "ReadyForQuery: transaction status is not I, T or E");
  }
  return 0;
}

static int rd_row_description(pgw_rd *r, pgw_row_description *out) {
  uint16_t n;
  int rc = pgw_rd_u16(r, &n, "RowDescription: field count is cut short");
  if (rc) return rc;
  const uint8_t *start = r->p;
  const uint8_t *end = r->end;
  const uint8_t *bad_format = NULL;
  for (unsigned i = 0; i < n; i++) {
    if (r->p == end)
      return pgw_rd_fail(r, PGW_ERR_BAD_COUNT,
                         "RowDescription: fewer fields than the field count");
    const uint8_t *nul = (const uint8_t *)memchr(r->p, 0, (size_t)(end - r->p));
    if (nul == NULL)
      return pgw_rd_fail(r, PGW_ERR_NO_TERMINATOR,
                         "RowDescription: field name lacks its terminator");
    r->p = nul + 1;
    if ((size_t)(end - r->p) < PGW_FIELD_FIXED)
      return pgw_rd_fail(r, PGW_ERR_TRUNCATED,
                         "RowDescription: field runs past the end");
    if (bad_format == NULL && pgw_load16(r->p + 16) > 1) bad_format = r->p + 16;
    r->p += PGW_FIELD_FIXED;
  }
  out->columns.count = n;
  out->columns.raw.ptr = start;
  out->columns.raw.len = (size_t)(r->p - start);
  out->columns.items = NULL;
  rc = pgw_rd_end(r, "RowDescription: bytes after the last field");
  if (rc || bad_format == NULL) return rc;
  /* judged after the structure: libpq reads any code (documented) */
  r->p = bad_format;
  return pgw_rd_fail(r, PGW_ERR_BAD_VALUE,
                     "RowDescription: format code is not 0 or 1");
}

/*
 * DataRow: Int16 column count (unsigned, as libpq reads it), then per
 * column an Int32 length (-1 NULL) and that many bytes. The loop touches
 * each length word once and nothing else.
 */
static int rd_data_row(pgw_rd *r, pgw_data_row *out) {
  int rc = pgw__data_row_decode(r->p, (size_t)(r->end - r->p), out, r->err);
  if (rc)
    r->err->offset += (size_t)(r->p - r->base);
  else
    r->p = r->end;
  return rc;
}

int pgw__query_decode(pgw_kind kind, pgw_rd *r, pgw_message *m) {
  switch (kind) {
  case PGW_MSG_DATA_ROW: return rd_data_row(r, &m->body.data_row);
  case PGW_MSG_ROW_DESCRIPTION:
    return rd_row_description(r, &m->body.row_description);
  case PGW_MSG_QUERY:
    return rd_text(r, &m->body.query,
                   "Query: query string lacks its terminator",
                   "Query: bytes after the query string");
  case PGW_MSG_COMMAND_COMPLETE:
    return rd_text(r, &m->body.command_complete,
                   "CommandComplete: command tag lacks its terminator",
                   "CommandComplete: bytes after the command tag");
  case PGW_MSG_READY_FOR_QUERY: return rd_ready(r, &m->body.ready);
  default:
    return pgw_rd_fail(r, PGW_ERR_UNKNOWN_TYPE,
                       "query family: kind not handled here");
  }
}

/* ---- encoding --------------------------------------------------------- */

static int wr_row_description(pgw_wr *w, const pgw_row_description *d) {
  const pgw_column_list *l = &d->columns;
  int rc = pgw_wr_count16(w, l->count);
  if (rc) return rc;
  if (l->items == NULL) {
    pgw_wr_put(w, l->raw.ptr, l->raw.len);
    return 0;
  }
  for (size_t i = 0; i < l->count; i++) {
    const pgw_column *c = &l->items[i];
    if (c->format != 0 && c->format != 1) return PGW_ERR_BAD_VALUE;
    rc = pgw_wr_cstr(w, c->name);
    if (rc) return rc;
    pgw_wr_u32(w, c->table_oid);
    pgw_wr_i16(w, c->column_attnum);
    pgw_wr_u32(w, c->type_oid);
    pgw_wr_i16(w, c->type_size);
    pgw_wr_i32(w, c->type_modifier);
    pgw_wr_i16(w, c->format);
  }
  return 0;
}

int pgw__query_encode(const pgw_message *m, pgw_wr *w) {
  int rc;
  switch (m->kind) {
  case PGW_MSG_DATA_ROW:
    rc = pgw_wr_count16(w, m->body.data_row.columns.count);
    if (rc) return rc;
    return pgw__wr_value_list(w, &m->body.data_row.columns);
  case PGW_MSG_ROW_DESCRIPTION:
    return wr_row_description(w, &m->body.row_description);
  case PGW_MSG_QUERY: return pgw_wr_cstr(w, m->body.query.text);
  case PGW_MSG_COMMAND_COMPLETE:
    return pgw_wr_cstr(w, m->body.command_complete.text);
  case PGW_MSG_READY_FOR_QUERY: {
    uint8_t s = m->body.ready.status;
    if (s != 'I' && s != 'T' && s != 'E') return PGW_ERR_BAD_VALUE;
    pgw_wr_u8(w, s);
    return 0;
  }
  default: return PGW_ERR_INVALID_ARGUMENT;
  }
}
