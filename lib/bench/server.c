/*
 * server.c - pgw-bench-server: a fake PostgreSQL server on a unix socket
 * that replays a capture, so that clients can be timed end to end on the
 * same bytes without a real server's query cost.
 *
 *   pgw-bench-server [--conns N] SOCKET_PATH FILE
 *
 * Serves N connections (default 1) one after another, then exits. Each:
 * reads the startup packet (answering 'N' to SSLRequest/GSSENCRequest),
 * sends FILE.startup (the real server's answer to a startup: AuthenticationOk
 * ... ReadyForQuery), then answers every Query with FILE (the real answer,
 * unchanged) until Terminate or end of stream. Other messages are ignored.
 * The socket file is created before the first accept; it is removed at exit.
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>

#include "bench_util.h"

static const char *g_path;

static void die(const char *what) {
  fprintf(stderr, "pgw-bench-server: %s\n", what);
  if (g_path) unlink(g_path);
  exit(1);
}

/* Read exactly n bytes; 0 on success, -1 at end of stream. */
static int read_full(int fd, uint8_t *p, size_t n) {
  while (n) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += (size_t)r;
    n -= (size_t)r;
  }
  return 0;
}

/* Skip n bytes of payload. */
static int skip(int fd, size_t n) {
  uint8_t tmp[4096];
  while (n) {
    size_t k = n < sizeof tmp ? n : sizeof tmp;
    if (read_full(fd, tmp, k)) return -1;
    n -= k;
  }
  return 0;
}

static void serve(int fd, const uint8_t *startup, size_t slen,
                  const uint8_t *answer, size_t alen) {
  uint8_t h[8];
  for (;;) { /* startup packet, possibly after an SSL/GSS request */
    if (read_full(fd, h, 8)) return;
    uint32_t len = bench_load32(h), code = bench_load32(h + 4);
    if (len < 8 || len > 10004) return;
    if (skip(fd, len - 8)) return;
    if (code == 80877103u || code == 80877104u) { /* SSL, GSSENC */
      if (bench_write_all(fd, (const uint8_t *)"N", 1)) return;
      continue;
    }
    if (code == 80877102u) return; /* CancelRequest */
    break;
  }
  if (bench_write_all(fd, startup, slen)) return;
  for (;;) {
    if (read_full(fd, h, 5)) return;
    uint32_t len = bench_load32(h + 1);
    if (len < 4 || skip(fd, len - 4)) return;
    if (h[0] == 'X') return;
    if (h[0] == 'Q' && bench_write_all(fd, answer, alen)) return;
  }
}

int main(int argc, char **argv) {
  long conns = 1;
  const char *path = NULL, *file = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--conns") && i + 1 < argc)
      conns = atol(argv[++i]);
    else if (argv[i][0] != '-' && path == NULL)
      path = argv[i];
    else if (argv[i][0] != '-' && file == NULL)
      file = argv[i];
    else
      path = NULL, file = NULL, i = argc;
  }
  if (path == NULL || file == NULL || conns < 1) {
    fprintf(stderr, "usage: pgw-bench-server [--conns N] SOCKET_PATH FILE\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  size_t alen, slen;
  uint8_t *answer = bench_load(file, &alen);
  char *spath = bench_path_plus(file, ".startup");
  uint8_t *startup = spath ? bench_load(spath, &slen) : NULL;
  if (answer == NULL || startup == NULL) exit(1);

  /* Bound under a temporary name and renamed once listening: a client
   * that waits for the socket file never finds it before it accepts. */
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  if (strlen(path) + 4 >= sizeof a.sun_path) die("socket path too long");
  snprintf(a.sun_path, sizeof a.sun_path, "%s.tmp", path);
  int ls = socket(AF_UNIX, SOCK_STREAM, 0);
  if (ls < 0) die("socket() failed");
  unlink(path);
  unlink(a.sun_path);
  if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0) die("bind() failed");
  if (listen(ls, 4) != 0) die("listen() failed");
  if (rename(a.sun_path, path) != 0) die("rename() failed");
  g_path = path;
  for (long c = 0; c < conns; c++) {
    int fd = accept(ls, NULL, NULL);
    if (fd < 0) {
      if (errno == EINTR) {
        c--;
        continue;
      }
      die("accept() failed");
    }
    serve(fd, startup, slen, answer, alen);
    close(fd);
  }
  close(ls);
  unlink(path);
  free(answer);
  free(startup);
  free(spath);
  return 0;
}
