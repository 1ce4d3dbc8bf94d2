/*
 * normalize.c - the normaliser: see normalize.h, and the rule table in
 * conformance/README.md. Every rule below names its row there.
 */
#include "normalize.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* PostgreSQL's FirstNormalObjectId: OIDs below it are fixed by initdb,
 * OIDs from it on belong to objects created at run time. */
#define FIRST_NORMAL_OID 16384u

/* column mask kinds */
enum { KEEP = 0, MASK = 1, MASK_NEW_OID = 2 };

static const char star[] = "*";

void cli_norm_init(cli_norm *n) {
  memset(n, 0, sizeof *n);
  n->auth_code = -1;
}

void cli_norm_free(cli_norm *n) {
  free(n->mask_col);
  memset(n, 0, sizeof *n);
}

int cli_norm_is_lo_create(uint32_t oid) {
  return oid == CLI_OID_LO_CREAT || oid == CLI_OID_LO_CREATE;
}

static int str_is(pgw_str s, const char *c) {
  size_t n = strlen(c);
  return s.len == n && memcmp(s.ptr, c, n) == 0;
}

/* Rule "time values": types whose values come from the clock. Rule "LSNs
 * and transaction ids". Rule "OIDs of new objects" (oid columns). */
static int mask_for_type(uint32_t type) {
  switch (type) {
  case 1082: /* date */
  case 1083: /* time */
  case 1114: /* timestamp */
  case 1184: /* timestamptz */
  case 1186: /* interval */
  case 1266: /* timetz */
  case 3220: /* pg_lsn */
  case 28:   /* xid */
  case 5069: /* xid8 */ return MASK;
  case 26: /* oid */ return MASK_NEW_OID;
  default: return KEEP;
  }
}

/* Rule "replication results": columns of IDENTIFY_SYSTEM,
 * CREATE_REPLICATION_SLOT and friends that depend on the server's WAL. */
static int replication_column(pgw_str name) {
  static const char *const names[] = {"systemid",
                                      "timeline",
                                      "xlogpos",
                                      "consistent_point",
                                      "snapshot_name",
                                      "restart_lsn",
                                      "confirmed_flush_lsn",
                                      "lsn",
                                      "next_tli",
                                      "next_tli_startpos"};
  size_t i;
  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (str_is(name, names[i])) return 1;
  return 0;
}

static void learn_row_description(cli_norm *n, const pgw_message *m) {
  const pgw_column_list *l = &m->body.row_description.columns;
  pgw_iter it = pgw_column_iter(l);
  pgw_column c;
  size_t i = 0;
  n->ncols = 0;
  if (l->count > n->cap) {
    unsigned char *p = realloc(n->mask_col, l->count);
    if (!p) return; /* no masks: values then compare unmasked */
    n->mask_col = p;
    n->cap = l->count;
  }
  while (pgw_column_next(&it, &c) == 1 && i < l->count) {
    int k = mask_for_type(c.type_oid);
    if (n->replication && replication_column(c.name)) k = MASK;
    n->mask_col[i++] = (unsigned char)k;
  }
  n->ncols = i;
}

static void learn(cli_norm *n, pgw_dir dir, const pgw_message *m) {
  if (m->malformed) return;
  switch (m->kind) {
  case PGW_MSG_STARTUP_MESSAGE: {
    pgw_iter it = pgw_param_iter(&m->body.startup.params);
    pgw_param p;
    while (pgw_param_next(&it, &p) == 1)
      if (str_is(p.name, "replication")) {
        if (str_is(p.value, "database"))
          n->replication = 2;
        else if (!str_is(p.value, "off") && !str_is(p.value, "false") &&
                 !str_is(p.value, "no") && !str_is(p.value, "0"))
          n->replication = 1;
      }
    break;
  }
  case PGW_MSG_AUTHENTICATION: n->auth_code = m->body.auth.code; break;
  case PGW_MSG_FUNCTION_CALL:
    n->fcall_oid = m->body.function_call.function_oid;
    break;
  case PGW_MSG_ROW_DESCRIPTION: learn_row_description(n, m); break;
  case PGW_MSG_NO_DATA: n->ncols = 0; break;
  default: break;
  }
  (void)dir;
}

/* ---- text helpers -------------------------------------------------------- */

/* Copy a comma-separated SCRAM message with the values of the attributes
 * in `masked` replaced by "*" ('B' in masked: c= when it carries channel
 * binding data, base64 of "p=...", which depends on the server's
 * certificate); the first `skip` comma-separated parts (the GS2 header)
 * are copied unchanged. Returns a malloc'd buffer. */
static int masks(const char *masked, const uint8_t *attr, size_t n) {
  if (strchr(masked, (char)attr[0])) return 1;
  return attr[0] == 'c' && strchr(masked, 'B') && n >= 4 && attr[2] == 'c' &&
         attr[3] == 'D';
}

static char *mask_scram(const uint8_t *p, size_t n, const char *masked,
                        int skip, size_t *out_len) {
  char *o = malloc(n + 1);
  size_t i = 0, k = 0;
  int part = 0;
  if (!o) return NULL;
  while (i <= n) {
    size_t j = i;
    while (j < n && p[j] != ',')
      j++;
    if (part >= skip && j - i >= 2 && p[i + 1] == '=' &&
        masks(masked, p + i, j - i)) {
      o[k++] = (char)p[i];
      o[k++] = '=';
      o[k++] = '*';
    } else {
      memcpy(o + k, p + i, j - i);
      k += j - i;
    }
    if (j < n) o[k++] = ',';
    part++;
    i = j + 1;
  }
  *out_len = k;
  return o;
}

static int new_oid_text(pgw_value v) {
  unsigned long x = 0;
  int32_t i;
  if (v.len <= 0 || v.len > 10) return 0;
  for (i = 0; i < v.len; i++) {
    if (v.ptr[i] < '0' || v.ptr[i] > '9') return 0;
    x = x * 10 + (unsigned long)(v.ptr[i] - '0');
  }
  return x >= FIRST_NORMAL_OID;
}

/* ---- normalise ------------------------------------------------------------
 */

static int data_row(cli_norm *n, pgw_message *c, pgw_buf *out) {
  const pgw_value_list *l = &c->body.data_row.columns;
  pgw_value *items;
  pgw_iter it;
  pgw_value v;
  size_t i = 0;
  int rc, any = 0;
  if (n->ncols == 0 || l->count == 0) return pgw_message_encode_buf(c, out);
  items = malloc(l->count * sizeof *items);
  if (!items) return PGW_ERR_NOMEM;
  it = pgw_value_iter(l);
  while (pgw_value_next(&it, &v) == 1 && i < l->count) {
    int k = i < n->ncols ? n->mask_col[i] : KEEP;
    if (v.len >= 0 &&
        (k == MASK ||
         (k == MASK_NEW_OID &&
          (new_oid_text(v) ||
           (v.len == 4 && cli_be32(v.ptr) >= FIRST_NORMAL_OID))))) {
      v.ptr = (const uint8_t *)star;
      v.len = 1;
      any = 1;
    }
    items[i++] = v;
  }
  if (any) {
    c->body.data_row.columns.items = items;
    c->body.data_row.columns.count = i;
    memset(&c->body.data_row.columns.raw, 0, sizeof(pgw_bytes));
  }
  rc = pgw_message_encode_buf(c, out);
  free(items);
  return rc;
}

static int row_description(pgw_message *c, pgw_buf *out) {
  const pgw_column_list *l = &c->body.row_description.columns;
  pgw_column *items;
  pgw_iter it;
  pgw_column col;
  size_t i = 0;
  int rc, any = 0;
  if (l->count == 0) return pgw_message_encode_buf(c, out);
  items = malloc(l->count * sizeof *items);
  if (!items) return PGW_ERR_NOMEM;
  it = pgw_column_iter(l);
  while (pgw_column_next(&it, &col) == 1 && i < l->count) {
    if (col.table_oid >= FIRST_NORMAL_OID) col.table_oid = 0, any = 1;
    if (col.type_oid >= FIRST_NORMAL_OID) col.type_oid = 0, any = 1;
    items[i++] = col;
  }
  if (any) {
    c->body.row_description.columns.items = items;
    c->body.row_description.columns.count = i;
    memset(&c->body.row_description.columns.raw, 0, sizeof(pgw_bytes));
  }
  rc = pgw_message_encode_buf(c, out);
  free(items);
  return rc;
}

static int parameter_description(pgw_message *c, pgw_buf *out) {
  const pgw_oid_list *l = &c->body.parameter_description.types;
  uint32_t *items;
  size_t i;
  int rc, any = 0;
  if (l->count == 0) return pgw_message_encode_buf(c, out);
  items = malloc(l->count * sizeof *items);
  if (!items) return PGW_ERR_NOMEM;
  for (i = 0; i < l->count; i++) {
    items[i] = pgw_oid_get(l, i);
    if (items[i] >= FIRST_NORMAL_OID) items[i] = 0, any = 1;
  }
  if (any) {
    c->body.parameter_description.types.items = items;
    memset(&c->body.parameter_description.types.raw, 0, sizeof(pgw_bytes));
  }
  rc = pgw_message_encode_buf(c, out);
  free(items);
  return rc;
}

/* Rule "source line": the L field of ErrorResponse/NoticeResponse. */
static int notice(cli_norm *n, pgw_message *c, pgw_notice *body, pgw_buf *out) {
  const pgw_notice_field_list *l = &body->fields;
  pgw_notice_field *items;
  pgw_iter it;
  pgw_notice_field f;
  size_t i = 0;
  int rc, any = 0;
  if (n->same_server || l->count == 0) return pgw_message_encode_buf(c, out);
  items = malloc(l->count * sizeof *items);
  if (!items) return PGW_ERR_NOMEM;
  it = pgw_notice_field_iter(l);
  while (pgw_notice_field_next(&it, &f) == 1 && i < l->count) {
    if (f.code == 'L') f.value = pgw_str_from_cstr(star), any = 1;
    items[i++] = f;
  }
  if (any) {
    body->fields.items = items;
    body->fields.count = i;
    memset(&body->fields.raw, 0, sizeof(pgw_bytes));
  }
  rc = pgw_message_encode_buf(c, out);
  free(items);
  return rc;
}

/* Rule "replication stream": CopyData inside COPY BOTH. Keeps the
 * message type byte and the reply-requested flags; the LSNs, clocks,
 * system state and WAL bytes are dropped. */
static int copy_both_data(cli_norm *n, pgw_dir dir, pgw_message *c,
                          pgw_buf *out) {
  const pgw_bytes d = c->body.copy_data.data;
  uint8_t keep[3];
  size_t k = 0;
  if (d.len == 0) return pgw_message_encode_buf(c, out);
  keep[k++] = d.ptr[0];
  if (dir == PGW_BACKEND && d.ptr[0] == 'k' && d.len == 18)
    keep[k++] = d.ptr[17]; /* keepalive: reply requested */
  else if (dir == PGW_FRONTEND && d.ptr[0] == 'r' && d.len == 34)
    keep[k++] = d.ptr[33]; /* standby status: reply requested */
  else if (dir == PGW_BACKEND && d.ptr[0] == 'w' && d.len > 25 &&
           n->replication == 2)
    keep[k++] = d.ptr[25]; /* logical: the decoded message's type byte */
  c->body.copy_data.data.ptr = keep;
  c->body.copy_data.data.len = k;
  return pgw_message_encode_buf(c, out);
}

/* c with its SCRAM data d (n bytes) masked by mask_scram(keys, skip). */
static int encode_masked(pgw_message *c, const uint8_t *d, size_t n,
                         const char *keys, int skip, pgw_buf *out) {
  size_t len;
  char *t = mask_scram(d, n, keys, skip, &len);
  int rc;
  if (!t) return PGW_ERR_NOMEM;
  switch (c->kind) {
  case PGW_MSG_AUTHENTICATION:
    c->body.auth.data.ptr = (const uint8_t *)t;
    c->body.auth.data.len = len;
    break;
  case PGW_MSG_SASL_INITIAL_RESPONSE:
    c->body.sasl_initial.data.ptr = (const uint8_t *)t;
    c->body.sasl_initial.data.len = (int32_t)len;
    break;
  default:
    c->body.sasl_response.data.ptr = (const uint8_t *)t;
    c->body.sasl_response.data.len = len;
    break;
  }
  rc = pgw_message_encode_buf(c, out);
  free(t);
  return rc;
}

/* Rule "SCRAM nonces, salt, proof, signature, channel binding data" on
 * the client's messages. */
static int sasl_client(pgw_message *c, pgw_buf *out) {
  if (c->kind == PGW_MSG_SASL_RESPONSE)
    return encode_masked(c, c->body.sasl_response.data.ptr,
                         c->body.sasl_response.data.len, "rpB", 0, out);
  if (c->body.sasl_initial.data.len < 0) return pgw_message_encode_buf(c, out);
  return encode_masked(c, c->body.sasl_initial.data.ptr,
                       (size_t)c->body.sasl_initial.data.len, "r", 2, out);
}

static void parameter_status(const cli_norm *n, pgw_message *c,
                             pgw_phase phase) {
  const pgw_parameter_status *ps = &c->body.parameter_status;
  /* rule "server version" */
  if (str_is(ps->name, "server_version") && !n->same_server)
    c->body.parameter_status.value = pgw_str_from_cstr(star);
  /* rule "initial time zone" */
  if (str_is(ps->name, "TimeZone") && phase == PGW_PHASE_INITIALIZATION)
    c->body.parameter_status.value = pgw_str_from_cstr(star);
}

static int normalise(cli_norm *n, pgw_dir dir, const pgw_message *m,
                     pgw_phase phase, pgw_buf *out) {
  pgw_message c = *m;
  uint8_t zero[PGW_CANCEL_KEY_MAX];
  memset(zero, 0, sizeof zero);
  switch (m->kind) {
  case PGW_MSG_BACKEND_KEY_DATA: /* rule "process id and secret key" */
    c.body.backend_key.pid = 0;
    if (c.body.backend_key.key.len <= sizeof zero)
      c.body.backend_key.key.ptr = zero;
    break;
  case PGW_MSG_CANCEL_REQUEST: /* rule "process id and secret key" */
    c.body.cancel.pid = 0;
    if (c.body.cancel.key.len <= sizeof zero) c.body.cancel.key.ptr = zero;
    break;
  case PGW_MSG_NOTIFICATION_RESPONSE: /* rule "notifying process" */
    c.body.notification.pid = 0;
    break;
  case PGW_MSG_AUTHENTICATION:
    if (m->body.auth.code == PGW_AUTH_MD5_PASSWORD) { /* rule "MD5 salt" */
      memset(c.body.auth.salt, 0, 4);
    } else if (m->body.auth.code == PGW_AUTH_SASL_CONTINUE ||
               m->body.auth.code == PGW_AUTH_SASL_FINAL) {
      /* rule "SCRAM nonces, salt, proof, signature, channel binding data" */
      return encode_masked(&c, m->body.auth.data.ptr, m->body.auth.data.len,
                           "rsv", 0, out);
    }
    break;
  case PGW_MSG_PASSWORD_MESSAGE: /* rule "MD5 hash" */
    if (n->auth_code == PGW_AUTH_MD5_PASSWORD &&
        m->body.password.text.len == 35 &&
        memcmp(m->body.password.text.ptr, "md5", 3) == 0)
      c.body.password.text = pgw_str_from_cstr("md5*");
    break;
  case PGW_MSG_SASL_INITIAL_RESPONSE:
  case PGW_MSG_SASL_RESPONSE: return sasl_client(&c, out);
  case PGW_MSG_PARAMETER_STATUS: parameter_status(n, &c, phase); break;
  case PGW_MSG_ROW_DESCRIPTION: /* rule "OIDs of new objects" */
    return row_description(&c, out);
  case PGW_MSG_PARAMETER_DESCRIPTION: /* rule "OIDs of new objects" */
    return parameter_description(&c, out);
  case PGW_MSG_DATA_ROW: return data_row(n, &c, out);
  case PGW_MSG_FUNCTION_CALL_RESPONSE: /* rule "large-object OIDs" */
    if (cli_norm_is_lo_create(n->fcall_oid) &&
        c.body.function_result.result.len == 4 &&
        cli_be32(c.body.function_result.result.ptr) >= FIRST_NORMAL_OID)
      c.body.function_result.result.ptr = zero;
    break;
  case PGW_MSG_ERROR_RESPONSE: return notice(n, &c, &c.body.error, out);
  case PGW_MSG_NOTICE_RESPONSE: return notice(n, &c, &c.body.notice, out);
  case PGW_MSG_COPY_DATA:
    if (phase == PGW_PHASE_COPY_BOTH) return copy_both_data(n, dir, &c, out);
    break;
  default: break;
  }
  return pgw_message_encode_buf(&c, out);
}

int cli_norm_message(cli_norm *n, pgw_dir dir, const pgw_message *m,
                     pgw_phase phase, pgw_buf *out) {
  int rc = 0;
  /* The message is normalised with the context of the messages before it
   * (DataRow after its RowDescription, the FunctionCallResponse after its
   * FunctionCall), then what it tells is learned. */
  if (out && !m->malformed && m->kind != PGW_MSG_UNKNOWN)
    rc = normalise(n, dir, m, phase, out);
  learn(n, dir, m);
  return rc;
}
