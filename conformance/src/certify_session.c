/* certify_session.c - `pgw certify session`: the rules applied to a
 * recorded session, both sides through one pgw_observer in wire order
 * (as pgw dump does), every message re-encoded. */
#include <stdio.h>
#include <string.h>

#include "certify_cli.h"
#include "session.h"
#include "util.h"

typedef struct checker {
  pgw_observer watch; /* both sides, one state machine */
  size_t messages[2];
  pgw_buf enc;
  FILE *out;
  const char *path;
} checker;

static int broke(checker *k, pgw_dir d, const pgw_error *e, int rc,
                 const char *what) {
  fprintf(k->out,
          "FAIL  %s: the %s broke rule %s at %s offset %zu: %s%s%s (%s)\n",
          k->path, cli_dir_name(d), e->rule ? e->rule->id : "-",
          cli_dir_name(d), e->offset, what ? what : "", what ? ": " : "",
          e->reason ? e->reason : "", pgw_strerror(rc));
  return 1;
}

/* m must re-encode: the rules are also those of the encoder. */
static int reencode(checker *k, pgw_dir dir, const pgw_message *m) {
  pgw_error e;
  int rc;
  pgw_buf_clear(&k->enc);
  rc = pgw_message_encode_buf(m, &k->enc);
  if (rc == 0) return 0;
  memset(&e, 0, sizeof e);
  e.code = rc;
  e.reason = "message could not be encoded";
  return broke(k, dir, &e, rc, pgw_message_name(m));
}

/* Every message now whole in the bytes of dir. */
static int drain(checker *k, pgw_dir dir) {
  pgw_message m;
  int rc;
  while ((rc = pgw_observer_next(&k->watch, dir, &m)) == PGW_OK) {
    k->messages[dir]++;
    if (reencode(k, dir, &m) != 0) return 1;
  }
  if (rc == PGW_DIRECT_SSL) {
    pgw_error e = *pgw_observer_error(&k->watch, NULL);
    e.reason = "the client opened with TLS (direct SSL) and the session "
               "holds no decrypted bytes ('@ tls direct', SESSION-FORMAT.md "
               "rule 7)";
    return broke(k, dir, &e, rc, NULL);
  }
  if (rc != PGW_NEED_MORE)
    return broke(k, dir, pgw_observer_error(&k->watch, NULL), rc,
                 m.wire_len ? pgw_message_name(&m) : NULL);
  return 0;
}

/* "@ tls on" (SESSION-FORMAT.md rule 7): both sides resume inside TLS. */
static int tls_on(checker *k, const pgs_item *it) {
  pgw_dir dir = PGW_FRONTEND;
  int rc = pgw_observer_tls_on(&k->watch);
  if (rc == PGW_ERR_INVALID_ARGUMENT) {
    fprintf(k->out, "FAIL  %s: line %zu: '@ tls on' without a switch to TLS\n",
            k->path, it->line);
    return 1;
  }
  if (rc == 0) return 0;
  const pgw_error *e = pgw_observer_error(&k->watch, &dir);
  return broke(k, dir, e, rc, "plaintext before TLS");
}

static int check(checker *k, const pgs_session *s) {
  size_t i;
  for (i = 0; i < s->count; i++) {
    const pgs_item *it = &s->items[i];
    if (it->kind == PGS_META && strcmp(it->key, "tls") == 0 &&
        strcmp(it->value, "on") == 0) {
      if (tls_on(k, it)) return 1;
      continue;
    }
    if (it->kind != PGS_CHUNK) continue;
    pgw_observer_feed(&k->watch, it->dir, it->data, it->len);
    if (drain(k, it->dir)) return 1;
  }
  for (i = 0; i < 2; i++)
    if (pgw_observer_finish(&k->watch, (pgw_dir)i) != 0)
      return broke(k, (pgw_dir)i, pgw_observer_error(&k->watch, NULL),
                   PGW_ERR_END_OF_STREAM, "the stream ends inside a message");
  return 0;
}

int certify_session_check(const pgs_session *s, const char *name, FILE *out) {
  checker k;
  memset(&k, 0, sizeof k);
  k.out = out;
  k.path = name;
  pgw_observer_init(&k.watch, NULL);
  pgw_buf_init(&k.enc, NULL);
  int rc = check(&k, s);
  if (rc == 0)
    fprintf(out,
            "PASS  %s: %zu frontend and %zu backend messages keep every "
            "rule\n",
            name, k.messages[0], k.messages[1]);
  pgw_buf_free(&k.enc);
  pgw_observer_free(&k.watch);
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
