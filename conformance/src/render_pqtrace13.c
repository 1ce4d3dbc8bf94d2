/*
 * render_pqtrace13.c - what libpq 13's PQtrace() prints for a message: the
 * fields libpq 13 reads and writes, one line per primitive, as its
 * fe-misc.c prints them. libpq 13's PQtrace predates the message format
 * of libpq 14 (render_pqtrace.c) and has no flags: nothing is masked.
 *
 *   pqPutMsgStart  To backend> Msg T          (T a space for startup packets)
 *   pqPuts         To backend> "text"
 *   pqPutInt       To backend (4#)> 12        (2# for Int16; signed)
 *   pqPutnchar     To backend> bytes          (raw, NULs included)
 *   pqPutc         To backend> P
 *   pqPutMsgEnd    To backend> Msg complete, length N  (N: the whole message)
 *   pqGetc         From backend> T            (raw: a NUL byte is written)
 *   pqGetInt       From backend (#4)> 12      (Int16 read as unsigned)
 *   pqGets         From backend> "text"
 *   pqGetnchar, pqSkipnchar   From backend (N)> bytes  (raw)
 *
 * and pqSaveParameterStatus's own line "pqSaveParameterStatus: 'name' =
 * 'value'". Which fields libpq reads for each message, and when it reads
 * a message's type and length again, is in render_pqtrace13_parse.c.
 *
 * libpq 13 (REL_13_STABLE's fe-misc.c, fe-protocol3.c, fe-connect.c,
 * fe-exec.c, fe-auth.c, fe-lobj.c) was checked byte for byte against its
 * own traces of the conformance scenarios against PostgreSQL 18.
 */
#include "render_pqtrace13.h"

#include "util.h"

/* ---- the primitives ------------------------------------------------------ */

void pq13_get_char(FILE *f, uint8_t c) {
  fputs("From backend> ", f);
  fputc(c, f);
  fputc('\n', f);
}

void pq13_get_int(FILE *f, int bytes, long long v) {
  if (bytes == 2) v = (uint16_t)(v & 0xffff);
  fprintf(f, "From backend (#%d)> %d\n", bytes, (int)(int32_t)v);
}

static void get_str(FILE *f, pgw_str s) {
  fputs("From backend> \"", f);
  fwrite(s.ptr, 1, s.len, f);
  fputs("\"\n", f);
}

static void get_nchar(FILE *f, const uint8_t *p, size_t n) {
  fprintf(f, "From backend (%zu)> ", n);
  fwrite(p, 1, n, f);
  fputc('\n', f);
}

static void put_int(FILE *f, int bytes, long long v) {
  fprintf(f, "To backend (%d#)> %d\n", bytes, (int)(int32_t)v);
}

static void put_str(FILE *f, pgw_str s) {
  fputs("To backend> \"", f);
  fwrite(s.ptr, 1, s.len, f);
  fputs("\"\n", f);
}

static void put_nchar(FILE *f, const uint8_t *p, size_t n) {
  fputs("To backend> ", f);
  fwrite(p, 1, n, f);
  fputc('\n', f);
}

static void put_char(FILE *f, uint8_t c) {
  fputs("To backend> ", f);
  fputc(c, f);
  fputc('\n', f);
}

/* ---- backend messages: what libpq 13 reads after the type and length ---- */

/* pqGetErrorNotice3: each field's code and text, then the final NUL. */
static void get_notice(FILE *f, const pgw_notice *n) {
  pgw_iter it = pgw_notice_field_iter(&n->fields);
  pgw_notice_field fl;
  while (pgw_notice_field_next(&it, &fl) == 1) {
    pq13_get_char(f, fl.code);
    get_str(f, fl.value);
  }
  pq13_get_char(f, 0);
}

/* pg_fe_sendauth and pg_SASL_init/continue: the request's data. */
static void get_auth(FILE *f, const pgw_authentication *a) {
  pq13_get_int(f, 4, a->code);
  switch (a->code) {
  case PGW_AUTH_MD5_PASSWORD: get_nchar(f, a->salt, 4); break;
  case PGW_AUTH_SASL: {
    pgw_iter it = pgw_str_iter(&a->mechanisms);
    pgw_str s, empty = {"", 0};
    while (pgw_str_next(&it, &s) == 1)
      get_str(f, s);
    get_str(f, empty); /* the list's terminating empty string */
    break;
  }
  case PGW_AUTH_SASL_CONTINUE:
  case PGW_AUTH_SASL_FINAL:
  case PGW_AUTH_GSS_CONTINUE: get_nchar(f, a->data.ptr, a->data.len); break;
  default: break; /* Ok, CleartextPassword, GSS, SSPI: no more data */
  }
}

static void get_row_description(FILE *f, const pgw_row_description *r) {
  pgw_iter it = pgw_column_iter(&r->columns);
  pgw_column c;
  pq13_get_int(f, 2, (long long)r->columns.count);
  while (pgw_column_next(&it, &c) == 1) {
    get_str(f, c.name);
    pq13_get_int(f, 4, (long long)c.table_oid);
    pq13_get_int(f, 2, c.column_attnum);
    pq13_get_int(f, 4, (long long)c.type_oid);
    pq13_get_int(f, 2, c.type_size);
    pq13_get_int(f, 4, c.type_modifier);
    pq13_get_int(f, 2, c.format);
  }
}

/* getAnotherTuple: a value's bytes are skipped (traced) only if len > 0. */
static void get_data_row(FILE *f, const pgw_value_list *l) {
  pgw_iter it = pgw_value_iter(l);
  pgw_value v;
  pq13_get_int(f, 2, (long long)l->count);
  while (pgw_value_next(&it, &v) == 1) {
    pq13_get_int(f, 4, v.len);
    if (v.len > 0) get_nchar(f, v.ptr, (size_t)v.len);
  }
}

static void get_i16s(FILE *f, const pgw_i16_list *l) {
  pgw_iter it = pgw_i16_iter(l);
  int16_t v;
  pq13_get_int(f, 2, (long long)l->count);
  while (pgw_i16_next(&it, &v) == 1)
    pq13_get_int(f, 2, v);
}

static void get_oids(FILE *f, const pgw_oid_list *l) {
  pgw_iter it = pgw_oid_iter(l);
  uint32_t v;
  pq13_get_int(f, 2, (long long)l->count);
  while (pgw_oid_next(&it, &v) == 1)
    pq13_get_int(f, 4, (long long)v);
}

/* pqFunctionCall3: the result is read as an integer when the caller said
 * so (result_is_int), which the wire does not show: a 4-byte result is
 * taken for one (fe-lobj.c's integer results), any other as bytes. */
static void get_function_result(FILE *f, pgw_value v) {
  pq13_get_int(f, 4, v.len);
  if (v.len == 4) {
    pq13_get_int(f, 4, (int32_t)cli_be32(v.ptr));
  } else if (v.len >= 0) {
    get_nchar(f, v.ptr, (size_t)v.len);
  }
}

static void get_parameter_status(FILE *f, const pgw_parameter_status *p) {
  get_str(f, p->name);
  get_str(f, p->value);
  fputs("pqSaveParameterStatus: '", f);
  fwrite(p->name.ptr, 1, p->name.len, f);
  fputs("' = '", f);
  fwrite(p->value.ptr, 1, p->value.len, f);
  fputs("'\n", f);
}

void pq13_get_body(FILE *f, const pgw_message *m) {
  if (m->malformed) return; /* lenient: no body to show */
  switch (m->kind) {
  case PGW_MSG_AUTHENTICATION: get_auth(f, &m->body.auth); break;
  case PGW_MSG_PARAMETER_STATUS:
    get_parameter_status(f, &m->body.parameter_status);
    break;
  case PGW_MSG_BACKEND_KEY_DATA:
    pq13_get_int(f, 4, m->body.backend_key.pid);
    pq13_get_int(f, 4, (int32_t)cli_be32(m->body.backend_key.key.ptr));
    break;
  case PGW_MSG_READY_FOR_QUERY: pq13_get_char(f, m->body.ready.status); break;
  case PGW_MSG_ROW_DESCRIPTION:
    get_row_description(f, &m->body.row_description);
    break;
  case PGW_MSG_DATA_ROW: get_data_row(f, &m->body.data_row.columns); break;
  case PGW_MSG_COMMAND_COMPLETE:
    get_str(f, m->body.command_complete.text);
    break;
  case PGW_MSG_ERROR_RESPONSE: get_notice(f, &m->body.error); break;
  case PGW_MSG_NOTICE_RESPONSE: get_notice(f, &m->body.notice); break;
  case PGW_MSG_NOTIFICATION_RESPONSE:
    pq13_get_int(f, 4, m->body.notification.pid);
    get_str(f, m->body.notification.channel);
    get_str(f, m->body.notification.payload);
    break;
  case PGW_MSG_PARAMETER_DESCRIPTION:
    get_oids(f, &m->body.parameter_description.types);
    break;
  case PGW_MSG_COPY_IN_RESPONSE:
  case PGW_MSG_COPY_OUT_RESPONSE:
  case PGW_MSG_COPY_BOTH_RESPONSE:
    pq13_get_char(f, (uint8_t)m->body.copy_response.format);
    get_i16s(f, &m->body.copy_response.columns);
    break;
  case PGW_MSG_FUNCTION_CALL_RESPONSE:
    get_function_result(f, m->body.function_result.result);
    break;
  case PGW_MSG_SSL_RESPONSE:
  case PGW_MSG_GSSENC_RESPONSE:
    pq13_get_char(f, m->body.encryption.answer);
    break;
  default: break; /* no fields, or fields libpq 13 skips */
  }
}

/* ---- frontend messages: what libpq 13 writes ------------------------------
 */

static void put_i16s(FILE *f, const pgw_i16_list *l) {
  pgw_iter it = pgw_i16_iter(l);
  int16_t v;
  put_int(f, 2, (long long)l->count);
  while (pgw_i16_next(&it, &v) == 1)
    put_int(f, 2, v);
}

/* Bind's parameters: the length, then the bytes unless NULL. */
static void put_values(FILE *f, const pgw_value_list *l) {
  pgw_iter it = pgw_value_iter(l);
  pgw_value v;
  put_int(f, 2, (long long)l->count);
  while (pgw_value_next(&it, &v) == 1) {
    put_int(f, 4, v.len);
    if (v.len >= 0) put_nchar(f, v.ptr, (size_t)v.len);
  }
}

/* pqFunctionCall3: integer arguments go through pqPutInt, the others
 * through pqPutnchar; as for the result, a 4-byte argument is taken for
 * an integer (fe-lobj.c's). */
static void put_function_call(FILE *f, const pgw_function_call *c) {
  pgw_iter it = pgw_value_iter(&c->args);
  pgw_value v;
  put_int(f, 4, (long long)c->function_oid);
  put_i16s(f, &c->arg_formats);
  put_int(f, 2, (long long)c->args.count);
  while (pgw_value_next(&it, &v) == 1) {
    put_int(f, 4, v.len);
    if (v.len == 4)
      put_int(f, 4, (int32_t)cli_be32(v.ptr));
    else if (v.len >= 0)
      put_nchar(f, v.ptr, (size_t)v.len);
  }
  put_int(f, 2, c->result_format);
}

static void put_parse(FILE *f, const pgw_parse *p) {
  pgw_iter it = pgw_oid_iter(&p->param_types);
  uint32_t v;
  put_str(f, p->statement);
  put_str(f, p->query);
  put_int(f, 2, (long long)p->param_types.count);
  while (pgw_oid_next(&it, &v) == 1)
    put_int(f, 4, (long long)v);
}

static void put_body(FILE *f, const pgw_message *m) {
  if (m->malformed) { /* lenient: the bytes as they are */
    put_nchar(f, m->payload.ptr, m->payload.len);
    return;
  }
  switch (m->kind) {
  case PGW_MSG_QUERY: put_str(f, m->body.query.text); break;
  case PGW_MSG_PARSE: put_parse(f, &m->body.parse); break;
  case PGW_MSG_BIND:
    put_str(f, m->body.bind.portal);
    put_str(f, m->body.bind.statement);
    put_i16s(f, &m->body.bind.param_formats);
    put_values(f, &m->body.bind.params);
    put_i16s(f, &m->body.bind.result_formats);
    break;
  case PGW_MSG_DESCRIBE:
  case PGW_MSG_CLOSE:
    put_char(f, m->body.describe.target);
    put_str(f, m->body.describe.name);
    break;
  case PGW_MSG_EXECUTE:
    put_str(f, m->body.execute.portal);
    put_int(f, 4, m->body.execute.max_rows);
    break;
  case PGW_MSG_COPY_FAIL: put_str(f, m->body.copy_fail.text); break;
  case PGW_MSG_FUNCTION_CALL:
    put_function_call(f, &m->body.function_call);
    break;
  case PGW_MSG_SASL_INITIAL_RESPONSE:
    put_str(f, m->body.sasl_initial.mechanism);
    if (m->body.sasl_initial.data.len >= 0) {
      put_int(f, 4, m->body.sasl_initial.data.len);
      put_nchar(f, m->body.sasl_initial.data.ptr,
                (size_t)m->body.sasl_initial.data.len);
    }
    break;
  case PGW_MSG_SYNC:
  case PGW_MSG_FLUSH:
  case PGW_MSG_TERMINATE:
  case PGW_MSG_COPY_DONE: break;
  default:
    /* pqPacketSend: startup packets, PasswordMessage, SASLResponse,
     * GSSResponse; and PQputCopyData: the payload as one run of bytes */
    put_nchar(f, m->payload.ptr, m->payload.len);
  }
}

void pq13_put(FILE *f, const pgw_message *m) {
  fprintf(f, "To backend> Msg %c\n", m->type ? m->type : ' ');
  put_body(f, m);
  fprintf(f, "To backend> Msg complete, length %zu\n", m->wire_len);
}
