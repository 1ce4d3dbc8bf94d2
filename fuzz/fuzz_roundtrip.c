/*
 * fuzz_roundtrip.c - exact encoding, both ways.
 *
 * Input byte 0, bit 0 picks the mode:
 *   0  decode-then-encode: byte 1 picks kind and protocol as in
 *      fuzz_message; a payload that decodes strictly must re-encode to the
 *      identical bytes (header included), through pgw_message_encode()
 *      (with a size query and a short buffer) and pgw_message_encode_buf();
 *   1  build-then-decode: a message of a fuzzer-chosen kind is built from
 *      the input (lists as items arrays); if it encodes, the payload must
 *      decode strictly to the same fields and re-encode identically; if
 *      it does not, the error must be one the encoder documents, and a
 *      string holding a NUL must be refused.
 * Any mismatch aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t protocols[] = {0,
                                     PGW_PROTOCOL_3_0,
                                     PGW_PROTOCOL_3_2,
                                     PGW_PROTOCOL(3, 1),
                                     PGW_PROTOCOL(2, 0),
                                     PGW_PROTOCOL(3, 9999)};

static void store32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* Encode m every way the API offers; all must agree. Returns the bytes
 * (malloc'ed, *len set) or NULL with *rc set when the encoder refuses. */
static uint8_t *encode_all(const pgw_message *m, size_t *len, int *rc) {
  size_t need = 0;
  *rc = pgw_message_encode(m, NULL, 0, &need);
  FUZZ_ASSERT(fuzz_status_known(*rc));
  if (*rc != PGW_ERR_BUFFER_TOO_SMALL) {
    FUZZ_ASSERT(*rc != 0); /* nothing fits in 0 bytes */
    FUZZ_ASSERT(need == 0);
    pgw_buf b;
    pgw_buf_init(&b, NULL);
    FUZZ_ASSERT(pgw_message_encode_buf(m, &b) == *rc);
    FUZZ_ASSERT(b.len == 0);
    pgw_buf_free(&b);
    return NULL;
  }
  FUZZ_ASSERT(need >= 1);
  uint8_t *buf = (uint8_t *)malloc(need);
  if (buf == NULL) abort();
  size_t got = 0;
  if (need > 1) {
    FUZZ_ASSERT(pgw_message_encode(m, buf, need - 1, &got) ==
                PGW_ERR_BUFFER_TOO_SMALL);
    FUZZ_ASSERT(got == need);
  }
  FUZZ_ASSERT(pgw_message_encode(m, buf, need, &got) == 0);
  FUZZ_ASSERT(got == need);
  pgw_buf b;
  pgw_buf_init(&b, NULL);
  FUZZ_ASSERT(pgw_buf_reserve(&b, 3) == 0);
  b.len = 3; /* append after existing bytes */
  memset(b.data, 0xaa, 3);
  FUZZ_ASSERT(pgw_message_encode_buf(m, &b) == 0);
  FUZZ_ASSERT(b.len == 3 + need);
  FUZZ_ASSERT(memcmp(b.data + 3, buf, need) == 0);
  pgw_buf_free(&b);
  *len = need;
  *rc = 0;
  return buf;
}

/* The framing pgw_message_encode() writes in front of a payload. */
static void check_header(pgw_kind kind, const uint8_t *enc, size_t enclen,
                         size_t paylen) {
  size_t hdr = fuzz_header_len(kind);
  FUZZ_ASSERT(enclen == hdr + paylen);
  if (hdr == 0) return;
  uint8_t want[5];
  size_t at = 0;
  if (hdr == 5) want[at++] = pgw_kind_type(kind);
  store32(want + at, (uint32_t)(paylen + 4));
  FUZZ_ASSERT(memcmp(enc, want, hdr) == 0);
}

/*
 * Disagreements already reported (each with a reproducer
 * corpus/roundtrip/regress-*): skipped only when the environment sets
 * PGW_FUZZ_IGNORE_KNOWN (scripts/fuzz does), so that a fuzzing run gets
 * past them; a corpus replay keeps failing on them until they are fixed.
 */
static int known_disagreement(const pgw_message *m, int rc) {
  static int ignore = -1;
  if (ignore < 0) ignore = getenv("PGW_FUZZ_IGNORE_KNOWN") != NULL;
  if (!ignore) return 0;
  /* Findings 1, 2, 6 and 7 are fixed (7: a CancelRequest with process ID
   * 0 encoded but no longer decoded strictly: it is decoded for a 3.0
   * server, and the encoder refuses pid 0 with another key length;
   * corpus/roundtrip/regress-cancel-request-pid-zero); none is open. */
  (void)m;
  (void)rc;
  return 0;
}

static void decode_then_encode(fuzz_in *in) {
  uint8_t sel = fuzz_u8(in);
  pgw_kind kind = (pgw_kind)(sel % PGW_MSG_KIND_COUNT);
  uint32_t protocol = protocols[(sel / PGW_MSG_KIND_COUNT) %
                                (sizeof protocols / sizeof protocols[0])];
  size_t len = in->n;
  uint8_t *payload = (uint8_t *)malloc(len ? len : 1);
  if (payload == NULL) return;
  if (len) memcpy(payload, in->p, len);
  pgw_message m;
  if (pgw_message_decode(kind, payload, len, protocol, &m, NULL) == 0) {
    size_t enclen;
    int rc;
    uint8_t *enc = encode_all(&m, &enclen, &rc);
    if (enc == NULL && known_disagreement(&m, rc)) {
      free(payload);
      return;
    }
    if (enc == NULL) {
      fprintf(stderr, "%s decoded but does not encode: %s\n",
              pgw_message_name(&m), pgw_strerror(rc));
      fuzz_fail(__FILE__, __LINE__, "a strictly decoded message re-encodes");
    }
    check_header(kind, enc, enclen, len);
    size_t hdr = fuzz_header_len(kind);
    FUZZ_ASSERT(len == 0 || memcmp(enc + hdr, payload, len) == 0);
    free(enc);
  }
  free(payload);
}

/* ---- build-then-decode ------------------------------------------------- */

#define MAXN 8

typedef struct builder {
  fuzz_in *in;
  int nul; /* a wire string (NUL-terminated field) holds a NUL */
  int16_t i16s[3][MAXN];
  uint32_t oids[MAXN];
  pgw_value values[2][MAXN];
  pgw_str strs[MAXN];
  pgw_param params[MAXN];
  pgw_notice_field fields[MAXN];
  pgw_column columns[MAXN];
} builder;

static pgw_str b_str(builder *b) {
  size_t n;
  const uint8_t *p = fuzz_bytes(b->in, 64, &n);
  pgw_str s = {(const char *)p, n};
  if (n && memchr(p, 0, n)) b->nul = 1;
  return s;
}

static pgw_bytes b_bytes(builder *b, size_t max) {
  pgw_bytes v;
  v.ptr = fuzz_bytes(b->in, max, &v.len);
  return v;
}

static pgw_value b_value(builder *b) {
  pgw_value v;
  uint8_t sel = fuzz_u8(b->in);
  if (sel == 0xff) {
    v.ptr = NULL, v.len = -1;
  } else if (sel == 0xfe) {
    v.ptr = NULL, v.len = -2; /* invalid: must be refused */
  } else {
    size_t n = sel;
    if (n > b->in->n) n = b->in->n;
    v.ptr = b->in->p;
    v.len = (int32_t)n;
    b->in->p += n;
    b->in->n -= n;
  }
  return v;
}

/* Format code: mostly 0/1, sometimes anything. */
static int16_t b_format(builder *b) {
  uint8_t v = fuzz_u8(b->in);
  if (v >= 0xf0) return (int16_t)(int8_t)v;
  return (int16_t)(v & 1);
}

static size_t b_count(builder *b) {
  return fuzz_u8(b->in) % (MAXN + 1);
}

static pgw_i16_list b_formats(builder *b, int which) {
  pgw_i16_list l = {0, {NULL, 0}, NULL};
  l.count = b_count(b);
  for (size_t i = 0; i < l.count; i++)
    b->i16s[which][i] = b_format(b);
  l.items = b->i16s[which];
  return l;
}

static pgw_value_list b_values(builder *b, int which) {
  pgw_value_list l = {0, {NULL, 0}, NULL};
  l.count = b_count(b);
  for (size_t i = 0; i < l.count; i++)
    b->values[which][i] = b_value(b);
  l.items = b->values[which];
  return l;
}

static pgw_str_list b_strs(builder *b) {
  pgw_str_list l = {0, {NULL, 0}, NULL};
  l.count = b_count(b);
  for (size_t i = 0; i < l.count; i++)
    b->strs[i] = b_str(b);
  l.items = b->strs;
  return l;
}

static uint8_t b_pick(builder *b, const char *choices) {
  uint8_t v = fuzz_u8(b->in);
  size_t n = strlen(choices);
  return v < 0xf0 ? (uint8_t)choices[v % n] : v;
}

static uint32_t b_version(builder *b) {
  uint8_t v = fuzz_u8(b->in);
  if (v < 0x80) return PGW_PROTOCOL_3_0;
  if (v < 0xf0) return PGW_PROTOCOL(3, v & 3);
  return fuzz_u32(b->in);
}

static int build(builder *b, pgw_message *m) {
  memset(m, 0, sizeof *m);
  m->kind = (pgw_kind)(fuzz_u8(b->in) % PGW_MSG_KIND_COUNT);
  if (m->kind == PGW_MSG_UNKNOWN) return 0;
  m->type = pgw_kind_type(m->kind);
  switch (m->kind) {
  case PGW_MSG_STARTUP_MESSAGE: {
    pgw_startup_message *s = &m->body.startup;
    s->protocol = b_version(b);
    s->params.count = b_count(b);
    for (size_t i = 0; i < s->params.count; i++) {
      if (fuzz_u8(b->in) & 1) {
        b->params[i].name = PGW_STR("user");
      } else {
        b->params[i].name = b_str(b);
      }
      b->params[i].value = b_str(b);
    }
    s->params.items = b->params;
    break;
  }
  case PGW_MSG_CANCEL_REQUEST:
    m->body.cancel.pid = (int32_t)fuzz_u32(b->in);
    m->body.cancel.key = b_bytes(b, 255);
    break;
  case PGW_MSG_SSL_RESPONSE:
  case PGW_MSG_GSSENC_RESPONSE:
    m->body.encryption.answer =
        b_pick(b, m->kind == PGW_MSG_SSL_RESPONSE ? "SN" : "GN");
    m->type = m->body.encryption.answer;
    break;
  case PGW_MSG_BIND: {
    pgw_bind *x = &m->body.bind;
    x->portal = b_str(b);
    x->statement = b_str(b);
    x->param_formats = b_formats(b, 0);
    x->params = b_values(b, 0);
    x->result_formats = b_formats(b, 1);
    break;
  }
  case PGW_MSG_CLOSE:
  case PGW_MSG_DESCRIBE:
    m->body.close.target = b_pick(b, "SP");
    m->body.close.name = b_str(b);
    break;
  case PGW_MSG_EXECUTE:
    m->body.execute.portal = b_str(b);
    m->body.execute.max_rows = (int32_t)fuzz_u32(b->in);
    break;
  case PGW_MSG_FUNCTION_CALL: {
    pgw_function_call *f = &m->body.function_call;
    f->function_oid = fuzz_u32(b->in);
    f->arg_formats = b_formats(b, 0);
    f->args = b_values(b, 0);
    f->result_format = b_format(b);
    break;
  }
  case PGW_MSG_PARSE: {
    pgw_parse *p = &m->body.parse;
    p->statement = b_str(b);
    p->query = b_str(b);
    p->param_types.count = b_count(b);
    for (size_t i = 0; i < p->param_types.count; i++)
      b->oids[i] = fuzz_u32(b->in);
    p->param_types.items = b->oids;
    break;
  }
  case PGW_MSG_QUERY:
  case PGW_MSG_PASSWORD_MESSAGE:
  case PGW_MSG_COPY_FAIL:
  case PGW_MSG_COMMAND_COMPLETE: m->body.query.text = b_str(b); break;
  case PGW_MSG_SASL_INITIAL_RESPONSE:
    m->body.sasl_initial.mechanism = b_str(b);
    m->body.sasl_initial.data = b_value(b);
    break;
  case PGW_MSG_SASL_RESPONSE:
  case PGW_MSG_GSS_RESPONSE:
  case PGW_MSG_COPY_DATA: m->body.copy_data.data = b_bytes(b, 255); break;
  case PGW_MSG_AUTHENTICATION: {
    static const int32_t codes[] = {0, 2, 3, 5, 7, 8, 9, 10, 11, 12};
    pgw_authentication *a = &m->body.auth;
    uint8_t v = fuzz_u8(b->in);
    a->code = v < 0xf0 ? codes[v % 10] : (int32_t)(int8_t)v;
    for (int i = 0; i < 4; i++)
      a->salt[i] = fuzz_u8(b->in);
    if (a->code == PGW_AUTH_SASL) {
      a->mechanisms = b_strs(b);
    } else {
      a->data = b_bytes(b, 255);
      if (a->code != PGW_AUTH_GSS_CONTINUE &&
          a->code != PGW_AUTH_SASL_CONTINUE && a->code != PGW_AUTH_SASL_FINAL)
        a->data.len = 0;
    }
    break;
  }
  case PGW_MSG_BACKEND_KEY_DATA:
    m->body.backend_key.pid = (int32_t)fuzz_u32(b->in);
    m->body.backend_key.key = b_bytes(b, 255);
    break;
  case PGW_MSG_COPY_IN_RESPONSE:
  case PGW_MSG_COPY_OUT_RESPONSE:
  case PGW_MSG_COPY_BOTH_RESPONSE: {
    pgw_copy_response *c = &m->body.copy_response;
    c->format = (int8_t)b_format(b);
    c->columns = b_formats(b, 0);
    if (c->format == 0 && !(fuzz_u8(b->in) & 0x80))
      for (size_t i = 0; i < c->columns.count; i++)
        b->i16s[0][i] = 0;
    break;
  }
  case PGW_MSG_DATA_ROW: m->body.data_row.columns = b_values(b, 0); break;
  case PGW_MSG_ERROR_RESPONSE:
  case PGW_MSG_NOTICE_RESPONSE: {
    pgw_notice_field_list *l = &m->body.error.fields;
    l->count = b_count(b);
    for (size_t i = 0; i < l->count; i++) {
      b->fields[i].code = b_pick(b, "SCMVDHPpqWstcdnFLR");
      b->fields[i].value = b_str(b);
    }
    l->items = b->fields;
    break;
  }
  case PGW_MSG_FUNCTION_CALL_RESPONSE:
    m->body.function_result.result = b_value(b);
    break;
  case PGW_MSG_NEGOTIATE_PROTOCOL_VERSION:
    m->body.negotiate.newest_version = b_version(b);
    m->body.negotiate.unrecognized = b_strs(b);
    break;
  case PGW_MSG_NOTIFICATION_RESPONSE:
    m->body.notification.pid = (int32_t)fuzz_u32(b->in);
    m->body.notification.channel = b_str(b);
    m->body.notification.payload = b_str(b);
    break;
  case PGW_MSG_PARAMETER_DESCRIPTION: {
    pgw_oid_list *l = &m->body.parameter_description.types;
    l->count = b_count(b);
    for (size_t i = 0; i < l->count; i++)
      b->oids[i] = fuzz_u32(b->in);
    l->items = b->oids;
    break;
  }
  case PGW_MSG_PARAMETER_STATUS:
    m->body.parameter_status.name = b_str(b);
    m->body.parameter_status.value = b_str(b);
    break;
  case PGW_MSG_READY_FOR_QUERY: m->body.ready.status = b_pick(b, "ITE"); break;
  case PGW_MSG_ROW_DESCRIPTION: {
    pgw_column_list *l = &m->body.row_description.columns;
    l->count = b_count(b);
    for (size_t i = 0; i < l->count; i++) {
      pgw_column *c = &b->columns[i];
      c->name = b_str(b);
      c->table_oid = fuzz_u32(b->in);
      c->column_attnum = (int16_t)fuzz_u16(b->in);
      c->type_oid = fuzz_u32(b->in);
      c->type_size = (int16_t)fuzz_u16(b->in);
      c->type_modifier = (int32_t)fuzz_u32(b->in);
      c->format = b_format(b);
    }
    l->items = b->columns;
    break;
  }
  default: break; /* no body */
  }
  return 1;
}

/* Errors pgw_message_encode() may give for a built message it refuses
 * (its header documents the first five; the encoders also check required
 * fields and codes as the decoders do). */
static int encode_error_ok(int rc) {
  switch (rc) {
  case PGW_ERR_BAD_VALUE:
  case PGW_ERR_BAD_COUNT:
  case PGW_ERR_TOO_LARGE:
  case PGW_ERR_BAD_KEY_LENGTH:
  case PGW_ERR_NEGATIVE_LENGTH:
  case PGW_ERR_UNKNOWN_CODE:
  case PGW_ERR_MISSING_FIELD:
  case PGW_ERR_UNSUPPORTED_PROTOCOL: return 1;
  default: return 0;
  }
}

static void build_then_decode(fuzz_in *in) {
  builder *b = (builder *)calloc(1, sizeof *b);
  if (b == NULL) return;
  b->in = in;
  pgw_message m;
  if (!build(b, &m)) {
    free(b);
    return;
  }
  size_t enclen;
  int rc;
  uint8_t *enc = encode_all(&m, &enclen, &rc);
  if (enc == NULL) {
    if (!encode_error_ok(rc))
      fprintf(stderr, "%s: encoder returned %s\n", pgw_kind_name(m.kind),
              pgw_strerror(rc));
    FUZZ_ASSERT(encode_error_ok(rc));
    free(b);
    return;
  }
  /* Encoded: no wire string may have held a NUL. */
  FUZZ_ASSERT(!b->nul);
  size_t hdr = fuzz_header_len(m.kind);
  FUZZ_ASSERT(enclen >= hdr);
  check_header(m.kind, enc, enclen, enclen - hdr);
  pgw_message back;
  pgw_error err = {0, 0, NULL, NULL};
  /* A CancelRequest for pid 0 is for a 3.0 server (PostgreSQL 18 refuses
   * it): decode it as such a server reads it. */
  uint32_t proto = m.kind == PGW_MSG_CANCEL_REQUEST && m.body.cancel.pid == 0
                       ? PGW_PROTOCOL_3_0
                       : 0;
  rc = pgw_message_decode(m.kind, enc + hdr, enclen - hdr, proto, &back, &err);
  if (rc != 0 && known_disagreement(&m, rc)) {
    free(enc);
    free(b);
    return;
  }
  if (rc != 0) {
    fprintf(stderr, "%s encoded but does not decode: %s at %zu: %s\n",
            pgw_kind_name(m.kind), pgw_strerror(rc), err.offset, err.reason);
    fuzz_fail(__FILE__, __LINE__, "what pgw encodes, pgw decodes strictly");
  }
  fuzz_check_decoded(&back, enc + hdr, enclen - hdr);
  FUZZ_ASSERT(fuzz_same_fields(&m, &back));
  size_t enclen2;
  uint8_t *enc2 = encode_all(&back, &enclen2, &rc);
  FUZZ_ASSERT(enc2 != NULL);
  FUZZ_ASSERT(enclen2 == enclen && memcmp(enc, enc2, enclen) == 0);
  free(enc2);
  free(enc);
  free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  if (size < 1) return 0;
  if (fuzz_u8(&in) & 1)
    build_then_decode(&in);
  else
    decode_then_encode(&in);
  return 0;
}
