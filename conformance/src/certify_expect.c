/* certify_expect.c - the answer matcher and each token's value check. */
#include "certify_expect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- values ---------------------------------------------------------- */

static int same(const cert_tok *t, const char *p, size_t n) {
  size_t vl = strlen(t->value);
  if (t->prefix) return n >= vl && memcmp(p, t->value, vl) == 0;
  return n == vl && memcmp(p, t->value, n) == 0;
}

static pgw_str notice_field(const pgw_message *m, uint8_t code) {
  pgw_iter it = pgw_notice_field_iter(&m->body.error.fields);
  pgw_notice_field f;
  pgw_str none = {NULL, 0};
  while (pgw_notice_field_next(&it, &f) == 1)
    if (f.code == code) return f.value;
  return none;
}

static int is_severity(const char *v, size_t n) {
  static const char *const words[] = {"ERROR",  "FATAL", "PANIC", "WARNING",
                                      "NOTICE", "DEBUG", "INFO",  "LOG"};
  size_t i;
  for (i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strlen(words[i]) == n && memcmp(words[i], v, n) == 0) return 1;
  return 0;
}

/* E=08P01 or E=FATAL or E=FATAL,08P01: each comma-separated part is a
 * severity or a SQLSTATE (a prefix of one if the value ends with %). */
static int notice_ok(const cert_tok *t, const pgw_message *m) {
  const char *v = t->value;
  pgw_str code = notice_field(m, 'C'), sev = notice_field(m, 'V');
  if (!sev.ptr) sev = notice_field(m, 'S');
  while (*v) {
    size_t n = strcspn(v, ",");
    pgw_str f = is_severity(v, n) ? sev : code;
    int ok = t->prefix && v[n] == '\0' ? f.len >= n && !memcmp(f.ptr, v, n)
                                       : f.len == n && !memcmp(f.ptr, v, n);
    if (!ok) return 0;
    v += n + (v[n] == ',');
  }
  return 1;
}

/* D=a|b|NULL: the row's values as text. */
static int row_ok(const cert_tok *t, const pgw_message *m) {
  pgw_iter it = pgw_value_iter(&m->body.data_row.columns);
  pgw_value val;
  const char *v = t->value;
  size_t i = 0;
  while (pgw_value_next(&it, &val) == 1) {
    size_t n = strcspn(v, "|");
    int isnull = n == 4 && memcmp(v, "NULL", 4) == 0;
    if (i++ && v[-1] != '|') return 0;
    if (val.len < 0 ? !isnull
                    : (size_t)val.len != n || memcmp(val.ptr, v, n) != 0)
      return 0;
    v += n + (v[n] == '|');
  }
  return *v == '\0';
}

static int version_ok(const cert_tok *t, const pgw_message *m) {
  const pgw_negotiate_protocol_version *v = &m->body.negotiate;
  char want[16];
  const char *slash = strchr(t->value, '/');
  size_t vn = slash ? (size_t)(slash - t->value) : strlen(t->value);
  snprintf(want, sizeof want, "%u.%u", PGW_PROTOCOL_MAJOR(v->newest_version),
           PGW_PROTOCOL_MINOR(v->newest_version));
  if (vn && (strlen(want) != vn || memcmp(want, t->value, vn) != 0)) return 0;
  while (slash) {
    const char *opt = slash + 1;
    size_t on = strcspn(opt, "/");
    pgw_iter it = pgw_str_iter(&v->unrecognized);
    pgw_str s;
    int found = 0;
    while (!found && pgw_str_next(&it, &s) == 1)
      found = s.len == on && memcmp(s.ptr, opt, on) == 0;
    if (!found) return 0;
    slash = opt[on] ? opt + on : NULL;
  }
  return 1;
}

/* "name" or "name:value" against two strings (value prefix with %). */
static int pair_ok(const cert_tok *t, pgw_str name, pgw_str value) {
  const char *colon = strchr(t->value, ':');
  size_t nn = colon ? (size_t)(colon - t->value) : strlen(t->value), vl;
  if (name.len != nn || memcmp(name.ptr, t->value, nn) != 0) return 0;
  if (!colon) return 1;
  vl = strlen(colon + 1);
  if (t->prefix) return value.len >= vl && !memcmp(value.ptr, colon + 1, vl);
  return vl == value.len && memcmp(colon + 1, value.ptr, vl) == 0;
}

static int num_ok(const cert_tok *t, long have) {
  return strtol(t->value, NULL, 10) == have;
}

static int value_ok(const cert_tok *t, const pgw_message *m) {
  const pgw_value *fv = &m->body.function_result.result;
  if (!t->value) return 1;
  switch (m->kind) {
  case PGW_MSG_ERROR_RESPONSE:
  case PGW_MSG_NOTICE_RESPONSE: return notice_ok(t, m);
  case PGW_MSG_READY_FOR_QUERY: return m->body.ready.status == t->value[0];
  case PGW_MSG_COMMAND_COMPLETE:
    return same(t, m->body.command_complete.text.ptr,
                m->body.command_complete.text.len);
  case PGW_MSG_DATA_ROW: return row_ok(t, m);
  case PGW_MSG_ROW_DESCRIPTION:
    return num_ok(t, (long)m->body.row_description.columns.count);
  case PGW_MSG_PARAMETER_DESCRIPTION:
    return num_ok(t, (long)m->body.parameter_description.types.count);
  case PGW_MSG_AUTHENTICATION: return num_ok(t, m->body.auth.code);
  case PGW_MSG_BACKEND_KEY_DATA:
    return num_ok(t, (long)m->body.backend_key.key.len);
  case PGW_MSG_NEGOTIATE_PROTOCOL_VERSION: return version_ok(t, m);
  case PGW_MSG_PARAMETER_STATUS:
    return pair_ok(t, m->body.parameter_status.name,
                   m->body.parameter_status.value);
  case PGW_MSG_COPY_IN_RESPONSE:
  case PGW_MSG_COPY_OUT_RESPONSE:
  case PGW_MSG_COPY_BOTH_RESPONSE:
    return num_ok(t, m->body.copy_response.format);
  case PGW_MSG_COPY_DATA:
    return same(t, (const char *)m->body.copy_data.data.ptr,
                m->body.copy_data.data.len);
  case PGW_MSG_NOTIFICATION_RESPONSE:
    return pair_ok(t, m->body.notification.channel,
                   m->body.notification.payload);
  case PGW_MSG_FUNCTION_CALL_RESPONSE:
    return fv->len < 0 ? strcmp(t->value, "NULL") == 0
                       : same(t, (const char *)fv->ptr, (size_t)fv->len);
  case PGW_MSG_SSL_RESPONSE:
  case PGW_MSG_GSSENC_RESPONSE: return m->body.encryption.answer == t->answer;
  default: return 0;
  }
}

/* ---- the NFA --------------------------------------------------------- */

static int tok_takes(const cert_tok *t, const pgw_message *m) {
  if (!m) return t->kind == CERT_T_CLOSE;
  if ((int)m->kind == CERT_UNFRAMED) return t->kind == CERT_T_BYTES;
  if (t->kind == CERT_T_ANY) return 1;
  if (t->kind == CERT_T_AUTH) return m->kind == PGW_MSG_AUTHENTICATION;
  return t->kind == (int)m->kind && value_ok(t, m);
}

/* Add position i and every position reachable past optional tokens (AUTH
 * is optional: a server may need no authentication exchange). */
static void reach(uint8_t *at, const cert_tok *toks, size_t n, size_t i) {
  for (; i < n; i++) {
    at[i] = 1;
    if (!toks[i].quant && toks[i].kind != CERT_T_AUTH) return;
  }
  at[n] = 1;
}

void cert_match_start(cert_match *mt, const cert_pattern *p) {
  size_t a;
  memset(mt, 0, sizeof *mt);
  mt->pat = p;
  for (a = 0; a < p->nalts; a++)
    reach(mt->at[a], p->toks + p->alts[a].first, p->alts[a].n, 0);
}

static int transparent(const cert_alt *a, const pgw_message *m) {
  if (!m) return 0;
  return (m->kind == PGW_MSG_NOTICE_RESPONSE && !a->names_notice) ||
         (m->kind == PGW_MSG_PARAMETER_STATUS && !a->names_status) ||
         (m->kind == PGW_MSG_NOTIFICATION_RESPONSE && !a->names_notify);
}

/* Step alternative a over m; 1 if it is still alive. */
static int step(cert_match *mt, size_t a, const pgw_message *m) {
  const cert_alt *al = &mt->pat->alts[a];
  const cert_tok *toks = mt->pat->toks + al->first;
  uint8_t next[CERT_MAX_TOKS + 1];
  size_t i, alive = 0;
  if (transparent(al, m)) return 1;
  memset(next, 0, al->n + 1);
  for (i = 0; i < al->n; i++) {
    if (!mt->at[a][i] || !tok_takes(&toks[i], m)) continue;
    if (toks[i].kind == CERT_T_AUTH && m->body.auth.code != PGW_AUTH_OK) {
      mt->auth_turn = 1;
      reach(next, toks, al->n, i);
    } else {
      if (toks[i].quant == '*') reach(next, toks, al->n, i);
      reach(next, toks, al->n, i + 1);
    }
  }
  for (i = 0; i <= al->n; i++)
    alive += next[i];
  if (alive) memcpy(mt->at[a], next, al->n + 1);
  return alive > 0;
}

int cert_match_feed(cert_match *mt, const pgw_message *m) {
  size_t a, alive = 0;
  uint8_t keep[CERT_MAX_ALTS];
  mt->auth_turn = 0;
  for (a = 0; a < mt->pat->nalts; a++) {
    const cert_alt *al = &mt->pat->alts[a];
    keep[a] = mt->at[a][al->n] == 2 ? 0 : (uint8_t)step(mt, a, m);
    alive += keep[a];
  }
  for (a = 0; a < mt->pat->nalts; a++) {
    if (!keep[a]) continue;
    if (mt->at[a][mt->pat->alts[a].n]) {
      mt->done_alt = (int)a;
      return CERT_MATCH_DONE;
    }
  }
  if (!alive) return CERT_MATCH_DEAD;
  /* dead alternatives are marked so that awaited() skips them */
  for (a = 0; a < mt->pat->nalts; a++)
    if (!keep[a]) mt->at[a][mt->pat->alts[a].n] = 2;
  return CERT_MATCH_MORE;
}

void cert_match_awaited(const cert_match *mt, char *out, size_t n) {
  size_t a, i, used = 0;
  out[0] = '\0';
  for (a = 0; a < mt->pat->nalts; a++) {
    const cert_alt *al = &mt->pat->alts[a];
    if (mt->at[a][al->n] == 2) continue;
    for (i = 0; i < al->n && used + 1 < n; i++) {
      const cert_tok *t = &mt->pat->toks[al->first + i];
      int w;
      if (!mt->at[a][i]) continue;
      w = snprintf(out + used, n - used, "%s%s%s", used ? " or " : "",
                   al->unsupported ? "~" : "", t->text);
      if (w > 0) used += (size_t)w < n - used ? (size_t)w : n - used - 1;
    }
  }
}

static void describe_notice(const pgw_message *m, char *out, size_t n) {
  pgw_str sev = notice_field(m, 'S'), code = notice_field(m, 'C'),
          msg = notice_field(m, 'M');
  snprintf(out, n, "%s(%.*s %.*s \"%.*s\")", pgw_message_name(m), (int)sev.len,
           sev.ptr ? sev.ptr : "", (int)code.len, code.ptr ? code.ptr : "",
           (int)(msg.len > 200 ? 200 : msg.len), msg.ptr ? msg.ptr : "");
}

void cert_describe(const pgw_message *m, char *out, size_t n) {
  if (!m) {
    snprintf(out, n, "the connection closed");
    return;
  }
  if ((int)m->kind == CERT_UNFRAMED) {
    snprintf(out, n, "bytes pgw cannot frame");
    return;
  }
  switch (m->kind) {
  case PGW_MSG_ERROR_RESPONSE:
  case PGW_MSG_NOTICE_RESPONSE: describe_notice(m, out, n); return;
  case PGW_MSG_READY_FOR_QUERY:
    snprintf(out, n, "ReadyForQuery(%c)", m->body.ready.status);
    return;
  case PGW_MSG_COMMAND_COMPLETE:
    snprintf(out, n, "CommandComplete(\"%.*s\")",
             (int)m->body.command_complete.text.len,
             m->body.command_complete.text.ptr);
    return;
  case PGW_MSG_NEGOTIATE_PROTOCOL_VERSION:
    snprintf(out, n, "NegotiateProtocolVersion(%u.%u, %zu options)",
             PGW_PROTOCOL_MAJOR(m->body.negotiate.newest_version),
             PGW_PROTOCOL_MINOR(m->body.negotiate.newest_version),
             m->body.negotiate.unrecognized.count);
    return;
  case PGW_MSG_SSL_RESPONSE:
  case PGW_MSG_GSSENC_RESPONSE:
    snprintf(out, n, "%s('%c')", pgw_message_name(m),
             m->body.encryption.answer);
    return;
  default: snprintf(out, n, "%s", pgw_message_name(m));
  }
}
