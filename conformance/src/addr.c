/* addr.c - "HOST:PORT", "[IPv6]:PORT" and "unix:/path" for the pgw
 * command's sockets (record, replay, certify). */
#define _POSIX_C_SOURCE 200809L
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

int cli_parse_addr(const char *text, struct sockaddr_in *sa) {
  const char *colon = strrchr(text, ':');
  char host[64], *end;
  long port;
  size_t n;
  if (!colon) return -1;
  n = (size_t)(colon - text);
  if (n == 0 || n >= sizeof host) return -1;
  memcpy(host, text, n);
  host[n] = '\0';
  if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
  errno = 0;
  port = strtol(colon + 1, &end, 10);
  if (errno || *end || end == colon + 1 || port < 0 || port > 65535) return -1;
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_port = htons((uint16_t)port);
  return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static int parse_port(const char *text, uint16_t *port) {
  char *end;
  long v;
  errno = 0;
  v = strtol(text, &end, 10);
  if (errno || *end || end == text || v < 0 || v > 65535 || text[0] == '-' ||
      text[0] == '+')
    return -1;
  *port = (uint16_t)v;
  return 0;
}

static int parse_unix(const char *path, cli_addr *a) {
  struct sockaddr_un *un = (struct sockaddr_un *)&a->sa;
  size_t n = strlen(path);
  if (n == 0 || path[0] != '/' || n >= sizeof un->sun_path) return -1;
  memset(a, 0, sizeof *a);
  un->sun_family = AF_UNIX;
  memcpy(un->sun_path, path, n + 1);
  a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
  return 0;
}

static int parse_ipv6(const char *text, cli_addr *a) {
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->sa;
  const char *close = strchr(text, ']');
  char host[INET6_ADDRSTRLEN];
  size_t n;
  uint16_t port;
  if (!close || close[1] != ':') return -1;
  n = (size_t)(close - text - 1);
  if (n == 0 || n >= sizeof host) return -1;
  memcpy(host, text + 1, n);
  host[n] = '\0';
  if (parse_port(close + 2, &port) != 0) return -1;
  memset(a, 0, sizeof *a);
  s6->sin6_family = AF_INET6;
  s6->sin6_port = htons(port);
  if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) return -1;
  a->len = sizeof *s6;
  return 0;
}

int cli_parse_sockaddr(const char *text, cli_addr *a) {
  struct sockaddr_in sin;
  if (strncmp(text, "unix:", 5) == 0) return parse_unix(text + 5, a);
  if (text[0] == '[') return parse_ipv6(text, a);
  if (cli_parse_addr(text, &sin) != 0) return -1;
  memset(a, 0, sizeof *a);
  memcpy(&a->sa, &sin, sizeof sin);
  a->len = sizeof sin;
  return 0;
}

void cli_format_sockaddr(const struct sockaddr *sa, socklen_t len, char *out,
                         size_t n) {
  char host[INET6_ADDRSTRLEN];
  out[0] = '\0';
  if (sa->sa_family == AF_UNIX) {
    const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
    size_t max = len > offsetof(struct sockaddr_un, sun_path)
                     ? len - offsetof(struct sockaddr_un, sun_path)
                     : 0;
    snprintf(out, n, "unix:%.*s", (int)strnlen(un->sun_path, max),
             un->sun_path);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
    snprintf(out, n, "[%s]:%u", host, (unsigned)ntohs(s6->sin6_port));
  } else if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
    snprintf(out, n, "%s:%u", host, (unsigned)ntohs(s4->sin_port));
  } else {
    snprintf(out, n, "(address family %d)", (int)sa->sa_family);
  }
}

int cli_addr_is_local(const cli_addr *a) {
  const struct sockaddr *sa = (const struct sockaddr *)&a->sa;
  if (sa->sa_family == AF_UNIX) return 1;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
    return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    const struct in6_addr *x = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(x) ||
           (IN6_IS_ADDR_V4MAPPED(x) && x->s6_addr[12] == 127);
  }
  return 0;
}
