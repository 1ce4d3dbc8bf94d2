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

/* Room for one more item in an array of `count` items of `size` bytes
 * with *cap allocated (doubling, 64 first): the array (moved, *cap
 * updated), or NULL out of memory (the array and *cap unchanged). */
void *cli_grow(void *items, size_t count, size_t *cap, size_t size);

/* Option argv[*i] as "--name VALUE" (then *i moves on) or "--name=VALUE":
 * the value, or NULL if argv[*i] is not that option with a value. */
const char *cli_optval(int argc, char **argv, int *i, const char *name);

#endif /* PGW_CLI_UTIL_H */
