/* pgw/conn.h - decoder and state machine coordinated (being written). */
#ifndef PGW_CONN_H
#define PGW_CONN_H
#include "pgw/state.h"
#endif
