/*
 * pgw/replication.h - what travels inside CopyData on a replication
 * connection: the streaming replication messages (after START_REPLICATION),
 * the BASE_BACKUP archive stream (PostgreSQL 15 and later), and the
 * pgoutput logical replication messages (protocol versions 1 to 4) that
 * XLogData carries on a logical stream.
 *
 * Same contract as pgw/message.h: strict zero-copy decode of one CopyData
 * payload into a view (pointers into the payload, valid as long as it is),
 * exact encode (a decoded view re-encodes to the identical bytes), status
 * codes and pgw_error with offset, reason and rule.
 *
 * pgoutput needs context the bytes do not carry: the protocol version,
 * whether a streamed block is open (then changes carry a transaction id),
 * and the relations seen (a change's column count must match its
 * Relation). pgw_lrep_stream holds it, bounded: its relation cache is
 * allocated once, at init, and never grows.
 */
#ifndef PGW_REPLICATION_H
#define PGW_REPLICATION_H

#include <stddef.h>
#include <stdint.h>

#include "pgw/message.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of this part (beside pgw/message.h's; pgw_strerror names
 * them). */
enum pgw_repl_status {
  /* The message does not exist in the pgoutput protocol version in use. */
  PGW_ERR_REPL_VERSION = -40,
  /* Stream Start inside an open streamed block, Stream Stop outside one,
   * Stream Commit/Abort/Prepare or Begin inside one. */
  PGW_ERR_REPL_STREAM_ORDER = -41,
  /* A change names a relation no Relation message described. */
  PGW_ERR_REPL_UNKNOWN_RELATION = -42,
  /* A tuple's column count differs from its Relation's. */
  PGW_ERR_REPL_COLUMN_COUNT = -43,
  /* The relation cache is full (a limit the caller set). */
  PGW_ERR_REPL_CACHE_FULL = -44,
  /* An LSN the receiver requires to be set is 0 (InvalidXLogRecPtr). */
  PGW_ERR_REPL_INVALID_LSN = -45
};

/* ---------------------------------------------------------------------- */
/* Streaming replication and BASE_BACKUP                                   */

/* Which command started the copy stream: the same first byte means
 * different messages in each ('p' is a progress report in a backup and a
 * status request on a stream). */
typedef enum pgw_repl_context {
  PGW_REPL_STREAMING = 0,  /* START_REPLICATION, CopyBoth */
  PGW_REPL_BASE_BACKUP = 1 /* BASE_BACKUP, CopyOut (PostgreSQL 15+) */
} pgw_repl_context;

typedef enum pgw_repl_kind {
  PGW_REPL_UNKNOWN = 0,
  PGW_REPL_XLOG_DATA,              /* B 'w' */
  PGW_REPL_PRIMARY_KEEPALIVE,      /* B 'k' */
  PGW_REPL_PRIMARY_STATUS_UPDATE,  /* B 's' (PostgreSQL 19) */
  PGW_REPL_STANDBY_STATUS_UPDATE,  /* F 'r' */
  PGW_REPL_HOT_STANDBY_FEEDBACK,   /* F 'h' */
  PGW_REPL_PRIMARY_STATUS_REQUEST, /* F 'p' (PostgreSQL 19) */
  PGW_REPL_BACKUP_NEW_ARCHIVE,     /* B 'n' */
  PGW_REPL_BACKUP_MANIFEST,        /* B 'm' */
  PGW_REPL_BACKUP_DATA,            /* B 'd' */
  PGW_REPL_BACKUP_PROGRESS         /* B 'p' */
} pgw_repl_kind;

typedef struct pgw_repl_msg {
  pgw_repl_kind kind;
  union {
    struct { /* XLogData; data is WAL (physical) or a plugin's output */
      uint64_t start_lsn, wal_end;
      int64_t send_time;
      pgw_bytes data;
    } xlog_data;
    struct {
      uint64_t wal_end;
      int64_t send_time;
      uint8_t reply_requested;
    } keepalive;
    struct {
      uint64_t write_lsn, flush_lsn, apply_lsn;
      int64_t send_time;
      uint8_t reply_requested;
    } standby_status;
    struct {
      int64_t send_time;
      uint32_t xmin, xmin_epoch, catalog_xmin, catalog_xmin_epoch;
    } feedback;
    struct {
      uint64_t wal_end, oldest_xid_in_commit, next_xid;
      int64_t send_time;
    } primary_status;
    struct {
      int64_t send_time;
    } status_request;
    struct {
      pgw_str name, location; /* location is empty for the main archive */
    } new_archive;
    struct {
      pgw_bytes data; /* archive or manifest bytes */
    } backup_data;
    struct {
      uint64_t bytes_done;
    } progress;
  } u;
} pgw_repl_msg;

/* Name as the documentation spells it ("XLogData", "PrimaryKeepalive",
 * "StandbyStatusUpdate", "HotStandbyFeedback", "NewArchive", ...). */
const char *pgw_repl_kind_name(pgw_repl_kind kind);

/*
 * Decode one CopyData payload sent by dir inside a copy stream of ctx.
 * Returns 0, or PGW_ERR_TRUNCATED, PGW_ERR_TRAILING_BYTES,
 * PGW_ERR_NO_TERMINATOR, PGW_ERR_UNKNOWN_TYPE with *err (may be NULL)
 * holding the offset, reason and rule. Views point into payload.
 */
int pgw_repl_decode(pgw_repl_context ctx, pgw_dir dir, const uint8_t *payload,
                    size_t len, pgw_repl_msg *out, pgw_error *err);

/* Encode m (the CopyData payload, without the CopyData header) into
 * buf[0..cap); *len gets the size needed. PGW_ERR_BUFFER_TOO_SMALL when it
 * does not fit, PGW_ERR_INVALID_ARGUMENT for an unknown kind,
 * PGW_ERR_BAD_VALUE for a NUL inside a string. */
int pgw_repl_encode(const pgw_repl_msg *m, uint8_t *buf, size_t cap,
                    size_t *len);

/* Append the encoding of m to b (b unchanged on error). */
int pgw_repl_encode_buf(const pgw_repl_msg *m, pgw_buf *b);

/* ---------------------------------------------------------------------- */
/* pgoutput (Logical Replication Message Formats)                          */

#define PGW_LREP_VERSION_MIN 1
#define PGW_LREP_VERSION_MAX 4

/* The message type bytes, as the documentation defines them. */
typedef enum pgw_lrep_kind {
  PGW_LREP_BEGIN = 'B',
  PGW_LREP_MESSAGE = 'M',
  PGW_LREP_COMMIT = 'C',
  PGW_LREP_ORIGIN = 'O',
  PGW_LREP_RELATION = 'R',
  PGW_LREP_TYPE = 'Y',
  PGW_LREP_INSERT = 'I',
  PGW_LREP_UPDATE = 'U',
  PGW_LREP_DELETE = 'D',
  PGW_LREP_TRUNCATE = 'T',
  PGW_LREP_STREAM_START = 'S', /* version 2+ */
  PGW_LREP_STREAM_STOP = 'E',
  PGW_LREP_STREAM_COMMIT = 'c',
  PGW_LREP_STREAM_ABORT = 'A',
  PGW_LREP_BEGIN_PREPARE = 'b', /* version 3+ */
  PGW_LREP_PREPARE = 'P',
  PGW_LREP_COMMIT_PREPARED = 'K',
  PGW_LREP_ROLLBACK_PREPARED = 'r',
  PGW_LREP_STREAM_PREPARE = 'p'
} pgw_lrep_kind;

/* "Begin", "StreamStart", ... as the documentation names them; NULL for a
 * byte that is no pgoutput message. */
const char *pgw_lrep_kind_name(int kind);

/* TupleData: ncols columns; raw holds them exactly as on the wire (after
 * the Int16 count). Read them with pgw_lrep_tuple_iter. */
typedef struct pgw_lrep_tuple {
  uint16_t ncols;
  pgw_bytes raw;
} pgw_lrep_tuple;

/* One column of a tuple: kind 'n' (NULL), 'u' (unchanged TOAST value),
 * 't' (text) or 'b' (binary); data is empty for 'n' and 'u'. */
typedef struct pgw_lrep_value {
  uint8_t kind;
  pgw_bytes data;
} pgw_lrep_value;

/* One column of a Relation message; flags bit 1 marks a key column. */
typedef struct pgw_lrep_column {
  uint8_t flags;
  pgw_str name;
  uint32_t type_oid;
  int32_t typmod;
} pgw_lrep_column;

/* Iterator over a decoded tuple's values or a Relation's columns. */
typedef struct pgw_lrep_iter {
  const uint8_t *p, *end;
  size_t left;
} pgw_lrep_iter;

/* 1 and *out set, 0 at the end, PGW_ERR_TRUNCATED if raw runs short (only
 * possible for raw bytes that pgw_lrep_decode did not check). Inline: it
 * runs once per column of every change. */
static inline pgw_lrep_iter pgw_lrep_tuple_iter(const pgw_lrep_tuple *t) {
  pgw_lrep_iter it;
  it.p = t->raw.ptr;
  it.end = t->raw.ptr ? t->raw.ptr + t->raw.len : NULL;
  it.left = t->ncols;
  return it;
}

static inline int pgw_lrep_tuple_next(pgw_lrep_iter *it, pgw_lrep_value *out) {
  size_t avail, used = 1;
  if (it->left == 0) return 0;
  avail = (size_t)(it->end - it->p);
  if (avail < 1) return PGW_ERR_TRUNCATED;
  out->kind = it->p[0];
  out->data.ptr = NULL;
  out->data.len = 0;
  if (out->kind == 't' || out->kind == 'b') {
    uint32_t n;
    if (avail < 5) return PGW_ERR_TRUNCATED;
    n = (uint32_t)it->p[1] << 24 | (uint32_t)it->p[2] << 16 |
        (uint32_t)it->p[3] << 8 | (uint32_t)it->p[4];
    if (n > avail - 5) return PGW_ERR_TRUNCATED;
    out->data.ptr = it->p + 5;
    out->data.len = n;
    used = 5 + (size_t)n;
  }
  it->p += used;
  it->left--;
  return 1;
}

typedef struct pgw_lrep_msg {
  int kind;        /* pgw_lrep_kind */
  uint8_t has_xid; /* xid is on the wire (always for Begin, Stream *,
                      prepare messages; inside a streamed block for
                      Message, Relation, Type, Insert, Update, Delete and
                      Truncate) */
  uint32_t xid;
  union {
    struct {
      uint64_t final_lsn;
      int64_t commit_time;
    } begin;
    struct {
      uint8_t flags; /* bit 1: transactional */
      uint64_t lsn;
      pgw_str prefix;
      pgw_bytes content;
    } message;
    struct { /* Commit and Stream Commit */
      uint8_t flags;
      uint64_t commit_lsn, end_lsn;
      int64_t commit_time;
    } commit;
    struct {
      uint64_t commit_lsn;
      pgw_str name;
    } origin;
    struct {
      uint32_t relid;
      pgw_str nspname, relname; /* nspname "" means pg_catalog */
      uint8_t replica_identity; /* 'd', 'n', 'f' or 'i' */
      uint16_t ncols;
      pgw_bytes columns_raw; /* read with pgw_lrep_relation_iter */
    } relation;
    struct {
      uint32_t oid;
      pgw_str nspname, name;
    } type;
    struct { /* Insert (new), Update (old if old_kind, new), Delete (old) */
      uint32_t relid;
      uint8_t old_kind; /* 0, 'K' (key) or 'O' (old tuple) */
      pgw_lrep_tuple old_tuple, new_tuple;
    } change;
    struct {
      uint32_t nrels;
      uint8_t options;      /* 1 CASCADE, 2 RESTART IDENTITY */
      pgw_bytes relids_raw; /* nrels Int32 OIDs */
    } truncate;
    struct {
      uint8_t first_segment;
    } stream_start;
    struct {
      uint32_t subxid;
      uint8_t has_abort_info; /* version 4 with streaming = parallel */
      uint64_t abort_lsn;
      int64_t abort_time;
    } stream_abort;
    struct { /* Begin Prepare (no flags), Prepare, Commit Prepared,
                Stream Prepare */
      uint8_t flags;
      uint64_t lsn, end_lsn;
      int64_t time;
      pgw_str gid;
    } prepare;
    struct {
      uint8_t flags;
      uint64_t prepare_end_lsn, rollback_end_lsn;
      int64_t prepare_time, rollback_time;
      pgw_str gid;
    } rollback_prepared;
  } u;
} pgw_lrep_msg;

pgw_lrep_iter pgw_lrep_relation_iter(const pgw_lrep_msg *relation);
int pgw_lrep_relation_next(pgw_lrep_iter *it, pgw_lrep_column *out);

/*
 * Decode one pgoutput message (an XLogData's data) without stream
 * context beyond version (1 to 4) and in_stream (a streamed block is open,
 * so changes carry an xid). Checks layout, codes and version only; the
 * stream object adds order and relation checks. Returns 0 or a PGW_ERR_*
 * with *err (may be NULL). Views point into payload.
 */
int pgw_lrep_decode(const uint8_t *payload, size_t len, int version,
                    int in_stream, pgw_lrep_msg *out, pgw_error *err);

/* Encode m into buf[0..cap) exactly as pgoutput does; *len gets the size
 * needed. Lists and tuples are written from their raw bytes. Errors as
 * pgw_repl_encode(). */
int pgw_lrep_encode(const pgw_lrep_msg *m, uint8_t *buf, size_t cap,
                    size_t *len);
int pgw_lrep_encode_buf(const pgw_lrep_msg *m, pgw_buf *b);

/* ---------------------------------------------------------------------- */
/* pgoutput stream context                                                 */

#define PGW_LREP_DEFAULT_RELATIONS 1024u

typedef struct pgw_lrep_slot {
  uint32_t relid;
  uint16_t ncols;
  uint8_t used;
} pgw_lrep_slot;

/* Fields are private; read them with the functions below. */
typedef struct pgw_lrep_stream {
  int version;
  pgw_mode mode;
  uint8_t in_stream;
  uint8_t parallel; /* streaming = parallel: Stream Abort has its LSN */
  uint32_t stream_xid;
  size_t limit, nrel, nslots;
  pgw_lrep_slot *slots;
  pgw_allocator alloc;
  size_t warnings; /* documented deviations accepted (reference mode) */
  pgw_error last_warning;
} pgw_lrep_stream;

/* Set up s for protocol version (1..4) with room for at most
 * max_relations relations (0: PGW_LREP_DEFAULT_RELATIONS), allocated now
 * through alloc (NULL: malloc). 0, PGW_ERR_INVALID_ARGUMENT, NOMEM. */
int pgw_lrep_stream_init(pgw_lrep_stream *s, int version, size_t max_relations,
                         const pgw_allocator *alloc);
void pgw_lrep_stream_free(pgw_lrep_stream *s);
/* Strict (default), reference (documented deviations counted as
 * warnings) or lenient. */
void pgw_lrep_stream_set_mode(pgw_lrep_stream *s, pgw_mode mode);
/* The client asked for streaming = parallel (version 4). */
void pgw_lrep_stream_set_parallel(pgw_lrep_stream *s, int parallel);
int pgw_lrep_stream_in_block(const pgw_lrep_stream *s);

/*
 * Decode the next message of the stream and update the context: decode
 * errors as pgw_lrep_decode, plus PGW_ERR_REPL_STREAM_ORDER,
 * PGW_ERR_REPL_UNKNOWN_RELATION, PGW_ERR_REPL_COLUMN_COUNT and
 * PGW_ERR_REPL_CACHE_FULL. On error the context is unchanged. Does not
 * allocate.
 */
int pgw_lrep_stream_feed(pgw_lrep_stream *s, const uint8_t *payload, size_t len,
                         pgw_lrep_msg *out, pgw_error *err);

#ifdef __cplusplus
}
#endif

#endif /* PGW_REPLICATION_H */
