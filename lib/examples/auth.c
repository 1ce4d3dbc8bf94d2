/* auth.c - the client's side of cleartext, md5 and SCRAM-SHA-256 logins
 * for the examples (see example.h), hashing with OpenSSL's libcrypto. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "example.h"

/* ---- md5: "md5" + md5hex(md5hex(password + user) + salt) ---- */

static void md5_hex(const void *p, size_t n, char out[33]) {
  uint8_t d[16];
  unsigned int len = 0;
  EVP_Digest(p, n, d, &len, EVP_md5(), NULL);
  for (int i = 0; i < 16; i++)
    snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int md5_answer(ex_auth *a, const uint8_t salt[4], pgw_message *m) {
  char buf[256], inner[33];
  int n = snprintf(buf, sizeof buf, "%s%s", a->password, a->user);
  md5_hex(buf, (size_t)n, inner);
  memcpy(buf, inner, 32);
  memcpy(buf + 32, salt, 4);
  memcpy(a->out, "md5", 3);
  md5_hex(buf, 36, (char *)a->out + 3);
  pgw_msg_password(m, (const char *)a->out);
  return 1;
}

/* ---- SCRAM-SHA-256 (RFC 5802, 7677; ASCII passwords: no SASLprep) ---- */

static void hmac(const uint8_t *key, size_t klen, const void *p, size_t n,
                 uint8_t out[32]) {
  unsigned int len = 32;
  HMAC(EVP_sha256(), key, (int)klen, p, n, out, &len);
}

static int sasl_first(ex_auth *a, const pgw_authentication *req,
                      pgw_message *m) {
  uint8_t raw[18];
  if (pgw_str_list_has(&req->mechanisms, "SCRAM-SHA-256") != 1 ||
      RAND_bytes(raw, sizeof raw) != 1)
    return -1;
  EVP_EncodeBlock((uint8_t *)a->nonce, raw, sizeof raw);
  snprintf(a->first_bare, sizeof a->first_bare, "n=,r=%s", a->nonce);
  int n = snprintf((char *)a->out, sizeof a->out, "n,,%s", a->first_bare);
  pgw_msg_sasl_initial_response(m, "SCRAM-SHA-256", a->out, (size_t)n);
  return 1;
}

/* server-first "r=NONCE,s=SALT,i=ITER" -> client-final with the proof. */
static int sasl_continue(ex_auth *a, pgw_bytes sf, pgw_message *m) {
  char server_first[256], r[128], s[128];
  uint8_t salt[96], salted[32], ckey[32], skey[32], stored[32], sig[32];
  int iter = 0;
  if (sf.len >= sizeof server_first) return -1;
  memcpy(server_first, sf.ptr, sf.len);
  server_first[sf.len] = 0;
  if (sscanf(server_first, "r=%127[^,],s=%127[^,],i=%d", r, s, &iter) != 3 ||
      strncmp(r, a->nonce, strlen(a->nonce)) != 0 || iter < 1)
    return -1;
  size_t slen = strlen(s);
  int saltlen = EVP_DecodeBlock(salt, (uint8_t *)s, (int)slen);
  if (saltlen < 0) return -1;
  saltlen -=
      (slen > 0 && s[slen - 1] == '=') + (slen > 1 && s[slen - 2] == '=');
  PKCS5_PBKDF2_HMAC(a->password, (int)strlen(a->password), salt, saltlen, iter,
                    EVP_sha256(), 32, salted);
  hmac(salted, 32, "Client Key", 10, ckey);
  unsigned int len = 32;
  EVP_Digest(ckey, 32, stored, &len, EVP_sha256(), NULL);
  char final_np[256], auth_msg[768];
  snprintf(final_np, sizeof final_np, "c=biws,r=%s", r);
  int an = snprintf(auth_msg, sizeof auth_msg, "%s,%s,%s", a->first_bare,
                    server_first, final_np);
  hmac(stored, 32, auth_msg, (size_t)an, sig);
  for (int i = 0; i < 32; i++)
    ckey[i] ^= sig[i]; /* the proof */
  hmac(salted, 32, "Server Key", 10, skey);
  hmac(skey, 32, auth_msg, (size_t)an, a->server_sig);
  char proof[48];
  EVP_EncodeBlock((uint8_t *)proof, ckey, 32);
  int n = snprintf((char *)a->out, sizeof a->out, "%s,p=%s", final_np, proof);
  pgw_msg_sasl_response(m, a->out, (size_t)n);
  return 1;
}

static int sasl_final(ex_auth *a, pgw_bytes v) {
  char want[48];
  EVP_EncodeBlock((uint8_t *)want, a->server_sig, 32);
  size_t wl = strlen(want);
  if (v.len == wl + 2 && memcmp(v.ptr, "v=", 2) == 0 &&
      memcmp(v.ptr + 2, want, wl) == 0)
    return 0;
  fprintf(stderr, "auth: wrong server signature\n");
  return -1;
}

int ex_auth_answer(ex_auth *a, const pgw_authentication *req,
                   pgw_message *answer) {
  switch (req->code) {
  case PGW_AUTH_OK: return 0;
  case PGW_AUTH_CLEARTEXT_PASSWORD:
    pgw_msg_password(answer, a->password);
    return 1;
  case PGW_AUTH_MD5_PASSWORD: return md5_answer(a, req->salt, answer);
  case PGW_AUTH_SASL: return sasl_first(a, req, answer);
  case PGW_AUTH_SASL_CONTINUE: return sasl_continue(a, req->data, answer);
  case PGW_AUTH_SASL_FINAL: return sasl_final(a, req->data);
  default:
    fprintf(stderr, "auth: method %d not supported\n", (int)req->code);
    return -1;
  }
}
