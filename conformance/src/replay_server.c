/* replay_server.c - `pgw replay --to-server`: pgw is the client. The
 * recorded frontend messages go out chunk by chunk (re-encoded, with the
 * MD5 hash, SCRAM client-final, CancelRequest key and large-object OIDs
 * recomputed live); every recorded backend message must arrive and match
 * before the next frontend chunk is sent. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "replay_int.h"
#include "util.h"

static int connect_server(replayer *r) {
  char err[300];
  int fd = cli_net_connect(r->o->to_server, r->timeout_ms, err, sizeof err);
  if (fd < 0) fprintf(stderr, "pgw replay: %s\n", err);
  return fd;
}

/* The cancel file's one message and the one pgw built must agree. */
static int same_cancel(const pgw_message *rec, const pgw_message *built) {
  cli_norm a, b;
  pgw_buf x, y;
  int same;
  cli_norm_init(&a);
  cli_norm_init(&b);
  pgw_buf_init(&x, NULL);
  pgw_buf_init(&y, NULL);
  cli_norm_message(&a, PGW_FRONTEND, rec, PGW_PHASE_CANCEL, &x);
  cli_norm_message(&b, PGW_FRONTEND, built, PGW_PHASE_CANCEL, &y);
  same = x.len == y.len && memcmp(x.data, y.data, x.len) == 0;
  pgw_buf_free(&x);
  pgw_buf_free(&y);
  cli_norm_free(&a);
  cli_norm_free(&b);
  return same;
}

/* Send the cancel file's CancelRequest with the live key on cl. */
static int send_cancel(replayer *r, live *cl) {
  pgw_message m, cm;
  rec_decode(&r->cancel, r->cancel.cancel_at, &m);
  cm = m;
  rkey_put(&r->live_key, &cm);
  int rc = live_send(cl, &cm);
  if (rc != 0)
    return replay_fail(r, "cannot send the cancel request: %s",
                       pgw_strerror(rc));
  if (!same_cancel(&m, &cm))
    return replay_mismatch(r, &r->cancel, r->cancel.cancel_at, &cm,
                           PGW_PHASE_CANCEL, "the cancel request pgw built");
  return 0;
}

/* A cancel recorded inside TLS: the SSLRequest, the live 'S' and the
 * handshake (or the handshake first, for direct SSL) before it. */
static int cancel_tls(replayer *r, live *cl) {
  pgw_message m;
  char why[300];
  int rc;
  if (r->cancel.tls == 2) return replay_tls_start(r, cl, 1);
  if (r->cancel.tls != 1) return 0;
  rec_decode(&r->cancel, 0, &m);
  if ((rc = live_send(cl, &m)) != 0)
    return replay_fail(r, "cannot send the cancel's SSLRequest: %s",
                       pgw_strerror(rc));
  rc = live_next(cl, &m, r->timeout_ms, -1);
  if (rc != PGW_OK)
    return replay_fail(r, "the cancel's SSLRequest: %s",
                       live_why(r, cl, rc, why, sizeof why));
  if (m.kind != PGW_MSG_SSL_RESPONSE || m.body.encryption.answer != 'S')
    return replay_mismatch(r, &r->cancel, 1, &m, pgw_conn_phase(&cl->conn),
                           "the server refused TLS for the cancel");
  return replay_tls_start(r, cl, 0);
}

static int cancel_to_server(replayer *r) {
  live cl;
  pgw_message m;
  int fd, rc;
  char why[300];
  r->cancel_done = 1;
  if (!r->live_key_seen)
    return replay_fail(
        r, "cannot send the cancel request%s: no live BackendKeyData", "");
  if ((fd = connect_server(r)) < 0) return -1;
  if (live_open_or_fail(r, &cl, fd, PGW_FRONTEND, "a connection") != 0)
    return -1;
  if (cancel_tls(r, &cl) != 0 || send_cancel(r, &cl) != 0) {
    live_close(&cl);
    return -1;
  }
  /* The server answers a CancelRequest with nothing: it closes. */
  rc = live_next(&cl, &m, r->timeout_ms, -1);
  if (rc == PGW_OK)
    fprintf(stderr,
            "pgw replay: %s: the server answered the CancelRequest "
            "with a message\n",
            r->cancel.path);
  else if (rc != R_EOF)
    fprintf(stderr, "pgw replay: %s: after the CancelRequest: %s\n",
            r->cancel.path, live_why(r, &cl, rc, why, sizeof why));
  live_close(&cl);
  return rc == R_EOF ? 0 : -1;
}

/* A live Authentication message: what the next password message needs. */
static int after_auth(replayer *r, const pgw_message *m, size_t i) {
  const pgw_authentication *a = &m->body.auth;
  pgw_str v, data;
  uint8_t sig[CLI_SCRAM_KEY_LEN + 3];
  r->live_auth = a->code;
  if (a->code == PGW_AUTH_MD5_PASSWORD) memcpy(r->live_salt, a->salt, 4);
  if (a->code == PGW_AUTH_SASL_CONTINUE) {
    free(r->server_first);
    r->server_first = cli_dup(a->data.ptr, a->data.len);
    r->server_first_len = a->data.len;
    if (!r->server_first) return replay_fail(r, "out of memory%s", "");
  }
  if (a->code != PGW_AUTH_SASL_FINAL) return 0;
  data.ptr = (const char *)a->data.ptr;
  data.len = a->data.len;
  if (!r->have_sig || !cli_scram_attr(data, 'v', &v) ||
      cli_b64_decode(v.ptr, v.len, sig, sizeof sig) != CLI_SCRAM_KEY_LEN ||
      memcmp(sig, r->server_sig, CLI_SCRAM_KEY_LEN) != 0)
    return replay_mismatch(r, &r->rec, i, m, pgw_conn_phase(&r->lv.conn),
                           "the server's ServerSignature does not verify");
  return 0;
}

/* After a live backend message matched: what it tells the replay. */
static int after_backend(replayer *r, const pgw_message *m, size_t i) {
  pgw_message rm;
  pgw_value res = m->body.function_result.result;
  switch (m->kind) {
  case PGW_MSG_AUTHENTICATION: return after_auth(r, m, i);
  case PGW_MSG_SSL_RESPONSE:
    if (r->rec.tls == 1 &&
        pgw_conn_phase(&r->lv.conn) == PGW_PHASE_TLS_HANDSHAKE)
      return replay_tls_start(r, &r->lv, 0);
    break;
  case PGW_MSG_BACKEND_KEY_DATA:
    r->live_key_seen = 1;
    rkey_set(&r->live_key, m);
    break;
  case PGW_MSG_FUNCTION_CALL_RESPONSE:
    if (cli_norm_is_lo_create(r->nlive.fcall_oid) && res.len == 4 &&
        r->nlo < MAX_LO && rec_decode(&r->rec, i, &rm) == 0 &&
        rm.body.function_result.result.len == 4) {
      r->lo_rec[r->nlo] = cli_be32(rm.body.function_result.result.ptr);
      r->lo_live[r->nlo++] = cli_be32(res.ptr);
    }
    break;
  default: break;
  }
  return 0;
}

/* A walsender keepalive: CopyData 'k' + WAL end (8) + time (8) + reply
 * flag (1), on a connection that entered COPY BOTH. */
static int is_keepalive(const replayer *r, const pgw_message *m) {
  return r->seen_copy_both && m->kind == PGW_MSG_COPY_DATA &&
         m->body.copy_data.data.len == 18 &&
         m->body.copy_data.data.ptr[0] == 'k';
}

/* Wait for recorded backend message i from the server and compare. A
 * walsender sends keepalives on its own clock (even after both
 * CopyDones): a live keepalive where the recording has none is skipped
 * and counted, never compared. */
static int expect_backend(replayer *r, size_t i, int cancel_here) {
  pgw_message m, rm;
  char why[300];
  int rc;
  for (;;) {
    int wait = r->timeout_ms;
    if (cancel_here && !r->cancel_done && r->live_key_seen)
      wait = CANCEL_QUIET_MS;
    rc = live_next(&r->lv, &m, wait, -1);
    if (rc == R_TIMEOUT && wait != r->timeout_ms) {
      if (cancel_to_server(r) != 0) return -1;
      continue;
    }
    if (rc == PGW_OK && m.kind == PGW_MSG_COPY_BOTH_RESPONSE)
      r->seen_copy_both = 1;
    if (rc != PGW_OK || !is_keepalive(r, &m) ||
        (rec_decode(&r->rec, i, &rm) == 0 && is_keepalive(r, &rm)))
      break;
    r->keepalives_skipped++;
  }
  if (rc != PGW_OK)
    return replay_mismatch(r, &r->rec, i, NULL, pgw_conn_phase(&r->lv.conn),
                           live_why(r, &r->lv, rc, why, sizeof why));
  replay_note_server(r, &m);
  if (replay_compare(r, &r->rec, i, &m, pgw_conn_phase(&r->lv.conn)) != 0)
    return -1;
  if (after_backend(r, &m, i) != 0) return -1;
  r->ok++;
  return 0;
}

/* The live PasswordMessage: the MD5 hash for the live salt, or the
 * password itself; *changed 0 if the recorded one goes out. */
static int live_password(replayer *r, pgw_message *lm, char md5[36],
                         int *changed) {
  if (r->live_auth == PGW_AUTH_MD5_PASSWORD) {
    if (!r->password)
      return replay_fail(
          r, "MD5 authentication needs --password (or PGPASSWORD)%s", "");
    if (cli_md5_password(r->password, r->rec.user, r->live_salt, md5) != 0)
      return replay_fail(r, "MD5 computation failed%s", "");
    lm->body.password.text = pgw_str_from_cstr(md5);
  } else if (r->password) {
    lm->body.password.text = pgw_str_from_cstr(r->password);
  } else {
    *changed = 0;
  }
  return 0;
}

/* The SCRAM client-final message for the live server-first, with the
 * recorded channel binding (c=), into text. */
static int live_client_final(replayer *r, const pgw_message *rm,
                             pgw_buf *text) {
  pgw_str sf, cf, bare, cnonce, rfinal, c;
  char cbuf[200];
  int rc;
  if (!r->password)
    return replay_fail(r, "SCRAM needs --password (or PGPASSWORD)%s", "");
  if (!r->server_first || !r->client_first)
    return replay_fail(r, "SCRAM: no server-first or client-first message%s",
                       "");
  sf.ptr = r->server_first;
  sf.len = r->server_first_len;
  cf.ptr = r->client_first;
  cf.len = r->client_first_len;
  rfinal.ptr = (const char *)rm->body.sasl_response.data.ptr;
  rfinal.len = rm->body.sasl_response.data.len;
  if (cli_scram_bare(cf, &bare) != 0 || !cli_scram_attr(bare, 'r', &cnonce))
    return replay_fail(
        r, "SCRAM: malformed server-first or client-first message%s", "");
  if (!cli_scram_attr(rfinal, 'c', &c))
    return replay_fail(
        r, "SCRAM: the recorded client-final message has no c=%s", "");
  if (replay_tls_binding(r, c, cbuf, sizeof cbuf, &c) != 0)
    return replay_fail(r, "SCRAM: no live tls-server-end-point binding%s", "");
  rc = cli_scram_client_final(r->password, bare, sf, c, text, r->server_sig);
  if (rc == -1)
    return replay_fail(
        r, "SCRAM: malformed server-first or client-first message%s", "");
  if (rc == -2)
    return replay_fail(r,
                       "SCRAM: bad salt or iteration count, or a password "
                       "that is not printable ASCII%s",
                       "");
  if (rc != 0) return replay_fail(r, "SCRAM computation failed%s", "");
  r->have_sig = 1;
  return 0;
}

/* Large-object OIDs the recording got from lo_creat, as the live ones:
 * args and argbytes (count each) hold the new list; 1 if any changed. */
static int live_lo_args(const replayer *r, const pgw_value_list *l,
                        pgw_value *args, uint8_t *argbytes, size_t *count) {
  pgw_iter it = pgw_value_iter(l);
  pgw_value v;
  size_t k = 0, j;
  int any = 0;
  while (pgw_value_next(&it, &v) == 1 && k < l->count) {
    for (j = 0; v.len == 4 && j < r->nlo; j++)
      if (cli_be32(v.ptr) == r->lo_rec[j]) {
        cli_put_be32(argbytes + 4 * k, r->lo_live[j]);
        v.ptr = argbytes + 4 * k;
        any = 1;
        break;
      }
    args[k++] = v;
  }
  *count = k;
  return any;
}

/* Build the live version of recorded frontend message i and send it
 * (appending to r->out). */
static int send_frontend(replayer *r, size_t i) {
  pgw_message rm, lm;
  const pgw_value_list *l = &rm.body.function_call.args;
  char md5[36];
  pgw_buf scram;
  pgw_value *args = NULL;
  uint8_t *argbytes = NULL;
  size_t count;
  int rc = 0, changed = 1;
  if (rec_decode(&r->rec, i, &rm) != 0)
    return replay_fail(r, "recorded message does not decode%s", "");
  lm = rm;
  pgw_buf_init(&scram, NULL);
  switch (rm.kind) {
  case PGW_MSG_PASSWORD_MESSAGE:
    rc = live_password(r, &lm, md5, &changed);
    break;
  case PGW_MSG_SASL_INITIAL_RESPONSE:
    replay_keep_client_first(r, rm.body.sasl_initial.data);
    changed = 0; /* replayed verbatim: it holds the client nonce */
    break;
  case PGW_MSG_SASL_RESPONSE:
    rc = live_client_final(r, &rm, &scram);
    lm.body.sasl_response.data.ptr = scram.data;
    lm.body.sasl_response.data.len = scram.len;
    break;
  case PGW_MSG_CANCEL_REQUEST:
    if (r->live_key_seen) rkey_put(&r->live_key, &lm);
    break;
  case PGW_MSG_FUNCTION_CALL:
    changed = 0;
    if (r->nlo == 0 || l->count == 0) break;
    args = malloc(l->count * sizeof *args);
    argbytes = malloc(l->count * 4);
    if (!args || !argbytes) break;
    changed = live_lo_args(r, l, args, argbytes, &count);
    if (!changed) break;
    lm.body.function_call.args.items = args;
    lm.body.function_call.args.count = count;
    memset(&lm.body.function_call.args.raw, 0, sizeof(pgw_bytes));
    break;
  default: changed = 0; break;
  }
  if (rc == 0) rc = replay_send(r, i, &rm, &lm, changed);
  free(args);
  free(argbytes);
  pgw_buf_free(&scram);
  return rc;
}

int replay_to_server(replayer *r) {
  size_t c, i;
  int fd = connect_server(r);
  if (fd < 0) return -1;
  if (live_open_or_fail(r, &r->lv, fd, PGW_FRONTEND, "the connection") != 0)
    return -1;
  if (r->rec.tls == 2 && replay_tls_start(r, &r->lv, 1) != 0) return -1;
  for (c = 0; c < r->rec.nchunks; c++) {
    const rchunk *ch = &r->rec.chunks[c];
    if (ch->dir == PGW_FRONTEND) {
      if (replay_send_chunk(r, ch, send_frontend) != 0) return -1;
    } else {
      int cancel_here = r->has_cancel && !r->cancel_done &&
                        (!r->rec.has_57014 || rec_chunk_has_57014(&r->rec, ch));
      for (i = ch->first; i < ch->end; i++)
        if (expect_backend(r, i, cancel_here) != 0) return -1;
    }
  }
  if (replay_expect_end(r) != 0) return -1;
  if (r->has_cancel && !r->cancel_done &&
      replay_fail(r, "the paired cancel request (%s) was never due",
                  r->cancel.path))
    return -1;
  return 0;
}
