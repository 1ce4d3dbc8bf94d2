/*
 * fastpath.c - the function call subprotocol: FunctionCall ('F') and
 * FunctionCallResponse ('V').
 */
#include "pgw_internal.h"
#include "pgw_rules.h"

/* PostgreSQL (fastpath.c) refuses an argument format code that is not 0
 * or 1 when an argument uses it, and always the result format code;
 * checked after the structure. */
static int check_call_formats(pgw_rd *r, const pgw_function_call *c,
                              const uint8_t *result_at) {
  const uint8_t *bad = pgw__bad_format(&c->arg_formats);
  if (bad) {
    r->p = bad;
    return pgw_rd_fail_rule(r, PGW_ERR_BAD_VALUE,
                            pgw__rule(c->args.count
                                          ? PGW__R_FUNCTION_CALL_ARG_FORMAT
                                          : PGW__R_FUNCTION_CALL_FORMAT),
                            "FunctionCall: argument format code is not 0 or 1");
  }
  if (c->result_format != 0 && c->result_format != 1) {
    r->p = result_at;
    return pgw_rd_fail_rule(r, PGW_ERR_BAD_VALUE,
                            pgw__rule(PGW__R_FUNCTION_CALL_RESULT_FORMAT),
                            "FunctionCall: result format code is not 0 (text) "
                            "or 1 (binary)");
  }
  return 0;
}

/* Int32 function OID; Int16 count and that many argument format codes
 * (0, 1 or one per argument); Int16 argument count and that many values;
 * Int16 result format code. Counts are unsigned, as PostgreSQL reads
 * them. */
static int decode_call(pgw_rd *r, pgw_function_call *out) {
  uint16_t nformats, nargs;
  int rc = pgw_rd_u32(r, &out->function_oid,
                      "FunctionCall: function OID is truncated");
  if (rc) return rc;
  rc = pgw_rd_u16(r, &nformats,
                  "FunctionCall: argument format count is truncated");
  if (rc) return rc;
  rc = pgw__rd_i16_list(r, nformats, 0, &out->arg_formats,
                        "FunctionCall: fewer argument format codes than the "
                        "count");
  if (rc) return rc;
  rc = pgw_rd_u16(r, &nargs, "FunctionCall: argument count is truncated");
  if (rc) return rc;
  if (nformats > 1 && nformats != nargs) {
    r->p -= 2;
    return pgw_rd_fail(r, PGW_ERR_BAD_COUNT,
                       "FunctionCall: argument format count is not 0, 1 or "
                       "the argument count");
  }
  rc = pgw__rd_value_list(r, nargs, &out->args,
                          "FunctionCall: fewer arguments than the count");
  if (rc) return rc;
  if (pgw_rd_left(r) < 2)
    return pgw_rd_fail(r, PGW_ERR_TRUNCATED,
                       "FunctionCall: result format code is truncated");
  const uint8_t *result_at = r->p;
  out->result_format = pgw_as_i16(pgw_load16(r->p));
  r->p += 2;
  rc = pgw_rd_end(r, "FunctionCall: bytes after the result format code");
  if (rc) return rc;
  return check_call_formats(r, out, result_at);
}

int pgw__fastpath_decode(pgw_kind kind, pgw_rd *r, pgw_message *m) {
  int rc;
  switch (kind) {
  case PGW_MSG_FUNCTION_CALL: return decode_call(r, &m->body.function_call);
  case PGW_MSG_FUNCTION_CALL_RESPONSE:
    rc = pgw__rd_value(r, &m->body.function_result.result,
                       "FunctionCallResponse: result value is truncated");
    if (rc) return rc;
    return pgw_rd_end(r, "FunctionCallResponse: bytes after the result");
  default:
    return pgw_rd_fail(r, PGW_ERR_INVALID_ARGUMENT,
                       "fastpath: message kind is not FunctionCall or "
                       "FunctionCallResponse");
  }
}

static int check_value(pgw_value v) {
  if (v.len < -1) return PGW_ERR_NEGATIVE_LENGTH;
  if (v.len > 0 && v.ptr == NULL) return PGW_ERR_INVALID_ARGUMENT;
  return 0;
}

/* Values in a raw argument region, or SIZE_MAX if it is not a whole
 * sequence of (Int32 length, bytes). */
static size_t count_raw_values(pgw_bytes raw) {
  size_t n = 0, off = 0;
  if (raw.len != 0 && raw.ptr == NULL) return SIZE_MAX;
  while (off < raw.len) {
    if (raw.len - off < 4) return SIZE_MAX;
    uint32_t len = pgw_load32(raw.ptr + off);
    off += 4;
    if (len != 0xffffffffu) {
      if (len > 0x7fffffffu || raw.len - off < len) return SIZE_MAX;
      off += len;
    }
    n++;
  }
  return n;
}

static int encode_call(const pgw_function_call *c, pgw_wr *w) {
  const pgw_i16_list *f = &c->arg_formats;
  const pgw_value_list *a = &c->args;
  if (f->count > 0xffffu || a->count > 0xffffu) return PGW_ERR_BAD_COUNT;
  if (f->count > 1 && f->count != a->count) return PGW_ERR_BAD_COUNT;
  if (f->items == NULL && f->raw.len != f->count * 2) return PGW_ERR_BAD_COUNT;
  for (size_t i = 0; i < f->count; i++) {
    int16_t v = pgw_i16_get(f, i);
    if (v != 0 && v != 1) return PGW_ERR_BAD_VALUE;
  }
  if (c->result_format != 0 && c->result_format != 1) return PGW_ERR_BAD_VALUE;
  if (a->items != NULL) {
    for (size_t i = 0; i < a->count; i++) {
      int rc = check_value(a->items[i]);
      if (rc) return rc;
    }
  } else if (count_raw_values(a->raw) != a->count) {
    return PGW_ERR_BAD_COUNT;
  }
  pgw_wr_u32(w, c->function_oid);
  pgw_wr_u16(w, (uint16_t)f->count);
  int rc = pgw__wr_i16_list(w, f);
  if (rc) return rc;
  pgw_wr_u16(w, (uint16_t)a->count);
  rc = pgw__wr_value_list(w, a);
  if (rc) return rc;
  pgw_wr_i16(w, c->result_format);
  return 0;
}

int pgw__fastpath_encode(const pgw_message *m, pgw_wr *w) {
  switch (m->kind) {
  case PGW_MSG_FUNCTION_CALL: return encode_call(&m->body.function_call, w);
  case PGW_MSG_FUNCTION_CALL_RESPONSE: {
    int rc = check_value(m->body.function_result.result);
    if (rc) return rc;
    pgw__wr_value(w, m->body.function_result.result);
    return 0;
  }
  default: return PGW_ERR_INVALID_ARGUMENT;
  }
}
