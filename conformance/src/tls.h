/* tls.h - the client end of TLS for the pgw command (OpenSSL), on a
 * connected socket, with a deadline on every wait. The library never
 * sees it: pgw_conn only learns that encryption is up. */
#ifndef PGW_CLI_TLS_H
#define PGW_CLI_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct cli_tls cli_tls;

/* Handshake as a client on fd (which stays owned by the caller). host:
 * the name sent as SNI and, with ca_file, verified against the server's
 * certificate (NULL: no SNI); ca_file NULL: the certificate is not
 * verified. alpn: offer "postgresql" (direct SSL needs it). Returns the
 * session, or NULL with a one-line reason in err. */
cli_tls *cli_tls_connect(int fd, const char *host, const char *ca_file,
                         int alpn, int timeout_ms, char *err, size_t n);

/* Up to n decrypted bytes within timeout_ms: > 0 bytes, 0 at the end of
 * the stream (close_notify or the peer closed), -1 on an error, -2 when
 * nothing arrived in time. */
ssize_t cli_tls_read(cli_tls *t, uint8_t *buf, size_t n, int timeout_ms);

/* All n bytes, encrypted: 0, or -1 (error or 10 s without progress). */
int cli_tls_write(cli_tls *t, const uint8_t *p, size_t n);

/* The negotiated protocol ("TLSv1.3") and ALPN ("postgresql" or ""). */
const char *cli_tls_version(const cli_tls *t);
const char *cli_tls_alpn(const cli_tls *t, char *buf, size_t n);

/* The tls-server-end-point channel binding data (RFC 5929): the hash of
 * the server's certificate with its signature's hash (SHA-256 for MD5
 * and SHA-1). Its length, or -1 (no certificate, unknown hash, cap too
 * small). */
int cli_tls_server_end_point(const cli_tls *t, uint8_t *out, size_t cap);
/* The same for the certificate this end presents (a server end). */
int cli_tls_local_end_point(const cli_tls *t, uint8_t *out, size_t cap);

/* ---- Non-blocking sessions for an event loop (`pgw record`): no call
 * waits; a call that cannot go on returns "would block" and
 * cli_tls_wants() says which event (POLLIN or POLLOUT) on the socket lets
 * it go on. The socket must be non-blocking. */
struct cli_tls_ctx;

/* A session on fd with ctx (tls_ctx.h; the session takes a reference):
 * server set: the server end; otherwise the client end, host as in
 * cli_tls_connect (verified when ctx has a CA). No I/O yet. NULL with a
 * reason in err. */
cli_tls *cli_tls_start(const struct cli_tls_ctx *ctx, int fd, int server,
                       const char *host, char *err, size_t n);

/* Advance the handshake: 1 done, 0 would block, -1 failed (reason). */
int cli_tls_step(cli_tls *t, char *err, size_t n);

/* What the last call that would block waits for (POLLIN or POLLOUT). */
short cli_tls_wants(const cli_tls *t);

/* Decrypted bytes or a record are buffered: read without waiting. */
int cli_tls_pending(const cli_tls *t);

/* > 0 bytes, 0 end of stream, -1 error, -2 would block. */
ssize_t cli_tls_read_nb(cli_tls *t, uint8_t *buf, size_t n);

/* Bytes written (> 0, maybe fewer than n), -1 error, -2 would block:
 * then call again with the same bytes. */
ssize_t cli_tls_write_nb(cli_tls *t, const uint8_t *p, size_t n);

/* Send close_notify without waiting (best effort). */
void cli_tls_notify_close(cli_tls *t);

/* Send close_notify (best effort) and free; NULL is fine. */
void cli_tls_close(cli_tls *t);

#endif
