/*
 * raw.h - shared by the "raw" conformance scenarios: small programs that
 * speak the protocol over a socket with pgw itself (a frontend pgw_conn
 * encodes what they send and decodes what the server answers), for the
 * messages libpq never sends: unknown "_pq_." startup options, Execute
 * with a row limit (PortalSuspended), GSSENCRequest without Kerberos.
 *
 * Usage as the libpq scenarios: SCENARIO CONNINFO [TRACEFILE] [EXTRA].
 * CONNINFO is a libpq keyword/value string or a postgresql:// URI; only
 * host, port, user, dbname and application_name are used (trust users
 * only: raw scenarios do not answer password requests). TRACEFILE and
 * EXTRA are ignored (there is no libpq, hence no PQtrace).
 *
 * stdout: one line per message received, with the fields that do not
 * vary between runs (no pids, keys or server versions).
 */
#ifndef PGW_RAW_H
#define PGW_RAW_H

#include "pgw/pgw.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct raw {
  int fd;
  pgw_conn conn;
  pgw_buf out;
  uint8_t in[65536];
  char host[256], port[16], user[64], dbname[64], appname[64];
} raw;

static void raw_die(const char *what, int rc) {
  printf("error %s: %s\n", what, rc ? pgw_strerror(rc) : "");
  exit(1);
}

static void raw_set(char *dst, size_t cap, const char *v, size_t n) {
  if (n >= cap) n = cap - 1;
  memcpy(dst, v, n);
  dst[n] = '\0';
}

/* Keyword/value conninfo (no quoting) or postgresql://user[:pw]@host:port/db */
static void raw_parse_conninfo(raw *r, const char *ci) {
  strcpy(r->host, "127.0.0.1");
  strcpy(r->port, "5432");
  strcpy(r->user, "postgres");
  r->dbname[0] = '\0';
  r->appname[0] = '\0';
  if (strncmp(ci, "postgresql://", 13) == 0 ||
      strncmp(ci, "postgres://", 11) == 0) {
    const char *p = strstr(ci, "://") + 3, *at = strchr(p, '@'), *e;
    if (at) {
      e = p;
      while (e < at && *e != ':')
        e++;
      raw_set(r->user, sizeof r->user, p, (size_t)(e - p));
      p = at + 1;
    }
    e = p + strcspn(p, ":/?");
    if (e > p) raw_set(r->host, sizeof r->host, p, (size_t)(e - p));
    if (*e == ':') {
      p = e + 1;
      e = p + strcspn(p, "/?");
      raw_set(r->port, sizeof r->port, p, (size_t)(e - p));
    }
    if (*e == '/') {
      p = e + 1;
      e = p + strcspn(p, "?");
      raw_set(r->dbname, sizeof r->dbname, p, (size_t)(e - p));
    }
  } else {
    const char *p = ci;
    while (*p) {
      while (*p == ' ')
        p++;
      const char *eq = strchr(p, '='), *end;
      if (!eq) break;
      end = eq + 1 + strcspn(eq + 1, " ");
      size_t kn = (size_t)(eq - p), vn = (size_t)(end - eq - 1);
      if (kn == 4 && !strncmp(p, "host", 4))
        raw_set(r->host, sizeof r->host, eq + 1, vn);
      else if (kn == 4 && !strncmp(p, "port", 4))
        raw_set(r->port, sizeof r->port, eq + 1, vn);
      else if (kn == 4 && !strncmp(p, "user", 4))
        raw_set(r->user, sizeof r->user, eq + 1, vn);
      else if (kn == 6 && !strncmp(p, "dbname", 6))
        raw_set(r->dbname, sizeof r->dbname, eq + 1, vn);
      else if (kn == 16 && !strncmp(p, "application_name", 16))
        raw_set(r->appname, sizeof r->appname, eq + 1, vn);
      p = end;
    }
  }
  if (!r->dbname[0]) strcpy(r->dbname, r->user);
}

static void raw_open(raw *r, int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s CONNINFO [TRACEFILE] [EXTRA]\n", argv[0]);
    exit(2);
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  raw_parse_conninfo(r, argv[1]);
  struct addrinfo hints, *ai;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(r->host, r->port, &hints, &ai) != 0) raw_die("resolve", 0);
  r->fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
  if (r->fd < 0 || connect(r->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
    printf("error connect\n");
    exit(1);
  }
  freeaddrinfo(ai);
  pgw_conn_options o;
  memset(&o, 0, sizeof o);
  o.role = PGW_FRONTEND;
  int rc = pgw_conn_init(&r->conn, &o);
  if (rc) raw_die("pgw_conn_init", rc);
  pgw_buf_init(&r->out, NULL);
}

/* Encode m through the frontend conn (checked against its state) and
 * append it to the output; raw_flush() writes what was queued. */
static void raw_queue(raw *r, const pgw_message *m) {
  int rc = pgw_conn_send(&r->conn, m, &r->out);
  if (rc) {
    const pgw_error *e = pgw_conn_error(&r->conn);
    printf("error send %s: %s: %s\n", pgw_kind_name(m->kind), pgw_strerror(rc),
           e->reason ? e->reason : "");
    exit(1);
  }
}

static void raw_flush(raw *r) {
  size_t off = 0;
  while (off < r->out.len) {
    ssize_t n = write(r->fd, r->out.data + off, r->out.len - off);
    if (n <= 0) raw_die("write", 0);
    off += (size_t)n;
  }
  pgw_buf_clear(&r->out);
}

/* Encode m and write it at once. */
static void raw_send(raw *r, const pgw_message *m) {
  raw_queue(r, m);
  raw_flush(r);
}

/* Next message from the server: 1 (and *m), 0 at end of stream. */
static int raw_next(raw *r, pgw_message *m) {
  for (;;) {
    int rc = pgw_conn_next(&r->conn, m);
    if (rc == PGW_OK) return 1;
    if (rc != PGW_NEED_MORE) {
      const pgw_error *e = pgw_conn_error(&r->conn);
      printf("error decode: %s: %s\n", pgw_strerror(rc),
             e->reason ? e->reason : "");
      exit(1);
    }
    ssize_t n = read(r->fd, r->in, sizeof r->in);
    if (n < 0) raw_die("read", 0);
    if (n == 0) {
      rc = pgw_conn_finish(&r->conn);
      if (rc) raw_die("end of stream inside a message", rc);
      return 0;
    }
    rc = pgw_conn_receive(&r->conn, r->in, (size_t)n);
    if (rc) raw_die("receive", rc);
  }
}

static void raw_print_str(pgw_str s) {
  putchar('"');
  for (size_t i = 0; i < s.len; i++) {
    unsigned char c = (unsigned char)s.ptr[i];
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20 || c >= 0x7f)
      printf("\\x%02x", c);
    else
      putchar(c);
  }
  putchar('"');
}

/* One line per message, the fields that do not vary between runs. */
static void raw_print(const pgw_message *m) {
  printf("%s", pgw_message_name(m));
  pgw_iter it;
  switch (m->kind) {
  case PGW_MSG_SSL_RESPONSE:
  case PGW_MSG_GSSENC_RESPONSE:
    printf(" answer=%c", m->body.encryption.answer);
    break;
  case PGW_MSG_NEGOTIATE_PROTOCOL_VERSION: {
    pgw_str s;
    printf(" newest=%u.%u", m->body.negotiate.newest_version >> 16,
           m->body.negotiate.newest_version & 0xffff);
    it = pgw_str_iter(&m->body.negotiate.unrecognized);
    while (pgw_str_next(&it, &s) == 1) {
      putchar(' ');
      raw_print_str(s);
    }
    break;
  }
  case PGW_MSG_PARAMETER_STATUS:
    printf(" ");
    raw_print_str(m->body.parameter_status.name);
    break;
  case PGW_MSG_ROW_DESCRIPTION: {
    pgw_column col;
    it = pgw_column_iter(&m->body.row_description.columns);
    while (pgw_column_next(&it, &col) == 1) {
      putchar(' ');
      raw_print_str(col.name);
      printf(":%u", col.type_oid);
    }
    break;
  }
  case PGW_MSG_DATA_ROW: {
    pgw_value v;
    it = pgw_value_iter(&m->body.data_row.columns);
    while (pgw_value_next(&it, &v) == 1) {
      putchar(' ');
      if (v.len < 0)
        printf("NULL");
      else
        raw_print_str((pgw_str){(const char *)v.ptr, (size_t)v.len});
    }
    break;
  }
  case PGW_MSG_PARAMETER_DESCRIPTION: {
    uint32_t oid;
    it = pgw_oid_iter(&m->body.parameter_description.types);
    while (pgw_oid_next(&it, &oid) == 1)
      printf(" %u", oid);
    break;
  }
  case PGW_MSG_COMMAND_COMPLETE:
    printf(" ");
    raw_print_str(m->body.command_complete.text);
    break;
  case PGW_MSG_READY_FOR_QUERY: printf(" %c", m->body.ready.status); break;
  case PGW_MSG_ERROR_RESPONSE:
  case PGW_MSG_NOTICE_RESPONSE: {
    pgw_notice_field f;
    it = pgw_notice_field_iter(&m->body.error.fields);
    while (pgw_notice_field_next(&it, &f) == 1)
      if (f.code == 'V' || f.code == 'C' || f.code == 'M') {
        printf(" %c=", f.code);
        raw_print_str(f.value);
      }
    break;
  }
  default: break;
  }
  putchar('\n');
}

/* Read and print messages until ReadyForQuery (1) or end of stream (0). */
static int raw_until_ready(raw *r) {
  pgw_message m;
  while (raw_next(r, &m)) {
    raw_print(&m);
    if (m.kind == PGW_MSG_READY_FOR_QUERY) return 1;
  }
  printf("end of stream\n");
  return 0;
}

/* StartupMessage with user, database, application_name and extra
 * parameters (name, value pairs). */
static void raw_startup(raw *r, uint32_t protocol, const char *const *extra,
                        size_t nextra) {
  pgw_param p[8];
  size_t n = 0;
  p[n++] = (pgw_param){PGW_STR("user"), PGW_STR(r->user)};
  p[n++] = (pgw_param){PGW_STR("database"), PGW_STR(r->dbname)};
  if (r->appname[0])
    p[n++] = (pgw_param){PGW_STR("application_name"), PGW_STR(r->appname)};
  for (size_t i = 0; i + 1 < nextra * 2 && n < 8; i += 2)
    p[n++] = (pgw_param){PGW_STR(extra[i]), PGW_STR(extra[i + 1])};
  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = PGW_MSG_STARTUP_MESSAGE;
  m.body.startup.protocol = protocol;
  m.body.startup.params.count = n;
  m.body.startup.params.items = p;
  raw_send(r, &m);
}

static void raw_simple(raw *r, pgw_kind kind) {
  pgw_message m;
  memset(&m, 0, sizeof m);
  m.kind = kind;
  raw_send(r, &m);
}

/* Terminate and close at once, as libpq does (the server answers nothing). */
static int raw_finish(raw *r) {
  raw_simple(r, PGW_MSG_TERMINATE);
  close(r->fd);
  pgw_buf_free(&r->out);
  pgw_conn_free(&r->conn);
  printf("finished\n");
  return 0;
}

#endif /* PGW_RAW_H */
