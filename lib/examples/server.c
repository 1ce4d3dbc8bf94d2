/*
 * server.c - a tiny PostgreSQL server on a backend pgw_conn, enough for
 * psql: it refuses SSL and GSS encryption, accepts any user without a
 * password, and answers every simple Query with the same fixed table
 * (id int4, name text; three rows). The extended protocol is answered
 * with an error. One connection at a time; --once: stop after the first.
 *
 *   pgw-example-server [--once] PORT
 *   psql "host=127.0.0.1 port=PORT user=me" -c "SELECT * FROM anything"
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "example.h"

typedef struct session {
  int fd;
  pgw_conn conn;
  pgw_buf out;
} session;

static int send_msg(session *s, const pgw_message *m) {
  int rc = pgw_conn_send(&s->conn, m, &s->out);
  if (rc) fprintf(stderr, "server: cannot send: %s\n", pgw_strerror(rc));
  return rc;
}

/* AuthenticationOk, the parameters psql reads, BackendKeyData, Ready. */
static int welcome(session *s) {
  static const char *const params[][2] = {
      {"server_version", "18.0 (pgw example)"},
      {"server_encoding", "UTF8"},
      {"client_encoding", "UTF8"},
      {"DateStyle", "ISO, MDY"},
      {"integer_datetimes", "on"},
      {"standard_conforming_strings", "on"}};
  static const uint8_t key[4] = {1, 2, 3, 4};
  pgw_message m;
  pgw_msg_auth_ok(&m);
  int rc = send_msg(s, &m);
  for (size_t i = 0; !rc && i < sizeof params / sizeof params[0]; i++) {
    pgw_msg_parameter_status(&m, params[i][0], params[i][1]);
    rc = send_msg(s, &m);
  }
  pgw_msg_backend_key_data(&m, (int32_t)getpid(), key, sizeof key);
  if (!rc) rc = send_msg(s, &m);
  pgw_msg_ready_for_query(&m, 'I');
  return rc ? rc : send_msg(s, &m);
}

/* The fixed table, whatever the query. */
static int answer_query(session *s, const pgw_text *q) {
  static const char *const rows[][2] = {
      {"1", "alpha"}, {"2", "beta"}, {"3", NULL}};
  pgw_message m;
  int rc = 0;
  if (q->text.len == 0) {
    pgw_msg_empty_query_response(&m);
  } else {
    pgw_column cols[2] = {pgw_column_of("id", 23, 4),
                          pgw_column_of("name", 25, -1)};
    pgw_column_list cl = pgw_column_list_of(cols, 2);
    pgw_msg_row_description(&m, &cl);
    rc = send_msg(s, &m);
    for (int i = 0; !rc && i < 3; i++) {
      pgw_value v[2] = {pgw_value_text(rows[i][0]), pgw_value_text(rows[i][1])};
      pgw_value_list vl = pgw_value_list_of(v, 2);
      pgw_msg_data_row(&m, &vl);
      rc = send_msg(s, &m);
    }
    pgw_msg_command_complete(&m, "SELECT 3");
  }
  if (!rc) rc = send_msg(s, &m);
  pgw_msg_ready_for_query(&m, 'I');
  return rc ? rc : send_msg(s, &m);
}

static int refuse(session *s) {
  pgw_notice_field f[3] = {pgw_notice_field_of('S', "ERROR"),
                           pgw_notice_field_of('C', "0A000"),
                           pgw_notice_field_of('M', "extended protocol "
                                                    "not supported here")};
  pgw_notice_field_list fl = pgw_notice_field_list_of(f, 3);
  pgw_message m;
  pgw_msg_error_response(&m, &fl);
  return send_msg(s, &m);
}

/* One client message: 1 to go on, 0 at the end, -1 on failure. */
static int handle(session *s, const pgw_message *m) {
  pgw_message r;
  switch (m->kind) {
  case PGW_MSG_SSL_REQUEST:
    pgw_msg_ssl_response(&r, 'N');
    return send_msg(s, &r) ? -1 : 1;
  case PGW_MSG_GSSENC_REQUEST:
    pgw_msg_gssenc_response(&r, 'N');
    return send_msg(s, &r) ? -1 : 1;
  case PGW_MSG_STARTUP_MESSAGE: return welcome(s) ? -1 : 1;
  case PGW_MSG_QUERY: return answer_query(s, &m->body.query) ? -1 : 1;
  case PGW_MSG_PARSE: return refuse(s) ? -1 : 1;
  case PGW_MSG_SYNC:
    pgw_msg_ready_for_query(&r, 'I');
    return send_msg(s, &r) ? -1 : 1;
  case PGW_MSG_TERMINATE: return 0;
  default: return 1; /* Bind, Execute... after the error: discarded */
  }
}

static void serve(int fd) {
  session s;
  uint8_t chunk[65536];
  pgw_conn_options o;
  memset(&o, 0, sizeof o);
  o.role = PGW_BACKEND;
  s.fd = fd;
  pgw_conn_init(&s.conn, &o);
  pgw_buf_init(&s.out, NULL);
  for (int go = 1; go > 0;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    pgw_conn_receive(&s.conn, chunk, (size_t)n);
    pgw_message m;
    int rc;
    while (go > 0 && (rc = pgw_conn_next(&s.conn, &m)) == PGW_OK)
      go = handle(&s, &m);
    if (go > 0 && rc != PGW_NEED_MORE) {
      fprintf(stderr, "server: %s\n", pgw_conn_error(&s.conn)->reason);
      go = -1;
    }
    if (ex_flush(fd, &s.out) != 0) break;
  }
  pgw_buf_free(&s.out);
  pgw_conn_free(&s.conn);
}

int main(int argc, char **argv) {
  int once = argc == 3 && !strcmp(argv[1], "--once");
  if (argc != 2 + once) {
    fprintf(stderr, "usage: %s [--once] PORT\n", argv[0]);
    return 2;
  }
  int lfd = ex_listen(argv[1 + once]);
  if (lfd < 0) return 2;
  do {
    int c = accept(lfd, NULL, NULL);
    if (c < 0) break;
    serve(c);
    close(c);
  } while (!once);
  close(lfd);
  return 0;
}
