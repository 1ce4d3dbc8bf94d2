/*
 * track.h - two pgw_decoder objects (one per direction) kept in step with
 * the conversation: the hints a decoder cannot know by itself (an SSL or
 * GSS answer is due, which 'p' message the client sends, the negotiated
 * protocol version) are taken from the messages already seen.
 *
 * This is the minimal phase knowledge the CLI needs without the state
 * layer (pgw/state.h); the recorder uses it to sniff the session.
 */
#ifndef PGW_CLI_TRACK_H
#define PGW_CLI_TRACK_H

#include "pgw/pgw.h"

typedef enum cli_tls {
  CLI_TLS_NONE = 0,
  CLI_TLS_STARTED = 1, /* 'S' or 'G' answer: the rest is encrypted */
  CLI_TLS_DIRECT = 2   /* direct SSL: the client opened with TLS */
} cli_tls;

typedef struct cli_track {
  pgw_decoder dec[2]; /* indexed by pgw_dir */
  uint32_t protocol;
  cli_tls tls;
  int awaiting_answer; /* SSLRequest or GSSENCRequest sent, answer due */
} cli_track;

void cli_track_init(cli_track *t, int lenient);
void cli_track_free(cli_track *t);

/* Apply what message m (just decoded from dir) tells the other decoder. */
void cli_track_after(cli_track *t, pgw_dir dir, const pgw_message *m);

/* After "@ tls on": both sides continue decrypted, the client with a
 * startup packet. */
void cli_track_tls_on(cli_track *t);

#endif /* PGW_CLI_TRACK_H */
