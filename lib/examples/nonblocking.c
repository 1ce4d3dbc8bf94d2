/*
 * nonblocking.c - the client of client.c driven by poll() on a
 * non-blocking socket, with every query pipelined: once the connection is
 * ready, all the queries go out at once in the extended protocol (Parse,
 * Bind, Execute, Sync each), and the rows are printed as they arrive.
 *
 *   pgw-example-nonblocking "host=H port=P user=U dbname=D [password=W]" \
 *       "SQL" ["SQL"...]
 *
 * Output and exit status as client.c (one statement per SQL argument).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "example.h"

typedef struct client {
  int fd;
  pgw_conn conn;
  pgw_buf out;     /* bytes to write */
  size_t out_done; /* of which already written */
  ex_auth auth;
  char **sql;
  int nsql, ready_seen, failed;
} client;

static int send_msg(client *c, const pgw_message *m) {
  int rc = pgw_conn_send(&c->conn, m, &c->out);
  if (rc) fprintf(stderr, "nonblocking: cannot send: %s\n", pgw_strerror(rc));
  return rc;
}

/* The whole pipeline: Parse, Bind, Execute, Sync per query. */
static int send_pipeline(client *c) {
  pgw_message m;
  for (int i = 0; i < c->nsql; i++) {
    pgw_msg_parse(&m, "", c->sql[i], NULL);
    if (send_msg(c, &m)) return -1;
    pgw_msg_bind(&m, "", "", NULL, NULL, NULL);
    if (send_msg(c, &m)) return -1;
    pgw_msg_execute(&m, "", 0);
    if (send_msg(c, &m)) return -1;
    pgw_msg_sync(&m);
    if (send_msg(c, &m)) return -1;
  }
  return 0;
}

static void print_row(const pgw_data_row *row) {
  pgw_value v[64]; /* the batch read: up to 64 columns at once */
  int32_t n = pgw_data_row_values(row, v, 64);
  for (int32_t i = 0; i < n && i < 64; i++) {
    if (i) putchar('\t');
    if (v[i].len > 0) fwrite(v[i].ptr, 1, (size_t)v[i].len, stdout);
  }
  putchar('\n');
}

/* One message: 1 to go on, 0 when done, -1 on failure. */
static int handle(client *c, const pgw_message *m) {
  pgw_message answer;
  switch (m->kind) {
  case PGW_MSG_AUTHENTICATION: {
    int rc = ex_auth_answer(&c->auth, &m->body.auth, &answer);
    return rc < 0 ? -1 : rc == 0 || send_msg(c, &answer) == 0 ? 1 : -1;
  }
  case PGW_MSG_DATA_ROW: print_row(&m->body.data_row); return 1;
  case PGW_MSG_NOTICE_RESPONSE: ex_print_notice("nonblocking", m); return 1;
  case PGW_MSG_ERROR_RESPONSE:
    ex_print_notice("nonblocking", m);
    c->failed = 1;
    return pgw_conn_phase(&c->conn) == PGW_PHASE_FAILED ? -1 : 1;
  case PGW_MSG_READY_FOR_QUERY:
    if (c->ready_seen++ == 0) return send_pipeline(c) == 0 ? 1 : -1;
    if (pgw_state_pending(pgw_conn_state(&c->conn)) > 0) return 1;
    pgw_msg_terminate(&answer); /* every Sync answered */
    return send_msg(c, &answer) == 0 ? 0 : -1;
  default: return 1;
  }
}

/* Decode what arrived: 1 to go on, 0 when done, -1 on failure. */
static int on_readable(client *c) {
  uint8_t chunk[65536];
  ssize_t n = read(c->fd, chunk, sizeof chunk);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 1;
  if (n <= 0) {
    fprintf(stderr, "nonblocking: server closed the connection\n");
    return -1;
  }
  pgw_conn_receive(&c->conn, chunk, (size_t)n);
  pgw_message m;
  int rc, h = 1;
  while (h > 0 && (rc = pgw_conn_next(&c->conn, &m)) == PGW_OK)
    h = handle(c, &m);
  if (h > 0 && rc != PGW_NEED_MORE) {
    fprintf(stderr, "nonblocking: %s\n", pgw_conn_error(&c->conn)->reason);
    return -1;
  }
  return h;
}

static int on_writable(client *c) {
  ssize_t n = write(c->fd, c->out.data + c->out_done, c->out.len - c->out_done);
  if (n < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
  c->out_done += (size_t)n;
  if (c->out_done == c->out.len) {
    pgw_buf_clear(&c->out);
    c->out_done = 0;
  }
  return 0;
}

static int run(client *c) {
  int state = 1;
  while (state > 0 || c->out.len > 0) {
    struct pollfd p = {c->fd, POLLIN, 0};
    if (c->out.len > 0) p.events |= POLLOUT;
    if (state <= 0) p.events = POLLOUT; /* only the Terminate is left */
    if (poll(&p, 1, 30000) <= 0) return -1;
    if ((p.revents & POLLOUT) && on_writable(c) < 0) return -1;
    if (state > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)))
      state = on_readable(c);
    if (state < 0) return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  ex_conninfo ci;
  if (argc < 3 || ex_parse_conninfo(argv[1], &ci) != 0) {
    fprintf(stderr, "usage: %s CONNINFO SQL [SQL...]\n", argv[0]);
    return 2;
  }
  client c;
  memset(&c, 0, sizeof c);
  c.sql = argv + 2;
  c.nsql = argc - 2;
  c.auth.user = ci.user;
  c.auth.password = ci.password;
  c.fd = ex_connect(ci.host[0] ? ci.host : "127.0.0.1",
                    ci.port[0] ? ci.port : "5432");
  if (c.fd < 0) return 2;
  fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
  pgw_conn_init(&c.conn, NULL);
  pgw_buf_init(&c.out, NULL);
  pgw_param p[2];
  pgw_message startup;
  ex_startup(&startup, p, &ci); /* user and database, protocol 3.0 */
  int rc = send_msg(&c, &startup) == 0 ? run(&c) : -1;
  fflush(stdout);
  close(c.fd);
  pgw_buf_free(&c.out);
  pgw_conn_free(&c.conn);
  return rc < 0 ? 2 : c.failed;
}
