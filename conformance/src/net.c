/* net.c - TCP connect with a deadline, full writes, readable waits. */
#define _POSIX_C_SOURCE 200809L
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"

long cli_net_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int poll_one(int fd, short events, int timeout_ms) {
  struct pollfd p;
  int rc;
  p.fd = fd;
  p.events = events;
  p.revents = 0;
  do
    rc = poll(&p, 1, timeout_ms);
  while (rc < 0 && errno == EINTR);
  return rc;
}

/* Finish a non-blocking connect: 0, or -1 with errno. */
static int connect_wait(int fd, int timeout_ms) {
  int soerr = 0;
  socklen_t len = sizeof soerr;
  int rc = poll_one(fd, POLLOUT, timeout_ms);
  if (rc == 0) errno = ETIMEDOUT;
  if (rc <= 0) return -1;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0) return -1;
  errno = soerr;
  return soerr ? -1 : 0;
}

/* A TCP socket for addr (parsed into sa; `form` names the expected
 * form in the error), or -1 with the reason in err. */
static int tcp_socket(const char *addr, const char *form,
                      struct sockaddr_in *sa, char *err, size_t n) {
  int fd;
  if (cli_parse_addr(addr, sa) != 0) {
    snprintf(err, n, "bad address '%s' (IPv4 %s)", addr, form);
    return -1;
  }
  fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) snprintf(err, n, "socket: %s", strerror(errno));
  return fd;
}

int cli_net_connect(const char *addr, int timeout_ms, char *err, size_t n) {
  struct sockaddr_in sa;
  int fd, flags;
  if ((fd = tcp_socket(addr, "HOST:PORT", &sa, err, n)) < 0) return -1;
  flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 &&
      (errno != EINPROGRESS || connect_wait(fd, timeout_ms) != 0)) {
    snprintf(err, n, "connect to %s: %s", addr, strerror(errno));
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, flags);
  return fd;
}

int cli_net_listen(const char *addr, char *shown, size_t shown_n, char *err,
                   size_t n) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  char ip[INET_ADDRSTRLEN];
  int fd, one = 1;
  if ((fd = tcp_socket(addr, "ADDR:PORT", &sa, err, n)) < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0 ||
      getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
    snprintf(err, n, "listen on %s: %s", addr, strerror(errno));
    close(fd);
    return -1;
  }
  inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
  snprintf(shown, shown_n, "%s:%u", ip, (unsigned)ntohs(sa.sin_port));
  return fd;
}

int cli_net_accept(int listen_fd, int timeout_ms) {
  if (poll_one(listen_fd, POLLIN, timeout_ms) <= 0) return -1;
  return accept(listen_fd, NULL, NULL);
}

int cli_net_write(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int cli_net_wait(int fd, int timeout_ms) {
  return poll_one(fd, POLLIN, timeout_ms);
}

int cli_write_all(int fd, const void *p, size_t n) {
  const uint8_t *b = p;
  while (n > 0) {
    ssize_t w = write(fd, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    b += w;
    n -= (size_t)w;
  }
  return 0;
}

int cli_net_set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}
