/* pgw/pgw.h - everything: messages, decoder, state machine, connection. */
#ifndef PGW_PGW_H
#define PGW_PGW_H

#include "pgw/message.h"
#include "pgw/decoder.h"
#include "pgw/state.h"
#include "pgw/conn.h"

#endif /* PGW_PGW_H */
