/* net.h - blocking TCP sockets with deadlines for the pgw command. */
#ifndef PGW_CLI_NET_H
#define PGW_CLI_NET_H

#include <stddef.h>
#include <stdint.h>

/* Connect to "HOST:PORT" (see addr.h) within timeout_ms. Returns the
 * socket, or -1 with a one-line reason in err. */
int cli_net_connect(const char *addr, int timeout_ms, char *err, size_t n);

/* Listen on "ADDR:PORT" (port 0: any); shown gets the address bound,
 * "IP:PORT". Returns the socket, or -1 with a one-line reason in err. */
int cli_net_listen(const char *addr, char *shown, size_t shown_n, char *err,
                   size_t n);

/* Accept one connection within timeout_ms (-1: no limit): the socket, or
 * -1 on timeout or error. */
int cli_net_accept(int listen_fd, int timeout_ms);

/* Write all n bytes (no SIGPIPE): 0, or -1 (errno set). */
int cli_net_write(int fd, const uint8_t *p, size_t n);

/* Wait until fd is readable: 1, 0 on timeout, -1 on error. */
int cli_net_wait(int fd, int timeout_ms);

/* Milliseconds of a monotonic clock. */
long cli_net_now_ms(void);

/* Write all n bytes with write(2) (files, pipes, sockets), retrying on
 * EINTR: 0, or -1 (errno set). */
int cli_write_all(int fd, const void *p, size_t n);

/* Make fd non-blocking: 0, or -1 (errno set). */
int cli_net_set_nonblock(int fd);

#endif
