/*
 * pgw/message.h - the messages layer: one struct per PostgreSQL protocol
 * message, strict zero-copy decode of a payload, exact encode into bytes.
 *
 * Also defines what every layer shares: status codes, error details, byte
 * and text views, the allocator hook and the growable output buffer.
 *
 * Views: every pointer in a decoded message points into the payload it was
 * decoded from. pgw never copies and never NUL-terminates. A view stays valid
 * exactly as long as those payload bytes stay valid and unchanged.
 *
 * To build a message to send, use the constructors of pgw/build.h
 * (pgw_msg_query(), ...); typed cursors and lookups are in pgw/read.h.
 */
#ifndef PGW_MESSAGE_H
#define PGW_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "pgw/rule.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PGW_VERSION_MAJOR 0
#define PGW_VERSION_MINOR 1
#define PGW_VERSION_PATCH 0
#define PGW_VERSION_STRING "0.1.0"
/* 0xMMmmpp: compare with >= in #if. */
#define PGW_VERSION_NUMBER                                                     \
  ((PGW_VERSION_MAJOR << 16) | (PGW_VERSION_MINOR << 8) | PGW_VERSION_PATCH)

/* Library version at run time (may differ from the header's). */
const char *pgw_version(void);

/* ---------------------------------------------------------------------- */
/* Protocol constants                                                      */

/* A protocol version as it appears in StartupMessage: major << 16 | minor. */
#define PGW_PROTOCOL(major, minor)                                             \
  ((uint32_t)(((uint32_t)(major) << 16) | (uint32_t)(minor)))
#define PGW_PROTOCOL_3_0 PGW_PROTOCOL(3, 0)
#define PGW_PROTOCOL_3_2 PGW_PROTOCOL(3, 2)
#define PGW_PROTOCOL_MAJOR(v) ((uint32_t)(v) >> 16)
#define PGW_PROTOCOL_MINOR(v) ((uint32_t)(v)&0xffffu)

/* Request codes in the version field of startup-framed packets. */
#define PGW_CANCEL_REQUEST_CODE PGW_PROTOCOL(1234, 5678)
#define PGW_SSL_REQUEST_CODE PGW_PROTOCOL(1234, 5679)
#define PGW_GSSENC_REQUEST_CODE PGW_PROTOCOL(1234, 5680)

/* PostgreSQL's limits. A startup packet's payload (after the length word)
 * holds at most 10000 bytes; no message may exceed 1 GiB - 1. */
#define PGW_STARTUP_MAX_PAYLOAD 10000u
#define PGW_MAX_MESSAGE_LEN 0x3fffffffu
/* Cancel keys: exactly 4 bytes in 3.0; 4 to 256 bytes in 3.2. */
#define PGW_CANCEL_KEY_MIN 4u
#define PGW_CANCEL_KEY_MAX 256u

/* Authentication request codes (Authentication message, 'R'). */
enum pgw_auth_code {
  PGW_AUTH_OK = 0,
  PGW_AUTH_KERBEROS_V5 = 2,
  PGW_AUTH_CLEARTEXT_PASSWORD = 3,
  PGW_AUTH_MD5_PASSWORD = 5,
  PGW_AUTH_GSS = 7,
  PGW_AUTH_GSS_CONTINUE = 8,
  PGW_AUTH_SSPI = 9,
  PGW_AUTH_SASL = 10,
  PGW_AUTH_SASL_CONTINUE = 11,
  PGW_AUTH_SASL_FINAL = 12
};

/* ---------------------------------------------------------------------- */
/* Status codes                                                            */

/*
 * Every function that can fail returns int: 0 on success, a positive
 * non-error status where documented, a negative PGW_ERR_* otherwise.
 */
enum pgw_status {
  PGW_OK = 0,
  /* Decoder: no whole message is available; feed more bytes. */
  PGW_NEED_MORE = 1,
  /* Decoder: the frontend opened with a TLS record (direct SSL); the bytes
   * from the reported offset on are TLS, not PostgreSQL protocol. */
  PGW_DIRECT_SSL = 2,

  /* API misuse: NULL where a pointer is required, a call out of order. */
  PGW_ERR_INVALID_ARGUMENT = -1,
  /* The allocator returned NULL. */
  PGW_ERR_NOMEM = -2,
  /* Encode: the caller's buffer is too small; the size needed is reported. */
  PGW_ERR_BUFFER_TOO_SMALL = -3,

  /* A field runs past the end of the payload. */
  PGW_ERR_TRUNCATED = -10,
  /* A length word is impossible: below its minimum, or not the fixed size
   * of a fixed-size message. */
  PGW_ERR_BAD_LENGTH = -11,
  /* A string lacks its NUL terminator, or a list lacks its final NUL. */
  PGW_ERR_NO_TERMINATOR = -12,
  /* Bytes remain after the last field of the message. */
  PGW_ERR_TRAILING_BYTES = -13,
  /* A count is negative, disagrees with the content, or with another count
   * (e.g. Bind with 2 format codes for 3 parameters). */
  PGW_ERR_BAD_COUNT = -14,
  /* Unknown message type byte for the direction and framing. */
  PGW_ERR_UNKNOWN_TYPE = -15,
  /* Unknown code inside a message: authentication code, request code,
   * SSL/GSS answer byte. */
  PGW_ERR_UNKNOWN_CODE = -16,
  /* The announced length exceeds the limit for this message. */
  PGW_ERR_TOO_LARGE = -17,
  /* Cancel key length is wrong for the protocol version. */
  PGW_ERR_BAD_KEY_LENGTH = -18,
  /* A value length is negative and not -1 (NULL). */
  PGW_ERR_NEGATIVE_LENGTH = -19,
  /* A field holds a value outside its domain: format code not 0/1,
   * transaction status not I/T/E, Close/Describe target not S/P, a NUL
   * inside a string being encoded. */
  PGW_ERR_BAD_VALUE = -20,
  /* StartupMessage with a major protocol version other than 3. */
  PGW_ERR_UNSUPPORTED_PROTOCOL = -21,
  /* A required field is absent: "user" in StartupMessage; S, C or M in
   * ErrorResponse and NoticeResponse. */
  PGW_ERR_MISSING_FIELD = -22,
  /* The stream ended inside a message. */
  PGW_ERR_END_OF_STREAM = -23,

  /* State: the message is not allowed in the current phase or order. */
  PGW_ERR_UNEXPECTED_MESSAGE = -30,
  /* State: the connection is over (Terminate, cancel sent, failed). */
  PGW_ERR_CONNECTION_CLOSED = -31
};

/* Name of a status code, e.g. "PGW_ERR_TRUNCATED"; never NULL. */
const char *pgw_strerror(int status);

/*
 * Details of a failure. reason is a static one-line string (never freed,
 * never NULL after a failure). offset is in bytes: from the start of the
 * payload for pgw_message_decode(), from the start of the stream for the
 * decoder and the connection.
 */
typedef struct pgw_error {
  int code;
  size_t offset;
  const char *reason;
  /* The rule the bytes broke (pgw/rule.h); NULL for failures that are no
   * protocol rule (allocation, API misuse, a bound the caller set). */
  const struct pgw_rule *rule;
} pgw_error;

/* ---------------------------------------------------------------------- */
/* Views                                                                   */

/* Text view: not NUL-terminated. */
typedef struct pgw_str {
  const char *ptr;
  size_t len;
} pgw_str;

/* Byte view. */
typedef struct pgw_bytes {
  const uint8_t *ptr;
  size_t len;
} pgw_bytes;

/* A parameter, column or argument value: len == -1 means SQL NULL (ptr is
 * then NULL), otherwise len >= 0 bytes at ptr. */
typedef struct pgw_value {
  const uint8_t *ptr;
  int32_t len;
} pgw_value;

/* pgw_str from a string literal or a NUL-terminated string. */
#define PGW_STR(s) (pgw_str_from_cstr(s))
pgw_str pgw_str_from_cstr(const char *s);

/* ---------------------------------------------------------------------- */
/* Lists                                                                   */

/*
 * Repeated parts of a message. A decoded list has count and raw (the items
 * exactly as on the wire) and items == NULL. To encode a list you build,
 * set count and items (an array of count elements) and leave raw empty; to
 * re-encode a decoded list, keep raw: it is copied unchanged.
 * Read either kind with the list's iterator or, for fixed-width items,
 * with the _get accessor.
 */
typedef struct pgw_i16_list { /* format codes */
  size_t count;
  pgw_bytes raw;
  const int16_t *items;
} pgw_i16_list;

typedef struct pgw_oid_list { /* type OIDs */
  size_t count;
  pgw_bytes raw;
  const uint32_t *items;
} pgw_oid_list;

typedef struct pgw_value_list { /* Bind parameters, DataRow columns, ... */
  size_t count;
  pgw_bytes raw;
  const pgw_value *items;
} pgw_value_list;

typedef struct pgw_str_list { /* SASL mechanisms, unrecognised options */
  size_t count;
  pgw_bytes raw;
  const pgw_str *items;
} pgw_str_list;

/* StartupMessage parameter. */
typedef struct pgw_param {
  pgw_str name;
  pgw_str value;
} pgw_param;

typedef struct pgw_param_list {
  size_t count;
  pgw_bytes raw;
  const pgw_param *items;
} pgw_param_list;

/* ErrorResponse / NoticeResponse field: code is the field type byte
 * ('S', 'V', 'C', 'M', 'D', 'H', 'P', 'p', 'q', 'W', 's', 't', 'c', 'd',
 * 'n', 'F', 'L', 'R'; unknown non-zero codes are allowed, as the
 * protocol requires frontends to ignore them). */
typedef struct pgw_notice_field {
  uint8_t code;
  pgw_str value;
} pgw_notice_field;

typedef struct pgw_notice_field_list {
  size_t count;
  pgw_bytes raw;
  const pgw_notice_field *items;
} pgw_notice_field_list;

/* RowDescription field. */
typedef struct pgw_column {
  pgw_str name;
  uint32_t table_oid;
  int16_t column_attnum;
  uint32_t type_oid;
  int16_t type_size;
  int32_t type_modifier;
  int16_t format;
} pgw_column;

typedef struct pgw_column_list {
  size_t count;
  pgw_bytes raw;
  const pgw_column *items;
} pgw_column_list;

/* Iterator over a list, obtained from the typed pgw_*_iter() function of
 * that list; it is a plain value, copy it freely. */
typedef struct pgw_iter {
  const uint8_t *pos;
  const uint8_t *end;
  const void *items;
  size_t index;
  size_t count;
} pgw_iter;

pgw_iter pgw_i16_iter(const pgw_i16_list *l);
pgw_iter pgw_oid_iter(const pgw_oid_list *l);
pgw_iter pgw_str_iter(const pgw_str_list *l);
pgw_iter pgw_param_iter(const pgw_param_list *l);
pgw_iter pgw_notice_field_iter(const pgw_notice_field_list *l);
pgw_iter pgw_column_iter(const pgw_column_list *l);

/* Next item: 1 and *out set, 0 at the end, PGW_ERR_TRUNCATED if raw bytes
 * of a list that was not produced by pgw_message_decode() run short. */
int pgw_i16_next(pgw_iter *it, int16_t *out);
int pgw_oid_next(pgw_iter *it, uint32_t *out);
int pgw_str_next(pgw_iter *it, pgw_str *out);
int pgw_param_next(pgw_iter *it, pgw_param *out);
int pgw_notice_field_next(pgw_iter *it, pgw_notice_field *out);
int pgw_column_next(pgw_iter *it, pgw_column *out);

/*
 * DataRow columns and parameters are read once per value on every result
 * row, so their iterator is inline (C99 inline definitions; lists.c emits
 * the external definitions, so the symbols exist for FFI and dlsym).
 */
inline pgw_iter pgw_value_iter(const pgw_value_list *l) {
  pgw_iter it;
  it.pos = l->raw.ptr;
  it.end = l->raw.ptr ? l->raw.ptr + l->raw.len : NULL;
  it.items = l->items;
  it.index = 0;
  it.count = l->count;
  return it;
}

inline int pgw_value_next(pgw_iter *it, pgw_value *out) {
  if (it->index >= it->count) return 0;
  if (it->items) {
    *out = ((const pgw_value *)it->items)[it->index++];
    return 1;
  }
  const uint8_t *p = it->pos;
  size_t left = (size_t)(it->end - p);
  if (left < 4) return PGW_ERR_TRUNCATED;
  uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                 (uint32_t)p[2] << 8 | (uint32_t)p[3];
  if (len == 0xffffffffu) {
    out->ptr = NULL;
    out->len = -1;
    it->pos = p + 4;
  } else {
    if (len > 0x7fffffffu || left - 4 < len) return PGW_ERR_TRUNCATED;
    out->ptr = p + 4;
    out->len = (int32_t)len;
    it->pos = p + 4 + len;
  }
  it->index++;
  return 1;
}

/* Item i (< count) of a fixed-width list, decoded or built. */
int16_t pgw_i16_get(const pgw_i16_list *l, size_t i);
uint32_t pgw_oid_get(const pgw_oid_list *l, size_t i);

/* ---------------------------------------------------------------------- */
/* Message kinds                                                           */

typedef enum pgw_dir {
  PGW_FRONTEND = 0, /* bytes sent by the client */
  PGW_BACKEND = 1   /* bytes sent by the server */
} pgw_dir;

typedef enum pgw_kind {
  PGW_MSG_UNKNOWN = 0, /* lenient mode only: an unrecognised type byte */

  /* frontend, startup framing (no type byte) */
  PGW_MSG_STARTUP_MESSAGE,
  PGW_MSG_SSL_REQUEST,
  PGW_MSG_GSSENC_REQUEST,
  PGW_MSG_CANCEL_REQUEST,
  /* backend, one-byte answers */
  PGW_MSG_SSL_RESPONSE,
  PGW_MSG_GSSENC_RESPONSE,

  /* frontend */
  PGW_MSG_BIND,                  /* 'B' */
  PGW_MSG_CLOSE,                 /* 'C' */
  PGW_MSG_COPY_FAIL,             /* 'f' */
  PGW_MSG_DESCRIBE,              /* 'D' */
  PGW_MSG_EXECUTE,               /* 'E' */
  PGW_MSG_FLUSH,                 /* 'H' */
  PGW_MSG_FUNCTION_CALL,         /* 'F' */
  PGW_MSG_GSS_RESPONSE,          /* 'p' after AuthenticationGSS/SSPI */
  PGW_MSG_PARSE,                 /* 'P' */
  PGW_MSG_PASSWORD_MESSAGE,      /* 'p' after Cleartext/MD5 request */
  PGW_MSG_QUERY,                 /* 'Q' */
  PGW_MSG_SASL_INITIAL_RESPONSE, /* 'p' after AuthenticationSASL */
  PGW_MSG_SASL_RESPONSE,         /* 'p' after AuthenticationSASLContinue */
  PGW_MSG_SYNC,                  /* 'S' */
  PGW_MSG_TERMINATE,             /* 'X' */

  /* both directions */
  PGW_MSG_COPY_DATA, /* 'd' */
  PGW_MSG_COPY_DONE, /* 'c' */

  /* backend */
  PGW_MSG_AUTHENTICATION,             /* 'R', every subtype */
  PGW_MSG_BACKEND_KEY_DATA,           /* 'K' */
  PGW_MSG_BIND_COMPLETE,              /* '2' */
  PGW_MSG_CLOSE_COMPLETE,             /* '3' */
  PGW_MSG_COMMAND_COMPLETE,           /* 'C' */
  PGW_MSG_COPY_IN_RESPONSE,           /* 'G' */
  PGW_MSG_COPY_OUT_RESPONSE,          /* 'H' */
  PGW_MSG_COPY_BOTH_RESPONSE,         /* 'W' */
  PGW_MSG_DATA_ROW,                   /* 'D' */
  PGW_MSG_EMPTY_QUERY_RESPONSE,       /* 'I' */
  PGW_MSG_ERROR_RESPONSE,             /* 'E' */
  PGW_MSG_FUNCTION_CALL_RESPONSE,     /* 'V' */
  PGW_MSG_NEGOTIATE_PROTOCOL_VERSION, /* 'v' */
  PGW_MSG_NO_DATA,                    /* 'n' */
  PGW_MSG_NOTICE_RESPONSE,            /* 'N' */
  PGW_MSG_NOTIFICATION_RESPONSE,      /* 'A' */
  PGW_MSG_PARAMETER_DESCRIPTION,      /* 't' */
  PGW_MSG_PARAMETER_STATUS,           /* 'S' */
  PGW_MSG_PARSE_COMPLETE,             /* '1' */
  PGW_MSG_PORTAL_SUSPENDED,           /* 's' */
  PGW_MSG_READY_FOR_QUERY,            /* 'Z' */
  PGW_MSG_ROW_DESCRIPTION,            /* 'T' */

  PGW_MSG_KIND_COUNT
} pgw_kind;

/*
 * Kind of a standard-framed message from its direction and type byte;
 * PGW_MSG_UNKNOWN if the byte is not a message of that direction. Every
 * frontend 'p' maps to PGW_MSG_PASSWORD_MESSAGE: which 'p' it really is
 * depends on the authentication exchange (the state layer knows).
 */
pgw_kind pgw_kind_of(pgw_dir dir, uint8_t type);

/* Type byte of a kind (0 for startup-framed kinds; 'S'/'N' style answers
 * take theirs from the message). */
uint8_t pgw_kind_type(pgw_kind kind);

/* Name as the PostgreSQL documentation spells it, e.g. "DataRow". */
const char *pgw_kind_name(pgw_kind kind);

/* Which direction sends this kind; COPY_DATA and COPY_DONE go both ways
 * (returns -1 for them and for PGW_MSG_UNKNOWN). */
int pgw_kind_dir(pgw_kind kind);

/* ---------------------------------------------------------------------- */
/* Message bodies                                                          */

typedef struct pgw_startup_message {
  uint32_t protocol;     /* major 3, any minor (3.9999 greasing included) */
  pgw_param_list params; /* "_pq_." options are ordinary parameters */
} pgw_startup_message;

typedef struct pgw_cancel_request {
  int32_t pid;
  pgw_bytes key; /* 4 bytes in 3.0, 4..256 in 3.2 */
} pgw_cancel_request;

/* SSLResponse ('S' or 'N') and GSSENCResponse ('G' or 'N'). */
typedef struct pgw_encryption_response {
  uint8_t answer;
} pgw_encryption_response;

typedef struct pgw_bind {
  pgw_str portal;
  pgw_str statement;
  pgw_i16_list param_formats; /* 0, 1 or params.count entries, each 0/1 */
  pgw_value_list params;
  pgw_i16_list result_formats; /* each 0/1 */
} pgw_bind;

/* Close and Describe: target 'S' (statement) or 'P' (portal). */
typedef struct pgw_close_describe {
  uint8_t target;
  pgw_str name;
} pgw_close_describe;

typedef struct pgw_execute {
  pgw_str portal;
  int32_t max_rows; /* 0: no limit */
} pgw_execute;

typedef struct pgw_function_call {
  uint32_t function_oid;
  pgw_i16_list arg_formats; /* 0, 1 or args.count entries */
  pgw_value_list args;
  int16_t result_format;
} pgw_function_call;

typedef struct pgw_parse {
  pgw_str statement;
  pgw_str query;
  pgw_oid_list param_types;
} pgw_parse;

/* Query, PasswordMessage, CopyFail, CommandComplete: one string. */
typedef struct pgw_text {
  pgw_str text;
} pgw_text;

typedef struct pgw_sasl_initial_response {
  pgw_str mechanism;
  pgw_value data; /* len -1: no initial response */
} pgw_sasl_initial_response;

/* CopyData, GSSResponse, SASLResponse: opaque bytes (the whole payload). */
typedef struct pgw_data {
  pgw_bytes data;
} pgw_data;

typedef struct pgw_authentication {
  int32_t code;            /* enum pgw_auth_code */
  uint8_t salt[4];         /* PGW_AUTH_MD5_PASSWORD */
  pgw_bytes data;          /* GSS_CONTINUE, SASL_CONTINUE, SASL_FINAL */
  pgw_str_list mechanisms; /* PGW_AUTH_SASL */
} pgw_authentication;

typedef struct pgw_backend_key_data {
  int32_t pid;
  pgw_bytes key; /* 4 bytes in 3.0, 4..256 in 3.2 */
} pgw_backend_key_data;

/* CopyInResponse, CopyOutResponse, CopyBothResponse. */
typedef struct pgw_copy_response {
  int8_t format;        /* 0 text, 1 binary */
  pgw_i16_list columns; /* per-column formats; all 0 if format is 0 */
} pgw_copy_response;

typedef struct pgw_data_row {
  pgw_value_list columns;
} pgw_data_row;

/* ErrorResponse and NoticeResponse. */
typedef struct pgw_notice {
  pgw_notice_field_list fields;
} pgw_notice;

typedef struct pgw_function_call_response {
  pgw_value result; /* len -1: NULL */
} pgw_function_call_response;

typedef struct pgw_negotiate_protocol_version {
  /* The documentation calls it the newest minor version; servers send
   * and libpq reads the whole version (major << 16 | minor): 0x00030000
   * from PostgreSQL 15, 0x00030002 from 18. Major must be 3. */
  uint32_t newest_version;
  pgw_str_list unrecognized; /* options the server did not recognise */
} pgw_negotiate_protocol_version;

typedef struct pgw_notification {
  int32_t pid;
  pgw_str channel;
  pgw_str payload;
} pgw_notification;

typedef struct pgw_parameter_description {
  pgw_oid_list types;
} pgw_parameter_description;

typedef struct pgw_parameter_status {
  pgw_str name;
  pgw_str value;
} pgw_parameter_status;

typedef struct pgw_ready_for_query {
  uint8_t status; /* 'I' idle, 'T' in transaction, 'E' failed transaction */
} pgw_ready_for_query;

typedef struct pgw_row_description {
  pgw_column_list columns;
} pgw_row_description;

/*
 * One message: its kind, where it came from, and its body. Kinds without
 * fields (Sync, Flush, Terminate, CopyDone, SSLRequest, GSSENCRequest,
 * BindComplete, CloseComplete, ParseComplete, NoData, PortalSuspended,
 * EmptyQueryResponse) use no body member.
 */
typedef struct pgw_message {
  pgw_kind kind;
  uint8_t type;      /* type byte on the wire; 0 for startup-framed */
  size_t offset;     /* decoder: offset of the first byte in its stream */
  size_t wire_len;   /* bytes on the wire, type byte and length included */
  pgw_bytes payload; /* bytes after the length word (startup: after the
                        length word, so beginning with the version/code) */
  int malformed;     /* reference and lenient decoders: the error the body
                        failed with, else 0. The body is then zeroed, but
                        for a code out of its domain (PGW_ERR_BAD_VALUE in
                        Bind, FunctionCall, RowDescription, Copy*Response,
                        ReadyForQuery) or a missing S/C/M field
                        (PGW_ERR_MISSING_FIELD in Error/NoticeResponse):
                        those bodies are complete */
  union {
    pgw_startup_message startup;            /* STARTUP_MESSAGE */
    pgw_cancel_request cancel;              /* CANCEL_REQUEST */
    pgw_encryption_response encryption;     /* SSL_RESPONSE, GSSENC_RESPONSE */
    pgw_bind bind;                          /* BIND */
    pgw_close_describe close;               /* CLOSE */
    pgw_close_describe describe;            /* DESCRIBE */
    pgw_execute execute;                    /* EXECUTE */
    pgw_function_call function_call;        /* FUNCTION_CALL */
    pgw_parse parse;                        /* PARSE */
    pgw_text query;                         /* QUERY */
    pgw_text password;                      /* PASSWORD_MESSAGE */
    pgw_text copy_fail;                     /* COPY_FAIL */
    pgw_text command_complete;              /* COMMAND_COMPLETE */
    pgw_sasl_initial_response sasl_initial; /* SASL_INITIAL_RESPONSE */
    pgw_data sasl_response;                 /* SASL_RESPONSE */
    pgw_data gss_response;                  /* GSS_RESPONSE */
    pgw_data copy_data;                     /* COPY_DATA */
    pgw_authentication auth;                /* AUTHENTICATION */
    pgw_backend_key_data backend_key;       /* BACKEND_KEY_DATA */
    pgw_copy_response copy_response;        /* COPY_{IN,OUT,BOTH}_RESPONSE */
    pgw_data_row data_row;                  /* DATA_ROW */
    pgw_notice error;                       /* ERROR_RESPONSE */
    pgw_notice notice;                      /* NOTICE_RESPONSE */
    pgw_function_call_response function_result; /* FUNCTION_CALL_RESPONSE */
    pgw_negotiate_protocol_version negotiate;   /* NEGOTIATE_PROTOCOL_VERSION */
    pgw_notification notification;              /* NOTIFICATION_RESPONSE */
    pgw_parameter_description parameter_description; /* PARAMETER_DESCRIPTION */
    pgw_parameter_status parameter_status;           /* PARAMETER_STATUS */
    pgw_ready_for_query ready;                       /* READY_FOR_QUERY */
    pgw_row_description row_description;             /* ROW_DESCRIPTION */
  } body;
} pgw_message;

/*
 * Full name of a message, refining its kind: Authentication subtypes
 * ("AuthenticationMD5Password", ...), "SSLResponse"/"GSSENCResponse".
 */
const char *pgw_message_name(const pgw_message *m);

/*
 * Strictly decode the payload of one message of the given kind into *out
 * (kind, type, payload and body are set; offset and wire_len are left 0).
 * protocol is the negotiated version, which decides cancel key lengths;
 * pass 0 when unknown (then 4..256 bytes are accepted).
 * Views in *out point into payload. Returns 0, or a PGW_ERR_* with *err
 * (may be NULL) holding the payload offset and reason.
 */
int pgw_message_decode(pgw_kind kind, const uint8_t *payload, size_t len,
                       uint32_t protocol, pgw_message *out, pgw_error *err);

/*
 * Encode m (its kind and body; the one-byte answers from
 * body.encryption.answer) into
 * buf[0..cap). On success returns 0 and *len = bytes written. If cap is too
 * small returns PGW_ERR_BUFFER_TOO_SMALL and *len = bytes needed (so a call
 * with buf NULL and cap 0 is a size query). Returns PGW_ERR_BAD_VALUE for a
 * string holding a NUL, PGW_ERR_BAD_COUNT for a list over 65535 items,
 * PGW_ERR_TOO_LARGE past PGW_MAX_MESSAGE_LEN, PGW_ERR_BAD_KEY_LENGTH for a
 * cancel key outside 4..256 bytes, PGW_ERR_MISSING_FIELD for an Error or
 * NoticeResponse without S, C and M, PGW_ERR_BAD_VALUE for a format code,
 * status or target byte outside its domain or a CancelRequest for process
 * ID 0 with a key other than 4 bytes (no server version takes it),
 * PGW_ERR_BAD_COUNT for an AuthenticationSASL offering no
 * mechanism. Decoded messages re-encode
 * byte-exactly.
 */
int pgw_message_encode(const pgw_message *m, uint8_t *buf, size_t cap,
                       size_t *len);

/* ---------------------------------------------------------------------- */
/* Memory                                                                  */

/*
 * Allocator hook. All three functions are required; user is passed back.
 * Objects that take a const pgw_allocator * copy it; NULL means the C
 * library's malloc/realloc/free.
 */
typedef struct pgw_allocator {
  void *(*malloc_fn)(size_t size, void *user);
  void *(*realloc_fn)(void *ptr, size_t size, void *user);
  void (*free_fn)(void *ptr, void *user);
  void *user;
} pgw_allocator;

/* Growable output buffer. data[0..len) is valid until the next call that
 * appends, or pgw_buf_free(). Capacity is kept across pgw_buf_clear(), so
 * steady-state encoding does not allocate. */
typedef struct pgw_buf {
  uint8_t *data;
  size_t len;
  size_t cap;
  pgw_allocator alloc;
} pgw_buf;

void pgw_buf_init(pgw_buf *b, const pgw_allocator *alloc);
void pgw_buf_clear(pgw_buf *b);
void pgw_buf_free(pgw_buf *b);
/* Make room for at least extra more bytes. 0 or PGW_ERR_NOMEM. */
int pgw_buf_reserve(pgw_buf *b, size_t extra);

/* Append the encoding of m to b. Errors as pgw_message_encode(), plus
 * PGW_ERR_NOMEM; on error b is unchanged. */
int pgw_message_encode_buf(const pgw_message *m, pgw_buf *b);

#ifdef __cplusplus
}
#endif

#endif /* PGW_MESSAGE_H */
