/*
 * proxy.c - a validating proxy on pgw_observer: it forwards every byte
 * unchanged between a client and a server, watches both directions with
 * the observer (lenient mode: nothing is refused, everything is counted)
 * and logs each protocol violation with its direction, stream offset,
 * reason and rule. One connection at a time; runs until killed (or, with
 * --once, until the first connection ends).
 *
 *   pgw-example-proxy [--once] LISTEN_PORT SERVER_HOST SERVER_PORT
 *
 * Lines on stderr: "proxy: F Query" per message with -v, "proxy:
 * violation ..." per violation, "proxy: connection closed, N messages, M
 * violations" at the end of each connection. An encrypted session (the
 * server accepted SSLRequest) is forwarded without being watched.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "example.h"

static int verbose;

typedef struct proxy {
  int fd[2]; /* indexed by pgw_dir: the client's, the server's socket */
  pgw_observer obs;
  size_t messages, warned;
  int watching; /* 0 once the bytes are encrypted or the observer failed */
} proxy;

static void log_violation(const char *dir, const pgw_error *e) {
  fprintf(stderr, "proxy: violation %s at byte %zu: %s [%s]\n", dir, e->offset,
          e->reason ? e->reason : "?", e->rule ? e->rule->id : "no rule");
}

/* Run dir's new bytes through the observer; log what it finds. */
static void watch(proxy *p, pgw_dir dir, const uint8_t *b, size_t n) {
  const char *name = dir == PGW_FRONTEND ? "F" : "B";
  pgw_message m;
  int rc;
  if (!p->watching) return;
  pgw_observer_feed(&p->obs, dir, b, n);
  while ((rc = pgw_observer_next(&p->obs, dir, &m)) == PGW_OK) {
    p->messages++;
    if (verbose) fprintf(stderr, "proxy: %s %s\n", name, pgw_message_name(&m));
    if (pgw_observer_warnings(&p->obs) != p->warned) {
      p->warned = pgw_observer_warnings(&p->obs);
      log_violation(name, pgw_observer_warning(&p->obs));
    }
  }
  if (rc == PGW_NEED_MORE &&
      pgw_observer_phase(&p->obs) != PGW_PHASE_TLS_HANDSHAKE)
    return;
  if (rc < 0) {
    pgw_dir edir;
    const pgw_error *e = pgw_observer_error(&p->obs, &edir);
    log_violation(edir == PGW_FRONTEND ? "F" : "B", e);
    p->warned++;
  } else {
    fprintf(stderr, "proxy: encrypted from here, not watched\n");
  }
  p->watching = 0;
}

/* Copy one chunk from dir's socket to the other: 0, or -1 at the end. */
static int pump(proxy *p, pgw_dir dir) {
  uint8_t chunk[65536];
  ssize_t n = read(p->fd[dir], chunk, sizeof chunk);
  if (n <= 0) return -1;
  watch(p, dir, chunk, (size_t)n);
  return ex_write_all(p->fd[!dir], chunk, (size_t)n);
}

static void serve(int client, const char *host, const char *port) {
  proxy p;
  memset(&p, 0, sizeof p);
  p.fd[PGW_FRONTEND] = client;
  p.fd[PGW_BACKEND] = ex_connect(host, port);
  if (p.fd[PGW_BACKEND] < 0) return;
  pgw_observer_options o;
  memset(&o, 0, sizeof o);
  o.mode = PGW_MODE_LENIENT;
  pgw_observer_init(&p.obs, &o);
  p.watching = 1;
  for (;;) {
    struct pollfd f[2] = {{p.fd[0], POLLIN, 0}, {p.fd[1], POLLIN, 0}};
    if (poll(f, 2, -1) < 0) break;
    if (f[0].revents && pump(&p, PGW_FRONTEND) < 0) break;
    if (f[1].revents && pump(&p, PGW_BACKEND) < 0) break;
  }
  fprintf(stderr, "proxy: connection closed, %zu messages, %zu violations\n",
          p.messages, p.warned);
  pgw_observer_free(&p.obs);
  close(p.fd[PGW_BACKEND]);
}

int main(int argc, char **argv) {
  int once = 0, i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "--once"))
      once = 1;
    else if (!strcmp(argv[i], "-v"))
      verbose = 1;
  }
  if (argc - i != 3) {
    fprintf(stderr, "usage: %s [--once] [-v] LISTEN_PORT HOST PORT\n", argv[0]);
    return 2;
  }
  int lfd = ex_listen(argv[i]);
  if (lfd < 0) return 2;
  do {
    int c = accept(lfd, NULL, NULL);
    if (c < 0) break;
    serve(c, argv[i + 1], argv[i + 2]);
    shutdown(c, SHUT_RDWR);
    close(c);
  } while (!once);
  close(lfd);
  return 0;
}
