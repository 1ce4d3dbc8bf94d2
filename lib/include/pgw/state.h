/* pgw/state.h - connection phase machine (being written). */
#ifndef PGW_STATE_H
#define PGW_STATE_H
#include "pgw/decoder.h"
#endif
