/*
 * build.c - constructors for messages to send (pgw/build.h). Each zeroes
 * the message and fills the one body member of its kind; the encoder does
 * every check.
 */
#include <string.h>

#include "pgw/build.h"

static pgw_str cstr(const char *s) {
  pgw_str v;
  v.ptr = s ? s : "";
  v.len = s ? strlen(s) : 0;
  return v;
}

static pgw_bytes bytes(const uint8_t *p, size_t len) {
  pgw_bytes b;
  b.ptr = p;
  b.len = p ? len : 0;
  return b;
}

/* Zero m and set its kind and type byte. */
static pgw_message *start(pgw_message *m, pgw_kind kind) {
  memset(m, 0, sizeof *m);
  m->kind = kind;
  m->type = pgw_kind_type(kind);
  return m;
}

/* ---- values and lists ---- */

pgw_value pgw_value_text(const char *s) {
  return s ? pgw_value_bytes(s, strlen(s)) : pgw_value_null();
}

pgw_value pgw_value_bytes(const void *p, size_t len) {
  pgw_value v;
  v.ptr = (const uint8_t *)p;
  v.len = (int32_t)len;
  return v;
}

pgw_value pgw_value_null(void) {
  pgw_value v;
  v.ptr = NULL;
  v.len = -1;
  return v;
}

/* Every list type has the same three members. */
#define LIST_OF(fn, list_t, item_t)                                            \
  list_t fn(const item_t *items, size_t count) {                               \
    list_t l;                                                                  \
    memset(&l, 0, sizeof l);                                                   \
    l.count = count;                                                           \
    l.items = items;                                                           \
    return l;                                                                  \
  }
LIST_OF(pgw_i16_list_of, pgw_i16_list, int16_t)
LIST_OF(pgw_oid_list_of, pgw_oid_list, uint32_t)
LIST_OF(pgw_value_list_of, pgw_value_list, pgw_value)
LIST_OF(pgw_str_list_of, pgw_str_list, pgw_str)
LIST_OF(pgw_param_list_of, pgw_param_list, pgw_param)
LIST_OF(pgw_notice_field_list_of, pgw_notice_field_list, pgw_notice_field)
LIST_OF(pgw_column_list_of, pgw_column_list, pgw_column)
#undef LIST_OF

pgw_param pgw_param_of(const char *name, const char *value) {
  pgw_param p;
  p.name = cstr(name);
  p.value = cstr(value);
  return p;
}

pgw_notice_field pgw_notice_field_of(uint8_t code, const char *value) {
  pgw_notice_field f;
  f.code = code;
  f.value = cstr(value);
  return f;
}

pgw_column pgw_column_of(const char *name, uint32_t type_oid,
                         int16_t type_size) {
  pgw_column c;
  memset(&c, 0, sizeof c);
  c.name = cstr(name);
  c.type_oid = type_oid;
  c.type_size = type_size;
  c.type_modifier = -1;
  return c;
}

/* ---- frontend: startup-framed ---- */

void pgw_msg_startup(pgw_message *m, uint32_t protocol,
                     const pgw_param_list *params) {
  start(m, PGW_MSG_STARTUP_MESSAGE)->body.startup.protocol = protocol;
  if (params) m->body.startup.params = *params;
}

void pgw_msg_ssl_request(pgw_message *m) {
  start(m, PGW_MSG_SSL_REQUEST);
}

void pgw_msg_gssenc_request(pgw_message *m) {
  start(m, PGW_MSG_GSSENC_REQUEST);
}

void pgw_msg_cancel_request(pgw_message *m, int32_t pid, const uint8_t *key,
                            size_t key_len) {
  start(m, PGW_MSG_CANCEL_REQUEST)->body.cancel.pid = pid;
  m->body.cancel.key = bytes(key, key_len);
}

/* ---- frontend ---- */

void pgw_msg_query(pgw_message *m, const char *sql) {
  start(m, PGW_MSG_QUERY)->body.query.text = cstr(sql);
}

void pgw_msg_parse(pgw_message *m, const char *statement, const char *query,
                   const pgw_oid_list *param_types) {
  pgw_parse *p = &start(m, PGW_MSG_PARSE)->body.parse;
  p->statement = cstr(statement);
  p->query = cstr(query);
  if (param_types) p->param_types = *param_types;
}

void pgw_msg_bind(pgw_message *m, const char *portal, const char *statement,
                  const pgw_i16_list *param_formats,
                  const pgw_value_list *params,
                  const pgw_i16_list *result_formats) {
  pgw_bind *b = &start(m, PGW_MSG_BIND)->body.bind;
  b->portal = cstr(portal);
  b->statement = cstr(statement);
  if (param_formats) b->param_formats = *param_formats;
  if (params) b->params = *params;
  if (result_formats) b->result_formats = *result_formats;
}

void pgw_msg_describe(pgw_message *m, uint8_t target, const char *name) {
  start(m, PGW_MSG_DESCRIBE)->body.describe.target = target;
  m->body.describe.name = cstr(name);
}

void pgw_msg_close(pgw_message *m, uint8_t target, const char *name) {
  start(m, PGW_MSG_CLOSE)->body.close.target = target;
  m->body.close.name = cstr(name);
}

void pgw_msg_execute(pgw_message *m, const char *portal, int32_t max_rows) {
  start(m, PGW_MSG_EXECUTE)->body.execute.portal = cstr(portal);
  m->body.execute.max_rows = max_rows;
}

void pgw_msg_sync(pgw_message *m) {
  start(m, PGW_MSG_SYNC);
}
void pgw_msg_flush(pgw_message *m) {
  start(m, PGW_MSG_FLUSH);
}
void pgw_msg_terminate(pgw_message *m) {
  start(m, PGW_MSG_TERMINATE);
}

void pgw_msg_function_call(pgw_message *m, uint32_t function_oid,
                           const pgw_i16_list *arg_formats,
                           const pgw_value_list *args, int16_t result_format) {
  pgw_function_call *f = &start(m, PGW_MSG_FUNCTION_CALL)->body.function_call;
  f->function_oid = function_oid;
  if (arg_formats) f->arg_formats = *arg_formats;
  if (args) f->args = *args;
  f->result_format = result_format;
}

void pgw_msg_password(pgw_message *m, const char *password) {
  start(m, PGW_MSG_PASSWORD_MESSAGE)->body.password.text = cstr(password);
}

void pgw_msg_sasl_initial_response(pgw_message *m, const char *mechanism,
                                   const uint8_t *data, size_t len) {
  pgw_sasl_initial_response *s =
      &start(m, PGW_MSG_SASL_INITIAL_RESPONSE)->body.sasl_initial;
  s->mechanism = cstr(mechanism);
  s->data = data ? pgw_value_bytes(data, len) : pgw_value_null();
}

void pgw_msg_sasl_response(pgw_message *m, const uint8_t *data, size_t len) {
  start(m, PGW_MSG_SASL_RESPONSE)->body.sasl_response.data = bytes(data, len);
}

void pgw_msg_gss_response(pgw_message *m, const uint8_t *data, size_t len) {
  start(m, PGW_MSG_GSS_RESPONSE)->body.gss_response.data = bytes(data, len);
}

void pgw_msg_copy_fail(pgw_message *m, const char *reason) {
  start(m, PGW_MSG_COPY_FAIL)->body.copy_fail.text = cstr(reason);
}

/* ---- both directions ---- */

void pgw_msg_copy_data(pgw_message *m, const uint8_t *data, size_t len) {
  start(m, PGW_MSG_COPY_DATA)->body.copy_data.data = bytes(data, len);
}

void pgw_msg_copy_done(pgw_message *m) {
  start(m, PGW_MSG_COPY_DONE);
}

/* ---- backend: one-byte answers ---- */

void pgw_msg_ssl_response(pgw_message *m, uint8_t answer) {
  start(m, PGW_MSG_SSL_RESPONSE)->body.encryption.answer = answer;
  m->type = answer;
}

void pgw_msg_gssenc_response(pgw_message *m, uint8_t answer) {
  start(m, PGW_MSG_GSSENC_RESPONSE)->body.encryption.answer = answer;
  m->type = answer;
}

/* ---- backend: authentication ---- */

void pgw_msg_auth(pgw_message *m, enum pgw_auth_code code) {
  start(m, PGW_MSG_AUTHENTICATION)->body.auth.code = (int32_t)code;
}

void pgw_msg_auth_ok(pgw_message *m) {
  pgw_msg_auth(m, PGW_AUTH_OK);
}

void pgw_msg_auth_cleartext(pgw_message *m) {
  pgw_msg_auth(m, PGW_AUTH_CLEARTEXT_PASSWORD);
}

void pgw_msg_auth_md5(pgw_message *m, const uint8_t salt[4]) {
  pgw_msg_auth(m, PGW_AUTH_MD5_PASSWORD);
  memcpy(m->body.auth.salt, salt, 4);
}

void pgw_msg_auth_sasl(pgw_message *m, const pgw_str_list *mechanisms) {
  pgw_msg_auth(m, PGW_AUTH_SASL);
  if (mechanisms) m->body.auth.mechanisms = *mechanisms;
}

void pgw_msg_auth_sasl_continue(pgw_message *m, const uint8_t *data,
                                size_t len) {
  pgw_msg_auth(m, PGW_AUTH_SASL_CONTINUE);
  m->body.auth.data = bytes(data, len);
}

void pgw_msg_auth_sasl_final(pgw_message *m, const uint8_t *data, size_t len) {
  pgw_msg_auth(m, PGW_AUTH_SASL_FINAL);
  m->body.auth.data = bytes(data, len);
}

void pgw_msg_auth_gss_continue(pgw_message *m, const uint8_t *data,
                               size_t len) {
  pgw_msg_auth(m, PGW_AUTH_GSS_CONTINUE);
  m->body.auth.data = bytes(data, len);
}

/* ---- backend ---- */

void pgw_msg_parameter_status(pgw_message *m, const char *name,
                              const char *value) {
  start(m, PGW_MSG_PARAMETER_STATUS)->body.parameter_status.name = cstr(name);
  m->body.parameter_status.value = cstr(value);
}

void pgw_msg_backend_key_data(pgw_message *m, int32_t pid, const uint8_t *key,
                              size_t key_len) {
  start(m, PGW_MSG_BACKEND_KEY_DATA)->body.backend_key.pid = pid;
  m->body.backend_key.key = bytes(key, key_len);
}

void pgw_msg_negotiate_protocol_version(pgw_message *m, uint32_t newest_version,
                                        const pgw_str_list *unrecognized) {
  pgw_negotiate_protocol_version *n =
      &start(m, PGW_MSG_NEGOTIATE_PROTOCOL_VERSION)->body.negotiate;
  n->newest_version = newest_version;
  if (unrecognized) n->unrecognized = *unrecognized;
}

void pgw_msg_ready_for_query(pgw_message *m, uint8_t status) {
  start(m, PGW_MSG_READY_FOR_QUERY)->body.ready.status = status;
}

void pgw_msg_row_description(pgw_message *m, const pgw_column_list *columns) {
  start(m, PGW_MSG_ROW_DESCRIPTION);
  if (columns) m->body.row_description.columns = *columns;
}

void pgw_msg_data_row(pgw_message *m, const pgw_value_list *columns) {
  start(m, PGW_MSG_DATA_ROW);
  if (columns) m->body.data_row.columns = *columns;
}

void pgw_msg_command_complete(pgw_message *m, const char *tag) {
  start(m, PGW_MSG_COMMAND_COMPLETE)->body.command_complete.text = cstr(tag);
}

void pgw_msg_empty_query_response(pgw_message *m) {
  start(m, PGW_MSG_EMPTY_QUERY_RESPONSE);
}

void pgw_msg_error_response(pgw_message *m,
                            const pgw_notice_field_list *fields) {
  start(m, PGW_MSG_ERROR_RESPONSE);
  if (fields) m->body.error.fields = *fields;
}

void pgw_msg_notice_response(pgw_message *m,
                             const pgw_notice_field_list *fields) {
  start(m, PGW_MSG_NOTICE_RESPONSE);
  if (fields) m->body.notice.fields = *fields;
}

void pgw_msg_parse_complete(pgw_message *m) {
  start(m, PGW_MSG_PARSE_COMPLETE);
}
void pgw_msg_bind_complete(pgw_message *m) {
  start(m, PGW_MSG_BIND_COMPLETE);
}
void pgw_msg_close_complete(pgw_message *m) {
  start(m, PGW_MSG_CLOSE_COMPLETE);
}
void pgw_msg_no_data(pgw_message *m) {
  start(m, PGW_MSG_NO_DATA);
}
void pgw_msg_portal_suspended(pgw_message *m) {
  start(m, PGW_MSG_PORTAL_SUSPENDED);
}

void pgw_msg_parameter_description(pgw_message *m, const pgw_oid_list *types) {
  start(m, PGW_MSG_PARAMETER_DESCRIPTION);
  if (types) m->body.parameter_description.types = *types;
}

static void copy_response(pgw_message *m, pgw_kind kind, int8_t format,
                          const pgw_i16_list *columns) {
  start(m, kind)->body.copy_response.format = format;
  if (columns) m->body.copy_response.columns = *columns;
}

void pgw_msg_copy_in_response(pgw_message *m, int8_t format,
                              const pgw_i16_list *columns) {
  copy_response(m, PGW_MSG_COPY_IN_RESPONSE, format, columns);
}

void pgw_msg_copy_out_response(pgw_message *m, int8_t format,
                               const pgw_i16_list *columns) {
  copy_response(m, PGW_MSG_COPY_OUT_RESPONSE, format, columns);
}

void pgw_msg_copy_both_response(pgw_message *m, int8_t format,
                                const pgw_i16_list *columns) {
  copy_response(m, PGW_MSG_COPY_BOTH_RESPONSE, format, columns);
}

void pgw_msg_function_call_response(pgw_message *m, pgw_value result) {
  start(m, PGW_MSG_FUNCTION_CALL_RESPONSE)->body.function_result.result =
      result;
}

void pgw_msg_notification(pgw_message *m, int32_t pid, const char *channel,
                          const char *payload) {
  pgw_notification *n =
      &start(m, PGW_MSG_NOTIFICATION_RESPONSE)->body.notification;
  n->pid = pid;
  n->channel = cstr(channel);
  n->payload = cstr(payload);
}
