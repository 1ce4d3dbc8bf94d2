/*
 * session.h - reading and writing session files (*.pgs), version 1, as
 * conformance/SESSION-FORMAT.md specifies. The reader is strict: anything the
 * format does not allow is rejected with "FILE:LINE: reason".
 */
#ifndef PGW_CLI_SESSION_H
#define PGW_CLI_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pgw/pgw.h"

/* One line that matters, in file order: a chunk of bytes or a metadata
 * entry (its position matters for "@ tls on"). */
typedef enum pgs_item_kind { PGS_CHUNK, PGS_META } pgs_item_kind;

typedef struct pgs_item {
  pgs_item_kind kind;
  size_t line;   /* 1-based line number in the file */
  pgw_dir dir;   /* PGS_CHUNK */
  uint8_t *data; /* PGS_CHUNK: len >= 1 bytes */
  size_t len;
  char *key;   /* PGS_META: one word */
  char *value; /* PGS_META: the rest of the line */
} pgs_item;

typedef struct pgs_session {
  pgs_item *items;
  size_t count;
  size_t cap;
  /* A file named *.partial (a recorder still writing it, or killed): 1,
   * and stop_line is the line after the last whole one when the file ends
   * inside a line (that line is not read), else 0. */
  int partial;
  size_t stop_line;
} pgs_session;

/* Parse text[0..len) named name (for messages). If name ends in ".partial"
 * a last line without its LF is left out (see pgs_session.stop_line). 0 on
 * success; -1 with err holding "name:LINE: reason" (or "name: reason"). On
 * failure the session is freed. */
int pgs_parse(const char *name, const char *text, size_t len, pgs_session *s,
              char *err, size_t errlen);

/* Read and parse a file ("-" is standard input). */
int pgs_read_file(const char *path, pgs_session *s, char *err, size_t errlen);

void pgs_free(pgs_session *s);

/* Value of the first metadata entry with this key, or NULL. */
const char *pgs_meta(const pgs_session *s, const char *key);

/* Writers. Metadata values must not hold a newline (replaced by spaces). */
int pgs_write_header(FILE *f);
int pgs_write_meta(FILE *f, const char *key, const char *value);
int pgs_write_comment(FILE *f, const char *text);
/* One chunk as one line (chunk boundaries are part of the session), hex
 * in groups of 4 bytes separated by spaces. */
int pgs_write_chunk(FILE *f, pgw_dir dir, const uint8_t *data, size_t len);

/* Bytes pgs_format_chunk() writes for a chunk of len bytes, LF included. */
#define PGS_CHUNK_LINE_LEN(len)                                                \
  (2 + 2 * (size_t)(len) + ((size_t)(len) + 3) / 4)

/* The line pgs_write_chunk() writes, into out (room for
 * PGS_CHUNK_LINE_LEN(len) bytes, not NUL-terminated); returns its length.
 * len >= 1. */
size_t pgs_format_chunk(char *out, pgw_dir dir, const uint8_t *data,
                        size_t len);

#endif /* PGW_CLI_SESSION_H */
