/*
 * record_file.h - one connection's session file, written while the
 * connection runs: as NAME.partial (mode 0600), chunks appended through a
 * small buffer, and linked to NAME when the connection ends, never over an
 * existing file.
 */
#ifndef PGW_CLI_RECORD_FILE_H
#define PGW_CLI_RECORD_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "pgw/pgw.h"

typedef struct rec_file {
  int fd;        /* of the .partial file; -1 when closed */
  char *name;    /* NAME: where the session goes when it ends */
  char *partial; /* NAME.partial: where it is written meanwhile */
  char *buf;     /* text not yet written */
  size_t len, cap;
  long since_ms; /* when buf's oldest byte came; 0 when buf is empty */
  size_t chunks;
  int failed; /* a write failed: said once, the rest is dropped */
} rec_file;

/* Open the session of connection *number: NAME is base for number 1,
 * base-N.pgs (base without .pgs: base-N) after that; a number whose NAME
 * or NAME.partial exists is skipped, so *number may grow. Writes the
 * header and "@ note" (note may be NULL) and flushes them. 0, or -1 with
 * the reason on standard error. */
int rec_file_open(rec_file *f, const char *base, int *number, const char *note,
                  long now_ms);

/* Append a chunk, a metadata line, a comment (errors are sticky in
 * f->failed; the return value is 0 or -1). Text goes to the file when the
 * buffer fills or rec_file_flush() is called. */
int rec_file_chunk(rec_file *f, pgw_dir dir, const uint8_t *data, size_t len,
                   long now_ms);
int rec_file_meta(rec_file *f, const char *key, const char *value, long now_ms);
int rec_file_comment(rec_file *f, const char *text, long now_ms);

/* Milliseconds until the buffer is flush_ms old (0: flush now; -1: the
 * buffer is empty). */
long rec_file_due(const rec_file *f, long now_ms, long flush_ms);

/* Write the buffer to the file: 0 or -1. */
int rec_file_flush(rec_file *f);

/* Flush, close, and move NAME.partial to NAME (a link, so that an NAME
 * made meanwhile is kept; then the .partial file stays). Logs the result
 * on standard error; frees everything. 0 or -1. */
int rec_file_close(rec_file *f);

#endif
