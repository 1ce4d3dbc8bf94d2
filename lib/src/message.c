/*
 * message.c - the kind table and the dispatch from a kind to its family:
 * decode of one payload, encode with the framing (type byte, length word).
 */
#include <stdlib.h>

#include "pgw_internal.h"
#include "pgw_repl.h"
#include "pgw_rules.h"

enum family {
  FAM_EMPTY,  /* no payload */
  FAM_ANSWER, /* one byte, no length word */
  FAM_STARTUP,
  FAM_AUTH,
  FAM_QUERY,
  FAM_EXTENDED,
  FAM_COPY,
  FAM_ASYNC,
  FAM_FASTPATH,
  FAM_NONE
};

typedef struct kind_info {
  const char *name;
  uint8_t type;
  signed char dir; /* PGW_FRONTEND, PGW_BACKEND, -1 both */
  unsigned char family;
} kind_info;

#define F PGW_FRONTEND
#define B PGW_BACKEND
static const kind_info kinds[PGW_MSG_KIND_COUNT] = {
    [PGW_MSG_UNKNOWN] = {"Unknown", 0, -1, FAM_NONE},
    [PGW_MSG_STARTUP_MESSAGE] = {"StartupMessage", 0, F, FAM_STARTUP},
    [PGW_MSG_SSL_REQUEST] = {"SSLRequest", 0, F, FAM_STARTUP},
    [PGW_MSG_GSSENC_REQUEST] = {"GSSENCRequest", 0, F, FAM_STARTUP},
    [PGW_MSG_CANCEL_REQUEST] = {"CancelRequest", 0, F, FAM_STARTUP},
    [PGW_MSG_SSL_RESPONSE] = {"SSLResponse", 0, B, FAM_ANSWER},
    [PGW_MSG_GSSENC_RESPONSE] = {"GSSENCResponse", 0, B, FAM_ANSWER},
    [PGW_MSG_BIND] = {"Bind", 'B', F, FAM_EXTENDED},
    [PGW_MSG_CLOSE] = {"Close", 'C', F, FAM_EXTENDED},
    [PGW_MSG_COPY_FAIL] = {"CopyFail", 'f', F, FAM_COPY},
    [PGW_MSG_DESCRIBE] = {"Describe", 'D', F, FAM_EXTENDED},
    [PGW_MSG_EXECUTE] = {"Execute", 'E', F, FAM_EXTENDED},
    [PGW_MSG_FLUSH] = {"Flush", 'H', F, FAM_EMPTY},
    [PGW_MSG_FUNCTION_CALL] = {"FunctionCall", 'F', F, FAM_FASTPATH},
    [PGW_MSG_GSS_RESPONSE] = {"GSSResponse", 'p', F, FAM_AUTH},
    [PGW_MSG_PARSE] = {"Parse", 'P', F, FAM_EXTENDED},
    [PGW_MSG_PASSWORD_MESSAGE] = {"PasswordMessage", 'p', F, FAM_AUTH},
    [PGW_MSG_QUERY] = {"Query", 'Q', F, FAM_QUERY},
    [PGW_MSG_SASL_INITIAL_RESPONSE] = {"SASLInitialResponse", 'p', F, FAM_AUTH},
    [PGW_MSG_SASL_RESPONSE] = {"SASLResponse", 'p', F, FAM_AUTH},
    [PGW_MSG_SYNC] = {"Sync", 'S', F, FAM_EMPTY},
    [PGW_MSG_TERMINATE] = {"Terminate", 'X', F, FAM_EMPTY},
    [PGW_MSG_COPY_DATA] = {"CopyData", 'd', -1, FAM_COPY},
    [PGW_MSG_COPY_DONE] = {"CopyDone", 'c', -1, FAM_EMPTY},
    [PGW_MSG_AUTHENTICATION] = {"Authentication", 'R', B, FAM_AUTH},
    [PGW_MSG_BACKEND_KEY_DATA] = {"BackendKeyData", 'K', B, FAM_AUTH},
    [PGW_MSG_BIND_COMPLETE] = {"BindComplete", '2', B, FAM_EMPTY},
    [PGW_MSG_CLOSE_COMPLETE] = {"CloseComplete", '3', B, FAM_EMPTY},
    [PGW_MSG_COMMAND_COMPLETE] = {"CommandComplete", 'C', B, FAM_QUERY},
    [PGW_MSG_COPY_IN_RESPONSE] = {"CopyInResponse", 'G', B, FAM_COPY},
    [PGW_MSG_COPY_OUT_RESPONSE] = {"CopyOutResponse", 'H', B, FAM_COPY},
    [PGW_MSG_COPY_BOTH_RESPONSE] = {"CopyBothResponse", 'W', B, FAM_COPY},
    [PGW_MSG_DATA_ROW] = {"DataRow", 'D', B, FAM_QUERY},
    [PGW_MSG_EMPTY_QUERY_RESPONSE] = {"EmptyQueryResponse", 'I', B, FAM_EMPTY},
    [PGW_MSG_ERROR_RESPONSE] = {"ErrorResponse", 'E', B, FAM_ASYNC},
    [PGW_MSG_FUNCTION_CALL_RESPONSE] = {"FunctionCallResponse", 'V', B,
                                        FAM_FASTPATH},
    [PGW_MSG_NEGOTIATE_PROTOCOL_VERSION] = {"NegotiateProtocolVersion", 'v', B,
                                            FAM_AUTH},
    [PGW_MSG_NO_DATA] = {"NoData", 'n', B, FAM_EMPTY},
    [PGW_MSG_NOTICE_RESPONSE] = {"NoticeResponse", 'N', B, FAM_ASYNC},
    [PGW_MSG_NOTIFICATION_RESPONSE] = {"NotificationResponse", 'A', B,
                                       FAM_ASYNC},
    [PGW_MSG_PARAMETER_DESCRIPTION] = {"ParameterDescription", 't', B,
                                       FAM_EXTENDED},
    [PGW_MSG_PARAMETER_STATUS] = {"ParameterStatus", 'S', B, FAM_ASYNC},
    [PGW_MSG_PARSE_COMPLETE] = {"ParseComplete", '1', B, FAM_EMPTY},
    [PGW_MSG_PORTAL_SUSPENDED] = {"PortalSuspended", 's', B, FAM_EMPTY},
    [PGW_MSG_READY_FOR_QUERY] = {"ReadyForQuery", 'Z', B, FAM_QUERY},
    [PGW_MSG_ROW_DESCRIPTION] = {"RowDescription", 'T', B, FAM_QUERY},
};
#undef F
#undef B

/* Standard framing: type byte -> kind, per direction (0, PGW_MSG_UNKNOWN,
 * for bytes that are no message of that direction), with PGW__TYPE_LONG
 * on the types PostgreSQL lets grow to the 1 GiB limit: the frontend's
 * Query, FunctionCall, Bind, Parse, CopyData (postgres.c), the backend's
 * CopyData, DataRow, ErrorResponse, FunctionCallResponse, NoticeResponse,
 * NotificationResponse, RowDescription (libpq's VALID_LONG_MESSAGE_TYPE). */
const uint8_t pgw__type_kinds[2][256] = {
    [PGW_FRONTEND] =
        {
            ['B'] = PGW_MSG_BIND | PGW__TYPE_LONG,
            ['C'] = PGW_MSG_CLOSE,
            ['d'] = PGW_MSG_COPY_DATA | PGW__TYPE_LONG,
            ['c'] = PGW_MSG_COPY_DONE,
            ['f'] = PGW_MSG_COPY_FAIL,
            ['D'] = PGW_MSG_DESCRIBE,
            ['E'] = PGW_MSG_EXECUTE,
            ['H'] = PGW_MSG_FLUSH,
            ['F'] = PGW_MSG_FUNCTION_CALL | PGW__TYPE_LONG,
            ['p'] = PGW_MSG_PASSWORD_MESSAGE, /* 65535: general path */
            ['P'] = PGW_MSG_PARSE | PGW__TYPE_LONG,
            ['Q'] = PGW_MSG_QUERY | PGW__TYPE_LONG,
            ['S'] = PGW_MSG_SYNC,
            ['X'] = PGW_MSG_TERMINATE,
        },
    [PGW_BACKEND] =
        {
            ['R'] = PGW_MSG_AUTHENTICATION,
            ['K'] = PGW_MSG_BACKEND_KEY_DATA,
            ['2'] = PGW_MSG_BIND_COMPLETE,
            ['3'] = PGW_MSG_CLOSE_COMPLETE,
            ['C'] = PGW_MSG_COMMAND_COMPLETE,
            ['d'] = PGW_MSG_COPY_DATA | PGW__TYPE_LONG,
            ['c'] = PGW_MSG_COPY_DONE,
            ['G'] = PGW_MSG_COPY_IN_RESPONSE,
            ['H'] = PGW_MSG_COPY_OUT_RESPONSE,
            ['W'] = PGW_MSG_COPY_BOTH_RESPONSE,
            ['D'] = PGW_MSG_DATA_ROW | PGW__TYPE_LONG,
            ['I'] = PGW_MSG_EMPTY_QUERY_RESPONSE,
            ['E'] = PGW_MSG_ERROR_RESPONSE | PGW__TYPE_LONG,
            ['V'] = PGW_MSG_FUNCTION_CALL_RESPONSE | PGW__TYPE_LONG,
            ['v'] = PGW_MSG_NEGOTIATE_PROTOCOL_VERSION,
            ['n'] = PGW_MSG_NO_DATA,
            ['N'] = PGW_MSG_NOTICE_RESPONSE | PGW__TYPE_LONG,
            ['A'] = PGW_MSG_NOTIFICATION_RESPONSE | PGW__TYPE_LONG,
            ['t'] = PGW_MSG_PARAMETER_DESCRIPTION,
            ['S'] = PGW_MSG_PARAMETER_STATUS,
            ['1'] = PGW_MSG_PARSE_COMPLETE,
            ['s'] = PGW_MSG_PORTAL_SUSPENDED,
            ['Z'] = PGW_MSG_READY_FOR_QUERY,
            ['T'] = PGW_MSG_ROW_DESCRIPTION | PGW__TYPE_LONG,
        },
};

_Static_assert(PGW_MSG_KIND_COUNT < PGW__TYPE_LONG,
               "kinds must fit below the LONG bit of pgw__type_kinds");

pgw_kind pgw_kind_of(pgw_dir dir, uint8_t type) {
  return (pgw_kind)(pgw__type_kinds[dir == PGW_BACKEND][type] &
                    ~(unsigned)PGW__TYPE_LONG);
}

static int kind_valid(pgw_kind k) {
  return (int)k >= 0 && k < PGW_MSG_KIND_COUNT;
}

uint8_t pgw_kind_type(pgw_kind kind) {
  return kind_valid(kind) ? kinds[kind].type : 0;
}

const char *pgw_kind_name(pgw_kind kind) {
  return kind_valid(kind) ? kinds[kind].name : "Invalid";
}

int pgw_kind_dir(pgw_kind kind) {
  return kind_valid(kind) ? kinds[kind].dir : -1;
}

const char *pgw_message_name(const pgw_message *m) {
  if (m->kind == PGW_MSG_AUTHENTICATION) {
    switch (m->body.auth.code) {
    case PGW_AUTH_OK: return "AuthenticationOk";
    case PGW_AUTH_KERBEROS_V5: return "AuthenticationKerberosV5";
    case PGW_AUTH_CLEARTEXT_PASSWORD: return "AuthenticationCleartextPassword";
    case PGW_AUTH_MD5_PASSWORD: return "AuthenticationMD5Password";
    case PGW_AUTH_GSS: return "AuthenticationGSS";
    case PGW_AUTH_GSS_CONTINUE: return "AuthenticationGSSContinue";
    case PGW_AUTH_SSPI: return "AuthenticationSSPI";
    case PGW_AUTH_SASL: return "AuthenticationSASL";
    case PGW_AUTH_SASL_CONTINUE: return "AuthenticationSASLContinue";
    case PGW_AUTH_SASL_FINAL: return "AuthenticationSASLFinal";
    default: return "Authentication";
    }
  }
  return pgw_kind_name(m->kind);
}

const char *pgw_version(void) {
  return PGW_VERSION_STRING;
}

pgw_str pgw_str_from_cstr(const char *s) {
  pgw_str v;
  v.ptr = s;
  v.len = s ? strlen(s) : 0;
  return v;
}

const char *pgw_strerror(int status) {
  switch (status) {
  case PGW_OK: return "PGW_OK";
  case PGW_NEED_MORE: return "PGW_NEED_MORE";
  case PGW_DIRECT_SSL: return "PGW_DIRECT_SSL";
  case PGW_ERR_INVALID_ARGUMENT: return "PGW_ERR_INVALID_ARGUMENT";
  case PGW_ERR_NOMEM: return "PGW_ERR_NOMEM";
  case PGW_ERR_BUFFER_TOO_SMALL: return "PGW_ERR_BUFFER_TOO_SMALL";
  case PGW_ERR_TRUNCATED: return "PGW_ERR_TRUNCATED";
  case PGW_ERR_BAD_LENGTH: return "PGW_ERR_BAD_LENGTH";
  case PGW_ERR_NO_TERMINATOR: return "PGW_ERR_NO_TERMINATOR";
  case PGW_ERR_TRAILING_BYTES: return "PGW_ERR_TRAILING_BYTES";
  case PGW_ERR_BAD_COUNT: return "PGW_ERR_BAD_COUNT";
  case PGW_ERR_UNKNOWN_TYPE: return "PGW_ERR_UNKNOWN_TYPE";
  case PGW_ERR_UNKNOWN_CODE: return "PGW_ERR_UNKNOWN_CODE";
  case PGW_ERR_TOO_LARGE: return "PGW_ERR_TOO_LARGE";
  case PGW_ERR_BAD_KEY_LENGTH: return "PGW_ERR_BAD_KEY_LENGTH";
  case PGW_ERR_NEGATIVE_LENGTH: return "PGW_ERR_NEGATIVE_LENGTH";
  case PGW_ERR_BAD_VALUE: return "PGW_ERR_BAD_VALUE";
  case PGW_ERR_UNSUPPORTED_PROTOCOL: return "PGW_ERR_UNSUPPORTED_PROTOCOL";
  case PGW_ERR_MISSING_FIELD: return "PGW_ERR_MISSING_FIELD";
  case PGW_ERR_END_OF_STREAM: return "PGW_ERR_END_OF_STREAM";
  case PGW_ERR_UNEXPECTED_MESSAGE: return "PGW_ERR_UNEXPECTED_MESSAGE";
  case PGW_ERR_CONNECTION_CLOSED: return "PGW_ERR_CONNECTION_CLOSED";
  default: return pgw__repl_strerror(status);
  }
}

/* ---- decode ----------------------------------------------------------- */

static int decode_answer(pgw_kind kind, pgw_rd *r, pgw_message *m) {
  uint8_t b;
  int rc = pgw_rd_u8(r, &b, "answer byte missing");
  if (rc) return rc;
  uint8_t yes = kind == PGW_MSG_SSL_RESPONSE ? 'S' : 'G';
  if (b != yes && b != 'N')
    return pgw_rd_fail(r, PGW_ERR_UNKNOWN_CODE,
                       kind == PGW_MSG_SSL_RESPONSE
                           ? "SSL answer is not 'S' or 'N'"
                           : "GSSENC answer is not 'G' or 'N'");
  m->type = b;
  m->body.encryption.answer = b;
  return pgw_rd_end(r, "one-byte answer followed by more bytes");
}

/* Decode without argument checks (kind is valid and not UNKNOWN, payload
 * non-NULL or len 0). Only the header and the body member of this kind
 * are written: zeroing the whole 176-byte pgw_message per message cost
 * more than the DataRow decode itself. */
int pgw__decode_payload(pgw_kind kind, const uint8_t *payload, size_t len,
                        uint32_t protocol, pgw_message *out, pgw_error *err) {
  pgw_rd r;
  out->kind = kind;
  out->type = kinds[kind].type;
  out->offset = 0;
  out->wire_len = 0;
  out->payload.ptr = payload;
  out->payload.len = len;
  out->malformed = 0;
  err->rule = NULL;
  if (kind == PGW_MSG_DATA_ROW) /* sets every field of its body */
    return pgw__data_row_decode(payload, len, &out->body.data_row, err);
  memset(&out->body, 0, sizeof out->body);
  pgw_rd_init(&r, payload, len, err);
  switch ((enum family)kinds[kind].family) {
  case FAM_EMPTY: return pgw_rd_end(&r, "message takes no payload");
  case FAM_ANSWER: return decode_answer(kind, &r, out);
  case FAM_STARTUP: return pgw__startup_decode(kind, &r, protocol, out);
  case FAM_AUTH: return pgw__auth_decode(kind, &r, protocol, out);
  case FAM_QUERY: return pgw__query_decode(kind, &r, out);
  case FAM_EXTENDED: return pgw__extended_decode(kind, &r, out);
  case FAM_COPY: return pgw__copy_decode(kind, &r, out);
  case FAM_ASYNC: return pgw__async_decode(kind, &r, out);
  case FAM_FASTPATH: return pgw__fastpath_decode(kind, &r, out);
  case FAM_NONE: break;
  }
  return pgw__fail(err, PGW_ERR_INVALID_ARGUMENT, 0, "kind has no decoder");
}

int pgw_message_decode(pgw_kind kind, const uint8_t *payload, size_t len,
                       uint32_t protocol, pgw_message *out, pgw_error *err) {
  pgw_error local;
  if (err == NULL) err = &local;
  if (out == NULL || (payload == NULL && len != 0) || !kind_valid(kind) ||
      kind == PGW_MSG_UNKNOWN)
    return pgw__fail(err, PGW_ERR_INVALID_ARGUMENT, 0,
                     "no message, payload or kind given");
  if (payload == NULL) payload = (const uint8_t *)"";
  int rc = pgw__decode_payload(kind, payload, len, protocol, out, err);
  if (rc && err->rule == NULL) /* a kind of both directions: dir unknown */
    err->rule = pgw__rule_for((pgw_dir)kinds[kind].dir, kind, rc);
  return rc;
}

/* ---- encode ----------------------------------------------------------- */

static int encode_body(const pgw_message *m, pgw_wr *w) {
  switch ((enum family)kinds[m->kind].family) {
  case FAM_EMPTY: return 0;
  case FAM_STARTUP: return pgw__startup_encode(m, w);
  case FAM_AUTH: return pgw__auth_encode(m, w);
  case FAM_QUERY: return pgw__query_encode(m, w);
  case FAM_EXTENDED: return pgw__extended_encode(m, w);
  case FAM_COPY: return pgw__copy_encode(m, w);
  case FAM_ASYNC: return pgw__async_encode(m, w);
  case FAM_FASTPATH: return pgw__fastpath_encode(m, w);
  case FAM_ANSWER:
  case FAM_NONE: break;
  }
  return PGW_ERR_INVALID_ARGUMENT;
}

/* A decoded DataRow (raw columns: the common case of a proxy or a
 * re-encode) is written in one go, n + 7 bytes at o, once its count and
 * size are known to be good; anything else takes the general path, which
 * also reports the errors (a count above 65535, a message over 1 GiB). */
static inline int raw_row_ok(const pgw_message *m) {
  const pgw_value_list *cols = &m->body.data_row.columns;
  return m->kind == PGW_MSG_DATA_ROW && cols->items == NULL &&
         cols->count <= 0xffffu && cols->raw.len <= PGW_MAX_MESSAGE_LEN - 6;
}

static inline void put_raw_row(uint8_t *o, const pgw_value_list *cols) {
  size_t n = cols->raw.len;
  uint32_t len = (uint32_t)n + 6;
  o[0] = 'D';
  o[1] = (uint8_t)(len >> 24);
  o[2] = (uint8_t)(len >> 16);
  o[3] = (uint8_t)(len >> 8);
  o[4] = (uint8_t)len;
  o[5] = (uint8_t)(cols->count >> 8);
  o[6] = (uint8_t)cols->count;
  if (n) memcpy(o + 7, cols->raw.ptr, n);
}

static int encode_into(const pgw_message *m, pgw_wr *w) {
  if (m == NULL || !kind_valid(m->kind) || m->kind == PGW_MSG_UNKNOWN)
    return PGW_ERR_INVALID_ARGUMENT;
  if (raw_row_ok(m) && w->len <= w->cap &&
      m->body.data_row.columns.raw.len + 7 <= w->cap - w->len) {
    put_raw_row(w->buf + w->len, &m->body.data_row.columns);
    w->len += m->body.data_row.columns.raw.len + 7;
    return 0;
  }
  const kind_info *k = &kinds[m->kind];
  if (k->family == FAM_ANSWER) {
    uint8_t a = m->body.encryption.answer;
    uint8_t yes = m->kind == PGW_MSG_SSL_RESPONSE ? 'S' : 'G';
    if (a != yes && a != 'N') return PGW_ERR_BAD_VALUE;
    pgw_wr_u8(w, a);
    return 0;
  }
  size_t start = w->len;
  if (k->type) pgw_wr_u8(w, k->type);
  size_t len_at = w->len;
  pgw_wr_u32(w, 0); /* patched below */
  int rc = encode_body(m, w);
  if (rc) return rc;
  size_t msg_len = w->len - len_at;
  if (k->family == FAM_STARTUP && msg_len > PGW_STARTUP_MAX_PAYLOAD + 4)
    return PGW_ERR_TOO_LARGE;
  if (msg_len > PGW_MAX_MESSAGE_LEN) return PGW_ERR_TOO_LARGE;
  if (w->len <= w->cap) {
    uint32_t v = (uint32_t)msg_len;
    w->buf[len_at] = (uint8_t)(v >> 24);
    w->buf[len_at + 1] = (uint8_t)(v >> 16);
    w->buf[len_at + 2] = (uint8_t)(v >> 8);
    w->buf[len_at + 3] = (uint8_t)v;
  }
  (void)start;
  return 0;
}

int pgw_message_encode(const pgw_message *m, uint8_t *buf, size_t cap,
                       size_t *len) {
  pgw_wr w;
  size_t dummy;
  if (len == NULL) len = &dummy;
  if (buf == NULL) cap = 0;
  w.buf = buf;
  w.len = 0;
  w.cap = cap;
  int rc = encode_into(m, &w);
  if (rc) {
    *len = 0;
    return rc;
  }
  *len = w.len;
  return w.len <= cap ? 0 : PGW_ERR_BUFFER_TOO_SMALL;
}

/* ---- growable buffer --------------------------------------------------- */

static void *default_malloc(size_t n, void *u) {
  (void)u;
  return malloc(n);
}
static void *default_realloc(void *p, size_t n, void *u) {
  (void)u;
  return realloc(p, n);
}
static void default_free(void *p, void *u) {
  (void)u;
  free(p);
}

void pgw__allocator_init(pgw_allocator *dst, const pgw_allocator *src) {
  if (src) {
    *dst = *src;
  } else {
    dst->malloc_fn = default_malloc;
    dst->realloc_fn = default_realloc;
    dst->free_fn = default_free;
    dst->user = NULL;
  }
}

void pgw_buf_init(pgw_buf *b, const pgw_allocator *alloc) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  pgw__allocator_init(&b->alloc, alloc);
}

void pgw_buf_clear(pgw_buf *b) {
  b->len = 0;
}

void pgw_buf_free(pgw_buf *b) {
  if (b->data) b->alloc.free_fn(b->data, b->alloc.user);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

int pgw_buf_reserve(pgw_buf *b, size_t extra) {
  if (extra <= b->cap - b->len) return 0;
  if (extra > SIZE_MAX / 2 - b->len) return PGW_ERR_NOMEM;
  size_t want = b->len + extra;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < want)
    cap *= 2;
  uint8_t *p = (uint8_t *)b->alloc.realloc_fn(b->data, cap, b->alloc.user);
  if (p == NULL) return PGW_ERR_NOMEM;
  b->data = p;
  b->cap = cap;
  return 0;
}

static PGW__NOINLINE int encode_buf_general(const pgw_message *m, pgw_buf *b) {
  pgw_wr w;
  w.buf = b->data ? b->data + b->len : NULL;
  w.len = 0;
  w.cap = b->cap - b->len;
  int rc = encode_into(m, &w);
  if (rc) return rc;
  if (w.len > w.cap) {
    rc = pgw_buf_reserve(b, w.len);
    if (rc) return rc;
    w.buf = b->data + b->len;
    w.len = 0;
    w.cap = b->cap - b->len;
    rc = encode_into(m, &w);
    if (rc) return rc;
  }
  b->len += w.len;
  return 0;
}

int pgw_message_encode_buf(const pgw_message *m, pgw_buf *b) {
  if (m != NULL && raw_row_ok(m) &&
      m->body.data_row.columns.raw.len + 7 <= b->cap - b->len) {
    uint8_t *o = b->data + b->len;
    b->len += m->body.data_row.columns.raw.len + 7;
    put_raw_row(o, &m->body.data_row.columns);
    return 0;
  }
  return encode_buf_general(m, b);
}
