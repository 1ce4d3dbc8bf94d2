/*
 * certify_client_cancel.c - the second connection of a cancel case: while
 * the client's query waits, accept its new connection and check the
 * CancelRequest against the BackendKeyData of the first: that process id,
 * exactly that key, the key length of the protocol in use (the strict
 * backend conn of the cancel connection knows the protocol offered).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "certify_client_run.h"
#include "net.h"

static void compare(cc_run *r, const pgw_message *m) {
  const pgw_cancel_request *c = &m->body.cancel;
  char got[80], want[80];
  if (c->pid == r->pid && c->key.len == r->keylen &&
      !memcmp(c->key.ptr, r->key, r->keylen)) {
    r->s.cancel = 1;
    return;
  }
  r->s.cancel = -1;
  cc_hex(got, sizeof got, c->key.ptr, c->key.len, 0);
  cc_hex(want, sizeof want, r->key, r->keylen, 0);
  snprintf(r->s.fail, sizeof r->s.fail,
           "CancelRequest pid %d key of %zu bytes (%s), BackendKeyData sent "
           "pid %d and %zu bytes (%s)",
           (int)c->pid, c->key.len, got, (int)r->pid, r->keylen, want);
}

/* Read the cancel connection: its CancelRequest, then nothing. */
static void cancel_conn(cc_run *r, int fd) {
  cc_wire w;
  pgw_message m;
  int rc;
  uint32_t proto =
      r->s.protocol >= PGW_PROTOCOL_3_2 ? PGW_PROTOCOL_3_2 : PGW_PROTOCOL_3_0;
  cc_wire_open(&w, fd, proto);
  rc = cc_wire_next(&w, &m, r->o->timeout_ms);
  if (rc == PGW_OK && m.kind != PGW_MSG_CANCEL_REQUEST) {
    r->s.cancel = -1;
    snprintf(r->s.fail, sizeof r->s.fail,
             "the new connection opened with %s, not CancelRequest",
             pgw_message_name(&m));
  } else if (rc == PGW_OK) {
    compare(r, &m);
    rc = cc_wire_next(&w, &m, 1000);
  }
  if (rc < 0 && !r->s.broke[0]) {
    cc_wire_broke(&w, r->s.broke_rule, sizeof r->s.broke_rule, r->s.broke,
                  sizeof r->s.broke);
    strncat(r->s.broke, " (on the cancel connection)",
            sizeof r->s.broke - strlen(r->s.broke) - 1);
    if (r->s.cancel == 0) r->s.cancel = -1;
  }
  cc_wire_close(&w);
}

int cc_await_cancel(cc_run *r) {
  int rc = cli_net_wait(r->lfd, r->o->timeout_ms), fd;
  if (rc <= 0) return 0;
  fd = accept(r->lfd, NULL, NULL);
  if (fd < 0) return 0;
  cancel_conn(r, fd);
  return r->s.cancel == 1;
}
