/* util.h - small helpers the pgw command's files share. */
#ifndef PGW_CLI_UTIL_H
#define PGW_CLI_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "pgw/pgw.h"

/* "frontend" or "backend". */
const char *cli_dir_name(pgw_dir d);

/* The big-endian 32-bit number at p (4 bytes). */
uint32_t cli_be32(const uint8_t *p);

/* Store v big-endian at p (4 bytes). */
void cli_put_be32(uint8_t *p, uint32_t v);

/* A NUL-terminated malloc'd copy of n bytes at p (free it), or NULL. */
char *cli_dup(const void *p, size_t n);

#endif /* PGW_CLI_UTIL_H */
