/*
 * capture.c - pgw-bench-capture: record what a real PostgreSQL server sends
 * for one simple query, as raw bytes, for pgw-bench and pgw-bench-server.
 *
 *   pgw-bench-capture (--socket PATH | --host ADDR --port N)
 *                     [--user U] [--dbname D] -o FILE SQL
 *
 * Speaks the protocol directly (no libpq, no pgw): StartupMessage 3.0 as a
 * trust user, then reads the server's answer up to its first ReadyForQuery
 * and writes it to FILE.startup; sends Query(SQL), reads up to the next
 * ReadyForQuery and writes those bytes unchanged to FILE; then Terminate.
 * The framing here only looks for ReadyForQuery; it validates nothing else.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct buf {
  uint8_t *data;
  size_t len, cap;
} buf;

static void die(const char *what) {
  fprintf(stderr, "pgw-bench-capture: %s\n", what);
  exit(1);
}

static void put(buf *b, const void *p, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->len + n)
      cap *= 2;
    uint8_t *d = (uint8_t *)realloc(b->data, cap);
    if (d == NULL) die("out of memory");
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

static void put32(buf *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                  (uint8_t)v};
  put(b, x, 4);
}

static uint32_t load32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static void send_all(int fd, const uint8_t *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die("write to the server failed");
    p += (size_t)w;
    n -= (size_t)w;
  }
}

/* Read from fd into b until b holds whole messages ending with a
 * ReadyForQuery; b->len is then exactly the bytes up to and including it
 * (the server sends nothing more until asked). An ErrorResponse during
 * startup or an authentication request other than AuthenticationOk stops. */
static void read_until_ready(int fd, buf *b, int startup) {
  size_t pos = 0;
  for (;;) {
    while (b->len - pos >= 5) {
      uint8_t type = b->data[pos];
      uint32_t len = load32(b->data + pos + 1);
      if (len < 4) die("server sent a length word below 4");
      if (b->len - pos - 1 < len) break;
      if (startup && type == 'E') die("server refused the connection");
      if (startup && type == 'R' && (len < 8 || load32(b->data + pos + 5) != 0))
        die("server asked for authentication: use a trust user");
      pos += 1 + (size_t)len;
      if (type == 'Z') {
        if (pos != b->len) die("bytes after ReadyForQuery");
        return;
      }
    }
    uint8_t chunk[1 << 16];
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) die("server closed the connection or read failed");
    put(b, chunk, (size_t)r);
  }
}

static void write_file(const char *path, const buf *b) {
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
    fprintf(stderr, "pgw-bench-capture: cannot write %s\n", path);
    exit(1);
  }
}

static int connect_to(const char *sock, const char *host, int port) {
  int fd;
  if (sock) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(sock) >= sizeof a.sun_path) die("socket path too long");
    strcpy(a.sun_path, sock);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
      die("cannot connect to the unix socket");
  } else {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) die("bad --host address");
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
      die("cannot connect to the server");
  }
  return fd;
}

int main(int argc, char **argv) {
  const char *sock = NULL, *host = NULL, *user = "pgw_trust", *db = "pgw";
  const char *out = NULL, *sql = NULL;
  int port = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int more = i + 1 < argc;
    if (!strcmp(a, "--socket") && more)
      sock = argv[++i];
    else if (!strcmp(a, "--host") && more)
      host = argv[++i];
    else if (!strcmp(a, "--port") && more)
      port = atoi(argv[++i]);
    else if (!strcmp(a, "--user") && more)
      user = argv[++i];
    else if (!strcmp(a, "--dbname") && more)
      db = argv[++i];
    else if (!strcmp(a, "-o") && more)
      out = argv[++i];
    else if (a[0] != '-' && sql == NULL)
      sql = a;
    else {
      fprintf(stderr, "usage: pgw-bench-capture (--socket PATH | --host ADDR "
                      "--port N) [--user U] [--dbname D] -o FILE SQL\n");
      return 2;
    }
  }
  if (out == NULL || sql == NULL || (sock == NULL && (host == NULL || !port))) {
    fprintf(stderr, "pgw-bench-capture: need -o FILE, SQL and a server\n");
    return 2;
  }
  int fd = connect_to(sock, host, port);

  /* StartupMessage: length, protocol 3.0, name/value pairs, final NUL. */
  buf msg = {NULL, 0, 0};
  put32(&msg, 0);
  put32(&msg, 3u << 16);
  put(&msg, "user", 5);
  put(&msg, user, strlen(user) + 1);
  put(&msg, "database", 9);
  put(&msg, db, strlen(db) + 1);
  put(&msg, "", 1);
  uint32_t n = (uint32_t)msg.len;
  msg.len = 0;
  put32(&msg, n);
  msg.len = n;
  send_all(fd, msg.data, msg.len);

  buf startup = {NULL, 0, 0};
  read_until_ready(fd, &startup, 1);

  msg.len = 0;
  put(&msg, "Q", 1);
  put32(&msg, (uint32_t)(4 + strlen(sql) + 1));
  put(&msg, sql, strlen(sql) + 1);
  send_all(fd, msg.data, msg.len);

  buf answer = {NULL, 0, 0};
  read_until_ready(fd, &answer, 0);
  static const uint8_t terminate[5] = {'X', 0, 0, 0, 4};
  send_all(fd, terminate, sizeof terminate);
  close(fd);

  size_t plen = strlen(out);
  char *spath = (char *)malloc(plen + sizeof ".startup");
  if (spath == NULL) die("out of memory");
  memcpy(spath, out, plen);
  memcpy(spath + plen, ".startup", sizeof ".startup");
  write_file(spath, &startup);
  write_file(out, &answer);
  fprintf(stderr, "pgw-bench-capture: %zu startup bytes, %zu answer bytes\n",
          startup.len, answer.len);
  free(spath);
  free(msg.data);
  free(startup.data);
  free(answer.data);
  return 0;
}
