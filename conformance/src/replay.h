/* replay.h - `pgw replay`: replay one side of a session to a live peer and
 * compare the other side's answers with the recording. */
#ifndef PGW_CLI_REPLAY_H
#define PGW_CLI_REPLAY_H

typedef struct cli_replay_opts {
  const char *path;      /* FILE.pgs */
  const char *to_server; /* HOST:PORT: play the frontend to a server */
  const char *to_client; /* ADDR:PORT: listen, play the backend to a client */
  const char *password;  /* for MD5 and SCRAM; else $PGPASSWORD */
  const char *cancel_of; /* the session a cancel-only FILE belongs to */
  int once;              /* --to-client: serve one connection, then exit */
  int no_cancel;         /* do not pair FILE-N.pgs cancel sessions */
  int timeout_ms;        /* longest wait for the peer; 0: 10 s */
  const char *tls_cert;  /* --to-client of a TLS session: the certificate */
  const char *tls_key;   /* and its key, presented to the client */
  const char *tls_ca;    /* --to-server: verify the server's chain with it */
  const char *tls_host;  /* and check the certificate names this host */
} cli_replay_opts;

/* Returns the exit status: 0 if every message matched, 1 on the first
 * mismatch (reported on standard error) or error, 2 for bad arguments. */
int cli_replay(const cli_replay_opts *o);

#endif /* PGW_CLI_REPLAY_H */
