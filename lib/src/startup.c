/*
 * startup.c - the startup-framed frontend packets: StartupMessage,
 * SSLRequest, GSSENCRequest and CancelRequest. The payload handed in is
 * everything after the length word, so it begins with the Int32 protocol
 * version or request code, and the encoder writes that word too.
 */
#include "pgw_internal.h"
#include "pgw_rules.h"

/* Request codes share major 1234; a StartupMessage must have major 3. */
#define REQUEST_CODE_MAJOR 1234u

static int is_request_code(uint32_t v) {
  return PGW_PROTOCOL_MAJOR(v) == REQUEST_CODE_MAJOR;
}

/* Cancel key length rule: exactly 4 bytes in 3.0; 4..256 otherwise
 * (3.2, or 0 when the version is not known). */
static int key_len_ok(uint32_t protocol, size_t len) {
  if (protocol == PGW_PROTOCOL_3_0) return len == PGW_CANCEL_KEY_MIN;
  return len >= PGW_CANCEL_KEY_MIN && len <= PGW_CANCEL_KEY_MAX;
}

/* name\0value\0 ... \0: the terminator is a single NUL where a name would
 * start. PostgreSQL requires it to be the last byte of the packet. */
static int decode_params(pgw_rd *r, pgw_param_list *out) {
  const uint8_t *start = r->p;
  size_t count = 0;
  int have_user = 0;
  pgw_str last_user = {NULL, 0};
  for (;;) {
    pgw_str name, value;
    int rc;
    if (pgw_rd_left(r) == 0)
      return pgw_rd_fail(r, PGW_ERR_NO_TERMINATOR,
                         "StartupMessage: parameter list lacks its final NUL");
    if (*r->p == 0) break;
    rc = pgw_rd_cstr(r, &name, "StartupMessage: parameter name lacks its NUL");
    if (rc) return rc;
    rc =
        pgw_rd_cstr(r, &value, "StartupMessage: parameter value lacks its NUL");
    if (rc) return rc;
    /* PostgreSQL keeps the last "user" and refuses it empty. */
    if (name.len == 4 && memcmp(name.ptr, "user", 4) == 0) {
      have_user = 1;
      last_user = value;
    }
    count++;
  }
  out->count = count;
  out->raw.ptr = start;
  out->raw.len = (size_t)(r->p - start);
  out->items = NULL;
  if (!have_user)
    return pgw_rd_fail(r, PGW_ERR_MISSING_FIELD,
                       "StartupMessage: no \"user\" parameter");
  if (last_user.len == 0) {
    r->p = (const uint8_t *)last_user.ptr;
    return pgw_rd_fail(r, PGW_ERR_MISSING_FIELD,
                       "StartupMessage: \"user\" parameter is empty");
  }
  r->p++; /* the terminator */
  return pgw_rd_end(r, "StartupMessage: bytes after the parameter list "
                       "terminator");
}

static int decode_startup(pgw_rd *r, pgw_message *m) {
  uint32_t version;
  int rc = pgw_rd_u32(r, &version, "StartupMessage: protocol version missing");
  if (rc) return rc;
  if (PGW_PROTOCOL_MAJOR(version) != 3) {
    r->p -= 4;
    if (is_request_code(version))
      return pgw_rd_fail(r, PGW_ERR_UNKNOWN_CODE,
                         "StartupMessage: version word is a request code");
    return pgw_rd_fail(r, PGW_ERR_UNSUPPORTED_PROTOCOL,
                       "StartupMessage: protocol major version is not 3");
  }
  m->body.startup.protocol = version;
  return decode_params(r, &m->body.startup.params);
}

/* SSLRequest and GSSENCRequest: exactly the code, nothing else. */
static int decode_request(pgw_rd *r, uint32_t want, const char *bad_len,
                          const char *bad_code) {
  if (pgw_rd_left(r) != 4) return pgw_rd_fail(r, PGW_ERR_BAD_LENGTH, bad_len);
  uint32_t code = pgw_load32(r->p);
  if (code != want) return pgw_rd_fail(r, PGW_ERR_UNKNOWN_CODE, bad_code);
  r->p += 4;
  return 0;
}

static int decode_cancel(pgw_rd *r, uint32_t protocol, pgw_message *m) {
  uint32_t code;
  int rc = pgw_rd_u32(r, &code, "CancelRequest: request code missing");
  if (rc) return rc;
  if (code != PGW_CANCEL_REQUEST_CODE) {
    r->p -= 4;
    return pgw_rd_fail(r, PGW_ERR_UNKNOWN_CODE,
                       "CancelRequest: request code is not 1234.5678");
  }
  rc = pgw_rd_i32(r, &m->body.cancel.pid, "CancelRequest: process ID missing");
  if (rc) return rc;
  /* PostgreSQL 18 refuses pid 0; 13 to 17 (3.0 only) look for no such
   * backend and ignore the request. */
  if (m->body.cancel.pid == 0 && protocol != PGW_PROTOCOL_3_0) {
    r->p -= 4;
    return pgw_rd_fail_rule(r, PGW_ERR_BAD_VALUE, pgw__rule(PGW__R_CANCEL_PID),
                            "CancelRequest: process ID is 0");
  }
  size_t n = pgw_rd_left(r);
  if (n == 0 && protocol != PGW_PROTOCOL_3_0)
    return pgw_rd_fail_rule(r, PGW_ERR_BAD_KEY_LENGTH,
                            pgw__rule(PGW__R_CANCEL_KEY_EMPTY),
                            "CancelRequest: no key");
  if (!key_len_ok(protocol, n)) {
    if (protocol == PGW_PROTOCOL_3_0)
      return pgw_rd_fail_rule(r, PGW_ERR_BAD_KEY_LENGTH,
                              pgw__rule(PGW__R_CANCEL_KEY_30),
                              "CancelRequest: key is not 4 bytes (the server "
                              "speaks protocol 3.0)");
    if (n < PGW_CANCEL_KEY_MIN)
      return pgw_rd_fail_rule(r, PGW_ERR_BAD_KEY_LENGTH,
                              pgw__rule(PGW__R_CANCEL_KEY_SHORT),
                              "CancelRequest: key is shorter than 4 bytes");
    return pgw_rd_fail_rule(r, PGW_ERR_BAD_KEY_LENGTH,
                            pgw__rule(PGW__R_CANCEL_KEY_MAX),
                            "CancelRequest: key is longer than 256 bytes");
  }
  pgw_rd_rest(r, &m->body.cancel.key);
  return 0;
}

int pgw__startup_decode(pgw_kind kind, pgw_rd *r, uint32_t protocol,
                        pgw_message *m) {
  /* PostgreSQL: "invalid length of startup packet". The stream decoder
   * never frames more; a payload handed over directly may hold more. */
  if (pgw_rd_left(r) > PGW_STARTUP_MAX_PAYLOAD)
    return pgw_rd_fail(r, PGW_ERR_TOO_LARGE,
                       "startup packet longer than 10000 bytes");
  switch (kind) {
  case PGW_MSG_STARTUP_MESSAGE: return decode_startup(r, m);
  case PGW_MSG_SSL_REQUEST:
    return decode_request(r, PGW_SSL_REQUEST_CODE,
                          "SSLRequest: payload is not exactly the 4-byte code",
                          "SSLRequest: request code is not 1234.5679");
  case PGW_MSG_GSSENC_REQUEST:
    return decode_request(
        r, PGW_GSSENC_REQUEST_CODE,
        "GSSENCRequest: payload is not exactly the 4-byte code",
        "GSSENCRequest: request code is not 1234.5680");
  case PGW_MSG_CANCEL_REQUEST: return decode_cancel(r, protocol, m);
  default: break;
  }
  return pgw_rd_fail(r, PGW_ERR_INVALID_ARGUMENT,
                     "startup family: kind is not a startup-framed packet");
}

/* ---- encode ----------------------------------------------------------- */

static int encode_param(pgw_wr *w, const pgw_param *p) {
  if (p->name.len == 0) return PGW_ERR_BAD_VALUE; /* would end the list */
  if ((p->name.len != 0 && p->name.ptr == NULL) ||
      (p->value.len != 0 && p->value.ptr == NULL))
    return PGW_ERR_INVALID_ARGUMENT;
  int rc = pgw_wr_cstr(w, p->name);
  if (rc) return rc;
  return pgw_wr_cstr(w, p->value);
}

/* A raw region must be well formed: name\0value\0 pairs, non-empty names,
 * exactly count of them, nothing else (the terminator is added here). */
static int check_raw_params(const pgw_param_list *l) {
  return pgw__check_raw_strs(l->raw, l->count, 2, 1);
}

/* The decoder's rule, PostgreSQL's: the last "user" parameter exists and
 * is not empty. Walks items or an already validated raw region. */
static int has_user(const pgw_param_list *l) {
  pgw_iter it = pgw_param_iter(l);
  pgw_param p;
  int have = 0;
  while (pgw_param_next(&it, &p) == 1)
    if (p.name.len == 4 && memcmp(p.name.ptr, "user", 4) == 0)
      have = p.value.len != 0;
  return have;
}

static int encode_startup(const pgw_startup_message *s, pgw_wr *w) {
  if (PGW_PROTOCOL_MAJOR(s->protocol) != 3) return PGW_ERR_BAD_VALUE;
  if (s->params.items == NULL) {
    int rc = check_raw_params(&s->params);
    if (rc) return rc;
  }
  if (!has_user(&s->params)) return PGW_ERR_MISSING_FIELD;
  pgw_wr_u32(w, s->protocol);
  const pgw_param_list *l = &s->params;
  if (l->items != NULL) {
    for (size_t i = 0; i < l->count; i++) {
      int rc = encode_param(w, &l->items[i]);
      if (rc) return rc;
    }
  } else {
    pgw_wr_put(w, l->raw.ptr, l->raw.len);
  }
  pgw_wr_u8(w, 0);
  return 0;
}

static int encode_cancel(const pgw_cancel_request *c, pgw_wr *w) {
  if (c->key.len < PGW_CANCEL_KEY_MIN || c->key.len > PGW_CANCEL_KEY_MAX)
    return PGW_ERR_BAD_KEY_LENGTH;
  if (c->key.ptr == NULL) return PGW_ERR_INVALID_ARGUMENT;
  /* pid 0: only a 3.0 server (4-byte key) takes it; PostgreSQL 18 refuses
   * it, so no server would take it with another key length. */
  if (c->pid == 0 && c->key.len != PGW_CANCEL_KEY_MIN) return PGW_ERR_BAD_VALUE;
  pgw_wr_u32(w, PGW_CANCEL_REQUEST_CODE);
  pgw_wr_i32(w, c->pid);
  pgw_wr_put(w, c->key.ptr, c->key.len);
  return 0;
}

int pgw__startup_encode(const pgw_message *m, pgw_wr *w) {
  switch (m->kind) {
  case PGW_MSG_STARTUP_MESSAGE: return encode_startup(&m->body.startup, w);
  case PGW_MSG_SSL_REQUEST: pgw_wr_u32(w, PGW_SSL_REQUEST_CODE); return 0;
  case PGW_MSG_GSSENC_REQUEST: pgw_wr_u32(w, PGW_GSSENC_REQUEST_CODE); return 0;
  case PGW_MSG_CANCEL_REQUEST: return encode_cancel(&m->body.cancel, w);
  default: break;
  }
  return PGW_ERR_INVALID_ARGUMENT;
}
