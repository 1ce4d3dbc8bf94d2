/*
 * fuzz_check.c - invariant checks shared by the harnesses (see
 * fuzz_check.h).
 */
#include "fuzz_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fuzz_fail(const char *file, int line, const char *what) {
  fprintf(stderr, "%s:%d: pgw fuzz invariant failed: %s\n", file, line, what);
  fflush(stderr);
  abort();
}

int fuzz_status_known(int rc) {
  if (rc >= 0) return rc <= PGW_DIRECT_SSL;
  return strcmp(pgw_strerror(rc), "PGW_ERR_UNKNOWN_STATUS") != 0;
}

size_t fuzz_header_len(pgw_kind kind) {
  switch (kind) {
  case PGW_MSG_SSL_RESPONSE:
  case PGW_MSG_GSSENC_RESPONSE: return 0;
  case PGW_MSG_STARTUP_MESSAGE:
  case PGW_MSG_SSL_REQUEST:
  case PGW_MSG_GSSENC_REQUEST:
  case PGW_MSG_CANCEL_REQUEST: return 4;
  default: return 5;
  }
}

/* ---- views ------------------------------------------------------------ */

typedef struct range {
  uintptr_t lo, hi;
} range;

static void in_range(const range *r, const void *p, size_t len) {
  if (len == 0) return; /* an empty view may point anywhere */
  uintptr_t a = (uintptr_t)p;
  FUZZ_ASSERT(p != NULL);
  FUZZ_ASSERT(a >= r->lo && a <= r->hi);
  FUZZ_ASSERT(len <= r->hi - a);
}

static void check_str(const range *r, pgw_str s) {
  in_range(r, s.ptr, s.len);
  if (s.len) FUZZ_ASSERT(memchr(s.ptr, 0, s.len) == NULL);
}

static void check_bytes(const range *r, pgw_bytes b) {
  in_range(r, b.ptr, b.len);
}

static void check_value(const range *r, pgw_value v) {
  FUZZ_ASSERT(v.len >= -1);
  if (v.len == -1) {
    FUZZ_ASSERT(v.ptr == NULL);
    return;
  }
  in_range(r, v.ptr, (size_t)v.len);
}

/* A decoded list: items NULL, raw inside the input; the iterator ends
 * exactly at the end of raw. */
static void check_list_head(const range *r, pgw_bytes raw, const void *items) {
  FUZZ_ASSERT(items == NULL);
  check_bytes(r, raw);
}

static void check_iter_done(const pgw_iter *it, size_t count, size_t seen) {
  FUZZ_ASSERT(seen == count);
  FUZZ_ASSERT(it->pos == it->end);
}

static void check_i16_list(const range *r, const pgw_i16_list *l) {
  check_list_head(r, l->raw, l->items);
  FUZZ_ASSERT(l->raw.len == 2 * l->count);
  pgw_iter it = pgw_i16_iter(l);
  int16_t v;
  size_t n = 0;
  int rc;
  while ((rc = pgw_i16_next(&it, &v)) == 1) {
    FUZZ_ASSERT(n < l->count);
    FUZZ_ASSERT(pgw_i16_get(l, n) == v);
    n++;
  }
  FUZZ_ASSERT(rc == 0);
  FUZZ_ASSERT(pgw_i16_next(&it, &v) == 0);
  check_iter_done(&it, l->count, n);
}

static void check_oid_list(const range *r, const pgw_oid_list *l) {
  check_list_head(r, l->raw, l->items);
  FUZZ_ASSERT(l->raw.len == 4 * l->count);
  pgw_iter it = pgw_oid_iter(l);
  uint32_t v;
  size_t n = 0;
  int rc;
  while ((rc = pgw_oid_next(&it, &v)) == 1) {
    FUZZ_ASSERT(n < l->count);
    FUZZ_ASSERT(pgw_oid_get(l, n) == v);
    n++;
  }
  FUZZ_ASSERT(rc == 0);
  check_iter_done(&it, l->count, n);
}

static void check_value_list(const range *r, const pgw_value_list *l) {
  check_list_head(r, l->raw, l->items);
  pgw_iter it = pgw_value_iter(l);
  pgw_value v;
  size_t n = 0;
  int rc;
  while ((rc = pgw_value_next(&it, &v)) == 1) {
    FUZZ_ASSERT(n < l->count);
    check_value(r, v);
    n++;
  }
  FUZZ_ASSERT(rc == 0);
  check_iter_done(&it, l->count, n);
}

/* terminated: the raw bytes also hold the list's final empty string. */
static void check_str_list(const range *r, const pgw_str_list *l) {
  check_list_head(r, l->raw, l->items);
  pgw_iter it = pgw_str_iter(l);
  pgw_str v;
  size_t n = 0;
  int rc;
  while ((rc = pgw_str_next(&it, &v)) == 1) {
    FUZZ_ASSERT(n < l->count);
    check_str(r, v);
    n++;
  }
  FUZZ_ASSERT(rc == 0);
  FUZZ_ASSERT(n == l->count);
}

static void check_param_list(const range *r, const pgw_param_list *l) {
  check_list_head(r, l->raw, l->items);
  pgw_iter it = pgw_param_iter(l);
  pgw_param v;
  size_t n = 0;
  int rc;
  while ((rc = pgw_param_next(&it, &v)) == 1) {
    FUZZ_ASSERT(n < l->count);
    check_str(r, v.name);
    check_str(r, v.value);
    FUZZ_ASSERT(v.name.len > 0); /* an empty name ends the list */
    n++;
  }
  FUZZ_ASSERT(rc == 0);
  FUZZ_ASSERT(n == l->count);
}

static void check_notice_list(const range *r, const pgw_notice_field_list *l) {
  check_list_head(r, l->raw, l->items);
  pgw_iter it = pgw_notice_field_iter(l);
  pgw_notice_field v;
  size_t n = 0;
  int rc;
  unsigned seen = 0;
  while ((rc = pgw_notice_field_next(&it, &v)) == 1) {
    FUZZ_ASSERT(n < l->count);
    FUZZ_ASSERT(v.code != 0);
    check_str(r, v.value);
    if (v.code == 'S') seen |= 1;
    if (v.code == 'C') seen |= 2;
    if (v.code == 'M') seen |= 4;
    n++;
  }
  FUZZ_ASSERT(rc == 0);
  FUZZ_ASSERT(n == l->count);
  FUZZ_ASSERT(seen == 7); /* strict: S, C and M are required */
}

static void check_column_list(const range *r, const pgw_column_list *l) {
  check_list_head(r, l->raw, l->items);
  pgw_iter it = pgw_column_iter(l);
  pgw_column v;
  size_t n = 0;
  int rc;
  while ((rc = pgw_column_next(&it, &v)) == 1) {
    FUZZ_ASSERT(n < l->count);
    check_str(r, v.name);
    FUZZ_ASSERT(v.format == 0 || v.format == 1);
    n++;
  }
  FUZZ_ASSERT(rc == 0);
  check_iter_done(&it, l->count, n);
}

static void check_formats(const pgw_i16_list *l) {
  for (size_t i = 0; i < l->count; i++) {
    int16_t f = pgw_i16_get(l, i);
    FUZZ_ASSERT(f == 0 || f == 1);
  }
}

void fuzz_check_decoded(const pgw_message *m, const uint8_t *lo, size_t n) {
  range r;
  r.lo = (uintptr_t)lo;
  r.hi = (uintptr_t)lo + n;
  FUZZ_ASSERT(m->kind > PGW_MSG_UNKNOWN && m->kind < PGW_MSG_KIND_COUNT);
  FUZZ_ASSERT(m->malformed == 0);
  check_bytes(&r, m->payload);
  FUZZ_ASSERT(pgw_message_name(m) != NULL);
  FUZZ_ASSERT(strcmp(pgw_kind_name(m->kind), "Invalid") != 0);
  switch (m->kind) {
  case PGW_MSG_STARTUP_MESSAGE:
    FUZZ_ASSERT(PGW_PROTOCOL_MAJOR(m->body.startup.protocol) == 3);
    check_param_list(&r, &m->body.startup.params);
    break;
  case PGW_MSG_CANCEL_REQUEST:
    check_bytes(&r, m->body.cancel.key);
    FUZZ_ASSERT(m->body.cancel.key.len >= PGW_CANCEL_KEY_MIN &&
                m->body.cancel.key.len <= PGW_CANCEL_KEY_MAX);
    break;
  case PGW_MSG_SSL_RESPONSE:
    FUZZ_ASSERT(m->body.encryption.answer == 'S' ||
                m->body.encryption.answer == 'N');
    break;
  case PGW_MSG_GSSENC_RESPONSE:
    FUZZ_ASSERT(m->body.encryption.answer == 'G' ||
                m->body.encryption.answer == 'N');
    break;
  case PGW_MSG_BIND: {
    const pgw_bind *b = &m->body.bind;
    check_str(&r, b->portal);
    check_str(&r, b->statement);
    check_i16_list(&r, &b->param_formats);
    check_value_list(&r, &b->params);
    check_i16_list(&r, &b->result_formats);
    check_formats(&b->param_formats);
    check_formats(&b->result_formats);
    FUZZ_ASSERT(b->param_formats.count <= 1 ||
                b->param_formats.count == b->params.count);
    break;
  }
  case PGW_MSG_CLOSE:
  case PGW_MSG_DESCRIBE:
    FUZZ_ASSERT(m->body.close.target == 'S' || m->body.close.target == 'P');
    check_str(&r, m->body.close.name);
    break;
  case PGW_MSG_EXECUTE: check_str(&r, m->body.execute.portal); break;
  case PGW_MSG_FUNCTION_CALL: {
    const pgw_function_call *f = &m->body.function_call;
    check_i16_list(&r, &f->arg_formats);
    check_value_list(&r, &f->args);
    check_formats(&f->arg_formats);
    FUZZ_ASSERT(f->arg_formats.count <= 1 ||
                f->arg_formats.count == f->args.count);
    FUZZ_ASSERT(f->result_format == 0 || f->result_format == 1);
    break;
  }
  case PGW_MSG_PARSE:
    check_str(&r, m->body.parse.statement);
    check_str(&r, m->body.parse.query);
    check_oid_list(&r, &m->body.parse.param_types);
    break;
  case PGW_MSG_QUERY:
  case PGW_MSG_PASSWORD_MESSAGE:
  case PGW_MSG_COPY_FAIL:
  case PGW_MSG_COMMAND_COMPLETE: check_str(&r, m->body.query.text); break;
  case PGW_MSG_SASL_INITIAL_RESPONSE:
    check_str(&r, m->body.sasl_initial.mechanism);
    check_value(&r, m->body.sasl_initial.data);
    break;
  case PGW_MSG_SASL_RESPONSE:
  case PGW_MSG_GSS_RESPONSE:
  case PGW_MSG_COPY_DATA: check_bytes(&r, m->body.copy_data.data); break;
  case PGW_MSG_AUTHENTICATION:
    check_bytes(&r, m->body.auth.data);
    if (m->body.auth.code == PGW_AUTH_SASL) {
      check_str_list(&r, &m->body.auth.mechanisms);
    } else {
      FUZZ_ASSERT(m->body.auth.mechanisms.count == 0);
    }
    FUZZ_ASSERT(strcmp(pgw_message_name(m), "Authentication") != 0);
    break;
  case PGW_MSG_BACKEND_KEY_DATA:
    check_bytes(&r, m->body.backend_key.key);
    FUZZ_ASSERT(m->body.backend_key.key.len >= PGW_CANCEL_KEY_MIN &&
                m->body.backend_key.key.len <= PGW_CANCEL_KEY_MAX);
    break;
  case PGW_MSG_COPY_IN_RESPONSE:
  case PGW_MSG_COPY_OUT_RESPONSE:
  case PGW_MSG_COPY_BOTH_RESPONSE: {
    const pgw_copy_response *c = &m->body.copy_response;
    FUZZ_ASSERT(c->format == 0 || c->format == 1);
    check_i16_list(&r, &c->columns);
    check_formats(&c->columns);
    if (c->format == 0)
      for (size_t i = 0; i < c->columns.count; i++)
        FUZZ_ASSERT(pgw_i16_get(&c->columns, i) == 0);
    break;
  }
  case PGW_MSG_DATA_ROW: check_value_list(&r, &m->body.data_row.columns); break;
  case PGW_MSG_ERROR_RESPONSE:
  case PGW_MSG_NOTICE_RESPONSE:
    check_notice_list(&r, &m->body.error.fields);
    break;
  case PGW_MSG_FUNCTION_CALL_RESPONSE:
    check_value(&r, m->body.function_result.result);
    break;
  case PGW_MSG_NEGOTIATE_PROTOCOL_VERSION:
    FUZZ_ASSERT(PGW_PROTOCOL_MAJOR(m->body.negotiate.newest_version) == 3);
    check_str_list(&r, &m->body.negotiate.unrecognized);
    break;
  case PGW_MSG_NOTIFICATION_RESPONSE:
    check_str(&r, m->body.notification.channel);
    check_str(&r, m->body.notification.payload);
    break;
  case PGW_MSG_PARAMETER_DESCRIPTION:
    check_oid_list(&r, &m->body.parameter_description.types);
    break;
  case PGW_MSG_PARAMETER_STATUS:
    check_str(&r, m->body.parameter_status.name);
    check_str(&r, m->body.parameter_status.value);
    break;
  case PGW_MSG_READY_FOR_QUERY: {
    uint8_t s = m->body.ready.status;
    FUZZ_ASSERT(s == 'I' || s == 'T' || s == 'E');
    break;
  }
  case PGW_MSG_ROW_DESCRIPTION:
    check_column_list(&r, &m->body.row_description.columns);
    break;
  default: break; /* no body */
  }
}

/* ---- field comparison ------------------------------------------------ */

static int same_str(pgw_str a, pgw_str b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static int same_bytes(pgw_bytes a, pgw_bytes b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static int same_value(pgw_value a, pgw_value b) {
  if (a.len != b.len) return 0;
  if (a.len <= 0) return 1;
  return memcmp(a.ptr, b.ptr, (size_t)a.len) == 0;
}

/* Compare two lists of any type through their iterators. */
#define SAME_LIST(iterfn, nextfn, T, eq, la, lb)                               \
  do {                                                                         \
    if ((la)->count != (lb)->count) return 0;                                  \
    pgw_iter ia_ = iterfn(la), ib_ = iterfn(lb);                               \
    T va_, vb_;                                                                \
    for (size_t i_ = 0; i_ < (la)->count; i_++) {                              \
      if (nextfn(&ia_, &va_) != 1 || nextfn(&ib_, &vb_) != 1) return 0;        \
      if (!(eq)) return 0;                                                     \
    }                                                                          \
    if (nextfn(&ia_, &va_) != 0 || nextfn(&ib_, &vb_) != 0) return 0;          \
  } while (0)

static int same_i16s(const pgw_i16_list *a, const pgw_i16_list *b) {
  SAME_LIST(pgw_i16_iter, pgw_i16_next, int16_t, va_ == vb_, a, b);
  return 1;
}
static int same_oids(const pgw_oid_list *a, const pgw_oid_list *b) {
  SAME_LIST(pgw_oid_iter, pgw_oid_next, uint32_t, va_ == vb_, a, b);
  return 1;
}
static int same_values(const pgw_value_list *a, const pgw_value_list *b) {
  SAME_LIST(pgw_value_iter, pgw_value_next, pgw_value, same_value(va_, vb_), a,
            b);
  return 1;
}
static int same_strs(const pgw_str_list *a, const pgw_str_list *b) {
  SAME_LIST(pgw_str_iter, pgw_str_next, pgw_str, same_str(va_, vb_), a, b);
  return 1;
}
static int same_params(const pgw_param_list *a, const pgw_param_list *b) {
  SAME_LIST(pgw_param_iter, pgw_param_next, pgw_param,
            same_str(va_.name, vb_.name) && same_str(va_.value, vb_.value), a,
            b);
  return 1;
}
static int same_fields(const pgw_notice_field_list *a,
                       const pgw_notice_field_list *b) {
  SAME_LIST(pgw_notice_field_iter, pgw_notice_field_next, pgw_notice_field,
            va_.code == vb_.code && same_str(va_.value, vb_.value), a, b);
  return 1;
}
static int same_column(const pgw_column *a, const pgw_column *b) {
  return same_str(a->name, b->name) && a->table_oid == b->table_oid &&
         a->column_attnum == b->column_attnum && a->type_oid == b->type_oid &&
         a->type_size == b->type_size && a->type_modifier == b->type_modifier &&
         a->format == b->format;
}
static int same_columns(const pgw_column_list *a, const pgw_column_list *b) {
  SAME_LIST(pgw_column_iter, pgw_column_next, pgw_column,
            same_column(&va_, &vb_), a, b);
  return 1;
}

int fuzz_same_fields(const pgw_message *a, const pgw_message *b) {
  if (a->kind != b->kind) return 0;
  switch (a->kind) {
  case PGW_MSG_STARTUP_MESSAGE:
    return a->body.startup.protocol == b->body.startup.protocol &&
           same_params(&a->body.startup.params, &b->body.startup.params);
  case PGW_MSG_CANCEL_REQUEST:
    return a->body.cancel.pid == b->body.cancel.pid &&
           same_bytes(a->body.cancel.key, b->body.cancel.key);
  case PGW_MSG_SSL_RESPONSE:
  case PGW_MSG_GSSENC_RESPONSE:
    return a->body.encryption.answer == b->body.encryption.answer;
  case PGW_MSG_BIND:
    return same_str(a->body.bind.portal, b->body.bind.portal) &&
           same_str(a->body.bind.statement, b->body.bind.statement) &&
           same_i16s(&a->body.bind.param_formats,
                     &b->body.bind.param_formats) &&
           same_values(&a->body.bind.params, &b->body.bind.params) &&
           same_i16s(&a->body.bind.result_formats,
                     &b->body.bind.result_formats);
  case PGW_MSG_CLOSE:
  case PGW_MSG_DESCRIBE:
    return a->body.close.target == b->body.close.target &&
           same_str(a->body.close.name, b->body.close.name);
  case PGW_MSG_EXECUTE:
    return same_str(a->body.execute.portal, b->body.execute.portal) &&
           a->body.execute.max_rows == b->body.execute.max_rows;
  case PGW_MSG_FUNCTION_CALL:
    return a->body.function_call.function_oid ==
               b->body.function_call.function_oid &&
           same_i16s(&a->body.function_call.arg_formats,
                     &b->body.function_call.arg_formats) &&
           same_values(&a->body.function_call.args,
                       &b->body.function_call.args) &&
           a->body.function_call.result_format ==
               b->body.function_call.result_format;
  case PGW_MSG_PARSE:
    return same_str(a->body.parse.statement, b->body.parse.statement) &&
           same_str(a->body.parse.query, b->body.parse.query) &&
           same_oids(&a->body.parse.param_types, &b->body.parse.param_types);
  case PGW_MSG_QUERY:
  case PGW_MSG_PASSWORD_MESSAGE:
  case PGW_MSG_COPY_FAIL:
  case PGW_MSG_COMMAND_COMPLETE:
    return same_str(a->body.query.text, b->body.query.text);
  case PGW_MSG_SASL_INITIAL_RESPONSE:
    return same_str(a->body.sasl_initial.mechanism,
                    b->body.sasl_initial.mechanism) &&
           same_value(a->body.sasl_initial.data, b->body.sasl_initial.data);
  case PGW_MSG_SASL_RESPONSE:
  case PGW_MSG_GSS_RESPONSE:
  case PGW_MSG_COPY_DATA:
    return same_bytes(a->body.copy_data.data, b->body.copy_data.data);
  case PGW_MSG_AUTHENTICATION: {
    const pgw_authentication *x = &a->body.auth, *y = &b->body.auth;
    if (x->code != y->code) return 0;
    switch (x->code) {
    case PGW_AUTH_MD5_PASSWORD: return memcmp(x->salt, y->salt, 4) == 0;
    case PGW_AUTH_GSS_CONTINUE:
    case PGW_AUTH_SASL_CONTINUE:
    case PGW_AUTH_SASL_FINAL: return same_bytes(x->data, y->data);
    case PGW_AUTH_SASL: return same_strs(&x->mechanisms, &y->mechanisms);
    default: return 1;
    }
  }
  case PGW_MSG_BACKEND_KEY_DATA:
    return a->body.backend_key.pid == b->body.backend_key.pid &&
           same_bytes(a->body.backend_key.key, b->body.backend_key.key);
  case PGW_MSG_COPY_IN_RESPONSE:
  case PGW_MSG_COPY_OUT_RESPONSE:
  case PGW_MSG_COPY_BOTH_RESPONSE:
    return a->body.copy_response.format == b->body.copy_response.format &&
           same_i16s(&a->body.copy_response.columns,
                     &b->body.copy_response.columns);
  case PGW_MSG_DATA_ROW:
    return same_values(&a->body.data_row.columns, &b->body.data_row.columns);
  case PGW_MSG_ERROR_RESPONSE:
  case PGW_MSG_NOTICE_RESPONSE:
    return same_fields(&a->body.error.fields, &b->body.error.fields);
  case PGW_MSG_FUNCTION_CALL_RESPONSE:
    return same_value(a->body.function_result.result,
                      b->body.function_result.result);
  case PGW_MSG_NEGOTIATE_PROTOCOL_VERSION:
    return a->body.negotiate.newest_version ==
               b->body.negotiate.newest_version &&
           same_strs(&a->body.negotiate.unrecognized,
                     &b->body.negotiate.unrecognized);
  case PGW_MSG_NOTIFICATION_RESPONSE:
    return a->body.notification.pid == b->body.notification.pid &&
           same_str(a->body.notification.channel,
                    b->body.notification.channel) &&
           same_str(a->body.notification.payload, b->body.notification.payload);
  case PGW_MSG_PARAMETER_DESCRIPTION:
    return same_oids(&a->body.parameter_description.types,
                     &b->body.parameter_description.types);
  case PGW_MSG_PARAMETER_STATUS:
    return same_str(a->body.parameter_status.name,
                    b->body.parameter_status.name) &&
           same_str(a->body.parameter_status.value,
                    b->body.parameter_status.value);
  case PGW_MSG_READY_FOR_QUERY:
    return a->body.ready.status == b->body.ready.status;
  case PGW_MSG_ROW_DESCRIPTION:
    return same_columns(&a->body.row_description.columns,
                        &b->body.row_description.columns);
  default: return 1; /* no body */
  }
}

/* ---- input reader ------------------------------------------------------ */

uint8_t fuzz_u8(fuzz_in *in) {
  if (in->n == 0) return 0;
  in->n--;
  return *in->p++;
}

uint16_t fuzz_u16(fuzz_in *in) {
  uint16_t hi = fuzz_u8(in);
  return (uint16_t)(hi << 8 | fuzz_u8(in));
}

uint32_t fuzz_u32(fuzz_in *in) {
  uint32_t hi = fuzz_u16(in);
  return hi << 16 | fuzz_u16(in);
}

const uint8_t *fuzz_bytes(fuzz_in *in, size_t max, size_t *len) {
  size_t n = fuzz_u8(in);
  if (n > max) n = max;
  if (n > in->n) n = in->n;
  const uint8_t *p = in->p;
  in->p += n;
  in->n -= n;
  *len = n;
  return p;
}
