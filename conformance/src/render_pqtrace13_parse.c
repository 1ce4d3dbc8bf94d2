/*
 * render_pqtrace13_parse.c - when libpq 13 reads each backend message and
 * how often: its PQtrace prints every primitive read, so a message read
 * twice is traced twice. libpq 13 reads a message's type and length again
 * (fe-protocol3.c, fe-connect.c):
 *
 *  - when the message is not yet all in its buffer: it reads the type and
 *    length, finds the body short and returns; when more bytes arrive it
 *    starts again from the type. pgw takes the session's chunks for what
 *    libpq received: each chunk ending inside a message adds one partial
 *    read (the type only while fewer than 5 bytes are in).
 *  - when it has stopped parsing with a result to hand over (asyncStatus
 *    READY: after CommandComplete, ErrorResponse, EmptyQueryResponse, a
 *    Describe's RowDescription or NoData, a Prepare's ParseComplete, each
 *    DataRow in single-row mode) or after CopyOutResponse or
 *    CopyBothResponse: pqParseInput3 goes on to the next message, reads
 *    its type and length and leaves it for the next call, when it reads
 *    it again. Only if that message's first bytes had arrived with the
 *    one before it (in the same chunk); NotificationResponse and
 *    NoticeResponse are read whole then, in any state.
 *  - in COPY OUT, getCopyDataMessage reads the type and length of each
 *    message and hands CopyData over without tracing its bytes; a
 *    CopyDone or any other message ends the COPY and is read again by
 *    pqParseInput3.
 *
 * Messages libpq reads while idle other than ErrorResponse,
 * ParameterStatus, NoticeResponse and NotificationResponse, DataRow after
 * an error, and CopyData outside COPY are skipped after their header.
 * FunctionCall's answers are read in order by pqFunctionCall3.
 */
#include <string.h>

#include "render_pqtrace13.h"

enum {
  PQ13_IDLE,
  PQ13_BUSY,
  PQ13_READY,
  PQ13_COPY_IN,
  PQ13_COPY_OUT,
  PQ13_COPY_BOTH
};
enum { PQ13_SIMPLE, PQ13_EXTENDED, PQ13_PREPARE, PQ13_DESCRIBE };
/* conn->result: none, tuples (after RowDescription), an error, other */
enum { PQ13_NONE, PQ13_TUPLES, PQ13_FATAL, PQ13_OTHER };

void cli_pqtrace_chunk(cli_pqtrace *t, pgw_dir dir, size_t n) {
  cli_pq13 *s = &t->pq13;
  if (t->libpq != 13 || dir != PGW_BACKEND) return;
  s->fed += n;
  if (s->nends == sizeof s->ends / sizeof s->ends[0]) { /* keep the last */
    memmove(s->ends, s->ends + 1, (s->nends - 1) * sizeof s->ends[0]);
    s->nends--;
  }
  s->ends[s->nends++] = s->fed;
}

void cli_pqtrace_single_row(cli_pqtrace *t) {
  t->pq13.single_row = 1;
}

/* The type, and the length if all its 4 bytes are in: `have` bytes. */
static void header_of(FILE *f, const pgw_message *m, size_t have) {
  if (have == 0) return;
  pq13_get_char(f, m->type);
  if (have >= 5) pq13_get_int(f, 4, (long long)(m->wire_len - 1));
}

static void header(FILE *f, const pgw_message *m) {
  header_of(f, m, 5);
}

/* The partial reads of m while it arrived: one per chunk ending in it. */
static void pieces(cli_pq13 *s, FILE *f, const pgw_message *m) {
  size_t end = m->offset + m->wire_len, i, keep = 0;
  for (i = 0; i < s->nends; i++) {
    size_t c = s->ends[i];
    if (c > m->offset && c < end) header_of(f, m, c - m->offset);
    if (c > end) s->ends[keep++] = c;
  }
  s->nends = keep;
}

/* The read that stopped before m: what of m had arrived then. */
static void reread(cli_pq13 *s, FILE *f, const pgw_message *m) {
  size_t have;
  if (s->avail <= m->offset) return;
  have = s->avail - m->offset;
  header_of(f, m, have < 5 ? have : 5);
}

/* pqParseInput3 with asyncStatus BUSY: m's header is printed. */
static void busy(cli_pq13 *s, FILE *f, const pgw_message *m) {
  int describe = s->queryclass == PQ13_DESCRIBE;
  switch (m->type) {
  case 'C': /* ends the result, in single-row mode too */
    pq13_get_body(f, m);
    s->result = PQ13_OTHER;
    s->async = PQ13_READY;
    break;
  case 'E':
    pq13_get_body(f, m);
    s->result = PQ13_FATAL;
    s->async = PQ13_READY;
    break;
  case 'Z':
    pq13_get_body(f, m);
    s->async = PQ13_IDLE;
    break;
  case 'I': s->async = PQ13_READY; break;
  case '1':
    if (s->queryclass == PQ13_PREPARE) s->async = PQ13_READY;
    break;
  case 'n':
    if (describe) s->async = PQ13_READY;
    break;
  case 'T':
    if (s->result == PQ13_FATAL) break; /* skipped to the query's end */
    if (s->result != PQ13_NONE && !describe) {
      /* a second RowDescription starts another result: left unread */
      s->async = PQ13_READY;
      s->result = PQ13_NONE;
      header(f, m);
      s->async = PQ13_BUSY;
      busy(s, f, m);
      return;
    }
    pq13_get_body(f, m);
    s->result = PQ13_TUPLES;
    if (describe) s->async = PQ13_READY;
    break;
  case 'D':
    if (s->result != PQ13_TUPLES) break; /* skipped */
    pq13_get_body(f, m);
    if (s->single_row) s->async = PQ13_READY;
    break;
  case 'G':
    pq13_get_body(f, m);
    s->async = PQ13_COPY_IN;
    break;
  case 'H':
    pq13_get_body(f, m);
    s->async = PQ13_COPY_OUT;
    break;
  case 'W':
    pq13_get_body(f, m);
    s->async = PQ13_COPY_BOTH;
    break;
  case 'd': /* stray CopyData: skipped */
  case 'c':
  case '2':
  case '3':
  case 's': break;
  case 'S':
  case 'K':
  case 't': pq13_get_body(f, m); break;
  default: s->async = PQ13_READY; /* unexpected: skipped, an error result */
  }
}

/* getCopyDataMessage in COPY OUT (or BOTH): m's header is printed. */
static void copy_out(cli_pq13 *s, FILE *f, const pgw_message *m) {
  switch (m->type) {
  case 'A':
  case 'N':
  case 'S': pq13_get_body(f, m); return;
  case 'd': return; /* handed to PQgetCopyData untraced */
  case 'c':
    s->async = s->async == PQ13_COPY_BOTH ? PQ13_COPY_IN : PQ13_BUSY;
    break;
  default: s->async = PQ13_BUSY;
  }
  header(f, m); /* read again by pqParseInput3 */
  if (s->async == PQ13_BUSY) busy(s, f, m);
}

/* pqParseInput3 (or getCopyDataMessage in COPY OUT). */
static void parse_input(cli_pq13 *s, FILE *f, const pgw_message *m) {
  header(f, m);
  if (s->async == PQ13_COPY_OUT || s->async == PQ13_COPY_BOTH) {
    copy_out(s, f, m);
  } else if (m->type == 'A' || m->type == 'N') {
    pq13_get_body(f, m);
  } else if (s->async == PQ13_BUSY) {
    busy(s, f, m);
  } else if (s->async == PQ13_IDLE && (m->type == 'E' || m->type == 'S')) {
    pq13_get_body(f, m);
  }
}

/* The application takes the result libpq had ready: parsing resumes. */
static void resume(cli_pq13 *s) {
  if (s->async == PQ13_READY) {
    s->async = PQ13_BUSY;
    /* single-row mode keeps the tuples result for the next row */
    if (!(s->single_row && s->result == PQ13_TUPLES)) s->result = PQ13_NONE;
  }
}

static void backend(cli_pqtrace *t, FILE *f, const pgw_message *m) {
  cli_pq13 *s = &t->pq13;
  int stops;
  if (s->pending && (m->type == 'A' || m->type == 'N') &&
      s->avail >= m->offset + m->wire_len) {
    pieces(s, f, m);
    header(f, m); /* read whole by the stopped parse, in any state */
    pq13_get_body(f, m);
    return;
  }
  if (s->pending) {
    reread(s, f, m);
    resume(s);
    s->pending = 0;
  }
  pieces(s, f, m);
  if (t->function_call) {
    header(f, m); /* pqFunctionCall3 */
    pq13_get_body(f, m);
    if (m->type == 'Z') t->function_call = 0;
    return;
  }
  parse_input(s, f, m);
  stops = s->async == PQ13_READY ||
          (m->type == 'H' && s->async == PQ13_COPY_OUT) ||
          (m->type == 'W' && s->async == PQ13_COPY_BOTH);
  if (stops) {
    s->pending = 1;
    s->avail = s->fed;
  }
}

/* PQconnectPoll: the answer to SSLRequest or GSSENCRequest (one byte),
 * then Authentication requests and an ErrorResponse. */
static void connecting(cli_pqtrace *t, FILE *f, const pgw_message *m) {
  if (m->kind == PGW_MSG_SSL_RESPONSE || m->kind == PGW_MSG_GSSENC_RESPONSE) {
    pq13_get_body(f, m);
    return;
  }
  pieces(&t->pq13, f, m);
  header(f, m);
  pq13_get_body(f, m);
  if (m->kind == PGW_MSG_AUTHENTICATION && !m->malformed &&
      m->body.auth.code == PGW_AUTH_OK) {
    t->authenticated = 1;
    t->pq13.async = PQ13_BUSY;
  }
}

/* What a frontend message tells of libpq's state once it is sent. */
static void frontend(cli_pqtrace *t, const pgw_message *m) {
  cli_pq13 *s = &t->pq13;
  switch (m->kind) {
  case PGW_MSG_QUERY: s->queryclass = PQ13_SIMPLE; break;
  case PGW_MSG_PARSE: s->queryclass = PQ13_PREPARE; break;
  case PGW_MSG_DESCRIBE: s->queryclass = PQ13_DESCRIBE; break;
  case PGW_MSG_BIND:
  case PGW_MSG_EXECUTE: s->queryclass = PQ13_EXTENDED; break;
  case PGW_MSG_FUNCTION_CALL: t->function_call = 1; break;
  case PGW_MSG_COPY_DONE:
  case PGW_MSG_COPY_FAIL:
    s->async = s->async == PQ13_COPY_BOTH ? PQ13_COPY_OUT : PQ13_BUSY;
    return;
  default: return;
  }
  if (m->kind == PGW_MSG_QUERY || m->kind == PGW_MSG_PARSE ||
      m->kind == PGW_MSG_DESCRIBE || m->kind == PGW_MSG_BIND) {
    s->async = PQ13_BUSY;
    s->result = PQ13_NONE;
    s->pending = 0;
  }
}

void cli_render_pqtrace13(FILE *f, cli_pqtrace *t, const cli_msg *msg) {
  const pgw_message *m = msg->m;
  if (msg->dir == PGW_FRONTEND) {
    /* PQcancel writes on its own socket, untraced */
    if (m->kind == PGW_MSG_CANCEL_REQUEST) return;
    pq13_put(f, m);
    frontend(t, m);
  } else if (!t->authenticated) {
    connecting(t, f, m);
  } else {
    backend(t, f, m);
  }
}
