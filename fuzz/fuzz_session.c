/*
 * fuzz_session.c - the session-file reader (conformance/src/session.c)
 * and the renderers of `pgw dump` (text, JSON, pqtrace; render_*.c and
 * fields.c), compiled into the harness.
 *
 * Input: the text of a session file (seeds are the recorded sessions).
 * Checks: a parse failure says "name:LINE: reason"; a parsed session has
 * items in line order, chunks of at least one byte, one-word keys; writing
 * it back with the pgs_write_* functions and parsing that gives the same
 * items. Then the session is decoded as `pgw dump` does (a frontend- and
 * a backend-role pgw_conn, wire order, strict, reference and lenient;
 * a deviation reference mode lets through is of a documented rule) and every
 * message is rendered in the three formats, pqtrace also as libpq 13
 * prints it: every JSON line must be one well-formed JSON object with the
 * members the design promises, and no output but libpq 13's (which writes
 * the bytes it reads raw) may hold a NUL byte.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "render.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- a strict little JSON checker ---------------------------------------- */

typedef struct json {
  const char *p, *end;
  int depth;
} json;

static void ws(json *j) {
  while (j->p < j->end &&
         (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
    j->p++;
}

static int lit(json *j, const char *s) {
  size_t n = strlen(s);
  if ((size_t)(j->end - j->p) < n || memcmp(j->p, s, n) != 0) return 0;
  j->p += n;
  return 1;
}

static int hexd(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

/* A string; if out is given, its raw (escaped) contents. */
static int jstring(json *j, const char **start, size_t *len) {
  if (j->p >= j->end || *j->p != '"') return 0;
  j->p++;
  const char *s = j->p;
  while (j->p < j->end && *j->p != '"') {
    unsigned char c = (unsigned char)*j->p;
    if (c < 0x20) return 0; /* control characters must be escaped */
    if (c == '\\') {
      j->p++;
      if (j->p >= j->end) return 0;
      char e = *j->p;
      if (e == 'u') {
        if (j->end - j->p < 5) return 0;
        for (int i = 1; i <= 4; i++)
          if (!hexd(j->p[i])) return 0;
        j->p += 4;
      } else if (!strchr("\"\\/bfnrt", e) || e == 0) {
        return 0;
      }
    }
    j->p++;
  }
  if (j->p >= j->end) return 0;
  if (start) *start = s, *len = (size_t)(j->p - s);
  j->p++;
  return 1;
}

static int jnumber(json *j) {
  const char *s = j->p;
  if (j->p < j->end && *j->p == '-') j->p++;
  if (j->p >= j->end) return 0;
  if (*j->p == '0') {
    j->p++;
  } else if (*j->p >= '1' && *j->p <= '9') {
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
      j->p++;
  } else {
    return 0;
  }
  if (j->p < j->end && *j->p == '.') {
    j->p++;
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') return 0;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
      j->p++;
  }
  return j->p > s;
}

static int jvalue(json *j);

static int jobject(json *j, unsigned *seen) {
  j->p++; /* { */
  ws(j);
  if (j->p < j->end && *j->p == '}') {
    j->p++;
    return 1;
  }
  for (;;) {
    const char *k;
    size_t kl;
    ws(j);
    if (!jstring(j, &k, &kl)) return 0;
    if (seen) {
      static const char *const want[] = {"dir",    "type", "phase",
                                         "offset", "len",  "fields"};
      for (unsigned i = 0; i < 6; i++)
        if (kl == strlen(want[i]) && memcmp(k, want[i], kl) == 0)
          *seen |= 1u << i;
    }
    ws(j);
    if (j->p >= j->end || *j->p != ':') return 0;
    j->p++;
    if (!jvalue(j)) return 0;
    ws(j);
    if (j->p < j->end && *j->p == ',') {
      j->p++;
      continue;
    }
    if (j->p < j->end && *j->p == '}') {
      j->p++;
      return 1;
    }
    return 0;
  }
}

static int jarray(json *j) {
  j->p++; /* [ */
  ws(j);
  if (j->p < j->end && *j->p == ']') {
    j->p++;
    return 1;
  }
  for (;;) {
    if (!jvalue(j)) return 0;
    ws(j);
    if (j->p < j->end && *j->p == ',') {
      j->p++;
      continue;
    }
    if (j->p < j->end && *j->p == ']') {
      j->p++;
      return 1;
    }
    return 0;
  }
}

static int jvalue(json *j) {
  ws(j);
  if (j->p >= j->end || j->depth > 64) return 0;
  int ok;
  j->depth++;
  switch (*j->p) {
  case '{': ok = jobject(j, NULL); break;
  case '[': ok = jarray(j); break;
  case '"': ok = jstring(j, NULL, NULL); break;
  case 't': ok = lit(j, "true"); break;
  case 'f': ok = lit(j, "false"); break;
  case 'n': ok = lit(j, "null"); break;
  default: ok = jnumber(j); break;
  }
  j->depth--;
  return ok;
}

/* One line: exactly one JSON object with dir, type, phase, offset, len and
 * fields. */
static void check_json_line(const char *p, size_t n) {
  json j = {p, p + n, 0};
  unsigned seen = 0;
  ws(&j);
  FUZZ_ASSERT(j.p < j.end && *j.p == '{');
  FUZZ_ASSERT(jobject(&j, &seen));
  ws(&j);
  FUZZ_ASSERT(j.p == j.end);
  FUZZ_ASSERT(seen == 0x3f);
}

/* ---- rendering --------------------------------------------------------- */

typedef struct out {
  char *buf;
  size_t len;
  FILE *f;
} out;

static void out_open(out *o) {
  o->buf = NULL;
  o->len = 0;
  o->f = open_memstream(&o->buf, &o->len);
  if (o->f == NULL) abort();
}

static void out_close(out *o) {
  fclose(o->f);
  o->f = NULL;
}

/* libpq 13's PQtrace has state across messages (render_pqtrace13_parse.c);
 * its lines hold raw bytes, NULs included. */
static cli_pqtrace trace13;

static void render_all(out *o, pgw_dir dir, const pgw_message *m,
                       const pgw_conn *c) {
  cli_msg msg;
  msg.dir = dir;
  msg.phase = pgw_phase_name(pgw_conn_phase(c));
  msg.m = m;
  /* JSON: one line per message, checked line by line afterwards. */
  cli_render_json(o[0].f, &msg);
  cli_render_text(o[1].f, &msg);
  cli_render_pqtrace(o[2].f, &msg);
  cli_render_pqtrace_as(o[3].f, &trace13, &msg);
}

/* Decode the session as `pgw dump` does; render every message. */
static void decode(const pgs_session *s, pgw_mode mode, out *o) {
  pgw_conn conn[2];
  pgw_conn_options co;
  memset(&co, 0, sizeof co);
  co.mode = mode;
  co.max_message_len = (size_t)1 << 20;
  co.role = PGW_FRONTEND;
  FUZZ_ASSERT(pgw_conn_init(&conn[PGW_FRONTEND], &co) == 0);
  co.role = PGW_BACKEND;
  FUZZ_ASSERT(pgw_conn_init(&conn[PGW_BACKEND], &co) == 0);
  pgw_buf enc;
  pgw_buf_init(&enc, NULL);
  FUZZ_ASSERT(cli_pqtrace_init(&trace13, 13) == 0);
  int dead = 0, tls = 0;
  for (size_t i = 0; i < s->count && !dead; i++) {
    const pgs_item *it = &s->items[i];
    if (it->kind == PGS_META) {
      if (strcmp(it->key, "tls") == 0 && strcmp(it->value, "on") == 0) {
        if (!tls || pgw_conn_tls_established(&conn[0]) != 0 ||
            pgw_conn_tls_established(&conn[1]) != 0)
          dead = 1;
        tls = 0;
      }
      continue;
    }
    if (tls) break;
    pgw_conn *rx = &conn[!it->dir], *tx = &conn[it->dir];
    pgw_message m;
    int rc = pgw_conn_receive(rx, it->data, it->len);
    FUZZ_ASSERT(rc == 0);
    cli_pqtrace_chunk(&trace13, it->dir, it->len);
    /* Poisoned, so that rendering a message next() did not set is caught
     * (ASan: wild pointers) rather than reading stale stack bytes. */
    memset(&m, 0xa5, sizeof m);
    size_t warned = pgw_conn_warnings(rx);
    while ((rc = pgw_conn_next(rx, &m)) == PGW_OK) {
      pgw_buf_clear(&enc);
      if (mode == PGW_MODE_REFERENCE && pgw_conn_warnings(rx) != warned) {
        /* a deviation let through: documented level, with its rule */
        const pgw_rule *w = pgw_conn_warning(rx)->rule;
        FUZZ_ASSERT(w != NULL && w->level == PGW_LEVEL_DOCUMENTED);
        warned = pgw_conn_warnings(rx);
      }
      if (mode == PGW_MODE_REFERENCE && m.malformed) {
        /* as dump.c: no body to re-encode; the sender's state sees it */
        int frc = pgw_conn_forwarded(tx, &m);
        FUZZ_ASSERT(fuzz_status_known(frc));
        render_all(o, it->dir, &m, rx);
        continue;
      }
      int src = pgw_conn_send(tx, &m, &enc);
      FUZZ_ASSERT(fuzz_status_known(src));
      if (src == 0 && !m.malformed && m.kind != PGW_MSG_UNKNOWN) {
        FUZZ_ASSERT(enc.len == m.wire_len);
        FUZZ_ASSERT(memcmp(enc.data,
                           m.payload.ptr - (m.wire_len - m.payload.len),
                           m.wire_len) == 0);
      }
      render_all(o, it->dir, &m, rx);
      if (pgw_conn_phase(rx) == PGW_PHASE_TLS_HANDSHAKE) tls = 1;
    }
    FUZZ_ASSERT(fuzz_status_known(rc));
    if ((rc == PGW_ERR_UNEXPECTED_MESSAGE || rc == PGW_ERR_CONNECTION_CLOSED ||
         (rc < 0 && pgw_conn_error(rx)->rule != NULL)) &&
        m.wire_len != 0) {
      /* As dump.c: show the offending message when the state refused a
       * whole one (finding 5: a decoder error zeroes m, wire_len 0). */
      FUZZ_ASSERT(m.kind != (pgw_kind)0xa5a5a5a5);
      render_all(o, it->dir, &m, rx);
    }
    memset(&m, 0xa5, sizeof m);
    if (rc != PGW_NEED_MORE && rc != PGW_OK) dead = 1;
  }
  pgw_buf_free(&enc);
  pgw_conn_free(&conn[0]);
  pgw_conn_free(&conn[1]);
}

static int same_item(const pgs_item *a, const pgs_item *b) {
  if (a->kind != b->kind) return 0;
  if (a->kind == PGS_CHUNK)
    return a->dir == b->dir && a->len == b->len &&
           memcmp(a->data, b->data, a->len) == 0;
  if (strcmp(a->key, b->key) != 0) return 0;
  /* The writer turns CR and LF inside a value into spaces (session.h). */
  const char *x = a->value, *y = b->value;
  for (; *x && *y; x++, y++) {
    char cx = *x == '\r' || *x == '\n' ? ' ' : *x;
    if (cx != *y) return 0;
  }
  return *x == *y;
}

/* The same text named NAME.partial (a recorder's file still being
 * written): a last line without its LF is left out and named in
 * stop_line, and the rest reads as the text up to the last LF does. */
static void check_partial(const uint8_t *data, size_t size) {
  pgs_session p, q;
  char err[512];
  size_t cut = size, lines = 1;
  while (cut > 0 && data[cut - 1] != '\n')
    cut--;
  for (size_t i = 0; i < cut; i++)
    lines += data[i] == '\n';
  int rp =
      pgs_parse("f.pgs.partial", (const char *)data, size, &p, err, sizeof err);
  if (cut == size || cut == 0) { /* ends with LF, or a single line */
    int rq = pgs_parse("f.pgs", (const char *)data, size, &q, err, sizeof err);
    FUZZ_ASSERT(rp == rq);
    if (rp == 0) FUZZ_ASSERT(p.stop_line == 0 && p.count == q.count);
  } else {
    int rq = pgs_parse("f.pgs", (const char *)data, cut, &q, err, sizeof err);
    FUZZ_ASSERT(rp == rq);
    if (rp == 0) FUZZ_ASSERT(p.stop_line == lines && p.count == q.count);
  }
  if (rp == 0) {
    FUZZ_ASSERT(p.partial == 1);
    for (size_t i = 0; i < p.count; i++) {
      const pgs_item *a = &p.items[i], *b = &q.items[i];
      FUZZ_ASSERT(a->kind == b->kind && a->line == b->line);
      if (a->kind == PGS_CHUNK)
        FUZZ_ASSERT(a->dir == b->dir && a->len == b->len &&
                    memcmp(a->data, b->data, a->len) == 0);
      else
        FUZZ_ASSERT(!strcmp(a->key, b->key) && !strcmp(a->value, b->value));
    }
    pgs_free(&p);
    pgs_free(&q);
  }
}

/* pgs_format_chunk writes what pgs_write_chunk writes. */
static void check_format(const pgs_item *it, const char *written, size_t wlen) {
  char *line = malloc(PGS_CHUNK_LINE_LEN(it->len));
  FUZZ_ASSERT(line != NULL);
  size_t n = pgs_format_chunk(line, it->dir, it->data, it->len);
  FUZZ_ASSERT(n <= PGS_CHUNK_LINE_LEN(it->len));
  FUZZ_ASSERT(n <= wlen && memcmp(line, written + wlen - n, n) == 0);
  free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pgs_session s;
  char err[512];
  err[0] = '\0';
  check_partial(data, size);
  if (pgs_parse("fuzz.pgs", (const char *)data, size, &s, err, sizeof err) !=
      0) {
    FUZZ_ASSERT(strncmp(err, "fuzz.pgs", 8) == 0);
    FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
    return 0;
  }
  size_t lines = 1;
  for (size_t i = 0; i < size; i++)
    lines += data[i] == '\n';
  size_t prev = 0;
  for (size_t i = 0; i < s.count; i++) {
    const pgs_item *it = &s.items[i];
    FUZZ_ASSERT(it->line > prev && it->line <= lines);
    prev = it->line;
    if (it->kind == PGS_CHUNK) {
      FUZZ_ASSERT(it->dir == PGW_FRONTEND || it->dir == PGW_BACKEND);
      FUZZ_ASSERT(it->len >= 1 && it->data != NULL);
    } else {
      FUZZ_ASSERT(it->kind == PGS_META);
      FUZZ_ASSERT(it->key && it->key[0] && !strpbrk(it->key, " \t\n"));
      FUZZ_ASSERT(it->value && !strchr(it->value, '\n'));
    }
  }

  /* Write it back and read it again: the same items. */
  out w;
  out_open(&w);
  FUZZ_ASSERT(pgs_write_header(w.f) == 0);
  for (size_t i = 0; i < s.count; i++) {
    const pgs_item *it = &s.items[i];
    if (it->kind == PGS_CHUNK) {
      FUZZ_ASSERT(pgs_write_chunk(w.f, it->dir, it->data, it->len) == 0);
      fflush(w.f);
      check_format(it, w.buf, w.len);
    } else
      FUZZ_ASSERT(pgs_write_meta(w.f, it->key, it->value) == 0);
  }
  out_close(&w);
  pgs_session s2;
  if (pgs_parse("rewritten.pgs", w.buf, w.len, &s2, err, sizeof err) != 0) {
    fprintf(stderr, "%s\n", err);
    fuzz_fail(__FILE__, __LINE__, "a written session parses again");
  }
  FUZZ_ASSERT(s2.count == s.count);
  for (size_t i = 0; i < s.count; i++)
    FUZZ_ASSERT(same_item(&s.items[i], &s2.items[i]));
  pgs_free(&s2);
  free(w.buf);

  out o[4]; /* JSON, text, pqtrace (libpq 18), pqtrace (libpq 13) */
  static const pgw_mode modes[3] = {PGW_MODE_STRICT, PGW_MODE_REFERENCE,
                                    PGW_MODE_LENIENT};
  for (int k = 0; k < 3; k++) {
    for (int i = 0; i < 4; i++)
      out_open(&o[i]);
    decode(&s, modes[k], o);
    for (int i = 0; i < 4; i++) {
      out_close(&o[i]);
      static const char *const fmt[3] = {"json", "text", "pqtrace"};
      /* libpq 13 writes the bytes it reads and writes raw */
      const char *nul =
          i < 3 && o[i].len ? memchr(o[i].buf, 0, o[i].len) : NULL;
      if (nul) {
        const char *bol = nul;
        while (bol > o[i].buf && bol[-1] != '\n')
          bol--;
        fprintf(stderr, "%s output holds a NUL at %zu in line: %.*s\n", fmt[i],
                (size_t)(nul - o[i].buf), (int)(nul - bol), bol);
        fuzz_fail(__FILE__, __LINE__, "rendered output holds no NUL byte");
      }
      FUZZ_ASSERT(o[i].len == 0 || o[i].buf[o[i].len - 1] == '\n');
    }
    const char *p = o[0].buf, *end = o[0].buf + o[0].len;
    while (p < end) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      FUZZ_ASSERT(nl != NULL);
      check_json_line(p, (size_t)(nl - p));
      p = nl + 1;
    }
    for (int i = 0; i < 4; i++)
      free(o[i].buf);
  }
  pgs_free(&s);
  return 0;
}
