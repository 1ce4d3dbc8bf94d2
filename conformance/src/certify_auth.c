/* certify_auth.c - answering Authentication requests. */
#include "certify_auth.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scram.h"

void cert_auth_init(cert_auth *a, const char *user, const char *password) {
  memset(a, 0, sizeof *a);
  a->user = user;
  a->password = password;
}

static int send_password(cert_peer *p, const char *text) {
  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_PASSWORD_MESSAGE;
  m.body.password.text = pgw_str_from_cstr(text);
  return cert_peer_send(p, &m);
}

static int md5_answer(cert_auth *a, cert_peer *p, const pgw_message *m) {
  char hash[36];
  if (cli_md5_password(a->password, pgw_str_from_cstr(a->user),
                       m->body.auth.salt, hash) != 0)
    return -1;
  return send_password(p, hash);
}

static int offers(const pgw_message *m, const char *mech) {
  pgw_iter it = pgw_str_iter(&m->body.auth.mechanisms);
  pgw_str s;
  while (pgw_str_next(&it, &s) == 1)
    if (s.len == strlen(mech) && memcmp(s.ptr, mech, s.len) == 0) return 1;
  return 0;
}

static int scram_first(cert_auth *a, cert_peer *p) {
  uint8_t raw[18];
  char nonce[32], first[256];
  pgw_message m;
  if (RAND_bytes(raw, sizeof raw) != 1 ||
      cli_b64_encode(raw, sizeof raw, nonce, sizeof nonce) < 0)
    return -1;
  snprintf(a->gs2, sizeof a->gs2, "%s",
           a->plus ? "p=tls-server-end-point,," : "n,,");
  snprintf(a->client_bare, sizeof a->client_bare, "n=,r=%s", nonce);
  snprintf(first, sizeof first, "%s%s", a->gs2, a->client_bare);
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_SASL_INITIAL_RESPONSE;
  m.body.sasl_initial.mechanism =
      a->plus ? PGW_STR("SCRAM-SHA-256-PLUS") : PGW_STR("SCRAM-SHA-256");
  m.body.sasl_initial.data.ptr = (const uint8_t *)first;
  m.body.sasl_initial.data.len = (int32_t)strlen(first);
  return cert_peer_send(p, &m);
}

/* c= of the client-final-message: base64 of the GS2 header and, with
 * channel binding, the server certificate's hash (corrupted on purpose
 * when require_plus is 2). 0, or -1. */
static int cbind_attr(const cert_auth *a, const cert_peer *p, char *out,
                      size_t cap) {
  uint8_t in[64 + 64];
  size_t n = strlen(a->gs2);
  memcpy(in, a->gs2, n);
  if (a->plus) {
    int h = cli_tls_server_end_point(p->tls, in + n, sizeof in - n);
    if (h < 0) return -1;
    if (a->require_plus == 2) in[n] ^= 0x01;
    n += (size_t)h;
  }
  return cli_b64_encode(in, n, out, cap) < 0 ? -1 : 0;
}

static int scram_final(cert_auth *a, cert_peer *p, const pgw_message *m) {
  pgw_str sf;
  uint8_t sig[CLI_SCRAM_KEY_LEN];
  char cbind[200];
  pgw_buf final;
  pgw_message out;
  int rc;
  sf.ptr = (const char *)m->body.auth.data.ptr;
  sf.len = m->body.auth.data.len;
  if (sf.len >= sizeof a->server_first) return -1;
  if (cbind_attr(a, p, cbind, sizeof cbind) != 0) return -1;
  pgw_buf_init(&final, NULL);
  rc = cli_scram_client_final(a->password, pgw_str_from_cstr(a->client_bare),
                              sf, pgw_str_from_cstr(cbind), &final, sig)
           ? -1
           : 0;
  if (rc == 0 && cli_b64_encode(sig, sizeof sig, a->server_sig64,
                                sizeof a->server_sig64) < 0)
    rc = -1;
  if (rc == 0) {
    memset(&out, 0, sizeof out);
    out.kind = PGW_MSG_SASL_RESPONSE;
    out.body.sasl_response.data.ptr = final.data;
    out.body.sasl_response.data.len = final.len;
    rc = cert_peer_send(p, &out);
  }
  pgw_buf_free(&final);
  return rc;
}

/* AuthenticationSASLFinal: v= must be the signature we computed. */
static int scram_verify(const cert_auth *a, const pgw_message *m) {
  pgw_str fin, v;
  fin.ptr = (const char *)m->body.auth.data.ptr;
  fin.len = m->body.auth.data.len;
  if (!cli_scram_attr(fin, 'v', &v)) return -1;
  return v.len == strlen(a->server_sig64) &&
                 memcmp(v.ptr, a->server_sig64, v.len) == 0
             ? 0
             : -1;
}

int cert_auth_answer(cert_auth *a, cert_peer *p, const pgw_message *m,
                     char *err, size_t n) {
  int code = m->body.auth.code, rc;
  if (code == PGW_AUTH_SASL_FINAL) {
    if (scram_verify(a, m) == 0) return 0;
    snprintf(err, n, "AuthenticationSASLFinal: wrong server signature");
    return -1;
  }
  if (!a->password &&
      (code == PGW_AUTH_CLEARTEXT_PASSWORD || code == PGW_AUTH_MD5_PASSWORD ||
       code == PGW_AUTH_SASL)) {
    snprintf(err, n, "the server asks for a password: give --password");
    return -1;
  }
  if (code == PGW_AUTH_SASL)
    a->plus = p->tls != NULL && offers(m, "SCRAM-SHA-256-PLUS");
  if (a->require_plus && code != PGW_AUTH_SASL_CONTINUE && !a->plus) {
    snprintf(err, n,
             "%s without SCRAM-SHA-256-PLUS (channel binding needs "
             "TLS and a SCRAM user)",
             pgw_message_name(m));
    return CERT_AUTH_NO_PLUS;
  }
  if (code == PGW_AUTH_CLEARTEXT_PASSWORD)
    rc = send_password(p, a->password);
  else if (code == PGW_AUTH_MD5_PASSWORD)
    rc = md5_answer(a, p, m);
  else if (code == PGW_AUTH_SASL && offers(m, "SCRAM-SHA-256"))
    rc = scram_first(a, p);
  else if (code == PGW_AUTH_SASL_CONTINUE)
    rc = scram_final(a, p, m);
  else {
    snprintf(err, n, "%s: a method certify does not speak",
             pgw_message_name(m));
    return -1;
  }
  if (rc != 0) snprintf(err, n, "answering %s failed", pgw_message_name(m));
  return rc;
}
