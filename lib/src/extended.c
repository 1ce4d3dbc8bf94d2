/*
 * extended.c - the extended query family: Parse, Bind, Describe, Execute,
 * Close (frontend) and ParameterDescription (backend).
 *
 * Counts are Int16 read unsigned (0..65535), as PostgreSQL's
 * pq_getmsgint(msg, 2) reads them. Bind follows exec_bind_message(): the
 * number of parameter format codes is 0, 1 or the number of parameters.
 */
#include "pgw_internal.h"
#include "pgw_rules.h"

/* ---- decoding --------------------------------------------------------- */

static int rd_parse(pgw_rd *r, pgw_parse *out) {
  uint16_t n;
  int rc = pgw_rd_cstr(r, &out->statement,
                       "Parse: statement name lacks its terminator");
  if (rc) return rc;
  rc = pgw_rd_cstr(r, &out->query, "Parse: query string lacks its terminator");
  if (rc) return rc;
  rc = pgw_rd_u16(r, &n, "Parse: parameter type count is cut short");
  if (rc) return rc;
  rc = pgw__rd_oid_list(r, n, &out->param_types,
                        "Parse: fewer parameter types than the count");
  if (rc) return rc;
  return pgw_rd_end(r, "Parse: bytes after the parameter types");
}

/* Format codes are checked after the structure: PostgreSQL refuses a
 * parameter format code that is not 0 or 1 whenever a parameter uses it,
 * a result format code only when the portal is executed (state pgw does
 * not see), so the rule depends on the parameter count. */
static int check_bind_formats(pgw_rd *r, const pgw_bind *b) {
  const uint8_t *bad = pgw__bad_format(&b->param_formats);
  if (bad) {
    r->p = bad;
    return pgw_rd_fail_rule(r, PGW_ERR_BAD_VALUE,
                            pgw__rule(b->params.count ? PGW__R_BIND_PARAM_FORMAT
                                                      : PGW__R_BIND_FORMAT),
                            "Bind: parameter format code is not 0 or 1");
  }
  bad = pgw__bad_format(&b->result_formats);
  if (bad) {
    r->p = bad;
    return pgw_rd_fail_rule(r, PGW_ERR_BAD_VALUE, pgw__rule(PGW__R_BIND_FORMAT),
                            "Bind: result format code is not 0 or 1");
  }
  return 0;
}

static int rd_bind(pgw_rd *r, pgw_bind *out) {
  uint16_t nfmt, nparam, nres;
  int rc =
      pgw_rd_cstr(r, &out->portal, "Bind: portal name lacks its terminator");
  if (rc) return rc;
  rc = pgw_rd_cstr(r, &out->statement,
                   "Bind: statement name lacks its terminator");
  if (rc) return rc;
  rc = pgw_rd_u16(r, &nfmt, "Bind: parameter format count is cut short");
  if (rc) return rc;
  rc = pgw__rd_i16_list(r, nfmt, 0, &out->param_formats,
                        "Bind: fewer parameter format codes than the count");
  if (rc) return rc;
  rc = pgw_rd_u16(r, &nparam, "Bind: parameter count is cut short");
  if (rc) return rc;
  if (nfmt > 1 && nfmt != nparam) {
    r->p -= 2;
    return pgw_rd_fail(r, PGW_ERR_BAD_COUNT,
                       "Bind: parameter format count is not 0, 1 or the "
                       "parameter count");
  }
  rc = pgw__rd_value_list(r, nparam, &out->params,
                          "Bind: fewer parameters than the parameter count");
  if (rc) return rc;
  rc = pgw_rd_u16(r, &nres, "Bind: result format count is cut short");
  if (rc) return rc;
  rc = pgw__rd_i16_list(r, nres, 0, &out->result_formats,
                        "Bind: fewer result format codes than the count");
  if (rc) return rc;
  rc = pgw_rd_end(r, "Bind: bytes after the result format codes");
  if (rc) return rc;
  return check_bind_formats(r, out);
}

static int rd_close_describe(pgw_rd *r, pgw_close_describe *out,
                             const char *missing, const char *bad,
                             const char *no_nul, const char *trailing) {
  uint8_t t;
  int rc = pgw_rd_u8(r, &t, missing);
  if (rc) return rc;
  if (t != 'S' && t != 'P') {
    r->p--;
    return pgw_rd_fail(r, PGW_ERR_BAD_VALUE, bad);
  }
  out->target = t;
  rc = pgw_rd_cstr(r, &out->name, no_nul);
  if (rc) return rc;
  return pgw_rd_end(r, trailing);
}

static int rd_execute(pgw_rd *r, pgw_execute *out) {
  int rc =
      pgw_rd_cstr(r, &out->portal, "Execute: portal name lacks its terminator");
  if (rc) return rc;
  rc = pgw_rd_i32(r, &out->max_rows, "Execute: row limit is cut short");
  if (rc) return rc;
  return pgw_rd_end(r, "Execute: bytes after the row limit");
}

static int rd_parameter_description(pgw_rd *r, pgw_parameter_description *out) {
  uint16_t n;
  int rc = pgw_rd_u16(r, &n, "ParameterDescription: count is cut short");
  if (rc) return rc;
  rc = pgw__rd_oid_list(r, n, &out->types,
                        "ParameterDescription: fewer types than the count");
  if (rc) return rc;
  return pgw_rd_end(r, "ParameterDescription: bytes after the last type");
}

int pgw__extended_decode(pgw_kind kind, pgw_rd *r, pgw_message *m) {
  switch (kind) {
  case PGW_MSG_PARSE: return rd_parse(r, &m->body.parse);
  case PGW_MSG_BIND: return rd_bind(r, &m->body.bind);
  case PGW_MSG_DESCRIBE:
    return rd_close_describe(
        r, &m->body.describe, "Describe: target byte is missing",
        "Describe: target is not S or P", "Describe: name lacks its terminator",
        "Describe: bytes after the name");
  case PGW_MSG_CLOSE:
    return rd_close_describe(r, &m->body.close, "Close: target byte is missing",
                             "Close: target is not S or P",
                             "Close: name lacks its terminator",
                             "Close: bytes after the name");
  case PGW_MSG_EXECUTE: return rd_execute(r, &m->body.execute);
  case PGW_MSG_PARAMETER_DESCRIPTION:
    return rd_parameter_description(r, &m->body.parameter_description);
  default:
    return pgw_rd_fail(r, PGW_ERR_UNKNOWN_TYPE,
                       "extended family: kind not handled here");
  }
}

/* ---- encoding --------------------------------------------------------- */

/* Count, then the codes; built codes must be 0 or 1. */
static int wr_formats(pgw_wr *w, const pgw_i16_list *l) {
  int rc = pgw_wr_count16(w, l->count);
  if (rc) return rc;
  if (l->items != NULL)
    for (size_t i = 0; i < l->count; i++)
      if (l->items[i] != 0 && l->items[i] != 1) return PGW_ERR_BAD_VALUE;
  return pgw__wr_i16_list(w, l);
}

static int wr_bind(pgw_wr *w, const pgw_bind *b) {
  size_t nfmt = b->param_formats.count;
  if (nfmt > 1 && nfmt != b->params.count) return PGW_ERR_BAD_COUNT;
  int rc = pgw_wr_cstr(w, b->portal);
  if (rc) return rc;
  rc = pgw_wr_cstr(w, b->statement);
  if (rc) return rc;
  rc = wr_formats(w, &b->param_formats);
  if (rc) return rc;
  rc = pgw_wr_count16(w, b->params.count);
  if (rc) return rc;
  rc = pgw__wr_value_list(w, &b->params);
  if (rc) return rc;
  return wr_formats(w, &b->result_formats);
}

static int wr_close_describe(pgw_wr *w, const pgw_close_describe *c) {
  if (c->target != 'S' && c->target != 'P') return PGW_ERR_BAD_VALUE;
  pgw_wr_u8(w, c->target);
  return pgw_wr_cstr(w, c->name);
}

int pgw__extended_encode(const pgw_message *m, pgw_wr *w) {
  int rc;
  switch (m->kind) {
  case PGW_MSG_PARSE:
    rc = pgw_wr_cstr(w, m->body.parse.statement);
    if (rc) return rc;
    rc = pgw_wr_cstr(w, m->body.parse.query);
    if (rc) return rc;
    rc = pgw_wr_count16(w, m->body.parse.param_types.count);
    if (rc) return rc;
    return pgw__wr_oid_list(w, &m->body.parse.param_types);
  case PGW_MSG_BIND: return wr_bind(w, &m->body.bind);
  case PGW_MSG_DESCRIBE: return wr_close_describe(w, &m->body.describe);
  case PGW_MSG_CLOSE: return wr_close_describe(w, &m->body.close);
  case PGW_MSG_EXECUTE:
    rc = pgw_wr_cstr(w, m->body.execute.portal);
    if (rc) return rc;
    pgw_wr_i32(w, m->body.execute.max_rows);
    return 0;
  case PGW_MSG_PARAMETER_DESCRIPTION:
    rc = pgw_wr_count16(w, m->body.parameter_description.types.count);
    if (rc) return rc;
    return pgw__wr_oid_list(w, &m->body.parameter_description.types);
  default: return PGW_ERR_INVALID_ARGUMENT;
  }
}
