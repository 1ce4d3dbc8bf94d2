/* tls_ctx.h - shared OpenSSL contexts for the sessions of an event loop
 * (`pgw record` terminating TLS): one server context with a certificate
 * and its key, one client context for the upstream leg. */
#ifndef PGW_CLI_TLS_CTX_H
#define PGW_CLI_TLS_CTX_H

#include <stddef.h>

typedef struct cli_tls_ctx cli_tls_ctx;

/* A server context presenting cert_file (PEM, a chain is fine) with
 * key_file, TLS 1.2 and later, no session tickets. ALPN: "postgresql" is
 * selected when the client offers it; a client offering only other
 * protocols is refused (as PostgreSQL 17 does). NULL with a one-line
 * reason in err. */
cli_tls_ctx *cli_tls_ctx_server(const char *cert_file, const char *key_file,
                                char *err, size_t n);

/* A client context offering ALPN "postgresql"; ca_file: verify the
 * server's chain against it (NULL: not verified). NULL with a reason. */
cli_tls_ctx *cli_tls_ctx_client(const char *ca_file, char *err, size_t n);

/* The ctx has a CA to verify with. */
int cli_tls_ctx_verifies(const cli_tls_ctx *c);

/* The OpenSSL SSL_CTX (for tls.c). */
void *cli_tls_ctx_ssl(const cli_tls_ctx *c);

/* NULL is fine; sessions started from c keep their own reference. */
void cli_tls_ctx_free(cli_tls_ctx *c);

#endif
