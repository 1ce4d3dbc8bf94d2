/*
 * scram.h - the password exchanges a replay must recompute: MD5 password
 * hashes and SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it,
 * both roles. All hashing is OpenSSL's libcrypto.
 *
 * Passwords are used as given: SASLprep (RFC 4013) is the identity for
 * printable ASCII, which is all cli_scram_keys() accepts.
 */
#ifndef PGW_CLI_SCRAM_H
#define PGW_CLI_SCRAM_H

#include <stddef.h>
#include <stdint.h>

#include "pgw/pgw.h"

#define CLI_SCRAM_KEY_LEN 32 /* SHA-256 */

/* "md5" + hex(md5(hex(md5(password + user)) + salt)), NUL-terminated
 * (36 bytes). 0, or -1 if libcrypto failed. */
int cli_md5_password(const char *password, pgw_str user, const uint8_t salt[4],
                     char out[36]);

/* Base64 (standard alphabet, padded). encode: out gets a NUL-terminated
 * string, returns its length or -1 if cap is too small. decode: returns
 * the decoded length, or -1 for bad input or a too small cap. */
int cli_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap);
int cli_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap);

/* Value of attribute `name` ("r", "s", ...) in a comma-separated SCRAM
 * message; 1 and *value set if present, else 0. */
int cli_scram_attr(pgw_str msg, char name, pgw_str *value);

/* The client-first-message-bare: the message after its GS2 header (the
 * part after the second comma); 0, or -1 if there is no GS2 header. */
int cli_scram_bare(pgw_str client_first, pgw_str *bare);

typedef struct cli_scram_keys {
  uint8_t salted[CLI_SCRAM_KEY_LEN];
  uint8_t client_key[CLI_SCRAM_KEY_LEN];
  uint8_t stored_key[CLI_SCRAM_KEY_LEN];
  uint8_t server_key[CLI_SCRAM_KEY_LEN];
} cli_scram_keys;

/* Derive the keys: SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt,
 * iterations); ClientKey, StoredKey, ServerKey from it. 0, or -1 (password
 * not printable ASCII, iterations < 1, libcrypto failure). */
int cli_scram_keys_derive(const char *password, const uint8_t *salt,
                          size_t salt_len, int iterations, cli_scram_keys *k);

/* ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage). */
int cli_scram_client_proof(const cli_scram_keys *k, pgw_str auth_message,
                           uint8_t proof[CLI_SCRAM_KEY_LEN]);

/* ServerSignature = HMAC(ServerKey, AuthMessage). */
int cli_scram_server_signature(const cli_scram_keys *k, pgw_str auth_message,
                               uint8_t sig[CLI_SCRAM_KEY_LEN]);

/* Server side: 1 if proof is the proof of the password the keys came
 * from (H(proof XOR HMAC(StoredKey, AuthMessage)) == StoredKey), 0 if not,
 * -1 if libcrypto failed. */
int cli_scram_verify_proof(const cli_scram_keys *k, pgw_str auth_message,
                           const uint8_t *proof, size_t proof_len);

/* Keys for the salt (s=) and iteration count (i=) of a server-first
 * message. 0; -1 if either is missing (or i= is empty or too long); -2
 * for a bad salt or iteration count, a password that is not printable
 * ASCII, or a libcrypto failure. */
int cli_scram_keys_for(const char *password, pgw_str server_first,
                       cli_scram_keys *k);

/* AuthMessage = client-first-message-bare "," server-first-message ","
 * client-final-message-without-proof (RFC 5802, 3), replacing out's
 * contents. 0, or -1 out of memory. */
int cli_scram_auth_message(pgw_str client_bare, pgw_str server_first,
                           pgw_str final_without_proof, pgw_buf *out);

/* Client: the client-final-message "c=CBIND,r=NONCE,p=PROOF" answering
 * server_first (NONCE is its r=) replacing out's contents, and the
 * ServerSignature the server must send into sig. 0; -1 server_first has
 * no r=, s= or i=; -2 as cli_scram_keys_for(); -3 out of memory or
 * libcrypto failure. */
int cli_scram_client_final(const char *password, pgw_str client_bare,
                           pgw_str server_first, pgw_str cbind, pgw_buf *out,
                           uint8_t sig[CLI_SCRAM_KEY_LEN]);

/* Server: 1 if client_final's p= proves the password (0 if not, or not
 * base64), with the ServerSignature in sig; -1 client_final has no p= or
 * server_first no s= or i=; -2 as cli_scram_keys_for(); -3 out of memory
 * or libcrypto failure. The nonce is not checked here. */
int cli_scram_check_final(const char *password, pgw_str client_bare,
                          pgw_str server_first, pgw_str client_final,
                          uint8_t sig[CLI_SCRAM_KEY_LEN]);

#endif /* PGW_CLI_SCRAM_H */
