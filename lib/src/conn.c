/*
 * conn.c - decoder and state machine coordinated for one end of a
 * connection.
 */
#include <string.h>

#include "pgw/conn.h"
#include "pgw_internal.h"

static pgw_dir peer_of(const pgw_conn *c) {
  return c->role == PGW_FRONTEND ? PGW_BACKEND : PGW_FRONTEND;
}

/* Tell the decoder what the state expects next from the peer. */
static void sync_decoder(pgw_conn *c) {
  pgw__sync_decoder(&c->decoder, &c->state, peer_of(c));
}

int pgw_conn_init(pgw_conn *c, const pgw_conn_options *opts) {
  if (c == NULL) return PGW_ERR_INVALID_ARGUMENT;
  memset(c, 0, sizeof *c);
  pgw_dir role = opts ? opts->role : PGW_FRONTEND;
  if (role != PGW_FRONTEND && role != PGW_BACKEND)
    return PGW_ERR_INVALID_ARGUMENT;
  c->role = role;
  pgw_state_options so;
  memset(&so, 0, sizeof so);
  pgw_decoder_options dopt;
  memset(&dopt, 0, sizeof dopt);
  if (opts) {
    so.lenient = opts->lenient;
    so.mode = opts->mode;
    dopt.mode = opts->mode;
    dopt.server_protocol = opts->server_protocol;
    dopt.server_version = opts->server_version;
    so.start_phase = opts->start_phase;
    so.protocol = opts->protocol;
    so.allocator = opts->allocator;
    dopt.lenient = opts->lenient;
    dopt.allocator = opts->allocator;
    dopt.max_message_len = opts->max_message_len;
    c->on_send = opts->on_send;
    c->on_receive = opts->on_receive;
    c->hook_user = opts->hook_user;
  }
  int rc = pgw_state_init(&c->state, &so);
  if (rc) return rc;
  pgw_decoder_init(&c->decoder, peer_of(c), &dopt);
  pgw_buf_init(&c->scratch, opts ? opts->allocator : NULL);
  sync_decoder(c);
  return 0;
}

void pgw_conn_free(pgw_conn *c) {
  if (c == NULL) return;
  pgw_decoder_free(&c->decoder);
  pgw_state_free(&c->state);
  pgw_buf_free(&c->scratch);
}

int pgw_conn_receive(pgw_conn *c, const uint8_t *data, size_t len) {
  if (c == NULL) return PGW_ERR_INVALID_ARGUMENT;
  return pgw_decoder_feed(&c->decoder, data, len);
}

static int fail(pgw_conn *c, const pgw_error *e) {
  c->error = *e;
  c->status = e->code;
  return e->code;
}

/* pgw_conn_next() in general: decoder, state machine, hook. */
static PGW__NOINLINE int next_general(pgw_conn *c, pgw_message *m) {
  if (c->status) return c->status;
  size_t warned = pgw_decoder_warnings(&c->decoder);
  int rc = pgw_decoder_next(&c->decoder, m);
  if (pgw_decoder_warnings(&c->decoder) != warned) {
    c->warning = *pgw_decoder_warning(&c->decoder);
    c->warnings++;
  }
  if (rc == PGW_DIRECT_SSL) {
    c->direct_ssl = 1;
    return rc;
  }
  if (rc < 0) {
    memset(m, 0, sizeof *m); /* no message: wire_len 0 says so */
    return fail(c, pgw_decoder_error(&c->decoder));
  }
  if (rc != PGW_OK) return rc;
  warned = pgw_state_violations(&c->state);
  rc = pgw_state_feed(&c->state, peer_of(c), m);
  if (rc == PGW_OK && pgw_state_violations(&c->state) != warned) {
    c->warning = *pgw_state_error(&c->state);
    c->warnings++;
  }
  /* Rows and COPY data never change framing, protocol or password kind. */
  if (rc != PGW_OK ||
      (m->kind != PGW_MSG_DATA_ROW && m->kind != PGW_MSG_COPY_DATA))
    sync_decoder(c);
  if (rc < 0) {
    pgw_error e = *pgw_state_error(&c->state);
    return fail(c, &e);
  }
  if (c->on_receive) {
    /* The decoder keeps a message's header and payload contiguous. */
    size_t hlen = m->wire_len - m->payload.len;
    return c->on_receive(c->hook_user, m, m->payload.ptr - hlen, m->wire_len);
  }
  return PGW_OK;
}

/* A fast-path row the state must judge (its column count differs, or its
 * RowDescription was lost); a violation it lets through is counted. */
static PGW__NOINLINE int row_mismatch(pgw_conn *c, pgw_message *m) {
  size_t warned = pgw_state_violations(&c->state);
  int rc = pgw_state_feed(&c->state, peer_of(c), m);
  if (rc < 0) {
    pgw_error e = *pgw_state_error(&c->state);
    return fail(c, &e);
  }
  if (pgw_state_violations(&c->state) != warned) {
    c->warning = *pgw_state_error(&c->state);
    c->warnings++;
  }
  return PGW_OK;
}

int pgw_conn_next(pgw_conn *c, pgw_message *m) {
  if (c == NULL || m == NULL) return PGW_ERR_INVALID_ARGUMENT;
  /* A row while rows are due (only a backend decoder yields DataRow):
   * pgw_state_feed() would accept it and change nothing, and a row never
   * needs the decoder re-synced; so the decoder's fast path is enough. */
  if (pgw__state_rows_due(&c->state) && c->status == 0 &&
      c->on_receive == NULL && pgw__decoder_row(&c->decoder, m)) {
    /* row_cols -1: no RowDescription to compare with; below: lost. */
    if (PGW__LIKELY(c->state.row_cols == -1 || m->body.data_row.columns.count ==
                                                   (size_t)c->state.row_cols))
      return PGW_OK;
    return row_mismatch(c, m);
  }
  return next_general(c, m);
}

int pgw_conn_rows(pgw_conn *c, pgw_value *values, size_t cap, size_t *ncols) {
  if (c == NULL || values == NULL || ncols == NULL)
    return PGW_ERR_INVALID_ARGUMENT;
  *ncols = 0;
  /* Only where pgw_conn_next()'s fast path would take them: rows due, no
   * error, no hook, and a column count known from the RowDescription. */
  if (!pgw__state_rows_due(&c->state) || c->status || c->on_receive ||
      c->state.row_cols <= 0)
    return 0;
  int rc =
      pgw_decoder_rows(&c->decoder, (size_t)c->state.row_cols, values, cap);
  if (rc > 0) *ncols = (size_t)c->state.row_cols;
  return rc;
}

int pgw_conn_finish(pgw_conn *c) {
  if (c == NULL) return PGW_ERR_INVALID_ARGUMENT;
  int rc = pgw_decoder_finish(&c->decoder);
  if (rc < 0) c->error = *pgw_decoder_error(&c->decoder);
  return rc;
}

int pgw_conn_send(pgw_conn *c, const pgw_message *m, pgw_buf *out) {
  if (c == NULL || m == NULL || (out == NULL && c->on_send == NULL))
    return PGW_ERR_INVALID_ARGUMENT;
  pgw_buf *b = out;
  if (b == NULL) {
    b = &c->scratch;
    pgw_buf_clear(b);
  }
  size_t start = b->len;
  int rc = pgw_message_encode_buf(m, b);
  if (rc) {
    c->error.code = rc;
    c->error.offset = 0;
    c->error.reason = "message could not be encoded";
    c->error.rule = NULL;
    return rc;
  }
  rc = pgw_state_feed(&c->state, c->role, m);
  if (rc < 0) {
    b->len = start;
    c->error = *pgw_state_error(&c->state);
    return rc;
  }
  sync_decoder(c);
  if (c->on_send)
    return c->on_send(c->hook_user, m, b->data + start, b->len - start);
  return PGW_OK;
}

int pgw_conn_forwarded(pgw_conn *c, const pgw_message *m) {
  if (c == NULL || m == NULL) return PGW_ERR_INVALID_ARGUMENT;
  int rc = pgw_state_feed(&c->state, c->role, m);
  if (rc < 0) {
    c->error = *pgw_state_error(&c->state);
    return rc;
  }
  sync_decoder(c);
  return PGW_OK;
}

int pgw_conn_tls_established(pgw_conn *c) {
  if (c == NULL) return PGW_ERR_INVALID_ARGUMENT;
  pgw_phase p = pgw_state_phase(&c->state);
  if (p == PGW_PHASE_STARTUP) {
    /* Direct SSL: the backend role saw the TLS record, or the frontend
     * role opened with TLS itself. */
    if (c->role == PGW_BACKEND && !c->direct_ssl)
      return PGW_ERR_INVALID_ARGUMENT;
    int rc = pgw_state_direct_ssl(&c->state);
    if (rc) return rc;
  } else if (p != PGW_PHASE_TLS_HANDSHAKE) {
    return PGW_ERR_INVALID_ARGUMENT;
  } else if (!c->direct_ssl) {
    pgw_error e; /* part of a message arrived before the handshake */
    if (pgw__decoder_injected(&c->decoder, &e)) return fail(c, &e);
  }
  size_t offset = pgw_decoder_offset(&c->decoder);
  if (c->direct_ssl) offset = pgw_decoder_error(&c->decoder)->offset;
  pgw_state_tls_established(&c->state);
  pgw_decoder_reset(&c->decoder, pgw_state_framing(&c->state, peer_of(c)),
                    offset);
  c->direct_ssl = 0;
  c->status = 0;
  sync_decoder(c);
  return 0;
}

pgw_phase pgw_conn_phase(const pgw_conn *c) {
  return pgw_state_phase(&c->state);
}
const pgw_state *pgw_conn_state(const pgw_conn *c) {
  return &c->state;
}
const pgw_error *pgw_conn_error(const pgw_conn *c) {
  return &c->error;
}

size_t pgw_conn_warnings(const pgw_conn *c) {
  return c->warnings;
}

const pgw_error *pgw_conn_warning(const pgw_conn *c) {
  return &c->warning;
}
