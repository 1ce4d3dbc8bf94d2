/* certify_build.c - script verbs to frontend messages. */
#include "certify_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certify_script.h"
#include "util.h"

static int bad(char *err, size_t n, const char *what, const char *verb) {
  snprintf(err, n, "%s: %s", verb, what);
  return -1;
}

/* "3.2" -> PGW_PROTOCOL(3, 2); "1234.5679" style too. */
static uint32_t version_of(const char *v) {
  char *dot;
  unsigned long major = strtoul(v, &dot, 10), minor = 0;
  if (*dot == '.') minor = strtoul(dot + 1, NULL, 10);
  return PGW_PROTOCOL(major, minor);
}

static int is_version(const char *w) {
  return w[0] >= '0' && w[0] <= '9' && strchr(w, '.');
}

static void param(cert_build *b, size_t *n, const char *name, size_t nl,
                  const char *value) {
  if (*n >= CERT_BUILD_MAX) return;
  b->params[*n].name.ptr = name;
  b->params[*n].name.len = nl;
  b->params[*n].value = pgw_str_from_cstr(value);
  ++*n;
}

/* Is name=... among argv? */
static int given(int argc, char **argv, const char *name) {
  size_t nl = strlen(name);
  int i;
  for (i = 1; i < argc; i++)
    if (strncmp(argv[i], name, nl) == 0 && argv[i][nl] == '=') return 1;
  return 0;
}

static int startup(cert_build *b, int argc, char **argv, const cert_target *t,
                   pgw_message *m) {
  size_t n = 0;
  int i, no_user = 0, no_db = 0;
  m->body.startup.protocol = PGW_PROTOCOL_3_0;
  for (i = 1; i < argc; i++) {
    no_user |= strcmp(argv[i], "-user") == 0;
    no_db |= strcmp(argv[i], "-database") == 0;
  }
  if (!no_user && !given(argc, argv, "user")) param(b, &n, "user", 4, t->user);
  if (!no_db && !given(argc, argv, "database") && t->database)
    param(b, &n, "database", 8, t->database);
  for (i = 1; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (is_version(argv[i]))
      m->body.startup.protocol = version_of(argv[i]);
    else if (eq)
      param(b, &n, argv[i], (size_t)(eq - argv[i]), eq + 1);
  }
  m->body.startup.params.count = n;
  m->body.startup.params.items = b->params;
  return 1;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Hex text into b->bytes; the view, or ptr NULL if it is not hex. */
static pgw_bytes hex_bytes(cert_build *b, const char *h) {
  pgw_bytes out = {NULL, 0};
  size_t n = strlen(h), i;
  if (n % 2 || b->used + n / 2 > sizeof b->bytes) return out;
  out.ptr = b->bytes + b->used;
  for (i = 0; i < n; i += 2) {
    int hi = hexval(h[i]), lo = hexval(h[i + 1]);
    if (hi < 0 || lo < 0) {
      out.ptr = NULL;
      return out;
    }
    b->bytes[b->used++] = (uint8_t)(hi << 4 | lo);
  }
  out.len = n / 2;
  return out;
}

static int cancel_request(cert_build *b, int argc, char **argv,
                          pgw_message *m) {
  if (argc != 3) return -1;
  m->body.cancel.pid = (int32_t)strtol(argv[1], NULL, 10);
  m->body.cancel.key = hex_bytes(b, argv[2]);
  return m->body.cancel.key.ptr ? 1 : -1;
}

/* A value word: NULL, hex:..., or text. */
static int value_of(cert_build *b, const char *w, pgw_value *v) {
  if (strcmp(w, "NULL") == 0) {
    v->ptr = NULL;
    v->len = -1;
  } else if (strncmp(w, "hex:", 4) == 0) {
    pgw_bytes h = hex_bytes(b, w + 4);
    if (!h.ptr && w[4]) return -1;
    v->ptr = h.ptr ? h.ptr : (const uint8_t *)"";
    v->len = (int32_t)h.len;
  } else {
    v->ptr = (const uint8_t *)w;
    v->len = (int32_t)strlen(w);
  }
  return 0;
}

/* "0,1,1": format codes. */
static size_t formats(const char *list, int16_t *out) {
  size_t n = 0;
  while (*list && n < 8) {
    out[n++] = (int16_t)strtol(list, NULL, 10);
    list += strcspn(list, ",");
    list += *list == ',';
  }
  return n;
}

/* Values and pf=/rf= words from argv[from..]; count of values or -1. */
static long values(cert_build *b, int argc, char **argv, int from) {
  long n = 0;
  int i;
  b->npf = b->nrf = 0;
  for (i = from; i < argc; i++) {
    if (strncmp(argv[i], "pf=", 3) == 0)
      b->npf = formats(argv[i] + 3, b->pformats);
    else if (strncmp(argv[i], "rf=", 3) == 0)
      b->nrf = formats(argv[i] + 3, b->rformats);
    else if (n >= CERT_BUILD_MAX || value_of(b, argv[i], &b->values[n++]))
      return -1;
  }
  return n;
}

static void format_list(pgw_i16_list *l, const int16_t *f, size_t n) {
  l->count = n;
  l->items = f;
}

static int bind(cert_build *b, int argc, char **argv, pgw_message *m) {
  long n;
  if (argc < 3 || (n = values(b, argc, argv, 3)) < 0) return -1;
  m->body.bind.portal = pgw_str_from_cstr(argv[1]);
  m->body.bind.statement = pgw_str_from_cstr(argv[2]);
  m->body.bind.params.count = (size_t)n;
  m->body.bind.params.items = b->values;
  format_list(&m->body.bind.param_formats, b->pformats, b->npf);
  format_list(&m->body.bind.result_formats, b->rformats, b->nrf);
  return 1;
}

static int function_call(cert_build *b, int argc, char **argv, pgw_message *m) {
  long n;
  if (argc < 2 || (n = values(b, argc, argv, 2)) < 0) return -1;
  m->body.function_call.function_oid = (uint32_t)strtoul(argv[1], NULL, 10);
  m->body.function_call.args.count = (size_t)n;
  m->body.function_call.args.items = b->values;
  format_list(&m->body.function_call.arg_formats, b->pformats, b->npf);
  m->body.function_call.result_format = b->nrf ? b->rformats[0] : 0;
  return 1;
}

static int parse(cert_build *b, int argc, char **argv, pgw_message *m) {
  int i;
  if (argc < 3 || argc - 3 > CERT_BUILD_MAX) return -1;
  m->body.parse.statement = pgw_str_from_cstr(argv[1]);
  m->body.parse.query = pgw_str_from_cstr(argv[2]);
  for (i = 3; i < argc; i++)
    b->oids[i - 3] = (uint32_t)strtoul(argv[i], NULL, 10);
  m->body.parse.param_types.count = (size_t)(argc - 3);
  m->body.parse.param_types.items = b->oids;
  return 1;
}

static int sasl_initial(int argc, char **argv, pgw_message *m) {
  if (argc < 2) return -1;
  m->body.sasl_initial.mechanism = pgw_str_from_cstr(argv[1]);
  m->body.sasl_initial.data.ptr = (const uint8_t *)(argc > 2 ? argv[2] : NULL);
  m->body.sasl_initial.data.len = argc > 2 ? (int32_t)strlen(argv[2]) : -1;
  return 1;
}

static int close_describe(int argc, char **argv, pgw_close_describe *cd) {
  cd->target = (uint8_t)argv[0][1];
  cd->name = pgw_str_from_cstr(argc > 1 ? argv[1] : "");
  return 1;
}

static int text_arg(int argc, char **argv, pgw_str *s) {
  *s = pgw_str_from_cstr(argc > 1 ? argv[1] : "");
  return 1;
}

/* Messages without a body, by verb. */
static pgw_kind bare_kind(const char *v) {
  static const struct {
    const char *verb;
    pgw_kind kind;
  } k[] = {{"S", PGW_MSG_SYNC},          {"H", PGW_MSG_FLUSH},
           {"X", PGW_MSG_TERMINATE},     {"c", PGW_MSG_COPY_DONE},
           {"ssl", PGW_MSG_SSL_REQUEST}, {"gss", PGW_MSG_GSSENC_REQUEST}};
  size_t i;
  for (i = 0; i < sizeof k / sizeof k[0]; i++)
    if (strcmp(v, k[i].verb) == 0) return k[i].kind;
  return PGW_MSG_UNKNOWN;
}

static int dispatch(cert_build *b, int argc, char **argv, const cert_target *t,
                    pgw_message *m) {
  const char *v = argv[0];
  if ((m->kind = bare_kind(v)) != PGW_MSG_UNKNOWN) return 1;
  if (strcmp(v, "startup") == 0) {
    m->kind = PGW_MSG_STARTUP_MESSAGE;
    return startup(b, argc, argv, t, m);
  }
  m->kind = strcmp(v, "cancelreq") == 0 ? PGW_MSG_CANCEL_REQUEST
            : strcmp(v, "Q") == 0       ? PGW_MSG_QUERY
            : strcmp(v, "P") == 0       ? PGW_MSG_PARSE
            : strcmp(v, "B") == 0       ? PGW_MSG_BIND
            : strcmp(v, "E") == 0       ? PGW_MSG_EXECUTE
            : strcmp(v, "F") == 0       ? PGW_MSG_FUNCTION_CALL
            : strcmp(v, "d") == 0       ? PGW_MSG_COPY_DATA
            : strcmp(v, "f") == 0       ? PGW_MSG_COPY_FAIL
            : strcmp(v, "sasl") == 0    ? PGW_MSG_SASL_INITIAL_RESPONSE
            : (v[0] == 'D' && (v[1] == 'S' || v[1] == 'P') && !v[2])
                ? PGW_MSG_DESCRIBE
            : (v[0] == 'C' && (v[1] == 'S' || v[1] == 'P') && !v[2])
                ? PGW_MSG_CLOSE
                : PGW_MSG_UNKNOWN;
  switch (m->kind) {
  case PGW_MSG_CANCEL_REQUEST: return cancel_request(b, argc, argv, m);
  case PGW_MSG_QUERY: return text_arg(argc, argv, &m->body.query.text);
  case PGW_MSG_COPY_FAIL: return text_arg(argc, argv, &m->body.copy_fail.text);
  case PGW_MSG_PARSE: return parse(b, argc, argv, m);
  case PGW_MSG_SASL_INITIAL_RESPONSE: return sasl_initial(argc, argv, m);
  case PGW_MSG_BIND: return bind(b, argc, argv, m);
  case PGW_MSG_FUNCTION_CALL: return function_call(b, argc, argv, m);
  case PGW_MSG_DESCRIBE: return close_describe(argc, argv, &m->body.describe);
  case PGW_MSG_CLOSE: return close_describe(argc, argv, &m->body.close);
  case PGW_MSG_EXECUTE:
    m->body.execute.portal = pgw_str_from_cstr(argc > 1 ? argv[1] : "");
    m->body.execute.max_rows = argc > 2 ? atoi(argv[2]) : 0;
    return 1;
  case PGW_MSG_COPY_DATA:
    m->body.copy_data.data.ptr = (const uint8_t *)(argc > 1 ? argv[1] : "");
    m->body.copy_data.data.len = argc > 1 ? strlen(argv[1]) : 0;
    return 1;
  default: return 0;
  }
}

int cert_build_message(cert_build *b, int argc, char **argv,
                       const cert_target *t, pgw_message *m, char *err,
                       size_t n) {
  int rc;
  memset(m, 0, sizeof *m);
  b->used = 0;
  rc = dispatch(b, argc, argv, t, m);
  if (rc < 0) return bad(err, n, "bad arguments", argv[0]);
  return rc;
}

static int put_be32(pgw_buf *b, uint32_t v) {
  if (pgw_buf_reserve(b, 4) != 0) return PGW_ERR_NOMEM;
  cli_put_be32(b->data + b->len, v);
  b->len += 4;
  return 0;
}

static int put_cstr(pgw_buf *b, pgw_str s) {
  if (pgw_buf_reserve(b, s.len + 1) != 0) return PGW_ERR_NOMEM;
  memcpy(b->data + b->len, s.ptr, s.len);
  b->len += s.len;
  b->data[b->len++] = '\0';
  return 0;
}

int cert_startup_bytes(const pgw_message *m, pgw_buf *out) {
  const pgw_param_list *l = &m->body.startup.params;
  size_t i, start = out->len;
  int rc = put_be32(out, 0) | put_be32(out, m->body.startup.protocol);
  for (i = 0; i < l->count && rc == 0; i++)
    rc = put_cstr(out, l->items[i].name) | put_cstr(out, l->items[i].value);
  if (rc == 0) rc = put_cstr(out, pgw_str_from_cstr(""));
  if (rc != 0) return PGW_ERR_NOMEM;
  cli_put_be32(out->data + start, (uint32_t)(out->len - start));
  return 0;
}
