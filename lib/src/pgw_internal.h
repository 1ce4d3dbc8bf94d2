/*
 * pgw_internal.h - internal: the interface between message.c (dispatch,
 * framing of encoded messages) and the message family files, plus the list
 * readers and writers they share (lists.c). Not installed.
 *
 * A family decoder reads the payload of one message of a kind it owns and
 * fills m->body; it must consume the whole payload (pgw_rd_end) and report
 * every failure through the reader. A family encoder writes the payload
 * only (message.c writes the type byte and length word and patches the
 * length); for startup-framed kinds the payload begins with the
 * version/request code.
 */
#ifndef PGW_INTERNAL_H
#define PGW_INTERNAL_H

#include "pgw/decoder.h"
#include "pgw/message.h"
#include "pgw/state.h"
#include "pgw_wire.h"

/* startup.c: STARTUP_MESSAGE, SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST */
int pgw__startup_decode(pgw_kind kind, pgw_rd *r, uint32_t protocol,
                        pgw_message *m);
int pgw__startup_encode(const pgw_message *m, pgw_wr *w);

/* auth.c: AUTHENTICATION, PASSWORD_MESSAGE, SASL_INITIAL_RESPONSE,
 * SASL_RESPONSE, GSS_RESPONSE, BACKEND_KEY_DATA,
 * NEGOTIATE_PROTOCOL_VERSION */
int pgw__auth_decode(pgw_kind kind, pgw_rd *r, uint32_t protocol,
                     pgw_message *m);
int pgw__auth_encode(const pgw_message *m, pgw_wr *w);

/* query.c: QUERY, COMMAND_COMPLETE, READY_FOR_QUERY, ROW_DESCRIPTION,
 * DATA_ROW */
int pgw__query_decode(pgw_kind kind, pgw_rd *r, pgw_message *m);

/* message.c: type byte -> kind for standard framing, indexed
 * [dir == PGW_BACKEND][type]; PGW__TYPE_LONG marks the types whose only
 * limit is the 1 GiB ceiling (PostgreSQL's and libpq's long messages). */
#define PGW__TYPE_LONG 0x80
extern const uint8_t pgw__type_kinds[2][256];

/* pgw_message_decode() without the argument checks (message.c). */
int pgw__decode_payload(pgw_kind kind, const uint8_t *payload, size_t len,
                        uint32_t protocol, pgw_message *out, pgw_error *err);
int pgw__query_encode(const pgw_message *m, pgw_wr *w);

/* extended.c: PARSE, BIND, DESCRIBE, EXECUTE, CLOSE, PARAMETER_DESCRIPTION */
int pgw__extended_decode(pgw_kind kind, pgw_rd *r, pgw_message *m);
int pgw__extended_encode(const pgw_message *m, pgw_wr *w);

/* copy.c: COPY_DATA, COPY_FAIL, COPY_IN/OUT/BOTH_RESPONSE */
int pgw__copy_decode(pgw_kind kind, pgw_rd *r, pgw_message *m);
int pgw__copy_encode(const pgw_message *m, pgw_wr *w);

/* async.c: ERROR_RESPONSE, NOTICE_RESPONSE, NOTIFICATION_RESPONSE,
 * PARAMETER_STATUS */
int pgw__async_decode(pgw_kind kind, pgw_rd *r, pgw_message *m);
int pgw__async_encode(const pgw_message *m, pgw_wr *w);

/* fastpath.c: FUNCTION_CALL, FUNCTION_CALL_RESPONSE */
int pgw__fastpath_decode(pgw_kind kind, pgw_rd *r, pgw_message *m);
int pgw__fastpath_encode(const pgw_message *m, pgw_wr *w);

/* Kinds with an empty payload (Sync, Flush, Terminate, CopyDone,
 * BindComplete, CloseComplete, ParseComplete, NoData, PortalSuspended,
 * EmptyQueryResponse) and the one-byte answers are handled in message.c. */

/* ---- lists.c: readers. count is the count read from the wire. ---- */

/* count Int16 format codes; with check_format, each must be 0 or 1
 * (PGW_ERR_BAD_VALUE). */
int pgw__rd_i16_list(pgw_rd *r, size_t count, int check_format,
                     pgw_i16_list *out, const char *what);
/* A body that failed with code is still complete: only a code is out of
 * its domain, or a required field is missing, checked after the structure
 * (Bind, FunctionCall, RowDescription, Copy*Response, ReadyForQuery,
 * ErrorResponse, NoticeResponse). */
static inline int pgw__body_complete(pgw_kind kind, int code) {
  switch (kind) {
  case PGW_MSG_BIND:
  case PGW_MSG_FUNCTION_CALL:
  case PGW_MSG_ROW_DESCRIPTION:
  case PGW_MSG_COPY_IN_RESPONSE:
  case PGW_MSG_COPY_OUT_RESPONSE:
  case PGW_MSG_COPY_BOTH_RESPONSE:
  case PGW_MSG_READY_FOR_QUERY: return code == PGW_ERR_BAD_VALUE;
  case PGW_MSG_DATA_ROW: return code == PGW_ERR_NEGATIVE_LENGTH;
  case PGW_MSG_ERROR_RESPONSE:
  case PGW_MSG_NOTICE_RESPONSE: return code == PGW_ERR_MISSING_FIELD;
  default: return 0;
  }
}

/* The first format code that is not 0 or 1 (in the raw bytes, or in the
 * caller's items), or NULL. */
const void *pgw__bad_format(const pgw_i16_list *l);
/* count Int32 OIDs. */
int pgw__rd_oid_list(pgw_rd *r, size_t count, pgw_oid_list *out,
                     const char *what);
/* count values, each Int32 length (-1 NULL; < -1 PGW_ERR_NEGATIVE_LENGTH)
 * and bytes. */
int pgw__rd_value_list(pgw_rd *r, size_t count, pgw_value_list *out,
                       const char *what);
/* One value (Int32 length + bytes). */
int pgw__rd_value(pgw_rd *r, pgw_value *out, const char *what);
/* count NUL-terminated strings. */
int pgw__rd_str_list_counted(pgw_rd *r, size_t count, pgw_str_list *out,
                             const char *what);
/* Strings up to an empty one (the terminator, consumed). */
int pgw__rd_str_list_terminated(pgw_rd *r, pgw_str_list *out, const char *what);

/* ---- lists.c: writers. Each writes the items only, not the count. ---- */
int pgw__wr_i16_list(pgw_wr *w, const pgw_i16_list *l);
int pgw__wr_oid_list(pgw_wr *w, const pgw_oid_list *l);
int pgw__wr_value_list(pgw_wr *w, const pgw_value_list *l);
void pgw__wr_value(pgw_wr *w, pgw_value v);
/* Strings each with NUL (terminator not included). */
int pgw__wr_str_list(pgw_wr *w, const pgw_str_list *l);

/* Check a raw region of NUL-terminated strings before it is copied out:
 * items of per_item strings each (the list's own terminator excluded),
 * exactly count of them. With first_nonempty the first string of an item
 * may not be empty (it would end the list). 0, PGW_ERR_NO_TERMINATOR,
 * PGW_ERR_BAD_VALUE, PGW_ERR_BAD_COUNT, or PGW_ERR_INVALID_ARGUMENT for a
 * NULL region that claims bytes or items. */
int pgw__check_raw_strs(pgw_bytes raw, size_t count, size_t per_item,
                        int first_nonempty);

/* state.c: 1 for the backend contexts (pgw_state.bctx) in which rows are
 * due (after RowDescription in a Query, during an Execute): a DataRow
 * there matches RE(DATA_ROW, E_NONE) and changes nothing, so conn.c may
 * accept it without the table. */
extern const uint8_t pgw__rows_due_ctx[];
static inline int pgw__state_rows_due(const pgw_state *s) {
  return pgw__rows_due_ctx[s->bctx];
}

/* decoder.c: at the switch to TLS after an SSL/GSS answer, part of a
 * plaintext message buffered means injected bytes (CVE-2021-23214/23222):
 * returns 1 with *e describing it (rule negotiation.nothing-before-tls),
 * else 0. */
int pgw__decoder_injected(pgw_decoder *d, pgw_error *e);

/* state.c: tell d, the decoder of dir's bytes, what s expects next from
 * dir (framing, answer kind, protocol, password kind). */
struct pgw_state;
void pgw__sync_decoder(pgw_decoder *d, const struct pgw_state *s, pgw_dir dir);

/* Copy *src, or the C library's functions when src is NULL. */
void pgw__allocator_init(pgw_allocator *dst, const pgw_allocator *src);

/* Record an error with offset and reason into *err; returns code. */
static inline int pgw__fail(pgw_error *err, int code, size_t offset,
                            const char *reason) {
  if (err) {
    err->code = code;
    err->offset = offset;
    err->reason = reason;
    err->rule = NULL;
  }
  return code;
}

#if defined(__GNUC__)
#define PGW__NOINLINE __attribute__((noinline))
#define PGW__LIKELY(x) __builtin_expect(!!(x), 1)
#define PGW__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define PGW__NOINLINE
#define PGW__LIKELY(x) (x)
#define PGW__UNLIKELY(x) (x)
#endif

/* A backend decoder in standard framing: dir and framing are adjacent
 * enums, compared at once. */
static const struct {
  pgw_dir dir;
  pgw_framing framing;
} pgw__backend_standard = {PGW_BACKEND, PGW_FRAMING_STANDARD};
_Static_assert(offsetof(pgw_decoder, framing) ==
                       offsetof(pgw_decoder, dir) + sizeof(pgw_dir) &&
                   sizeof pgw__backend_standard == 2 * sizeof(pgw_dir) &&
                   sizeof(pgw_framing) == sizeof(pgw_dir),
               "pgw_decoder begins with dir and framing");

/*
 * The decoder's fast path (decoder.c; conn.c inlines it too): a DataRow
 * that sits whole in the chunk, in standard framing, with nothing
 * pending, the message of every result row. Returns 1 with *m filled in
 * and the message consumed, or 0 with the decoder unchanged: then
 * pgw_decoder_next()'s general path decodes the message again and
 * reports any error with its exact code, offset and reason. It accepts
 * exactly what the general path accepts: type 'D' from the backend
 * (DataRow is a long type, so max_len is its only limit, strict or
 * lenient), length word >= 6 (4 + the column count), every column length
 * -1 or within the message, and nothing after the last column. Written
 * to need few registers (a leaf without saved registers under gcc -O2).
 */
static inline int pgw__decoder_row(pgw_decoder *d, pgw_message *m) {
  const size_t pos = d->chunk_pos;
  const size_t avail = d->chunk_len - pos;
  if (memcmp((const unsigned char *)d + offsetof(pgw_decoder, dir),
             &pgw__backend_standard, sizeof pgw__backend_standard) != 0 ||
      ((size_t)(unsigned)d->status | d->head_len | d->msg_len) != 0 ||
      avail < 7)
    return 0;
  const uint8_t *const p = d->chunk + pos;
  if (p[0] != 'D') return 0;
  const size_t total = (size_t)pgw_load32(p + 1) + 1;
  /* Length word >= 6 and total <= avail in one test: for a length word
   * below 6, total - 7 wraps to at least SIZE_MAX - 5. */
  if (total - 7 > avail - 7 || total > d->max_len) return 0;
  size_t n = pgw_load16(p + 5);
  /* The message is taken and filled in before its columns are checked
   * (if they fail, it is given back), so that only the column walk's few
   * values are live in the loop. */
  d->chunk_pos = pos + total;
  m->kind = PGW_MSG_DATA_ROW;
  m->type = 'D';
  m->offset = d->chunk_offset + pos;
  m->wire_len = total;
  m->payload.ptr = p + 5;
  m->payload.len = total - 5;
  m->malformed = 0;
  m->body.data_row.columns.count = n;
  m->body.data_row.columns.raw.ptr = p + 7;
  m->body.data_row.columns.raw.len = total - 7;
  m->body.data_row.columns.items = NULL;
  const uint8_t *q = p + 7;
  size_t left = total - 7;     /* bytes after q, < 1 GiB */
  if (PGW__UNLIKELY(n != 1)) { /* one column (ids, count(*)) runs straight */
    if (n == 0) {
      if (left == 0) return 1;
      goto give_back;
    }
    /* Every column but the last: a length that fits (as left < 1 GiB,
     * this also rejects the negative lengths) or -1. */
    do {
      if (left < 4) goto give_back;
      uint32_t vlen = pgw_load32(q);
      q += 4;
      left -= 4;
      if (PGW__LIKELY((size_t)vlen <= left)) {
        q += vlen;
        left -= vlen;
      } else if (vlen != 0xffffffffu) {
        goto give_back;
      }
    } while (--n > 1);
  }
  /* The last column must end exactly at the end of the message. */
  if (left < 4) goto give_back;
  uint32_t vlen = pgw_load32(q);
  left -= 4;
  if (PGW__LIKELY((size_t)vlen == left)) return 1;
  if (vlen == 0xffffffffu && left == 0) return 1;
give_back:
  d->chunk_pos = pos;
  return 0;
}

/* DataRow straight from its payload (the hot path, inlined into the
 * decoder's fast path); sets all of *out on success. A length below -1
 * (documented level: libpq reads it as an empty value) is reported last,
 * at its offset, with *out set: every other check has passed. */
static inline int pgw__data_row_decode(const uint8_t *payload, size_t len,
                                       pgw_data_row *out, pgw_error *err) {
  const uint8_t *p = payload;
  const uint8_t *const end = payload + len;
  const char *why;
  int code;
  if (len < 2) {
    code = PGW_ERR_TRUNCATED;
    why = "DataRow: column count is cut short";
    goto fail;
  }
  const unsigned count = pgw_load16(p);
  p += 2;
  const uint8_t *const start = p;
  const uint8_t *negative = NULL;
  for (unsigned n = count; n != 0; n--) {
    size_t left = (size_t)(end - p);
    if (left < 4) {
      code = left == 0 ? PGW_ERR_BAD_COUNT : PGW_ERR_TRUNCATED;
      why = left == 0 ? "DataRow: fewer columns than the column count"
                      : "DataRow: column length is cut short";
      goto fail;
    }
    uint32_t vlen = pgw_load32(p);
    if (vlen < 0x80000000u && vlen <= left - 4) {
      p += 4 + (size_t)vlen;
      continue;
    }
    if (vlen == 0xffffffffu) {
      p += 4;
      continue;
    }
    if (vlen >= 0x80000000u) {
      if (negative == NULL) negative = p;
      p += 4;
      continue;
    }
    p += 4;
    code = PGW_ERR_TRUNCATED;
    why = "DataRow: column value runs past the end";
    goto fail;
  }
  if (p != end) {
    code = PGW_ERR_TRAILING_BYTES;
    why = "DataRow: bytes after the last column";
    goto fail;
  }
  out->columns.count = count;
  out->columns.raw.ptr = start;
  out->columns.raw.len = (size_t)(p - start);
  out->columns.items = NULL;
  if (PGW__UNLIKELY(negative != NULL)) {
    p = negative;
    code = PGW_ERR_NEGATIVE_LENGTH;
    why = "DataRow: column length is negative and not -1";
    goto fail;
  }
  return 0;
fail:
  err->code = code;
  err->offset = (size_t)(p - payload);
  err->reason = why;
  return code;
}

#endif /* PGW_INTERNAL_H */
