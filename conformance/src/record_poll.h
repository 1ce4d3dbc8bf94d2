/*
 * record_poll.h - the readiness wait of `pgw record`'s loop: epoll(7) on
 * Linux, poll(2) elsewhere, behind one small interface. Each watched
 * socket has a tag (0 .. ntags-1); the loop says which events it wants per
 * tag before each wait, and only changes reach the kernel (epoll), so a
 * wait costs what is ready, not what is open.
 */
#ifndef PGW_CLI_RECORD_POLL_H
#define PGW_CLI_RECORD_POLL_H

#include <stddef.h>

typedef struct rec_poller {
  int epfd; /* epoll descriptor; -1 with the poll(2) fallback */
  int ntags;
  int *fd;        /* per tag: the watched socket, -1 none */
  short *want;    /* per tag: the events registered (POLLIN, POLLOUT) */
  short *revents; /* per tag: what the last wait reported */
  void *scratch;  /* struct epoll_event[] or struct pollfd[] */
} rec_poller;

/* 0, or -1 (out of memory, or epoll_create1 failed). */
int rec_poller_init(rec_poller *p, int ntags);
void rec_poller_free(rec_poller *p);

/* Watch fd under tag for events (POLLIN | POLLOUT, 0 for nothing: then
 * errors and hang-ups are not reported either). fd -1 forgets the tag;
 * call it before closing a watched socket or with its new fd. */
void rec_poller_set(rec_poller *p, int tag, int fd, short events);

/* Wait up to timeout_ms (-1: no limit); p->revents[tag] then holds what
 * happened (POLLIN, POLLOUT, POLLERR, POLLHUP). Returns the number of
 * tags with events, 0 on timeout or signal, -1 on error. */
int rec_poller_wait(rec_poller *p, int timeout_ms);

#endif
