/* certify_session.c - `pgw certify session`: the rules applied to a
 * recorded session. Each side's messages are received by a conn of the
 * other role and sent through a conn of their own role, in wire order, so
 * both state machines see everything (as pgw dump does). */
#include <stdio.h>
#include <string.h>

#include "certify_cli.h"
#include "session.h"

typedef struct checker {
  pgw_conn conn[2]; /* conn[d] plays side d */
  size_t messages[2];
  pgw_buf enc;
} checker;

static const char *side(pgw_dir d) {
  return d == PGW_FRONTEND ? "frontend" : "backend";
}

static int broke(FILE *out, const char *path, pgw_dir d, const pgw_error *e,
                 int rc, const char *what) {
  fprintf(out, "FAIL  %s: the %s broke rule %s at %s offset %zu: %s%s%s (%s)\n",
          path, side(d), e->rule ? e->rule->id : "-", side(d), e->offset,
          what ? what : "", what ? ": " : "", e->reason ? e->reason : "",
          pgw_strerror(rc));
  return 1;
}

/* Every message now whole in the receiving conn of the bytes of dir. */
static int drain(checker *k, FILE *out, const char *path, pgw_dir dir) {
  pgw_conn *in = &k->conn[!dir];
  pgw_message m;
  int rc;
  while ((rc = pgw_conn_next(in, &m)) == PGW_OK) {
    k->messages[dir]++;
    pgw_buf_clear(&k->enc);
    rc = pgw_conn_send(&k->conn[dir], &m, &k->enc);
    if (rc != 0)
      return broke(out, path, dir, pgw_conn_error(&k->conn[dir]), rc,
                   pgw_message_name(&m));
  }
  if (rc != PGW_NEED_MORE)
    return broke(out, path, dir, pgw_conn_error(in), rc,
                 m.wire_len ? pgw_message_name(&m) : NULL);
  return 0;
}

/* "@ tls on": both sides resume inside TLS (the frontend's bytes first:
 * plaintext injected after the answer is the frontend's or the
 * backend's, in that order). */
static int tls_on(checker *k, FILE *out, const char *path, const pgs_item *it) {
  static const pgw_dir sender[2] = {PGW_FRONTEND, PGW_BACKEND};
  for (int i = 0; i < 2; i++) {
    pgw_conn *in = &k->conn[!sender[i]];
    int rc = pgw_conn_tls_established(in);
    if (rc == PGW_ERR_INVALID_ARGUMENT) {
      fprintf(out, "FAIL  %s: line %zu: '@ tls on' without a switch to TLS\n",
              path, it->line);
      return 1;
    }
    if (rc != 0)
      return broke(out, path, sender[i], pgw_conn_error(in), rc,
                   "plaintext before TLS");
  }
  return 0;
}

static int check(checker *k, FILE *out, const pgs_session *s,
                 const char *path) {
  size_t i;
  for (i = 0; i < s->count; i++) {
    const pgs_item *it = &s->items[i];
    if (it->kind == PGS_META && strcmp(it->key, "tls") == 0 &&
        strcmp(it->value, "on") == 0) {
      if (tls_on(k, out, path, it)) return 1;
      continue;
    }
    if (it->kind != PGS_CHUNK) continue;
    pgw_conn_receive(&k->conn[!it->dir], it->data, it->len);
    if (drain(k, out, path, it->dir)) return 1;
  }
  for (i = 0; i < 2; i++)
    if (pgw_conn_finish(&k->conn[!i]) != 0)
      return broke(out, path, (pgw_dir)i, pgw_conn_error(&k->conn[!i]),
                   PGW_ERR_END_OF_STREAM, "the stream ends inside a message");
  return 0;
}

int certify_session_check(const pgs_session *s, const char *name, FILE *out) {
  checker k;
  pgw_conn_options o;
  memset(&k, 0, sizeof k);
  for (int d = 0; d < 2; d++) {
    memset(&o, 0, sizeof o);
    o.role = (pgw_dir)d;
    pgw_conn_init(&k.conn[d], &o);
  }
  pgw_buf_init(&k.enc, NULL);
  int rc = check(&k, out, s, name);
  if (rc == 0)
    fprintf(out,
            "PASS  %s: %zu frontend and %zu backend messages keep every "
            "rule\n",
            name, k.messages[0], k.messages[1]);
  pgw_buf_free(&k.enc);
  pgw_conn_free(&k.conn[0]);
  pgw_conn_free(&k.conn[1]);
  return rc;
}

int cli_certify_session(const char *path) {
  pgs_session s;
  char err[512];
  if (pgs_read_file(path, &s, err, sizeof err) != 0) {
    fprintf(stderr, "pgw certify: %s\n", err);
    return 2;
  }
  int rc = certify_session_check(&s, path, stdout);
  pgs_free(&s);
  return rc;
}
