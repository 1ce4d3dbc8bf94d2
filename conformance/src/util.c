/* util.c - small helpers the pgw command's files share. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

const char *cli_dir_name(pgw_dir d) {
  return d == PGW_FRONTEND ? "frontend" : "backend";
}

uint32_t cli_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

void cli_put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

char *cli_dup(const void *p, size_t n) {
  char *c = malloc(n + 1);
  if (!c) return NULL;
  if (n) memcpy(c, p, n);
  c[n] = '\0';
  return c;
}

void *cli_grow(void *items, size_t count, size_t *cap, size_t size) {
  size_t n = *cap ? *cap * 2 : 64;
  void *p;
  if (count < *cap) return items;
  if (n > (size_t)-1 / size) return NULL;
  p = realloc(items, n * size);
  if (p) *cap = n;
  return p;
}

const char *cli_optval(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] == '\0' && *i + 1 < argc) return argv[++*i];
  return NULL;
}
