/*
 * client.c - a blocking PostgreSQL client on pgw_conn: connect, log in
 * (trust, cleartext, md5 or SCRAM-SHA-256), run one query string, print
 * each row's values tab-separated (NULL as an empty field), one row a line.
 *
 *   pgw-example-client "host=H port=P user=U dbname=D [password=W]" "SQL"
 *
 * Exit status: 0 on success, 1 if the server reported an error, 2 if the
 * connection failed (bad arguments, socket, authentication, protocol).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "example.h"

typedef struct client {
  int fd;
  pgw_conn conn;
  pgw_buf out; /* encoded messages waiting to be written */
  ex_auth auth;
  const char *sql;
  int sent_query, failed;
} client;

/* Encode m into the output buffer (the conn checks it against the state). */
static int send_msg(client *c, const pgw_message *m) {
  int rc = pgw_conn_send(&c->conn, m, &c->out);
  if (rc) fprintf(stderr, "client: cannot send: %s\n", pgw_strerror(rc));
  return rc;
}

static void print_row(const pgw_data_row *row) {
  pgw_value_cursor cur = pgw_value_cursor_of(&row->columns);
  pgw_value v;
  for (int i = 0; pgw_value_cursor_next(&cur, &v) == 1; i++) {
    if (i) putchar('\t');
    if (v.len > 0) fwrite(v.ptr, 1, (size_t)v.len, stdout);
  }
  putchar('\n');
}

/* One message from the server: 1 to go on, 0 when done, -1 on failure. */
static int handle(client *c, const pgw_message *m) {
  pgw_message answer;
  switch (m->kind) {
  case PGW_MSG_AUTHENTICATION: {
    int rc = ex_auth_answer(&c->auth, &m->body.auth, &answer);
    if (rc < 0) return -1;
    return rc == 0 || send_msg(c, &answer) == 0 ? 1 : -1;
  }
  case PGW_MSG_DATA_ROW: print_row(&m->body.data_row); return 1;
  case PGW_MSG_NOTICE_RESPONSE: ex_print_notice("client", m); return 1;
  case PGW_MSG_ERROR_RESPONSE:
    ex_print_notice("client", m);
    c->failed = 1;
    /* during startup the server closes the connection after an error */
    return pgw_conn_phase(&c->conn) == PGW_PHASE_FAILED ? -1 : 1;
  case PGW_MSG_READY_FOR_QUERY:
    if (c->sent_query) {
      pgw_msg_terminate(&answer);
      return send_msg(c, &answer) == 0 ? 0 : -1;
    }
    c->sent_query = 1;
    pgw_msg_query(&answer, c->sql);
    return send_msg(c, &answer) == 0 ? 1 : -1;
  default: return 1; /* ParameterStatus, RowDescription, CommandComplete... */
  }
}

/* Read, decode and answer until done: 0, or -1 on failure. */
static int run(client *c) {
  uint8_t chunk[65536];
  for (;;) {
    if (ex_flush(c->fd, &c->out) != 0) return -1;
    ssize_t n = read(c->fd, chunk, sizeof chunk);
    if (n <= 0) {
      fprintf(stderr, "client: server closed the connection\n");
      return -1;
    }
    pgw_conn_receive(&c->conn, chunk, (size_t)n);
    pgw_message m;
    int rc;
    while ((rc = pgw_conn_next(&c->conn, &m)) == PGW_OK) {
      int h = handle(c, &m);
      if (h <= 0) return h < 0 || ex_flush(c->fd, &c->out) != 0 ? -1 : 0;
    }
    if (rc != PGW_NEED_MORE) {
      const pgw_error *e = pgw_conn_error(&c->conn);
      fprintf(stderr, "client: protocol error at byte %zu: %s\n", e->offset,
              e->reason);
      return -1;
    }
  }
}

int main(int argc, char **argv) {
  ex_conninfo ci;
  if (argc != 3 || ex_parse_conninfo(argv[1], &ci) != 0) {
    fprintf(stderr,
            "usage: %s \"host=H port=P user=U dbname=D "
            "[password=W]\" \"SQL\"\n",
            argv[0]);
    return 2;
  }
  client c;
  memset(&c, 0, sizeof c);
  c.sql = argv[2];
  c.auth.user = ci.user;
  c.auth.password = ci.password;
  c.fd = ex_connect(ci.host[0] ? ci.host : "127.0.0.1",
                    ci.port[0] ? ci.port : "5432");
  if (c.fd < 0) return 2;
  pgw_conn_init(&c.conn, NULL); /* frontend role, strict */
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
