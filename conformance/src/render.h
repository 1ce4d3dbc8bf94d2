/*
 * render.h - printing decoded messages: a readable text line, a JSON
 * object per line, or libpq's PQtrace format (libpq 18, 15 or 13).
 *
 * Text and JSON share one walk over a message's fields (fields.c) that
 * calls an emitter; each format implements the emitter.
 */
#ifndef PGW_CLI_RENDER_H
#define PGW_CLI_RENDER_H

#include <stdio.h>

#include "pgw/pgw.h"

/* One decoded message with its context. */
typedef struct cli_msg {
  pgw_dir dir;
  const char *phase; /* phase after the message; NULL if unknown */
  const pgw_message *m;
} cli_msg;

/* Emitter: names are (ptr, len) so that wire strings can be keys. */
typedef struct cli_emit cli_emit;
struct cli_emit {
  /* text string (a protocol String) */
  void (*str)(cli_emit *e, const char *name, size_t nlen, const char *p,
              size_t n);
  /* opaque bytes (CopyData, SASL data, parameter values): text when
   * printable, hex otherwise */
  void (*bytes)(cli_emit *e, const char *name, size_t nlen, const uint8_t *p,
                size_t n);
  /* a value that may be NULL (len -1) */
  void (*value)(cli_emit *e, const char *name, size_t nlen, pgw_value v);
  void (*num)(cli_emit *e, const char *name, size_t nlen, long long v);
  /* a one-byte code ('I', 'S', ...) */
  void (*chr)(cli_emit *e, const char *name, size_t nlen, uint8_t c);
  /* nested object or array; name is ignored inside arrays */
  void (*begin)(cli_emit *e, const char *name, size_t nlen, int array);
  void (*end)(cli_emit *e, int array);
  FILE *f;
  int depth;
  int first[8]; /* per depth: no member written yet */
  int in_array[8];
};

/* Walk m's fields through e. */
void cli_emit_fields(cli_emit *e, const pgw_message *m);

/* What every emitter shares (fields.c): */
/* A member is written at the current depth: 1 if one was before it
 * (write a separator), 0 for the first. */
int cli_emit_member(cli_emit *e);
/* Write the opening bracket of a nested object or array and go one
 * level deeper (the depth stops at the last of first[]). */
void cli_emit_nest(cli_emit *e, int array);
/* One level up, and the closing bracket: an emitter's `end`. */
void cli_emit_unnest(cli_emit *e, int array);
/* Bytes shown as text: printable ASCII, tab, CR and LF. */
int cli_emit_printable(const uint8_t *p, size_t n);

void cli_render_text(FILE *f, const cli_msg *msg);
void cli_render_json(FILE *f, const cli_msg *msg);
/* The same, with the decoded replication message of a CopyData
 * (render_replication.h; NULL: none) as its "replication" field. */
struct cli_repl;
void cli_render_text_repl(FILE *f, const cli_msg *msg,
                          const struct cli_repl *repl);
void cli_render_json_repl(FILE *f, const cli_msg *msg,
                          const struct cli_repl *repl);

/* s[0..n) as a JSON string literal, quotes included. */
void cli_json_string(FILE *f, const char *s, size_t n);
/* libpq's PQtrace format (PQTRACE_SUPPRESS_TIMESTAMPS |
 * PQTRACE_REGRESS_MODE) of one libpq major version, with what it has seen
 * of the conversation so far (libpq 15 starts tracing the backend after
 * AuthenticationOk and skips the ReadyForQuery ending a FunctionCall). */
/* libpq 13's parser, as far as the wire shows it: its asyncStatus and
 * the bytes it had received (render_pqtrace13_parse.c). */
typedef struct cli_pq13 {
  int async;       /* libpq's asyncStatus (PQ13_*) */
  int queryclass;  /* of the query sent last */
  int result;      /* what libpq holds as the current result */
  int pending;     /* libpq stopped after the last backend message with
                      the next one unread: it reads its header twice */
  int single_row;  /* the application asked for single-row mode */
  size_t fed;      /* backend bytes received so far (chunk ends) */
  size_t avail;    /* ... when the last backend message was complete */
  size_t ends[32]; /* backend chunk ends not yet behind a message */
  size_t nends;
} cli_pq13;

typedef struct cli_pqtrace {
  int libpq;         /* 13 to 18 */
  int authenticated; /* the backend has sent AuthenticationOk */
  int function_call; /* a FunctionCall awaits its ReadyForQuery */
  cli_pq13 pq13;     /* libpq 13 only */
} cli_pqtrace;

/* 1 if libpq major version `libpq` has a pqtrace format here (13 to 18). */
int cli_pqtrace_known(int libpq);
/* 0, or -1 for an unknown version. */
int cli_pqtrace_init(cli_pqtrace *t, int libpq);
/* A chunk of n bytes arrived in direction dir (libpq 13 reads a message
 * again when it arrives in pieces). */
void cli_pqtrace_chunk(cli_pqtrace *t, pgw_dir dir, size_t n);
/* libpq 13: the application runs its queries in single-row mode
 * (PQsetSingleRowMode), which the wire does not show. */
void cli_pqtrace_single_row(cli_pqtrace *t);
/* Print m as that libpq traces it: nothing for a message it does not
 * trace, else one line (two with a "mismatched message length" line). */
void cli_render_pqtrace_as(FILE *f, cli_pqtrace *t, const cli_msg *msg);
/* libpq 18's format (stateless). */
void cli_render_pqtrace(FILE *f, const cli_msg *msg);
/* libpq 13's (render_pqtrace13_parse.c). */
void cli_render_pqtrace13(FILE *f, cli_pqtrace *t, const cli_msg *msg);

#endif /* PGW_CLI_RENDER_H */
