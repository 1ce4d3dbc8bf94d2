/* example.c - sockets and connection strings for the examples (see
 * example.h). */
#define _POSIX_C_SOURCE 200809L
#include "example.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int ex_parse_conninfo(const char *s, ex_conninfo *ci) {
  struct {
    const char *key;
    char *dst;
    size_t cap;
  } keys[] = {{"host", ci->host, sizeof ci->host},
              {"port", ci->port, sizeof ci->port},
              {"user", ci->user, sizeof ci->user},
              {"dbname", ci->dbname, sizeof ci->dbname},
              {"password", ci->password, sizeof ci->password}};
  char key[32], val[256];
  int n, i;
  memset(ci, 0, sizeof *ci);
  while (sscanf(s, " %31[^= ]=%255s%n", key, val, &n) == 2) {
    s += n;
    for (i = 0; i < 5 && strcmp(key, keys[i].key) != 0; i++)
      continue;
    if (i == 5) return -1;
    snprintf(keys[i].dst, keys[i].cap, "%s", val);
  }
  return ci->user[0] ? 0 : -1;
}

void ex_startup(pgw_message *m, pgw_param p[2], const ex_conninfo *ci) {
  p[0] = pgw_param_of("user", ci->user);
  p[1] = pgw_param_of("database", ci->dbname[0] ? ci->dbname : ci->user);
  pgw_param_list params = pgw_param_list_of(p, 2);
  pgw_msg_startup(m, PGW_PROTOCOL_3_0, &params);
}

int ex_connect(const char *host, const char *port) {
  int fd;
  if (host[0] == '/') {
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    snprintf(un.sun_path, sizeof un.sun_path, "%s/.s.PGSQL.%s", host, port);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&un, sizeof un) == 0)
      return fd;
  } else {
    struct sockaddr_in in;
    memset(&in, 0, sizeof in);
    in.sin_family = AF_INET;
    in.sin_port = htons((uint16_t)atoi(port));
    if (inet_pton(AF_INET, host, &in.sin_addr) != 1) in.sin_addr.s_addr = 0;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&in, sizeof in) == 0)
      return fd;
  }
  perror("connect");
  if (fd >= 0) close(fd);
  return -1;
}

int ex_listen(const char *port) {
  struct sockaddr_in in;
  int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&in, 0, sizeof in);
  in.sin_family = AF_INET;
  in.sin_port = htons((uint16_t)atoi(port));
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, (struct sockaddr *)&in, sizeof in) != 0 ||
      listen(fd, 8) != 0) {
    perror("listen");
    return -1;
  }
  return fd;
}

int ex_write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int ex_flush(int fd, pgw_buf *b) {
  int rc = ex_write_all(fd, b->data, b->len);
  pgw_buf_clear(b);
  return rc;
}

void ex_print_notice(const char *who, const pgw_message *m) {
  pgw_str sev, msg;
  pgw_notice_get(&m->body.notice, 'S', &sev);
  pgw_notice_get(&m->body.notice, 'M', &msg);
  fprintf(stderr, "%s: %.*s: %.*s\n", who, (int)sev.len, sev.ptr, (int)msg.len,
          msg.ptr);
}
