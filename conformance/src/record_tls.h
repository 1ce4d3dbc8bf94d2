/*
 * record_tls.h - `pgw record --tls-cert`: terminating TLS on both legs of
 * a connection inside the non-blocking loop. After the server's 'S' has
 * reached the client (or when the client opens with a TLS record), pgw
 * is the server of the client leg and the client of the server leg; both
 * handshakes advance as their sockets allow, then decrypted bytes are
 * forwarded and recorded after `@ tls on` / `@ tls direct`.
 */
#ifndef PGW_CLI_RECORD_TLS_H
#define PGW_CLI_RECORD_TLS_H

#include <sys/types.h>

#include "record_conn.h"

/* Start both handshakes (direct: the client opened with TLS; the line
 * `@ tls direct` is written). 0, or -1 (reason on stderr). */
int rec_tls_begin(rec_conn *c, int direct, long now_ms);

/* Advance the handshakes: 0 (under way or done), -1 failed. */
int rec_tls_handshake(rec_conn *c, long now_ms);

/* The client's first byte is a TLS handshake record (peeked, not read):
 * 1, 0 no (or nothing yet), -1 error or end. */
int rec_tls_client_opens_tls(const rec_conn *c);

/* Read side d (decrypting on a TLS leg): > 0, 0 end, -1 error, -2 would
 * block. */
ssize_t rec_io_read(rec_conn *c, int d, uint8_t *buf, size_t n);

/* Write to side d's socket: > 0 written, -1 error, -2 would block. */
ssize_t rec_io_write(rec_conn *c, int d, const uint8_t *p, size_t n);

/* Side d ended: end the stream towards side to (close_notify on TLS). */
void rec_io_shut(rec_conn *c, int to);

/* The events to wait for per side; *ready set when a TLS leg holds
 * buffered bytes that can be read without waiting. */
void rec_tls_events(const rec_conn *c, short ev[2], int *ready);

#endif
