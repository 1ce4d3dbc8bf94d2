/*
 * fuzz_certify_session.c - `pgw certify session` (conformance/src/
 * certify_session.c, with the session reader) against the library
 * observer.
 *
 * Input: the text of a session file (seeds: recorded sessions).
 * Checks: certify prints exactly one line, "PASS  NAME: ..." when it
 * returns 0 and "FAIL  NAME: the frontend|backend broke rule ID at ..."
 * when it returns 1. And the differential: certify judges a session with
 * two strict pgw_conns (each side's messages received by a conn of the
 * other role, then sent through a conn of their own), the observer with
 * one strict state machine for both sides; fed the same chunks in wire
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

/* Drain every message of dir the observer holds; 1 on its first error. */
static int observe_drain(pgw_observer *o, pgw_dir dir) {
  pgw_message m;
  int rc;
  while ((rc = pgw_observer_next(o, dir, &m)) == PGW_OK) {
  }
  return rc != PGW_NEED_MORE;
}

static verdict observe(const pgs_session *s) {
  pgw_observer o;
  pgw_observer_options opt;
  memset(&opt, 0, sizeof opt);
  verdict v = {0, 0, PGW_FRONTEND, "-"};
  FUZZ_ASSERT(pgw_observer_init(&o, &opt) == 0);
  int bad = 0;
  for (size_t i = 0; i < s->count && !bad; i++) {
    const pgs_item *it = &s->items[i];
    if (it->kind == PGS_META && strcmp(it->key, "tls") == 0 &&
        strcmp(it->value, "on") == 0) {
      int rc = pgw_observer_tls_on(&o);
      if (rc == PGW_ERR_INVALID_ARGUMENT) {
        v.failed = v.misplaced_tls = 1;
        pgw_observer_free(&o);
        return v;
      }
      bad = rc < 0;
      continue;
    }
    if (it->kind != PGS_CHUNK) continue;
    bad = pgw_observer_feed(&o, it->dir, it->data, it->len) < 0 ||
          observe_drain(&o, it->dir);
  }
  for (int d = 0; d < 2 && !bad; d++)
    bad = pgw_observer_finish(&o, (pgw_dir)d) < 0;
  if (bad) {
    pgw_dir dir = PGW_FRONTEND;
    const pgw_error *e = pgw_observer_error(&o, &dir);
    FUZZ_ASSERT(e != NULL);
    v.failed = 1;
    v.dir = dir;
    v.rule = e->rule ? e->rule->id : "-";
  }
  pgw_observer_free(&o);
  return v;
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
  verdict o = observe(&s);
  FUZZ_ASSERT(c.failed == o.failed);
  FUZZ_ASSERT(c.misplaced_tls == o.misplaced_tls);
  if (c.failed && !c.misplaced_tls) {
    FUZZ_ASSERT(c.dir == o.dir);
    FUZZ_ASSERT(strcmp(c.rule, o.rule) == 0);
  }
  pgs_free(&s);
  return 0;
}
