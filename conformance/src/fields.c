/* fields.c - the fields of every message kind, walked through an emitter. */
#include <string.h>

#include "render.h"

#define K(s) s, sizeof(s) - 1

int cli_emit_member(cli_emit *e) {
  int later = !e->first[e->depth];
  e->first[e->depth] = 0;
  return later;
}

void cli_emit_nest(cli_emit *e, int array) {
  fputc(array ? '[' : '{', e->f);
  if (e->depth + 1 < (int)(sizeof e->first / sizeof e->first[0])) e->depth++;
  e->first[e->depth] = 1;
  e->in_array[e->depth] = array;
}

void cli_emit_unnest(cli_emit *e, int array) {
  if (e->depth > 0) e->depth--;
  fputc(array ? ']' : '}', e->f);
}

int cli_emit_printable(const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t' && p[i] != '\r') ||
        p[i] >= 0x7f)
      return 0;
  return 1;
}

static void str(cli_emit *e, const char *name, size_t nlen, pgw_str s) {
  e->str(e, name, nlen, s.ptr, s.len);
}

static void i16_list(cli_emit *e, const char *name, size_t nlen,
                     const pgw_i16_list *l) {
  pgw_iter it = pgw_i16_iter(l);
  int16_t v;
  e->begin(e, name, nlen, 1);
  while (pgw_i16_next(&it, &v) == 1)
    e->num(e, K(""), v);
  e->end(e, 1);
}

static void oid_list(cli_emit *e, const char *name, size_t nlen,
                     const pgw_oid_list *l) {
  pgw_iter it = pgw_oid_iter(l);
  uint32_t v;
  e->begin(e, name, nlen, 1);
  while (pgw_oid_next(&it, &v) == 1)
    e->num(e, K(""), (long long)v);
  e->end(e, 1);
}

static void value_list(cli_emit *e, const char *name, size_t nlen,
                       const pgw_value_list *l) {
  pgw_iter it = pgw_value_iter(l);
  pgw_value v;
  e->begin(e, name, nlen, 1);
  while (pgw_value_next(&it, &v) == 1)
    e->value(e, K(""), v);
  e->end(e, 1);
}

static void str_list(cli_emit *e, const char *name, size_t nlen,
                     const pgw_str_list *l) {
  pgw_iter it = pgw_str_iter(l);
  pgw_str s;
  e->begin(e, name, nlen, 1);
  while (pgw_str_next(&it, &s) == 1)
    str(e, K(""), s);
  e->end(e, 1);
}

static void notice(cli_emit *e, const pgw_notice *n) {
  pgw_iter it = pgw_notice_field_iter(&n->fields);
  pgw_notice_field f;
  while (pgw_notice_field_next(&it, &f) == 1) {
    char code = (char)f.code;
    e->str(e, &code, 1, f.value.ptr, f.value.len);
  }
}

static void columns(cli_emit *e, const pgw_column_list *l) {
  pgw_iter it = pgw_column_iter(l);
  pgw_column c;
  e->begin(e, K("columns"), 1);
  while (pgw_column_next(&it, &c) == 1) {
    e->begin(e, K(""), 0);
    str(e, K("name"), c.name);
    e->num(e, K("table_oid"), (long long)c.table_oid);
    e->num(e, K("attnum"), c.column_attnum);
    e->num(e, K("type_oid"), (long long)c.type_oid);
    e->num(e, K("type_size"), c.type_size);
    e->num(e, K("type_modifier"), c.type_modifier);
    e->num(e, K("format"), c.format);
    e->end(e, 0);
  }
  e->end(e, 1);
}

static void authentication(cli_emit *e, const pgw_authentication *a) {
  switch (a->code) {
  case PGW_AUTH_MD5_PASSWORD: e->bytes(e, K("salt"), a->salt, 4); break;
  case PGW_AUTH_SASL: str_list(e, K("mechanisms"), &a->mechanisms); break;
  case PGW_AUTH_GSS_CONTINUE:
  case PGW_AUTH_SASL_CONTINUE:
  case PGW_AUTH_SASL_FINAL:
    e->bytes(e, K("data"), a->data.ptr, a->data.len);
    break;
  default: break;
  }
}

/* A protocol version as "3.0". */
static void protocol(cli_emit *e, const char *name, size_t nlen, uint32_t v) {
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%u.%u", (unsigned)PGW_PROTOCOL_MAJOR(v),
                   (unsigned)PGW_PROTOCOL_MINOR(v));
  e->str(e, name, nlen, buf, (size_t)n);
}

void cli_emit_fields(cli_emit *e, const pgw_message *m) {
  const pgw_message *b = m;
  if (m->malformed) {
    e->str(e, K("malformed"), pgw_strerror(m->malformed),
           strlen(pgw_strerror(m->malformed)));
    e->bytes(e, K("payload"), m->payload.ptr, m->payload.len);
    return;
  }
  switch (m->kind) {
  case PGW_MSG_UNKNOWN: {
    e->chr(e, K("type"), m->type);
    e->bytes(e, K("payload"), m->payload.ptr, m->payload.len);
    break;
  }
  case PGW_MSG_STARTUP_MESSAGE: {
    pgw_iter it = pgw_param_iter(&b->body.startup.params);
    pgw_param p;
    protocol(e, K("protocol"), b->body.startup.protocol);
    e->begin(e, K("params"), 0);
    while (pgw_param_next(&it, &p) == 1)
      e->str(e, p.name.ptr, p.name.len, p.value.ptr, p.value.len);
    e->end(e, 0);
    break;
  }
  case PGW_MSG_CANCEL_REQUEST:
    e->num(e, K("pid"), b->body.cancel.pid);
    e->bytes(e, K("key"), b->body.cancel.key.ptr, b->body.cancel.key.len);
    break;
  case PGW_MSG_SSL_RESPONSE:
  case PGW_MSG_GSSENC_RESPONSE:
    e->chr(e, K("answer"), b->body.encryption.answer);
    break;
  case PGW_MSG_BIND:
    str(e, K("portal"), b->body.bind.portal);
    str(e, K("statement"), b->body.bind.statement);
    i16_list(e, K("param_formats"), &b->body.bind.param_formats);
    value_list(e, K("params"), &b->body.bind.params);
    i16_list(e, K("result_formats"), &b->body.bind.result_formats);
    break;
  case PGW_MSG_CLOSE:
    e->chr(e, K("target"), b->body.close.target);
    str(e, K("name"), b->body.close.name);
    break;
  case PGW_MSG_DESCRIBE:
    e->chr(e, K("target"), b->body.describe.target);
    str(e, K("name"), b->body.describe.name);
    break;
  case PGW_MSG_EXECUTE:
    str(e, K("portal"), b->body.execute.portal);
    e->num(e, K("max_rows"), b->body.execute.max_rows);
    break;
  case PGW_MSG_FUNCTION_CALL:
    e->num(e, K("function_oid"), (long long)b->body.function_call.function_oid);
    i16_list(e, K("arg_formats"), &b->body.function_call.arg_formats);
    value_list(e, K("args"), &b->body.function_call.args);
    e->num(e, K("result_format"), b->body.function_call.result_format);
    break;
  case PGW_MSG_PARSE:
    str(e, K("statement"), b->body.parse.statement);
    str(e, K("query"), b->body.parse.query);
    oid_list(e, K("param_types"), &b->body.parse.param_types);
    break;
  case PGW_MSG_QUERY: str(e, K("query"), b->body.query.text); break;
  case PGW_MSG_PASSWORD_MESSAGE:
    str(e, K("password"), b->body.password.text);
    break;
  case PGW_MSG_COPY_FAIL: str(e, K("message"), b->body.copy_fail.text); break;
  case PGW_MSG_COMMAND_COMPLETE:
    str(e, K("tag"), b->body.command_complete.text);
    break;
  case PGW_MSG_SASL_INITIAL_RESPONSE:
    str(e, K("mechanism"), b->body.sasl_initial.mechanism);
    e->value(e, K("data"), b->body.sasl_initial.data);
    break;
  case PGW_MSG_SASL_RESPONSE:
    e->bytes(e, K("data"), b->body.sasl_response.data.ptr,
             b->body.sasl_response.data.len);
    break;
  case PGW_MSG_GSS_RESPONSE:
    e->bytes(e, K("data"), b->body.gss_response.data.ptr,
             b->body.gss_response.data.len);
    break;
  case PGW_MSG_COPY_DATA:
    e->bytes(e, K("data"), b->body.copy_data.data.ptr,
             b->body.copy_data.data.len);
    break;
  case PGW_MSG_AUTHENTICATION:
    e->num(e, K("code"), b->body.auth.code);
    authentication(e, &b->body.auth);
    break;
  case PGW_MSG_BACKEND_KEY_DATA:
    e->num(e, K("pid"), b->body.backend_key.pid);
    e->bytes(e, K("key"), b->body.backend_key.key.ptr,
             b->body.backend_key.key.len);
    break;
  case PGW_MSG_COPY_IN_RESPONSE:
  case PGW_MSG_COPY_OUT_RESPONSE:
  case PGW_MSG_COPY_BOTH_RESPONSE:
    e->num(e, K("format"), b->body.copy_response.format);
    i16_list(e, K("column_formats"), &b->body.copy_response.columns);
    break;
  case PGW_MSG_DATA_ROW:
    value_list(e, K("columns"), &b->body.data_row.columns);
    break;
  case PGW_MSG_ERROR_RESPONSE: notice(e, &b->body.error); break;
  case PGW_MSG_NOTICE_RESPONSE: notice(e, &b->body.notice); break;
  case PGW_MSG_FUNCTION_CALL_RESPONSE:
    e->value(e, K("result"), b->body.function_result.result);
    break;
  case PGW_MSG_NEGOTIATE_PROTOCOL_VERSION:
    protocol(e, K("newest_version"), b->body.negotiate.newest_version);
    str_list(e, K("unrecognized"), &b->body.negotiate.unrecognized);
    break;
  case PGW_MSG_NOTIFICATION_RESPONSE:
    e->num(e, K("pid"), b->body.notification.pid);
    str(e, K("channel"), b->body.notification.channel);
    str(e, K("payload"), b->body.notification.payload);
    break;
  case PGW_MSG_PARAMETER_DESCRIPTION:
    oid_list(e, K("types"), &b->body.parameter_description.types);
    break;
  case PGW_MSG_PARAMETER_STATUS:
    str(e, K("name"), b->body.parameter_status.name);
    str(e, K("value"), b->body.parameter_status.value);
    break;
  case PGW_MSG_READY_FOR_QUERY:
    e->chr(e, K("status"), b->body.ready.status);
    break;
  case PGW_MSG_ROW_DESCRIPTION:
    columns(e, &b->body.row_description.columns);
    break;
  default: /* no fields */ break;
  }
}
