/* tls.c - OpenSSL client sessions on a non-blocking socket (tls.h). */
#define _POSIX_C_SOURCE 200809L
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "tls_ctx.h"

struct cli_tls {
  SSL_CTX *ctx;
  SSL *ssl;
  int fd;
  int server;  /* cli_tls_start(): the server end */
  short wants; /* the non-blocking calls: what the last one waits for */
};

/* Wait for what OpenSSL asked for until the deadline: 1 ready, 0 not in
 * time, -1 an error other than want-read/want-write. */
static int want(cli_tls *t, int ret, long until) {
  int e = SSL_get_error(t->ssl, ret);
  short ev = e == SSL_ERROR_WANT_READ    ? POLLIN
             : e == SSL_ERROR_WANT_WRITE ? POLLOUT
                                         : 0;
  if (ev == 0) return -1;
  long left = until - cli_net_now_ms();
  if (left <= 0) return 0;
  struct pollfd p = {t->fd, ev, 0};
  int rc;
  do
    rc = poll(&p, 1, (int)left);
  while (rc < 0 && errno == EINTR);
  return rc > 0 ? 1 : rc == 0 ? 0 : -1;
}

static void reason(char *err, size_t n, const char *what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  snprintf(err, n, "TLS %s%s%s", what, buf[0] ? ": " : "", buf);
  ERR_clear_error();
}

static int set_host(cli_tls *t, const char *host, int verify, char *err,
                    size_t n);

static int configure(cli_tls *t, const char *host, const char *ca_file,
                     int alpn, char *err, size_t n) {
  static const unsigned char proto[] = "\x0apostgresql";
  SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
  if (ca_file) {
    if (SSL_CTX_load_verify_locations(t->ctx, ca_file, NULL) != 1)
      return reason(err, n, "cannot load the CA file"), -1;
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
  }
  if (alpn && SSL_CTX_set_alpn_protos(t->ctx, proto, sizeof proto - 1) != 0)
    return reason(err, n, "cannot offer ALPN"), -1;
  t->ssl = SSL_new(t->ctx);
  if (!t->ssl || SSL_set_fd(t->ssl, t->fd) != 1)
    return reason(err, n, "setup failed"), -1;
  return set_host(t, host, ca_file != NULL, err, n);
}

/* SNI for a name, and the name or address to verify (verify set). */
static int set_host(cli_tls *t, const char *host, int verify, char *err,
                    size_t n) {
  if (!host) return 0;
  unsigned char ip[16];
  int is_ip =
      inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
  /* an address is verified against the certificate's IP SANs, never sent
   * as SNI (RFC 6066) */
  if (!is_ip && SSL_set_tlsext_host_name(t->ssl, host) != 1)
    return reason(err, n, "cannot set SNI"), -1;
  if (verify &&
      (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host) != 1
             : SSL_set1_host(t->ssl, host) != 1))
    return reason(err, n, "cannot set the name to verify"), -1;
  return 0;
}

cli_tls *cli_tls_connect(int fd, const char *host, const char *ca_file,
                         int alpn, int timeout_ms, char *err, size_t n) {
  /* OpenSSL writes with write(2): a peer that closed must be an error,
   * not SIGPIPE (the plain sockets use MSG_NOSIGNAL). */
  signal(SIGPIPE, SIG_IGN);
  cli_tls *t = calloc(1, sizeof *t);
  if (!t) return snprintf(err, n, "out of memory"), NULL;
  t->fd = fd;
  int flags = fcntl(fd, F_GETFL);
  t->ctx = SSL_CTX_new(TLS_client_method());
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 || !t->ctx ||
      configure(t, host, ca_file, alpn, err, n) != 0) {
    if (flags < 0 || !t->ctx) reason(err, n, "setup failed");
    cli_tls_close(t);
    return NULL;
  }
  long until = cli_net_now_ms() + timeout_ms;
  for (;;) {
    int ret = SSL_connect(t->ssl);
    if (ret == 1) return t;
    int w = want(t, ret, until);
    if (w == 1) continue;
    if (w == 0)
      snprintf(err, n, "TLS handshake: no answer within %d ms", timeout_ms);
    else
      reason(err, n, "handshake failed");
    cli_tls_close(t);
    return NULL;
  }
}

ssize_t cli_tls_read(cli_tls *t, uint8_t *buf, size_t n, int timeout_ms) {
  long until = cli_net_now_ms() + timeout_ms;
  for (;;) {
    size_t got = 0;
    int ret = SSL_read_ex(t->ssl, buf, n, &got);
    if (ret == 1) return (ssize_t)got;
    int e = SSL_get_error(t->ssl, ret);
    if (e == SSL_ERROR_ZERO_RETURN) return 0;
    if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
      ERR_clear_error();
      return 0; /* the peer closed without close_notify */
    }
    int w = want(t, ret, until);
    if (w == 1) continue;
    ERR_clear_error();
    return w == 0 ? -2 : -1;
  }
}

int cli_tls_write(cli_tls *t, const uint8_t *p, size_t n) {
  while (n > 0) {
    size_t put = 0;
    int ret = SSL_write_ex(t->ssl, p, n, &put);
    if (ret == 1) {
      p += put;
      n -= put;
      continue;
    }
    if (want(t, ret, cli_net_now_ms() + 10000) != 1) {
      ERR_clear_error();
      return -1;
    }
  }
  return 0;
}

const char *cli_tls_version(const cli_tls *t) {
  return SSL_get_version(t->ssl);
}

const char *cli_tls_alpn(const cli_tls *t, char *buf, size_t n) {
  const unsigned char *a = NULL;
  unsigned int len = 0;
  SSL_get0_alpn_selected(t->ssl, &a, &len);
  snprintf(buf, n, "%.*s", (int)len, a ? (const char *)a : "");
  return buf;
}

/* RFC 5929 tls-server-end-point of cert: its hash with the signature's
 * hash (SHA-256 for MD5 and SHA-1); the length, or -1. */
static int end_point(X509 *cert, uint8_t *out, size_t cap) {
  int md_nid = NID_undef;
  unsigned int len = 0;
  if (!cert ||
      !OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md_nid, NULL) ||
      md_nid == NID_undef)
    return -1;
  if (md_nid == NID_md5 || md_nid == NID_sha1) md_nid = NID_sha256;
  const EVP_MD *md = EVP_get_digestbynid(md_nid);
  if (!md || (size_t)EVP_MD_get_size(md) > cap ||
      X509_digest(cert, md, out, &len) != 1)
    return -1;
  return (int)len;
}

int cli_tls_server_end_point(const cli_tls *t, uint8_t *out, size_t cap) {
  X509 *cert = SSL_get1_peer_certificate(t->ssl);
  int rc = end_point(cert, out, cap);
  X509_free(cert);
  return rc;
}

int cli_tls_local_end_point(const cli_tls *t, uint8_t *out, size_t cap) {
  return end_point(SSL_get_certificate(t->ssl), out, cap);
}

void cli_tls_close(cli_tls *t) {
  if (!t) return;
  if (t->ssl) {
    (void)SSL_shutdown(t->ssl);
    SSL_free(t->ssl);
  }
  SSL_CTX_free(t->ctx);
  ERR_clear_error();
  free(t);
}

/* ---- non-blocking sessions for an event loop ------------------------- */

cli_tls *cli_tls_start(const cli_tls_ctx *ctx, int fd, int server,
                       const char *host, char *err, size_t n) {
  cli_tls *t = calloc(1, sizeof *t);
  signal(SIGPIPE, SIG_IGN);
  if (!t) return snprintf(err, n, "out of memory"), NULL;
  t->fd = fd;
  t->server = server;
  t->ctx = cli_tls_ctx_ssl(ctx);
  SSL_CTX_up_ref(t->ctx);
  t->ssl = SSL_new(t->ctx);
  if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1) {
    reason(err, n, "setup failed");
  } else if (server ||
             set_host(t, host, cli_tls_ctx_verifies(ctx), err, n) == 0) {
    if (server)
      SSL_set_accept_state(t->ssl);
    else
      SSL_set_connect_state(t->ssl);
    return t;
  }
  cli_tls_close(t);
  return NULL;
}

/* After a failed call: -2 (t->wants set) for want-read/want-write, 0 for
 * the end of the stream, -1 for an error. */
static int nb_result(cli_tls *t, int ret) {
  int e = SSL_get_error(t->ssl, ret);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    t->wants = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    return -2;
  }
  if (e == SSL_ERROR_ZERO_RETURN ||
      (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0)) {
    ERR_clear_error();
    return 0;
  }
  return -1;
}

int cli_tls_step(cli_tls *t, char *err, size_t n) {
  int ret, rc;
  errno = 0;
  ret = SSL_do_handshake(t->ssl);
  if (ret == 1) return 1;
  rc = nb_result(t, ret);
  if (rc == -2) return 0;
  if (rc == 0)
    snprintf(err, n, "TLS handshake: the peer closed");
  else
    reason(err, n, "handshake failed");
  return -1;
}

short cli_tls_wants(const cli_tls *t) {
  return t->wants;
}

int cli_tls_pending(const cli_tls *t) {
  return SSL_has_pending(t->ssl);
}

ssize_t cli_tls_read_nb(cli_tls *t, uint8_t *buf, size_t n) {
  size_t got = 0;
  int ret;
  errno = 0;
  ret = SSL_read_ex(t->ssl, buf, n, &got);
  if (ret == 1) return (ssize_t)got;
  ret = nb_result(t, ret);
  if (ret == -1) ERR_clear_error();
  return ret;
}

ssize_t cli_tls_write_nb(cli_tls *t, const uint8_t *p, size_t n) {
  size_t put = 0;
  int ret;
  errno = 0;
  ret = SSL_write_ex(t->ssl, p, n, &put);
  if (ret == 1) return (ssize_t)put;
  ret = nb_result(t, ret);
  ERR_clear_error();
  return ret == -2 ? -2 : -1;
}

void cli_tls_notify_close(cli_tls *t) {
  (void)SSL_shutdown(t->ssl);
  ERR_clear_error();
}
