/* record_reject.h - `pgw record` over --max-connections: the client is
 * answered as PostgreSQL answers when it has no free slot. */
#ifndef PGW_CLI_RECORD_REJECT_H
#define PGW_CLI_RECORD_REJECT_H

#include "record_conn.h"

/* Read the client's startup packets (c->s[0], state REC_REJECTING):
 * 'N' to SSLRequest and GSSENCRequest, then for the StartupMessage an
 * ErrorResponse (FATAL, SQLSTATE 53300, "sorry, too many clients
 * already", as PostgreSQL's InitProcess sends it). Returns -1 when the
 * connection is done (answered, closed by the client, or bad input). */
int rec_reject_pump(rec_conn *c, short revents, int max_connections);

#endif
