/*
 * render_replication.h - what `pgw dump` knows about a replication
 * connection: which command started a copy stream (START_REPLICATION
 * PHYSICAL or LOGICAL with its options, BASE_BACKUP), the decoding of
 * each CopyData inside it (pgw/replication.h), and its rendering as the
 * "replication" member of the CopyData's fields.
 */
#ifndef PGW_CLI_RENDER_REPLICATION_H
#define PGW_CLI_RENDER_REPLICATION_H

#include "pgw/pgw.h"
#include "render.h"

typedef enum cli_repl_stream {
  CLI_REPL_NONE = 0,
  CLI_REPL_PHYSICAL,      /* START_REPLICATION [PHYSICAL] */
  CLI_REPL_PGOUTPUT,      /* START_REPLICATION ... LOGICAL with proto_version
                             and publication_names */
  CLI_REPL_LOGICAL_OTHER, /* another output plugin: data stays opaque */
  CLI_REPL_BASE_BACKUP    /* BASE_BACKUP (PostgreSQL 15+ format) */
} cli_repl_stream;

typedef struct cli_repl {
  unsigned server_version; /* 0 unknown */
  pgw_mode mode;
  cli_repl_stream pending, active;
  int proto_version, parallel;
  pgw_lrep_stream ls;
  int ls_ready;
  /* the last CopyData of a stream, decoded */
  int have, have_logical;
  int warning; /* a documented deviation let through (err says which) */
  pgw_repl_msg msg;
  pgw_lrep_msg lmsg;
  pgw_error err;
  pgw_buf enc;
} cli_repl;

void cli_repl_init(cli_repl *r, unsigned server_version, pgw_mode mode);
void cli_repl_free(cli_repl *r);

/* Look at the next message of the conversation (wire order). For a
 * CopyData inside a replication stream, decode it. 0, or a PGW_ERR_* with
 * r->err holding the offset inside the CopyData's data. */
int cli_repl_track(cli_repl *r, pgw_dir dir, const pgw_message *m);

/* r if the message just tracked was decoded, else NULL. */
const cli_repl *cli_repl_current(const cli_repl *r);

/* The "replication" member: {type, fields, logical: {type, fields}}. */
void cli_repl_emit(cli_emit *e, const cli_repl *r);

/* Re-encode the decoded message(s) and compare with the CopyData's data.
 * 0, or -1 with *offset (inside the data) and detail set. */
int cli_repl_roundtrip(cli_repl *r, const pgw_message *m, size_t *offset,
                       char *detail, size_t n);

#endif
