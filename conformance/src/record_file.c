/* record_file.c - a session file written while its connection runs. */
#define _POSIX_C_SOURCE 200809L
#include "record_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"
#include "session.h"

/* Text buffered per connection before it goes to the file; larger chunk
 * lines go out directly, after what is buffered. */
#define FILE_BUF 16384

/* NAME of connection number n (see rec_file_open). */
static char *session_name(const char *base, int n) {
  size_t len = strlen(base);
  char *name = malloc(len + 24);
  const char *dot = strrchr(base, '.');
  const char *slash = strrchr(base, '/');
  if (!name) return NULL;
  if (n == 1)
    memcpy(name, base, len + 1);
  else if (dot && (!slash || dot > slash) && strcmp(dot, ".pgs") == 0)
    sprintf(name, "%.*s-%d%s", (int)(dot - base), base, n, dot);
  else
    sprintf(name, "%s-%d", base, n);
  return name;
}

/* Reserve NAME.partial for the first free number from *number on. */
static int reserve(rec_file *f, const char *base, int *number) {
  for (int tries = 0; tries < 100000; tries++, (*number)++) {
    struct stat st;
    f->name = session_name(base, *number);
    f->partial = f->name ? malloc(strlen(f->name) + 9) : NULL;
    if (!f->partial) return -1;
    sprintf(f->partial, "%s.partial", f->name);
    if (lstat(f->name, &st) != 0 && errno == ENOENT) {
      f->fd = open(f->partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (f->fd >= 0) return 0;
      if (errno != EEXIST) {
        fprintf(stderr, "pgw record: %s: %s\n", f->partial, strerror(errno));
        return -1;
      }
    }
    free(f->name);
    free(f->partial);
    f->name = f->partial = NULL;
  }
  fprintf(stderr, "pgw record: no free session file name for %s\n", base);
  return -1;
}

int rec_file_open(rec_file *f, const char *base, int *number, const char *note,
                  long now_ms) {
  memset(f, 0, sizeof *f);
  f->fd = -1;
  f->buf = malloc(FILE_BUF);
  f->cap = FILE_BUF;
  if (!f->buf || reserve(f, base, number) != 0) {
    free(f->buf);
    free(f->name);
    free(f->partial);
    if (f->fd >= 0) close(f->fd);
    memset(f, 0, sizeof *f);
    f->fd = -1;
    return -1;
  }
  memcpy(f->buf, "pgw-session 1\n", 14);
  f->len = 14;
  f->since_ms = now_ms;
  if (note) rec_file_meta(f, "note", note, now_ms);
  return rec_file_flush(f);
}

/* Make room for n more bytes of text (flushing first if needed); 1 if
 * they fit in the buffer, 0 if they must be written directly. */
static int room(rec_file *f, size_t n) {
  if (f->len + n <= f->cap) return 1;
  rec_file_flush(f);
  return n <= f->cap;
}

static void mark(rec_file *f, long now_ms) {
  if (f->since_ms == 0) f->since_ms = now_ms ? now_ms : 1;
}

/* Text lines too long for the buffer are formatted here (one process, one
 * thread: shared by every connection) and written directly. */
static char *big;
static size_t big_cap;

static int write_direct(rec_file *f, pgw_dir dir, const uint8_t *data,
                        size_t len) {
  size_t n = PGS_CHUNK_LINE_LEN(len);
  if (n > big_cap) {
    char *p = realloc(big, n);
    if (!p) return -1;
    big = p;
    big_cap = n;
  }
  n = pgs_format_chunk(big, dir, data, len);
  return cli_write_all(f->fd, big, n);
}

static int failed(rec_file *f) {
  if (!f->failed)
    fprintf(stderr, "pgw record: %s: %s; the rest is not recorded\n",
            f->partial, errno ? strerror(errno) : "write error");
  f->failed = 1;
  return -1;
}

int rec_file_chunk(rec_file *f, pgw_dir dir, const uint8_t *data, size_t len,
                   long now_ms) {
  size_t n = PGS_CHUNK_LINE_LEN(len);
  if (f->failed) return -1;
  if (len == 0) return 0;
  f->chunks++;
  if (room(f, n)) {
    f->len += pgs_format_chunk(f->buf + f->len, dir, data, len);
    mark(f, now_ms);
    return 0;
  }
  if (f->failed || write_direct(f, dir, data, len) != 0) return failed(f);
  return 0;
}

/* Append one line (a newline in text becomes a space). */
static int text_line(rec_file *f, const char *a, const char *b, long now_ms) {
  size_t na = strlen(a), nb = strlen(b), i;
  if (f->failed) return -1;
  if (na + nb + 1 > f->cap) nb = f->cap - na - 1;
  if (!room(f, na + nb + 1)) return failed(f);
  memcpy(f->buf + f->len, a, na);
  for (i = 0; i < nb; i++)
    f->buf[f->len + na + i] = b[i] == '\n' || b[i] == '\r' ? ' ' : b[i];
  f->buf[f->len + na + nb] = '\n';
  f->len += na + nb + 1;
  mark(f, now_ms);
  return 0;
}

int rec_file_meta(rec_file *f, const char *key, const char *value,
                  long now_ms) {
  char head[64];
  snprintf(head, sizeof head, "@ %s ", key);
  return text_line(f, head, value, now_ms);
}

int rec_file_comment(rec_file *f, const char *text, long now_ms) {
  return text_line(f, "# ", text, now_ms);
}

long rec_file_due(const rec_file *f, long now_ms, long flush_ms) {
  long age;
  if (f->len == 0 || f->fd < 0) return -1;
  age = now_ms - f->since_ms;
  return age >= flush_ms ? 0 : flush_ms - age;
}

int rec_file_flush(rec_file *f) {
  size_t n = f->len;
  f->len = 0;
  f->since_ms = 0;
  if (f->failed) return -1;
  if (n && cli_write_all(f->fd, f->buf, n) != 0) return failed(f);
  return 0;
}

/* NAME.partial becomes NAME unless NAME exists: a hard link fails rather
 * than replace; where links are not supported, a rename after a check. */
static int publish(const rec_file *f) {
  struct stat st;
  if (link(f->partial, f->name) == 0) {
    unlink(f->partial);
    return 0;
  }
  if (errno == EEXIST) return -1;
  if (lstat(f->name, &st) == 0) {
    errno = EEXIST;
    return -1;
  }
  return rename(f->partial, f->name);
}

int rec_file_close(rec_file *f) {
  int rc = 0;
  if (f->fd < 0) return 0;
  rc |= rec_file_flush(f);
  rc |= f->failed ? -1 : 0;
  if (close(f->fd) != 0) rc = failed(f);
  if (publish(f) == 0) {
    fprintf(stderr, "pgw record: wrote %s (%zu chunks)\n", f->name, f->chunks);
  } else {
    fprintf(stderr, "pgw record: kept %s (%zu chunks): %s: %s\n", f->partial,
            f->chunks, f->name, strerror(errno));
    rc = -1;
  }
  free(f->buf);
  free(f->name);
  free(f->partial);
  memset(f, 0, sizeof *f);
  f->fd = -1;
  return rc ? -1 : 0;
}
