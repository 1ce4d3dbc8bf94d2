/* replay_client.c - `pgw replay --to-client`: pgw is the server. Each
 * message the client sends must match the recording; the answers are the
 * recorded backend messages re-encoded, with SCRAM server-first (live
 * client nonce) and server-final (a real ServerSignature) built live, and
 * the client's MD5 hash or SCRAM proof checked against --password: it
 * must be accepted exactly when the recorded server accepted it. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "replay_int.h"
#include "util.h"

/* Whether the client's password (the MD5 hash or SCRAM proof, `what`, of
 * message m, recorded as i) is good must agree with the recorded server's
 * answer. */
static int verdict(replayer *r, size_t i, const pgw_message *m, int good,
                   const char *what) {
  char why[200];
  if (good == rec_accepts(&r->rec, i)) return 0;
  snprintf(why, sizeof why,
           good ? "the client's %s matches --password but the recorded "
                  "server rejected it"
                : "the client's %s does not match --password",
           what);
  return replay_mismatch(r, &r->rec, i, m, pgw_conn_phase(&r->lv.conn), why);
}

/* A client's MD5 hash (recorded message i) against the recording. */
static int check_md5(replayer *r, size_t i, const pgw_message *m,
                     const pgw_message *rm) {
  pgw_phase ph = pgw_conn_phase(&r->lv.conn);
  pgw_str got = m->body.password.text, want = rm->body.password.text;
  char md5[36];
  pgw_message a;
  long b = (long)i - 1;
  int good;
  if (!r->password) {
    /* the recorded salt was sent: the same password gives the same hash */
    if (got.len != want.len || memcmp(got.ptr, want.ptr, want.len) != 0)
      return replay_mismatch(r, &r->rec, i, m, ph,
                             "the MD5 hash is not the recorded one (another "
                             "password?)");
    return 0;
  }
  while (b >= 0 && r->rec.msgs[b].kind != PGW_MSG_AUTHENTICATION)
    b--;
  if (b < 0 || rec_decode(&r->rec, (size_t)b, &a) != 0 ||
      cli_md5_password(r->password, r->rec.user, a.body.auth.salt, md5))
    return replay_fail(r, "MD5 computation failed%s", "");
  good = got.len == 35 && memcmp(got.ptr, md5, 35) == 0;
  return verdict(r, i, m, good, "MD5 hash");
}

/* A client's SCRAM client-final message (recorded message i). */
static int check_scram(replayer *r, size_t i, const pgw_message *m) {
  pgw_phase ph = pgw_conn_phase(&r->lv.conn);
  pgw_str cf, sf, bare, nonce, snonce;
  int good;
  cf.ptr = (const char *)m->body.sasl_response.data.ptr;
  cf.len = m->body.sasl_response.data.len;
  if (!r->password)
    return replay_fail(r, "SCRAM needs --password (or PGPASSWORD)%s", "");
  sf.ptr = r->server_first;
  sf.len = r->server_first_len;
  if (!r->client_first || !r->server_first ||
      cli_scram_bare((pgw_str){r->client_first, r->client_first_len}, &bare) ||
      !cli_scram_attr(cf, 'r', &nonce) || !cli_scram_attr(sf, 'r', &snonce))
    return replay_mismatch(r, &r->rec, i, m, ph,
                           "malformed SCRAM client-final message");
  if (nonce.len != snonce.len || memcmp(nonce.ptr, snonce.ptr, nonce.len) != 0)
    return replay_mismatch(
        r, &r->rec, i, m, ph,
        "the client-final nonce is not the server-first nonce");
  good = cli_scram_check_final(r->password, bare, sf, cf, r->server_sig);
  pgw_str cb;
  if (good == 1 && cli_scram_attr(cf, 'c', &cb) &&
      !replay_tls_client_binding_ok(r, cb))
    return verdict(r, i, m, 0, "SCRAM channel binding (tls-server-end-point)");
  if (good == -1)
    return replay_mismatch(r, &r->rec, i, m, ph,
                           "malformed SCRAM client-final message");
  if (good == -2)
    return replay_fail(r,
                       "SCRAM: bad recorded salt or iteration count, or a "
                       "password that is not printable ASCII%s",
                       "");
  if (good < 0) return replay_fail(r, "SCRAM computation failed%s", "");
  r->have_sig = 1;
  return verdict(r, i, m, good, "SCRAM proof");
}

/* The authentication checks on a client message that matched its
 * recorded message i. */
static int check_client_auth(replayer *r, size_t i, const pgw_message *m) {
  pgw_message rm;
  if (rec_decode(&r->rec, i, &rm) != 0) return 0;
  switch (m->kind) {
  case PGW_MSG_PASSWORD_MESSAGE:
    if (r->nrec.auth_code != PGW_AUTH_MD5_PASSWORD) return 0;
    return check_md5(r, i, m, &rm);
  case PGW_MSG_SASL_INITIAL_RESPONSE:
    replay_keep_client_first(r, m->body.sasl_initial.data);
    return 0;
  case PGW_MSG_SASL_RESPONSE: return check_scram(r, i, m);
  default: return 0;
  }
}

/* The cancel connection's message m against the paired cancel session
 * (a second CancelRequest is ignored, as the server ignores it). */
static int check_cancel(replayer *r, const live *cl, const pgw_message *m,
                        int repeat) {
  const char *path = r->has_cancel ? r->cancel.path : r->rec.path;
  pgw_message rm;
  int rc;
  if (!r->has_cancel) {
    rc = replay_fail(r,
                     "another connection arrived, and no cancel session "
                     "(FILE-N.pgs) is paired with this one%s",
                     "");
    replay_show("actual:", PGW_FRONTEND, pgw_conn_phase(&cl->conn), m);
    return rc;
  }
  if (repeat && m->kind == PGW_MSG_CANCEL_REQUEST) {
    fprintf(stderr, "pgw replay: %s: note: a second CancelRequest, ignored\n",
            path);
    return 0;
  }
  rec_decode(&r->cancel, r->cancel.cancel_at, &rm);
  /* pgw sent the recorded BackendKeyData: the key must be exactly it */
  if (m->kind != PGW_MSG_CANCEL_REQUEST || m->payload.len != rm.payload.len ||
      memcmp(m->payload.ptr, rm.payload.ptr, rm.payload.len) != 0)
    return replay_mismatch(r, &r->cancel, r->cancel.cancel_at, m,
                           pgw_conn_phase(&cl->conn),
                           "not the recorded CancelRequest");
  return 0;
}

/* A cancel recorded inside TLS: the client's SSLRequest answered with the
 * recorded 'S' and the handshake (or the handshake at once, for direct
 * SSL), so that its CancelRequest arrives inside TLS. 0, or -1
 * (reported). */
static int serve_cancel_tls(replayer *r, live *cl) {
  pgw_message m, rm;
  char why[300];
  int rc;
  if (!r->has_cancel || !r->cancel.tls) return 0;
  if (!r->tls_server)
    return replay_fail(r,
                       "a cancel inside TLS needs --tls-cert and "
                       "--tls-key%s",
                       "");
  if (r->cancel.tls == 2) return replay_tls_accept(r, cl, 1);
  rc = live_next(cl, &m, r->timeout_ms, -1);
  if (rc != PGW_OK)
    return replay_fail(r, "the cancel connection: %s",
                       live_why(r, cl, rc, why, sizeof why));
  if (m.kind != PGW_MSG_SSL_REQUEST)
    return replay_mismatch(r, &r->cancel, 0, &m, pgw_conn_phase(&cl->conn),
                           "not the recorded SSLRequest");
  rec_decode(&r->cancel, 1, &rm);
  if ((rc = live_send(cl, &rm)) != 0)
    return replay_fail(r, "cannot answer the cancel's SSLRequest: %s",
                       pgw_strerror(rc));
  return replay_tls_accept(r, cl, 0);
}

int replay_serve_cancel(replayer *r, int fd) {
  live cl;
  pgw_message m;
  char why[300];
  int rc, repeat = r->cancel_done;
  r->cancel_done = 1;
  if (fd < 0) return replay_fail(r, "accept: %s", strerror(errno));
  if (live_open_or_fail(r, &cl, fd, PGW_BACKEND, "a connection") != 0)
    return -1;
  if (serve_cancel_tls(r, &cl) != 0) {
    live_close(&cl);
    return -1;
  }
  rc = live_next(&cl, &m, r->timeout_ms, -1);
  if (rc != PGW_OK)
    fprintf(stderr, "pgw replay: %s: the cancel connection: %s\n",
            r->has_cancel ? r->cancel.path : r->rec.path,
            live_why(r, &cl, rc, why, sizeof why));
  else
    rc = check_cancel(r, &cl, &m, repeat);
  live_close(&cl);
  return rc == PGW_OK ? 0 : -1;
}

/* Wait for client message i and compare. */
static int expect_frontend(replayer *r, size_t i) {
  pgw_message m;
  char why[300];
  int rc;
  while ((rc = live_next(&r->lv, &m, r->timeout_ms, r->listen_fd)) == R_EXTRA)
    if (replay_serve_cancel(r, accept(r->listen_fd, NULL, NULL)) != 0)
      return -1;
  if (rc != PGW_OK)
    return replay_mismatch(r, &r->rec, i, NULL, pgw_conn_phase(&r->lv.conn),
                           live_why(r, &r->lv, rc, why, sizeof why));
  if (replay_compare(r, &r->rec, i, &m, pgw_conn_phase(&r->lv.conn)) != 0)
    return -1;
  if (check_client_auth(r, i, &m) != 0) return -1;
  r->ok++;
  return 0;
}

/* The client nonce of a client-first-message (after its GS2 header). */
static int client_nonce(pgw_str client_first, pgw_str *nonce) {
  pgw_str bare;
  return cli_scram_bare(client_first, &bare) == 0 &&
         cli_scram_attr(bare, 'r', nonce);
}

/* SCRAM server-first for recorded AuthenticationSASLContinue i (data):
 * its r= is the live client nonce + the recorded server part; into text. */
static int live_server_first(replayer *r, size_t i, pgw_str data,
                             pgw_buf *text) {
  pgw_str rnonce, cnonce, rec_cnonce;
  pgw_message rcf;
  long j = (long)i - 1;
  size_t pre, post, sn;
  while (j >= 0 && r->rec.msgs[j].kind != PGW_MSG_SASL_INITIAL_RESPONSE)
    j--;
  if (j < 0 || rec_decode(&r->rec, (size_t)j, &rcf) != 0 ||
      rcf.body.sasl_initial.data.len < 0 ||
      !client_nonce((pgw_str){(const char *)rcf.body.sasl_initial.data.ptr,
                              (size_t)rcf.body.sasl_initial.data.len},
                    &rec_cnonce) ||
      !cli_scram_attr(data, 'r', &rnonce) || rnonce.len < rec_cnonce.len ||
      !r->client_first ||
      !client_nonce((pgw_str){r->client_first, r->client_first_len}, &cnonce))
    return replay_fail(r, "SCRAM: cannot build the server-first message%s", "");
  if (pgw_buf_reserve(text, data.len + cnonce.len + 1) != 0) return -1;
  /* everything before r=, r=live+server part, everything after */
  pre = (size_t)(rnonce.ptr - data.ptr);
  post = data.len - pre - rnonce.len;
  sn = rnonce.len - rec_cnonce.len;
  memcpy(text->data, data.ptr, pre);
  memcpy(text->data + pre, cnonce.ptr, cnonce.len);
  memcpy(text->data + pre + cnonce.len, rnonce.ptr + rec_cnonce.len, sn);
  memcpy(text->data + pre + cnonce.len + sn, rnonce.ptr + rnonce.len, post);
  text->len = pre + cnonce.len + sn + post;
  free(r->server_first);
  r->server_first = cli_dup(text->data, text->len);
  r->server_first_len = text->len;
  return 0;
}

/* SCRAM server-final: "v=" + the ServerSignature computed live. */
static int live_server_final(replayer *r, pgw_buf *text) {
  char sig64[64];
  if (!r->have_sig ||
      cli_b64_encode(r->server_sig, CLI_SCRAM_KEY_LEN, sig64, sizeof sig64) <
          0 ||
      pgw_buf_reserve(text, 80) != 0)
    return replay_fail(r, "SCRAM: no server signature%s", "");
  text->len = (size_t)sprintf((char *)text->data, "v=%s", sig64);
  return 0;
}

/* Build the live version of recorded backend message i and send it. */
static int send_backend(replayer *r, size_t i) {
  pgw_message rm, lm;
  pgw_buf text;
  pgw_str data;
  int rc = 0, changed = 0;
  if (rec_decode(&r->rec, i, &rm) != 0)
    return replay_fail(r, "recorded message does not decode%s", "");
  lm = rm;
  pgw_buf_init(&text, NULL);
  if (rm.kind == PGW_MSG_AUTHENTICATION &&
      rm.body.auth.code == PGW_AUTH_SASL_CONTINUE) {
    data.ptr = (const char *)rm.body.auth.data.ptr;
    data.len = rm.body.auth.data.len;
    rc = live_server_first(r, i, data, &text);
    changed = 1;
  } else if (rm.kind == PGW_MSG_AUTHENTICATION &&
             rm.body.auth.code == PGW_AUTH_SASL_FINAL) {
    rc = live_server_final(r, &text);
    changed = 1;
  }
  if (changed) {
    lm.body.auth.data.ptr = text.data;
    lm.body.auth.data.len = text.len;
  }
  if (rc == 0) rc = replay_send(r, i, &rm, &lm, changed);
  pgw_buf_free(&text);
  return rc;
}

/* The recorded answer is "canceled": wait for the cancel connection. */
static int await_cancel(replayer *r) {
  int cfd = cli_net_accept(r->listen_fd, r->timeout_ms);
  if (cfd < 0)
    return replay_fail(r, "the client did not send the cancel request (%s)",
                       r->cancel.path);
  return replay_serve_cancel(r, cfd);
}

int replay_to_client_once(replayer *r, int fd) {
  size_t c, i;
  if (live_open_or_fail(r, &r->lv, fd, PGW_BACKEND, "the connection") != 0)
    return -1;
  if (r->rec.tls == 2 && replay_tls_accept(r, &r->lv, 1) != 0) return -1;
  for (c = 0; c < r->rec.nchunks; c++) {
    const rchunk *ch = &r->rec.chunks[c];
    if (ch->dir == PGW_FRONTEND) {
      for (i = ch->first; i < ch->end; i++)
        if (expect_frontend(r, i) != 0) return -1;
      continue;
    }
    if (r->has_cancel && !r->cancel_done && rec_chunk_has_57014(&r->rec, ch) &&
        await_cancel(r) != 0)
      return -1;
    if (replay_send_chunk(r, ch, send_backend) != 0) return -1;
    /* the recorded 'S' went out: the handshake, then the rest inside */
    if (r->rec.tls == 1 && !r->lv.tls &&
        pgw_conn_phase(&r->lv.conn) == PGW_PHASE_TLS_HANDSHAKE &&
        replay_tls_accept(r, &r->lv, 0) != 0)
      return -1;
  }
  /* the server closes after a fatal error; a crossing Terminate is fine */
  if (pgw_conn_phase(&r->lv.conn) == PGW_PHASE_FAILED) return 0;
  return replay_expect_end(r);
}
