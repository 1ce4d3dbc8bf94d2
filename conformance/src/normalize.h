/*
 * normalize.h - mask what legitimately varies between two runs of the same
 * session, and nothing else, so that a recorded message and a live one can
 * be compared byte for byte.
 *
 * A cli_norm follows ONE conversation (the recording, or the live
 * connection): it must see every message of both directions in wire order,
 * because some rules depend on what came before (the last Authentication
 * request, the last RowDescription, the last FunctionCall, whether the
 * connection is a replication connection). Each rule is one row of the
 * table in conformance/README.md ("Normalisation").
 */
#ifndef PGW_CLI_NORMALIZE_H
#define PGW_CLI_NORMALIZE_H

#include "pgw/pgw.h"

/* Fast-path functions whose result is the OID of a new large object
 * (pg_proc.dat: lo_creat 957, lo_create 715). */
#define CLI_OID_LO_CREAT 957u
#define CLI_OID_LO_CREATE 715u

typedef struct cli_norm {
  int32_t auth_code;  /* last Authentication request's code, -1 none */
  uint32_t fcall_oid; /* function of the last FunctionCall */
  int replication;    /* 0 no, 1 physical, 2 logical (StartupMessage) */
  /* Set by the caller: 1 if the live server's version is the recording's
   * (then ErrorResponse/NoticeResponse source lines are compared), 0 if it
   * differs or is unknown. */
  int same_server;
  /* per column of the last RowDescription: 1 = mask its DataRow values */
  unsigned char *mask_col;
  size_t ncols, cap;
} cli_norm;

void cli_norm_init(cli_norm *n);
void cli_norm_free(cli_norm *n);

/*
 * Observe m, sent by dir, with phase the connection's phase after it; and
 * when out is not NULL append the normalised encoding of m to out (masked
 * fields replaced by fixed placeholders: 0 for numbers, zero bytes of the
 * same length for keys and salts, "*" for text). Returns 0 or the
 * encoder's error (PGW_ERR_NOMEM, ...).
 */
int cli_norm_message(cli_norm *n, pgw_dir dir, const pgw_message *m,
                     pgw_phase phase, pgw_buf *out);

/* 1 if the function OID creates a large object (its result is masked). */
int cli_norm_is_lo_create(uint32_t function_oid);

#endif /* PGW_CLI_NORMALIZE_H */
