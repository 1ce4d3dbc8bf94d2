/* addr.h - "HOST:PORT" for the pgw command's sockets (record, replay). */
#ifndef PGW_CLI_ADDR_H
#define PGW_CLI_ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

/* Parse an IPv4 "HOST:PORT" ("localhost" means 127.0.0.1) into *sa.
 * Returns 0, or -1 if the text is not such an address. */
int cli_parse_addr(const char *text, struct sockaddr_in *sa);

/* Any socket address the pgw command listens on or connects to. */
typedef struct cli_addr {
  struct sockaddr_storage sa;
  socklen_t len;
} cli_addr;

/* Parse "HOST:PORT" (IPv4 or "localhost"), "[IPv6]:PORT" or "unix:/path"
 * (the socket file itself, as PostgreSQL names it: /dir/.s.PGSQL.5432).
 * Returns 0, or -1 if the text is none of these. */
int cli_parse_sockaddr(const char *text, cli_addr *a);

/* The address as cli_parse_sockaddr reads it back: "127.0.0.1:5432",
 * "[::1]:5432", "unix:/path". Always NUL-terminates out (n > 0). */
void cli_format_sockaddr(const struct sockaddr *sa, socklen_t len, char *out,
                         size_t n);

/* 1 if only this machine can reach the address: 127.0.0.0/8, ::1,
 * ::ffff:127.0.0.0/104, or a unix socket. */
int cli_addr_is_local(const cli_addr *a);

#endif
