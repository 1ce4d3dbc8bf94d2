/* certify_run.c - running one case: its script, step by step. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certify.h"
#include "certify_auth.h"
#include "certify_build.h"
#include "certify_expect.h"
#include "certify_peer.h"
#include "certify_script.h"
#include "net.h"

/* A step's outcome: go on, stop (a documented decline), or failed. */
enum { GO = 0, STOP = 1, FAILED = -1, MORE = 2 };

typedef struct runner {
  const cert_case *c;
  const cert_target *t;
  cert_result *r;
  const char *value; /* sweep value, or NULL */
  int run;           /* which sweep run (for file names) */
  cert_peer peer;
  int open;
  cert_auth auth;
  cert_build build;
  cert_line line;
  cert_pattern pat;
  cert_match mt;
  const char *rule;   /* of the current step */
  const char *suffix; /* of the session file name */
  char password[128]; /* set by the password step */
} runner;

static int failf(runner *u, const char *fmt, ...) {
  va_list ap;
  char *d = u->r->detail;
  size_t n = sizeof u->r->detail, used = 0;
  if (u->value) used = (size_t)snprintf(d, n, "[%s] ", u->value);
  va_start(ap, fmt);
  vsnprintf(d + used, n - used, fmt, ap);
  va_end(ap);
  snprintf(u->r->rule, sizeof u->r->rule, "%.*s", (int)strcspn(u->rule, " "),
           u->rule);
  return FAILED;
}

static void rec_path(const runner *u, const char *suffix, char *out, size_t n) {
  size_t i, used;
  used = (size_t)snprintf(out, n, "%s/", u->t->record_dir);
  for (i = 0; u->c->id[i] && used + 1 < n; i++)
    out[used++] = u->c->id[i] == '/' ? '_' : u->c->id[i];
  out[used] = '\0';
  if (u->run) snprintf(out + used, n - used, "-%d", u->run);
  used = strlen(out);
  snprintf(out + used, n - used, "%s.pgs", suffix);
}

static int open_peer(runner *u, cert_peer *p, const char *suffix) {
  char path[1024], err[256];
  if (u->t->record_dir) rec_path(u, suffix, path, sizeof path);
  if (cert_peer_open(p, u->t->addr, u->t->timeout_ms,
                     u->t->record_dir ? path : NULL, u->c->id, err,
                     sizeof err) != 0)
    return failf(u, "%s", err);
  return GO;
}

/* The host part of HOST:PORT or [HOST]:PORT, for SNI and verification. */
static const char *tls_host(const cert_target *t, char *buf, size_t n) {
  if (t->tls_host) return t->tls_host;
  const char *a = t->addr, *end = strrchr(a, ':');
  if (a[0] == '[' && end && end > a && end[-1] == ']')
    snprintf(buf, n, "%.*s", (int)(end - a - 2), a + 1);
  else
    snprintf(buf, n, "%.*s", end ? (int)(end - a) : (int)strlen(a), a);
  return buf;
}

/* starttls [direct] [noalpn]: the handshake now. Failing: after an S
 * answer a FAIL; a direct-SSL handshake a server refuses ends the case
 * UNSUPPORTED (PostgreSQL before 17), or with noalpn is the server
 * closing (the next expect judges it). */
static int starttls(runner *u, int direct, int noalpn) {
  char host[256], err[512];
  if (cert_peer_starttls(&u->peer, direct, noalpn,
                         tls_host(u->t, host, sizeof host), u->t->tls_ca,
                         u->t->timeout_ms, err, sizeof err) == 0)
    return GO;
  if (direct && noalpn) return GO;
  if (direct) {
    snprintf(u->r->detail, sizeof u->r->detail,
             "direct SSL refused by the server (%s)", err);
    return STOP;
  }
  return failf(u, "%s", err);
}

/* --tls: SSLRequest, then the handshake after S; --sslnegotiation=direct:
 * the handshake at once. */
static int tls_first(runner *u) {
  if (u->t->tls == CERT_TLS_DIRECT) {
    int st = starttls(u, 1, 0);
    char why[sizeof u->r->detail];
    snprintf(why, sizeof why, "%s", u->r->detail);
    return st == STOP ? failf(u, "--sslnegotiation=direct: %s", why) : st;
  }
  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_SSL_REQUEST;
  if (cert_peer_send(&u->peer, &m) != 0)
    return failf(u, "--tls: could not send SSLRequest");
  int rc = cert_peer_next(&u->peer, &m, u->t->timeout_ms);
  if (rc != PGW_OK || m.kind != PGW_MSG_SSL_RESPONSE)
    return failf(u, "--tls: no answer to SSLRequest");
  if (m.body.encryption.answer != 'S')
    return failf(u, "--tls: the server answered '%c' to SSLRequest",
                 m.body.encryption.answer);
  return starttls(u, 0, 0);
}

static int ensure_open(runner *u) {
  if (u->open) return GO;
  if (open_peer(u, &u->peer, u->suffix) != GO) return FAILED;
  u->open = 1;
  return u->t->tls ? tls_first(u) : GO;
}

/* ---- sending ------------------------------------------------------------ */

static int send_built(runner *u, int argc, char **argv, int unchecked) {
  pgw_message m;
  char err[256];
  int rc = cert_build_message(&u->build, argc, argv, u->t, &m, err, sizeof err);
  if (rc < 0) return failf(u, "case error: %s", err);
  if (rc == 0) return failf(u, "case error: unknown step '%s'", argv[0]);
  if (unchecked && m.kind == PGW_MSG_STARTUP_MESSAGE) {
    /* what pgw's encoder refuses to build: a bad version, no user, too long */
    pgw_buf raw;
    pgw_buf_init(&raw, NULL);
    rc = cert_startup_bytes(&m, &raw);
    if (rc == 0) cert_peer_send_raw(&u->peer, raw.data, raw.len);
    pgw_buf_free(&raw);
    return rc == 0 ? GO : failf(u, "out of memory");
  }
  rc = unchecked ? cert_peer_send_unchecked(&u->peer, &m)
                 : cert_peer_send(&u->peer, &m);
  if (rc < -1)
    return failf(u, "case error: pgw refuses to send %s: %s",
                 pgw_kind_name(m.kind),
                 pgw_conn_error(&u->peer.strict)->reason);
  return GO; /* a write error: the server closed; the answer tells */
}

static int send_raw(runner *u, int argc, char **argv) {
  uint8_t *bytes;
  long n = cert_hex_parse(argc, argv, &bytes);
  if (n < 0) {
    free(bytes);
    return failf(u, "case error: bad hex in raw");
  }
  cert_peer_send_raw(&u->peer, bytes, (size_t)n);
  free(bytes);
  return GO;
}

/* ---- answers ------------------------------------------------------------ */

static int state_failure(runner *u, int rc, const pgw_message *m) {
  const pgw_error *e = pgw_conn_error(cert_peer_conn(&u->peer));
  char what[400];
  u->rule = e->rule ? e->rule->id : pgw_strerror(rc);
  if (m->wire_len) {
    cert_describe(m, what, sizeof what);
    return failf(u, "pgw rejects %s at backend offset %zu: %s (%s)", what,
                 e->offset, e->reason ? e->reason : "", pgw_strerror(rc));
  }
  return failf(u,
               "pgw rejects the server's bytes at backend offset %zu: %s "
               "(%s)",
               e->offset, e->reason ? e->reason : "", pgw_strerror(rc));
}

static int unexpected(runner *u, const pgw_message *m) {
  char want[400], got[400];
  cert_match_awaited(&u->mt, want, sizeof want);
  cert_describe(m, got, sizeof got);
  if (!m)
    return failf(u,
                 "expected %s; the server closed the connection "
                 "(backend offset %zu)",
                 want, u->peer.be_off);
  return failf(u, "expected %s; got %s at backend offset %zu", want, got,
               cert_peer_offset(&u->peer, m));
}

/* Feed one answer (NULL: closed) to the matcher: MORE, or the step's end. */
static int take(runner *u, const pgw_message *m) {
  char err[256];
  int rc = cert_match_feed(&u->mt, m);
  if (rc == CERT_MATCH_DEAD || (rc == CERT_MATCH_MORE && !m))
    return unexpected(u, m);
  if (u->mt.auth_turn) {
    int a = cert_auth_answer(&u->auth, &u->peer, m, err, sizeof err);
    if (a == CERT_AUTH_NO_PLUS) {
      snprintf(u->r->detail, sizeof u->r->detail, "%s", err);
      return STOP;
    }
    if (a != 0) return failf(u, "%s", err);
  }
  if (rc == CERT_MATCH_MORE) return MORE;
  return u->pat.alts[u->mt.done_alt].unsupported ? STOP : GO;
}

static int expect_words(runner *u, int argc, char **argv) {
  char err[256], want[400];
  pgw_message m;
  size_t a;
  if (argc > 0 && argv[0][0] == '@') u->rule = argv[0] + 1, argc--, argv++;
  if (cert_pattern_parse(&u->pat, argc, argv, err, sizeof err) != 0)
    return failf(u, "case error: %s", err);
  cert_match_start(&u->mt, &u->pat);
  for (a = 0; a < u->pat.nalts; a++)
    if (u->mt.at[a][u->pat.alts[a].n]) return GO;
  for (;;) {
    int rc = cert_peer_next(&u->peer, &m, u->t->timeout_ms), st;
    if (rc == CERT_TIMEOUT) {
      cert_match_awaited(&u->mt, want, sizeof want);
      return failf(u, "hang: no answer within %d ms (waited for %s)",
                   u->t->timeout_ms, want);
    }
    if (rc == CERT_IOERR) return failf(u, "read error");
    if (rc < 0 && u->peer.desynced) {
      /* after raw input: bytes pgw cannot frame, if the case allows */
      memset(&m, 0, sizeof m);
      m.kind = (pgw_kind)CERT_UNFRAMED;
      m.offset = pgw_conn_error(cert_peer_conn(&u->peer))->offset;
      if (cert_match_feed(&u->mt, &m) == CERT_MATCH_DONE)
        return u->pat.alts[u->mt.done_alt].unsupported ? STOP : GO;
      return state_failure(u, rc, &m);
    }
    if (rc != PGW_OK && rc != CERT_EOF) return state_failure(u, rc, &m);
    st = take(u, rc == CERT_EOF ? NULL : &m);
    if (st != MORE) return st;
  }
}

static int quiet(runner *u, int ms, int or_close) {
  pgw_message m;
  char got[400];
  int rc = cert_peer_next(&u->peer, &m, ms);
  if (rc == CERT_TIMEOUT || (rc == CERT_EOF && or_close)) return GO;
  if (rc == CERT_EOF)
    return failf(u, "expected no answer for %d ms; the server closed", ms);
  if (rc != PGW_OK) return state_failure(u, rc, &m);
  cert_describe(&m, got, sizeof got);
  return failf(u, "expected no answer for %d ms; got %s at backend offset %zu",
               ms, got, cert_peer_offset(&u->peer, &m));
}

static void sleep_ms(int ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (long)(ms % 1000) * 1000000L;
  nanosleep(&ts, NULL);
}

/* ---- cancel from a second connection ------------------------------------ */

/* how: NULL (the key), "wrong" (one byte changed), "short" (its first 4
 * bytes only). */
static int cancel(runner *u, const char *how) {
  cert_peer p;
  pgw_message m;
  int32_t pid;
  pgw_bytes key;
  uint8_t k[PGW_CANCEL_KEY_MAX];
  int rc;
  if (!pgw_state_backend_key(pgw_conn_state(&u->peer.strict), &pid, &key))
    return failf(u, "no BackendKeyData to cancel with");
  memcpy(k, key.ptr, key.len);
  if (how && strcmp(how, "wrong") == 0) k[0] ^= 0x5a;
  if (how && strcmp(how, "short") == 0) key.len = 4;
  if (open_peer(u, &p, ".cancel") != GO) return FAILED;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_CANCEL_REQUEST;
  m.body.cancel.pid = pid;
  m.body.cancel.key.ptr = k;
  m.body.cancel.key.len = key.len;
  cert_peer_send(&p, &m);
  rc = cert_peer_next(&p, &m, u->t->timeout_ms);
  cert_peer_close(&p);
  if (rc == CERT_EOF) return GO;
  u->rule = "cancel.no-answer";
  if (rc == CERT_TIMEOUT)
    return failf(u,
                 "hang: the CancelRequest's connection was not closed "
                 "within %d ms",
                 u->t->timeout_ms);
  return failf(u, "the CancelRequest's connection got an answer instead of "
                  "a close");
}

/* ---- steps -------------------------------------------------------------- */

static int run_lines(runner *u, const char *script);
static void finish(runner *u);

/* A query from a second session (its own login); %pid is this session's
 * process id. */
static int other(runner *u, const char *sql) {
  static runner o;
  char text[2048], w1[] = ".*", w2[] = "Z", *answer[2];
  const char *at = strstr(sql, "%pid");
  int32_t pid = 0;
  pgw_bytes key;
  pgw_message q;
  int st;
  pgw_state_backend_key(pgw_conn_state(&u->peer.strict), &pid, &key);
  if (at)
    snprintf(text, sizeof text, "%.*s%d%s", (int)(at - sql), sql, (int)pid,
             at + 4);
  else
    snprintf(text, sizeof text, "%s", sql);
  memset(&o, 0, offsetof(runner, build));
  o.c = u->c;
  o.t = u->t;
  o.r = u->r;
  o.run = u->run;
  o.value = u->value;
  o.suffix = ".other";
  cert_auth_init(&o.auth, u->t->user, u->t->password);
  st = run_lines(&o, "login");
  memset(&q, 0, sizeof q);
  q.kind = PGW_MSG_QUERY;
  q.body.query.text = pgw_str_from_cstr(text);
  answer[0] = w1;
  answer[1] = w2;
  if (st == GO && cert_peer_send(&o.peer, &q) == 0)
    st = expect_words(&o, 2, answer);
  finish(&o);
  return st;
}

/* ssl pipelined: SSLRequest and a StartupMessage in one write. */
static int ssl_pipelined(runner *u) {
  char w0[] = "startup";
  char *argv[1] = {w0};
  pgw_message m;
  char err[256];
  pgw_buf b;
  int rc = cert_build_message(&u->build, 1, argv, u->t, &m, err, sizeof err);
  if (rc <= 0) return failf(u, "case error: %s", rc < 0 ? err : "startup");
  pgw_buf_init(&b, NULL);
  rc = pgw_message_encode_buf(&m, &b);
  if (rc == 0) rc = cert_peer_send_ssl_pipelined(&u->peer, b.data, b.len);
  pgw_buf_free(&b);
  return rc < -1 ? failf(u, "case error: pgw refuses SSLRequest") : GO;
}

static int login(runner *u, int argc, char **argv) {
  char w1[] = "AUTH", w2[] = "K?", w3[] = "Z"; /* the parser edits words */
  char *answer[3];
  answer[0] = w1;
  answer[1] = w2;
  answer[2] = w3;
  argv[0] = "startup";
  if (send_built(u, argc, argv, 0) != GO) return FAILED;
  return expect_words(u, 3, answer);
}

static int step(runner *u, int argc, char **argv) {
  const char *v = argv[0];
  int num = argc > 1 ? atoi(argv[1]) : 0;
  if (strcmp(v, "expect") == 0) return expect_words(u, argc - 1, argv + 1);
  if (strcmp(v, "login") == 0) return login(u, argc, argv);
  if (strcmp(v, "raw") == 0) return send_raw(u, argc - 1, argv + 1);
  if (strcmp(v, "quiet") == 0)
    return quiet(u, num, argc > 2 && strcmp(argv[2], "or-close") == 0);
  if (strcmp(v, "cancel") == 0) return cancel(u, argc > 1 ? argv[1] : NULL);
  if (strcmp(v, "other") == 0 && argc == 2) return other(u, argv[1]);
  if (strcmp(v, "password") == 0 && argc == 2) {
    snprintf(u->password, sizeof u->password, "%s", argv[1]);
    u->auth.password = u->password;
    return GO;
  }
  if (strcmp(v, "sleep") == 0) {
    sleep_ms(num);
    return GO;
  }
  if (strcmp(v, "slow") == 0) {
    u->peer.slow_ms = num;
    return GO;
  }
  if (strcmp(v, "plus") == 0) { /* the next login with channel binding */
    u->auth.require_plus = argc > 1 && strcmp(argv[1], "wrong") == 0 ? 2 : 1;
    return GO;
  }
  if (strcmp(v, "starttls") == 0) {
    int direct = 0, noalpn = 0;
    for (int i = 1; i < argc; i++) {
      direct |= strcmp(argv[i], "direct") == 0;
      noalpn |= strcmp(argv[i], "noalpn") == 0;
    }
    return starttls(u, direct, noalpn);
  }
  if (strcmp(v, "ssl") == 0 && argc == 2 && strcmp(argv[1], "pipelined") == 0)
    return ssl_pipelined(u);
  if (strcmp(v, "shutdown") == 0) {
    cert_peer_shutdown(&u->peer);
    return GO;
  }
  if (v[0] == '!') {
    argv[0]++;
    return send_built(u, argc, argv, 1);
  }
  return send_built(u, argc, argv, 0);
}

static int put(pgw_buf *b, const char *p, size_t n) {
  if (pgw_buf_reserve(b, n + 1) != 0) return -1;
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

/* The script with '$' replaced by value and %{N:TEXT} by N copies of
 * TEXT (TEXT holds no '}'). NULL if out of memory. */
static char *expand(const char *script, const char *value) {
  pgw_buf b;
  const char *s = script;
  int rc = 0;
  pgw_buf_init(&b, NULL);
  rc |= put(&b, "", 0);
  while (*s && rc == 0) {
    char *colon;
    unsigned long n = 0;
    const char *close;
    if (*s == '$' && value) {
      rc |= put(&b, value, strlen(value));
      s++;
      continue;
    }
    if (s[0] == '%' && s[1] == '{' &&
        (n = strtoul(s + 2, &colon, 10), *colon == ':') &&
        (close = strchr(colon, '}')) != NULL) {
      while (n-- > 0 && rc == 0)
        rc |= put(&b, colon + 1, (size_t)(close - colon - 1));
      s = close + 1;
      continue;
    }
    rc |= put(&b, s++, 1);
  }
  if (rc == 0) return (char *)b.data;
  pgw_buf_free(&b);
  return NULL;
}

/* One line: "times N step ; step ..." runs the steps N times. */
static int run_line(runner *u, const char *s, size_t n) {
  char err[256];
  long times = 1, i;
  const char *body = s;
  while (n && (*body == ' '))
    body++, n--;
  if (n > 6 && strncmp(body, "times ", 6) == 0) {
    char *end;
    times = strtol(body + 6, &end, 10);
    n -= (size_t)(end - body);
    body = end;
  }
  for (i = 0; i < times; i++) {
    const char *seg = body, *stop = body + n;
    while (seg < stop) {
      const char *semi = strstr(seg, " ; ");
      size_t len =
          semi && semi < stop ? (size_t)(semi - seg) : (size_t)(stop - seg);
      int st = GO;
      if (cert_line_split(&u->line, seg, len, err, sizeof err) != 0)
        return failf(u, "case error: %s", err);
      if (u->line.argc > 0) {
        u->rule = u->c->rules;
        if (ensure_open(u) != GO) return FAILED;
        st = step(u, u->line.argc, u->line.argv);
      }
      if (st != GO) return st;
      seg += len + 3;
    }
  }
  return GO;
}

static int run_lines(runner *u, const char *script) {
  const char *s = script;
  while (*s) {
    size_t n = strcspn(s, "\n");
    int st = run_line(u, s, n);
    if (st != GO) return st;
    s += n + (s[n] == '\n');
  }
  return GO;
}

/* Leave politely if the conversation is idle. */
static void finish(runner *u) {
  if (!u->open) return;
  if (!u->peer.desynced && pgw_conn_phase(&u->peer.strict) == PGW_PHASE_READY) {
    pgw_message x;
    memset(&x, 0, sizeof x);
    x.kind = PGW_MSG_TERMINATE;
    cert_peer_send(&u->peer, &x);
  }
  cert_peer_close(&u->peer);
  u->open = 0;
}

static int run_once(runner *u, const char *value) {
  char *script = expand(u->c->script, value);
  int st;
  if (!script) return failf(u, "out of memory");
  u->value = value;
  cert_auth_init(&u->auth, u->t->user, u->t->password);
  st = run_lines(u, script);
  finish(u);
  free(script);
  return st;
}

/* Each sweep value on its own connection; the first failure ends it. */
static int run_sweep(runner *u) {
  char values[4096];
  char *v, *save = NULL;
  int st = GO;
  snprintf(values, sizeof values, "%s", u->c->sweep);
  for (v = strtok_r(values, " ", &save); v && st != FAILED;
       v = strtok_r(NULL, " ", &save)) {
    int one = run_once(u, v);
    u->run++;
    if (one != GO) st = one;
  }
  return st;
}

/* The first word of a space-separated list. */
static void first_rule(const char *rules, char *out, size_t n) {
  size_t len = strcspn(rules, " ");
  snprintf(out, n, "%.*s", (int)len, rules);
}

void cert_run_case(const cert_case *c, const cert_target *t, cert_result *r) {
  static runner u; /* large: not on the stack */
  long t0 = cli_net_now_ms();
  int st;
  memset(&u, 0, offsetof(runner, build));
  memset(r, 0, sizeof *r);
  u.suffix = "";
  u.c = c;
  u.t = t;
  u.r = r;
  first_rule(c->rules, r->rule, sizeof r->rule);
  st = c->sweep ? run_sweep(&u) : run_once(&u, NULL);
  cert_line_free(&u.line);
  r->verdict = st == FAILED
                   ? (c->level == CERT_SHOULD ? CERT_NON_STRICT : CERT_FAIL)
               : st == STOP ? CERT_UNSUPPORTED
                            : CERT_PASS;
  r->duration_ms = cli_net_now_ms() - t0;
}

int cert_case_negotiates(const cert_case *c) {
  if (strncmp(c->id, "startup/direct-ssl/", 19) == 0) return 1;
  for (const char *s = c->script; *s;) {
    size_t n = strcspn(s, "\n");
    const char *w = s + (*s == '!');
    size_t k = strcspn(w, " \n");
    if ((k == 3 && (strncmp(w, "ssl", 3) == 0 || strncmp(w, "gss", 3) == 0)) ||
        (k == 8 && strncmp(w, "starttls", 8) == 0))
      return 1;
    s += n + (s[n] == '\n');
  }
  return 0;
}
