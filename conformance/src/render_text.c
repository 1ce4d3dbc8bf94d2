/* render_text.c - one readable line per message. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render_replication.h"

#define STR_MAX 200  /* bytes of a string shown before truncation */
#define BYTES_MAX 64 /* bytes of an opaque value shown */

static void sep(cli_emit *e, const char *name, size_t nlen) {
  if (cli_emit_member(e) || e->depth == 0) fputs(e->depth ? ", " : " ", e->f);
  if (nlen && !e->in_array[e->depth]) {
    size_t i;
    for (i = 0; i < nlen; i++) {
      unsigned char c = (unsigned char)name[i];
      if (c > 0x20 && c < 0x7f && c != '=')
        fputc(c, e->f);
      else
        fprintf(e->f, "\\x%02x", c);
    }
    fputc('=', e->f);
  }
}

/* Quoted, escaped, truncated after max bytes. */
static void quoted(FILE *f, const char *p, size_t n, size_t max) {
  size_t i, shown = n > max ? max : n;
  fputc('"', f);
  for (i = 0; i < shown; i++) {
    unsigned char c = (unsigned char)p[i];
    switch (c) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\r': fputs("\\r", f); break;
    case '\t': fputs("\\t", f); break;
    default:
      if (c < 0x20 || c == 0x7f)
        fprintf(f, "\\x%02x", c);
      else
        fputc(c, f);
    }
  }
  fputc('"', f);
  if (shown < n) fprintf(f, "...(%zu bytes)", n);
}

static void t_str(cli_emit *e, const char *name, size_t nlen, const char *p,
                  size_t n) {
  sep(e, name, nlen);
  quoted(e->f, p, n, STR_MAX);
}

static void t_bytes(cli_emit *e, const char *name, size_t nlen,
                    const uint8_t *p, size_t n) {
  size_t i, shown = n > BYTES_MAX ? BYTES_MAX : n;
  sep(e, name, nlen);
  if (cli_emit_printable(p, n)) {
    quoted(e->f, (const char *)p, n, BYTES_MAX);
    return;
  }
  fputs("x'", e->f);
  for (i = 0; i < shown; i++)
    fprintf(e->f, "%02x", p[i]);
  fputc('\'', e->f);
  if (shown < n) fprintf(e->f, "...(%zu bytes)", n);
}

static void t_value(cli_emit *e, const char *name, size_t nlen, pgw_value v) {
  if (v.len < 0) {
    sep(e, name, nlen);
    fputs("NULL", e->f);
  } else {
    t_bytes(e, name, nlen, v.ptr, (size_t)v.len);
  }
}

static void t_num(cli_emit *e, const char *name, size_t nlen, long long v) {
  sep(e, name, nlen);
  fprintf(e->f, "%lld", v);
}

static void t_chr(cli_emit *e, const char *name, size_t nlen, uint8_t c) {
  sep(e, name, nlen);
  if (c > 0x20 && c < 0x7f && c != '\'')
    fprintf(e->f, "'%c'", c);
  else
    fprintf(e->f, "'\\x%02x'", c);
}

static void t_begin(cli_emit *e, const char *name, size_t nlen, int array) {
  sep(e, name, nlen);
  cli_emit_nest(e, array);
}

void cli_render_text(FILE *f, const cli_msg *msg) {
  cli_render_text_repl(f, msg, NULL);
}

void cli_render_text_repl(FILE *f, const cli_msg *msg,
                          const struct cli_repl *repl) {
  cli_emit e;
  char *fields = NULL;
  size_t flen = 0;
  FILE *mem = open_memstream(&fields, &flen);
  memset(&e, 0, sizeof e);
  e.str = t_str;
  e.bytes = t_bytes;
  e.value = t_value;
  e.num = t_num;
  e.chr = t_chr;
  e.begin = t_begin;
  e.end = cli_emit_unnest;
  e.f = mem ? mem : f;
  e.first[0] = 1;
  if (!mem) fputs("(out of memory) ", f);
  cli_emit_fields(&e, msg->m);
  if (repl) cli_repl_emit(&e, repl);
  if (mem) fclose(mem);
  if (flen)
    fprintf(f, "%c %-15s %-24s%s\n", msg->dir == PGW_FRONTEND ? 'F' : 'B',
            msg->phase ? msg->phase : "?", pgw_message_name(msg->m), fields);
  else
    fprintf(f, "%c %-15s %s\n", msg->dir == PGW_FRONTEND ? 'F' : 'B',
            msg->phase ? msg->phase : "?", pgw_message_name(msg->m));
  free(fields);
}
