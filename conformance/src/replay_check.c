/* replay_check.c - what `pgw replay` does with each message in both
 * directions: compare a live message with the recording, send the live
 * version of a recorded one (checking pgw's encoding), report. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"
#include "render.h"
#include "replay_int.h"
#include "tls.h"
#include "util.h"

void replay_show(const char *label, pgw_dir dir, pgw_phase phase,
                 const pgw_message *m) {
  cli_msg msg;
  msg.dir = dir;
  msg.phase = pgw_phase_name(phase);
  msg.m = m;
  fprintf(stderr, "  %-9s ", label);
  cli_render_text(stderr, &msg);
}

/* What pgw encoded last: a bad encoding shows up in the answer to it. */
static void show_last_sent(const replayer *r) {
  pgw_message m;
  if (r->last_sent < 0 || (size_t)r->last_sent >= r->rec.n ||
      rec_decode(&r->rec, (size_t)r->last_sent, &m) != 0)
    return;
  fprintf(stderr,
          "  the last message pgw sent was message %ld (recorded "
          "form; MD5/SCRAM/cancel fields recomputed live):\n",
          r->last_sent + 1);
  replay_show("sent:", r->rec.msgs[r->last_sent].dir,
              r->rec.msgs[r->last_sent].phase, &m);
}

int replay_mismatch(replayer *r, const recording *rec, size_t i,
                    const pgw_message *actual, pgw_phase live_phase,
                    const char *why) {
  const rmsg *x = &rec->msgs[i];
  pgw_message m;
  fflush(stdout);
  fprintf(stderr,
          "pgw replay: %s: message %zu of %zu differs (%s, stream offset "
          "%zu, phase %s, line %zu)%s%s\n",
          rec->path, i + 1, rec->n, cli_dir_name(x->dir), x->offset,
          pgw_phase_name(x->phase), x->line, why ? ": " : "", why ? why : "");
  if (rec_decode(rec, i, &m) == 0)
    replay_show("expected:", x->dir, x->phase, &m);
  if (actual) {
    fprintf(stderr, "  (live stream offset %zu)\n", actual->offset);
    replay_show("actual:", x->dir, live_phase, actual);
  } else {
    fprintf(stderr, "  %-9s (none)\n", "actual:");
  }
  show_last_sent(r);
  return -1;
}

int replay_fail(replayer *r, const char *fmt, const char *detail) {
  fflush(stdout);
  fprintf(stderr, "pgw replay: %s: ", r->rec.path);
  fprintf(stderr, fmt, detail);
  fputc('\n', stderr);
  return -1;
}

int replay_compare(replayer *r, const recording *rec, size_t i,
                   const pgw_message *m, pgw_phase live_phase) {
  const rmsg *x = &rec->msgs[i];
  pgw_message rm;
  int rc;
  if (rec_decode(rec, i, &rm) != 0)
    return replay_fail(r, "recorded message %s does not decode", "");
  pgw_buf_clear(&r->na);
  pgw_buf_clear(&r->nb);
  rc = cli_norm_message(&r->nrec, x->dir, &rm, x->phase, &r->na);
  if (rc == 0) rc = cli_norm_message(&r->nlive, x->dir, m, live_phase, &r->nb);
  if (rc != 0) return replay_fail(r, "cannot normalise: %s", pgw_strerror(rc));
  if (rm.kind != m->kind || r->na.len != r->nb.len ||
      memcmp(r->na.data, r->nb.data, r->na.len) != 0)
    return replay_mismatch(r, rec, i, m, live_phase, NULL);
  return 0;
}

void replay_note_server(replayer *r, const pgw_message *m) {
  const pgw_parameter_status *ps = &m->body.parameter_status;
  const char *v = r->rec.server_version;
  if (m->kind != PGW_MSG_PARAMETER_STATUS || ps->name.len != 14 ||
      memcmp(ps->name.ptr, "server_version", 14) != 0)
    return;
  r->nrec.same_server = r->nlive.same_server =
      v && strlen(v) == ps->value.len &&
      memcmp(v, ps->value.ptr, ps->value.len) == 0;
}

/* The recorded wire bytes of x: header (into head, *h bytes) + payload. */
static uint8_t recorded_byte(const rmsg *x, const uint8_t *head, size_t h,
                             size_t k) {
  return k < h ? head[k] : x->payload[k - h];
}

/* pgw's encoding (enc, n bytes) of recorded message i, sent unchanged,
 * must be the recorded bytes: otherwise report it (once per message), go
 * on to see what the peer makes of it, and fail in the end. */
static void check_encoding(replayer *r, size_t i, const uint8_t *enc,
                           size_t n) {
  const rmsg *x = &r->rec.msgs[i];
  uint8_t head[5];
  size_t h = 0, k, total;
  pgw_message m;
  if (x->kind != PGW_MSG_SSL_RESPONSE && x->kind != PGW_MSG_GSSENC_RESPONSE) {
    if (x->type) head[h++] = x->type;
    cli_put_be32(head + h, (uint32_t)(x->plen + 4));
    h += 4;
  }
  total = h + x->plen;
  for (k = 0; k < n && k < total; k++)
    if (enc[k] != recorded_byte(x, head, h, k)) break;
  if (k == n && n == total) return;
  r->encoding_differs = 1;
  fflush(stdout);
  fprintf(stderr,
          "pgw replay: %s: message %zu of %zu: pgw's encoding differs from "
          "the recording (%s, stream offset %zu, phase %s, line %zu): ",
          r->rec.path, i + 1, r->rec.n, cli_dir_name(x->dir), x->offset,
          pgw_phase_name(x->phase), x->line);
  if (k < n && k < total)
    fprintf(stderr, "byte %zu is 0x%02x recorded, 0x%02x encoded", k,
            recorded_byte(x, head, h, k), enc[k]);
  else
    fprintf(stderr, "%zu bytes recorded, %zu encoded", total, n);
  fputc('\n', stderr);
  if (rec_decode(&r->rec, i, &m) == 0)
    replay_show("recorded:", x->dir, x->phase, &m);
}

int replay_send(replayer *r, size_t i, const pgw_message *rm,
                const pgw_message *lm, int changed) {
  size_t before = r->out.len;
  pgw_dir dir = r->rec.msgs[i].dir;
  char why[400];
  const pgw_error *e;
  int rc = pgw_conn_send(&r->lv.conn, lm, &r->out);
  if (rc == 0) {
    if (!changed)
      check_encoding(r, i, r->out.data + before, r->out.len - before);
    /* both normalisers follow their conversation */
    cli_norm_message(&r->nrec, dir, rm, r->rec.msgs[i].phase, NULL);
    cli_norm_message(&r->nlive, dir, lm, pgw_conn_phase(&r->lv.conn), NULL);
    r->last_sent = (long)i;
    r->ok++;
    return 0;
  }
  e = pgw_conn_error(&r->lv.conn);
  snprintf(why, sizeof why, "pgw cannot send it now: %s: %s", pgw_strerror(rc),
           e->reason ? e->reason : "");
  return replay_mismatch(r, &r->rec, i, lm, pgw_conn_phase(&r->lv.conn), why);
}

int replay_send_chunk(replayer *r, const rchunk *ch,
                      int (*send_one)(replayer *r, size_t i)) {
  size_t i;
  pgw_buf_clear(&r->out);
  for (i = ch->first; i < ch->end; i++)
    if (send_one(r, i) != 0) return -1;
  /* a failed write shows in the next expected message */
  if (r->out.len && r->lv.tls)
    cli_tls_write(r->lv.tls, r->out.data, r->out.len);
  else if (r->out.len)
    cli_net_write(r->lv.fd, r->out.data, r->out.len);
  return 0;
}

void replay_keep_client_first(replayer *r, pgw_value data) {
  free(r->client_first);
  r->client_first = NULL;
  if (data.len < 0) return;
  r->client_first = cli_dup(data.ptr, (size_t)data.len);
  r->client_first_len = (size_t)data.len;
}

/* The peer sent m after the end of the recording. */
static int more_than_recorded(replayer *r, const pgw_message *m) {
  pgw_dir peer = r->lv.conn.role == PGW_FRONTEND ? PGW_BACKEND : PGW_FRONTEND;
  fprintf(stderr,
          "pgw replay: %s: message %zu: the recording ends here but the "
          "%s sent more (phase %s)\n",
          r->rec.path, r->rec.n + 1, peer == PGW_BACKEND ? "server" : "client",
          pgw_phase_name(pgw_conn_phase(&r->lv.conn)));
  replay_show("actual:", peer, pgw_conn_phase(&r->lv.conn), m);
  return -1;
}

int replay_expect_end(replayer *r) {
  pgw_phase ph = pgw_conn_phase(&r->lv.conn);
  int closing = ph == PGW_PHASE_TERMINATED || ph == PGW_PHASE_FAILED ||
                ph == PGW_PHASE_CANCEL;
  pgw_message m;
  char why[300];
  int rc;
  for (;;) {
    rc = live_next(&r->lv, &m, closing ? r->timeout_ms : 200, r->listen_fd);
    if (rc != R_EXTRA) break;
    if (replay_serve_cancel(r, accept(r->listen_fd, NULL, NULL)) != 0)
      return -1;
  }
  if (rc == R_EOF || (rc == R_TIMEOUT && !closing)) return 0;
  fflush(stdout);
  if (rc == PGW_OK) return more_than_recorded(r, &m);
  fprintf(stderr, "pgw replay: %s: after the last message: %s\n", r->rec.path,
          live_why(r, &r->lv, rc, why, sizeof why));
  return -1;
}
