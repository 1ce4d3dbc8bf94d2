/* render_json.c - one JSON object per message, one per line. */
#include <string.h>

#include "render.h"
#include "render_replication.h"

/* JSON string: valid UTF-8 passes through; other bytes are escaped as
 * \u00XX (so the output is always valid JSON; such bytes read back as
 * Latin-1). */
void cli_json_string(FILE *f, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  fputc('"', f);
  while (i < n) {
    unsigned char c = p[i];
    size_t need = c >= 0xf0 && c < 0xf5   ? 4
                  : c >= 0xe0 && c < 0xf0 ? 3
                  : c >= 0xc2 && c < 0xe0 ? 2
                                          : 0;
    if (c >= 0x80 && need && i + need <= n) {
      size_t k;
      for (k = 1; k < need; k++)
        if ((p[i + k] & 0xc0) != 0x80) break;
      if (k == need) {
        fwrite(p + i, 1, need, f);
        i += need;
        continue;
      }
    }
    if (c == '"')
      fputs("\\\"", f);
    else if (c == '\\')
      fputs("\\\\", f);
    else if (c == '\n')
      fputs("\\n", f);
    else if (c == '\r')
      fputs("\\r", f);
    else if (c == '\t')
      fputs("\\t", f);
    else if (c < 0x20 || c >= 0x7f)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
    i++;
  }
  fputc('"', f);
}

static void key(cli_emit *e, const char *name, size_t nlen) {
  if (cli_emit_member(e)) fputc(',', e->f);
  if (!e->in_array[e->depth]) {
    cli_json_string(e->f, name, nlen);
    fputc(':', e->f);
  }
}

static void j_str(cli_emit *e, const char *name, size_t nlen, const char *p,
                  size_t n) {
  key(e, name, nlen);
  cli_json_string(e->f, p, n);
}

/* Printable ASCII as a string, anything else as {"hex": "..."}. */
static void j_bytes(cli_emit *e, const char *name, size_t nlen,
                    const uint8_t *p, size_t n) {
  size_t i;
  key(e, name, nlen);
  if (cli_emit_printable(p, n)) {
    cli_json_string(e->f, (const char *)p, n);
    return;
  }
  fputs("{\"hex\":\"", e->f);
  for (i = 0; i < n; i++)
    fprintf(e->f, "%02x", p[i]);
  fputs("\"}", e->f);
}

static void j_value(cli_emit *e, const char *name, size_t nlen, pgw_value v) {
  if (v.len < 0) {
    key(e, name, nlen);
    fputs("null", e->f);
  } else {
    j_bytes(e, name, nlen, v.ptr, (size_t)v.len);
  }
}

static void j_num(cli_emit *e, const char *name, size_t nlen, long long v) {
  key(e, name, nlen);
  fprintf(e->f, "%lld", v);
}

static void j_chr(cli_emit *e, const char *name, size_t nlen, uint8_t c) {
  char s = (char)c;
  key(e, name, nlen);
  cli_json_string(e->f, &s, 1);
}

static void j_begin(cli_emit *e, const char *name, size_t nlen, int array) {
  key(e, name, nlen);
  cli_emit_nest(e, array);
}

void cli_render_json(FILE *f, const cli_msg *msg) {
  cli_render_json_repl(f, msg, NULL);
}

void cli_render_json_repl(FILE *f, const cli_msg *msg,
                          const struct cli_repl *repl) {
  cli_emit e;
  const char *name = pgw_message_name(msg->m);
  memset(&e, 0, sizeof e);
  e.str = j_str;
  e.bytes = j_bytes;
  e.value = j_value;
  e.num = j_num;
  e.chr = j_chr;
  e.begin = j_begin;
  e.end = cli_emit_unnest;
  e.f = f;
  fprintf(f, "{\"dir\":\"%c\",\"type\":", msg->dir == PGW_FRONTEND ? 'F' : 'B');
  cli_json_string(f, name, strlen(name));
  fputs(",\"phase\":", f);
  if (msg->phase)
    cli_json_string(f, msg->phase, strlen(msg->phase));
  else
    fputs("null", f);
  fprintf(f, ",\"offset\":%zu,\"len\":%zu,\"fields\":{", msg->m->offset,
          msg->m->wire_len);
  e.depth = 1;
  e.first[1] = 1;
  cli_emit_fields(&e, msg->m);
  if (repl) cli_repl_emit(&e, repl);
  fputs("}}\n", f);
}
