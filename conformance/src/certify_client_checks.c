/*
 * certify_client_checks.c - the verdict of a served case from what the
 * scripted server saw. In order: a rule of pgw's strict backend conn the
 * client broke (FAIL, with the rule, offset and bytes); the case's own
 * check that failed (FAIL, NON-STRICT for SHOULD); extended-query
 * messages left without Sync before a Query (NON-STRICT: PostgreSQL and
 * pgJDBC's autosave rely on it being accepted); a case whose condition
 * the client never met (NOT-SHOWN, never PASS); the case's want.
 */
#include <stdio.h>
#include <string.h>

#include "certify_client.h"
#include "pgw/pgw.h"

static void set(cert_result *r, cert_verdict v, const char *rule,
                const char *detail) {
  r->verdict = v;
  if (rule) snprintf(r->rule, sizeof r->rule, "%s", rule);
  snprintf(r->detail, sizeof r->detail, "%s", detail);
}

static cert_verdict miss(const cc_case *k) {
  return k->c.level == CERT_MUST ? CERT_FAIL : CERT_NON_STRICT;
}

/* The case's precondition; NULL if met, else why nothing is shown. */
static const char *unmet(const cc_case *k, const cc_seen *s) {
  unsigned f = k->flags;
  if (!s->startup && !(f & (CC_NEED_SSL | CC_NEED_GSS)))
    return "the client sent no StartupMessage";
  if ((f & CC_NEED_SSL) && !s->ssl) return "the client sent no SSLRequest";
  if ((f & CC_NEED_GSS) && !s->gss) return "the client sent no GSSENCRequest";
  if ((f & CC_NEED_32) && s->requested < PGW_PROTOCOL_3_2)
    return "the client asked for protocol 3.0, the case needs 3.2";
  if ((f & CC_NEED_30) && s->requested != PGW_PROTOCOL_3_0)
    return "the client asked for protocol 3.2, the case needs 3.0";
  if ((f & CC_NEED_GREASE) && PGW_PROTOCOL_MINOR(s->requested) <= 2)
    return "the client asked for no minor version above 3.2";
  if ((f & CC_NEED_SIMPLE) && !s->simple)
    return "the client sent no simple Query (only extended query)";
  if ((f & CC_NEED_OPTS) && !s->options)
    return "the client sent no _pq_ protocol options";
  return NULL;
}

/* The case's want: NULL met, "" not shown (why in *why), else failed. */
static const char *want(const cc_case *k, const cc_seen *s, const char **why) {
  switch (k->want) {
  case W_QUERY:
    *why = "the client sent no query after the startup";
    return s->queries ? NULL : "";
  case W_TERMINATE:
    if (!s->eof) return (*why = "the client did not close"), "";
    return s->terminated ? NULL : "the client closed without Terminate";
  case W_CONTINUES:
    *why = "the client sent no query after the error";
    return s->error_sent && s->queries >= 2 ? NULL : "";
  case W_SYNC:
    *why = "the client ran no extended query that met the error";
    if (!s->error_sent) return "";
    return s->sync_after_error ? NULL : "no Sync after the ErrorResponse";
  case W_COPY_DONE:
  case W_COPY_FAIL:
    *why = "the client ended no COPY FROM STDIN";
    if (!s->copy_done && !s->copy_fail) return "";
    if ((k->want == W_COPY_DONE) == (s->copy_done != 0)) return NULL;
    return s->copy_done ? "CopyDone where the case waits for CopyFail"
                        : "CopyFail where the case waits for CopyDone";
  case W_CANCEL:
    *why = "the client sent no CancelRequest";
    return s->cancel == 1 ? NULL : s->cancel ? "CancelRequest refused" : "";
  case W_CLOSE:
    if (s->queries)
      return "the client sent a query on a connection that "
             "should have failed";
    return s->eof ? NULL : "the client did not close";
  case W_MECH:
    *why = "the client sent no SASLInitialResponse";
    if (!s->sasl) return s->eof ? NULL : ""; /* refused: libpq does */
    return s->mech_ok ? NULL : "not SCRAM-SHA-256 without channel binding";
  case W_RESTART:
    return s->restart ? NULL : "no StartupMessage after the refusal";
  }
  return NULL;
}

void cc_judge(const cc_case *k, const cc_seen *s, cert_result *r) {
  const char *w, *why = "", *pre;
  size_t n = strcspn(k->c.rules, " ");
  memset(r, 0, sizeof r[0]);
  snprintf(r->rule, sizeof r->rule, "%.*s", (int)n, k->c.rules);
  if (s->broke[0]) {
    set(r, CERT_FAIL, s->broke_rule, s->broke);
    return;
  }
  if (s->fail[0]) {
    set(r, miss(k), NULL, s->fail);
    return;
  }
  if (s->no_sync_query) {
    set(r, CERT_NON_STRICT, "client.sync-before-query",
        "a Query while Parse/Bind/Execute waited for a Sync");
    return;
  }
  if ((pre = unmet(k, s))) {
    set(r, CERT_NOT_SHOWN, NULL, pre);
    return;
  }
  w = want(k, s, &why);
  if (w && !*w) {
    set(r, CERT_NOT_SHOWN, NULL, why);
    return;
  }
  if (w) {
    /* Closing without Terminate is allowed, only not graceful. */
    set(r, k->want == W_TERMINATE ? CERT_NON_STRICT : miss(k), NULL, w);
    return;
  }
  set(r, CERT_PASS, NULL, "");
}
