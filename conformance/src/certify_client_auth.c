/*
 * certify_client_auth.c - the scripted server's side of authentication:
 * cleartext, MD5 and SCRAM-SHA-256 checked for real against the
 * password given with --password (scram.h does the hashing), and the
 * broken servers the auth cases play (a wrong ServerSignature, a foreign
 * nonce, only an unknown mechanism, a rejected password).
 */
#include <stdio.h>
#include <string.h>

#include "certify_client_run.h"
#include "scram.h"

#define SCRAM_ITER 4096
static const uint8_t salt16[16] = "pgw-certify-salt";

/* The client's next message, or the connection is over (r->done). */
static int want_msg(cc_run *r, pgw_message *m) {
  int rc = cc_wire_next(&r->w, m, r->o->timeout_ms);
  if (rc == PGW_OK) return 0;
  if (rc == CC_EOF) r->s.eof = 1;
  if (rc < 0) cc_run_broke(r);
  r->done = 1;
  return 1;
}

static int send_auth(cc_run *r, uint32_t code, const void *data, size_t n) {
  cc_b(&r->w, 'R');
  cc_i32(&r->w, code);
  cc_raw(&r->w, data, n);
  return cc_send(&r->w, r->err, sizeof r->err);
}

static int wrong_password(cc_run *r, const char *why) {
  if (why)
    snprintf(r->s.fail, sizeof r->s.fail,
             "%s (is the client's password the one given with --password?)",
             why);
  cc_send_error(&r->w, "FATAL", "28P01", "password authentication failed");
  r->done = r->s.closed_by_us = 1;
  return 0;
}

static int password(cc_run *r, int md5) {
  pgw_message m;
  uint8_t salt[4] = {0x9a, 0x3c, 0x55, 0x01};
  char want[40];
  pgw_str got;
  if (send_auth(r, md5 ? 5 : 3, salt, md5 ? 4 : 0) != 0) return -1;
  if (want_msg(r, &m)) return 0;
  got = m.body.password.text;
  if (r->k->auth == CC_REJECT) return wrong_password(r, NULL);
  if (md5)
    cli_md5_password(r->o->password, pgw_str_from_cstr(r->user), salt, want);
  else
    snprintf(want, sizeof want, "%s", r->o->password);
  if (got.len != strlen(want) || memcmp(got.ptr, want, got.len) != 0)
    return wrong_password(r, md5 ? "MD5 hash differs" : "password differs");
  return 0;
}

/* Check the client-first message; server-first into sf. 0 or 1 (over). */
static int scram_first(cc_run *r, const pgw_message *m, char *bare, size_t bn,
                       char *sf, size_t sn) {
  pgw_str data = {(const char *)m->body.sasl_initial.data.ptr, 0}, b, nonce;
  char salt64[32];
  if (m->body.sasl_initial.data.len > 0)
    data.len = (size_t)m->body.sasl_initial.data.len;
  r->s.mech_ok = cc_str_is(m->body.sasl_initial.mechanism, "SCRAM-SHA-256") &&
                 data.len > 2 && (data.ptr[0] == 'n' || data.ptr[0] == 'y');
  r->s.sasl = 1;
  if (cli_scram_bare(data, &b) != 0 || !cli_scram_attr(b, 'r', &nonce) ||
      b.len >= bn || nonce.len > 100) {
    snprintf(r->s.fail, sizeof r->s.fail, "client-first-message malformed");
    r->done = 1;
    return 1;
  }
  memcpy(bare, b.ptr, b.len);
  bare[b.len] = '\0';
  cli_b64_encode(salt16, sizeof salt16, salt64, sizeof salt64);
  if (r->k->auth == CC_SCRAM_BADNONCE)
    snprintf(sf, sn, "r=XforeignNONCE,s=%s,i=%d", salt64, SCRAM_ITER);
  else
    snprintf(sf, sn, "r=%.*spgwcertifyservernonce,s=%s,i=%d", (int)nonce.len,
             nonce.ptr, salt64, SCRAM_ITER);
  return 0;
}

/* Verify the proof of the client-final message; the signature into sig. */
static int scram_final(cc_run *r, const pgw_message *m, const char *bare,
                       const char *sf, uint8_t sig[CLI_SCRAM_KEY_LEN]) {
  pgw_str fin = {(const char *)m->body.sasl_response.data.ptr,
                 m->body.sasl_response.data.len},
          proof64;
  const char *p = NULL;
  char am[1024];
  uint8_t proof[64];
  cli_scram_keys keys;
  size_t i;
  int plen;
  for (i = 0; i + 3 <= fin.len; i++)
    if (!memcmp(fin.ptr + i, ",p=", 3)) p = fin.ptr + i;
  if (!p || !cli_scram_attr(fin, 'p', &proof64))
    return wrong_password(r, "client-final-message without proof"), 1;
  snprintf(am, sizeof am, "%s,%s,%.*s", bare, sf, (int)(p - fin.ptr), fin.ptr);
  plen = cli_b64_decode(proof64.ptr, proof64.len, proof, sizeof proof);
  if (cli_scram_keys_derive(r->o->password, salt16, sizeof salt16, SCRAM_ITER,
                            &keys) != 0 ||
      plen < 0 ||
      cli_scram_verify_proof(&keys, pgw_str_from_cstr(am), proof,
                             (size_t)plen) != 1)
    return wrong_password(r, "SCRAM ClientProof does not verify"), 1;
  cli_scram_server_signature(&keys, pgw_str_from_cstr(am), sig);
  return 0;
}

static int scram(cc_run *r) {
  static const char plus[] = "SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0";
  static const char plain[] = "SCRAM-SHA-256\0";
  static const char odd[] = "CERTIFY-NO-SUCH-MECHANISM\0";
  pgw_message m;
  char bare[256], sf[256], fin[80];
  uint8_t sig[CLI_SCRAM_KEY_LEN];
  int rc = r->k->auth == CC_SCRAM_PLUS ? send_auth(r, 10, plus, sizeof plus)
           : r->k->auth == CC_SASL_UNKNOWN
               ? send_auth(r, 10, odd, sizeof odd)
               : send_auth(r, 10, plain, sizeof plain);
  if (rc != 0) return -1;
  if (want_msg(r, &m) || scram_first(r, &m, bare, sizeof bare, sf, sizeof sf))
    return 0;
  if (send_auth(r, 11, sf, strlen(sf)) != 0) return -1;
  if (want_msg(r, &m) || scram_final(r, &m, bare, sf, sig)) return 0;
  if (r->k->auth == CC_SCRAM_BADSIG) sig[0] ^= 0x5a;
  memcpy(fin, "v=", 2);
  cli_b64_encode(sig, sizeof sig, fin + 2, sizeof fin - 2);
  return send_auth(r, 12, fin, strlen(fin));
}

int cc_auth_run(cc_run *r) {
  int rc = 0;
  switch (r->k->auth) {
  case CC_TRUST: break;
  case CC_CLEAR:
  case CC_REJECT: rc = password(r, 0); break;
  case CC_MD5: rc = password(r, 1); break;
  default: rc = scram(r);
  }
  if (rc != 0 || r->done) return rc;
  return send_auth(r, 0, NULL, 0);
}
