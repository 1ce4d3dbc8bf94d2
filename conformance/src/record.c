/*
 * record.c - `pgw record`: accept clients, connect each to the upstream
 * server without blocking, forward bytes unchanged in both directions with
 * one poll(2) loop, and stream each connection to its own session file.
 *
 * Nothing in the loop blocks on a peer: upstream connects are polled with
 * a deadline, a side is read only when its previous bytes have reached
 * the other side, and session text is written through a small buffer that
 * is flushed when full and at most flush_ms after its oldest byte.
 */
#define _POSIX_C_SOURCE 200809L
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "addr.h"
#include "net.h"
#include "record_conn.h"
#include "record_poll.h"
#include "record_reject.h"
#include "record_tls.h"
#include "tls_ctx.h"

#define DEFAULT_MAX_CONNECTIONS 500
#define REJECT_SLOTS 32 /* clients being told there is no slot */
#define REJECT_MS 5000  /* to send their startup packet */
#define FDS_PER_CONN 3  /* client, server, session file */
#define FDS_RESERVED 16 /* listener, stdio, slack */
#define ACCEPTS_PER_ROUND 64

typedef struct recorder {
  const cli_record_opts *o;
  cli_addr up;
  char up_text[160];
  int lfd;
  cli_addr la;
  const char *unix_path; /* listening socket file to remove at exit */
  rec_conn *conns;
  int nslots, max, active, rejecting;
  int hi; /* slots at and above hi are free: the loop looks below it */
  int accepted, next_number, status;
  long flush_ms, connect_ms;
  rec_poller poll; /* tag 0: the listener; 1 + 2 * slot + side */
  rec_tls_cfg tls; /* --tls-cert: tls.server set */
  char tls_host[128];
} recorder;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void set_nodelay(int fd, int family) {
  int one = 1;
  if (family == AF_INET || family == AF_INET6)
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int family_of(const cli_addr *a) {
  return ((const struct sockaddr *)&a->sa)->sa_family;
}

/* --max-connections within the file limit (raised to its hard value). */
static int connection_limit(int wanted) {
  struct rlimit rl;
  long fit;
  int max = wanted > 0 ? wanted : DEFAULT_MAX_CONNECTIONS;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return max;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  fit = rl.rlim_cur == RLIM_INFINITY ? 1000000L : (long)rl.rlim_cur;
  fit = (fit - FDS_RESERVED - REJECT_SLOTS) / FDS_PER_CONN;
  if (fit < 1) fit = 1;
  if (max > fit) {
    fprintf(stderr,
            "pgw record: %s%d connections do not fit the file limit; "
            "serving at most %ld\n",
            wanted > 0 ? "" : "the default of ", max, fit);
    max = (int)fit;
  }
  return max;
}

/* A stale socket file left by a recorder that was killed is replaced. */
static int bind_unix(int fd, const cli_addr *a) {
  const struct sockaddr_un *un = (const struct sockaddr_un *)&a->sa;
  int probe;
  if (bind(fd, (const struct sockaddr *)&a->sa, a->len) == 0) return 0;
  if (errno != EADDRINUSE) return -1;
  probe = socket(AF_UNIX, SOCK_STREAM, 0);
  if (probe < 0) return -1;
  if (connect(probe, (const struct sockaddr *)&a->sa, a->len) == 0 ||
      errno != ECONNREFUSED) {
    close(probe);
    errno = EADDRINUSE;
    return -1;
  }
  close(probe);
  unlink(un->sun_path);
  return bind(fd, (const struct sockaddr *)&a->sa, a->len);
}

static int open_listener(recorder *r, const cli_addr *la) {
  int one = 1, fam = family_of(la);
  int fd = socket(fam, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (fam != AF_UNIX)
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fam == AF_INET6)
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if ((fam == AF_UNIX ? bind_unix(fd, la)
                      : bind(fd, (const struct sockaddr *)&la->sa, la->len)) ||
      listen(fd, SOMAXCONN) || cli_net_set_nonblock(fd)) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  if (fam == AF_UNIX)
    r->unix_path = ((const struct sockaddr_un *)&la->sa)->sun_path;
  r->lfd = fd;
  return 0;
}

static void say_listening(const recorder *r, int remote) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  char text[160];
  if (getsockname(r->lfd, (struct sockaddr *)&ss, &len) != 0)
    snprintf(text, sizeof text, "%s", r->o->listen);
  else
    cli_format_sockaddr((struct sockaddr *)&ss, len, text, sizeof text);
  if (remote)
    fprintf(stderr,
            "pgw record: warning: %s can be reached from other hosts, and "
            "session files hold what clients send (passwords too)\n",
            text);
  fprintf(stderr,
          "pgw record: listening on %s, upstream %s, at most %d "
          "connections\n",
          text, r->up_text, r->max);
}

static rec_conn *free_slot(recorder *r) {
  for (int i = 0; i < r->nslots; i++)
    if (r->conns[i].state == REC_FREE) {
      if (i >= r->hi) r->hi = i + 1;
      return &r->conns[i];
    }
  return NULL;
}

/* Start the upstream connect for an accepted client: 0, or -1 (the client
 * is closed). */
static int start_upstream(recorder *r, rec_conn *c, int cfd, long now) {
  int fam = family_of(&r->up), connecting = 0;
  int ufd = socket(fam, SOCK_STREAM, 0);
  if (ufd < 0 || cli_net_set_nonblock(ufd) != 0) goto fail;
  set_nodelay(ufd, fam);
  if (connect(ufd, (const struct sockaddr *)&r->up.sa, r->up.len) != 0) {
    if (errno != EINPROGRESS) goto fail;
    connecting = 1;
  }
  if (rec_conn_start(c, cfd, ufd, connecting, r->accepted,
                     now + r->connect_ms) != 0) {
    fprintf(stderr, "pgw record: connection %d: out of memory\n", r->accepted);
    rec_conn_end(c);
    return -1;
  }
  r->active++;
  if (r->tls.server) c->tls_cfg = &r->tls;
  if (!connecting && rec_conn_open_file(c, r->o->output, &r->next_number,
                                        r->o->note, now) != 0) {
    r->active--;
    rec_conn_end(c);
    return -1;
  }
  return 0;
fail:
  fprintf(stderr, "pgw record: connection %d: upstream %s: %s\n", r->accepted,
          r->up_text, strerror(errno));
  if (ufd >= 0) close(ufd);
  close(cfd);
  return -1;
}

static void reject(recorder *r, int cfd, long now) {
  rec_conn *c = r->rejecting < REJECT_SLOTS ? free_slot(r) : NULL;
  fprintf(stderr,
          "pgw record: connection %d: too many connections (%d open); "
          "answered with SQLSTATE 53300\n",
          r->accepted, r->active);
  if (!c || rec_conn_start(c, cfd, -1, 0, r->accepted, now + REJECT_MS)) {
    if (c) rec_conn_end(c);
    close(cfd);
    return;
  }
  c->state = REC_REJECTING;
  r->rejecting++;
}

static void accept_clients(recorder *r, long now) {
  for (int k = 0; k < ACCEPTS_PER_ROUND; k++) {
    int cfd = accept(r->lfd, NULL, NULL);
    if (cfd < 0) return; /* EAGAIN, or an aborted connection */
    fcntl(cfd, F_SETFD, FD_CLOEXEC);
    set_nodelay(cfd, family_of(&r->la));
    r->accepted++;
    if (r->active >= r->max)
      reject(r, cfd, now);
    else if (start_upstream(r, free_slot(r), cfd, now) != 0)
      r->status = 1;
    if (r->o->once) return;
  }
}

static void end_conn(recorder *r, rec_conn *c) {
  int tag = 1 + 2 * (int)(c - r->conns);
  rec_poller_set(&r->poll, tag, -1, 0);
  rec_poller_set(&r->poll, tag + 1, -1, 0);
  if (c->state == REC_REJECTING)
    r->rejecting--;
  else
    r->active--;
  if (rec_conn_end(c) != 0) r->status = 1;
  while (r->hi > 0 && r->conns[r->hi - 1].state == REC_FREE)
    r->hi--;
}

/* One slot after the wait: rf, rb are what its client and server sockets
 * reported. */
static void serve(recorder *r, rec_conn *c, short rf, short rb, long now) {
  if (c->state == REC_REJECTING) {
    if (rec_reject_pump(c, rf, r->max) != 0 || now >= c->deadline_ms)
      end_conn(r, c);
    return;
  }
  if (c->state == REC_CONNECTING) {
    if (rb & (POLLOUT | POLLERR | POLLHUP)) {
      if (rec_conn_connected(c, r->up_text) != 0 ||
          rec_conn_open_file(c, r->o->output, &r->next_number, r->o->note,
                             now) != 0) {
        r->status = 1;
        end_conn(r, c);
      }
    } else if (now >= c->deadline_ms) {
      fprintf(stderr,
              "pgw record: connection %d: upstream %s: no answer within "
              "%ld ms\n",
              c->number, r->up_text, r->connect_ms);
      r->status = 1;
      end_conn(r, c);
    }
    return;
  }
  if (rec_conn_pump(c, PGW_FRONTEND, rf, rb, now) != 0 ||
      rec_conn_pump(c, PGW_BACKEND, rb, rf, now) != 0 ||
      (c->s[0].shut && c->s[1].shut) || ((rf | rb) & POLLNVAL)) {
    end_conn(r, c);
    return;
  }
  if (rec_file_due(&c->file, now, r->flush_ms) == 0) rec_file_flush(&c->file);
}

/* Register the events slot c waits for; lower *timeout to its deadline. */
static void watch(recorder *r, const rec_conn *c, long now, int *timeout) {
  int tag = 1 + 2 * (int)(c - r->conns), d;
  short ev[2] = {0, 0};
  long due;
  if (c->state == REC_REJECTING) {
    ev[0] = POLLIN;
    due = c->deadline_ms - now;
  } else if (c->state == REC_CONNECTING) {
    ev[1] = POLLOUT;
    due = c->deadline_ms - now;
  } else {
    int ready = 0;
    rec_tls_events(c, ev, &ready);
    due = ready ? 0 : rec_file_due(&c->file, now, r->flush_ms);
  }
  for (d = 0; d < 2; d++)
    rec_poller_set(&r->poll, tag + d, c->s[d].fd, ev[d]);
  if (due >= 0 && (*timeout < 0 || due < *timeout))
    *timeout = due > 0 ? (int)due : 0;
}

static void run(recorder *r) {
  while (!stop_requested) {
    int listening = !(r->o->once && r->accepted > 0), timeout = -1, i, rc;
    long now = cli_net_now_ms();
    if (!listening && r->active + r->rejecting == 0) break;
    rec_poller_set(&r->poll, 0, listening ? r->lfd : -1, POLLIN);
    for (i = 0; i < r->hi; i++)
      if (r->conns[i].state != REC_FREE) watch(r, &r->conns[i], now, &timeout);
    rc = rec_poller_wait(&r->poll, timeout);
    if (rc < 0) {
      perror("pgw record: wait");
      r->status = 1;
      return;
    }
    now = cli_net_now_ms();
    for (i = 0; i < r->hi; i++) /* before accepting: new ones wait */
      if (r->conns[i].state != REC_FREE)
        serve(r, &r->conns[i], r->poll.revents[1 + 2 * i],
              r->poll.revents[2 + 2 * i], now);
    if (listening && (r->poll.revents[0] & POLLIN)) accept_clients(r, now);
  }
}

/* --tls-cert: the contexts, and the upstream host name to verify. */
static int setup_tls(recorder *r, const cli_record_opts *o) {
  char err[400];
  const char *h = o->upstream, *end = strrchr(h, ':');
  if (!o->tls_cert) return 0;
  if (family_of(&r->up) == AF_UNIX) {
    fprintf(stderr, "pgw record: --tls-cert needs a TCP --upstream "
                    "(PostgreSQL has no TLS on unix sockets)\n");
    return 2;
  }
  if (h[0] == '[') h++, end = strchr(h, ']');
  if (end && (size_t)(end - h) < sizeof r->tls_host) {
    memcpy(r->tls_host, h, (size_t)(end - h));
    r->tls_host[end - h] = '\0';
    r->tls.host = r->tls_host;
  }
  r->tls.server = cli_tls_ctx_server(o->tls_cert, o->tls_key, err, sizeof err);
  if (r->tls.server)
    r->tls.client = cli_tls_ctx_client(o->upstream_ca, err, sizeof err);
  if (!r->tls.server || !r->tls.client) {
    fprintf(stderr, "pgw record: %s\n", err);
    return 1;
  }
  return 0;
}

static int setup(recorder *r, const cli_record_opts *o) {
  const char *listen_text = o->listen ? o->listen : "127.0.0.1:0";
  char buf[32];
  int remote;
  if (strspn(listen_text, "0123456789") == strlen(listen_text) &&
      strlen(listen_text) < 6) {
    snprintf(buf, sizeof buf, "127.0.0.1:%s", listen_text);
    listen_text = buf;
  }
  if (cli_parse_sockaddr(listen_text, &r->la) != 0) {
    fprintf(stderr,
            "pgw record: bad --listen address '%s' (HOST:PORT, "
            "[IPv6]:PORT or unix:/dir/.s.PGSQL.PORT)\n",
            listen_text);
    return 2;
  }
  if (cli_parse_sockaddr(o->upstream, &r->up) != 0) {
    fprintf(stderr,
            "pgw record: bad --upstream address '%s' (HOST:PORT, "
            "[IPv6]:PORT or unix:/dir/.s.PGSQL.PORT)\n",
            o->upstream);
    return 2;
  }
  if ((remote = setup_tls(r, o)) != 0) return remote;
  remote = !cli_addr_is_local(&r->la);
  if (remote && !o->allow_remote) {
    fprintf(stderr,
            "pgw record: --listen %s can be reached from other hosts; "
            "session files hold passwords: add --allow-remote to bind it\n",
            listen_text);
    return 2;
  }
  cli_format_sockaddr((struct sockaddr *)&r->up.sa, r->up.len, r->up_text,
                      sizeof r->up_text);
  r->max = connection_limit(o->max_connections);
  r->nslots = r->max + REJECT_SLOTS;
  r->conns = calloc((size_t)r->nslots, sizeof *r->conns);
  if (!r->conns || rec_poller_init(&r->poll, 1 + 2 * r->nslots) != 0) {
    perror("pgw record: setup");
    return 1;
  }
  if (open_listener(r, &r->la) != 0) {
    fprintf(stderr, "pgw record: listen on %s: %s\n", listen_text,
            strerror(errno));
    return 1;
  }
  say_listening(r, remote);
  return 0;
}

int cli_record(const cli_record_opts *o) {
  recorder r;
  struct sigaction sa;
  int rc, i;
  memset(&r, 0, sizeof r);
  r.o = o;
  r.lfd = -1;
  r.poll.epfd = -1;
  r.next_number = 1;
  r.flush_ms = o->flush_ms >= 0 ? o->flush_ms : 100;
  r.connect_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  rc = setup(&r, o);
  if (rc == 0) {
    run(&r);
    rc = r.status;
  }
  for (i = 0; r.conns && i < r.nslots; i++)
    if (r.conns[i].state != REC_FREE) end_conn(&r, &r.conns[i]);
  if (r.status) rc = rc ? rc : 1;
  if (r.lfd >= 0) close(r.lfd);
  if (r.unix_path) unlink(r.unix_path);
  free(r.conns);
  rec_poller_free(&r.poll);
  cli_tls_ctx_free((cli_tls_ctx *)r.tls.server);
  cli_tls_ctx_free((cli_tls_ctx *)r.tls.client);
  return rc;
}
