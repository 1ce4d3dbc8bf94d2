/*
 * replay.c - `pgw replay`: play one side of a recorded session to a live
 * peer through a pgw_conn of that side's role, and compare every message
 * the peer sends with the recording after normalisation (normalize.h).
 *
 * --to-server: pgw is the client. The recorded frontend messages are
 * re-encoded by pgw and sent chunk by chunk (all messages that end in a
 * recorded chunk go out in one write), in wire order: before a frontend
 * chunk is sent, every backend message recorded before it must have
 * arrived and matched. Recomputed instead of copied: the MD5 password
 * (live salt), the SCRAM client-final message (live server-first; the
 * server's signature is verified), a CancelRequest (live BackendKeyData)
 * and large-object OIDs passed to fast-path calls (live lo_creat result).
 *
 * --to-client: pgw is the server. It accepts a connection, compares each
 * message the client sends with the recording, and answers with the
 * recorded backend messages, re-encoded by pgw. Recomputed: SCRAM
 * server-first (live client nonce, recorded salt and iteration count) and
 * server-final (a real ServerSignature, after verifying the client's
 * proof); the MD5 hash is checked against the password with the recorded
 * salt. Whether a password is accepted must agree with the recording.
 *
 * Cancel requests live in their own session file (the recorder writes the
 * n-th connection to FILE-n.pgs). A file FILE-n.pgs beside FILE.pgs whose
 * only message is a CancelRequest for FILE's recorded BackendKeyData is
 * paired with FILE automatically (or name the main session with
 * --cancel-of when replaying the cancel file itself). The cancel is sent
 * (--to-server) or awaited (--to-client) while the replay waits for the
 * recorded backend chunk holding the "query_canceled" ErrorResponse
 * (SQLSTATE 57014); --to-server sends it once the server has been quiet
 * for 300 ms, so that the query is running.
 */
#define _POSIX_C_SOURCE 200809L
#include "replay.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "replay_int.h"
#include "tls_ctx.h"
#include "util.h"

/* FILE-N.pgs for N = 2..9 beside the main session that cancels it. */
static int find_cancel(replayer *r) {
  const char *dot = strrchr(r->rec.path, '.');
  size_t base = dot && strcmp(dot, ".pgs") == 0 ? (size_t)(dot - r->rec.path)
                                                : strlen(r->rec.path);
  int n;
  if (!r->rec.has_key) return 0;
  for (n = 2; n <= 9; n++) {
    char *name = malloc(base + 16);
    recording c;
    if (!name) return -1;
    sprintf(name, "%.*s-%d.pgs", (int)base, r->rec.path, n);
    if (access(name, R_OK) != 0) {
      free(name);
      break;
    }
    if (rec_load(&c, name) == 0) {
      if (rec_cancels(&c, &r->rec)) {
        r->cancel = c;
        r->has_cancel = 1;
        return 0; /* name is kept: c.path points to it */
      }
      rec_free(&c);
    }
    free(name);
  }
  return 0;
}

/* The main session of a cancel-only file: --cancel-of, else the name
 * without its "-N" suffix. */
static char *main_of(const char *cancel_path, const char *cancel_of) {
  const char *dot, *dash;
  char *name;
  if (cancel_of) return cli_dup(cancel_of, strlen(cancel_of));
  dot = strrchr(cancel_path, '.');
  if (!dot || strcmp(dot, ".pgs") != 0) return NULL;
  dash = dot;
  while (dash > cancel_path && dash[-1] >= '0' && dash[-1] <= '9')
    dash--;
  if (dash == dot || dash == cancel_path || dash[-1] != '-') return NULL;
  name = malloc(strlen(cancel_path) + 1);
  if (!name) return NULL;
  sprintf(name, "%.*s.pgs", (int)(dash - 1 - cancel_path), cancel_path);
  return name;
}

/* FILE is a cancel-only session: load the session it cancels as the
 * main one (its name into *main_path), the cancel paired with it. */
static int load_cancelled(replayer *r, recording *first, char **main_path) {
  const char *path = r->o->path;
  *main_path = main_of(path, r->o->cancel_of);
  if (!*main_path) {
    fprintf(stderr,
            "pgw replay: %s holds only a CancelRequest: name the session "
            "it cancels with --cancel-of MAIN.pgs\n",
            path);
    return -1;
  }
  if (rec_load(&r->rec, *main_path) != 0) return -1;
  r->cancel = *first;
  r->has_cancel = 1;
  if (!rec_cancels(&r->cancel, &r->rec)) {
    fprintf(stderr,
            "pgw replay: %s does not cancel %s (its process id and key "
            "are not that session's BackendKeyData)\n",
            path, *main_path);
    return 1;
  }
  return 0;
}

/* Load FILE and its cancel session: 0; -1 nothing left to free but
 * *main_path; 1 loaded but not to be replayed. */
static int load_sessions(replayer *r, char **main_path) {
  recording first;
  if (rec_load(&first, r->o->path) != 0) return -1;
  if (first.cancel_only) {
    int rc = load_cancelled(r, &first, main_path);
    if (rc < 0) rec_free(&first);
    return rc;
  }
  r->rec = first;
  if (r->o->cancel_of) {
    fprintf(stderr, "pgw replay: --cancel-of: %s is not a cancel session\n",
            r->o->path);
    rec_free(&r->rec);
    return -1;
  }
  if (!r->o->no_cancel && find_cancel(r) != 0) return 1;
  return 0;
}

/* "replay FILE: N messages ok" (a cancel-only FILE: its one message). */
static void print_ok(const replayer *r) {
  printf("replay %s: %zu messages ok", r->o->path,
         r->rec.path != r->o->path ? (size_t)1 : r->ok);
}

static int run_to_server(replayer *r) {
  int status = replay_to_server(r) != 0 || r->encoding_differs;
  live_close(&r->lv);
  if (status == 0) {
    print_ok(r);
    if (r->keepalives_skipped)
      printf(" (%zu extra walsender keepalives skipped)",
             r->keepalives_skipped);
    printf("\n");
  }
  return status;
}

/* Ready to serve the session again for the next client. */
static void serve_again(replayer *r) {
  cli_norm_free(&r->nrec);
  cli_norm_free(&r->nlive);
  cli_norm_init(&r->nrec);
  cli_norm_init(&r->nlive);
  r->ok = 0;
  r->cancel_done = 0;
  r->last_sent = -1;
  r->have_sig = 0;
}

/* Listen; serve one client (--once) or each in turn until killed. */
static int run_to_client(replayer *r) {
  char shown[64], err[300];
  int status = 0;
  r->listen_fd =
      cli_net_listen(r->o->to_client, shown, sizeof shown, err, sizeof err);
  if (r->listen_fd < 0) {
    fprintf(stderr, "pgw replay: %s\n", err);
    return 1;
  }
  fprintf(stderr, "pgw replay: listening on %s\n", shown);
  fflush(stderr);
  for (;;) {
    int fd = cli_net_accept(r->listen_fd, r->o->once ? r->timeout_ms * 3 : -1);
    if (fd < 0) {
      replay_fail(r, "no client connected%s", "");
      status = 1;
      break;
    }
    status = replay_to_client_once(r, fd) != 0 || r->encoding_differs;
    r->encoding_differs = 0;
    live_close(&r->lv);
    if (status == 0) {
      print_ok(r);
      printf("\n");
    }
    fflush(stdout);
    if (r->o->once) break;
    serve_again(r);
  }
  close(r->listen_fd);
  return status;
}

static void replayer_free(replayer *r) {
  cli_tls_ctx_free(r->tls_server);
  free(r->client_first);
  free(r->server_first);
  pgw_buf_free(&r->na);
  pgw_buf_free(&r->nb);
  pgw_buf_free(&r->out);
  cli_norm_free(&r->nrec);
  cli_norm_free(&r->nlive);
  if (r->rec.path != r->o->path && r->has_cancel) {
    rec_free(&r->rec); /* FILE is the cancel: nothing else to free */
    rec_free(&r->cancel);
    return;
  }
  rec_free(&r->rec);
  if (r->has_cancel) {
    free((char *)r->cancel.path); /* find_cancel's name */
    rec_free(&r->cancel);
  }
}

int cli_replay(const cli_replay_opts *o) {
  replayer r;
  char *main_path = NULL;
  int status;
  memset(&r, 0, sizeof r);
  r.o = o;
  r.listen_fd = -1;
  r.lv.fd = -1;
  r.last_sent = -1;
  r.live_auth = -1;
  r.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
  r.password = o->password ? o->password : getenv("PGPASSWORD");
  signal(SIGPIPE, SIG_IGN);
  status = load_sessions(&r, &main_path);
  if (status < 0) {
    free(main_path);
    return 1;
  }
  cli_norm_init(&r.nrec);
  cli_norm_init(&r.nlive);
  pgw_buf_init(&r.na, NULL);
  pgw_buf_init(&r.nb, NULL);
  pgw_buf_init(&r.out, NULL);
  if (status == 0 && r.rec.tls && !o->to_server) {
    char err[300];
    if (!o->tls_cert) {
      fprintf(stderr,
              "pgw replay: %s: a TLS session --to-client needs --tls-cert "
              "and --tls-key\n",
              r.rec.path);
      status = 2;
    } else if (!(r.tls_server = cli_tls_ctx_server(o->tls_cert, o->tls_key, err,
                                                   sizeof err))) {
      fprintf(stderr, "pgw replay: %s\n", err);
      status = 2;
    }
  }
  if (status == 0)
    status = o->to_server ? run_to_server(&r) : run_to_client(&r);
  replayer_free(&r);
  free(main_path);
  return status;
}
