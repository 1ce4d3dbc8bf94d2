/*
 * auth.c - authentication and session setup: Authentication (every
 * subtype), PasswordMessage, SASLInitialResponse, SASLResponse,
 * GSSResponse, BackendKeyData and NegotiateProtocolVersion.
 */
#include "pgw_internal.h"
#include "pgw_rules.h"

static int key_len_ok(uint32_t protocol, size_t len) {
  if (protocol == PGW_PROTOCOL_3_0) return len == PGW_CANCEL_KEY_MIN;
  return len >= PGW_CANCEL_KEY_MIN && len <= PGW_CANCEL_KEY_MAX;
}

static int decode_authentication(pgw_rd *r, pgw_message *m) {
  pgw_authentication *a = &m->body.auth;
  int rc = pgw_rd_i32(r, &a->code, "Authentication: request code missing");
  if (rc) return rc;
  switch (a->code) {
  case PGW_AUTH_OK:
  case PGW_AUTH_KERBEROS_V5:
  case PGW_AUTH_CLEARTEXT_PASSWORD:
  case PGW_AUTH_GSS:
  case PGW_AUTH_SSPI:
    return pgw_rd_end(r, "Authentication: bytes after a request that "
                         "carries no data");
  case PGW_AUTH_MD5_PASSWORD: {
    pgw_bytes salt;
    rc = pgw_rd_bytes(r, 4, &salt,
                      "AuthenticationMD5Password: salt is shorter than 4 "
                      "bytes");
    if (rc) return rc;
    memcpy(a->salt, salt.ptr, 4);
    return pgw_rd_end(r, "AuthenticationMD5Password: bytes after the salt");
  }
  case PGW_AUTH_GSS_CONTINUE:
  case PGW_AUTH_SASL_CONTINUE:
  case PGW_AUTH_SASL_FINAL: pgw_rd_rest(r, &a->data); return 0;
  case PGW_AUTH_SASL:
    rc = pgw__rd_str_list_terminated(
        r, &a->mechanisms,
        "AuthenticationSASL: mechanism list lacks a NUL or its final empty "
        "name");
    if (rc) return rc;
    rc = pgw_rd_end(r, "AuthenticationSASL: bytes after the mechanism "
                       "list terminator");
    if (rc == 0 && a->mechanisms.count == 0)
      return pgw_rd_fail_rule(r, PGW_ERR_BAD_COUNT,
                              pgw__rule(PGW__R_SASL_EMPTY),
                              "AuthenticationSASL: no mechanism offered");
    return rc;
  default: break;
  }
  r->p -= 4;
  return pgw_rd_fail(r, PGW_ERR_UNKNOWN_CODE,
                     "Authentication: unknown authentication request code");
}

static int decode_password(pgw_rd *r, pgw_message *m) {
  int rc = pgw_rd_cstr(r, &m->body.password.text,
                       "PasswordMessage: password lacks its NUL");
  if (rc) return rc;
  return pgw_rd_end(r, "PasswordMessage: bytes after the password");
}

static int decode_sasl_initial(pgw_rd *r, pgw_message *m) {
  pgw_sasl_initial_response *s = &m->body.sasl_initial;
  int32_t len;
  int rc = pgw_rd_cstr(r, &s->mechanism,
                       "SASLInitialResponse: mechanism name lacks its NUL");
  if (rc) return rc;
  rc = pgw_rd_i32(r, &len, "SASLInitialResponse: response length missing");
  if (rc) return rc;
  if (len == -1) {
    s->data.ptr = NULL;
    s->data.len = -1;
  } else if (len < 0) {
    r->p -= 4;
    return pgw_rd_fail(r, PGW_ERR_NEGATIVE_LENGTH,
                       "SASLInitialResponse: response length is negative "
                       "and not -1");
  } else {
    pgw_bytes b;
    rc = pgw_rd_bytes(r, (size_t)len, &b,
                      "SASLInitialResponse: response runs past the end of "
                      "the message");
    if (rc) return rc;
    s->data.ptr = b.ptr;
    s->data.len = len;
  }
  return pgw_rd_end(r, "SASLInitialResponse: bytes after the response");
}

static int decode_backend_key(pgw_rd *r, uint32_t protocol, pgw_message *m) {
  int rc = pgw_rd_i32(r, &m->body.backend_key.pid,
                      "BackendKeyData: process ID missing");
  if (rc) return rc;
  if (!key_len_ok(protocol, pgw_rd_left(r)))
    return pgw_rd_fail(r, PGW_ERR_BAD_KEY_LENGTH,
                       protocol == PGW_PROTOCOL_3_0
                           ? "BackendKeyData: key is not 4 bytes (protocol 3.0)"
                           : "BackendKeyData: key is not 4 to 256 bytes");
  pgw_rd_rest(r, &m->body.backend_key.key);
  return 0;
}

/*
 * The first word is documented as the newest minor version, but servers
 * send a whole version word (PostgreSQL 15 sends 3.0 = 0x00030000, 18
 * sends 3.2) and libpq reads it as one; it is kept as sent.
 */
static int decode_negotiate(pgw_rd *r, pgw_message *m) {
  pgw_negotiate_protocol_version *n = &m->body.negotiate;
  int32_t count;
  int rc = pgw_rd_u32(r, &n->newest_version,
                      "NegotiateProtocolVersion: version missing");
  if (rc) return rc;
  if (PGW_PROTOCOL_MAJOR(n->newest_version) != 3) {
    r->p -= 4;
    return pgw_rd_fail(r, PGW_ERR_BAD_VALUE,
                       "NegotiateProtocolVersion: version major is not 3");
  }
  rc = pgw_rd_i32(r, &count, "NegotiateProtocolVersion: option count missing");
  if (rc) return rc;
  if (count < 0) {
    r->p -= 4;
    return pgw_rd_fail(r, PGW_ERR_BAD_COUNT,
                       "NegotiateProtocolVersion: option count is negative");
  }
  rc = pgw__rd_str_list_counted(
      r, (size_t)count, &n->unrecognized,
      "NegotiateProtocolVersion: fewer option names than the count");
  if (rc) return rc;
  return pgw_rd_end(r, "NegotiateProtocolVersion: bytes after the last "
                       "option name");
}

int pgw__auth_decode(pgw_kind kind, pgw_rd *r, uint32_t protocol,
                     pgw_message *m) {
  switch (kind) {
  case PGW_MSG_AUTHENTICATION: return decode_authentication(r, m);
  case PGW_MSG_PASSWORD_MESSAGE: return decode_password(r, m);
  case PGW_MSG_SASL_INITIAL_RESPONSE: return decode_sasl_initial(r, m);
  case PGW_MSG_SASL_RESPONSE:
    pgw_rd_rest(r, &m->body.sasl_response.data);
    return 0;
  case PGW_MSG_GSS_RESPONSE:
    pgw_rd_rest(r, &m->body.gss_response.data);
    return 0;
  case PGW_MSG_BACKEND_KEY_DATA: return decode_backend_key(r, protocol, m);
  case PGW_MSG_NEGOTIATE_PROTOCOL_VERSION: return decode_negotiate(r, m);
  default: break;
  }
  return pgw_rd_fail(r, PGW_ERR_INVALID_ARGUMENT,
                     "auth family: kind is not an authentication message");
}

/* ---- encode ----------------------------------------------------------- */

static int put_bytes(pgw_wr *w, pgw_bytes b) {
  if (b.len != 0 && b.ptr == NULL) return PGW_ERR_INVALID_ARGUMENT;
  pgw_wr_put(w, b.ptr, b.len);
  return 0;
}

/* A raw string list must hold exactly count NUL-terminated strings. With
 * no_empty, none may be empty (an empty SASL name would end the list). */
static int check_str_list(const pgw_str_list *l, int no_empty) {
  if (l->items != NULL) {
    if (no_empty)
      for (size_t i = 0; i < l->count; i++)
        if (l->items[i].len == 0) return PGW_ERR_BAD_VALUE;
    return 0;
  }
  return pgw__check_raw_strs(l->raw, l->count, 1, no_empty);
}

static int encode_authentication(const pgw_authentication *a, pgw_wr *w) {
  int rc;
  switch (a->code) {
  case PGW_AUTH_OK:
  case PGW_AUTH_KERBEROS_V5:
  case PGW_AUTH_CLEARTEXT_PASSWORD:
  case PGW_AUTH_GSS:
  case PGW_AUTH_SSPI: pgw_wr_i32(w, a->code); return 0;
  case PGW_AUTH_MD5_PASSWORD:
    pgw_wr_i32(w, a->code);
    pgw_wr_put(w, a->salt, 4);
    return 0;
  case PGW_AUTH_GSS_CONTINUE:
  case PGW_AUTH_SASL_CONTINUE:
  case PGW_AUTH_SASL_FINAL:
    pgw_wr_i32(w, a->code);
    return put_bytes(w, a->data);
  case PGW_AUTH_SASL:
    if (a->mechanisms.count == 0) return PGW_ERR_BAD_COUNT;
    rc = check_str_list(&a->mechanisms, 1);
    if (rc) return rc;
    pgw_wr_i32(w, a->code);
    rc = pgw__wr_str_list(w, &a->mechanisms);
    if (rc) return rc;
    pgw_wr_u8(w, 0);
    return 0;
  default: break;
  }
  return PGW_ERR_UNKNOWN_CODE;
}

static int encode_sasl_initial(const pgw_sasl_initial_response *s, pgw_wr *w) {
  if (s->data.len < -1) return PGW_ERR_NEGATIVE_LENGTH;
  if (s->data.len > 0 && s->data.ptr == NULL) return PGW_ERR_INVALID_ARGUMENT;
  int rc = pgw_wr_cstr(w, s->mechanism);
  if (rc) return rc;
  pgw__wr_value(w, s->data);
  return 0;
}

static int encode_negotiate(const pgw_negotiate_protocol_version *n,
                            pgw_wr *w) {
  if (PGW_PROTOCOL_MAJOR(n->newest_version) != 3) return PGW_ERR_BAD_VALUE;
  if (n->unrecognized.count > 0x7fffffffu) return PGW_ERR_BAD_COUNT;
  int rc = check_str_list(&n->unrecognized, 0);
  if (rc) return rc;
  pgw_wr_u32(w, n->newest_version);
  pgw_wr_u32(w, (uint32_t)n->unrecognized.count);
  return pgw__wr_str_list(w, &n->unrecognized);
}

static int encode_backend_key(const pgw_backend_key_data *k, pgw_wr *w) {
  if (k->key.len < PGW_CANCEL_KEY_MIN || k->key.len > PGW_CANCEL_KEY_MAX)
    return PGW_ERR_BAD_KEY_LENGTH;
  pgw_wr_i32(w, k->pid);
  return put_bytes(w, k->key);
}

int pgw__auth_encode(const pgw_message *m, pgw_wr *w) {
  switch (m->kind) {
  case PGW_MSG_AUTHENTICATION: return encode_authentication(&m->body.auth, w);
  case PGW_MSG_PASSWORD_MESSAGE: return pgw_wr_cstr(w, m->body.password.text);
  case PGW_MSG_SASL_INITIAL_RESPONSE:
    return encode_sasl_initial(&m->body.sasl_initial, w);
  case PGW_MSG_SASL_RESPONSE: return put_bytes(w, m->body.sasl_response.data);
  case PGW_MSG_GSS_RESPONSE: return put_bytes(w, m->body.gss_response.data);
  case PGW_MSG_BACKEND_KEY_DATA:
    return encode_backend_key(&m->body.backend_key, w);
  case PGW_MSG_NEGOTIATE_PROTOCOL_VERSION:
    return encode_negotiate(&m->body.negotiate, w);
  default: break;
  }
  return PGW_ERR_INVALID_ARGUMENT;
}
