/* certify_session.c - `pgw certify session`: the rules applied to a
 * recorded session. Each side's messages are received by a conn of the
 * other role and sent through a conn of their own role, in wire order, so
 * both state machines see everything (as pgw dump does). */
#include <stdio.h>
#include <string.h>

#include "certify_cli.h"
#include "session.h"
#include "util.h"

typedef struct checker {
  pgw_conn conn[2]; /* conn[d] plays side d */
  size_t messages[2];
  pgw_buf enc;
} checker;

static int broke(const char *path, pgw_dir d, const pgw_error *e, int rc,
                 const char *what) {
  printf("FAIL  %s: the %s broke rule %s at %s offset %zu: %s%s%s (%s)\n", path,
         cli_dir_name(d), e->rule ? e->rule->id : "-", cli_dir_name(d),
         e->offset, what ? what : "", what ? ": " : "",
         e->reason ? e->reason : "", pgw_strerror(rc));
  return 1;
}

/* Every message now whole in the receiving conn of the bytes of dir. */
static int drain(checker *k, const char *path, pgw_dir dir) {
  pgw_conn *in = &k->conn[!dir];
  pgw_message m;
  int rc;
  while ((rc = pgw_conn_next(in, &m)) == PGW_OK) {
    k->messages[dir]++;
    pgw_buf_clear(&k->enc);
    rc = pgw_conn_send(&k->conn[dir], &m, &k->enc);
    if (rc != 0)
      return broke(path, dir, pgw_conn_error(&k->conn[dir]), rc,
                   pgw_message_name(&m));
  }
  if (rc != PGW_NEED_MORE)
    return broke(path, dir, pgw_conn_error(in), rc,
                 m.wire_len ? pgw_message_name(&m) : NULL);
  return 0;
}

static int check(checker *k, const pgs_session *s, const char *path) {
  size_t i;
  for (i = 0; i < s->count; i++) {
    const pgs_item *it = &s->items[i];
    if (it->kind != PGS_CHUNK) continue;
    pgw_conn_receive(&k->conn[!it->dir], it->data, it->len);
    if (drain(k, path, it->dir)) return 1;
  }
  for (i = 0; i < 2; i++)
    if (pgw_conn_finish(&k->conn[!i]) != 0)
      return broke(path, (pgw_dir)i, pgw_conn_error(&k->conn[!i]),
                   PGW_ERR_END_OF_STREAM, "the stream ends inside a message");
  return 0;
}

int cli_certify_session(const char *path) {
  pgs_session s;
  checker k;
  pgw_conn_options o;
  char err[512];
  int rc, d;
  if (pgs_read_file(path, &s, err, sizeof err) != 0) {
    fprintf(stderr, "pgw certify: %s\n", err);
    return 2;
  }
  memset(&k, 0, sizeof k);
  for (d = 0; d < 2; d++) {
    memset(&o, 0, sizeof o);
    o.role = (pgw_dir)d;
    pgw_conn_init(&k.conn[d], &o);
  }
  pgw_buf_init(&k.enc, NULL);
  rc = check(&k, &s, path);
  if (rc == 0)
    printf("PASS  %s: %zu frontend and %zu backend messages keep every "
           "rule\n",
           path, k.messages[0], k.messages[1]);
  pgw_buf_free(&k.enc);
  pgw_conn_free(&k.conn[0]);
  pgw_conn_free(&k.conn[1]);
  pgs_free(&s);
  return rc;
}
