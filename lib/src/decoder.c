/*
 * decoder.c - incremental framing of one direction's byte stream.
 *
 * Fast path: a message that sits whole in the fed chunk is decoded in place
 * (zero copy). Slow path: the header of a split message is gathered in
 * d->head (at most 5 bytes, no allocation), its length is checked against
 * the limits, and only then is the reassembly buffer sized for it.
 */
#include "pgw_internal.h"
#include "pgw_rules.h"

/* PostgreSQL's per-message limits on the length word (which counts itself
 * but not the type byte; pqcomm.c pq_getmessage compares it directly):
 * the server reads "small" frontend messages with PQ_SMALL_MESSAGE_LIMIT,
 * authentication tokens with PG_MAX_AUTH_TOKEN_LENGTH; libpq treats a
 * backend length word over 30000 as sync loss unless the type may be
 * long (fe-protocol3.c, VALID_LONG_MESSAGE_TYPE). */
#define PQ_SMALL_MESSAGE_LIMIT 10000u
#define PG_MAX_AUTH_TOKEN_LENGTH 65535u
#define LIBPQ_SHORT_MESSAGE_LIMIT 30000u

size_t pgw_message_limit(pgw_dir dir, pgw_framing framing, uint8_t type) {
  if (framing == PGW_FRAMING_STARTUP) return PGW_STARTUP_MAX_PAYLOAD + 4;
  if (framing == PGW_FRAMING_NEGOTIATION && type != 'E') return 1;
  if (dir == PGW_FRONTEND && type == 'p') return PG_MAX_AUTH_TOKEN_LENGTH + 1;
  if (pgw__type_kinds[dir == PGW_BACKEND][type] & PGW__TYPE_LONG)
    return (size_t)PGW_MAX_MESSAGE_LEN;
  return dir == PGW_FRONTEND ? PQ_SMALL_MESSAGE_LIMIT + 1
                             : LIBPQ_SHORT_MESSAGE_LIMIT + 1;
}

/* A frontend stream judged as PostgreSQL 13 reads it: no per-type limits
 * (pgw's own 1 GiB bound is then no PostgreSQL rule). */
static int old_limits(const pgw_decoder *d) {
  return d->dir == PGW_FRONTEND && d->server_version != 0 &&
         d->server_version < 14;
}

/* PostgreSQL 13 read typed messages without a limit (pq_getmessage(.., 0),
 * before PQ_SMALL/LARGE_MESSAGE_LIMIT came in 14) and a PasswordMessage
 * under 1000 bytes (auth.c recv_password_packet). */
#define PG13_PASSWORD_LIMIT 1000u

static size_t limit_for(const pgw_decoder *d, pgw_framing f, uint8_t type) {
  if (old_limits(d)) {
    if (type == 'p' && d->password_kind == PGW_MSG_PASSWORD_MESSAGE)
      return PG13_PASSWORD_LIMIT + 1;
    if (type != 'p') return PGW_MAX_MESSAGE_LEN;
  }
  return pgw_message_limit(d->dir, f, type);
}

/* The rule a length over the per-type limit breaks. */
static const pgw_rule *limit_rule(pgw_dir dir, uint8_t type) {
  if (dir == PGW_BACKEND)
    return pgw__rule(pgw__type_kinds[1][type] & PGW__TYPE_LONG
                         ? PGW__R_BE_LARGE_LIMIT
                         : PGW__R_BE_SHORT_LIMIT);
  if (type == 'p') return pgw__rule(PGW__R_FE_AUTH_LIMIT);
  return pgw__rule(pgw__type_kinds[0][type] & PGW__TYPE_LONG
                       ? PGW__R_FE_LARGE_LIMIT
                       : PGW__R_FE_SMALL_LIMIT);
}

void pgw_decoder_init(pgw_decoder *d, pgw_dir dir,
                      const pgw_decoder_options *opts) {
  memset(d, 0, sizeof *d);
  d->dir = dir;
  d->framing = dir == PGW_FRONTEND ? PGW_FRAMING_STARTUP : PGW_FRAMING_STANDARD;
  d->password_kind = PGW_MSG_PASSWORD_MESSAGE;
  d->answer_kind = PGW_MSG_SSL_RESPONSE;
  d->max_len = (size_t)PGW_MAX_MESSAGE_LEN;
  if (opts) {
    d->mode = opts->lenient ? PGW_MODE_LENIENT : opts->mode;
    d->lenient = d->mode == PGW_MODE_LENIENT;
    d->server_protocol = opts->server_protocol;
    d->server_version = opts->server_version;
    if (opts->max_message_len != 0 && opts->max_message_len < d->max_len)
      d->max_len = opts->max_message_len;
  }
  pgw__allocator_init(&d->alloc, opts ? opts->allocator : NULL);
}

void pgw_decoder_free(pgw_decoder *d) {
  if (d->buf) d->alloc.free_fn(d->buf, d->alloc.user);
  d->buf = NULL;
  d->buf_cap = 0;
  d->buf_len = 0;
}

void pgw_decoder_reset(pgw_decoder *d, pgw_framing framing, size_t offset) {
  d->framing = framing;
  d->chunk = NULL;
  d->chunk_len = 0;
  d->chunk_pos = 0;
  d->chunk_offset = offset;
  d->head_len = 0;
  d->buf_len = 0;
  d->msg_len = 0;
  d->status = 0;
  memset(&d->error, 0, sizeof d->error);
}

static int fail(pgw_decoder *d, int code, size_t offset, const char *reason,
                const pgw_rule *rule);

/* A framing change must fall between messages. Bytes of a message already
 * buffered were sent before the peer could know the new framing (a server
 * writing ahead of the client's SSLRequest, say): a protocol violation,
 * and reading them under the new framing would misparse them. */
static void change_framing(pgw_decoder *d, pgw_framing framing) {
  if (d->status == 0 && (d->head_len != 0 || d->msg_len != 0))
    fail(d, PGW_ERR_UNEXPECTED_MESSAGE,
         d->msg_len ? d->msg_offset : pgw_decoder_offset(d) - d->head_len,
         "peer sent bytes before the framing changed (e.g. ahead of an "
         "SSL/GSS answer)",
         pgw__rule(PGW__R_BYTES_BEFORE_ANSWER));
  d->framing = framing;
}

void pgw_decoder_set_framing(pgw_decoder *d, pgw_framing framing) {
  change_framing(d, framing);
  if (framing == PGW_FRAMING_NEGOTIATION) d->answer_kind = PGW_MSG_SSL_RESPONSE;
}

pgw_framing pgw_decoder_framing(const pgw_decoder *d) {
  return d->framing;
}

int pgw_decoder_expect_answer(pgw_decoder *d, pgw_kind answer) {
  if (answer != PGW_MSG_SSL_RESPONSE && answer != PGW_MSG_GSSENC_RESPONSE)
    return PGW_ERR_INVALID_ARGUMENT;
  change_framing(d, PGW_FRAMING_NEGOTIATION);
  d->answer_kind = answer;
  return 0;
}

void pgw_decoder_set_protocol(pgw_decoder *d, uint32_t protocol) {
  d->protocol = protocol;
}

int pgw_decoder_set_password_kind(pgw_decoder *d, pgw_kind kind) {
  switch (kind) {
  case PGW_MSG_PASSWORD_MESSAGE:
  case PGW_MSG_SASL_INITIAL_RESPONSE:
  case PGW_MSG_SASL_RESPONSE:
  case PGW_MSG_GSS_RESPONSE: d->password_kind = kind; return 0;
  default: return PGW_ERR_INVALID_ARGUMENT;
  }
}

int pgw_decoder_feed(pgw_decoder *d, const uint8_t *data, size_t len) {
  if (data == NULL && len != 0) return PGW_ERR_INVALID_ARGUMENT;
  if (d->chunk_pos < d->chunk_len) return PGW_ERR_INVALID_ARGUMENT;
  d->chunk_offset += d->chunk_len;
  d->chunk = data;
  d->chunk_len = len;
  d->chunk_pos = 0;
  return 0;
}

size_t pgw_decoder_offset(const pgw_decoder *d) {
  return d->chunk_offset + d->chunk_pos;
}

const pgw_error *pgw_decoder_error(const pgw_decoder *d) {
  return &d->error;
}

static int fail(pgw_decoder *d, int code, size_t offset, const char *reason,
                const pgw_rule *rule) {
  if (d->after_end && code != PGW_ERR_NOMEM)
    rule = pgw__rule(PGW__R_FE_AFTER_END); /* the server reads none of it */
  d->status = code;
  d->error.code = code;
  d->error.offset = offset;
  d->error.reason = reason;
  d->error.rule = rule;
  return code;
}

size_t pgw_decoder_warnings(const pgw_decoder *d) {
  return d->warnings;
}

const pgw_error *pgw_decoder_warning(const pgw_decoder *d) {
  return &d->warning;
}

void pgw_decoder_set_server_protocol(pgw_decoder *d, uint32_t version) {
  d->server_protocol = version;
}

/* Header bytes needed once the first byte is known. */
static size_t header_size(const pgw_decoder *d, uint8_t first) {
  switch (d->framing) {
  case PGW_FRAMING_STARTUP: return 4;
  case PGW_FRAMING_NEGOTIATION: return first == 'E' ? 5 : 1;
  case PGW_FRAMING_STANDARD: break;
  }
  return 5;
}

/* Checks that need only the first byte: unknown type, direct SSL. */
static int check_first(pgw_decoder *d, uint8_t first, size_t offset) {
  if (d->framing == PGW_FRAMING_STARTUP) {
    /* A startup length's first byte is 0 (<= 10004); 0x16 is a TLS
     * handshake record: a PostgreSQL 17 client using direct SSL. */
    if (first == 0x16) {
      d->status = PGW_DIRECT_SSL;
      d->error.code = 0;
      d->error.offset = offset;
      d->error.reason = "TLS handshake record where a startup packet was due "
                        "(direct SSL)";
      return PGW_DIRECT_SSL;
    }
    return 0;
  }
  if (d->framing == PGW_FRAMING_NEGOTIATION) {
    if (first == 'E') return 0;
    uint8_t yes = d->answer_kind == PGW_MSG_SSL_RESPONSE ? 'S' : 'G';
    if (first != yes && first != 'N')
      return fail(d, PGW_ERR_UNKNOWN_CODE, offset,
                  "answer to SSLRequest/GSSENCRequest is not S/G, N or E",
                  pgw__rule(PGW__R_ANSWER_BYTE));
    return 0;
  }
  if (!d->lenient && pgw_kind_of(d->dir, first) == PGW_MSG_UNKNOWN)
    return fail(
        d, PGW_ERR_UNKNOWN_TYPE, offset,
        d->dir == PGW_FRONTEND ? "unknown frontend message type byte"
                               : "unknown backend message type byte",
        pgw__rule(d->dir == PGW_FRONTEND ? PGW__R_FE_TYPE : PGW__R_BE_TYPE));
  return 0;
}

/* Total wire length from a complete header, checked against the limits. */
static int parse_header(pgw_decoder *d, const uint8_t *h, size_t offset,
                        size_t *total) {
  if (d->framing == PGW_FRAMING_NEGOTIATION && h[0] != 'E') {
    *total = 1;
    return 0;
  }
  if (d->framing == PGW_FRAMING_STARTUP) {
    uint32_t len = pgw_load32(h);
    if (len < 8)
      return fail(d, PGW_ERR_BAD_LENGTH, offset,
                  "startup packet length word is below 8",
                  pgw__rule(PGW__R_STARTUP_LENGTH_MIN));
    if (len > PGW_STARTUP_MAX_PAYLOAD + 4)
      return fail(d, PGW_ERR_TOO_LARGE, offset,
                  "startup packet longer than 10000 bytes",
                  pgw__rule(PGW__R_STARTUP_LENGTH_MAX));
    *total = len;
    return 0;
  }
  uint32_t len = pgw_load32(h + 1);
  if (len < 4)
    return fail(d, PGW_ERR_BAD_LENGTH, offset + 1,
                "message length word is below 4",
                pgw__rule(d->dir == PGW_FRONTEND ? PGW__R_FE_LENGTH_MIN
                                                 : PGW__R_BE_LENGTH_MIN));
  size_t total_len = (size_t)len + 1;
  if (!d->lenient) {
    pgw_framing f = d->framing == PGW_FRAMING_NEGOTIATION ? PGW_FRAMING_STANDARD
                                                          : d->framing;
    if (total_len > limit_for(d, f, h[0]))
      return fail(d, PGW_ERR_TOO_LARGE, offset + 1,
                  "message length exceeds the limit for its type",
                  old_limits(d) ? pgw__rule(PGW__R_FE_PGW_MAX)
                                : limit_rule(d->dir, h[0]));
  }
  if (total_len > d->max_len) /* the caller's bound: no protocol rule */
    return fail(d, PGW_ERR_TOO_LARGE, offset + 1,
                "message length exceeds the decoder's max_message_len",
                d->max_len != PGW_MAX_MESSAGE_LEN ? NULL
                : old_limits(d)                   ? pgw__rule(PGW__R_FE_PGW_MAX)
                                                  : limit_rule(d->dir, h[0]));
  *total = total_len;
  return 0;
}

static pgw_kind startup_kind(const uint8_t *payload) {
  uint32_t code = pgw_load32(payload);
  if (code == PGW_CANCEL_REQUEST_CODE) return PGW_MSG_CANCEL_REQUEST;
  if (code == PGW_SSL_REQUEST_CODE) return PGW_MSG_SSL_REQUEST;
  if (code == PGW_GSSENC_REQUEST_CODE) return PGW_MSG_GSSENC_REQUEST;
  return PGW_MSG_STARTUP_MESSAGE; /* its decoder rejects bad versions */
}

/* A body failed to decode with rc: fail (0 returned never), or, when the
 * mode lets this rule through, count the deviation, mark the message
 * malformed and return 0. */
static int tolerate(pgw_decoder *d, int rc, pgw_kind kind, size_t base,
                    pgw_error *err) {
  if (err->rule == NULL) err->rule = pgw__rule_for(d->dir, kind, rc);
  if (d->dir == PGW_FRONTEND && (unsigned)kind < 64 && (d->unread >> kind & 1))
    err->rule = pgw__rule(PGW__R_FE_UNREAD_BODY);
  err->offset += base;
  if (d->mode != PGW_MODE_LENIENT && pgw_mode_rejects(d->mode, err->rule))
    return fail(d, rc, err->offset, err->reason, err->rule);
  err->code = rc;
  d->warning = *err;
  d->warnings++;
  return 0;
}

/* Decode one whole message at bytes[0..total) that began at offset. */
static int deliver(pgw_decoder *d, const uint8_t *bytes, size_t total,
                   size_t offset, pgw_message *m) {
  size_t hsize;
  pgw_kind kind;
  pgw_framing framing = d->framing;
  if (framing == PGW_FRAMING_STARTUP) {
    hsize = 4;
    kind = startup_kind(bytes + 4);
  } else if (framing == PGW_FRAMING_NEGOTIATION && bytes[0] != 'E') {
    hsize = 0;
    kind = d->answer_kind;
  } else {
    hsize = 5;
    kind = pgw_kind_of(d->dir, bytes[0]);
    if (kind == PGW_MSG_PASSWORD_MESSAGE) kind = d->password_kind;
  }
  pgw_error err = {0, 0, NULL, NULL};
  int rc;
  if (kind == PGW_MSG_UNKNOWN) { /* lenient only: check_first rejects */
    memset(m, 0, sizeof *m);
    m->type = bytes[0];
    m->payload.ptr = bytes + hsize;
    m->payload.len = total - hsize;
    rc = 0;
  } else {
    uint32_t protocol = d->protocol;
    if (framing == PGW_FRAMING_STARTUP && protocol == 0)
      protocol = d->server_protocol;
    rc = pgw__decode_payload(kind, bytes + hsize, total - hsize, protocol, m,
                             &err);
  }
  if (rc) {
    int code = rc;
    if ((rc = tolerate(d, code, kind, offset + hsize, &err)) != 0) return rc;
    if (!pgw__body_complete(kind, code)) memset(&m->body, 0, sizeof m->body);
    m->malformed = code;
  }
  if (hsize == 5) m->type = bytes[0];
  m->offset = offset;
  m->wire_len = total;
  if (framing == PGW_FRAMING_NEGOTIATION ||
      (framing == PGW_FRAMING_STARTUP && kind == PGW_MSG_STARTUP_MESSAGE))
    d->framing = PGW_FRAMING_STANDARD;
  return PGW_OK;
}

/* Room for need bytes of a message of total bytes: the buffer doubles
 * as bytes arrive, never past total, so a peer that announces a large
 * message and sends little costs little memory. */
static int reserve(pgw_decoder *d, size_t need, size_t total) {
  if (need <= d->buf_cap) return 0;
  size_t cap = d->buf_cap ? d->buf_cap : 1024;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  if (cap > total) cap = total;
  uint8_t *p = (uint8_t *)d->alloc.realloc_fn(d->buf, cap, d->alloc.user);
  if (p == NULL) return PGW_ERR_NOMEM;
  d->buf = p;
  d->buf_cap = cap;
  return 0;
}

/* Start reassembling a message of total bytes whose first `have` bytes
 * are at src. */
static int begin_assembly(pgw_decoder *d, const uint8_t *src, size_t have,
                          size_t total, size_t offset) {
  if (reserve(d, have, total))
    return fail(d, PGW_ERR_NOMEM, offset, "reassembly buffer allocation failed",
                NULL);
  memcpy(d->buf, src, have);
  d->buf_len = have;
  d->msg_len = total;
  d->msg_offset = offset;
  return 0;
}

/* Wire limit of the other types: PQ_SMALL_MESSAGE_LIMIT + 1 for the
 * frontend, libpq's 30000 + 1 for the backend. */
static const uint32_t short_limit[2] = {PQ_SMALL_MESSAGE_LIMIT + 1,
                                        LIBPQ_SHORT_MESSAGE_LIMIT + 1};

/*
 * The common case in one pass: standard framing, strict, nothing pending,
 * a whole message with a known type and a plausible length in the chunk.
 * Returns 1 if it handled the message (rc in *rc), 0 to take the general
 * path (which then finds and reports any problem itself).
 */
static int next_fast(pgw_decoder *d, pgw_message *m, int *rc) {
  size_t pos = d->chunk_pos;
  size_t avail = d->chunk_len - pos;
  if (avail < 5 || d->framing != PGW_FRAMING_STANDARD || d->lenient ||
      (d->head_len | d->msg_len) != 0)
    return 0;
  const uint8_t *p = d->chunk + pos;
  unsigned entry = pgw__type_kinds[d->dir & 1][p[0]];
  uint32_t len = pgw_load32(p + 1);
  size_t total = (size_t)len + 1;
  if (entry == 0 || len < 4 || total > avail || total > d->max_len ||
      (!(entry & PGW__TYPE_LONG) && total > short_limit[d->dir & 1]))
    return 0;
  pgw_kind kind = (pgw_kind)(entry & ~(unsigned)PGW__TYPE_LONG);
  size_t offset = d->chunk_offset + pos;
  d->chunk_pos = pos + total;
  pgw_error err;
  int r;
  if (kind == PGW_MSG_DATA_ROW) { /* the hot path of every result set */
    m->kind = kind;
    m->payload.ptr = p + 5;
    m->payload.len = len - 4;
    m->malformed = 0;
    r = pgw__data_row_decode(p + 5, len - 4, &m->body.data_row, &err);
  } else {
    if (kind == PGW_MSG_PASSWORD_MESSAGE) kind = d->password_kind;
    r = pgw__decode_payload(kind, p + 5, len - 4, d->protocol, m, &err);
  }
  if (r) { /* the general path reports it (with its rule) or tolerates it */
    d->chunk_pos = pos;
    return 0;
  }
  m->type = p[0];
  m->offset = offset;
  m->wire_len = total;
  *rc = PGW_OK;
  return 1;
}

static PGW__NOINLINE int next_general(pgw_decoder *d, pgw_message *m);

/* Everything but the DataRow fast path (pgw__decoder_row), in the
 * original order:
 * sticky status, the one-pass path for other whole messages, the general
 * path (split messages, other framings, lenient mode, all errors). */
/* After Terminate or a CancelRequest the server reads nothing: outside
 * strict mode whatever follows is passed over (one warning per chunk). */
static int skip_after_end(pgw_decoder *d) {
  pgw_error w = {PGW_ERR_CONNECTION_CLOSED, pgw_decoder_offset(d),
                 "bytes after Terminate or a CancelRequest (the server reads "
                 "none of them)",
                 pgw__rule(PGW__R_FE_AFTER_END)};
  d->warning = w;
  d->warnings++;
  d->chunk_offset += d->chunk_len;
  d->chunk_len = d->chunk_pos = 0;
  d->head_len = 0;
  d->msg_len = d->buf_len = 0;
  return PGW_NEED_MORE;
}

static PGW__NOINLINE int next_slow(pgw_decoder *d, pgw_message *m) {
  if (d->status) return d->status;
  int rc;
  if (d->after_end && d->mode != PGW_MODE_STRICT &&
      (d->chunk_pos < d->chunk_len || d->head_len || d->msg_len))
    return skip_after_end(d);
  if (next_fast(d, m, &rc)) return rc;
  return next_general(d, m);
}

/* One row of exactly ncols columns at p (whole, < end): its values into
 * v; the row's end, or NULL if it is not such a row (the checks of
 * pgw__decoder_row()). */
static inline const uint8_t *batch_row(const pgw_decoder *d, const uint8_t *p,
                                       const uint8_t *end, size_t ncols,
                                       pgw_value *v) {
  size_t avail = (size_t)(end - p);
  if (avail < 7 || p[0] != 'D') return NULL;
  size_t total = (size_t)pgw_load32(p + 1) + 1;
  if (total - 7 > avail - 7 || total > d->max_len) return NULL;
  if (pgw_load16(p + 5) != ncols) return NULL;
  const uint8_t *q = p + 7;
  size_t left = total - 7; /* bytes after q, < 1 GiB */
  for (size_t i = 0; i < ncols; i++) {
    if (left < 4) return NULL;
    uint32_t vlen = pgw_load32(q);
    q += 4;
    left -= 4;
    /* Stored before the check: the length as a signed value (-1: NULL). */
    v[i].ptr = q;
    v[i].len = (int32_t)vlen;
    if (PGW__LIKELY((size_t)vlen <= left)) {
      q += vlen;
      left -= vlen;
    } else if (vlen == 0xffffffffu) {
      v[i].ptr = NULL;
      v[i].len = -1;
    } else {
      return NULL;
    }
  }
  return left == 0 ? q : NULL;
}

int pgw_decoder_rows(pgw_decoder *d, size_t ncols, pgw_value *values,
                     size_t cap) {
  if (d == NULL || values == NULL || ncols == 0 || ncols > 0xffff)
    return PGW_ERR_INVALID_ARGUMENT;
  if (memcmp((const unsigned char *)d + offsetof(pgw_decoder, dir),
             &pgw__backend_standard, sizeof pgw__backend_standard) != 0 ||
      ((size_t)(unsigned)d->status | d->head_len | d->msg_len) != 0)
    return 0;
  size_t max_rows = cap / ncols;
  if (max_rows > 0x7fffffff) max_rows = 0x7fffffff;
  const uint8_t *p = d->chunk + d->chunk_pos;
  const uint8_t *const end = d->chunk + d->chunk_len;
  size_t rows = 0;
  for (; rows < max_rows; rows++) {
    const uint8_t *next = batch_row(d, p, end, ncols, values + rows * ncols);
    if (next == NULL) break;
    p = next;
  }
  d->chunk_pos = (size_t)(p - d->chunk);
  return (int)rows;
}

int pgw_decoder_next(pgw_decoder *d, pgw_message *m) {
  if (m == NULL) return PGW_ERR_INVALID_ARGUMENT;
  if (PGW__LIKELY(pgw__decoder_row(d, m))) return PGW_OK;
  return next_slow(d, m);
}

static int next_general(pgw_decoder *d, pgw_message *m) {
  int rc;
  const uint8_t *chunk = d->chunk;
  size_t avail = d->chunk_len - d->chunk_pos;

  if (d->msg_len == 0 && d->head_len > 0) {
    /* Finish a split header. */
    size_t hsize = header_size(d, d->head[0]);
    if (d->head_len > hsize) /* unreachable: change_framing() forbids it */
      return fail(d, PGW_ERR_INVALID_ARGUMENT, pgw_decoder_offset(d),
                  "partial header longer than the framing's header", NULL);
    size_t take = hsize - d->head_len;
    if (take > avail) take = avail;
    if (take) memcpy(d->head + d->head_len, chunk + d->chunk_pos, take);
    d->head_len += take;
    d->chunk_pos += take;
    avail -= take;
    if (d->head_len < hsize) return PGW_NEED_MORE;
    size_t offset = pgw_decoder_offset(d) - hsize;
    size_t total;
    if ((rc = parse_header(d, d->head, offset, &total))) return rc;
    d->head_len = 0;
    if ((rc = begin_assembly(d, d->head, hsize, total, offset))) return rc;
  }

  if (d->msg_len != 0) {
    /* Continue a split message. */
    size_t take = d->msg_len - d->buf_len;
    if (take > avail) take = avail;
    if (reserve(d, d->buf_len + take, d->msg_len))
      return fail(d, PGW_ERR_NOMEM, d->msg_offset,
                  "reassembly buffer allocation failed", NULL);
    if (take) memcpy(d->buf + d->buf_len, chunk + d->chunk_pos, take);
    d->buf_len += take;
    d->chunk_pos += take;
    if (d->buf_len < d->msg_len) return PGW_NEED_MORE;
    size_t total = d->msg_len;
    d->msg_len = 0;
    d->buf_len = 0;
    return deliver(d, d->buf, total, d->msg_offset, m);
  }

  if (avail == 0) return PGW_NEED_MORE;
  const uint8_t *p = chunk + d->chunk_pos;
  size_t offset = pgw_decoder_offset(d);
  if ((rc = check_first(d, p[0], offset))) return rc;
  size_t hsize = header_size(d, p[0]);
  if (avail < hsize) {
    memcpy(d->head, p, avail);
    d->head_len = avail;
    d->chunk_pos += avail;
    return PGW_NEED_MORE;
  }
  size_t total;
  if ((rc = parse_header(d, p, offset, &total))) return rc;
  if (avail >= total) {
    d->chunk_pos += total;
    return deliver(d, p, total, offset, m); /* zero copy */
  }
  if ((rc = begin_assembly(d, p, avail, total, offset))) return rc;
  d->chunk_pos += avail;
  return PGW_NEED_MORE;
}

int pgw_decoder_finish(pgw_decoder *d) {
  if (d->status < 0) return d->status;
  if (d->after_end && d->mode != PGW_MODE_STRICT) return 0;
  if (d->msg_len != 0)
    return fail(d, PGW_ERR_END_OF_STREAM, d->msg_offset,
                "stream ended inside a message", pgw__rule(PGW__R_STREAM_END));
  if (d->head_len != 0)
    return fail(d, PGW_ERR_END_OF_STREAM, pgw_decoder_offset(d) - d->head_len,
                "stream ended inside a message header",
                pgw__rule(PGW__R_STREAM_END));
  return 0;
}

int pgw__decoder_injected(pgw_decoder *d, pgw_error *e) {
  if (pgw_decoder_finish(d) == 0) return 0;
  *e = *pgw_decoder_error(d);
  e->code = PGW_ERR_UNEXPECTED_MESSAGE;
  e->reason = "unencrypted bytes after the SSL/GSS answer, before "
              "encryption was established";
  e->rule = pgw__rule(PGW__R_UNENCRYPTED_AFTER_ANSWER);
  return 1;
}
