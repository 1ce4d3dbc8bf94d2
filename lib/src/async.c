/*
 * async.c - messages the backend may send at any time: ErrorResponse ('E'),
 * NoticeResponse ('N'), NotificationResponse ('A') and ParameterStatus
 * ('S').
 */
#include "pgw_internal.h"

/* Bits for the fields the documentation says are always present. */
#define SEEN_S 1u
#define SEEN_C 2u
#define SEEN_M 4u
#define SEEN_ALL (SEEN_S | SEEN_C | SEEN_M)

static unsigned seen_bit(uint8_t code) {
  switch (code) {
  case 'S': return SEEN_S;
  case 'C': return SEEN_C;
  case 'M': return SEEN_M;
  default: return 0;
  }
}

/* Fields: a non-zero code byte and a NUL-terminated value, repeated, then
 * a single zero byte. Unknown codes are kept (frontends must ignore them). */
static int decode_notice(pgw_rd *r, pgw_notice *out) {
  const uint8_t *start = r->p;
  size_t count = 0;
  unsigned seen = 0;
  for (;;) {
    uint8_t code;
    pgw_str value;
    if (pgw_rd_left(r) == 0)
      return pgw_rd_fail(r, PGW_ERR_NO_TERMINATOR,
                         "ErrorResponse/NoticeResponse: field list lacks its "
                         "terminating zero byte");
    code = *r->p;
    if (code == 0) break;
    r->p++;
    int rc = pgw_rd_cstr(r, &value,
                         "ErrorResponse/NoticeResponse: field value lacks its "
                         "NUL terminator");
    if (rc) return rc;
    seen |= seen_bit(code);
    count++;
  }
  const uint8_t *term = r->p;
  r->p++;
  int rc = pgw_rd_end(r, "ErrorResponse/NoticeResponse: bytes after the "
                         "field list terminator");
  if (rc) return rc;
  if ((seen & SEEN_ALL) != SEEN_ALL) {
    r->p = term;
    return pgw_rd_fail(
        r, PGW_ERR_MISSING_FIELD,
        (seen & SEEN_S) == 0 ? "ErrorResponse/NoticeResponse: no S (severity) "
                               "field"
        : (seen & SEEN_C) == 0 ? "ErrorResponse/NoticeResponse: no C (SQLSTATE "
                                 "code) field"
                               : "ErrorResponse/NoticeResponse: no M (message) "
                                 "field");
  }
  out->fields.count = count;
  out->fields.raw.ptr = start;
  out->fields.raw.len = (size_t)(term - start);
  out->fields.items = NULL;
  return 0;
}

int pgw__async_decode(pgw_kind kind, pgw_rd *r, pgw_message *m) {
  int rc;
  switch (kind) {
  case PGW_MSG_ERROR_RESPONSE: return decode_notice(r, &m->body.error);
  case PGW_MSG_NOTICE_RESPONSE: return decode_notice(r, &m->body.notice);
  case PGW_MSG_NOTIFICATION_RESPONSE: {
    pgw_notification *n = &m->body.notification;
    rc =
        pgw_rd_i32(r, &n->pid, "NotificationResponse: process ID is truncated");
    if (rc) return rc;
    rc = pgw_rd_cstr(r, &n->channel,
                     "NotificationResponse: channel name lacks its NUL "
                     "terminator");
    if (rc) return rc;
    rc = pgw_rd_cstr(r, &n->payload,
                     "NotificationResponse: payload lacks its NUL "
                     "terminator");
    if (rc) return rc;
    return pgw_rd_end(r, "NotificationResponse: bytes after the payload");
  }
  case PGW_MSG_PARAMETER_STATUS: {
    pgw_parameter_status *s = &m->body.parameter_status;
    rc = pgw_rd_cstr(r, &s->name,
                     "ParameterStatus: parameter name lacks its NUL "
                     "terminator");
    if (rc) return rc;
    rc = pgw_rd_cstr(r, &s->value,
                     "ParameterStatus: parameter value lacks its NUL "
                     "terminator");
    if (rc) return rc;
    return pgw_rd_end(r, "ParameterStatus: bytes after the value");
  }
  default:
    return pgw_rd_fail(r, PGW_ERR_INVALID_ARGUMENT,
                       "async: message kind is not Error/Notice/"
                       "Notification/ParameterStatus");
  }
}

/* Check a raw field region (as decoded: fields without the final zero
 * byte) and collect which required fields it holds. A field is one string
 * whose first byte is its code: an empty one is a zero code. */
static int scan_raw_fields(const pgw_notice_field_list *l, unsigned *seen) {
  int rc = pgw__check_raw_strs(l->raw, l->count, 1, 1);
  if (rc || l->raw.len == 0) return rc;
  const uint8_t *p = l->raw.ptr, *end = l->raw.ptr + l->raw.len;
  for (; p < end; p += strlen((const char *)p) + 1)
    *seen |= seen_bit(*p);
  return 0;
}

static int encode_notice(const pgw_notice *n, pgw_wr *w) {
  const pgw_notice_field_list *l = &n->fields;
  unsigned seen = 0;
  if (l->items == NULL) {
    int rc = scan_raw_fields(l, &seen);
    if (rc) return rc;
    if ((seen & SEEN_ALL) != SEEN_ALL) return PGW_ERR_MISSING_FIELD;
    pgw_wr_put(w, l->raw.ptr, l->raw.len);
  } else {
    for (size_t i = 0; i < l->count; i++) {
      if (l->items[i].code == 0) return PGW_ERR_BAD_VALUE;
      seen |= seen_bit(l->items[i].code);
    }
    if ((seen & SEEN_ALL) != SEEN_ALL) return PGW_ERR_MISSING_FIELD;
    for (size_t i = 0; i < l->count; i++) {
      pgw_wr_u8(w, l->items[i].code);
      int rc = pgw_wr_cstr(w, l->items[i].value);
      if (rc) return rc;
    }
  }
  pgw_wr_u8(w, 0);
  return 0;
}

int pgw__async_encode(const pgw_message *m, pgw_wr *w) {
  int rc;
  switch (m->kind) {
  case PGW_MSG_ERROR_RESPONSE: return encode_notice(&m->body.error, w);
  case PGW_MSG_NOTICE_RESPONSE: return encode_notice(&m->body.notice, w);
  case PGW_MSG_NOTIFICATION_RESPONSE:
    pgw_wr_i32(w, m->body.notification.pid);
    rc = pgw_wr_cstr(w, m->body.notification.channel);
    if (rc) return rc;
    return pgw_wr_cstr(w, m->body.notification.payload);
  case PGW_MSG_PARAMETER_STATUS:
    rc = pgw_wr_cstr(w, m->body.parameter_status.name);
    if (rc) return rc;
    return pgw_wr_cstr(w, m->body.parameter_status.value);
  default: return PGW_ERR_INVALID_ARGUMENT;
  }
}
