/* render_pqtrace13.h - libpq 13's PQtrace lines (render_pqtrace13.c) and
 * when libpq 13 reads each message (render_pqtrace13_parse.c). */
#ifndef PGW_CLI_RENDER_PQTRACE13_H
#define PGW_CLI_RENDER_PQTRACE13_H

#include <stdio.h>

#include "render.h"

/* "From backend> C" (the byte as it is, NUL included). */
void pq13_get_char(FILE *f, uint8_t c);
/* "From backend (#N)> V"; an Int16 is read as unsigned. */
void pq13_get_int(FILE *f, int bytes, long long v);
/* The fields libpq 13 reads from backend message m after its type and
 * length, one line each. */
void pq13_get_body(FILE *f, const pgw_message *m);
/* Frontend message m as libpq 13 writes it: "Msg T", its fields, "Msg
 * complete". */
void pq13_put(FILE *f, const pgw_message *m);

#endif /* PGW_CLI_RENDER_PQTRACE13_H */
