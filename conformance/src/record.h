/* record.h - `pgw record`: a recording TCP proxy. */
#ifndef PGW_CLI_RECORD_H
#define PGW_CLI_RECORD_H

typedef struct cli_record_opts {
  const char *listen;   /* ADDR:PORT */
  const char *upstream; /* ADDR:PORT */
  const char *output;   /* FILE.pgs; later connections FILE-2.pgs, ... */
  const char *note;     /* NULL or "@ note" text */
  int once;             /* exit after the first connection closes */
} cli_record_opts;

/* Runs until SIGINT/SIGTERM (or, with once, the first connection's end).
 * Returns the process exit status. */
int cli_record(const cli_record_opts *o);

#endif /* PGW_CLI_RECORD_H */
