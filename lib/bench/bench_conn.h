/*
 * bench_conn.h - pgw-bench's conn mode: the same bytes through a frontend
 * pgw_conn (decoder + state machine). Included by pgw_bench.c only.
 *
 * In memory, each pass starts a fresh connection: it sends a
 * StartupMessage, receives FILE.startup (the server's real answer up to
 * ReadyForQuery) if that file exists, else starts in phase Ready; then it
 * sends a Query and receives FILE in --chunk pieces. Only the messages of
 * FILE are counted.
 */
#ifndef PGW_BENCH_CONN_H
#define PGW_BENCH_CONN_H

struct bench_conn_state {
  const pgw_allocator *alloc;
  uint8_t *startup; /* FILE.startup, or NULL */
  size_t startup_len;
  pgw_buf out; /* what the frontend sends; kept across passes */
};
typedef struct bench_conn_state bench_conn_state;

static void conn_fail(const char *what, int rc, const pgw_conn *c) {
  fail_msg(what, rc, pgw_conn_error(c));
}

static void conn_init(pgw_conn *c, const pgw_allocator *a, pgw_phase start) {
  pgw_conn_options o;
  memset(&o, 0, sizeof o);
  o.role = PGW_FRONTEND;
  o.allocator = a;
  o.start_phase = start;
  o.protocol = start == PGW_PHASE_STARTUP ? 0 : PGW_PROTOCOL_3_0;
  int rc = pgw_conn_init(c, &o);
  if (rc) fail_msg("pgw_conn_init", rc, NULL);
}

static void conn_send(pgw_conn *c, const pgw_message *m, pgw_buf *out) {
  int rc = pgw_conn_send(c, m, out);
  if (rc) conn_fail("pgw_conn_send", rc, c);
}

static void startup_message(pgw_message *m) {
  static const pgw_param params[2] = {
      {{"user", 4}, {"pgw_trust", 9}},
      {{"database", 8}, {"pgw", 3}},
  };
  pgw_param_list l = pgw_param_list_of(params, 2);
  pgw_msg_startup(m, PGW_PROTOCOL_3_0, &l);
}

static void query_message(pgw_message *m) {
  pgw_msg_query(m, "SELECT 'replayed by pgw-bench-server'");
}

/* Receive data[0..len) in chunk-sized pieces; count messages in t if not
 * NULL; with batch, rows through pgw_conn_rows(). Returns 1 if the last
 * message was ReadyForQuery. */
static int conn_feed(pgw_conn *c, const uint8_t *data, size_t len, size_t chunk,
                     int batch, tally *t) {
  pgw_message m;
  int ready = 0;
  size_t off = 0;
  do {
    size_t n = len - off < chunk ? len - off : chunk;
    int rc = pgw_conn_receive(c, data + off, n);
    if (rc) conn_fail("pgw_conn_receive", rc, c);
    off += n;
    for (;;) {
      size_t ncols;
      int rows = batch ? pgw_conn_rows(c, g_values, BATCH_VALUES, &ncols) : 0;
      if (rows > 0) {
        if (t) visit_values(g_values, (size_t)rows, ncols, t);
        continue;
      }
      if ((rc = pgw_conn_next(c, &m)) != PGW_OK) break;
      if (t) on_message(&m, t);
      ready = m.kind == PGW_MSG_READY_FOR_QUERY;
    }
    if (rc != PGW_NEED_MORE) conn_fail("pgw_conn_next", rc, c);
  } while (off < len);
  return ready;
}

static bench_conn_state *bench_conn_open(const char *file,
                                         const pgw_allocator *a) {
  bench_conn_state *cs = (bench_conn_state *)calloc(1, sizeof *cs);
  if (cs == NULL) exit(1);
  cs->alloc = a;
  pgw_buf_init(&cs->out, a);
  char *spath = bench_path_plus(file, ".startup");
  FILE *f = spath ? fopen(spath, "rb") : NULL;
  if (f) {
    fclose(f);
    cs->startup = bench_load(spath, &cs->startup_len);
    if (cs->startup == NULL) exit(1);
  }
  free(spath);
  return cs;
}

static void bench_conn_pass(bench_conn_state *cs, const uint8_t *data,
                            size_t len, size_t chunk, int batch, tally *t) {
  pgw_conn c;
  pgw_message m;
  conn_init(&c, cs->alloc, cs->startup ? PGW_PHASE_STARTUP : PGW_PHASE_READY);
  pgw_buf_clear(&cs->out);
  if (cs->startup) {
    startup_message(&m);
    conn_send(&c, &m, &cs->out);
    if (!conn_feed(&c, cs->startup, cs->startup_len, cs->startup_len, 0,
                   NULL)) {
      fprintf(stderr, "pgw-bench: FILE.startup does not end with "
                      "ReadyForQuery\n");
      exit(1);
    }
  }
  query_message(&m);
  conn_send(&c, &m, &cs->out);
  conn_feed(&c, data, len, chunk, batch, t);
  int rc = pgw_conn_finish(&c);
  if (rc) conn_fail("pgw_conn_finish", rc, &c);
  pgw_conn_free(&c);
}

static void bench_conn_close(bench_conn_state *cs) {
  pgw_buf_free(&cs->out);
  free(cs->startup);
  free(cs);
}

/* Read from fd through c until a ReadyForQuery; count in t if not NULL. */
static void conn_socket_until_ready(int fd, pgw_conn *c, uint8_t *rbuf,
                                    size_t cap, tally *t) {
  pgw_message m;
  for (;;) {
    int rc;
    while ((rc = pgw_conn_next(c, &m)) == PGW_OK) {
      if (m.kind == PGW_MSG_ERROR_RESPONSE) {
        fprintf(stderr, "pgw-bench: server sent ErrorResponse\n");
        exit(1);
      }
      if (t) on_message(&m, t);
      if (m.kind == PGW_MSG_READY_FOR_QUERY) return;
    }
    if (rc != PGW_NEED_MORE) conn_fail("pgw_conn_next", rc, c);
    size_t n = read_some(fd, rbuf, cap);
    rc = pgw_conn_receive(c, rbuf, n);
    if (rc) conn_fail("pgw_conn_receive", rc, c);
  }
}

/* One connection over fd: startup, then the query, whose start time goes
 * to *t0; returns the end time. */
static double bench_conn_socket(int fd, uint8_t *rbuf, size_t cap, pgw_buf *out,
                                tally *t, double *t0) {
  pgw_conn c;
  pgw_message m;
  conn_init(&c, &g_alloc, PGW_PHASE_STARTUP);
  startup_message(&m);
  pgw_buf_clear(out);
  conn_send(&c, &m, out);
  if (bench_write_all(fd, out->data, out->len)) exit(1);
  conn_socket_until_ready(fd, &c, rbuf, cap, NULL);
  *t0 = bench_now();
  query_message(&m);
  pgw_buf_clear(out);
  conn_send(&c, &m, out);
  if (bench_write_all(fd, out->data, out->len)) exit(1);
  conn_socket_until_ready(fd, &c, rbuf, cap, t);
  double t1 = bench_now();
  pgw_msg_terminate(&m);
  pgw_buf_clear(out);
  conn_send(&c, &m, out);
  if (bench_write_all(fd, out->data, out->len)) exit(1);
  pgw_conn_free(&c);
  return t1;
}

#endif /* PGW_BENCH_CONN_H */
