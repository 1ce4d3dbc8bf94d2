/*
 * record.c - `pgw record`: accept clients on a loopback address, connect
 * each to the upstream server, forward bytes unchanged in both directions
 * with poll(2), and write each connection as a session file.
 *
 * Connections are served concurrently (a cancel request arrives on a
 * second connection while the first waits); the n-th accepted connection
 * is written to FILE.pgs for n = 1 and FILE-n.pgs after that, when it
 * closes. Chunks are kept exactly as read(2) returned them.
 *
 * The proxy watches the conversation with a lenient pgw_observer
 * only to learn metadata (server version, client application) and to see
 * a switch to TLS; decoding problems never affect forwarding.
 */
#define _POSIX_C_SOURCE 200809L
#include "addr.h"
#include "record.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "session.h"

#define MAX_CONNS 32
#define BUF_SIZE 65536

typedef struct chunk {
  pgw_dir dir;
  uint8_t *data;
  size_t len;
} chunk;

typedef struct side {
  int fd;           /* the socket this side's bytes are read from */
  int eof;          /* read returned 0 */
  int shut;         /* the peer's write side was shut down after eof */
  uint8_t *pending; /* bytes read from fd, not yet written to the peer */
  size_t pending_len, pending_pos;
} side;

typedef struct conn {
  int used;
  int number;
  side s[2]; /* s[PGW_FRONTEND]: client socket; s[PGW_BACKEND]: server */
  chunk *chunks;
  size_t nchunks, cap;
  pgw_observer watch; /* both directions, lenient, kept in step */
  int direct_ssl;     /* the client opened with TLS */
  int sniffing;       /* decoders still in step */
  int recording;      /* 0 after a switch to TLS */
  const char *tls_note;
  char *server; /* "PostgreSQL 15.x" */
  char *client; /* application_name */
} conn;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static char *strndup_(const uint8_t *p, size_t n) {
  char *c = malloc(n + 1);
  if (!c) return NULL;
  memcpy(c, p, n);
  c[n] = '\0';
  return c;
}

static void sniff_message(conn *c, pgw_dir dir, const pgw_message *m) {
  if (m->malformed) return;
  if (dir == PGW_FRONTEND && m->kind == PGW_MSG_STARTUP_MESSAGE && !c->client) {
    pgw_iter it = pgw_param_iter(&m->body.startup.params);
    pgw_param p;
    while (pgw_param_next(&it, &p) == 1)
      if (p.name.len == 16 && memcmp(p.name.ptr, "application_name", 16) == 0 &&
          p.value.len > 0)
        c->client = strndup_((const uint8_t *)p.value.ptr, p.value.len);
  }
  if (dir == PGW_BACKEND && m->kind == PGW_MSG_PARAMETER_STATUS && !c->server) {
    const pgw_parameter_status *ps = &m->body.parameter_status;
    if (ps->name.len == 14 && memcmp(ps->name.ptr, "server_version", 14) == 0) {
      c->server = malloc(ps->value.len + 12);
      if (c->server) {
        memcpy(c->server, "PostgreSQL ", 11);
        memcpy(c->server + 11, ps->value.ptr, ps->value.len);
        c->server[11 + ps->value.len] = '\0';
      }
    }
  }
}

/* Feed one chunk to the observer watching the connection. */
static void sniff(conn *c, pgw_dir dir, const uint8_t *data, size_t len) {
  pgw_message m;
  int rc;
  if (!c->sniffing) return;
  if (pgw_observer_feed(&c->watch, dir, data, len) != 0) {
    c->sniffing = 0;
    return;
  }
  while ((rc = pgw_observer_next(&c->watch, dir, &m)) == PGW_OK) {
    sniff_message(c, dir, &m);
    if (pgw_observer_phase(&c->watch) == PGW_PHASE_TLS_HANDSHAKE) {
      c->recording = 0;
      c->tls_note = "the connection switched to TLS here; the encrypted "
                    "bytes that followed are not recorded";
      c->sniffing = 0;
      return;
    }
  }
  if (rc == PGW_DIRECT_SSL) {
    c->direct_ssl = 1;
    c->recording = 0;
    c->tls_note = "the client opened with TLS (direct SSL); the encrypted "
                  "bytes are not recorded";
    c->sniffing = 0;
  } else if (rc < 0) {
    c->sniffing = 0; /* keep forwarding and recording regardless */
  }
}

static int record_chunk(conn *c, pgw_dir dir, const uint8_t *data, size_t len) {
  chunk *ch;
  int was_recording = c->recording;
  /* Direct SSL is seen on the first bytes: check before keeping them. */
  sniff(c, dir, data, len);
  if (!was_recording || c->direct_ssl) return 0;
  if (c->nchunks == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 64;
    chunk *n = realloc(c->chunks, cap * sizeof *n);
    if (!n) return -1;
    c->chunks = n;
    c->cap = cap;
  }
  ch = &c->chunks[c->nchunks];
  ch->data = malloc(len);
  if (!ch->data) return -1;
  memcpy(ch->data, data, len);
  ch->len = len;
  ch->dir = dir;
  c->nchunks++;
  return 0;
}

static char *output_name(const char *base, int number) {
  size_t n = strlen(base);
  char *name = malloc(n + 24);
  const char *dot = strrchr(base, '.');
  const char *slash = strrchr(base, '/');
  if (!name) return NULL;
  if (number == 1) {
    memcpy(name, base, n + 1);
  } else if (dot && (!slash || dot > slash) && strcmp(dot, ".pgs") == 0) {
    sprintf(name, "%.*s-%d%s", (int)(dot - base), base, number, dot);
  } else {
    sprintf(name, "%s-%d", base, number);
  }
  return name;
}

static int write_session(const conn *c, const cli_record_opts *o) {
  char *name = output_name(o->output, c->number);
  FILE *f;
  size_t i;
  int rc = 0;
  if (!name) return -1;
  f = fopen(name, "w");
  if (!f) {
    fprintf(stderr, "pgw record: %s: %s\n", name, strerror(errno));
    free(name);
    return -1;
  }
  rc |= pgs_write_header(f);
  if (c->server) rc |= pgs_write_meta(f, "server", c->server);
  if (c->client) rc |= pgs_write_meta(f, "client", c->client);
  if (o->note) rc |= pgs_write_meta(f, "note", o->note);
  for (i = 0; i < c->nchunks; i++)
    rc |= pgs_write_chunk(f, c->chunks[i].dir, c->chunks[i].data,
                          c->chunks[i].len);
  if (c->tls_note) rc |= pgs_write_comment(f, c->tls_note);
  if (fclose(f) != 0) rc = -1;
  if (rc)
    fprintf(stderr, "pgw record: %s: write error\n", name);
  else
    fprintf(stderr, "pgw record: wrote %s (%zu chunks)\n", name, c->nchunks);
  free(name);
  return rc;
}

static void close_conn(conn *c, const cli_record_opts *o, int *status) {
  size_t i;
  if (write_session(c, o) != 0) *status = 1;
  for (i = 0; i < 2; i++) {
    if (c->s[i].fd >= 0) close(c->s[i].fd);
    free(c->s[i].pending);
  }
  for (i = 0; i < c->nchunks; i++)
    free(c->chunks[i].data);
  free(c->chunks);
  free(c->server);
  free(c->client);
  pgw_observer_free(&c->watch);
  memset(c, 0, sizeof *c);
}

static int set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int open_conn(conn *c, int client, const struct sockaddr_in *up,
                     int number) {
  int server = socket(AF_INET, SOCK_STREAM, 0);
  if (server < 0) return -1;
  if (connect(server, (const struct sockaddr *)up, sizeof *up) != 0) {
    fprintf(stderr, "pgw record: upstream: %s\n", strerror(errno));
    close(server);
    return -1;
  }
  memset(c, 0, sizeof *c);
  c->used = 1;
  c->number = number;
  c->s[PGW_FRONTEND].fd = client;
  c->s[PGW_BACKEND].fd = server;
  c->s[0].pending = malloc(BUF_SIZE);
  c->s[1].pending = malloc(BUF_SIZE);
  c->sniffing = 1;
  c->recording = 1;
  {
    pgw_observer_options wo;
    memset(&wo, 0, sizeof wo);
    wo.mode = PGW_MODE_LENIENT;
    if (pgw_observer_init(&c->watch, &wo) != 0) return -1;
  }
  if (!c->s[0].pending || !c->s[1].pending || set_nonblock(client) ||
      set_nonblock(server))
    return -1;
  return 0;
}

/* Move bytes for one direction; returns -1 when the connection is over. */
static int pump(conn *c, pgw_dir dir, short revents_from) {
  side *from = &c->s[dir];
  int to_fd = c->s[!dir].fd;
  if (from->pending_pos == from->pending_len && !from->eof &&
      (revents_from & (POLLIN | POLLHUP | POLLERR))) {
    ssize_t n = read(from->fd, from->pending, BUF_SIZE);
    if (n > 0) {
      from->pending_len = (size_t)n;
      from->pending_pos = 0;
      if (record_chunk(c, dir, from->pending, (size_t)n) != 0) return -1;
    } else if (n == 0) {
      from->eof = 1;
    } else if (errno != EAGAIN && errno != EINTR) {
      return -1;
    }
  }
  if (from->pending_pos < from->pending_len) {
    ssize_t n = write(to_fd, from->pending + from->pending_pos,
                      from->pending_len - from->pending_pos);
    if (n > 0)
      from->pending_pos += (size_t)n;
    else if (n < 0 && errno != EAGAIN && errno != EINTR)
      return -1;
  }
  if (from->eof && !from->shut && from->pending_pos == from->pending_len) {
    shutdown(to_fd, SHUT_WR);
    from->shut = 1;
  }
  return 0;
}

int cli_record(const cli_record_opts *o) {
  struct sockaddr_in la, ua;
  int lfd, one = 1, status = 0, accepted = 0, open_count = 0;
  conn *conns;
  struct sigaction sa;

  if (cli_parse_addr(o->listen, &la) != 0) {
    fprintf(stderr, "pgw record: bad --listen address '%s' (IPv4 ADDR:PORT)\n",
            o->listen);
    return 2;
  }
  if (cli_parse_addr(o->upstream, &ua) != 0) {
    fprintf(stderr,
            "pgw record: bad --upstream address '%s' (IPv4 ADDR:PORT)\n",
            o->upstream);
    return 2;
  }
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  lfd = socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
      bind(lfd, (struct sockaddr *)&la, sizeof la) || listen(lfd, 16) ||
      set_nonblock(lfd)) {
    fprintf(stderr, "pgw record: listen on %s: %s\n", o->listen,
            strerror(errno));
    if (lfd >= 0) close(lfd);
    return 1;
  }
  conns = calloc(MAX_CONNS, sizeof *conns);
  if (!conns) return 1;
  fprintf(stderr, "pgw record: listening on %s, upstream %s\n", o->listen,
          o->upstream);

  while (!stop_requested) {
    struct pollfd pfd[1 + 2 * MAX_CONNS];
    int idx[MAX_CONNS];
    nfds_t n = 0;
    int i, listening = !(o->once && accepted > 0);
    if (!listening && open_count == 0) break;
    if (listening) {
      pfd[n].fd = lfd;
      pfd[n].events = POLLIN;
      n++;
    }
    for (i = 0; i < MAX_CONNS; i++) {
      conn *c = &conns[i];
      int d;
      idx[i] = -1;
      if (!c->used) continue;
      idx[i] = (int)n;
      for (d = 0; d < 2; d++) {
        side *me = &c->s[d], *peer = &c->s[!d];
        pfd[n].fd = me->fd;
        pfd[n].events = 0;
        if (!me->eof && me->pending_pos == me->pending_len)
          pfd[n].events |= POLLIN;
        if (peer->pending_pos < peer->pending_len) pfd[n].events |= POLLOUT;
        if (pfd[n].events == 0) pfd[n].fd = -1; /* nothing to wait for */
        n++;
      }
    }
    if (poll(pfd, n, -1) < 0) {
      if (errno == EINTR) continue;
      perror("pgw record: poll");
      status = 1;
      break;
    }
    if (listening && (pfd[0].revents & POLLIN)) {
      int cfd = accept(lfd, NULL, NULL);
      if (cfd >= 0) {
        int slot = -1;
        for (i = 0; i < MAX_CONNS; i++)
          if (!conns[i].used) {
            slot = i;
            break;
          }
        if (slot < 0) {
          fprintf(stderr, "pgw record: too many connections\n");
          close(cfd);
        } else if (open_conn(&conns[slot], cfd, &ua, accepted + 1) != 0) {
          if (conns[slot].used) {
            close_conn(&conns[slot], o, &status);
          } else {
            close(cfd);
          }
          status = 1;
          accepted++;
        } else {
          accepted++;
          open_count++;
        }
      }
    }
    for (i = 0; i < MAX_CONNS; i++) {
      conn *c = &conns[i];
      short rf, rb;
      if (!c->used || idx[i] < 0) continue;
      rf = pfd[idx[i]].revents;
      rb = pfd[idx[i] + 1].revents;
      if (pump(c, PGW_FRONTEND, rf) != 0 || pump(c, PGW_BACKEND, rb) != 0 ||
          (c->s[0].shut && c->s[1].shut) || ((rf | rb) & POLLNVAL)) {
        close_conn(c, o, &status);
        open_count--;
      }
    }
  }
  for (int i = 0; i < MAX_CONNS; i++)
    if (conns[i].used) close_conn(&conns[i], o, &status);
  free(conns);
  close(lfd);
  return status;
}
