/*
 * certify.h - `pgw certify`: certify a server (PostgreSQL, a pooler, a
 * compatible server) against the protocol, h2spec-style.
 *
 * A case is data (certify_cases.c): a stable id grouped by the protocol
 * documentation's sections, one line saying what it checks, the rules it
 * checks (certify_rules.c), a level and a script (certify_script.h says
 * its language). Each case runs on its own connection(s) with a deadline
 * on every read; every answer also goes through pgw's strict state
 * machine.
 */
#ifndef PGW_CLI_CERTIFY_H
#define PGW_CLI_CERTIFY_H

#include <stddef.h>

typedef enum cert_level { CERT_MUST = 0, CERT_SHOULD = 1 } cert_level;

typedef enum cert_verdict {
  CERT_PASS = 0,
  CERT_FAIL,
  CERT_NON_STRICT,  /* a SHOULD case not met (FAIL under --strict) */
  CERT_UNSUPPORTED, /* declined the way the documentation prescribes */
  CERT_NOT_SHOWN,   /* certify client: the client never did what the case
                       waits for, so the case says nothing about it */
  CERT_VERDICT_COUNT
} cert_verdict;

typedef struct cert_case {
  const char *id;     /* "extended/flush/answers-pending" */
  cert_level level;   /* MUST: documented and PostgreSQL does it */
  const char *rules;  /* rule ids, space-separated (certify_rules.c) */
  const char *says;   /* one line: the behaviour checked */
  const char *script; /* steps, one per line */
  const char *sweep;  /* NULL, or values for '$' in the script, each run
                         on its own connection */
  const char *note;   /* SHOULD: what PostgreSQL does where the
                         documentation leaves room (why NON-STRICT) */
} cert_case;

/* The catalogue. */
extern const cert_case cert_cases[];
extern const size_t cert_case_count;

/* The rules cases may name: id and one line. */
typedef struct cert_rule {
  const char *id;
  const char *statement;
} cert_rule;
extern const cert_rule cert_rules[];
extern const size_t cert_rule_count;
/* 1 if id is in cert_rules. */
int cert_rule_known(const char *id, size_t len);

/* Where and as whom to connect. */
typedef struct cert_target {
  const char *addr; /* HOST:PORT */
  const char *user;
  const char *password; /* NULL: none */
  const char *database;
  int timeout_ms;         /* deadline of every read */
  const char *record_dir; /* NULL, or keep each case's traffic here */
  int tls;                /* CERT_TLS_*: every connection inside TLS */
  const char *tls_ca;     /* NULL, or verify the server against this CA */
  const char *tls_host;   /* SNI and the name verified (default: addr's) */
} cert_target;

enum { CERT_TLS_OFF = 0, CERT_TLS_REQUEST = 1, CERT_TLS_DIRECT = 2 };

/* 1 if the case negotiates encryption itself (an ssl, gss or starttls
 * step, or a direct-SSL ClientHello): it cannot run inside --tls. */
int cert_case_negotiates(const cert_case *c);

typedef struct cert_result {
  cert_verdict verdict;
  char rule[96]; /* the rule that failed, else the case's first */
  char detail[768];
  long duration_ms;
} cert_result;

/* Run one case against t (verdict before --strict is applied). */
void cert_run_case(const cert_case *c, const cert_target *t, cert_result *r);

/* Verdict names: "PASS", "FAIL", "NON-STRICT", "UNSUPPORTED". */
const char *cert_verdict_name(cert_verdict v);
const char *cert_level_name(cert_level l);

/* The group of an id: "startup" for "startup/packet/length-small". */
size_t cert_group_len(const char *id);

#endif /* PGW_CLI_CERTIFY_H */
