/* record_poll.c - epoll(7) where there is one, poll(2) otherwise. */
#define _POSIX_C_SOURCE 200809L
#include "record_poll.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/epoll.h>
#include <unistd.h>
#endif

int rec_poller_init(rec_poller *p, int ntags) {
  size_t n = (size_t)ntags;
  memset(p, 0, sizeof *p);
  p->epfd = -1;
  p->ntags = ntags;
  p->fd = malloc(n * sizeof *p->fd);
  p->want = calloc(n, sizeof *p->want);
  p->revents = calloc(n, sizeof *p->revents);
#ifdef __linux__
  p->scratch = calloc(n, sizeof(struct epoll_event));
  p->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (p->epfd < 0) return -1;
#else
  p->scratch = calloc(n, sizeof(struct pollfd));
#endif
  if (!p->fd || !p->want || !p->revents || !p->scratch) return -1;
  for (int i = 0; i < ntags; i++)
    p->fd[i] = -1;
  return 0;
}

void rec_poller_free(rec_poller *p) {
#ifdef __linux__
  if (p->epfd >= 0) close(p->epfd);
#endif
  free(p->fd);
  free(p->want);
  free(p->revents);
  free(p->scratch);
  memset(p, 0, sizeof *p);
  p->epfd = -1;
}

#ifdef __linux__
static void epoll_change(rec_poller *p, int tag, int fd, short events) {
  struct epoll_event ev;
  int had = p->fd[tag] >= 0 && p->want[tag] != 0;
  memset(&ev, 0, sizeof ev);
  ev.data.u32 = (uint32_t)tag;
  ev.events =
      (events & POLLIN ? EPOLLIN : 0u) | (events & POLLOUT ? EPOLLOUT : 0u);
  if (had && (fd != p->fd[tag] || events == 0))
    epoll_ctl(p->epfd, EPOLL_CTL_DEL, p->fd[tag], NULL);
  if (fd >= 0 && events != 0)
    epoll_ctl(p->epfd, had && fd == p->fd[tag] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
              fd, &ev);
}
#endif

void rec_poller_set(rec_poller *p, int tag, int fd, short events) {
  if (fd < 0) events = 0;
  if (p->fd[tag] == fd && p->want[tag] == events) return;
#ifdef __linux__
  epoll_change(p, tag, fd, events);
#endif
  p->fd[tag] = fd;
  p->want[tag] = events;
}

#ifdef __linux__
int rec_poller_wait(rec_poller *p, int timeout_ms) {
  struct epoll_event *ev = p->scratch;
  int n;
  memset(p->revents, 0, (size_t)p->ntags * sizeof *p->revents);
  n = epoll_wait(p->epfd, ev, p->ntags, timeout_ms);
  if (n < 0) return errno == EINTR ? 0 : -1;
  for (int i = 0; i < n; i++) {
    uint32_t e = ev[i].events;
    p->revents[ev[i].data.u32] =
        (short)((e & EPOLLIN ? POLLIN : 0) | (e & EPOLLOUT ? POLLOUT : 0) |
                (e & EPOLLERR ? POLLERR : 0) | (e & EPOLLHUP ? POLLHUP : 0));
  }
  return n;
}
#else
int rec_poller_wait(rec_poller *p, int timeout_ms) {
  struct pollfd *pfd = p->scratch;
  nfds_t n = 0;
  int rc, t;
  memset(p->revents, 0, (size_t)p->ntags * sizeof *p->revents);
  for (t = 0; t < p->ntags; t++)
    if (p->fd[t] >= 0 && p->want[t] != 0) {
      pfd[n].fd = p->fd[t];
      pfd[n].events = p->want[t];
      pfd[n++].revents = 0;
    }
  rc = poll(pfd, n, timeout_ms);
  if (rc < 0) return errno == EINTR ? 0 : -1;
  n = 0;
  for (t = 0; t < p->ntags; t++)
    if (p->fd[t] >= 0 && p->want[t] != 0) p->revents[t] = pfd[n++].revents;
  return rc;
}
#endif
