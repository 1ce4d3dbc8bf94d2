/* addr.c - "HOST:PORT" parsing shared by record and replay. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
