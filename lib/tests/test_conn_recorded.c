/*
 * test_conn_recorded.c - a frontend conn and a backend conn replay a real
 * psql 15 session against PostgreSQL 15 (fixtures_psql15.h) in wire order:
 * every message the recording holds is sent by the conn of its side, must
 * encode to the recorded bytes, and must be received by the other side's
 * conn as the same kind, with both conns agreeing on the phase.
 */
#include "fixtures_psql15.h"
#include "pgw_test.h"

static unsigned char fe[4096], be[4096];

/* Send m from `from` (its bytes must be exactly the recorded ones) and
 * receive it at `to`. */
static void pass(pgw_conn *from, pgw_conn *to, const pgw_message *m,
                 const unsigned char *recorded, pgw_buf *wire) {
  pgw_buf_clear(wire);
  CHECK_EQ_INT(pgw_conn_send(from, m, wire), 0);
  CHECK_MEM(wire->data, wire->len, recorded, m->wire_len);
  CHECK_EQ_INT(pgw_conn_receive(to, wire->data, wire->len), 0);
  pgw_message got;
  CHECK_EQ_INT(pgw_conn_next(to, &got), PGW_OK);
  CHECK_EQ_INT(got.kind, m->kind);
  CHECK_EQ_INT(pgw_conn_next(to, &got), PGW_NEED_MORE);
  CHECK_EQ_INT(pgw_conn_phase(from), pgw_conn_phase(to));
}

int main(void) {
  size_t fe_len = pgw_test_hex(psql15_frontend_hex, fe, sizeof fe);
  size_t be_len = pgw_test_hex(psql15_backend_hex, be, sizeof be);
  pgw_decoder fd, bd; /* cut the recorded streams into messages */
  pgw_decoder_init(&fd, PGW_FRONTEND, NULL);
  pgw_decoder_init(&bd, PGW_BACKEND, NULL);
  CHECK_EQ_INT(pgw_decoder_feed(&fd, fe, fe_len), 0);
  CHECK_EQ_INT(pgw_decoder_feed(&bd, be, be_len), 0);

  pgw_conn client, server;
  pgw_conn_options o;
  memset(&o, 0, sizeof o);
  o.role = PGW_FRONTEND;
  CHECK_EQ_INT(pgw_conn_init(&client, &o), 0);
  o.role = PGW_BACKEND;
  CHECK_EQ_INT(pgw_conn_init(&server, &o), 0);
  pgw_buf wire;
  pgw_buf_init(&wire, NULL);

  static const pgw_phase after_answer[] = {PGW_PHASE_READY, PGW_PHASE_READY,
                                           PGW_PHASE_READY};
  size_t answers = 0, fmsgs = 0, bmsgs = 0;
  pgw_message m;
  while (pgw_decoder_next(&fd, &m) == PGW_OK) {
    fmsgs++;
    pass(&client, &server, &m, fe + m.offset, &wire);
    if (m.kind == PGW_MSG_TERMINATE) break;
    /* The server answers up to and including ReadyForQuery. */
    pgw_message b;
    int rc;
    while ((rc = pgw_decoder_next(&bd, &b)) == PGW_OK) {
      bmsgs++;
      pass(&server, &client, &b, be + b.offset, &wire);
      if (b.kind == PGW_MSG_READY_FOR_QUERY) break;
    }
    CHECK_EQ_INT(rc, PGW_OK);
    CHECK(answers < 3);
    if (answers < 3)
      CHECK_EQ_INT(pgw_conn_phase(&client), after_answer[answers]);
    answers++;
  }
  CHECK_EQ_INT(fmsgs, 4);
  CHECK_EQ_INT(bmsgs, 24);
  CHECK_EQ_INT(answers, 3);
  CHECK_EQ_INT(pgw_conn_phase(&client), PGW_PHASE_TERMINATED);
  CHECK_EQ_INT(pgw_conn_phase(&server), PGW_PHASE_TERMINATED);
  /* Nothing may follow Terminate. */
  pgw_message q;
  memset(&q, 0, sizeof q);
  q.kind = PGW_MSG_QUERY;
  q.body.query.text = PGW_STR("SELECT 1");
  CHECK(pgw_conn_send(&client, &q, &wire) < 0);

  pgw_buf_free(&wire);
  pgw_conn_free(&client);
  pgw_conn_free(&server);
  pgw_decoder_free(&fd);
  pgw_decoder_free(&bd);
  return pgw_test_done("conn_recorded");
}
