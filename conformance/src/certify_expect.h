/*
 * certify_expect.h - matching a server's answers against a pattern of
 * alternatives (certify_script.h), one message at a time, as a small
 * NFA: every alternative keeps the set of token positions it may be at.
 */
#ifndef PGW_CLI_CERTIFY_EXPECT_H
#define PGW_CLI_CERTIFY_EXPECT_H

#include "certify_script.h"
#include "pgw/pgw.h"

enum { CERT_MATCH_MORE = 0, CERT_MATCH_DONE = 1, CERT_MATCH_DEAD = -1 };

typedef struct cert_match {
  const cert_pattern *pat;
  uint8_t at[CERT_MAX_ALTS][CERT_MAX_TOKS + 1];
  int done_alt;  /* CERT_MATCH_DONE: which alternative */
  int auth_turn; /* the last message was an authentication request that
                    an AUTH token took: answer it */
} cert_match;

void cert_match_start(cert_match *mt, const cert_pattern *p);

/* Feed the next message, or NULL for the server closing. */
int cert_match_feed(cert_match *mt, const pgw_message *m);

/* What the live alternatives waited for, e.g. "DataRow or
 * CommandComplete" (from the positions before the last feed if dead). */
void cert_match_awaited(const cert_match *mt, char *out, size_t n);

/* One line describing m: "ErrorResponse(FATAL 08P01 \"...\")". */
void cert_describe(const pgw_message *m, char *out, size_t n);

#endif
