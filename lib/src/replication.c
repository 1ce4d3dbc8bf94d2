/*
 * replication.c - the messages inside CopyData after START_REPLICATION
 * (XLogData, keepalive, standby status, hot standby feedback, the
 * PostgreSQL 19 primary status pair) and after BASE_BACKUP (new archive,
 * manifest, data, progress). Layouts: protocol.sgml "Streaming
 * Replication Protocol"; checks: walsender.c, walreceiver.c,
 * receivelog.c, pg_basebackup.c (see the rules' sources).
 */
#include "pgw_repl.h"

const char *pgw_repl_kind_name(pgw_repl_kind kind) {
  switch (kind) {
  case PGW_REPL_XLOG_DATA: return "XLogData";
  case PGW_REPL_PRIMARY_KEEPALIVE: return "PrimaryKeepalive";
  case PGW_REPL_PRIMARY_STATUS_UPDATE: return "PrimaryStatusUpdate";
  case PGW_REPL_STANDBY_STATUS_UPDATE: return "StandbyStatusUpdate";
  case PGW_REPL_HOT_STANDBY_FEEDBACK: return "HotStandbyFeedback";
  case PGW_REPL_PRIMARY_STATUS_REQUEST: return "PrimaryStatusRequest";
  case PGW_REPL_BACKUP_NEW_ARCHIVE: return "NewArchive";
  case PGW_REPL_BACKUP_MANIFEST: return "Manifest";
  case PGW_REPL_BACKUP_DATA: return "ArchiveData";
  case PGW_REPL_BACKUP_PROGRESS: return "Progress";
  case PGW_REPL_UNKNOWN: break;
  }
  return "Unknown";
}

static pgw_repl_kind kind_of(pgw_repl_context ctx, pgw_dir dir, uint8_t t) {
  if (ctx == PGW_REPL_BASE_BACKUP) {
    if (dir != PGW_BACKEND) return PGW_REPL_UNKNOWN;
    return t == 'n'   ? PGW_REPL_BACKUP_NEW_ARCHIVE
           : t == 'm' ? PGW_REPL_BACKUP_MANIFEST
           : t == 'd' ? PGW_REPL_BACKUP_DATA
           : t == 'p' ? PGW_REPL_BACKUP_PROGRESS
                      : PGW_REPL_UNKNOWN;
  }
  if (dir == PGW_BACKEND)
    return t == 'w'   ? PGW_REPL_XLOG_DATA
           : t == 'k' ? PGW_REPL_PRIMARY_KEEPALIVE
           : t == 's' ? PGW_REPL_PRIMARY_STATUS_UPDATE
                      : PGW_REPL_UNKNOWN;
  return t == 'r'   ? PGW_REPL_STANDBY_STATUS_UPDATE
         : t == 'h' ? PGW_REPL_HOT_STANDBY_FEEDBACK
         : t == 'p' ? PGW_REPL_PRIMARY_STATUS_REQUEST
                    : PGW_REPL_UNKNOWN;
}

static int decode_stream_be(pgw_rd *r, pgw_repl_msg *m) {
  int rc = 0;
  if (m->kind == PGW_REPL_XLOG_DATA) {
    if ((rc = pgw_rd_u64(r, &m->u.xlog_data.start_lsn, "XLogData start")) ||
        (rc = pgw_rd_u64(r, &m->u.xlog_data.wal_end, "XLogData WAL end")) ||
        (rc = pgw_rd_i64(r, &m->u.xlog_data.send_time, "XLogData time")))
      return rc;
    pgw_rd_rest(r, &m->u.xlog_data.data);
    return 0;
  }
  if (m->kind == PGW_REPL_PRIMARY_KEEPALIVE) {
    if ((rc = pgw_rd_u64(r, &m->u.keepalive.wal_end, "keepalive WAL end")) ||
        (rc = pgw_rd_i64(r, &m->u.keepalive.send_time, "keepalive time")) ||
        (rc = pgw_rd_u8(r, &m->u.keepalive.reply_requested, "keepalive reply")))
      return rc;
    if (pgw_rd_left(r) != 0)
      return pgw_repl_fail(r, PGW_ERR_TRAILING_BYTES,
                           PGW__R_REPL_KEEPALIVE_LENGTH,
                           "bytes after the keepalive's reply flag");
    return 0;
  }
  if ((rc = pgw_rd_u64(r, &m->u.primary_status.wal_end, "status WAL end")) ||
      (rc = pgw_rd_u64(r, &m->u.primary_status.oldest_xid_in_commit,
                       "status oldest xid")) ||
      (rc = pgw_rd_u64(r, &m->u.primary_status.next_xid, "status next xid")) ||
      (rc = pgw_rd_i64(r, &m->u.primary_status.send_time, "status time")))
    return rc;
  return pgw_rd_end(r, "bytes after the primary status update");
}

static int decode_stream_fe(pgw_rd *r, pgw_repl_msg *m) {
  int rc = 0;
  if (m->kind == PGW_REPL_STANDBY_STATUS_UPDATE) {
    if ((rc = pgw_rd_u64(r, &m->u.standby_status.write_lsn, "write LSN")) ||
        (rc = pgw_rd_u64(r, &m->u.standby_status.flush_lsn, "flush LSN")) ||
        (rc = pgw_rd_u64(r, &m->u.standby_status.apply_lsn, "apply LSN")) ||
        (rc = pgw_rd_i64(r, &m->u.standby_status.send_time, "status time")) ||
        (rc = pgw_rd_u8(r, &m->u.standby_status.reply_requested,
                        "status reply flag")))
      return rc;
    return pgw_rd_end(r, "bytes after the standby status update");
  }
  if (m->kind == PGW_REPL_HOT_STANDBY_FEEDBACK) {
    if ((rc = pgw_rd_i64(r, &m->u.feedback.send_time, "feedback time")) ||
        (rc = pgw_rd_u32(r, &m->u.feedback.xmin, "feedback xmin")) ||
        (rc = pgw_rd_u32(r, &m->u.feedback.xmin_epoch, "xmin epoch")) ||
        (rc = pgw_rd_u32(r, &m->u.feedback.catalog_xmin, "catalog xmin")) ||
        (rc = pgw_rd_u32(r, &m->u.feedback.catalog_xmin_epoch,
                         "catalog xmin epoch")))
      return rc;
    return pgw_rd_end(r, "bytes after the hot standby feedback");
  }
  if ((rc = pgw_rd_i64(r, &m->u.status_request.send_time, "request time")))
    return rc;
  return pgw_rd_end(r, "bytes after the primary status request");
}

static int decode_backup(pgw_rd *r, pgw_repl_msg *m) {
  int rc = 0;
  switch (m->kind) {
  case PGW_REPL_BACKUP_NEW_ARCHIVE:
    if ((rc = pgw_rd_cstr(r, &m->u.new_archive.name, "archive name")) ||
        (rc = pgw_rd_cstr(r, &m->u.new_archive.location, "archive location")))
      return rc;
    break;
  case PGW_REPL_BACKUP_DATA: pgw_rd_rest(r, &m->u.backup_data.data); break;
  case PGW_REPL_BACKUP_PROGRESS:
    if ((rc = pgw_rd_u64(r, &m->u.progress.bytes_done, "progress bytes")))
      return rc;
    break;
  default: break; /* manifest: nothing after the type */
  }
  return pgw_rd_end(r, "bytes after the last field of the backup message");
}

/* The rule of a failure the generic readers reported without one. */
static void name_rule(pgw_repl_context ctx, pgw_error *err) {
  if (err->rule != NULL) return;
  int trailing = err->code == PGW_ERR_TRAILING_BYTES;
  if (ctx == PGW_REPL_BASE_BACKUP)
    err->rule =
        pgw__rule(trailing ? PGW__R_BACKUP_TRAILING : PGW__R_BACKUP_TRUNCATED);
  else
    err->rule =
        pgw__rule(trailing ? PGW__R_REPL_TRAILING : PGW__R_REPL_TRUNCATED);
}

int pgw_repl_decode(pgw_repl_context ctx, pgw_dir dir, const uint8_t *payload,
                    size_t len, pgw_repl_msg *out, pgw_error *err) {
  pgw_error dummy;
  if (err == NULL) err = &dummy;
  err->rule = NULL;
  if (out == NULL || (payload == NULL && len != 0))
    return PGW_ERR_INVALID_ARGUMENT;
  /* each decoder sets every field of its kind */
  pgw_rd r;
  pgw_rd_init(&r, payload, len, err);
  uint8_t t;
  out->kind = PGW_REPL_UNKNOWN;
  int rc = pgw_rd_u8(&r, &t, "replication message type missing");
  if (rc == 0) {
    out->kind = kind_of(ctx, dir, t);
    if (out->kind == PGW_REPL_UNKNOWN) {
      r.p--;
      return pgw_repl_fail(&r, PGW_ERR_UNKNOWN_TYPE,
                           ctx == PGW_REPL_BASE_BACKUP ? PGW__R_BACKUP_TYPE
                                                       : PGW__R_REPL_TYPE,
                           "unknown replication message type");
    }
    rc = ctx == PGW_REPL_BASE_BACKUP ? decode_backup(&r, out)
         : dir == PGW_BACKEND        ? decode_stream_be(&r, out)
                                     : decode_stream_fe(&r, out);
  }
  if (rc) name_rule(ctx, err);
  return rc;
}

static uint8_t type_byte(pgw_repl_kind kind) {
  switch (kind) {
  case PGW_REPL_XLOG_DATA: return 'w';
  case PGW_REPL_PRIMARY_KEEPALIVE: return 'k';
  case PGW_REPL_PRIMARY_STATUS_UPDATE: return 's';
  case PGW_REPL_STANDBY_STATUS_UPDATE: return 'r';
  case PGW_REPL_HOT_STANDBY_FEEDBACK: return 'h';
  case PGW_REPL_PRIMARY_STATUS_REQUEST: return 'p';
  case PGW_REPL_BACKUP_NEW_ARCHIVE: return 'n';
  case PGW_REPL_BACKUP_MANIFEST: return 'm';
  case PGW_REPL_BACKUP_DATA: return 'd';
  case PGW_REPL_BACKUP_PROGRESS: return 'p';
  case PGW_REPL_UNKNOWN: break;
  }
  return 0;
}

static int encode_into(const pgw_repl_msg *m, pgw_wr *w) {
  uint8_t t = type_byte(m->kind);
  if (t == 0) return PGW_ERR_INVALID_ARGUMENT;
  pgw_wr_u8(w, t);
  switch (m->kind) {
  case PGW_REPL_XLOG_DATA:
    pgw_wr_u64(w, m->u.xlog_data.start_lsn);
    pgw_wr_u64(w, m->u.xlog_data.wal_end);
    pgw_wr_i64(w, m->u.xlog_data.send_time);
    pgw_wr_bytes(w, m->u.xlog_data.data);
    return 0;
  case PGW_REPL_PRIMARY_KEEPALIVE:
    pgw_wr_u64(w, m->u.keepalive.wal_end);
    pgw_wr_i64(w, m->u.keepalive.send_time);
    pgw_wr_u8(w, m->u.keepalive.reply_requested);
    return 0;
  case PGW_REPL_PRIMARY_STATUS_UPDATE:
    pgw_wr_u64(w, m->u.primary_status.wal_end);
    pgw_wr_u64(w, m->u.primary_status.oldest_xid_in_commit);
    pgw_wr_u64(w, m->u.primary_status.next_xid);
    pgw_wr_i64(w, m->u.primary_status.send_time);
    return 0;
  case PGW_REPL_STANDBY_STATUS_UPDATE:
    pgw_wr_u64(w, m->u.standby_status.write_lsn);
    pgw_wr_u64(w, m->u.standby_status.flush_lsn);
    pgw_wr_u64(w, m->u.standby_status.apply_lsn);
    pgw_wr_i64(w, m->u.standby_status.send_time);
    pgw_wr_u8(w, m->u.standby_status.reply_requested);
    return 0;
  default: break;
  }
  return 0;
}

static int encode_rest(const pgw_repl_msg *m, pgw_wr *w) {
  int rc = 0;
  switch (m->kind) {
  case PGW_REPL_HOT_STANDBY_FEEDBACK:
    pgw_wr_i64(w, m->u.feedback.send_time);
    pgw_wr_u32(w, m->u.feedback.xmin);
    pgw_wr_u32(w, m->u.feedback.xmin_epoch);
    pgw_wr_u32(w, m->u.feedback.catalog_xmin);
    pgw_wr_u32(w, m->u.feedback.catalog_xmin_epoch);
    break;
  case PGW_REPL_PRIMARY_STATUS_REQUEST:
    pgw_wr_i64(w, m->u.status_request.send_time);
    break;
  case PGW_REPL_BACKUP_NEW_ARCHIVE:
    if ((rc = pgw_wr_cstr(w, m->u.new_archive.name)) == 0)
      rc = pgw_wr_cstr(w, m->u.new_archive.location);
    break;
  case PGW_REPL_BACKUP_DATA: pgw_wr_bytes(w, m->u.backup_data.data); break;
  case PGW_REPL_BACKUP_PROGRESS: pgw_wr_u64(w, m->u.progress.bytes_done); break;
  default: break;
  }
  return rc;
}

int pgw_repl_encode(const pgw_repl_msg *m, uint8_t *buf, size_t cap,
                    size_t *len) {
  if (m == NULL) return PGW_ERR_INVALID_ARGUMENT;
  if (buf == NULL) cap = 0;
  pgw_wr w = {buf, 0, cap};
  int rc = encode_into(m, &w);
  if (rc == 0) rc = encode_rest(m, &w);
  return pgw_repl_finish(&w, rc, cap, len);
}

static int encode_any(const void *m, uint8_t *buf, size_t cap, size_t *len) {
  return pgw_repl_encode((const pgw_repl_msg *)m, buf, cap, len);
}

int pgw_repl_encode_buf(const pgw_repl_msg *m, pgw_buf *b) {
  return pgw_repl_encode_into_buf(encode_any, m, b);
}

const char *pgw__repl_strerror(int status) {
  switch (status) {
  case PGW_ERR_REPL_VERSION: return "PGW_ERR_REPL_VERSION";
  case PGW_ERR_REPL_STREAM_ORDER: return "PGW_ERR_REPL_STREAM_ORDER";
  case PGW_ERR_REPL_UNKNOWN_RELATION: return "PGW_ERR_REPL_UNKNOWN_RELATION";
  case PGW_ERR_REPL_COLUMN_COUNT: return "PGW_ERR_REPL_COLUMN_COUNT";
  case PGW_ERR_REPL_CACHE_FULL: return "PGW_ERR_REPL_CACHE_FULL";
  case PGW_ERR_REPL_INVALID_LSN: return "PGW_ERR_REPL_INVALID_LSN";
  default: return "PGW_ERR_UNKNOWN_STATUS";
  }
}
