/*
 * fuzz_session_writer.c - the recorder's session writer (conformance/src/
 * record_file.c) and the session reader (session.c) under torn writes.
 *
 * Input: records of an op byte, a length byte L and L bytes. Op & 7:
 * 0/1 a frontend/backend chunk of those bytes, 2/3 the same repeated 256
 * times (a line longer than the writer's buffer: written directly), 4 a
 * metadata line (key chosen by the first byte, the rest its value: any
 * printable ASCII, newlines too, which the writer turns into spaces), 5 a
 * comment, 6 a flush; 7 ends the ops, its two bytes choose where the file
 * is cut.
 *
 * Checks: every prefix of the NAME.partial file as written so far (a
 * recorder killed at any byte) parses as a partial session whose items
 * are a prefix of what was written, chunk for chunk and line for line,
 * a cut line left out and named (stop_line); the whole .partial file
 * holds every item; after rec_file_close() the file NAME holds them too
 * and the .partial file is gone.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "record_file.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ITEMS 512

typedef struct expected {
  pgs_item_kind kind;
  pgw_dir dir;
  const char *key;
  uint8_t *bytes; /* chunk bytes, or the value as the file holds it */
  size_t len;
} expected;

static const char *const keys[4] = {"server", "client", "note", "tls"};

static char dir_path[64];

static void setup(void) {
  if (dir_path[0]) return;
  snprintf(dir_path, sizeof dir_path, "/tmp/pgw-fuzz-writer-XXXXXX");
  FUZZ_ASSERT(mkdtemp(dir_path) != NULL);
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  FUZZ_ASSERT(f != NULL);
  char *buf = NULL;
  size_t cap = 0, n = 0, got;
  do {
    if (n == cap) {
      cap = cap ? cap * 2 : 65536;
      buf = realloc(buf, cap);
      FUZZ_ASSERT(buf != NULL);
    }
    got = fread(buf + n, 1, cap - n, f);
    n += got;
  } while (got > 0);
  fclose(f);
  *len = n;
  return buf;
}

/* s's items are the first s->count of want (all of them if whole). */
static void same_items(const pgs_session *s, const expected *want, size_t n,
                       int whole) {
  FUZZ_ASSERT(s->count <= n);
  if (whole) FUZZ_ASSERT(s->count == n);
  for (size_t i = 0; i < s->count; i++) {
    const pgs_item *it = &s->items[i];
    FUZZ_ASSERT(it->kind == want[i].kind);
    if (it->kind == PGS_CHUNK) {
      FUZZ_ASSERT(it->dir == want[i].dir && it->len == want[i].len);
      FUZZ_ASSERT(memcmp(it->data, want[i].bytes, it->len) == 0);
    } else {
      FUZZ_ASSERT(strcmp(it->key, want[i].key) == 0);
      FUZZ_ASSERT(strlen(it->value) == want[i].len);
      FUZZ_ASSERT(memcmp(it->value, want[i].bytes, want[i].len) == 0);
    }
  }
}

/* Every byte of a torn file: what a reader gets before the recorder
 * finished. The header line itself must be whole. */
static void check_cut(const char *text, size_t len, size_t cut,
                      const expected *want, size_t n) {
  static const char header[] = "pgw-session 1\n";
  pgs_session s;
  char err[256];
  if (cut < sizeof header - 1) return;
  FUZZ_ASSERT(pgs_parse("cut.pgs.partial", text, cut, &s, err, sizeof err) ==
              0);
  FUZZ_ASSERT(s.partial == 1);
  int torn = text[cut - 1] != '\n';
  FUZZ_ASSERT(torn == (s.stop_line != 0));
  same_items(&s, want, n, cut == len);
  pgs_free(&s);
}

/* The meta value as the file holds it: newlines become spaces, and a
 * value the parser would trim at the ends is not generated (see below). */
static size_t add_meta(expected *e, const uint8_t *p, size_t n) {
  e->kind = PGS_META;
  e->key = keys[p[0] & 3];
  e->bytes = malloc(n ? n : 1);
  FUZZ_ASSERT(e->bytes != NULL);
  size_t k = 0;
  for (size_t i = 1; i < n; i++) {
    uint8_t c = p[i] == '\n' || p[i] == '\r' ? ' ' : p[i];
    if (c < 0x20 || c > 0x7e) c = 'x'; /* printable ASCII */
    e->bytes[k++] = c;
  }
  if (k && e->bytes[0] == ' ') e->bytes[0] = 'x'; /* no blank at the ends */
  if (k && e->bytes[k - 1] == ' ') e->bytes[k - 1] = 'x';
  e->len = k;
  return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static expected want[MAX_ITEMS];
  size_t n = 0, at = 0, cut_at = 0;
  char base[128];
  rec_file f;
  int number = 1;
  setup();
  snprintf(base, sizeof base, "%s/s.pgs", dir_path);
  FUZZ_ASSERT(rec_file_open(&f, base, &number, NULL, 1) == 0);
  while (at + 2 <= size && n < MAX_ITEMS) {
    uint8_t op = data[at] & 7;
    size_t len = data[at + 1];
    const uint8_t *p = data + at + 2;
    if (len > size - at - 2) len = size - at - 2;
    at += 2 + len;
    if (op == 7) {
      cut_at = len >= 2 ? (size_t)p[0] << 8 | p[1] : 0;
      break;
    }
    if (op <= 3 && len > 0) {
      size_t times = op >= 2 ? 256 : 1;
      expected *e = &want[n++];
      e->kind = PGS_CHUNK;
      e->dir = (op & 1) ? PGW_BACKEND : PGW_FRONTEND;
      e->len = len * times;
      e->bytes = malloc(e->len);
      FUZZ_ASSERT(e->bytes != NULL);
      for (size_t t = 0; t < times; t++)
        memcpy(e->bytes + t * len, p, len);
      FUZZ_ASSERT(rec_file_chunk(&f, e->dir, e->bytes, e->len, 2) == 0);
    } else if (op == 4 && len > 0) {
      expected *e = &want[n];
      add_meta(e, p, len);
      char value[256];
      memcpy(value, e->bytes, e->len);
      value[e->len] = '\0';
      if (e->len == 0) { /* "@ key" without a value: not generated */
        free(e->bytes);
        continue;
      }
      n++;
      FUZZ_ASSERT(rec_file_meta(&f, e->key, value, 3) == 0);
    } else if (op == 5) {
      char text[256];
      for (size_t i = 0; i < len; i++)
        text[i] = p[i] ? (char)p[i] : ' ';
      text[len] = '\0';
      FUZZ_ASSERT(rec_file_comment(&f, text, 4) == 0);
    } else if (op == 6) {
      FUZZ_ASSERT(rec_file_flush(&f) == 0);
    }
  }
  FUZZ_ASSERT(rec_file_flush(&f) == 0);

  size_t len;
  char *text = slurp(f.partial, &len);
  check_cut(text, len, len, want, n);
  if (len) check_cut(text, len, cut_at % (len + 1), want, n);
  free(text);

  char name[160];
  snprintf(name, sizeof name, "%s", f.name);
  int err = dup(2), null = open("/dev/null", O_WRONLY); /* its log line */
  dup2(null, 2);
  int closed = rec_file_close(&f);
  dup2(err, 2);
  close(err);
  close(null);
  FUZZ_ASSERT(closed == 0);
  struct stat st;
  FUZZ_ASSERT(stat(name, &st) == 0 && (st.st_mode & 0777) == 0600);
  text = slurp(name, &len);
  pgs_session s;
  char why[256];
  FUZZ_ASSERT(pgs_parse("done.pgs", text, len, &s, why, sizeof why) == 0);
  same_items(&s, want, n, 1);
  pgs_free(&s);
  free(text);
  unlink(name);
  for (size_t i = 0; i < n; i++)
    free(want[i].bytes);
  return 0;
}
