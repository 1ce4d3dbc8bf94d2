/*
 * certify_client_answer.c - the scripted server in the ready phase: a
 * small PostgreSQL that answers Query, the extended messages, COPY and
 * Terminate, where the client's first query gets the case's answer
 * (cc_answer) and every later one a row of one int4 column.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "certify_client_run.h"
#include "net.h"

#define INT4 23u
#define TEXT 25u

static int out(cc_run *r) {
  return cc_send(&r->w, r->err, sizeof r->err);
}

static int rowdesc(cc_run *r, size_t cols, uint32_t type) {
  size_t i;
  char name[16];
  cc_b(&r->w, 'T');
  cc_i16(&r->w, (uint16_t)cols);
  for (i = 0; i < cols; i++) {
    snprintf(name, sizeof name, i ? "c%zu" : "?column?", i);
    cc_str(&r->w, name);
    cc_i32(&r->w, 0), cc_i16(&r->w, 0), cc_i32(&r->w, type);
    cc_i16(&r->w, type == INT4 ? 4 : 0xffff), cc_i32(&r->w, 0xffffffffu);
    cc_i16(&r->w, 0);
  }
  return out(r);
}

/* A row of cols copies of v (len (size_t)-1: NULL). */
static int datarow(cc_run *r, size_t cols, const char *v, size_t len) {
  size_t i;
  cc_b(&r->w, 'D');
  cc_i16(&r->w, (uint16_t)cols);
  for (i = 0; i < cols; i++) {
    cc_i32(&r->w, len == (size_t)-1 ? 0xffffffffu : (uint32_t)len);
    if (len != (size_t)-1) cc_raw(&r->w, v, len);
  }
  return out(r);
}

static int wide_row(cc_run *r, size_t len) {
  char *v = malloc(len);
  int rc;
  if (!v) return -1;
  memset(v, 'w', len);
  rc = datarow(r, 1, v, len);
  free(v);
  return rc;
}

static int tag(cc_run *r, char t, const char *text) {
  cc_b(&r->w, (uint8_t)t);
  if (text) cc_str(&r->w, text);
  return out(r);
}

static int notice(cc_run *r) {
  cc_b(&r->w, 'N');
  cc_raw(&r->w, "SWARNING\0VWARNING\0C01000\0M", 26);
  cc_str(&r->w, "pgw certify: a notice between the messages of a result");
  cc_raw(&r->w, "", 1);
  return out(r);
}

static int notify(cc_run *r) {
  cc_b(&r->w, 'A');
  cc_i32(&r->w, 777);
  cc_str(&r->w, "certify");
  cc_str(&r->w, "a notification between the messages of a result");
  return out(r);
}

/* Every field the documentation lists, and one it does not (ignored). */
static int error_full(cc_run *r) {
  static const char f[] =
      "SERROR\0VERROR\0C22012\0Mdivision by zero\0Dthe detail\0"
      "Hthe hint\0P8\0p3\0qSELECT 1/0\0Wthe context\0spublic\0tt\0cc\0"
      "dd\0nn_check\0Fint.c\0L842\0Rint4div\0Zan unknown field\0";
  cc_b(&r->w, 'E');
  cc_raw(&r->w, f, sizeof f);
  return out(r);
}

static int error(cc_run *r, const char *code, const char *text) {
  r->s.error_sent = 1;
  return cc_send_error(&r->w, "ERROR", code, text);
}

static int one_row(cc_run *r) {
  return datarow(r, 1, "1", 1);
}

/* The rows part of an answer (after RowDescription, before the tag). */
static int rows(cc_run *r, cc_answer a) {
  int i, rc = 0;
  switch (a) {
  case A_WIDE: return wide_row(r, 40000);
  case A_HUGE: return wide_row(r, 1u << 20);
  case A_MANY:
    for (i = 0; i < 10000 && rc == 0; i++)
      rc = one_row(r);
    return rc;
  case A_NOTICE_MID: return one_row(r) || notice(r) || one_row(r);
  case A_NOTIFY_MID: return one_row(r) || notify(r) || one_row(r);
  case A_PS_MID:
    return one_row(r) || cc_send_ps(&r->w, "application_name", "mid") ||
           one_row(r);
  case A_ASYNC_MID:
    return cc_send_ps(&r->w, "TimeZone", "Europe/Berlin") || notice(r) ||
           notify(r) || one_row(r) || notice(r) || notify(r);
  default: return one_row(r);
  }
}

static uint32_t type_of(cc_answer a) {
  return a == A_WIDE || a == A_HUGE ? TEXT : INT4;
}

static int copy_response(cc_run *r, char t) {
  cc_b(&r->w, (uint8_t)t);
  cc_raw(&r->w, "\0\0\1\0\0", 5);
  return out(r);
}

static int copy_out(cc_run *r, cc_answer a) {
  char *big;
  if (copy_response(r, 'H') != 0) return -1;
  if (a == A_COPY_OUT_WIDE) {
    if (!(big = malloc(100001))) return -1;
    memset(big, 'c', 100000), big[100000] = '\n';
    cc_b(&r->w, 'd'), cc_raw(&r->w, big, 100001);
    free(big);
    if (out(r) != 0) return -1;
  } else if (tag(r, 'd', NULL), cc_raw(&r->w, "1\n", 2), out(r) != 0)
    return -1;
  if (a == A_COPY_OUT_ERR)
    return error(r, "57014", "COPY TO STDOUT failed midway") ||
           cc_send_ready(&r->w, 'I');
  return tag(r, 'c', NULL) || tag(r, 'C', "COPY 1") ||
         cc_send_ready(&r->w, 'I');
}

/* The server ends the connection: at once, or 8 bytes into an 11-byte
 * DataRow. */
static int close_now(cc_run *r) {
  r->done = r->s.closed_by_us = 1;
  return 0;
}

static int close_mid(cc_run *r) {
  static const uint8_t cut[] = {'D', 0, 0, 0, 11, 0, 1, 0};
  close_now(r);
  return cc_send_bytes(&r->w, cut, sizeof cut);
}

static int fatal_close(cc_run *r) {
  r->done = r->s.closed_by_us = 1;
  return cc_send_error(&r->w, "FATAL", "57P01",
                       "terminating connection due to administrator command");
}

/* Answers that are no result set; 1 if a was one of them. */
static int special(cc_run *r, cc_answer a, int *rc) {
  switch (a) {
  case A_EMPTY: *rc = tag(r, 'I', NULL) || cc_send_ready(&r->w, 'I'); break;
  case A_TAG:
    *rc = tag(r, 'C', "INSERT 0 5") || cc_send_ready(&r->w, 'I');
    break;
  case A_ERR_FULL:
    r->s.error_sent = 1;
    *rc = error_full(r) || cc_send_ready(&r->w, 'I');
    break;
  case A_TXN_E:
    *rc = error(r, "25P02", "current transaction is aborted") ||
          cc_send_ready(&r->w, 'E');
    break;
  case A_COPY_IN:
  case A_COPY_IN_ERR: *rc = copy_response(r, 'G'); break;
  case A_COPY_OUT:
  case A_COPY_OUT_ERR:
  case A_COPY_OUT_WIDE: *rc = copy_out(r, a); break;
  case A_CLOSE_NOW: *rc = close_now(r); break;
  case A_CLOSE_MID: *rc = rowdesc(r, 1, INT4) || close_mid(r); break;
  case A_FATAL_MID:
    *rc = rowdesc(r, 1, INT4) || one_row(r) || fatal_close(r);
    break;
  default: return 0;
  }
  return 1;
}

static int cancelled(cc_run *r) {
  if (!cc_await_cancel(r)) return 0;
  r->s.error_sent = 1;
  return cc_send_error(&r->w, "ERROR", "57014",
                       "canceling statement due to user request") ||
         cc_send_ready(&r->w, 'I');
}

static size_t cols_of(cc_answer a);

static int simple(cc_run *r, cc_answer a) {
  size_t cols = cols_of(a);
  int rc = 0;
  if (special(r, a, &rc)) return rc;
  if (a == A_CANCEL && cancelled(r) == 0 && r->s.cancel == 1) return 0;
  if (rowdesc(r, cols, type_of(a)) != 0) return -1;
  if (a == A_NULLS)
    rc = datarow(r, 3, "", 0) || datarow(r, 3, "", (size_t)-1);
  else if (a == A_COLS)
    rc = datarow(r, cols, "7", 1);
  else
    rc = rows(r, a);
  if (rc == 0 && a == A_ERR_AFTER_ROWS)
    return error(r, "22012", "division by zero") || cc_send_ready(&r->w, 'I');
  if (rc == 0 && a == A_MULTI)
    rc = tag(r, 'C', "SELECT 1") || rowdesc(r, 1, INT4) || one_row(r);
  return rc || tag(r, 'C', "SELECT 1") ||
         cc_send_ready(&r->w, a == A_TXN_T ? 'T' : 'I');
}

/* SET ...: a driver's session setup (pgJDBC sends two while it
 * connects), not the query a case answers. */
static int is_setup(pgw_str q) {
  return q.len > 4 && !strncasecmp(q.ptr, "SET ", 4);
}

static int query(cc_run *r, const pgw_message *m) {
  cc_answer a = A_ROWS;
  pgw_str q = m->body.query.text;
  if (r->pending_ext) r->s.no_sync_query = 1;
  if (is_setup(q)) return tag(r, 'C', "SET") || cc_send_ready(&r->w, 'I');
  r->s.queries++;
  r->s.simple++;
  if (!r->first_done) a = r->k->answer, r->first_done = 1;
  if (a == A_ROWS && q.len > 5 && !strncasecmp(q.ptr, "COPY ", 5))
    a = memmem(q.ptr, q.len, "STDIN", 5) ? A_COPY_IN : A_COPY_OUT;
  if (simple(r, a) != 0) return -1;
  return r->done ? 0 : cc_answer_idle(r);
}

static int copy_in(cc_run *r, const pgw_message *m) {
  if (m->kind == PGW_MSG_COPY_DATA) {
    if (r->k->answer != A_COPY_IN_ERR || r->s.error_sent) return 0;
    return error(r, "22P02", "invalid input syntax in COPY data") ||
           cc_send_ready(&r->w, 'I');
  }
  if (r->s.error_sent && r->k->answer == A_COPY_IN_ERR) return 0;
  if (m->kind == PGW_MSG_COPY_FAIL) {
    r->s.copy_fail = 1;
    return error(r, "57014", "COPY from stdin failed") ||
           cc_send_ready(&r->w, 'I');
  }
  r->s.copy_done = 1;
  return tag(r, 'C', "COPY 1") || cc_send_ready(&r->w, 'I');
}

static int skip_error(cc_run *r, const char *code, const char *text) {
  r->skipping = 1;
  return error(r, code, text);
}

static size_t cols_of(cc_answer a) {
  return a == A_COLS ? 1600 : a == A_NULLS ? 3 : 1;
}

/* The first Execute's answers that are no plain result; 1 if handled. */
static int exec_special(cc_run *r, cc_answer a, int *rc) {
  switch (a) {
  case A_EXT_ERR_EXEC:
    *rc = one_row(r) || skip_error(r, "22012", "division by zero");
    break;
  case A_EMPTY: *rc = tag(r, 'I', NULL); break;
  case A_TAG: *rc = tag(r, 'C', "INSERT 0 5"); break;
  case A_ERR_FULL:
    r->s.error_sent = r->skipping = 1;
    *rc = error_full(r);
    break;
  case A_ERR_AFTER_ROWS:
    *rc =
        one_row(r) || one_row(r) || skip_error(r, "22012", "division by zero");
    break;
  case A_TXN_E:
    *rc = skip_error(r, "25P02", "current transaction is aborted");
    break;
  case A_CLOSE_NOW: *rc = close_now(r); break;
  case A_CLOSE_MID: *rc = close_mid(r); break;
  case A_FATAL_MID: *rc = one_row(r) || fatal_close(r); break;
  case A_CANCEL:
    if (!cc_await_cancel(r)) return 0;
    *rc = skip_error(r, "57014", "canceling statement due to user request");
    break;
  default: return 0;
  }
  return 1;
}

static int execute(cc_run *r) {
  cc_answer a = r->first_done ? A_ROWS : r->k->answer;
  int rc = 0;
  if (r->setup) return tag(r, 'C', "SET");
  r->first_done = 1;
  r->executes++;
  r->s.queries++;
  if (exec_special(r, a, &rc)) return rc;
  if (r->k->answer == A_PIPE_ERR_MID && r->executes == 2)
    return skip_error(r, "22012", "division by zero in the pipeline");
  if (a == A_NULLS)
    rc = datarow(r, 3, "", 0) || datarow(r, 3, "", (size_t)-1);
  else if (a == A_COLS)
    rc = datarow(r, 1600, "7", 1);
  else
    rc = rows(r, a);
  return rc || tag(r, 'C', "SELECT 1");
}

static int describe(cc_run *r, const pgw_message *m) {
  size_t i;
  cc_answer a = r->first_done ? A_ROWS : r->k->answer;
  if (m->body.describe.target == 'S') {
    cc_b(&r->w, 't');
    cc_i16(&r->w, (uint16_t)r->nparams);
    for (i = 0; i < r->nparams; i++)
      cc_i32(&r->w, TEXT);
    if (out(r) != 0) return -1;
  }
  if (a == A_EMPTY || a == A_TAG || r->setup) return tag(r, 'n', NULL);
  return rowdesc(r, cols_of(a), type_of(a));
}

static int extended(cc_run *r, const pgw_message *m) {
  int first = !r->first_done;
  r->pending_ext = 1;
  if (r->skipping) return 0;
  switch (m->kind) {
  case PGW_MSG_PARSE:
    r->nparams = m->body.parse.param_types.count;
    if ((r->setup = is_setup(m->body.parse.query))) return tag(r, '1', NULL);
    if (first && r->k->answer == A_EXT_ERR_PARSE)
      return r->first_done = 1, skip_error(r, "42601", "syntax error");
    return tag(r, '1', NULL);
  case PGW_MSG_BIND:
    if (first && !r->setup && r->k->answer == A_EXT_ERR_BIND)
      return r->first_done = 1, skip_error(r, "22P02", "invalid input");
    return tag(r, '2', NULL);
  case PGW_MSG_DESCRIBE: return describe(r, m);
  case PGW_MSG_EXECUTE: return execute(r);
  case PGW_MSG_CLOSE: return tag(r, '3', NULL);
  default: return 0; /* Flush */
  }
}

int cc_answer_message(cc_run *r, const pgw_message *m) {
  switch (m->kind) {
  case PGW_MSG_QUERY: return query(r, m);
  case PGW_MSG_TERMINATE: r->s.terminated = 1; return 0;
  case PGW_MSG_COPY_DATA:
  case PGW_MSG_COPY_DONE:
  case PGW_MSG_COPY_FAIL: return copy_in(r, m);
  case PGW_MSG_SYNC:
    if (r->skipping) r->s.sync_after_error = 1;
    r->skipping = r->pending_ext = 0;
    return cc_send_ready(&r->w, 'I') || (r->done ? 0 : cc_answer_idle(r));
  case PGW_MSG_FUNCTION_CALL:
    cc_b(&r->w, 'V'), cc_i32(&r->w, 0xffffffffu);
    return out(r) || cc_send_ready(&r->w, 'I');
  default: return extended(r, m);
  }
}

int cc_answer_idle(cc_run *r) {
  cc_answer a = r->k->answer;
  if (r->idle_sent++) return 0;
  if (a == A_IDLE_NOTIFY) return notify(r);
  if (a == A_IDLE_NOTICE) return notice(r);
  if (a == A_IDLE_PS) return cc_send_ps(&r->w, "application_name", "idle");
  return 0;
}
