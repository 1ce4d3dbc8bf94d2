/*
 * certify_client_run.h - one served case in progress, shared by the
 * scripted server's parts: startup (certify_client_serve.c), the
 * password exchanges (certify_client_auth.c) and the answers to queries
 * (certify_client_answer.c).
 */
#ifndef PGW_CLI_CERTIFY_CLIENT_RUN_H
#define PGW_CLI_CERTIFY_CLIENT_RUN_H

#include "certify_client.h"
#include "certify_client_wire.h"

typedef struct cc_run {
  const cc_case *k;
  const cc_opts *o;
  cc_wire w;
  cc_seen s;
  volatile int *stop; /* SIGINT/SIGTERM came */
  int lfd;            /* the listener, for the cancel connection */
  int32_t pid;        /* BackendKeyData sent */
  uint8_t key[256];
  size_t keylen; /* 0: none sent */
  char user[64];
  int first_done;  /* the first query got the case's answer */
  int skipping;    /* extended error: until Sync */
  int pending_ext; /* extended messages since the last Sync */
  int setup;       /* the statement parsed last is a SET (session setup:
                      not the case's query, answered CommandComplete) */
  int executes;    /* Execute messages so far */
  size_t nparams;  /* of the last Parse */
  int idle_sent;   /* cc_answer_idle ran */
  int done;        /* connection over (closed by us or the client) */
  char err[256];   /* our own failure (a bug or a socket error) */
} cc_run;

/* Authenticate the client as the case says: 0 (AuthenticationOk sent,
 * or the case ended the connection: r->done), -1 on our error. */
int cc_auth_run(cc_run *r);

/* Answer one client message in the ready phase (query, extended, copy,
 * terminate). 0, or -1 (r->err). */
int cc_answer_message(cc_run *r, const pgw_message *m);

/* After an answer to a first query: what the case sends while idle. */
int cc_answer_idle(cc_run *r);

/* Wait for the client's CancelRequest on a new connection (the case is
 * A_CANCEL) while the query waits: 1 cancelled with the right key, 0 not. */
int cc_await_cancel(cc_run *r);

/* Record the rule the client broke (first one only). */
void cc_run_broke(cc_run *r);

#endif
