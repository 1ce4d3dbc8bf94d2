/*
 * pgoutput.c - the Logical Replication Message Formats, protocol versions
 * 1 to 4: strict zero-copy decode of one message (an XLogData's data) and
 * exact encode. Layouts and checks follow proto.c's logicalrep_write_* and
 * logicalrep_read_* (see the rules' sources); order and relation checks
 * live in pgoutput_stream.c.
 */
#include "pgw_repl.h"

/* Decoding state of one message. */
typedef struct ld {
  pgw_rd r;
  const pgw__lrep_ctx *c;
} ld;

/* A failed check: fails unless the mode lets the rule through, in which
 * case the deviation is counted and decoding goes on. */
static int check(ld *d, int code, enum pgw__rule_index idx,
                 const char *reason) {
  const pgw_rule *rule = pgw__rule(idx);
  if (pgw_mode_rejects(d->c->mode, rule))
    return pgw_rd_fail_rule(&d->r, code, rule, reason);
  if (d->c->warnings) ++*d->c->warnings;
  if (d->c->warn) {
    d->c->warn->code = code;
    d->c->warn->offset = pgw_rd_offset(&d->r);
    d->c->warn->reason = reason;
    d->c->warn->rule = rule;
  }
  return 0;
}

const char *pgw_lrep_kind_name(int kind) {
  switch (kind) {
  case PGW_LREP_BEGIN: return "Begin";
  case PGW_LREP_MESSAGE: return "Message";
  case PGW_LREP_COMMIT: return "Commit";
  case PGW_LREP_ORIGIN: return "Origin";
  case PGW_LREP_RELATION: return "Relation";
  case PGW_LREP_TYPE: return "Type";
  case PGW_LREP_INSERT: return "Insert";
  case PGW_LREP_UPDATE: return "Update";
  case PGW_LREP_DELETE: return "Delete";
  case PGW_LREP_TRUNCATE: return "Truncate";
  case PGW_LREP_STREAM_START: return "StreamStart";
  case PGW_LREP_STREAM_STOP: return "StreamStop";
  case PGW_LREP_STREAM_COMMIT: return "StreamCommit";
  case PGW_LREP_STREAM_ABORT: return "StreamAbort";
  case PGW_LREP_BEGIN_PREPARE: return "BeginPrepare";
  case PGW_LREP_PREPARE: return "Prepare";
  case PGW_LREP_COMMIT_PREPARED: return "CommitPrepared";
  case PGW_LREP_ROLLBACK_PREPARED: return "RollbackPrepared";
  case PGW_LREP_STREAM_PREPARE: return "StreamPrepare";
  default: return NULL;
  }
}

/* Per type byte: 0 for no message, else the lowest protocol version that
 * has it, plus XID_IN_STREAM for the messages that carry an xid only
 * inside a streamed block. */
#define XID_IN_STREAM 8
static const uint8_t info[256] = {['B'] = 1,
                                  ['M'] = 1 | XID_IN_STREAM,
                                  ['C'] = 1,
                                  ['O'] = 1,
                                  ['R'] = 1 | XID_IN_STREAM,
                                  ['Y'] = 1 | XID_IN_STREAM,
                                  ['I'] = 1 | XID_IN_STREAM,
                                  ['U'] = 1 | XID_IN_STREAM,
                                  ['D'] = 1 | XID_IN_STREAM,
                                  ['T'] = 1 | XID_IN_STREAM,
                                  ['S'] = 2,
                                  ['E'] = 2,
                                  ['c'] = 2,
                                  ['A'] = 2,
                                  ['b'] = 3,
                                  ['P'] = 3,
                                  ['K'] = 3,
                                  ['r'] = 3,
                                  ['p'] = 3};

static int xid_in_stream(int kind) {
  return kind >= 0 && kind < 256 && (info[kind] & XID_IN_STREAM);
}

/* ---- pieces ------------------------------------------------------------ */

static int lsn_set(ld *d, uint64_t *out, const char *what) {
  int rc = pgw_rd_u64(&d->r, out, what);
  if (rc == 0 && *out == 0) {
    d->r.p -= 8;
    rc = check(d, PGW_ERR_REPL_INVALID_LSN, PGW__R_LREP_INVALID_LSN, what);
    d->r.p += 8;
  }
  return rc;
}

static int flags_zero(ld *d, uint8_t *out, const char *what) {
  int rc = pgw_rd_u8(&d->r, out, what);
  if (rc == 0 && *out != 0) {
    d->r.p--;
    rc = check(d, PGW_ERR_BAD_VALUE, PGW__R_LREP_FLAGS_ZERO, what);
    d->r.p++;
  }
  return rc;
}

static int flags_within(ld *d, uint8_t *out, unsigned mask, const char *what) {
  int rc = pgw_rd_u8(&d->r, out, what);
  if (rc == 0 && (*out & ~mask) != 0) {
    d->r.p--;
    rc = check(d, PGW_ERR_BAD_VALUE, PGW__R_LREP_FLAGS_KNOWN, what);
    d->r.p++;
  }
  return rc;
}

/* A tuple column at p failed: position the reader there and say why. */
static int column_fail(ld *d, const uint8_t *p, uint8_t kind) {
  d->r.p = p;
  if (p == d->r.end)
    return pgw_rd_fail(&d->r, PGW_ERR_TRUNCATED, "tuple column kind");
  if (kind != 't' && kind != 'b')
    return pgw_repl_fail(&d->r, PGW_ERR_UNKNOWN_CODE, PGW__R_LREP_TUPLE_KIND,
                         "tuple column kind is not 'n', 'u', 't' or 'b'");
  d->r.p = p + 1;
  if (pgw_rd_left(&d->r) < 4)
    return pgw_rd_fail(&d->r, PGW_ERR_TRUNCATED, "tuple column length");
  int neg = pgw_load32(d->r.p) > 0x7fffffffu;
  return pgw_repl_fail(&d->r, neg ? PGW_ERR_NEGATIVE_LENGTH : PGW_ERR_TRUNCATED,
                       PGW__R_LREP_VALUE_LENGTH,
                       neg ? "tuple column length is negative"
                           : "tuple column runs past the message");
}

/* TupleData: the hot loop of a change, one pass over the columns. */
static int tuple(ld *d, pgw_lrep_tuple *t) {
  int rc = pgw_rd_u16(&d->r, &t->ncols, "tuple column count");
  if (rc) return rc;
  const uint8_t *p = d->r.p, *end = d->r.end;
  for (uint16_t i = 0; i < t->ncols; i++) {
    if (p == end) return column_fail(d, p, 0);
    uint8_t k = *p;
    if (k == 't' || k == 'b') {
      if (end - p < 5) return column_fail(d, p, k);
      uint32_t n = pgw_load32(p + 1);
      if (n > (size_t)(end - p - 5)) return column_fail(d, p, k);
      p += 5 + (size_t)n;
    } else if (k == 'n' || k == 'u') {
      p++;
    } else {
      return column_fail(d, p, k);
    }
  }
  t->raw.ptr = d->r.p;
  t->raw.len = (size_t)(p - d->r.p);
  d->r.p = p;
  return 0;
}

/* A tuple marker byte: one of the three bytes of allowed (repeat one to
 * allow fewer), else a marker failure. */
static int marker(ld *d, uint8_t *out, const char *allowed, const char *why) {
  int rc = pgw_rd_u8(&d->r, out, why);
  if (rc == 0 && *out != allowed[0] && *out != allowed[1] &&
      *out != allowed[2]) {
    d->r.p--;
    rc = pgw_repl_fail(&d->r, PGW_ERR_UNKNOWN_CODE, PGW__R_LREP_MARKER, why);
  }
  return rc;
}

static int relation_column(ld *d) {
  uint8_t flags;
  pgw_str name;
  uint32_t oid;
  int32_t typmod;
  int rc = flags_within(d, &flags, 1, "column flags");
  if (rc == 0) rc = pgw_rd_cstr(&d->r, &name, "column name");
  if (rc == 0) rc = pgw_rd_u32(&d->r, &oid, "column type OID");
  if (rc == 0) rc = pgw_rd_i32(&d->r, &typmod, "column type modifier");
  return rc;
}

/* ---- messages ---------------------------------------------------------- */

static int dec_begin(ld *d, pgw_lrep_msg *m) {
  int rc = lsn_set(d, &m->u.begin.final_lsn, "Begin final LSN");
  if (rc == 0) rc = pgw_rd_i64(&d->r, &m->u.begin.commit_time, "Begin time");
  if (rc == 0) rc = pgw_rd_u32(&d->r, &m->xid, "Begin xid");
  return rc;
}

static int dec_message(ld *d, pgw_lrep_msg *m) {
  int32_t n;
  int rc = flags_within(d, &m->u.message.flags, 1, "Message flags");
  if (rc == 0) rc = pgw_rd_u64(&d->r, &m->u.message.lsn, "Message LSN");
  if (rc == 0) rc = pgw_rd_cstr(&d->r, &m->u.message.prefix, "prefix");
  if (rc == 0) rc = pgw_rd_i32(&d->r, &n, "Message content length");
  if (rc) return rc;
  if (n < 0 || (size_t)n > pgw_rd_left(&d->r)) {
    d->r.p -= 4;
    return pgw_repl_fail(&d->r,
                         n < 0 ? PGW_ERR_NEGATIVE_LENGTH : PGW_ERR_TRUNCATED,
                         PGW__R_LREP_VALUE_LENGTH,
                         "Message content length is negative or too long");
  }
  return pgw_rd_bytes(&d->r, (size_t)n, &m->u.message.content, "content");
}

/* Commit and Stream Commit (xid read before). */
static int dec_commit(ld *d, pgw_lrep_msg *m) {
  int rc = flags_zero(d, &m->u.commit.flags, "Commit flags are not 0");
  if (rc == 0) rc = pgw_rd_u64(&d->r, &m->u.commit.commit_lsn, "commit LSN");
  if (rc == 0) rc = pgw_rd_u64(&d->r, &m->u.commit.end_lsn, "end LSN");
  if (rc == 0) rc = pgw_rd_i64(&d->r, &m->u.commit.commit_time, "time");
  return rc;
}

static int dec_origin(ld *d, pgw_lrep_msg *m) {
  int rc = pgw_rd_u64(&d->r, &m->u.origin.commit_lsn, "Origin LSN");
  if (rc == 0) rc = pgw_rd_cstr(&d->r, &m->u.origin.name, "Origin name");
  return rc;
}

static int dec_relation(ld *d, pgw_lrep_msg *m) {
  int rc = pgw_rd_u32(&d->r, &m->u.relation.relid, "Relation id");
  if (rc == 0) rc = pgw_rd_cstr(&d->r, &m->u.relation.nspname, "namespace");
  if (rc == 0) rc = pgw_rd_cstr(&d->r, &m->u.relation.relname, "name");
  if (rc == 0) rc = pgw_rd_u8(&d->r, &m->u.relation.replica_identity, "r.i.");
  if (rc) return rc;
  uint8_t ri = m->u.relation.replica_identity;
  if (ri != 'd' && ri != 'n' && ri != 'f' && ri != 'i') {
    d->r.p--;
    rc = check(d, PGW_ERR_UNKNOWN_CODE, PGW__R_LREP_REPLICA_IDENTITY,
               "replica identity is not 'd', 'n', 'f' or 'i'");
    d->r.p++;
  }
  if (rc == 0) rc = pgw_rd_u16(&d->r, &m->u.relation.ncols, "column count");
  const uint8_t *start = d->r.p;
  for (uint16_t i = 0; rc == 0 && i < m->u.relation.ncols; i++)
    rc = relation_column(d);
  m->u.relation.columns_raw.ptr = start;
  m->u.relation.columns_raw.len = (size_t)(d->r.p - start);
  return rc;
}

static int dec_type(ld *d, pgw_lrep_msg *m) {
  int rc = pgw_rd_u32(&d->r, &m->u.type.oid, "Type OID");
  if (rc == 0) rc = pgw_rd_cstr(&d->r, &m->u.type.nspname, "Type namespace");
  if (rc == 0) rc = pgw_rd_cstr(&d->r, &m->u.type.name, "Type name");
  return rc;
}

static int dec_change(ld *d, pgw_lrep_msg *m) {
  static const pgw_lrep_tuple none = {0, {NULL, 0}};
  uint8_t mk = 0;
  m->u.change.old_kind = 0;
  m->u.change.old_tuple = none;
  m->u.change.new_tuple = none;
  int rc = pgw_rd_u32(&d->r, &m->u.change.relid, "relation id");
  if (rc) return rc;
  if (m->kind == PGW_LREP_INSERT) {
    rc = marker(d, &mk, "NNN", "Insert tuple is not marked 'N'");
    return rc ? rc : tuple(d, &m->u.change.new_tuple);
  }
  if (m->kind == PGW_LREP_DELETE) {
    rc = marker(d, &mk, "KOO", "Delete tuple is not marked 'K' or 'O'");
    m->u.change.old_kind = mk;
    return rc ? rc : tuple(d, &m->u.change.old_tuple);
  }
  rc = marker(d, &mk, "KON", "Update tuple is not marked 'K', 'O' or 'N'");
  if (rc == 0 && mk != 'N') {
    m->u.change.old_kind = mk;
    rc = tuple(d, &m->u.change.old_tuple);
    if (rc == 0)
      rc = marker(d, &mk, "NNN", "Update new tuple is not marked 'N'");
  }
  return rc ? rc : tuple(d, &m->u.change.new_tuple);
}

static int dec_truncate(ld *d, pgw_lrep_msg *m) {
  int rc = pgw_rd_u32(&d->r, &m->u.truncate.nrels, "Truncate count");
  if (rc == 0) rc = flags_within(d, &m->u.truncate.options, 3, "options");
  if (rc) return rc;
  if (m->u.truncate.nrels > pgw_rd_left(&d->r) / 4)
    return pgw_repl_fail(&d->r, PGW_ERR_TRUNCATED, PGW__R_LREP_TRUNCATED,
                         "Truncate lists fewer relations than its count");
  return pgw_rd_bytes(&d->r, (size_t)m->u.truncate.nrels * 4,
                      &m->u.truncate.relids_raw, "relations");
}

static int dec_stream_start(ld *d, pgw_lrep_msg *m) {
  int rc = pgw_rd_u32(&d->r, &m->xid, "Stream Start xid");
  if (rc == 0)
    rc = flags_within(d, &m->u.stream_start.first_segment, 1,
                      "first segment is not 0 or 1");
  return rc;
}

static int dec_stream_abort(ld *d, int version, pgw_lrep_msg *m) {
  m->u.stream_abort.has_abort_info = 0;
  m->u.stream_abort.abort_lsn = 0;
  m->u.stream_abort.abort_time = 0;
  int rc = pgw_rd_u32(&d->r, &m->xid, "Stream Abort xid");
  if (rc == 0) rc = pgw_rd_u32(&d->r, &m->u.stream_abort.subxid, "subxid");
  if (rc || version < 4 || pgw_rd_left(&d->r) == 0) return rc;
  m->u.stream_abort.has_abort_info = 1;
  rc = pgw_rd_u64(&d->r, &m->u.stream_abort.abort_lsn, "abort LSN");
  if (rc == 0) rc = pgw_rd_i64(&d->r, &m->u.stream_abort.abort_time, "time");
  return rc;
}

/* Begin Prepare (no flags), Prepare, Commit Prepared, Stream Prepare. */
static int dec_prepare(ld *d, pgw_lrep_msg *m) {
  int rc = 0;
  m->u.prepare.flags = 0;
  if (m->kind != PGW_LREP_BEGIN_PREPARE)
    rc = flags_zero(d, &m->u.prepare.flags, "prepare flags are not 0");
  if (rc == 0) rc = lsn_set(d, &m->u.prepare.lsn, "prepare LSN is 0");
  if (rc == 0) rc = lsn_set(d, &m->u.prepare.end_lsn, "end LSN is 0");
  if (rc == 0) rc = pgw_rd_i64(&d->r, &m->u.prepare.time, "prepare time");
  if (rc == 0) rc = pgw_rd_u32(&d->r, &m->xid, "prepare xid");
  if (rc == 0) rc = pgw_rd_cstr(&d->r, &m->u.prepare.gid, "gid");
  return rc;
}

static int dec_rollback_prepared(ld *d, pgw_lrep_msg *m) {
  int rc = flags_zero(d, &m->u.rollback_prepared.flags, "flags are not 0");
  if (rc == 0)
    rc = lsn_set(d, &m->u.rollback_prepared.prepare_end_lsn, "prepare end 0");
  if (rc == 0)
    rc = lsn_set(d, &m->u.rollback_prepared.rollback_end_lsn, "rollback 0");
  if (rc == 0)
    rc = pgw_rd_i64(&d->r, &m->u.rollback_prepared.prepare_time, "time");
  if (rc == 0)
    rc = pgw_rd_i64(&d->r, &m->u.rollback_prepared.rollback_time, "time");
  if (rc == 0) rc = pgw_rd_u32(&d->r, &m->xid, "rollback xid");
  if (rc == 0) rc = pgw_rd_cstr(&d->r, &m->u.rollback_prepared.gid, "gid");
  return rc;
}

static int dec_body(ld *d, int version, pgw_lrep_msg *m) {
  switch (m->kind) {
  case PGW_LREP_BEGIN: return dec_begin(d, m);
  case PGW_LREP_MESSAGE: return dec_message(d, m);
  case PGW_LREP_COMMIT: return dec_commit(d, m);
  case PGW_LREP_ORIGIN: return dec_origin(d, m);
  case PGW_LREP_RELATION: return dec_relation(d, m);
  case PGW_LREP_TYPE: return dec_type(d, m);
  case PGW_LREP_INSERT:
  case PGW_LREP_UPDATE:
  case PGW_LREP_DELETE: return dec_change(d, m);
  case PGW_LREP_TRUNCATE: return dec_truncate(d, m);
  case PGW_LREP_STREAM_START: return dec_stream_start(d, m);
  case PGW_LREP_STREAM_STOP: return 0;
  case PGW_LREP_STREAM_COMMIT: {
    int rc = pgw_rd_u32(&d->r, &m->xid, "Stream Commit xid");
    return rc ? rc : dec_commit(d, m);
  }
  case PGW_LREP_STREAM_ABORT: return dec_stream_abort(d, version, m);
  case PGW_LREP_ROLLBACK_PREPARED: return dec_rollback_prepared(d, m);
  default: return dec_prepare(d, m);
  }
}

/* Type byte, version, xid; then the body and the end. */
static int dec_message_all(ld *d, int version, int in_stream, pgw_lrep_msg *m) {
  uint8_t t;
  int rc = pgw_rd_u8(&d->r, &t, "pgoutput message type missing");
  if (rc) return rc;
  if (info[t] == 0) {
    d->r.p--;
    return pgw_repl_fail(&d->r, PGW_ERR_UNKNOWN_TYPE, PGW__R_LREP_TYPE,
                         "unknown pgoutput message type");
  }
  m->kind = t;
  if (version < (info[t] & 7)) {
    d->r.p--;
    rc = check(d, PGW_ERR_REPL_VERSION, PGW__R_LREP_VERSION,
               "message needs a higher pgoutput protocol version");
    d->r.p++;
    if (rc) return rc;
  }
  int streamed_xid = (info[t] & XID_IN_STREAM) && in_stream;
  m->has_xid = (uint8_t)(!(info[t] & XID_IN_STREAM) || in_stream);
  if (streamed_xid)
    rc = pgw_rd_u32(&d->r, &m->xid, "xid (inside a streamed block)");
  if (rc == 0) rc = dec_body(d, version, m);
  if (rc == 0 && pgw_rd_left(&d->r) != 0)
    rc = check(d, PGW_ERR_TRAILING_BYTES, PGW__R_LREP_TRAILING,
               "bytes after the last field of the pgoutput message");
  return rc;
}

int pgw__lrep_decode(const pgw__lrep_ctx *c, const uint8_t *payload, size_t len,
                     int version, int in_stream, pgw_lrep_msg *out,
                     pgw_error *err) {
  pgw_error dummy;
  if (err == NULL) err = &dummy;
  err->rule = NULL;
  if (out == NULL || (payload == NULL && len != 0) ||
      version < PGW_LREP_VERSION_MIN || version > PGW_LREP_VERSION_MAX)
    return PGW_ERR_INVALID_ARGUMENT;
  out->kind = 0, out->has_xid = 0, out->xid = 0; /* the body decoder sets
                                                 the fields of its kind */
  ld d;
  pgw_rd_init(&d.r, payload, len, err);
  d.c = c;
  int rc = dec_message_all(&d, version, in_stream, out);
  if (rc && err->rule == NULL)
    err->rule = pgw__rule(rc == PGW_ERR_NO_TERMINATOR ? PGW__R_LREP_TERMINATOR
                                                      : PGW__R_LREP_TRUNCATED);
  return rc;
}

int pgw_lrep_decode(const uint8_t *payload, size_t len, int version,
                    int in_stream, pgw_lrep_msg *out, pgw_error *err) {
  static const pgw__lrep_ctx strict = {PGW_MODE_STRICT, NULL, NULL};
  return pgw__lrep_decode(&strict, payload, len, version, in_stream, out, err);
}

/* ---- iterators --------------------------------------------------------- */

static pgw_lrep_iter iter_over(pgw_bytes raw, size_t count) {
  pgw_lrep_iter it = {raw.ptr, raw.ptr ? raw.ptr + raw.len : NULL, count};
  return it;
}

pgw_lrep_iter pgw_lrep_relation_iter(const pgw_lrep_msg *relation) {
  return iter_over(relation->u.relation.columns_raw,
                   relation->u.relation.ncols);
}

int pgw_lrep_relation_next(pgw_lrep_iter *it, pgw_lrep_column *out) {
  if (it->left == 0) return 0;
  size_t avail = (size_t)(it->end - it->p);
  const uint8_t *nul = avail > 1 ? memchr(it->p + 1, 0, avail - 1) : NULL;
  if (nul == NULL || (size_t)(it->end - nul) < 9) return PGW_ERR_TRUNCATED;
  out->flags = it->p[0];
  out->name.ptr = (const char *)it->p + 1;
  out->name.len = (size_t)(nul - (it->p + 1));
  out->type_oid = pgw_load32(nul + 1);
  out->typmod = pgw_as_i32(pgw_load32(nul + 5));
  it->p = nul + 9;
  it->left--;
  return 1;
}

/* ---- encode ------------------------------------------------------------ */

static void enc_tuple(pgw_wr *w, const pgw_lrep_tuple *t) {
  pgw_wr_u16(w, t->ncols);
  pgw_wr_bytes(w, t->raw);
}

static int enc_message(pgw_wr *w, const pgw_lrep_msg *m) {
  if (m->u.message.content.len > 0x7fffffffu) return PGW_ERR_TOO_LARGE;
  pgw_wr_u8(w, m->u.message.flags);
  pgw_wr_u64(w, m->u.message.lsn);
  int rc = pgw_wr_cstr(w, m->u.message.prefix);
  pgw_wr_u32(w, (uint32_t)m->u.message.content.len);
  pgw_wr_bytes(w, m->u.message.content);
  return rc;
}

static void enc_commit(pgw_wr *w, const pgw_lrep_msg *m) {
  pgw_wr_u8(w, m->u.commit.flags);
  pgw_wr_u64(w, m->u.commit.commit_lsn);
  pgw_wr_u64(w, m->u.commit.end_lsn);
  pgw_wr_i64(w, m->u.commit.commit_time);
}

static int enc_relation(pgw_wr *w, const pgw_lrep_msg *m) {
  pgw_wr_u32(w, m->u.relation.relid);
  int rc = pgw_wr_cstr(w, m->u.relation.nspname);
  if (rc == 0) rc = pgw_wr_cstr(w, m->u.relation.relname);
  pgw_wr_u8(w, m->u.relation.replica_identity);
  pgw_wr_u16(w, m->u.relation.ncols);
  pgw_wr_bytes(w, m->u.relation.columns_raw);
  return rc;
}

static int enc_change(pgw_wr *w, const pgw_lrep_msg *m) {
  pgw_wr_u32(w, m->u.change.relid);
  if (m->kind == PGW_LREP_DELETE || m->u.change.old_kind != 0) {
    if (m->u.change.old_kind != 'K' && m->u.change.old_kind != 'O')
      return PGW_ERR_BAD_VALUE;
    pgw_wr_u8(w, m->u.change.old_kind);
    enc_tuple(w, &m->u.change.old_tuple);
  }
  if (m->kind == PGW_LREP_DELETE) return 0;
  pgw_wr_u8(w, 'N');
  enc_tuple(w, &m->u.change.new_tuple);
  return 0;
}

static int enc_prepare(pgw_wr *w, const pgw_lrep_msg *m) {
  if (m->kind != PGW_LREP_BEGIN_PREPARE) pgw_wr_u8(w, m->u.prepare.flags);
  pgw_wr_u64(w, m->u.prepare.lsn);
  pgw_wr_u64(w, m->u.prepare.end_lsn);
  pgw_wr_i64(w, m->u.prepare.time);
  pgw_wr_u32(w, m->xid);
  return pgw_wr_cstr(w, m->u.prepare.gid);
}

static int enc_rollback_prepared(pgw_wr *w, const pgw_lrep_msg *m) {
  pgw_wr_u8(w, m->u.rollback_prepared.flags);
  pgw_wr_u64(w, m->u.rollback_prepared.prepare_end_lsn);
  pgw_wr_u64(w, m->u.rollback_prepared.rollback_end_lsn);
  pgw_wr_i64(w, m->u.rollback_prepared.prepare_time);
  pgw_wr_i64(w, m->u.rollback_prepared.rollback_time);
  pgw_wr_u32(w, m->xid);
  return pgw_wr_cstr(w, m->u.rollback_prepared.gid);
}

static int enc_small(pgw_wr *w, const pgw_lrep_msg *m) {
  int rc = 0;
  switch (m->kind) {
  case PGW_LREP_BEGIN:
    pgw_wr_u64(w, m->u.begin.final_lsn);
    pgw_wr_i64(w, m->u.begin.commit_time);
    pgw_wr_u32(w, m->xid);
    break;
  case PGW_LREP_ORIGIN:
    pgw_wr_u64(w, m->u.origin.commit_lsn);
    rc = pgw_wr_cstr(w, m->u.origin.name);
    break;
  case PGW_LREP_TYPE:
    pgw_wr_u32(w, m->u.type.oid);
    rc = pgw_wr_cstr(w, m->u.type.nspname);
    if (rc == 0) rc = pgw_wr_cstr(w, m->u.type.name);
    break;
  case PGW_LREP_TRUNCATE:
    if (m->u.truncate.relids_raw.len != (size_t)m->u.truncate.nrels * 4)
      return PGW_ERR_BAD_COUNT;
    pgw_wr_u32(w, m->u.truncate.nrels);
    pgw_wr_u8(w, m->u.truncate.options);
    pgw_wr_bytes(w, m->u.truncate.relids_raw);
    break;
  case PGW_LREP_STREAM_START:
    pgw_wr_u32(w, m->xid);
    pgw_wr_u8(w, m->u.stream_start.first_segment);
    break;
  case PGW_LREP_STREAM_ABORT:
    pgw_wr_u32(w, m->xid);
    pgw_wr_u32(w, m->u.stream_abort.subxid);
    if (!m->u.stream_abort.has_abort_info) break;
    pgw_wr_u64(w, m->u.stream_abort.abort_lsn);
    pgw_wr_i64(w, m->u.stream_abort.abort_time);
    break;
  default: break; /* Stream Stop: nothing */
  }
  return rc;
}

static int enc_body(pgw_wr *w, const pgw_lrep_msg *m) {
  switch (m->kind) {
  case PGW_LREP_MESSAGE: return enc_message(w, m);
  case PGW_LREP_COMMIT: enc_commit(w, m); return 0;
  case PGW_LREP_STREAM_COMMIT:
    pgw_wr_u32(w, m->xid);
    enc_commit(w, m);
    return 0;
  case PGW_LREP_RELATION: return enc_relation(w, m);
  case PGW_LREP_INSERT:
  case PGW_LREP_UPDATE:
  case PGW_LREP_DELETE: return enc_change(w, m);
  case PGW_LREP_BEGIN_PREPARE:
  case PGW_LREP_PREPARE:
  case PGW_LREP_COMMIT_PREPARED:
  case PGW_LREP_STREAM_PREPARE: return enc_prepare(w, m);
  case PGW_LREP_ROLLBACK_PREPARED: return enc_rollback_prepared(w, m);
  default: return enc_small(w, m);
  }
}

int pgw_lrep_encode(const pgw_lrep_msg *m, uint8_t *buf, size_t cap,
                    size_t *len) {
  if (m == NULL || pgw_lrep_kind_name(m->kind) == NULL)
    return PGW_ERR_INVALID_ARGUMENT;
  if (buf == NULL) cap = 0;
  pgw_wr w = {buf, 0, cap};
  pgw_wr_u8(&w, (uint8_t)m->kind);
  if (xid_in_stream(m->kind) && m->has_xid) pgw_wr_u32(&w, m->xid);
  return pgw_repl_finish(&w, enc_body(&w, m), cap, len);
}

static int encode_any(const void *m, uint8_t *buf, size_t cap, size_t *len) {
  return pgw_lrep_encode((const pgw_lrep_msg *)m, buf, cap, len);
}

int pgw_lrep_encode_buf(const pgw_lrep_msg *m, pgw_buf *b) {
  return pgw_repl_encode_into_buf(encode_any, m, b);
}
