/* session.c - strict reader and writer of session files (*.pgs). */
#include "session.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char header[] = "pgw-session 1";

static int fail(char *err, size_t errlen, const char *name, size_t line,
                const char *fmt, ...) {
  va_list ap;
  int n;
  if (line)
    n = snprintf(err, errlen, "%s:%zu: ", name, line);
  else
    n = snprintf(err, errlen, "%s: ", name);
  if (n < 0 || (size_t)n >= errlen) return -1;
  va_start(ap, fmt);
  vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

static pgs_item *push(pgs_session *s) {
  pgs_item *items = cli_grow(s->items, s->count, &s->cap, sizeof *items);
  if (!items) return NULL;
  s->items = items;
  memset(&s->items[s->count], 0, sizeof s->items[0]);
  return &s->items[s->count++];
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int is_blank(char c) {
  return c == ' ' || c == '\t';
}

/* Parse the hex part of a chunk line into it. */
static int parse_chunk(const char *p, size_t n, pgs_item *it, const char *name,
                       size_t line, char *err, size_t errlen) {
  size_t digits = 0, i, k = 0;
  int hi = -1;
  for (i = 0; i < n; i++) {
    if (is_blank(p[i])) continue;
    if (hexval(p[i]) < 0) {
      unsigned char c = (unsigned char)p[i];
      if (c >= 0x21 && c < 0x7f)
        return fail(err, errlen, name, line, "chunk: '%c' is not a hex digit",
                    p[i]);
      return fail(err, errlen, name, line,
                  "chunk: byte 0x%02x is not a hex digit", c);
    }
    digits++;
  }
  if (digits == 0) return fail(err, errlen, name, line, "chunk holds no bytes");
  if (digits % 2)
    return fail(err, errlen, name, line,
                "chunk has an odd number of hex digits (%zu)", digits);
  it->data = malloc(digits / 2);
  if (!it->data) return fail(err, errlen, name, line, "out of memory");
  it->len = digits / 2;
  for (i = 0; i < n; i++) {
    int v = hexval(p[i]);
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      it->data[k++] = (uint8_t)(hi << 4 | v);
      hi = -1;
    }
  }
  return 0;
}

/* Parse "@ key value" (p points after "@ "). */
static int parse_meta(const char *p, size_t n, pgs_item *it, const char *name,
                      size_t line, char *err, size_t errlen) {
  size_t k = 0;
  while (k < n && !is_blank(p[k]))
    k++;
  if (k == 0)
    return fail(err, errlen, name, line, "metadata: missing key after '@ '");
  if (k == n || k + 1 == n)
    return fail(err, errlen, name, line, "metadata '%.*s': missing value",
                (int)(k > 40 ? 40 : k), p);
  if (p[k] != ' ')
    return fail(err, errlen, name, line,
                "metadata: key and value must be separated by one space");
  it->key = cli_dup(p, k);
  it->value = cli_dup(p + k + 1, n - k - 1);
  if (!it->key || !it->value)
    return fail(err, errlen, name, line, "out of memory");
  return 0;
}

static int parse_line(const char *p, size_t n, pgs_session *s, const char *name,
                      size_t line, char *err, size_t errlen) {
  size_t i;
  pgs_item *it;
  for (i = 0; i < n && is_blank(p[i]); i++) {
  }
  if (i == n) return 0; /* blank */
  if (p[0] == '#') return 0;
  if ((p[0] == 'F' || p[0] == 'B') && n >= 2 && is_blank(p[1])) {
    if (!(it = push(s))) return fail(err, errlen, name, line, "out of memory");
    it->kind = PGS_CHUNK;
    it->line = line;
    it->dir = p[0] == 'F' ? PGW_FRONTEND : PGW_BACKEND;
    return parse_chunk(p + 2, n - 2, it, name, line, err, errlen);
  }
  if ((p[0] == 'F' || p[0] == 'B') && n == 1)
    return fail(err, errlen, name, line, "chunk holds no bytes");
  if (p[0] == '@' && n >= 2 && p[1] == ' ') {
    if (!(it = push(s))) return fail(err, errlen, name, line, "out of memory");
    it->kind = PGS_META;
    it->line = line;
    return parse_meta(p + 2, n - 2, it, name, line, err, errlen);
  }
  if (p[0] == '@')
    return fail(err, errlen, name, line, "metadata: expected '@ KEY VALUE'");
  return fail(err, errlen, name, line,
              "expected a chunk ('F ' or 'B ' and hex), metadata ('@ '), "
              "a comment ('#') or a blank line");
}

static int is_partial_name(const char *name) {
  size_t n = strlen(name);
  return n > 8 && strcmp(name + n - 8, ".partial") == 0;
}

int pgs_parse(const char *name, const char *text, size_t len, pgs_session *s,
              char *err, size_t errlen) {
  size_t pos = 0, line = 0;
  memset(s, 0, sizeof *s);
  if (len == 0) return fail(err, errlen, name, 0, "empty file");
  s->partial = is_partial_name(name);
  while (pos < len) {
    const char *p = text + pos;
    const char *nl = memchr(p, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - p) : len - pos;
    line++;
    if (!nl && s->partial && line > 1) {
      s->stop_line = line; /* cut while being written: not a whole line */
      break;
    }
    if (memchr(p, '\0', n)) {
      pgs_free(s);
      return fail(err, errlen, name, line, "NUL byte in a session file");
    }
    if (n && p[n - 1] == '\r') {
      pgs_free(s);
      return fail(err, errlen, name, line,
                  "carriage return: lines end with LF only");
    }
    if (line == 1) {
      if (n != sizeof header - 1 || memcmp(p, header, n) != 0) {
        pgs_free(s);
        if (n > 12 && memcmp(p, "pgw-session ", 12) == 0)
          return fail(err, errlen, name, line,
                      "unsupported session version '%.*s' (expected 1)",
                      (int)(n - 12 > 20 ? 20 : n - 12), p + 12);
        return fail(err, errlen, name, line,
                    "first line must be exactly 'pgw-session 1'");
      }
    } else if (parse_line(p, n, s, name, line, err, errlen) != 0) {
      pgs_free(s);
      return -1;
    }
    pos += n + (nl ? 1 : 0);
  }
  return 0;
}

int pgs_read_file(const char *path, pgs_session *s, char *err, size_t errlen) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int rc;
  memset(s, 0, sizeof *s);
  if (!f) return fail(err, errlen, path, 0, "%s", strerror(errno));
  for (;;) {
    size_t n;
    if (len == cap) {
      size_t ncap = cap ? cap * 2 : 65536;
      char *nb = realloc(buf, ncap);
      if (!nb) {
        free(buf);
        if (f != stdin) fclose(f);
        return fail(err, errlen, path, 0, "out of memory");
      }
      buf = nb;
      cap = ncap;
    }
    n = fread(buf + len, 1, cap - len, f);
    len += n;
    if (n == 0) break;
  }
  if (ferror(f)) {
    free(buf);
    if (f != stdin) fclose(f);
    return fail(err, errlen, path, 0, "read error");
  }
  if (f != stdin) fclose(f);
  rc = pgs_parse(path, buf, len, s, err, errlen);
  free(buf);
  return rc;
}

void pgs_free(pgs_session *s) {
  size_t i;
  for (i = 0; i < s->count; i++) {
    free(s->items[i].data);
    free(s->items[i].key);
    free(s->items[i].value);
  }
  free(s->items);
  memset(s, 0, sizeof *s);
}

const char *pgs_meta(const pgs_session *s, const char *key) {
  size_t i;
  for (i = 0; i < s->count; i++)
    if (s->items[i].kind == PGS_META && strcmp(s->items[i].key, key) == 0)
      return s->items[i].value;
  return NULL;
}

int pgs_write_header(FILE *f) {
  return fprintf(f, "%s\n", header) < 0 ? -1 : 0;
}

int pgs_write_meta(FILE *f, const char *key, const char *value) {
  const char *v;
  if (fprintf(f, "@ %s ", key) < 0) return -1;
  for (v = value; *v; v++)
    if (fputc(*v == '\n' || *v == '\r' ? ' ' : *v, f) == EOF) return -1;
  return fputc('\n', f) == EOF ? -1 : 0;
}

int pgs_write_comment(FILE *f, const char *text) {
  return fprintf(f, "# %s\n", text) < 0 ? -1 : 0;
}

size_t pgs_format_chunk(char *out, pgw_dir dir, const uint8_t *data,
                        size_t len) {
  static const char hexd[] = "0123456789abcdef";
  char *o = out;
  size_t i;
  *o++ = dir == PGW_FRONTEND ? 'F' : 'B';
  for (i = 0; i < len; i++) {
    if (i % 4 == 0) *o++ = ' ';
    *o++ = hexd[data[i] >> 4];
    *o++ = hexd[data[i] & 15];
  }
  *o++ = '\n';
  return (size_t)(o - out);
}

int pgs_write_chunk(FILE *f, pgw_dir dir, const uint8_t *data, size_t len) {
  static const char hexd[] = "0123456789abcdef";
  size_t i;
  if (len == 0) return 0;
  if (fputc(dir == PGW_FRONTEND ? 'F' : 'B', f) == EOF) return -1;
  for (i = 0; i < len; i++) {
    if (i % 4 == 0 && fputc(' ', f) == EOF) return -1;
    if (fputc(hexd[data[i] >> 4], f) == EOF) return -1;
    if (fputc(hexd[data[i] & 15], f) == EOF) return -1;
  }
  return fputc('\n', f) == EOF ? -1 : 0;
}
