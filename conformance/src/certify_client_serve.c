/*
 * certify_client_serve.c - the scripted server: each accepted connection
 * gets the next selected case; the startup (SSL/GSSENC refusal,
 * negotiation, authentication, parameters, BackendKeyData) as the case
 * says, then the ready loop (certify_client_answer.c) until the client
 * or the case ends the connection. A cancel case also accepts the
 * client's cancel connection (cc_await_cancel).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "certify_client_run.h"
#include "net.h"

void cc_run_broke(cc_run *r) {
  if (r->s.broke[0]) return;
  cc_wire_broke(&r->w, r->s.broke_rule, sizeof r->s.broke_rule, r->s.broke,
                sizeof r->s.broke);
}

/* The client's next message; 1 when the connection is over. */
static int next(cc_run *r, pgw_message *m) {
  int rc = cc_wire_next(&r->w, m, r->o->timeout_ms);
  if (rc == PGW_OK) return 0;
  if (rc == CC_EOF) r->s.eof = 1;
  if (rc == CC_TIMEOUT && !r->s.terminated)
    snprintf(r->err, sizeof r->err, "the client sent nothing for %d ms",
             r->o->timeout_ms);
  if (rc < 0) cc_run_broke(r);
  r->done = 1;
  return 1;
}

static int answer_encryption(cc_run *r, const pgw_message *m) {
  pgw_message a;
  memset(&a, 0, sizeof a);
  a.kind = m->kind == PGW_MSG_SSL_REQUEST ? PGW_MSG_SSL_RESPONSE
                                          : PGW_MSG_GSSENC_RESPONSE;
  a.body.encryption.answer = 'N';
  *(m->kind == PGW_MSG_SSL_REQUEST ? &r->s.ssl : &r->s.gss) = 1;
  if (pgw_conn_forwarded(&r->w.conn, &a) != 0) return -1;
  return cc_send_bytes(&r->w, (const uint8_t *)"N", 1);
}

/* Unrecognised _pq_ options into opts (NUL-separated); the user. */
static size_t read_params(cc_run *r, const pgw_message *m, char *opts,
                          size_t cap) {
  pgw_iter it = pgw_param_iter(&m->body.startup.params);
  pgw_param p;
  size_t n = 0;
  while (pgw_param_next(&it, &p) == 1) {
    if (cc_str_is(p.name, "user") && p.value.len < sizeof r->user)
      memcpy(r->user, p.value.ptr, p.value.len), r->user[p.value.len] = 0;
    if (p.name.len > 5 && !memcmp(p.name.ptr, "_pq_.", 5) &&
        n + p.name.len + 1 < cap) {
      memcpy(opts + n, p.name.ptr, p.name.len);
      n += p.name.len;
      opts[n++] = '\0';
      r->s.options++;
    }
  }
  return n;
}

static int negotiate(cc_run *r, const char *opts, size_t olen) {
  uint32_t asked = r->s.requested, newest = PGW_PROTOCOL_3_2;
  size_t i;
  if ((r->k->flags & CC_DOWNGRADE) && asked >= PGW_PROTOCOL_3_2)
    newest = PGW_PROTOCOL_3_0;
  r->s.protocol = asked < newest ? asked : newest;
  if (asked <= newest && r->s.options == 0) return 0;
  cc_b(&r->w, 'v');
  cc_i32(&r->w, newest);
  cc_i32(&r->w, (uint32_t)r->s.options);
  for (i = 0; i < olen; i++)
    cc_raw(&r->w, opts + i, 1);
  return cc_send(&r->w, r->err, sizeof r->err);
}

static int params(cc_run *r) {
  static const char *const std[][2] = {{"server_version", "18.0 (pgw certify)"},
                                       {"server_encoding", "UTF8"},
                                       {"client_encoding", "UTF8"},
                                       {"DateStyle", "ISO, MDY"},
                                       {"IntervalStyle", "postgres"},
                                       {"TimeZone", "UTC"},
                                       {"integer_datetimes", "on"},
                                       {"standard_conforming_strings", "on"},
                                       {"is_superuser", "off"},
                                       {"application_name", ""},
                                       {"default_transaction_read_only", "off"},
                                       {"in_hot_standby", "off"}};
  size_t i;
  char name[32];
  for (i = 0; i < sizeof std / sizeof std[0]; i++)
    if (cc_send_ps(&r->w, std[i][0], std[i][1]) != 0) return -1;
  if (cc_send_ps(&r->w, "session_authorization", r->user) != 0) return -1;
  for (i = 0; (r->k->flags & CC_MANY_PARAMS) && i < 28; i++) {
    snprintf(name, sizeof name, "pgw_certify.unknown_%zu", i);
    if (cc_send_ps(&r->w, name, "a value the client never heard of") != 0)
      return -1;
  }
  if ((r->k->flags & CC_NOTICE_START) &&
      (cc_b(&r->w, 'N'), cc_raw(&r->w, "SNOTICE\0VNOTICE\0C00000\0M", 24),
       cc_str(&r->w, "pgw certify: a notice during the startup"),
       cc_raw(&r->w, "", 1), cc_send(&r->w, r->err, sizeof r->err)) != 0)
    return -1;
  return 0;
}

static int key_data(cc_run *r) {
  size_t i;
  if (r->k->flags & CC_NO_KEY) return 0;
  r->keylen = r->s.protocol >= PGW_PROTOCOL_3_2 && r->k->keylen
                  ? (size_t)r->k->keylen
                  : 4;
  for (i = 0; i < r->keylen; i++)
    r->key[i] = (uint8_t)(0x11 + 37 * i + (size_t)r->pid);
  cc_b(&r->w, 'K');
  cc_i32(&r->w, (uint32_t)r->pid);
  cc_raw(&r->w, r->key, r->keylen);
  return cc_send(&r->w, r->err, sizeof r->err);
}

static int fatal(cc_run *r, const char *code, const char *text) {
  r->done = r->s.closed_by_us = 1;
  return cc_send_error(&r->w, "FATAL", code, text);
}

static int startup(cc_run *r) {
  pgw_message m;
  char opts[512];
  size_t olen;
  for (;;) {
    if (next(r, &m)) return 0;
    if (m.kind == PGW_MSG_STARTUP_MESSAGE) break;
    if (m.kind == PGW_MSG_CANCEL_REQUEST) {
      snprintf(r->s.fail, sizeof r->s.fail,
               "a CancelRequest where the case waits for a StartupMessage");
      r->done = 1;
      return 0;
    }
    if (answer_encryption(r, &m) != 0) return -1;
  }
  r->s.startup = 1;
  r->s.restart = r->s.ssl || r->s.gss;
  r->s.requested = m.body.startup.protocol;
  olen = read_params(r, &m, opts, sizeof opts);
  if (negotiate(r, opts, olen) != 0) return -1;
  if (r->k->flags & CC_FATAL_START)
    return fatal(r, "3D000", "database \"certify\" does not exist");
  if (cc_auth_run(r) != 0 || r->done) return r->done ? 0 : -1;
  if (r->k->flags & CC_FATAL_AFTER_OK)
    return fatal(r, "53300", "sorry, too many clients already");
  if (params(r) != 0 || key_data(r) != 0) return -1;
  return cc_send_ready(&r->w, 'I');
}

static void ready_loop(cc_run *r) {
  pgw_message m;
  while (!r->done) {
    if (next(r, &m)) break;
    if (cc_answer_message(r, &m) != 0) break;
  }
}

/* Wait for the client to close after we ended the connection (we read
 * nothing more; what it still sends is not checked). */
static void drain(cc_run *r) {
  long end = cli_net_now_ms() + r->o->timeout_ms;
  uint8_t b[4096];
  shutdown(r->w.fd, SHUT_WR);
  while (!r->s.eof && cli_net_now_ms() < end) {
    ssize_t n;
    if (cli_net_wait(r->w.fd, (int)(end - cli_net_now_ms())) <= 0) break;
    n = recv(r->w.fd, b, sizeof b, 0);
    if (n <= 0) r->s.eof = 1;
  }
  if (!r->s.eof)
    snprintf(r->s.fail, sizeof r->s.fail,
             "the client kept the connection open %d ms after the server "
             "ended it",
             r->o->timeout_ms);
}

/* --record DIR: DIR/NNN-group-name.pgs for case index i. */
static void record(cc_run *r, size_t i) {
  char path[512], *p;
  int n;
  if (!r->o->record_dir) return;
  n = snprintf(path, sizeof path, "%s/%03zu-", r->o->record_dir, i + 1);
  if (n < 0 || (size_t)n >= sizeof path) return;
  snprintf(path + n, sizeof path - (size_t)n, "%s.pgs", r->k->c.id);
  for (p = path + n; *p; p++)
    if (*p == '/') *p = '-';
  cc_wire_record(&r->w, path, r->k->c.id);
}

static void run_case(cc_run *r, int fd, size_t i) {
  uint32_t offer = PGW_PROTOCOL_3_2;
  if (cc_wire_open(&r->w, fd, offer) != 0) return;
  r->w.stop = r->stop;
  record(r, i);
  r->w.split = (r->k->flags & CC_SPLIT) != 0;
  if (startup(r) != 0) r->done = 1;
  if (!r->done && r->k->answer == A_FATAL_IDLE)
    fatal(r, "57P01", "terminating connection due to administrator command");
  if (!r->done) ready_loop(r);
  if (r->w.gone) r->s.eof = 1; /* it closed while we wrote */
  if (r->s.closed_by_us && !r->s.eof) drain(r);
  cc_wire_close(&r->w);
}

/* The next connection within the deadline: its socket, or -1. */
static int accept_one(int lfd, int timeout_ms, volatile int *stop) {
  long end = cli_net_now_ms() + timeout_ms;
  while (!*stop) {
    long left = end - cli_net_now_ms();
    int rc;
    if (left <= 0) return -1;
    rc = cli_net_wait(lfd, left > 200 ? 200 : (int)left);
    if (rc > 0) return accept(lfd, NULL, NULL);
    if (rc < 0 && errno != EINTR) return -1;
  }
  return -1;
}

size_t cc_serve(int lfd, const cc_case *const *sel, size_t n, const cc_opts *o,
                cert_done *d, volatile int *stop) {
  size_t i;
  /* The first connection may take a while (a driver starting up). */
  int wait_ms = o->timeout_ms * 3;
  for (i = 0; i < n && !*stop; i++) {
    cc_run *r = calloc(1, sizeof *r);
    long t0 = cli_net_now_ms();
    int fd;
    if (!r) break;
    fd = accept_one(lfd, wait_ms, stop);
    if (fd < 0) {
      free(r);
      break;
    }
    r->k = sel[i], r->o = o, r->lfd = lfd, r->stop = stop;
    r->pid = (int32_t)(4242 + i);
    run_case(r, fd, i);
    if (*stop) { /* cut short by the signal: no verdict */
      free(r);
      break;
    }
    if (r->err[0] && !r->s.fail[0] && !r->s.eof)
      snprintf(r->s.fail, sizeof r->s.fail, "%s", r->err);
    d[i].c = &sel[i]->c;
    cc_judge(sel[i], &r->s, &d[i].r);
    d[i].r.duration_ms = cli_net_now_ms() - t0;
    cert_report_line(stdout, &d[i]);
    fflush(stdout);
    free(r);
    wait_ms = o->timeout_ms;
  }
  return i;
}
