/*
 * fuzz_certify_session.c - `pgw certify session` (conformance/src/
 * certify_session.c, on the library observer, with the session reader)
 * against two strict pgw_conns.
 *
 * Input: the text of a session file (seeds: recorded sessions).
 * Checks: certify prints exactly one line, "PASS  NAME: ..." when it
 * returns 0 and "FAIL  NAME: the frontend|backend broke rule ID at ..."
 * when it returns 1. And the differential: certify judges a session with
 * the observer (one strict state machine for both sides, every message
 * re-encoded), the oracle with two strict pgw_conns (each side's messages
 * received by a conn of the other role, then sent through a conn of their
 * own); fed the same chunks in wire
 * order (and "@ tls on" as pgw_conn_tls_established() / pgw_observer_tls_on()),
 * they must agree on whether every rule was kept, and on a failure on the
 * side that broke one and the rule, or that "@ tls on" has no switch to
 * TLS before it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certify_cli.h"
#include "fuzz_check.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct verdict {
  int failed;
  int misplaced_tls; /* "@ tls on" where no switch to TLS happened */
  pgw_dir dir;
  const char *rule; /* the rule's id, or "-" */
} verdict;

/*
 * The oracle: the rules as two strict pgw_conns see them (certify
 * session's checker before it moved onto the observer): each side's
 * messages received by a conn of the other role, then sent through a conn
 * of their own role, so that each state machine sees everything.
 */
typedef struct pair {
  pgw_conn conn[2]; /* conn[d] plays side d */
  pgw_buf enc;
  verdict v;
} pair;

static int pair_broke(pair *p, pgw_dir d, const pgw_error *e) {
  p->v.failed = 1;
  p->v.dir = d;
  p->v.rule = e->rule ? e->rule->id : "-";
  return 1;
}

static int pair_drain(pair *p, pgw_dir dir) {
  pgw_conn *in = &p->conn[!dir];
  pgw_message m;
  int rc;
  while ((rc = pgw_conn_next(in, &m)) == PGW_OK) {
    pgw_buf_clear(&p->enc);
    if (pgw_conn_send(&p->conn[dir], &m, &p->enc) != 0)
      return pair_broke(p, dir, pgw_conn_error(&p->conn[dir]));
  }
  return rc != PGW_NEED_MORE ? pair_broke(p, dir, pgw_conn_error(in)) : 0;
}

/* "@ tls on": the frontend's bytes first, as the observer checks them. */
static int pair_tls_on(pair *p) {
  static const pgw_dir sender[2] = {PGW_FRONTEND, PGW_BACKEND};
  for (int i = 0; i < 2; i++) {
    pgw_conn *in = &p->conn[!sender[i]];
    int rc = pgw_conn_tls_established(in);
    if (rc == PGW_ERR_INVALID_ARGUMENT) {
      p->v.failed = p->v.misplaced_tls = 1;
      return 1;
    }
    if (rc != 0) return pair_broke(p, sender[i], pgw_conn_error(in));
  }
  return 0;
}

static int pair_run(pair *p, const pgs_session *s) {
  for (size_t i = 0; i < s->count; i++) {
    const pgs_item *it = &s->items[i];
    if (it->kind == PGS_META && strcmp(it->key, "tls") == 0 &&
        strcmp(it->value, "on") == 0) {
      if (pair_tls_on(p)) return 1;
      continue;
    }
    if (it->kind != PGS_CHUNK) continue;
    pgw_conn_receive(&p->conn[!it->dir], it->data, it->len);
    if (pair_drain(p, it->dir)) return 1;
  }
  for (int d = 0; d < 2; d++)
    if (pgw_conn_finish(&p->conn[!d]) != 0)
      return pair_broke(p, (pgw_dir)d, pgw_conn_error(&p->conn[!d]));
  return 0;
}

static verdict two_conns(const pgs_session *s) {
  static pair p;
  memset(&p, 0, sizeof p);
  p.v.rule = "-";
  for (int d = 0; d < 2; d++) {
    pgw_conn_options o;
    memset(&o, 0, sizeof o);
    o.role = (pgw_dir)d;
    FUZZ_ASSERT(pgw_conn_init(&p.conn[d], &o) == 0);
  }
  pgw_buf_init(&p.enc, NULL);
  pair_run(&p, s);
  pgw_buf_free(&p.enc);
  pgw_conn_free(&p.conn[0]);
  pgw_conn_free(&p.conn[1]);
  return p.v;
}

/* certify's line, parsed; checks its shape. */
static verdict certify(const pgs_session *s, char *line, size_t cap) {
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  FUZZ_ASSERT(out != NULL);
  int rc = certify_session_check(s, "fuzz.pgs", out);
  FUZZ_ASSERT(fclose(out) == 0);
  FUZZ_ASSERT(rc == 0 || rc == 1);
  FUZZ_ASSERT(len > 0 && text[len - 1] == '\n');
  FUZZ_ASSERT(memchr(text, '\n', len) == text + len - 1); /* one line */
  FUZZ_ASSERT(strlen(text) == len);                       /* no NUL */
  snprintf(line, cap, "%s", text);
  free(text);
  verdict v = {rc, 0, PGW_FRONTEND, "-"};
  if (rc == 0) {
    FUZZ_ASSERT(strncmp(line, "PASS  fuzz.pgs: ", 16) == 0);
    return v;
  }
  if (strncmp(line, "FAIL  fuzz.pgs: line ", 21) == 0) {
    FUZZ_ASSERT(strstr(line, ": '@ tls on' without a switch to TLS\n"));
    v.misplaced_tls = 1;
    return v;
  }
  static const char fe[] = "FAIL  fuzz.pgs: the frontend broke rule ";
  static const char be[] = "FAIL  fuzz.pgs: the backend broke rule ";
  int is_fe = strncmp(line, fe, sizeof fe - 1) == 0;
  FUZZ_ASSERT(is_fe || strncmp(line, be, sizeof be - 1) == 0);
  v.dir = is_fe ? PGW_FRONTEND : PGW_BACKEND;
  char *rule = line + (is_fe ? sizeof fe : sizeof be) - 1;
  char *sp = strchr(rule, ' ');
  FUZZ_ASSERT(sp != NULL);
  *sp = '\0';
  v.rule = rule;
  return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pgs_session s;
  char err[256], line[1024];
  if (size > 1 << 20) return 0;
  if (pgs_parse("fuzz.pgs", (const char *)data, size, &s, err, sizeof err) != 0)
    return 0;
  verdict c = certify(&s, line, sizeof line);
  verdict o = two_conns(&s);
  FUZZ_ASSERT(c.failed == o.failed);
  FUZZ_ASSERT(c.misplaced_tls == o.misplaced_tls);
  if (c.failed && !c.misplaced_tls) {
    FUZZ_ASSERT(c.dir == o.dir);
    FUZZ_ASSERT(strcmp(c.rule, o.rule) == 0);
  }
  pgs_free(&s);
  return 0;
}
