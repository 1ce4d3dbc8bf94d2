/* replay_rec.c - loading a recorded session for `pgw replay`: both
 * directions through one pgw_observer (strict) in wire order, every
 * message copied with the phase after it. */
#include "replay_rec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "util.h"

void rec_free(recording *r) {
  size_t i;
  for (i = 0; i < r->n; i++)
    free(r->msgs[i].payload);
  free(r->msgs);
  free(r->chunks);
  free(r->server_version);
  memset(r, 0, sizeof *r);
}

int rec_decode(const recording *r, size_t i, pgw_message *m) {
  const rmsg *x = &r->msgs[i];
  int rc =
      pgw_message_decode(x->kind, x->payload, x->plen, x->protocol, m, NULL);
  m->offset = x->offset;
  m->wire_len = x->wire_len;
  return rc;
}

static int is_57014(const pgw_message *m) {
  pgw_iter it;
  pgw_notice_field f;
  if (m->kind != PGW_MSG_ERROR_RESPONSE) return 0;
  it = pgw_notice_field_iter(&m->body.error.fields);
  while (pgw_notice_field_next(&it, &f) == 1)
    if (f.code == 'C' && f.value.len == 5 &&
        memcmp(f.value.ptr, "57014", 5) == 0)
      return 1;
  return 0;
}

int rec_chunk_has_57014(const recording *r, const rchunk *c) {
  size_t i;
  for (i = c->first; i < c->end; i++) {
    pgw_message m;
    if (r->msgs[i].kind == PGW_MSG_ERROR_RESPONSE &&
        rec_decode(r, i, &m) == 0 && is_57014(&m))
      return 1;
  }
  return 0;
}

int rec_accepts(const recording *r, size_t i) {
  pgw_message m;
  for (i = i + 1; i < r->n; i++)
    if (r->msgs[i].dir == PGW_BACKEND) break;
  if (i >= r->n || rec_decode(r, i, &m) != 0) return 0;
  return m.kind == PGW_MSG_AUTHENTICATION &&
         (m.body.auth.code == PGW_AUTH_OK ||
          m.body.auth.code == PGW_AUTH_SASL_FINAL);
}

void rkey_set(rkey *k, const pgw_message *m) {
  k->pid = m->body.backend_key.pid;
  k->len = m->body.backend_key.key.len;
  memcpy(k->key, m->body.backend_key.key.ptr, k->len);
}

void rkey_put(const rkey *k, pgw_message *m) {
  m->body.cancel.pid = k->pid;
  m->body.cancel.key.ptr = k->key;
  m->body.cancel.key.len = k->len;
}

int rec_cancels(const recording *c, const recording *r) {
  pgw_message m;
  return c->cancel_only && r->has_key && rec_decode(c, c->cancel_at, &m) == 0 &&
         m.body.cancel.pid == r->key.pid &&
         m.body.cancel.key.len == r->key.len &&
         memcmp(m.body.cancel.key.ptr, r->key.key, r->key.len) == 0;
}

static int rec_push(recording *r, pgw_dir dir, const pgw_message *m,
                    size_t line, const pgw_observer *o) {
  rmsg *x = cli_grow(r->msgs, r->n, &r->cap, sizeof *x);
  if (!x) return -1;
  r->msgs = x;
  x = &r->msgs[r->n];
  memset(x, 0, sizeof *x);
  x->dir = dir;
  x->kind = m->kind;
  x->type = m->type;
  x->plen = m->payload.len;
  x->payload = (uint8_t *)cli_dup(m->payload.ptr, x->plen);
  if (!x->payload) return -1;
  x->offset = m->offset;
  x->wire_len = m->wire_len;
  x->line = line;
  x->phase = pgw_observer_phase(o);
  x->protocol = pgw_state_protocol(pgw_observer_state(o));
  r->n++;
  return 0;
}

/* What one recorded message tells the replay beforehand. */
static void scan_one(recording *r, const pgw_message *m) {
  const pgw_parameter_status *ps = &m->body.parameter_status;
  pgw_iter it;
  pgw_param p;
  switch (m->kind) {
  case PGW_MSG_STARTUP_MESSAGE:
    it = pgw_param_iter(&m->body.startup.params);
    while (pgw_param_next(&it, &p) == 1)
      if (p.name.len == 4 && memcmp(p.name.ptr, "user", 4) == 0)
        r->user = p.value;
    break;
  case PGW_MSG_BACKEND_KEY_DATA:
    r->has_key = 1;
    rkey_set(&r->key, m);
    break;
  case PGW_MSG_PARAMETER_STATUS:
    if (!r->server_version && ps->name.len == 14 &&
        memcmp(ps->name.ptr, "server_version", 14) == 0)
      r->server_version = cli_dup(ps->value.ptr, ps->value.len);
    break;
  case PGW_MSG_ERROR_RESPONSE:
    if (is_57014(m)) r->has_57014 = 1;
    break;
  default: break;
  }
}

/* A cancel-only session: its one CancelRequest is the last message, after
 * at most the SSLRequest and 'S' of a cancel sent inside TLS (libpq 17+
 * cancels over the main connection's encryption). */
static void scan_cancel(recording *r) {
  size_t last = r->n - 1;
  r->cancel_only = r->n > 0 && r->msgs[last].kind == PGW_MSG_CANCEL_REQUEST &&
                   (r->n == 1 || (r->n == 3 && r->tls == 1 &&
                                  r->msgs[0].kind == PGW_MSG_SSL_REQUEST &&
                                  r->msgs[1].kind == PGW_MSG_SSL_RESPONSE));
  r->cancel_at = last;
}

static void rec_scan(recording *r) {
  size_t i;
  for (i = 0; i < r->n; i++) {
    pgw_message m;
    if (rec_decode(r, i, &m) == 0) scan_one(r, &m);
  }
  scan_cancel(r);
}

static int unencrypted_only(const char *path, size_t line, const char *what) {
  fprintf(stderr,
          "pgw replay: %s:%zu: %s; pgw replay plays unencrypted sessions "
          "only\n",
          path, line, what);
  return -1;
}

/* One recorded chunk through the observer: its messages pushed. */
static int load_chunk(recording *r, pgw_observer *o, const pgs_item *it) {
  rchunk *c = &r->chunks[r->nchunks++];
  pgw_message m;
  pgw_dir edir;
  const pgw_error *e;
  int rc;
  c->dir = it->dir;
  c->line = it->line;
  c->first = r->n;
  rc = pgw_observer_feed(o, it->dir, it->data, it->len);
  while (rc == PGW_OK && (rc = pgw_observer_next(o, it->dir, &m)) == PGW_OK) {
    if (pgw_observer_phase(o) == PGW_PHASE_TLS_HANDSHAKE && r->tls != 1)
      return unencrypted_only(r->path, it->line,
                              "the server accepted TLS (no `@ tls on`)");
    if (rec_push(r, it->dir, &m, it->line, o) != 0) return -1;
  }
  c->end = r->n;
  if (rc == PGW_NEED_MORE) return 0;
  e = pgw_observer_error(o, &edir);
  fprintf(stderr,
          "pgw replay: %s:%zu: the recording does not decode (%s at "
          "%s stream offset %zu: %s); see pgw dump\n",
          r->path, it->line, pgw_strerror(rc),
          cli_dir_name(e->code ? edir : it->dir), e->offset,
          e->reason ? e->reason : "?");
  return -1;
}

/* `@ tls on` (the decrypted bytes follow the 'S') or `@ tls direct`. */
static int tls_item(recording *r, pgw_observer *o, const pgs_item *it) {
  if (strcmp(it->value, "direct") == 0 && r->nchunks == 0) {
    r->tls = 2;
    return 0;
  }
  if (strcmp(it->value, "on") == 0 &&
      pgw_observer_phase(o) == PGW_PHASE_TLS_HANDSHAKE &&
      pgw_observer_tls_on(o) == 0)
    return 0;
  return unencrypted_only(r->path, it->line,
                          "`@ tls` where no TLS switch is due");
}

/* A session with `@ tls on` is loaded as such from its first line. */
static void prescan_tls(recording *r, const pgs_session *s) {
  for (size_t i = 0; i < s->count; i++)
    if (s->items[i].kind == PGS_META && strcmp(s->items[i].key, "tls") == 0 &&
        strcmp(s->items[i].value, "on") == 0)
      r->tls = 1;
}

static int load_items(recording *r, const pgs_session *s) {
  pgw_observer o;
  size_t i;
  int status = 0;
  r->chunks = calloc(s->count ? s->count : 1, sizeof *r->chunks);
  if (!r->chunks || pgw_observer_init(&o, NULL) != 0) return -1;
  prescan_tls(r, s);
  for (i = 0; status == 0 && i < s->count; i++) {
    const pgs_item *it = &s->items[i];
    if (it->kind != PGS_META)
      status = load_chunk(r, &o, it);
    else if (strcmp(it->key, "tls") == 0)
      status = tls_item(r, &o, it);
  }
  if (status == 0 && (pgw_observer_finish(&o, PGW_FRONTEND) ||
                      pgw_observer_finish(&o, PGW_BACKEND))) {
    fprintf(stderr, "pgw replay: %s: the recording ends inside a message\n",
            r->path);
    status = -1;
  }
  pgw_observer_free(&o);
  return status;
}

int rec_load(recording *r, const char *path) {
  pgs_session s;
  char err[512];
  const char *server;
  int status;
  memset(r, 0, sizeof *r);
  r->path = path;
  if (pgs_read_file(path, &s, err, sizeof err) != 0) {
    fprintf(stderr, "pgw replay: %s\n", err);
    return -1;
  }
  status = load_items(r, &s);
  server = pgs_meta(&s, "server");
  if (status == 0 && server && strncmp(server, "PostgreSQL ", 11) == 0)
    r->server_version = cli_dup(server + 11, strlen(server + 11));
  pgs_free(&s);
  if (status == 0) rec_scan(r);
  if (status != 0) rec_free(r);
  return status;
}
