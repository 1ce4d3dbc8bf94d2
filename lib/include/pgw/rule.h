/*
 * pgw/rule.h - the rules behind every check pgw makes.
 *
 * Each check of the message, decoder and state layers has a rule: a stable
 * identifier ("frontend.length.small-limit"), a one-line statement, the
 * protocol documentation's section that states it, the PostgreSQL or libpq
 * source that enforces it, what the reference versions do, and a level:
 *
 *   PGW_LEVEL_REFERENCE   PostgreSQL or libpq rejects such bytes;
 *   PGW_LEVEL_DOCUMENTED  the documentation forbids them, but the
 *                         reference tolerates them.
 *
 * A failure's pgw_error names its rule (NULL for failures that are no
 * protocol rule: allocation, API misuse, a queue bound). The table is
 * static data: rules are never freed and their addresses are stable, so a
 * caller may compare rule pointers. conformance/RULES.md is generated from
 * it (`pgw rules --markdown`).
 *
 * Modes (decoder, state, conn options):
 *   PGW_MODE_STRICT     reject every rule (the default);
 *   PGW_MODE_REFERENCE  reject only REFERENCE rules; a DOCUMENTED deviation
 *                       is accepted and reported as a warning (what a proxy
 *                       that must pass what PostgreSQL passes wants);
 *   PGW_MODE_LENIENT    reject nothing that can be skipped; count it.
 */
#ifndef PGW_RULE_H
#define PGW_RULE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pgw_level {
  PGW_LEVEL_REFERENCE = 1,
  PGW_LEVEL_DOCUMENTED = 2
} pgw_level;

typedef enum pgw_mode {
  PGW_MODE_STRICT = 0,
  PGW_MODE_REFERENCE = 1,
  PGW_MODE_LENIENT = 2
} pgw_mode;

typedef struct pgw_rule {
  const char *id;  /* stable, e.g. "DataRow.count-matches-RowDescription" */
  pgw_level level; /* REFERENCE or DOCUMENTED */
  const char *statement; /* one line: what must hold */
  const char *doc;       /* protocol documentation section */
  const char *source;    /* PostgreSQL / libpq source that enforces it */
  const char *reference; /* what PostgreSQL and libpq 13 to 18 do with it */
} pgw_rule;

/* Number of rules, and rule i (0 <= i < count; NULL otherwise). */
size_t pgw_rule_count(void);
const pgw_rule *pgw_rule_at(size_t i);

/* The rule with this id, or NULL. */
const pgw_rule *pgw_rule_find(const char *id);

/* "reference" or "documented" ("?" for other values). */
const char *pgw_level_name(pgw_level level);

/* Does mode reject a failure of this rule? Strict rejects every rule,
 * reference only REFERENCE rules, lenient none. A NULL rule (no protocol
 * rule: allocation, limits the caller set) is rejected in every mode. */
int pgw_mode_rejects(pgw_mode mode, const pgw_rule *rule);

#ifdef __cplusplus
}
#endif

#endif /* PGW_RULE_H */
