/*
 * fuzz_check.h - invariant checks shared by the pgw fuzz harnesses. Every
 * check that fails prints what failed (file:line, the condition) and calls
 * abort(), so libFuzzer, AFL++ and the standalone driver all report it.
 */
#ifndef PGW_FUZZ_CHECK_H
#define PGW_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "pgw/pgw.h"

#define FUZZ_ASSERT(cond)                                                      \
  do {                                                                         \
    if (!(cond)) fuzz_fail(__FILE__, __LINE__, #cond);                         \
  } while (0)

/* Print and abort. */
void fuzz_fail(const char *file, int line, const char *what);

/* 1 if rc is PGW_OK, a positive status or a documented PGW_ERR_*. */
int fuzz_status_known(int rc);

/* Bytes pgw_message_encode() writes before the payload of this kind:
 * 0 for the one-byte answers, 4 for startup-framed kinds, 5 otherwise. */
size_t fuzz_header_len(pgw_kind kind);

/*
 * Checks on a successfully decoded message: every list's iterator yields
 * exactly count items and then 0, uses up exactly the list's raw bytes,
 * and agrees with the _get accessors; every view (strings, bytes, values,
 * raw list bytes) lies inside lo[0..n); strings decoded from NUL-terminated
 * fields hold no NUL.
 */
void fuzz_check_decoded(const pgw_message *m, const uint8_t *lo, size_t n);

/* 1 if a and b have the same kind and the same fields; lists are compared
 * item by item through their iterators (so a built list with items and a
 * decoded list with raw bytes compare equal when they hold the same
 * items). */
int fuzz_same_fields(const pgw_message *a, const pgw_message *b);

/* Little reader over the fuzzer's bytes: every take returns 0 when the
 * input is used up. */
typedef struct fuzz_in {
  const uint8_t *p;
  size_t n;
} fuzz_in;

uint8_t fuzz_u8(fuzz_in *in);
uint16_t fuzz_u16(fuzz_in *in);
uint32_t fuzz_u32(fuzz_in *in);
/* Up to max bytes (length chosen by the input); *len set. */
const uint8_t *fuzz_bytes(fuzz_in *in, size_t max, size_t *len);

#endif /* PGW_FUZZ_CHECK_H */
