/* dump.h - `pgw dump`: decode a session and print its messages. */
#ifndef PGW_CLI_DUMP_H
#define PGW_CLI_DUMP_H

#include "pgw/pgw.h"

typedef enum cli_format {
  CLI_FORMAT_TEXT = 0,
  CLI_FORMAT_JSON = 1,
  CLI_FORMAT_PQTRACE = 2
} cli_format;

typedef struct cli_dump_opts {
  const char *path;
  cli_format format;
  int roundtrip; /* re-encode every message and compare with the wire */
  pgw_mode mode; /* strict (default), --reference, --lenient */
  uint32_t server_protocol; /* --server-protocol; 0: from "@ server" */
  int libpq;      /* --format=pqtrace: whose PQtrace format, 13 to 18 (0: 18) */
  int single_row; /* --single-row (with --libpq=13): PQsetSingleRowMode */
} cli_dump_opts;

/* Returns the exit status: 0 if every byte decoded (and re-encoded), else
 * 1 with the error on standard error. */
int cli_dump(const cli_dump_opts *o);

#endif /* PGW_CLI_DUMP_H */
