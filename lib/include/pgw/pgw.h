/* pgw/pgw.h - everything: rules, messages, decoder, state machine,
 * connection, observer; builders and readers. */
#ifndef PGW_PGW_H
#define PGW_PGW_H

#include "pgw/message.h"
#include "pgw/decoder.h"
#include "pgw/state.h"
#include "pgw/conn.h"
#include "pgw/observer.h"
#include "pgw/build.h"
#include "pgw/read.h"
#include "pgw/replication.h"

#endif /* PGW_PGW_H */
