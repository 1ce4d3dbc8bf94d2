/* scram.c - MD5 and SCRAM-SHA-256 password exchanges through libcrypto. */
#include "scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

static int digest(const EVP_MD *md, const void *p, size_t n, uint8_t *out) {
  unsigned int len = 0;
  return EVP_Digest(p, n, out, &len, md, NULL) == 1 ? 0 : -1;
}

static void hex(const uint8_t *p, size_t n, char *out) {
  static const char d[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < n; i++) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
}

int cli_md5_password(const char *password, pgw_str user, const uint8_t salt[4],
                     char out[36]) {
  /* PostgreSQL: pg_md5_encrypt(password, user) gives "md5" + 32 hex; the
   * wire form hashes those 32 hex digits followed by the salt. */
  uint8_t d[16];
  char inner[32 + 4];
  size_t plen = strlen(password);
  uint8_t *tmp = OPENSSL_malloc(plen + user.len + 1);
  int rc;
  if (!tmp) return -1;
  memcpy(tmp, password, plen);
  if (user.len) memcpy(tmp + plen, user.ptr, user.len);
  rc = digest(EVP_md5(), tmp, plen + user.len, d);
  OPENSSL_free(tmp);
  if (rc) return -1;
  hex(d, 16, inner);
  memcpy(inner + 32, salt, 4);
  if (digest(EVP_md5(), inner, sizeof inner, d)) return -1;
  memcpy(out, "md5", 3);
  hex(d, 16, out + 3);
  out[35] = '\0';
  return 0;
}

int cli_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap) {
  size_t need = 4 * ((n + 2) / 3) + 1;
  if (cap < need || n > 0x3fffffff) return -1;
  return EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

int cli_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap) {
  size_t pad = 0;
  int len;
  if (n % 4 || n > 0x3fffffff || cap < n / 4 * 3) return -1;
  if (n >= 1 && in[n - 1] == '=') pad++;
  if (n >= 2 && in[n - 2] == '=') pad++;
  /* EVP_DecodeBlock counts padding as zero bytes; take them off. */
  len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
  if (len < 0 || (size_t)len < pad) return -1;
  return len - (int)pad;
}

int cli_scram_attr(pgw_str msg, char name, pgw_str *value) {
  size_t i = 0;
  while (i < msg.len) {
    size_t j = i;
    while (j < msg.len && msg.ptr[j] != ',')
      j++;
    if (j - i >= 2 && msg.ptr[i] == name && msg.ptr[i + 1] == '=') {
      value->ptr = msg.ptr + i + 2;
      value->len = j - i - 2;
      return 1;
    }
    i = j + 1;
  }
  return 0;
}

int cli_scram_bare(pgw_str client_first, pgw_str *bare) {
  const char *p = client_first.ptr, *end = p + client_first.len, *c;
  int commas = 0;
  for (c = p; c < end; c++)
    if (*c == ',' && ++commas == 2) {
      bare->ptr = c + 1;
      bare->len = (size_t)(end - c - 1);
      return 0;
    }
  return -1;
}

static int hmac(const uint8_t *key, size_t klen, const void *p, size_t n,
                uint8_t out[CLI_SCRAM_KEY_LEN]) {
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key, (int)klen, p, n, out, &len) ||
      len != CLI_SCRAM_KEY_LEN)
    return -1;
  return 0;
}

int cli_scram_keys_derive(const char *password, const uint8_t *salt,
                          size_t salt_len, int iterations, cli_scram_keys *k) {
  const char *c;
  for (c = password; *c; c++)
    if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) return -1;
  if (iterations < 1 || salt_len > 0x7fffffff) return -1;
  if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len,
                        iterations, EVP_sha256(), CLI_SCRAM_KEY_LEN,
                        k->salted) != 1)
    return -1;
  if (hmac(k->salted, CLI_SCRAM_KEY_LEN, "Client Key", 10, k->client_key) ||
      hmac(k->salted, CLI_SCRAM_KEY_LEN, "Server Key", 10, k->server_key) ||
      digest(EVP_sha256(), k->client_key, CLI_SCRAM_KEY_LEN, k->stored_key))
    return -1;
  return 0;
}

int cli_scram_client_proof(const cli_scram_keys *k, pgw_str auth_message,
                           uint8_t proof[CLI_SCRAM_KEY_LEN]) {
  uint8_t sig[CLI_SCRAM_KEY_LEN];
  size_t i;
  if (hmac(k->stored_key, CLI_SCRAM_KEY_LEN, auth_message.ptr, auth_message.len,
           sig))
    return -1;
  for (i = 0; i < CLI_SCRAM_KEY_LEN; i++)
    proof[i] = (uint8_t)(k->client_key[i] ^ sig[i]);
  return 0;
}

int cli_scram_server_signature(const cli_scram_keys *k, pgw_str auth_message,
                               uint8_t sig[CLI_SCRAM_KEY_LEN]) {
  return hmac(k->server_key, CLI_SCRAM_KEY_LEN, auth_message.ptr,
              auth_message.len, sig);
}

int cli_scram_verify_proof(const cli_scram_keys *k, pgw_str auth_message,
                           const uint8_t *proof, size_t proof_len) {
  uint8_t sig[CLI_SCRAM_KEY_LEN], key[CLI_SCRAM_KEY_LEN],
      stored[CLI_SCRAM_KEY_LEN];
  size_t i;
  if (proof_len != CLI_SCRAM_KEY_LEN) return 0;
  if (hmac(k->stored_key, CLI_SCRAM_KEY_LEN, auth_message.ptr, auth_message.len,
           sig))
    return -1;
  for (i = 0; i < CLI_SCRAM_KEY_LEN; i++)
    key[i] = (uint8_t)(proof[i] ^ sig[i]);
  if (digest(EVP_sha256(), key, CLI_SCRAM_KEY_LEN, stored)) return -1;
  return CRYPTO_memcmp(stored, k->stored_key, CLI_SCRAM_KEY_LEN) == 0;
}

int cli_scram_keys_for(const char *password, pgw_str server_first,
                       cli_scram_keys *k) {
  pgw_str salt64, iter;
  uint8_t salt[256];
  char num[16];
  int salt_len;
  if (!cli_scram_attr(server_first, 's', &salt64) ||
      !cli_scram_attr(server_first, 'i', &iter) || iter.len == 0 ||
      iter.len >= sizeof num)
    return -1;
  memcpy(num, iter.ptr, iter.len);
  num[iter.len] = '\0';
  salt_len = cli_b64_decode(salt64.ptr, salt64.len, salt, sizeof salt);
  if (salt_len < 0 ||
      cli_scram_keys_derive(password, salt, (size_t)salt_len, atoi(num), k))
    return -2;
  return 0;
}

static int buf_add(pgw_buf *b, const void *p, size_t n) {
  if (pgw_buf_reserve(b, n) != 0) return -1;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  return 0;
}

int cli_scram_auth_message(pgw_str client_bare, pgw_str server_first,
                           pgw_str final_without_proof, pgw_buf *out) {
  pgw_buf_clear(out);
  if (buf_add(out, client_bare.ptr, client_bare.len) || buf_add(out, ",", 1) ||
      buf_add(out, server_first.ptr, server_first.len) ||
      buf_add(out, ",", 1) ||
      buf_add(out, final_without_proof.ptr, final_without_proof.len))
    return -1;
  return 0;
}

/* Proof and ServerSignature for AuthMessage (bare, sf, without). */
static int proof_and_sig(const cli_scram_keys *k, pgw_str bare, pgw_str sf,
                         pgw_str without, uint8_t proof[CLI_SCRAM_KEY_LEN],
                         uint8_t sig[CLI_SCRAM_KEY_LEN]) {
  pgw_buf auth;
  pgw_str a;
  int rc = -3;
  pgw_buf_init(&auth, NULL);
  if (cli_scram_auth_message(bare, sf, without, &auth) == 0) {
    a.ptr = (const char *)auth.data;
    a.len = auth.len;
    if (cli_scram_client_proof(k, a, proof) == 0 &&
        cli_scram_server_signature(k, a, sig) == 0)
      rc = 0;
  }
  pgw_buf_free(&auth);
  return rc;
}

int cli_scram_client_final(const char *password, pgw_str client_bare,
                           pgw_str server_first, pgw_str cbind, pgw_buf *out,
                           uint8_t sig[CLI_SCRAM_KEY_LEN]) {
  pgw_str nonce, without;
  uint8_t proof[CLI_SCRAM_KEY_LEN];
  char proof64[64];
  cli_scram_keys k;
  int rc;
  if (!cli_scram_attr(server_first, 'r', &nonce)) return -1;
  if ((rc = cli_scram_keys_for(password, server_first, &k)) != 0) return rc;
  pgw_buf_clear(out);
  if (buf_add(out, "c=", 2) || buf_add(out, cbind.ptr, cbind.len) ||
      buf_add(out, ",r=", 3) || buf_add(out, nonce.ptr, nonce.len))
    return -3;
  without.ptr = (const char *)out->data;
  without.len = out->len;
  if (proof_and_sig(&k, client_bare, server_first, without, proof, sig) != 0 ||
      cli_b64_encode(proof, sizeof proof, proof64, sizeof proof64) <= 0 ||
      buf_add(out, ",p=", 3) || buf_add(out, proof64, strlen(proof64)))
    return -3;
  return 0;
}

int cli_scram_check_final(const char *password, pgw_str client_bare,
                          pgw_str server_first, pgw_str client_final,
                          uint8_t sig[CLI_SCRAM_KEY_LEN]) {
  pgw_str proof64, without, a;
  uint8_t proof[CLI_SCRAM_KEY_LEN + 3];
  cli_scram_keys k;
  pgw_buf auth;
  int rc, plen;
  if (!cli_scram_attr(client_final, 'p', &proof64) ||
      proof64.ptr - client_final.ptr < 3)
    return -1;
  if ((rc = cli_scram_keys_for(password, server_first, &k)) != 0) return rc;
  /* client-final-message-without-proof: everything before ",p=" */
  without.ptr = client_final.ptr;
  without.len = (size_t)(proof64.ptr - 3 - client_final.ptr);
  pgw_buf_init(&auth, NULL);
  rc = -3;
  if (cli_scram_auth_message(client_bare, server_first, without, &auth) == 0) {
    a.ptr = (const char *)auth.data;
    a.len = auth.len;
    if (cli_scram_server_signature(&k, a, sig) == 0) {
      plen = cli_b64_decode(proof64.ptr, proof64.len, proof, sizeof proof);
      rc = plen < 0 ? 0 : cli_scram_verify_proof(&k, a, proof, (size_t)plen);
      if (rc < 0) rc = -3;
    }
  }
  pgw_buf_free(&auth);
  return rc;
}
