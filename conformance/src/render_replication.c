/*
 * render_replication.c - `pgw dump` on a replication connection: track
 * the command that opened each copy stream, decode the CopyData inside it
 * (streaming replication, BASE_BACKUP, pgoutput through its stream
 * context) and render the result through the fields emitter.
 */
#include "render_replication.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define K(s) s, sizeof(s) - 1

void cli_repl_init(cli_repl *r, unsigned server_version, pgw_mode mode) {
  memset(r, 0, sizeof *r);
  r->server_version = server_version;
  r->mode = mode;
  pgw_buf_init(&r->enc, NULL);
}

static void end_stream(cli_repl *r) {
  if (r->ls_ready) pgw_lrep_stream_free(&r->ls);
  r->ls_ready = 0;
  r->active = CLI_REPL_NONE;
}

void cli_repl_free(cli_repl *r) {
  end_stream(r);
  pgw_buf_free(&r->enc);
}

/* ---- which command ----------------------------------------------------- */

/* The query, lower-cased and NUL-terminated (cut at cap - 1 bytes). */
static void lower_copy(char *dst, size_t cap, pgw_str q) {
  size_t n = q.len < cap - 1 ? q.len : cap - 1;
  for (size_t i = 0; i < n; i++)
    dst[i] = (char)tolower((unsigned char)q.ptr[i]);
  dst[n] = 0;
}

/* The quoted value after option name in q ("name 'value'"), into v. */
static int option(const char *q, const char *name, char *v, size_t cap) {
  const char *p = strstr(q, name), *a, *b;
  if (p == NULL || (a = strchr(p + strlen(name), '\'')) == NULL) return 0;
  if ((b = strchr(a + 1, '\'')) == NULL) return 0;
  size_t n = (size_t)(b - a - 1) < cap - 1 ? (size_t)(b - a - 1) : cap - 1;
  memcpy(v, a + 1, n);
  v[n] = 0;
  return 1;
}

static void see_query(cli_repl *r, pgw_str text) {
  char q[4096], v[32];
  lower_copy(q, sizeof q, text);
  const char *s = q + strspn(q, " \t\r\n");
  r->pending = CLI_REPL_NONE;
  if (strncmp(s, "base_backup", 11) == 0) {
    /* before 15 each archive is its own CopyOut of raw tar bytes */
    if (r->server_version == 0 || r->server_version >= 15)
      r->pending = CLI_REPL_BASE_BACKUP;
    return;
  }
  if (strncmp(s, "start_replication", 17) != 0) return;
  if (strstr(s, " logical ") == NULL) {
    r->pending = CLI_REPL_PHYSICAL;
    return;
  }
  r->pending = CLI_REPL_LOGICAL_OTHER;
  if (option(s, "\"proto_version\"", v, sizeof v) == 0 &&
      option(s, "proto_version", v, sizeof v) == 0)
    return;
  if (strstr(s, "publication_names") == NULL) return;
  r->proto_version = v[0] >= '1' && v[0] <= '4' && v[1] == 0 ? v[0] - '0' : 0;
  if (r->proto_version == 0) return;
  r->parallel = option(s, "streaming", v, sizeof v) &&
                strcmp(v, "parallel") == 0 && r->proto_version >= 4;
  r->pending = CLI_REPL_PGOUTPUT;
}

static void start_stream(cli_repl *r) {
  r->active = r->pending;
  r->pending = CLI_REPL_NONE;
  if (r->active != CLI_REPL_PGOUTPUT) return;
  if (pgw_lrep_stream_init(&r->ls, r->proto_version, 0, NULL) != 0) {
    r->active = CLI_REPL_LOGICAL_OTHER; /* no memory: stay opaque */
    return;
  }
  pgw_lrep_stream_set_mode(&r->ls, r->mode);
  pgw_lrep_stream_set_parallel(&r->ls, r->parallel);
  r->ls_ready = 1;
}

/* ---- decoding ---------------------------------------------------------- */

static int decode(cli_repl *r, pgw_dir dir, pgw_bytes data) {
  pgw_repl_context ctx = r->active == CLI_REPL_BASE_BACKUP
                             ? PGW_REPL_BASE_BACKUP
                             : PGW_REPL_STREAMING;
  int rc = pgw_repl_decode(ctx, dir, data.ptr, data.len, &r->msg, &r->err);
  /* a documented deviation under --reference: shown undecoded */
  if (rc && !pgw_mode_rejects(r->mode, r->err.rule)) {
    r->warning = 1;
    return 0;
  }
  if (rc) return rc;
  r->have = 1;
  if (r->active != CLI_REPL_PGOUTPUT || r->msg.kind != PGW_REPL_XLOG_DATA)
    return 0;
  pgw_bytes w = r->msg.u.xlog_data.data;
  size_t warnings = r->ls.warnings;
  rc = pgw_lrep_stream_feed(&r->ls, w.ptr, w.len, &r->lmsg, &r->err);
  if (rc) {
    r->err.offset += 25; /* the XLogData header */
    return rc;
  }
  if (r->ls.warnings != warnings) {
    r->warning = 1;
    r->err = r->ls.last_warning;
    r->err.offset += 25;
  }
  r->have_logical = 1;
  return 0;
}

int cli_repl_track(cli_repl *r, pgw_dir dir, const pgw_message *m) {
  r->have = r->have_logical = r->warning = 0;
  switch (m->kind) {
  case PGW_MSG_QUERY: see_query(r, m->body.query.text); return 0;
  case PGW_MSG_COPY_BOTH_RESPONSE:
    if (r->pending != CLI_REPL_BASE_BACKUP) start_stream(r);
    return 0;
  case PGW_MSG_COPY_OUT_RESPONSE:
    if (r->pending == CLI_REPL_BASE_BACKUP) start_stream(r);
    return 0;
  case PGW_MSG_COPY_DONE:
    if (dir == PGW_BACKEND && r->active == CLI_REPL_BASE_BACKUP) end_stream(r);
    return 0;
  case PGW_MSG_READY_FOR_QUERY:
  case PGW_MSG_ERROR_RESPONSE: end_stream(r); return 0;
  case PGW_MSG_COPY_DATA:
    if (r->active == CLI_REPL_NONE) return 0;
    return decode(r, dir, m->body.copy_data.data);
  default: return 0;
  }
}

const cli_repl *cli_repl_current(const cli_repl *r) {
  return r->have ? r : NULL;
}

/* ---- rendering: streaming replication and BASE_BACKUP ------------------ */

static void num(cli_emit *e, const char *name, size_t nlen, uint64_t v) {
  e->num(e, name, nlen, (long long)v);
}

static void str(cli_emit *e, const char *name, size_t nlen, pgw_str s) {
  e->str(e, name, nlen, s.ptr, s.len);
}

static void emit_stream_msg(cli_emit *e, const cli_repl *r) {
  const pgw_repl_msg *m = &r->msg;
  switch (m->kind) {
  case PGW_REPL_XLOG_DATA:
    num(e, K("start_lsn"), m->u.xlog_data.start_lsn);
    num(e, K("wal_end"), m->u.xlog_data.wal_end);
    e->num(e, K("send_time"), m->u.xlog_data.send_time);
    if (r->active == CLI_REPL_LOGICAL_OTHER) /* test_decoding, wal2json */
      e->bytes(e, K("data"), m->u.xlog_data.data.ptr, m->u.xlog_data.data.len);
    else if (r->active == CLI_REPL_PHYSICAL)
      num(e, K("data_len"), m->u.xlog_data.data.len);
    break;
  case PGW_REPL_PRIMARY_KEEPALIVE:
    num(e, K("wal_end"), m->u.keepalive.wal_end);
    e->num(e, K("send_time"), m->u.keepalive.send_time);
    e->num(e, K("reply_requested"), m->u.keepalive.reply_requested);
    break;
  case PGW_REPL_STANDBY_STATUS_UPDATE:
    num(e, K("write_lsn"), m->u.standby_status.write_lsn);
    num(e, K("flush_lsn"), m->u.standby_status.flush_lsn);
    num(e, K("apply_lsn"), m->u.standby_status.apply_lsn);
    e->num(e, K("send_time"), m->u.standby_status.send_time);
    e->num(e, K("reply_requested"), m->u.standby_status.reply_requested);
    break;
  case PGW_REPL_HOT_STANDBY_FEEDBACK:
    e->num(e, K("send_time"), m->u.feedback.send_time);
    num(e, K("xmin"), m->u.feedback.xmin);
    num(e, K("xmin_epoch"), m->u.feedback.xmin_epoch);
    num(e, K("catalog_xmin"), m->u.feedback.catalog_xmin);
    num(e, K("catalog_xmin_epoch"), m->u.feedback.catalog_xmin_epoch);
    break;
  default: break;
  }
}

static void emit_other_msg(cli_emit *e, const pgw_repl_msg *m) {
  switch (m->kind) {
  case PGW_REPL_PRIMARY_STATUS_UPDATE:
    num(e, K("wal_end"), m->u.primary_status.wal_end);
    num(e, K("oldest_xid_in_commit"), m->u.primary_status.oldest_xid_in_commit);
    num(e, K("next_xid"), m->u.primary_status.next_xid);
    e->num(e, K("send_time"), m->u.primary_status.send_time);
    break;
  case PGW_REPL_PRIMARY_STATUS_REQUEST:
    e->num(e, K("send_time"), m->u.status_request.send_time);
    break;
  case PGW_REPL_BACKUP_NEW_ARCHIVE:
    str(e, K("name"), m->u.new_archive.name);
    str(e, K("location"), m->u.new_archive.location);
    break;
  case PGW_REPL_BACKUP_DATA:
    num(e, K("data_len"), m->u.backup_data.data.len);
    break;
  case PGW_REPL_BACKUP_PROGRESS:
    num(e, K("bytes_done"), m->u.progress.bytes_done);
    break;
  default: break;
  }
}

/* ---- rendering: pgoutput ----------------------------------------------- */

static void emit_tuple(cli_emit *e, const char *name, size_t nlen,
                       const pgw_lrep_tuple *t) {
  pgw_lrep_iter it = pgw_lrep_tuple_iter(t);
  pgw_lrep_value v;
  e->begin(e, name, nlen, 1);
  while (pgw_lrep_tuple_next(&it, &v) == 1) {
    e->begin(e, K(""), 0);
    e->chr(e, K("kind"), v.kind);
    if (v.kind == 't' || v.kind == 'b')
      e->bytes(e, K("data"), v.data.ptr, v.data.len);
    e->end(e, 0);
  }
  e->end(e, 1);
}

static void emit_relation(cli_emit *e, const pgw_lrep_msg *m) {
  pgw_lrep_iter it = pgw_lrep_relation_iter(m);
  pgw_lrep_column c;
  num(e, K("relid"), m->u.relation.relid);
  str(e, K("namespace"), m->u.relation.nspname);
  str(e, K("name"), m->u.relation.relname);
  e->chr(e, K("replica_identity"), m->u.relation.replica_identity);
  e->begin(e, K("columns"), 1);
  while (pgw_lrep_relation_next(&it, &c) == 1) {
    e->begin(e, K(""), 0);
    e->num(e, K("flags"), c.flags);
    str(e, K("name"), c.name);
    num(e, K("type_oid"), c.type_oid);
    e->num(e, K("typmod"), c.typmod);
    e->end(e, 0);
  }
  e->end(e, 1);
}

static void emit_change(cli_emit *e, const pgw_lrep_msg *m) {
  num(e, K("relid"), m->u.change.relid);
  if (m->u.change.old_kind) {
    e->chr(e, K("old_kind"), m->u.change.old_kind);
    emit_tuple(e, K("old"), &m->u.change.old_tuple);
  }
  if (m->kind != PGW_LREP_DELETE)
    emit_tuple(e, K("new"), &m->u.change.new_tuple);
}

static void emit_txn(cli_emit *e, const pgw_lrep_msg *m) {
  switch (m->kind) {
  case PGW_LREP_BEGIN:
    num(e, K("final_lsn"), m->u.begin.final_lsn);
    e->num(e, K("commit_time"), m->u.begin.commit_time);
    break;
  case PGW_LREP_COMMIT:
  case PGW_LREP_STREAM_COMMIT:
    e->num(e, K("flags"), m->u.commit.flags);
    num(e, K("commit_lsn"), m->u.commit.commit_lsn);
    num(e, K("end_lsn"), m->u.commit.end_lsn);
    e->num(e, K("commit_time"), m->u.commit.commit_time);
    break;
  case PGW_LREP_STREAM_START:
    e->num(e, K("first_segment"), m->u.stream_start.first_segment);
    break;
  case PGW_LREP_STREAM_ABORT:
    num(e, K("subxid"), m->u.stream_abort.subxid);
    if (!m->u.stream_abort.has_abort_info) break;
    num(e, K("abort_lsn"), m->u.stream_abort.abort_lsn);
    e->num(e, K("abort_time"), m->u.stream_abort.abort_time);
    break;
  case PGW_LREP_ROLLBACK_PREPARED:
    num(e, K("prepare_end_lsn"), m->u.rollback_prepared.prepare_end_lsn);
    num(e, K("rollback_end_lsn"), m->u.rollback_prepared.rollback_end_lsn);
    e->num(e, K("prepare_time"), m->u.rollback_prepared.prepare_time);
    e->num(e, K("rollback_time"), m->u.rollback_prepared.rollback_time);
    str(e, K("gid"), m->u.rollback_prepared.gid);
    break;
  default: /* the prepare family */
    num(e, K("lsn"), m->u.prepare.lsn);
    num(e, K("end_lsn"), m->u.prepare.end_lsn);
    e->num(e, K("time"), m->u.prepare.time);
    str(e, K("gid"), m->u.prepare.gid);
    break;
  }
}

static void emit_logical(cli_emit *e, const pgw_lrep_msg *m) {
  if (m->has_xid) num(e, K("xid"), m->xid);
  switch (m->kind) {
  case PGW_LREP_MESSAGE:
    e->num(e, K("flags"), m->u.message.flags);
    num(e, K("lsn"), m->u.message.lsn);
    str(e, K("prefix"), m->u.message.prefix);
    e->bytes(e, K("content"), m->u.message.content.ptr,
             m->u.message.content.len);
    break;
  case PGW_LREP_ORIGIN:
    num(e, K("commit_lsn"), m->u.origin.commit_lsn);
    str(e, K("name"), m->u.origin.name);
    break;
  case PGW_LREP_RELATION: emit_relation(e, m); break;
  case PGW_LREP_TYPE:
    num(e, K("oid"), m->u.type.oid);
    str(e, K("namespace"), m->u.type.nspname);
    str(e, K("name"), m->u.type.name);
    break;
  case PGW_LREP_INSERT:
  case PGW_LREP_UPDATE:
  case PGW_LREP_DELETE: emit_change(e, m); break;
  case PGW_LREP_TRUNCATE:
    num(e, K("nrels"), m->u.truncate.nrels);
    e->num(e, K("options"), m->u.truncate.options);
    e->begin(e, K("relids"), 1);
    for (uint32_t i = 0; i < m->u.truncate.nrels; i++) {
      const uint8_t *p = m->u.truncate.relids_raw.ptr + 4 * (size_t)i;
      num(e, K(""),
          (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 |
              p[3]);
    }
    e->end(e, 1);
    break;
  case PGW_LREP_STREAM_STOP: break;
  default: emit_txn(e, m); break;
  }
}

void cli_repl_emit(cli_emit *e, const cli_repl *r) {
  const char *t = pgw_repl_kind_name(r->msg.kind);
  e->begin(e, K("replication"), 0);
  e->str(e, K("type"), t, strlen(t));
  e->begin(e, K("fields"), 0);
  emit_stream_msg(e, r);
  emit_other_msg(e, &r->msg);
  e->end(e, 0);
  if (r->have_logical) {
    const char *lt = pgw_lrep_kind_name(r->lmsg.kind);
    e->begin(e, K("logical"), 0);
    e->str(e, K("type"), lt, strlen(lt));
    e->begin(e, K("fields"), 0);
    emit_logical(e, &r->lmsg);
    e->end(e, 0);
    e->end(e, 0);
  }
  e->end(e, 0);
}

/* ---- round trip -------------------------------------------------------- */

static int same(const pgw_buf *b, pgw_bytes want, size_t base, size_t *offset,
                char *detail, size_t n, const char *what) {
  size_t i, k = b->len < want.len ? b->len : want.len;
  for (i = 0; i < k && b->data[i] == want.ptr[i]; i++) {
  }
  if (i == k && b->len == want.len) return 0;
  *offset = base + i;
  snprintf(detail, n,
           "%s re-encodes to %zu bytes, %zu on the wire, first "
           "difference at byte %zu",
           what, b->len, want.len, i);
  return -1;
}

int cli_repl_roundtrip(cli_repl *r, const pgw_message *m, size_t *offset,
                       char *detail, size_t n) {
  if (!r->have) return 0;
  pgw_buf_clear(&r->enc);
  if (pgw_repl_encode_buf(&r->msg, &r->enc) != 0 ||
      same(&r->enc, m->body.copy_data.data, 0, offset, detail, n,
           pgw_repl_kind_name(r->msg.kind)) != 0)
    return -1;
  if (!r->have_logical) return 0;
  pgw_buf_clear(&r->enc);
  if (pgw_lrep_encode_buf(&r->lmsg, &r->enc) != 0) return -1;
  return same(&r->enc, r->msg.u.xlog_data.data, 25, offset, detail, n,
              pgw_lrep_kind_name(r->lmsg.kind));
}
