/* tls_ctx.c - shared OpenSSL contexts (tls_ctx.h). */
#define _POSIX_C_SOURCE 200809L
#include "tls_ctx.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cli_tls_ctx {
  SSL_CTX *ctx;
  int verifies;
};

static void reason(char *err, size_t n, const char *what, const char *file) {
  unsigned long e = ERR_get_error();
  char buf[256] = "";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  snprintf(err, n, "TLS %s%s%s%s%s", what, file ? " " : "", file ? file : "",
           buf[0] ? ": " : "", buf);
  ERR_clear_error();
}

/* Select "postgresql" among the client's offers, or refuse. */
static int select_alpn(SSL *ssl, const unsigned char **out,
                       unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *arg) {
  unsigned int i = 0;
  (void)ssl;
  (void)arg;
  while (i < inlen) {
    unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == 10 && memcmp(in + i + 1, "postgresql", 10) == 0) {
      *out = in + i + 1;
      *outlen = (unsigned char)len;
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

static cli_tls_ctx *wrap(SSL_CTX *ctx, char *err, size_t n) {
  cli_tls_ctx *c = ctx ? calloc(1, sizeof *c) : NULL;
  if (!c) {
    if (ctx)
      snprintf(err, n, "out of memory");
    else
      reason(err, n, "setup failed", NULL);
    SSL_CTX_free(ctx);
    return NULL;
  }
  c->ctx = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return c;
}

cli_tls_ctx *cli_tls_ctx_server(const char *cert_file, const char *key_file,
                                char *err, size_t n) {
  cli_tls_ctx *c = wrap(SSL_CTX_new(TLS_server_method()), err, n);
  if (!c) return NULL;
  if (SSL_CTX_use_certificate_chain_file(c->ctx, cert_file) != 1) {
    reason(err, n, "cannot load the certificate", cert_file);
  } else if (SSL_CTX_use_PrivateKey_file(c->ctx, key_file, SSL_FILETYPE_PEM) !=
             1) {
    reason(err, n, "cannot load the key", key_file);
  } else if (SSL_CTX_check_private_key(c->ctx) != 1) {
    reason(err, n, "the key does not match the certificate", key_file);
  } else {
    SSL_CTX_set_num_tickets(c->ctx, 0);
    SSL_CTX_set_options(c->ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_alpn_select_cb(c->ctx, select_alpn, NULL);
    return c;
  }
  cli_tls_ctx_free(c);
  return NULL;
}

cli_tls_ctx *cli_tls_ctx_client(const char *ca_file, char *err, size_t n) {
  static const unsigned char proto[] = "\x0apostgresql";
  cli_tls_ctx *c = wrap(SSL_CTX_new(TLS_client_method()), err, n);
  if (!c) return NULL;
  if (ca_file && SSL_CTX_load_verify_locations(c->ctx, ca_file, NULL) != 1) {
    reason(err, n, "cannot load the CA file", ca_file);
  } else if (SSL_CTX_set_alpn_protos(c->ctx, proto, sizeof proto - 1) != 0) {
    reason(err, n, "cannot offer ALPN", NULL);
  } else {
    if (ca_file) SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    c->verifies = ca_file != NULL;
    return c;
  }
  cli_tls_ctx_free(c);
  return NULL;
}

int cli_tls_ctx_verifies(const cli_tls_ctx *c) {
  return c->verifies;
}

void *cli_tls_ctx_ssl(const cli_tls_ctx *c) {
  return c->ctx;
}

void cli_tls_ctx_free(cli_tls_ctx *c) {
  if (!c) return;
  SSL_CTX_free(c->ctx);
  free(c);
}
