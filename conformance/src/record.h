/* record.h - `pgw record`: a recording proxy. */
#ifndef PGW_CLI_RECORD_H
#define PGW_CLI_RECORD_H

typedef struct cli_record_opts {
  const char *listen;      /* see addr.h; NULL: 127.0.0.1:0; "PORT": loopback */
  const char *upstream;    /* see addr.h */
  const char *output;      /* FILE.pgs; later connections FILE-2.pgs, ... */
  const char *note;        /* NULL or "@ note" text */
  int once;                /* exit after the first connection closes */
  int max_connections;     /* 0: 500 (less if the file limit is lower) */
  int connect_timeout_ms;  /* upstream connect; 0: 10 s */
  int flush_ms;            /* session text is written within; -1: 100 ms */
  int allow_remote;        /* a --listen address other hosts can reach */
  const char *tls_cert;    /* terminate TLS presenting this (PEM); NULL no */
  const char *tls_key;     /* its key (PEM) */
  const char *upstream_ca; /* verify the upstream's certificate; NULL no */
} cli_record_opts;

/* Runs until SIGINT/SIGTERM (or, with once, the first connection's end).
 * Returns the process exit status. */
int cli_record(const cli_record_opts *o);

#endif /* PGW_CLI_RECORD_H */
