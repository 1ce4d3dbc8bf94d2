/*
 * pgoutput_stream.c - the context a pgoutput stream needs: protocol
 * version, the open streamed block, and a bounded cache of the relations
 * seen (relid -> column count), allocated once at init. Order checks
 * follow worker.c's apply_handle_stream_*; relation checks its
 * logicalrep_rel_open.
 */
#include "pgw_internal.h"
#include "pgw_repl.h"

int pgw_lrep_stream_init(pgw_lrep_stream *s, int version, size_t max_relations,
                         const pgw_allocator *alloc) {
  if (s == NULL || version < PGW_LREP_VERSION_MIN ||
      version > PGW_LREP_VERSION_MAX || max_relations > ((size_t)1 << 24))
    return PGW_ERR_INVALID_ARGUMENT;
  memset(s, 0, sizeof *s);
  pgw__allocator_init(&s->alloc, alloc);
  s->version = version;
  s->limit = max_relations ? max_relations : PGW_LREP_DEFAULT_RELATIONS;
  size_t n = 16;
  while (n < 2 * s->limit)
    n *= 2;
  s->slots =
      (pgw_lrep_slot *)s->alloc.malloc_fn(n * sizeof *s->slots, s->alloc.user);
  if (s->slots == NULL) return PGW_ERR_NOMEM;
  memset(s->slots, 0, n * sizeof *s->slots);
  s->nslots = n;
  return 0;
}

void pgw_lrep_stream_free(pgw_lrep_stream *s) {
  if (s == NULL || s->slots == NULL) return;
  s->alloc.free_fn(s->slots, s->alloc.user);
  s->slots = NULL;
  s->nslots = s->nrel = 0;
}

void pgw_lrep_stream_set_mode(pgw_lrep_stream *s, pgw_mode mode) {
  s->mode = mode;
}

void pgw_lrep_stream_set_parallel(pgw_lrep_stream *s, int parallel) {
  s->parallel = parallel != 0;
}

int pgw_lrep_stream_in_block(const pgw_lrep_stream *s) {
  return s->in_stream;
}

/* The slot of relid, or the empty slot where it would go. */
static pgw_lrep_slot *slot_of(const pgw_lrep_stream *s, uint32_t relid) {
  size_t mask = s->nslots - 1;
  size_t i = (size_t)(relid * 2654435761u) & mask;
  while (s->slots[i].used && s->slots[i].relid != relid)
    i = (i + 1) & mask;
  return &s->slots[i];
}

/* A failure at offset 0 of the message (the type byte). */
static int fail(pgw_error *err, int code, const pgw_rule *rule,
                const char *reason, size_t offset) {
  err->code = code;
  err->offset = offset;
  err->reason = reason;
  err->rule = rule;
  return code;
}

/* Apply the mode to a failed check: 0 when it is let through. */
static int judge(pgw_lrep_stream *s, pgw_error *err, int code,
                 enum pgw__rule_index idx, const char *reason, size_t off) {
  const pgw_rule *rule = pgw__rule(idx);
  if (pgw_mode_rejects(s->mode, rule))
    return fail(err, code, rule, reason, off);
  s->warnings++;
  fail(&s->last_warning, code, rule, reason, off);
  return 0;
}

static int check_order(pgw_lrep_stream *s, const pgw_lrep_msg *m,
                       pgw_error *err) {
  int bad;
  switch (m->kind) {
  case PGW_LREP_STREAM_START: bad = s->in_stream; break;
  case PGW_LREP_STREAM_STOP: bad = !s->in_stream; break;
  case PGW_LREP_BEGIN:
  case PGW_LREP_COMMIT:
  case PGW_LREP_STREAM_COMMIT:
  case PGW_LREP_STREAM_ABORT:
  case PGW_LREP_BEGIN_PREPARE:
  case PGW_LREP_PREPARE:
  case PGW_LREP_COMMIT_PREPARED:
  case PGW_LREP_ROLLBACK_PREPARED:
  case PGW_LREP_STREAM_PREPARE: bad = s->in_stream; break;
  default: bad = 0;
  }
  if (!bad) return 0;
  return judge(s, err, PGW_ERR_REPL_STREAM_ORDER, PGW__R_LREP_STREAM_ORDER,
               m->kind == PGW_LREP_STREAM_STOP
                   ? "Stream Stop outside a streamed block"
                   : "message not allowed inside a streamed block",
               0);
}

/* Stream Abort's LSN and time: present exactly with parallel streaming. */
static int check_abort(pgw_lrep_stream *s, const pgw_lrep_msg *m,
                       pgw_error *err) {
  if (m->kind != PGW_LREP_STREAM_ABORT || s->version < 4) return 0;
  if (m->u.stream_abort.has_abort_info == s->parallel) return 0;
  return judge(s, err, PGW_ERR_REPL_VERSION, PGW__R_LREP_VERSION,
               s->parallel ? "Stream Abort lacks its LSN (streaming = parallel)"
                           : "Stream Abort has an LSN without parallel "
                             "streaming",
               9);
}

static int check_tuple(pgw_lrep_stream *s, const pgw_lrep_tuple *t,
                       uint16_t ncols, pgw_error *err, size_t off) {
  if (t->ncols == ncols) return 0;
  return judge(s, err, PGW_ERR_REPL_COLUMN_COUNT, PGW__R_LREP_COLUMN_COUNT,
               "tuple column count differs from its Relation's", off);
}

static int check_change(pgw_lrep_stream *s, const pgw_lrep_msg *m,
                        pgw_error *err) {
  size_t off = m->has_xid ? 5 : 1;
  const pgw_lrep_slot *slot = slot_of(s, m->u.change.relid);
  if (!slot->used)
    return judge(s, err, PGW_ERR_REPL_UNKNOWN_RELATION,
                 PGW__R_LREP_UNKNOWN_RELATION,
                 "change for a relation no Relation message described", off);
  int rc = 0;
  if (m->kind == PGW_LREP_DELETE || m->u.change.old_kind)
    rc = check_tuple(s, &m->u.change.old_tuple, slot->ncols, err, off + 5);
  if (rc == 0 && m->kind != PGW_LREP_DELETE)
    rc = check_tuple(s, &m->u.change.new_tuple, slot->ncols, err, off + 5);
  return rc;
}

static int check_truncate(pgw_lrep_stream *s, const pgw_lrep_msg *m,
                          pgw_error *err) {
  const uint8_t *p = m->u.truncate.relids_raw.ptr;
  for (uint32_t i = 0; i < m->u.truncate.nrels; i++, p += 4)
    if (!slot_of(s, pgw_load32(p))->used) {
      size_t off =
          (size_t)(p - m->u.truncate.relids_raw.ptr) + (m->has_xid ? 10 : 6);
      return judge(s, err, PGW_ERR_REPL_UNKNOWN_RELATION,
                   PGW__R_LREP_UNKNOWN_RELATION,
                   "Truncate of a relation no Relation message described", off);
    }
  return 0;
}

static int check_relations(pgw_lrep_stream *s, const pgw_lrep_msg *m,
                           pgw_error *err) {
  switch (m->kind) {
  case PGW_LREP_RELATION:
    if (!slot_of(s, m->u.relation.relid)->used && s->nrel >= s->limit)
      return fail(err, PGW_ERR_REPL_CACHE_FULL, NULL,
                  "relation cache full (raise max_relations)", 0);
    return 0;
  case PGW_LREP_INSERT:
  case PGW_LREP_UPDATE:
  case PGW_LREP_DELETE: return check_change(s, m, err);
  case PGW_LREP_TRUNCATE: return check_truncate(s, m, err);
  default: return 0;
  }
}

static void apply(pgw_lrep_stream *s, const pgw_lrep_msg *m) {
  if (m->kind == PGW_LREP_RELATION) {
    pgw_lrep_slot *slot = slot_of(s, m->u.relation.relid);
    if (!slot->used) {
      if (s->nrel >= s->limit) return; /* lenient: cache full, not kept */
      slot->used = 1, slot->relid = m->u.relation.relid, s->nrel++;
    }
    slot->ncols = m->u.relation.ncols;
  } else if (m->kind == PGW_LREP_STREAM_START) {
    s->in_stream = 1, s->stream_xid = m->xid;
  } else if (m->kind == PGW_LREP_STREAM_STOP) {
    s->in_stream = 0;
  }
}

int pgw_lrep_stream_feed(pgw_lrep_stream *s, const uint8_t *payload, size_t len,
                         pgw_lrep_msg *out, pgw_error *err) {
  pgw_error dummy;
  if (err == NULL) err = &dummy;
  if (s == NULL || s->slots == NULL) return PGW_ERR_INVALID_ARGUMENT;
  pgw__lrep_ctx c = {s->mode, &s->warnings, &s->last_warning};
  int rc =
      pgw__lrep_decode(&c, payload, len, s->version, s->in_stream, out, err);
  if (rc == 0) rc = check_order(s, out, err);
  if (rc == 0) rc = check_abort(s, out, err);
  if (rc == 0) rc = check_relations(s, out, err);
  if (rc == 0) apply(s, out);
  return rc;
}
