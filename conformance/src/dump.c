/*
 * dump.c - `pgw dump`: watch a session's two directions through one
 * pgw_observer in wire order, so that every message is checked by the
 * state machine and the framing follows the phase; each message is
 * re-encoded (an error if it cannot be), and --roundtrip compares the
 * re-encoding with the bytes on the wire.
 */
#include "dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render_replication.h"
#include "session.h"
#include "util.h"

/* The bytes of one direction, concatenated, to compare re-encodings. */
typedef struct stream {
  uint8_t *data;
  size_t len;
} stream;

/* Each direction's total is summed first and allocated once: growing per
 * chunk to the exact size copied the stream on every line (quadratic under
 * ASan, whose realloc always moves). */
static int build_streams(const pgs_session *s, stream st[2]) {
  size_t i, total[2] = {0, 0};
  memset(st, 0, 2 * sizeof st[0]);
  for (i = 0; i < s->count; i++)
    if (s->items[i].kind == PGS_CHUNK)
      total[s->items[i].dir] += s->items[i].len;
  for (i = 0; i < 2; i++)
    if (total[i] && !(st[i].data = malloc(total[i]))) return -1;
  for (i = 0; i < s->count; i++) {
    const pgs_item *it = &s->items[i];
    stream *x;
    if (it->kind != PGS_CHUNK) continue;
    x = &st[it->dir];
    memcpy(x->data + x->len, it->data, it->len);
    x->len += it->len;
  }
  return 0;
}

/* A NAME.partial file: say where the recorded stream stops. */
static void cli_dump_partial_note(const char *path, const pgs_session *s,
                                  const stream st[2]) {
  size_t last = s->count ? s->items[s->count - 1].line : 1;
  fflush(stdout);
  if (s->stop_line)
    fprintf(stderr,
            "pgw dump: %s: partial session: line %zu was cut while being "
            "written and is left out; ",
            path, s->stop_line);
  else
    fprintf(stderr, "pgw dump: %s: partial session: ", path);
  fprintf(stderr,
          "the stream stops after line %zu, at frontend byte %zu and "
          "backend byte %zu\n",
          last, st[PGW_FRONTEND].len, st[PGW_BACKEND].len);
}

typedef struct dumper {
  const cli_dump_opts *o;
  pgw_observer watch; /* both directions, one state machine */
  stream st[2];
  pgw_buf enc;
  const char *phase; /* after the last message */
  int tls;           /* switched to TLS ('S'/'G' answer or direct SSL) */
  cli_pqtrace pq;    /* --format=pqtrace: the libpq format and its state */
  size_t warned;     /* deviations reported so far */
  uint32_t server_protocol; /* highest the server offers; 0 unknown */
  unsigned server_version;  /* from "@ server"; 0 unknown */
  cli_repl repl;            /* replication streams (render_replication.c) */
} dumper;

/* The major version of "@ server PostgreSQL N[.M]", or 0. */
static unsigned session_server_version(const pgs_session *s) {
  for (size_t i = 0; i < s->count; i++) {
    const pgs_item *it = &s->items[i];
    if (it->kind != PGS_META || strcmp(it->key, "server") != 0) continue;
    if (strncmp(it->value, "PostgreSQL ", 11) != 0) return 0;
    int major = atoi(it->value + 11);
    return major > 0 ? (unsigned)major : 0;
  }
  return 0;
}

/* PostgreSQL 18 and later offer protocol 3.2, older servers 3.0. */
static uint32_t protocol_of(unsigned server_version) {
  if (server_version == 0) return 0;
  return server_version >= 18 ? PGW_PROTOCOL_3_2 : PGW_PROTOCOL_3_0;
}

static const char *phase_now(const dumper *d) {
  return pgw_phase_name(pgw_observer_phase(&d->watch));
}

/* "pgw dump: FILE:LINE: DIR stream offset N, phase P: WHAT: DETAIL
 * [rule ID, LEVEL]" on standard error; with --json also an object
 * {"error": {...}} (or {"warning": {...}}) on standard output. */
static void say(const dumper *d, const char *kind, size_t line, pgw_dir dir,
                size_t offset, const char *what, const char *detail,
                const pgw_rule *rule) {
  if (d->o->format == CLI_FORMAT_JSON) {
    printf("{\"%s\": {\"code\": ", kind);
    cli_json_string(stdout, what, strlen(what));
    printf(", \"reason\": ");
    cli_json_string(stdout, detail ? detail : "", detail ? strlen(detail) : 0);
    printf(
        ", \"dir\": \"%c\", \"offset\": %zu, \"phase\": \"%s\", \"line\": %zu",
        dir == PGW_FRONTEND ? 'F' : 'B', offset, d->phase ? d->phase : "?",
        line);
    if (rule)
      printf(", \"rule\": \"%s\", \"level\": \"%s\"", rule->id,
             pgw_level_name(rule->level));
    printf("}}\n");
  }
  fflush(stdout);
  fprintf(stderr, "pgw dump: %s%s:%zu: %s stream offset %zu, phase %s: %s%s%s",
          strcmp(kind, "warning") == 0 ? "warning: " : "", d->o->path, line,
          cli_dir_name(dir), offset, d->phase ? d->phase : "?", what,
          detail ? ": " : "", detail ? detail : "");
  if (rule)
    fprintf(stderr, " [rule %s, %s]", rule->id, pgw_level_name(rule->level));
  fputc('\n', stderr);
}

static void report(const dumper *d, size_t line, pgw_dir dir, size_t offset,
                   const char *what, const char *detail) {
  say(d, "error", line, dir, offset, what, detail, NULL);
}

static void report_error(const dumper *d, size_t line, pgw_dir dir,
                         const pgw_error *e, int code) {
  say(d, "error", line, dir, e->offset, pgw_strerror(code), e->reason, e->rule);
}

/* A deviation the mode let through (documented rules under --reference). */
static void report_warnings(dumper *d, size_t line, pgw_dir dir) {
  size_t n = pgw_observer_warnings(&d->watch);
  if (n == d->warned) return;
  d->warned = n;
  if (d->o->mode == PGW_MODE_LENIENT) return;
  const pgw_error *w = pgw_observer_warning(&d->watch);
  say(d, "warning", line, dir, w->offset, pgw_strerror(w->code), w->reason,
      w->rule);
}

static void render(dumper *d, pgw_dir dir, const pgw_message *m) {
  cli_msg msg;
  msg.dir = dir;
  msg.phase = d->phase;
  msg.m = m;
  const cli_repl *repl = cli_repl_current(&d->repl);
  switch (d->o->format) {
  case CLI_FORMAT_JSON: cli_render_json_repl(stdout, &msg, repl); break;
  case CLI_FORMAT_PQTRACE: cli_render_pqtrace_as(stdout, &d->pq, &msg); break;
  default: cli_render_text_repl(stdout, &msg, repl); break;
  }
}

/* Compare the re-encoding in d->enc with the message's wire bytes. */
static int roundtrip(dumper *d, size_t line, pgw_dir dir,
                     const pgw_message *m) {
  const stream *x = &d->st[dir];
  const uint8_t *wire;
  size_t i, n;
  char detail[160];
  if (m->offset > x->len || m->wire_len > x->len - m->offset) {
    report(d, line, dir, m->offset, "internal error",
           "message outside the stream");
    return -1;
  }
  wire = x->data + m->offset;
  n = d->enc.len < m->wire_len ? d->enc.len : m->wire_len;
  for (i = 0; i < n && d->enc.data[i] == wire[i]; i++) {
  }
  if (i < n) {
    snprintf(detail, sizeof detail,
             "%s byte %zu is 0x%02x on the wire, 0x%02x re-encoded",
             pgw_message_name(m), i, wire[i], d->enc.data[i]);
    report(d, line, dir, m->offset + i, "round trip differs", detail);
    return -1;
  }
  if (d->enc.len != m->wire_len) {
    snprintf(detail, sizeof detail,
             "%s is %zu bytes on the wire, %zu re-encoded", pgw_message_name(m),
             m->wire_len, d->enc.len);
    report(d, line, dir, m->offset + n, "round trip differs", detail);
    return -1;
  }
  return 0;
}

/* Re-encode m into d->enc (the observer has checked it against the
 * state already). */
static int reencode(dumper *d, size_t line, pgw_dir dir, const pgw_message *m) {
  char detail[160];
  int rc;
  pgw_buf_clear(&d->enc);
  if (m->malformed || m->kind == PGW_MSG_UNKNOWN) {
    /* a deviation let through without a body: nothing to re-encode */
    if (!d->o->roundtrip || (m->malformed && d->o->mode == PGW_MODE_REFERENCE))
      return 0;
    snprintf(detail, sizeof detail, "%s is malformed or unknown",
             pgw_message_name(m));
    render(d, dir, m);
    report(d, line, dir, m->offset, "cannot re-encode", detail);
    return -1;
  }
  rc = pgw_message_encode_buf(m, &d->enc);
  if (rc == PGW_OK) return 0;
  snprintf(detail, sizeof detail, "%s could not be re-encoded",
           pgw_message_name(m));
  render(d, dir, m);
  report(d, line, dir, m->offset, pgw_strerror(rc), detail);
  return -1;
}

/* What stopped a chunk's messages (rc, not PGW_NEED_MORE): reported. */
static int chunk_error(dumper *d, const pgs_item *it, const pgw_message *m,
                       int rc) {
  const pgw_error *e = pgw_observer_error(&d->watch, NULL);
  if (rc == PGW_DIRECT_SSL) {
    d->tls = 1;
    report(d, it->line, it->dir, e->offset, "PGW_DIRECT_SSL",
           "the client opened with TLS (direct SSL); a session holds "
           "decrypted bytes only after '@ tls on'");
    return -1;
  }
  /* show the offending message, if the state refused a whole one */
  if ((rc == PGW_ERR_UNEXPECTED_MESSAGE || rc == PGW_ERR_CONNECTION_CLOSED ||
       e->rule != NULL) &&
      m->wire_len != 0)
    render(d, it->dir, m);
  report_error(d, it->line, it->dir, e, rc);
  return -1;
}

/* Decode a replication CopyData (and, with --roundtrip, re-encode it). */
static int track_replication(dumper *d, size_t line, pgw_dir dir,
                             const pgw_message *m) {
  char detail[200];
  size_t off = 0;
  int rc = cli_repl_track(&d->repl, dir, m);
  if (rc != 0 && d->o->mode != PGW_MODE_LENIENT) {
    render(d, dir, m);
    say(d, "error", line, dir, m->offset + 5 + d->repl.err.offset,
        pgw_strerror(rc), d->repl.err.reason, d->repl.err.rule);
    return -1;
  }
  if (d->repl.warning && d->o->mode == PGW_MODE_REFERENCE)
    say(d, "warning", line, dir, m->offset + 5 + d->repl.err.offset,
        pgw_strerror(d->repl.err.code), d->repl.err.reason, d->repl.err.rule);
  if (!d->o->roundtrip ||
      cli_repl_roundtrip(&d->repl, m, &off, detail, sizeof detail) == 0)
    return 0;
  render(d, dir, m);
  report(d, line, dir, m->offset + 5 + off, "round trip differs", detail);
  return -1;
}

static int feed_chunk(dumper *d, const pgs_item *it) {
  pgw_message m;
  int rc;
  if (d->tls) {
    report(d, it->line, it->dir, 0, "bytes after the switch to TLS",
           "a session holds decrypted bytes only after '@ tls on'");
    return -1;
  }
  cli_pqtrace_chunk(&d->pq, it->dir, it->len);
  rc = pgw_observer_feed(&d->watch, it->dir, it->data, it->len);
  while (rc == PGW_OK &&
         (rc = pgw_observer_next(&d->watch, it->dir, &m)) == PGW_OK) {
    if (track_replication(d, it->line, it->dir, &m) != 0) return -1;
    if (reencode(d, it->line, it->dir, &m) != 0) return -1;
    d->phase = phase_now(d);
    render(d, it->dir, &m);
    report_warnings(d, it->line, it->dir);
    if (d->o->roundtrip && !m.malformed &&
        roundtrip(d, it->line, it->dir, &m) != 0)
      return -1;
    if (pgw_observer_phase(&d->watch) == PGW_PHASE_TLS_HANDSHAKE) d->tls = 1;
  }
  if (rc == PGW_NEED_MORE) return 0;
  return chunk_error(d, it, &m, rc);
}

static int init_watch(dumper *d) {
  pgw_observer_options wo;
  memset(&wo, 0, sizeof wo);
  wo.mode = d->o->mode;
  wo.server_protocol = d->server_protocol;
  wo.server_version = d->server_version;
  return pgw_observer_init(&d->watch, &wo) != 0 ? -1 : 0;
}

/* "@ tls on": the bytes after it are decrypted. */
static int tls_on(dumper *d, const pgs_item *it) {
  if (d->tls && pgw_observer_tls_on(&d->watch) == 0) {
    d->tls = 0;
    return 0;
  }
  fflush(stdout);
  fprintf(stderr,
          "pgw dump: %s:%zu: '@ tls on' without a switch to TLS before it\n",
          d->o->path, it->line);
  return -1;
}

/* Every item in order; then both streams must end between messages. */
static int dump_items(dumper *d, const pgs_session *s) {
  size_t i, last_line[2] = {0, 0};
  int dir;
  for (i = 0; i < s->count; i++) {
    const pgs_item *it = &s->items[i];
    if (it->kind == PGS_META) {
      if (strcmp(it->key, "tls") == 0 && strcmp(it->value, "on") == 0 &&
          tls_on(d, it) != 0)
        return -1;
      continue;
    }
    last_line[it->dir] = it->line;
    if (feed_chunk(d, it) != 0) return -1;
  }
  if (s->partial) cli_dump_partial_note(d->o->path, s, d->st);
  for (dir = 0; dir < 2; dir++) {
    if (pgw_observer_finish(&d->watch, (pgw_dir)dir) != 0) {
      const pgw_error *e = pgw_observer_error(&d->watch, NULL);
      say(d, "error", last_line[dir], (pgw_dir)dir, e->offset,
          pgw_strerror(e->code ? e->code : PGW_ERR_END_OF_STREAM),
          e->reason ? e->reason : "the stream ends inside a message", e->rule);
      return -1;
    }
  }
  return 0;
}

int cli_dump(const cli_dump_opts *o) {
  pgs_session s;
  dumper d;
  char err[512];
  int status = 0;

  if (pgs_read_file(o->path, &s, err, sizeof err) != 0) {
    fprintf(stderr, "pgw dump: %s\n", err);
    return 1;
  }
  memset(&d, 0, sizeof d);
  d.o = o;
  d.server_version = session_server_version(&s);
  d.server_protocol =
      o->server_protocol ? o->server_protocol : protocol_of(d.server_version);
  if (cli_pqtrace_init(&d.pq, o->libpq ? o->libpq : 18) != 0) {
    fprintf(stderr, "pgw dump: no PQtrace format for libpq %d\n", o->libpq);
    pgs_free(&s);
    return 2;
  }
  if (o->single_row) cli_pqtrace_single_row(&d.pq);
  if (init_watch(&d) != 0) {
    fprintf(stderr, "pgw dump: cannot initialise the connections\n");
    pgs_free(&s);
    return 1;
  }
  pgw_buf_init(&d.enc, NULL);
  cli_repl_init(&d.repl, d.server_version, o->mode);
  if (build_streams(&s, d.st) != 0) {
    fprintf(stderr, "pgw dump: out of memory\n");
    status = 1;
  }
  if (status == 0 && dump_items(&d, &s) != 0) status = 1;
  fflush(stdout);
  pgw_buf_free(&d.enc);
  cli_repl_free(&d.repl);
  free(d.st[0].data);
  free(d.st[1].data);
  pgw_observer_free(&d.watch);
  pgs_free(&s);
  return status;
}
