/* certify_script.c - splitting script lines, parsing answers and hex. */
#include "certify_script.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgw/pgw.h"

static char unescape(char c) {
  switch (c) {
  case 'n': return '\n';
  case 't': return '\t';
  case 'r': return '\r';
  default: return c;
  }
}

void cert_line_free(cert_line *l) {
  free(l->store);
  l->store = NULL;
  l->cap = 0;
}

/* Room for the words of an n-byte line (each word at most its text plus
 * a NUL). */
static int room(cert_line *l, size_t n) {
  char *p;
  if (l->cap >= 2 * n + 2) return 0;
  p = realloc(l->store, 2 * n + 2);
  if (!p) return -1;
  l->store = p;
  l->cap = 2 * n + 2;
  return 0;
}

int cert_line_split(cert_line *l, const char *text, size_t n, char *err,
                    size_t en) {
  size_t i = 0, o = 0;
  l->argc = 0;
  if (room(l, n) != 0) {
    snprintf(err, en, "out of memory");
    return -1;
  }
  while (i < n) {
    int quoted = 0;
    while (i < n && isspace((unsigned char)text[i]))
      i++;
    if (i >= n) break;
    if (l->argc >= CERT_MAX_WORDS) {
      snprintf(err, en, "more than %d words in a script line", CERT_MAX_WORDS);
      return -1;
    }
    l->argv[l->argc++] = l->store + o;
    while (i < n && (quoted || !isspace((unsigned char)text[i]))) {
      char c = text[i++];
      if (c == '"')
        quoted = !quoted;
      else if (c == '\\' && quoted && i < n)
        l->store[o++] = unescape(text[i++]);
      else
        l->store[o++] = c;
    }
    if (quoted) {
      snprintf(err, en, "unterminated quote");
      return -1;
    }
    l->store[o++] = '\0';
  }
  return 0;
}

/* A message kind by type byte or documentation name; -1 if neither. */
static int kind_named(const char *name, size_t n) {
  int k;
  if (n == 1 && pgw_kind_of(PGW_BACKEND, (uint8_t)name[0]) != PGW_MSG_UNKNOWN)
    return (int)pgw_kind_of(PGW_BACKEND, (uint8_t)name[0]);
  for (k = 1; k < PGW_MSG_KIND_COUNT; k++) {
    const char *kn = pgw_kind_name((pgw_kind)k);
    if (strlen(kn) == n && memcmp(kn, name, n) == 0) return k;
  }
  return -1;
}

static int special_named(cert_tok *t, const char *name, size_t n) {
  if (n == 4 && memcmp(name, "AUTH", 4) == 0)
    t->kind = CERT_T_AUTH;
  else if (n == 5 && memcmp(name, "close", 5) == 0)
    t->kind = CERT_T_CLOSE;
  else if (n == 1 && name[0] == '.')
    t->kind = CERT_T_ANY;
  else if (n == 5 && memcmp(name, "bytes", 5) == 0)
    t->kind = CERT_T_BYTES;
  else if (n == 3 && memcmp(name, "SSL", 3) == 0)
    t->kind = PGW_MSG_SSL_RESPONSE;
  else if (n == 3 && memcmp(name, "GSS", 3) == 0)
    t->kind = PGW_MSG_GSSENC_RESPONSE;
  else
    return -1;
  return 0;
}

/* Strip the quantifier off word w (modified): '?', '*', '+' or {N}.
 * Returns the repeat count (1, or N), with *quant set. */
static long strip_quant(char *w, char *quant) {
  size_t n = strlen(w);
  *quant = 0;
  if (n > 1 && (w[n - 1] == '?' || w[n - 1] == '*' || w[n - 1] == '+')) {
    *quant = w[n - 1];
    w[n - 1] = '\0';
    return 1;
  }
  if (n > 2 && w[n - 1] == '}') {
    char *open = strrchr(w, '{');
    long r;
    if (!open) return -1;
    r = strtol(open + 1, NULL, 10);
    *open = '\0';
    return r >= 0 && r <= CERT_MAX_TOKS ? r : -1;
  }
  return 1;
}

static int tok_parse(cert_tok *t, char *w, char *err, size_t en) {
  char *eq = strchr(w, '=');
  size_t nlen = eq ? (size_t)(eq - w) : strlen(w);
  memset(t, 0, sizeof *t);
  t->text = w;
  if (special_named(t, w, nlen) != 0) {
    t->kind = kind_named(w, nlen);
    if (t->kind < 0) {
      snprintf(err, en, "unknown message '%.*s' in answer", (int)nlen, w);
      return -1;
    }
  }
  if (eq) {
    size_t vlen = strlen(eq + 1);
    t->value = eq + 1;
    if (vlen > 0 && eq[vlen] == '%') {
      t->prefix = 1;
      eq[vlen] = '\0';
    }
    if (t->kind == PGW_MSG_SSL_RESPONSE || t->kind == PGW_MSG_GSSENC_RESPONSE)
      t->answer = (uint8_t)eq[1];
  }
  return 0;
}

static int push(cert_pattern *p, const cert_tok *t, char *err, size_t en) {
  if (p->ntoks >= CERT_MAX_TOKS) {
    snprintf(err, en, "answer too long");
    return -1;
  }
  p->toks[p->ntoks++] = *t;
  return 0;
}

static void note_names(cert_alt *a, int kind) {
  if (kind == PGW_MSG_NOTICE_RESPONSE) a->names_notice = 1;
  if (kind == PGW_MSG_PARAMETER_STATUS) a->names_status = 1;
  if (kind == PGW_MSG_NOTIFICATION_RESPONSE) a->names_notify = 1;
}

/* One word of an answer: its token(s) appended to alternative a. */
static int word(cert_pattern *p, cert_alt *a, char *w, char *err, size_t en) {
  cert_tok t;
  char quant;
  long rep, i;
  if (w[0] == '~' && a->n == 0) {
    a->unsupported = 1;
    if (*++w == '\0') return 0;
  }
  rep = strip_quant(w, &quant);
  if (rep < 0 || tok_parse(&t, w, err, en) != 0) {
    if (rep < 0) snprintf(err, en, "bad repeat count in '%s'", w);
    return -1;
  }
  note_names(a, t.kind);
  t.quant = quant == '+' ? 0 : quant;
  for (i = 0; i < rep; i++, a->n++)
    if (push(p, &t, err, en) != 0) return -1;
  if (quant == '+') {
    t.quant = '*';
    a->n++;
    return push(p, &t, err, en);
  }
  return 0;
}

int cert_pattern_parse(cert_pattern *p, int argc, char **argv, char *err,
                       size_t en) {
  int i;
  cert_alt *a;
  memset(p, 0, sizeof p->alts);
  p->nalts = 1;
  p->ntoks = 0;
  a = &p->alts[0];
  for (i = 0; i < argc; i++) {
    if (strcmp(argv[i], "|") == 0) {
      if (p->nalts >= CERT_MAX_ALTS) {
        snprintf(err, en, "too many alternatives");
        return -1;
      }
      a = &p->alts[p->nalts++];
      a->first = p->ntoks;
      continue;
    }
    if (word(p, a, argv[i], err, en) != 0) return -1;
  }
  return 0;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int append(uint8_t **out, size_t *len, size_t *cap, uint8_t b) {
  if (*len == *cap) {
    size_t nc = *cap ? *cap * 2 : 256;
    uint8_t *np = realloc(*out, nc);
    if (!np) return -1;
    *out = np;
    *cap = nc;
  }
  (*out)[(*len)++] = b;
  return 0;
}

/* "NxHH": N copies of byte HH. */
static int run_word(const char *w, uint8_t **out, size_t *len, size_t *cap) {
  char *x;
  long count = strtol(w, &x, 10), i;
  int hi, lo;
  if (*x != 'x' || count < 0 || strlen(x) != 3) return -1;
  hi = hexval(x[1]);
  lo = hexval(x[2]);
  if (hi < 0 || lo < 0) return -1;
  for (i = 0; i < count; i++)
    if (append(out, len, cap, (uint8_t)(hi << 4 | lo)) != 0) return -1;
  return 0;
}

long cert_hex_parse(int argc, char **argv, uint8_t **out) {
  size_t len = 0, cap = 0, j;
  int i;
  *out = NULL;
  for (i = 0; i < argc; i++) {
    const char *w = argv[i];
    if (strchr(w, 'x') && w[0] != '0') {
      if (run_word(w, out, &len, &cap) != 0) return -1;
      continue;
    }
    if (strlen(w) % 2) return -1;
    for (j = 0; w[j]; j += 2) {
      int hi = hexval(w[j]), lo = hexval(w[j + 1]);
      if (hi < 0 || lo < 0 || append(out, &len, &cap, (uint8_t)(hi << 4 | lo)))
        return -1;
    }
  }
  return (long)len;
}
