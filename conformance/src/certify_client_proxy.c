/*
 * certify_client_proxy.c - `pgw certify client --upstream`: a checking
 * proxy. Bytes are forwarded unchanged both ways; a lenient observer per
 * connection checks every message as it passes and counts each
 * deviation, so every rule broken is seen, not only the first: the
 * client's against the frontend rules (FAIL), the server's as a
 * cross-check (NON-STRICT). A CancelRequest is checked against the
 * BackendKeyData the client got on its other connection through pgw.
 * Each connection yields a PASS entry when it broke nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "certify_client.h"
#include "net.h"
#include "pgw/pgw.h"
#include "session.h"

#define PX_MAX 64
#define PX_LOG (1u << 20)

typedef struct px_conn {
  int id, fd[2]; /* [PGW_FRONTEND] client, [PGW_BACKEND] upstream */
  pgw_observer ob;
  pgw_buf log[2];
  size_t warnings, msgs[2], broke;
  int dead; /* sticky observer error reported */
  int32_t pid;
  uint8_t key[256];
  size_t keylen;
  uint32_t protocol;
  FILE *rec; /* --record DIR: DIR/conn-N.pgs */
} px_conn;

typedef struct px_entry {
  cert_case c;
  char id[96], says[200];
} px_entry;

typedef struct px {
  const cc_opts *o;
  px_conn *conns[PX_MAX * 4]; /* ended ones too: the cancel check */
  size_t nconns, ended;
  cert_done **d;
  size_t *cap, n;
} px;

static void add(px *p, const char *id, cert_level lv, cert_verdict v,
                const char *rule, const char *detail) {
  px_entry *e = calloc(1, sizeof *e);
  cert_done *d;
  if (!e) return;
  if (p->n == *p->cap) {
    size_t cap = *p->cap ? *p->cap * 2 : 32;
    cert_done *nd = realloc(*p->d, cap * sizeof *nd);
    if (!nd) {
      free(e);
      return;
    }
    *p->d = nd, *p->cap = cap;
  }
  snprintf(e->id, sizeof e->id, "%s", id);
  snprintf(e->says, sizeof e->says, "%s", detail);
  e->c.id = e->id, e->c.level = lv, e->c.rules = rule, e->c.says = e->says;
  e->c.script = "";
  d = &(*p->d)[p->n++];
  memset(d, 0, sizeof d[0]);
  d->c = &e->c;
  d->r.verdict = v;
  snprintf(d->r.rule, sizeof d->r.rule, "%s", rule);
  snprintf(d->r.detail, sizeof d->r.detail, "%s", detail);
  cert_report_line(stdout, d);
  fflush(stdout);
}

/* One deviation of side dir: a FAIL entry (client) or NON-STRICT. */
static void broke(px *p, px_conn *c, pgw_dir dir, const pgw_error *e,
                  const char *msg) {
  char id[96], detail[600], hex[160];
  const char *rule = e->rule ? e->rule->id : "stream";
  int fe = dir == PGW_FRONTEND;
  c->broke++;
  snprintf(id, sizeof id, "proxy/conn-%d/%s/%s", c->id,
           fe ? "client" : "server", rule);
  cc_hex(hex, sizeof hex, c->log[dir].data, c->log[dir].len, e->offset);
  snprintf(detail, sizeof detail, "%s broke %s in %s: %s; %s",
           fe ? "the client" : "the server", rule, msg,
           e->reason ? e->reason : pgw_strerror(e->code), hex);
  add(p, id, fe ? CERT_MUST : CERT_SHOULD, fe ? CERT_FAIL : CERT_NON_STRICT,
      rule, detail);
}

static px_conn *by_pid(px *p, int32_t pid) {
  size_t i;
  for (i = 0; i < p->nconns; i++)
    if (p->conns[i]->keylen && p->conns[i]->pid == pid) return p->conns[i];
  return NULL;
}

static void check_cancel(px *p, px_conn *c, const pgw_message *m) {
  px_conn *k = by_pid(p, m->body.cancel.pid);
  char id[64], d[600], got[120], want[120];
  size_t need = k && k->protocol >= PGW_PROTOCOL_3_2 ? k->keylen : 4;
  snprintf(id, sizeof id, "proxy/conn-%d/cancel", c->id);
  if (!k) {
    snprintf(d, sizeof d,
             "CancelRequest for pid %d: no connection through "
             "pgw got that BackendKeyData",
             (int)m->body.cancel.pid);
    add(p, id, CERT_MUST, CERT_FAIL, "client.cancel", d);
    return;
  }
  cc_hex(got, sizeof got, m->body.cancel.key.ptr, m->body.cancel.key.len, 0);
  cc_hex(want, sizeof want, k->key, k->keylen, 0);
  if (m->body.cancel.key.len == need && need == k->keylen &&
      !memcmp(m->body.cancel.key.ptr, k->key, k->keylen)) {
    snprintf(d, sizeof d, "pid %d and its %zu-byte key of connection %d",
             (int)k->pid, k->keylen, k->id);
    add(p, id, CERT_MUST, CERT_PASS, "client.cancel", d);
    return;
  }
  c->broke++;
  snprintf(d, sizeof d,
           "CancelRequest key of %zu bytes (%s); connection %d "
           "(protocol 3.%u) got %zu bytes (%s)",
           m->body.cancel.key.len, got, k->id, PGW_PROTOCOL_MINOR(k->protocol),
           k->keylen, want);
  add(p, id, CERT_MUST, CERT_FAIL, "client.cancel", d);
}

static void seen(px *p, px_conn *c, pgw_dir dir, const pgw_message *m) {
  c->msgs[dir]++;
  if (m->kind == PGW_MSG_CANCEL_REQUEST) check_cancel(p, c, m);
  if (m->kind == PGW_MSG_BACKEND_KEY_DATA &&
      m->body.backend_key.key.len <= 256) {
    c->pid = m->body.backend_key.pid;
    c->keylen = m->body.backend_key.key.len;
    memcpy(c->key, m->body.backend_key.key.ptr, c->keylen);
    c->protocol = pgw_state_protocol(pgw_observer_state(&c->ob));
  }
}

static void keep(pgw_buf *b, const uint8_t *x, size_t n) {
  if (b->len + n > PX_LOG || pgw_buf_reserve(b, n) != 0) return;
  memcpy(b->data + b->len, x, n);
  b->len += n;
}

/* Check the chunk dir sent: every message, every new deviation. */
static void check(px *p, px_conn *c, pgw_dir dir, const uint8_t *b, size_t n) {
  pgw_message m;
  int rc;
  keep(&c->log[dir], b, n);
  if (c->rec) pgs_write_chunk(c->rec, dir, b, n);
  if (c->dead || pgw_observer_feed(&c->ob, dir, b, n) != 0) return;
  while ((rc = pgw_observer_next(&c->ob, dir, &m)) == PGW_OK) {
    if (pgw_observer_warnings(&c->ob) > c->warnings) {
      c->warnings = pgw_observer_warnings(&c->ob);
      broke(p, c, dir, pgw_observer_warning(&c->ob), pgw_message_name(&m));
    }
    seen(p, c, dir, &m);
  }
  if (rc == PGW_DIRECT_SSL) c->dead = 1; /* TLS: nothing to read */
  if (rc < 0) {
    pgw_dir ed = dir;
    const pgw_error *e = pgw_observer_error(&c->ob, &ed);
    c->dead = 1;
    broke(p, c, ed, e, m.wire_len ? pgw_message_name(&m) : "the stream");
  }
}

static px_conn *open_conn(px *p, int cfd) {
  px_conn *c;
  pgw_observer_options oo;
  char err[200];
  int ufd = cli_net_connect(p->o->upstream, p->o->timeout_ms, err, sizeof err);
  if (ufd < 0 || p->nconns == sizeof p->conns / sizeof p->conns[0] ||
      !(c = calloc(1, sizeof *c))) {
    fprintf(stderr, "pgw certify client: %s\n", ufd < 0 ? err : "too many");
    if (ufd >= 0) close(ufd);
    close(cfd);
    return NULL;
  }
  memset(&oo, 0, sizeof oo);
  oo.mode = PGW_MODE_LENIENT;
  pgw_observer_init(&c->ob, &oo);
  pgw_buf_init(&c->log[0], NULL);
  pgw_buf_init(&c->log[1], NULL);
  c->id = (int)p->nconns + 1;
  c->fd[PGW_FRONTEND] = cfd, c->fd[PGW_BACKEND] = ufd;
  if (p->o->record_dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/conn-%d.pgs", p->o->record_dir, c->id);
    if ((c->rec = fopen(path, "w")) != NULL) {
      pgs_write_header(c->rec);
      pgs_write_meta(c->rec, "server", p->o->upstream);
      pgs_write_meta(c->rec, "note", "pgw certify client --upstream");
    }
  }
  p->conns[p->nconns++] = c;
  return c;
}

static void end_conn(px *p, px_conn *c) {
  char id[64], d[200];
  int i;
  for (i = 0; i < 2; i++) {
    if (c->fd[i] >= 0) close(c->fd[i]);
    c->fd[i] = -1;
  }
  if (c->rec) fclose(c->rec);
  c->rec = NULL;
  p->ended++;
  if (c->broke || !c->log[PGW_FRONTEND].len) return; /* a probe: no bytes */
  snprintf(id, sizeof id, "proxy/conn-%d", c->id);
  snprintf(d, sizeof d, "%zu client and %zu server messages, no rule broken",
           c->msgs[PGW_FRONTEND], c->msgs[PGW_BACKEND]);
  add(p, id, CERT_MUST, CERT_PASS, "frontend.order", d);
}

/* Bytes from side dir of c: checked, forwarded. 0, or -1 (ended). */
static int pump(px *p, px_conn *c, pgw_dir dir) {
  uint8_t b[65536];
  ssize_t n = recv(c->fd[dir], b, sizeof b, 0);
  if (n < 0 && errno == EINTR) return 0;
  if (n <= 0) {
    if (!c->dead && pgw_observer_finish(&c->ob, dir) != 0) {
      pgw_dir ed = dir;
      c->dead = 1;
      broke(p, c, ed, pgw_observer_error(&c->ob, &ed), "the end of stream");
    }
    return -1;
  }
  check(p, c, dir, b, (size_t)n);
  return cli_net_write(c->fd[!dir], b, (size_t)n) == 0 ? 0 : -1;
}

static size_t fill(px *p, struct pollfd *f, px_conn **who, int lfd) {
  size_t i, n = 1;
  int d;
  f[0].fd = lfd, f[0].events = POLLIN;
  for (i = 0; i < p->nconns; i++)
    for (d = 0; d < 2; d++)
      if (p->conns[i]->fd[d] >= 0) {
        f[n].fd = p->conns[i]->fd[d], f[n].events = POLLIN;
        who[n++] = p->conns[i];
      }
  return n;
}

static void step(px *p, int lfd) {
  struct pollfd f[PX_MAX * 2 + 1];
  px_conn *who[PX_MAX * 2 + 1];
  size_t n = fill(p, f, who, lfd), i;
  if (poll(f, (nfds_t)n, 200) <= 0) return;
  if ((f[0].revents & POLLIN) && n < PX_MAX * 2 - 1) {
    int cfd = accept(lfd, NULL, NULL);
    if (cfd >= 0) open_conn(p, cfd);
  }
  for (i = 1; i < n; i++) {
    px_conn *c = who[i];
    pgw_dir dir = f[i].fd == c->fd[PGW_FRONTEND] ? PGW_FRONTEND : PGW_BACKEND;
    if (!f[i].revents || c->fd[dir] != f[i].fd) continue;
    if (pump(p, c, dir) != 0) end_conn(p, c);
  }
}

size_t cc_proxy(int lfd, const cc_opts *o, cert_done **d, size_t *cap,
                volatile int *stop) {
  px p;
  size_t i;
  memset(&p, 0, sizeof p);
  p.o = o, p.d = d, p.cap = cap;
  while (!*stop && (!o->connections || p.ended < (size_t)o->connections))
    step(&p, lfd);
  for (i = 0; i < p.nconns; i++) {
    if (p.conns[i]->fd[0] >= 0) end_conn(&p, p.conns[i]);
    pgw_observer_free(&p.conns[i]->ob);
    pgw_buf_free(&p.conns[i]->log[0]);
    pgw_buf_free(&p.conns[i]->log[1]);
    free(p.conns[i]);
  }
  return p.n;
}

void cc_proxy_free(cert_done *d, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    free((void *)d[i].c);
}
