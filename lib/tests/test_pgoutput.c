/* test_pgoutput.c - the pgoutput decoder and its stream context on the
 * real messages of the recorded sessions (fixtures_replication.h): whole
 * sequences through pgw_lrep_stream without allocating, the values the
 * recording workload put there, and every malformed class. */
#include "pgw_test.h"

#include "fixtures_replication.h"

#define NFIX (sizeof repl_fixtures / sizeof repl_fixtures[0])
#define NSEQ (sizeof repl_sequences / sizeof repl_sequences[0])

static unsigned char buf[65536], enc[65536];

/* The payload of the first fixture of source with this type byte (and
 * streamed-block flag, -1 for either) into buf; its length (0: none). */
static size_t fix(const char *source, int type, int in_stream,
                  const repl_fixture **out) {
  for (size_t i = 0; i < NFIX; i++) {
    const repl_fixture *f = &repl_fixtures[i];
    if (f->ctx != 2 || strcmp(f->source, source) != 0) continue;
    if (in_stream >= 0 && f->in_stream != in_stream) continue;
    size_t n = pgw_test_hex(f->hex, buf, sizeof buf);
    if (buf[0] != type) continue;
    if (out) *out = f;
    return n;
  }
  fprintf(stderr, "no fixture %s '%c'\n", source, type);
  abort();
}

static void feed_sequence(const repl_sequence *q) {
  pgw_test_counter c = {0, 0, 0};
  pgw_allocator a = pgw_test_allocator(&c);
  pgw_lrep_stream s;
  CHECK_EQ_INT(pgw_lrep_stream_init(&s, q->version, 0, &a), 0);
  pgw_lrep_stream_set_parallel(&s, q->parallel);
  size_t allocs = c.allocs, count = 0;
  for (const char *const *h = q->msgs; *h; h++, count++) {
    size_t n = pgw_test_hex(*h, buf, sizeof buf), len = 0;
    pgw_lrep_msg m;
    pgw_error e;
    int rc = pgw_lrep_stream_feed(&s, buf, n, &m, &e);
    CHECK_EQ_INT(rc, 0);
    if (rc) fprintf(stderr, "  %s #%zu: %s\n", q->source, count, e.reason);
    CHECK_EQ_INT(pgw_lrep_encode(&m, enc, sizeof enc, &len), 0);
    CHECK(len == n && memcmp(enc, buf, n) == 0);
  }
  CHECK(count > 5);
  CHECK_EQ_INT(c.allocs, allocs); /* nothing per message */
  CHECK_EQ_INT(c.reallocs, 0);
  CHECK_EQ_INT(pgw_lrep_stream_in_block(&s), 0);
  CHECK_EQ_INT(s.warnings, 0);
  pgw_lrep_stream_free(&s);
  CHECK_EQ_INT(c.frees, 1);
}

static void test_sequences(void) {
  CHECK(NSEQ >= 9);
  for (size_t i = 0; i < NSEQ; i++)
    feed_sequence(&repl_sequences[i]);
}

static pgw_lrep_msg dec(size_t n, int version, int in_stream) {
  pgw_lrep_msg m;
  pgw_error e;
  CHECK_EQ_INT(pgw_lrep_decode(buf, n, version, in_stream, &m, &e), 0);
  return m;
}

/* Values the recording's workload (conformance/replication/record) sent. */
static void test_values(void) {
  pgw_lrep_msg m = dec(fix("pg18/pgoutput-v1", 'R', 0, NULL), 1, 0);
  CHECK_STR(m.u.relation.nspname, "public");
  CHECK_STR(m.u.relation.relname, "t");
  CHECK_EQ_INT(m.u.relation.ncols, 3);
  pgw_lrep_iter it = pgw_lrep_relation_iter(&m);
  pgw_lrep_column c;
  CHECK_EQ_INT(pgw_lrep_relation_next(&it, &c), 1);
  CHECK_STR(c.name, "id");
  CHECK_EQ_INT(c.flags, 1); /* the primary key */
  CHECK_EQ_INT(c.type_oid, 23);
  m = dec(fix("pg18/pgoutput-v1", 'Y', 0, NULL), 1, 0);
  CHECK_STR(m.u.type.name, "mood");
  m = dec(fix("pg18/pgoutput-v1", 'M', 0, NULL), 1, 0);
  CHECK_STR(m.u.message.prefix, "pgw");
  CHECK_EQ_INT(m.u.message.flags, 1);
  m = dec(fix("pg18/pgoutput-v2-streaming", 'O', -1, NULL), 2, 0);
  CHECK_STR(m.u.origin.name, "pgw_origin");
  CHECK_EQ_INT(m.u.origin.commit_lsn, 0x1234);
  m = dec(fix("pg18/pgoutput-v3-two_phase", 'K', 0, NULL), 3, 0);
  CHECK_STR(m.u.prepare.gid, "pgw_g1");
  m = dec(fix("pg18/pgoutput-v3-two_phase", 'r', 0, NULL), 3, 0);
  CHECK_STR(m.u.rollback_prepared.gid, "pgw_g2");
  m = dec(fix("pg18/pgoutput-v3-two_phase", 'p', 0, NULL), 3, 0);
  CHECK_STR(m.u.prepare.gid, "pgw_g3");
  m = dec(fix("pg18/pgoutput-v4-parallel", 'A', 0, NULL), 4, 0);
  CHECK_EQ_INT(m.u.stream_abort.has_abort_info, 1);
  m = dec(fix("pg18/pgoutput-v2-streaming", 'A', 0, NULL), 2, 0);
  CHECK_EQ_INT(m.u.stream_abort.has_abort_info, 0);
  m = dec(fix("pg18/pgoutput-v2-streaming", 'I', 1, NULL), 2, 1);
  CHECK_EQ_INT(m.has_xid, 1);
}

/* The kinds of an Update's new tuple columns, e.g. "tut". */
static void tuple_kinds(const pgw_lrep_tuple *t, char *out) {
  pgw_lrep_iter it = pgw_lrep_tuple_iter(t);
  pgw_lrep_value v;
  while (pgw_lrep_tuple_next(&it, &v) == 1)
    *out++ = (char)v.kind;
  *out = 0;
}

static void test_tuples(void) {
  char k[16];
  /* UPDATE t SET v = 'uno' WHERE id = 1: big is TOASTed, unchanged */
  pgw_lrep_msg m = dec(fix("pg18/pgoutput-v1", 'U', 0, NULL), 1, 0);
  tuple_kinds(&m.u.change.new_tuple, k);
  CHECK(strcmp(k, "ttu") == 0);
  m = dec(fix("pg18/pgoutput-v1-binary", 'I', 0, NULL), 1, 0);
  tuple_kinds(&m.u.change.new_tuple, k);
  CHECK(strcmp(k, "bbb") == 0);
  m = dec(fix("pg18/pgoutput-v1", 'D', 0, NULL), 1, 0);
  CHECK_EQ_INT(m.u.change.old_kind, 'K'); /* key of the default identity */
  m = dec(fix("pg15/pgoutput-v1", 'T', 0, NULL), 1, 0);
  CHECK_EQ_INT(m.u.truncate.nrels, 1);
}

static int fails(size_t n, int version, int in_stream, const char *rule,
                 size_t *offset) {
  pgw_lrep_msg m;
  pgw_error e;
  int rc = pgw_lrep_decode(buf, n, version, in_stream, &m, &e);
  CHECK(rc != 0);
  if (rc == 0) return 0;
  CHECK(e.rule != NULL);
  if (rule && e.rule && strcmp(e.rule->id, rule) != 0) {
    fprintf(stderr, "  rule %s, expected %s (%s)\n", e.rule->id, rule,
            e.reason);
    CHECK(0);
  }
  if (offset) *offset = e.offset;
  return rc;
}

static void test_malformed(void) {
  size_t n, off = 0;
  const char *v1 = "pg18/pgoutput-v1";
  /* unknown tuple column kind at the first column (type, relid, 'N',
   * count: offset 8) */
  n = fix(v1, 'I', 0, NULL);
  buf[8] = 'x';
  CHECK_EQ_INT(fails(n, 1, 0, "pgoutput.tuple.kind", &off),
               PGW_ERR_UNKNOWN_CODE);
  CHECK_EQ_INT(off, 8);
  /* negative length of that 't' column */
  n = fix(v1, 'I', 0, NULL);
  CHECK_EQ_INT(buf[8], 't');
  memset(buf + 9, 0xff, 4);
  CHECK_EQ_INT(fails(n, 1, 0, "pgoutput.tuple.length", &off),
               PGW_ERR_NEGATIVE_LENGTH);
  CHECK_EQ_INT(off, 9);
  /* wrong marker */
  n = fix(v1, 'I', 0, NULL);
  buf[5] = 'K';
  CHECK_EQ_INT(fails(n, 1, 0, "pgoutput.change.marker", &off),
               PGW_ERR_UNKNOWN_CODE);
  /* wrong counts: one more column than the bytes hold */
  n = fix(v1, 'I', 0, NULL);
  buf[7]++;
  CHECK_EQ_INT(fails(n, 1, 0, "pgoutput.truncated", NULL), PGW_ERR_TRUNCATED);
  n = fix("pg15/pgoutput-v1", 'T', 0, NULL);
  buf[4]++;
  CHECK_EQ_INT(fails(n, 1, 0, "pgoutput.truncated", NULL), PGW_ERR_TRUNCATED);
  /* flags that must be 0 */
  n = fix(v1, 'C', 0, NULL);
  buf[1] = 1;
  CHECK_EQ_INT(fails(n, 1, 0, "pgoutput.flags.zero", &off), PGW_ERR_BAD_VALUE);
  CHECK_EQ_INT(off, 1);
  /* Begin without its final LSN */
  n = fix(v1, 'B', 0, NULL);
  memset(buf + 1, 0, 8);
  CHECK_EQ_INT(fails(n, 1, 0, "pgoutput.lsn.set", NULL),
               PGW_ERR_REPL_INVALID_LSN);
  /* a String without its NUL */
  n = fix("pg18/pgoutput-v2-streaming", 'O', -1, NULL);
  buf[n - 1] = 'x';
  CHECK_EQ_INT(fails(n, 2, 0, "pgoutput.string.terminated", NULL),
               PGW_ERR_NO_TERMINATOR);
  /* replica identity outside d, n, f, i (documented) */
  n = fix(v1, 'R', 0, NULL);
  buf[1 + 4 + 7 + 2] = 'z'; /* after relid, "public\0", "t\0" */
  CHECK_EQ_INT(fails(n, 1, 0, "pgoutput.relation.replica-identity", NULL),
               PGW_ERR_UNKNOWN_CODE);
}

/* The transaction id is there exactly inside a streamed block. */
static void test_xid_presence(void) {
  size_t n = fix("pg18/pgoutput-v2-streaming", 'I', 1, NULL);
  CHECK(fails(n, 2, 0, NULL, NULL) != 0);
  n = fix("pg18/pgoutput-v1", 'I', 0, NULL);
  CHECK(fails(n, 2, 1, NULL, NULL) != 0);
  n = fix("pg18/pgoutput-v2-streaming", 'R', 1, NULL);
  CHECK(fails(n, 2, 0, NULL, NULL) != 0);
}

static void test_versions(void) {
  size_t n = fix("pg18/pgoutput-v2-streaming", 'S', 0, NULL);
  CHECK_EQ_INT(fails(n, 1, 0, "pgoutput.version", NULL), PGW_ERR_REPL_VERSION);
  n = fix("pg18/pgoutput-v3-two_phase", 'b', 0, NULL);
  CHECK_EQ_INT(fails(n, 2, 0, "pgoutput.version", NULL), PGW_ERR_REPL_VERSION);
  /* version 4's abort LSN is trailing bytes in version 2 and 3 */
  n = fix("pg18/pgoutput-v4-parallel", 'A', 0, NULL);
  CHECK_EQ_INT(fails(n, 3, 0, "pgoutput.trailing", NULL),
               PGW_ERR_TRAILING_BYTES);
  /* reference mode: the documented version rule is a warning */
  pgw_lrep_stream s;
  pgw_lrep_msg m;
  pgw_error e;
  CHECK_EQ_INT(pgw_lrep_stream_init(&s, 1, 4, NULL), 0);
  pgw_lrep_stream_set_mode(&s, PGW_MODE_REFERENCE);
  n = fix("pg18/pgoutput-v2-streaming", 'S', 0, NULL);
  CHECK_EQ_INT(pgw_lrep_stream_feed(&s, buf, n, &m, &e), 0);
  CHECK_EQ_INT(s.warnings, 1);
  CHECK(strcmp(s.last_warning.rule->id, "pgoutput.version") == 0);
  pgw_lrep_stream_free(&s);
}

static int feed(pgw_lrep_stream *s, const char *source, int type, int in_stream,
                pgw_error *e) {
  pgw_lrep_msg m;
  size_t n = fix(source, type, in_stream, NULL);
  return pgw_lrep_stream_feed(s, buf, n, &m, e);
}

static void test_stream_order(void) {
  const char *v2 = "pg18/pgoutput-v2-streaming";
  pgw_lrep_stream s;
  pgw_error e;
  CHECK_EQ_INT(pgw_lrep_stream_init(&s, 2, 0, NULL), 0);
  CHECK_EQ_INT(feed(&s, v2, 'E', 1, &e), PGW_ERR_REPL_STREAM_ORDER);
  CHECK(strcmp(e.rule->id, "pgoutput.stream.order") == 0);
  CHECK_EQ_INT(feed(&s, v2, 'S', 0, &e), 0);
  CHECK_EQ_INT(pgw_lrep_stream_in_block(&s), 1);
  CHECK_EQ_INT(feed(&s, v2, 'S', 0, &e), PGW_ERR_REPL_STREAM_ORDER);
  CHECK_EQ_INT(feed(&s, v2, 'B', 0, &e), PGW_ERR_REPL_STREAM_ORDER);
  CHECK_EQ_INT(feed(&s, v2, 'c', 0, &e), PGW_ERR_REPL_STREAM_ORDER);
  CHECK_EQ_INT(pgw_lrep_stream_in_block(&s), 1); /* unchanged by errors */
  CHECK_EQ_INT(feed(&s, v2, 'E', 1, &e), 0);
  CHECK_EQ_INT(feed(&s, v2, 'c', 0, &e), 0);
  pgw_lrep_stream_free(&s);
  /* streaming = parallel decides whether Stream Abort has its LSN */
  CHECK_EQ_INT(pgw_lrep_stream_init(&s, 4, 0, NULL), 0);
  CHECK_EQ_INT(feed(&s, "pg18/pgoutput-v4-parallel", 'A', 0, &e),
               PGW_ERR_REPL_VERSION);
  pgw_lrep_stream_set_parallel(&s, 1);
  CHECK_EQ_INT(feed(&s, "pg18/pgoutput-v4-parallel", 'A', 0, &e), 0);
  CHECK_EQ_INT(feed(&s, v2, 'A', 0, &e), PGW_ERR_REPL_VERSION);
  pgw_lrep_stream_free(&s);
}

/* The first Relation of relid, and the first Insert after a later
 * Relation of relid with another column count (the DDL of the workload). */
static void find_ddl(const repl_sequence *q, size_t *rel, size_t *ins) {
  uint32_t relid = 0;
  int state = 0;
  *rel = *ins = 0;
  for (size_t i = 0; q->msgs[i]; i++) {
    size_t n = pgw_test_hex(q->msgs[i], buf, sizeof buf);
    pgw_lrep_msg m;
    pgw_error e;
    if (pgw_lrep_decode(buf, n, q->version, 0, &m, &e) != 0) continue;
    if (m.kind == 'R' && state == 0)
      relid = m.u.relation.relid, *rel = i, state = 1;
    else if (m.kind == 'R' && state == 1 && m.u.relation.relid == relid)
      state = 2;
    else if (m.kind == 'I' && state == 2 && m.u.change.relid == relid) {
      *ins = i;
      return;
    }
  }
}

static void test_relations(void) {
  const repl_sequence *q = &repl_sequences[0];
  pgw_lrep_stream s;
  pgw_lrep_msg m;
  pgw_error e;
  size_t rel, ins;
  find_ddl(q, &rel, &ins);
  CHECK(ins > rel);
  /* unknown relation */
  CHECK_EQ_INT(pgw_lrep_stream_init(&s, q->version, 1, NULL), 0);
  size_t n = pgw_test_hex(q->msgs[ins], buf, sizeof buf);
  CHECK_EQ_INT(pgw_lrep_stream_feed(&s, buf, n, &m, &e),
               PGW_ERR_REPL_UNKNOWN_RELATION);
  CHECK(strcmp(e.rule->id, "pgoutput.relation.known") == 0);
  CHECK_EQ_INT(e.offset, 1);
  /* the Relation from before ALTER TABLE ADD COLUMN: one column short */
  n = pgw_test_hex(q->msgs[rel], buf, sizeof buf);
  CHECK_EQ_INT(pgw_lrep_stream_feed(&s, buf, n, &m, &e), 0);
  n = pgw_test_hex(q->msgs[ins], buf, sizeof buf);
  CHECK_EQ_INT(pgw_lrep_stream_feed(&s, buf, n, &m, &e),
               PGW_ERR_REPL_COLUMN_COUNT);
  CHECK(strcmp(e.rule->id, "pgoutput.tuple.count-matches-relation") == 0);
  pgw_lrep_stream_set_mode(&s, PGW_MODE_REFERENCE); /* documented: a warning */
  CHECK_EQ_INT(pgw_lrep_stream_feed(&s, buf, n, &m, &e), 0);
  CHECK_EQ_INT(s.warnings, 1);
  /* the cache holds one relation: the same again fits, another does not */
  n = pgw_test_hex(q->msgs[rel], buf, sizeof buf);
  CHECK_EQ_INT(pgw_lrep_stream_feed(&s, buf, n, &m, &e), 0);
  uint32_t first = m.u.relation.relid;
  int full = 0;
  for (size_t i = 0; q->msgs[i]; i++) { /* a Relation of t2 */
    n = pgw_test_hex(q->msgs[i], buf, sizeof buf);
    pgw_lrep_msg r;
    if (buf[0] != 'R' || pgw_lrep_decode(buf, n, 1, 0, &r, &e) != 0 ||
        r.u.relation.relid == first)
      continue;
    CHECK_EQ_INT(pgw_lrep_stream_feed(&s, buf, n, &m, &e),
                 PGW_ERR_REPL_CACHE_FULL);
    CHECK(e.rule == NULL); /* a bound the caller set */
    full = 1;
    break;
  }
  CHECK(full);
  pgw_lrep_stream_free(&s);
}

/* PostgreSQL 19's primary status pair: no server here sends it, so only
 * encode and decode agree (no expected value from a server). */
static void test_primary_status(void) {
  pgw_repl_msg m, d;
  size_t len;
  pgw_error e;
  memset(&m, 0, sizeof m);
  m.kind = PGW_REPL_PRIMARY_STATUS_UPDATE;
  m.u.primary_status.wal_end = 0x1000028;
  m.u.primary_status.next_xid = 771;
  CHECK_EQ_INT(pgw_repl_encode(&m, enc, sizeof enc, &len), 0);
  CHECK_EQ_INT(len, 33);
  CHECK_EQ_INT(
      pgw_repl_decode(PGW_REPL_STREAMING, PGW_BACKEND, enc, len, &d, &e), 0);
  CHECK_EQ_INT(d.u.primary_status.next_xid, 771);
  m.kind = PGW_REPL_PRIMARY_STATUS_REQUEST;
  CHECK_EQ_INT(pgw_repl_encode(&m, enc, sizeof enc, &len), 0);
  CHECK_EQ_INT(len, 9);
  CHECK_EQ_INT(
      pgw_repl_decode(PGW_REPL_STREAMING, PGW_FRONTEND, enc, len, &d, &e), 0);
  CHECK_EQ_INT(d.kind, PGW_REPL_PRIMARY_STATUS_REQUEST);
  CHECK_EQ_INT(
      pgw_repl_decode(PGW_REPL_STREAMING, PGW_FRONTEND, enc, 5, &d, &e),
      PGW_ERR_TRUNCATED);
  CHECK(strcmp(e.rule->id, "replication.truncated") == 0);
}

int main(void) {
  test_sequences();
  test_values();
  test_tuples();
  test_malformed();
  test_xid_presence();
  test_versions();
  test_stream_order();
  test_relations();
  test_primary_status();
  return pgw_test_done("pgoutput");
}
