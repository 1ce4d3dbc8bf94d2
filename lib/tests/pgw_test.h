/*
 * pgw_test.h - tiny test harness shared by the unit tests: checks that
 * report file:line and keep going, hex fixtures, a counting allocator.
 */
#ifndef PGW_TEST_H
#define PGW_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgw/pgw.h"

static int pgw_test_failures;
static int pgw_test_checks;

#define CHECK(cond)                                                            \
  do {                                                                         \
    pgw_test_checks++;                                                         \
    if (!(cond)) {                                                             \
      pgw_test_failures++;                                                     \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                     \
  do {                                                                         \
    long long va_ = (long long)(a), vb_ = (long long)(b);                      \
    pgw_test_checks++;                                                         \
    if (va_ != vb_) {                                                          \
      pgw_test_failures++;                                                     \
      fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__,    \
              __LINE__, #a, va_, #b, vb_);                                     \
    }                                                                          \
  } while (0)

/* Compare a view with a C string. */
#define CHECK_STR(view, cstr)                                                  \
  do {                                                                         \
    pgw_str v_ = (view);                                                       \
    const char *c_ = (cstr);                                                   \
    pgw_test_checks++;                                                         \
    if (v_.len != strlen(c_) || memcmp(v_.ptr, c_, v_.len) != 0) {             \
      pgw_test_failures++;                                                     \
      fprintf(stderr, "%s:%d: %s is \"%.*s\", expected \"%s\"\n", __FILE__,    \
              __LINE__, #view, (int)v_.len, v_.ptr, c_);                       \
    }                                                                          \
  } while (0)

#define CHECK_MEM(p, n, q, m)                                                  \
  do {                                                                         \
    pgw_test_checks++;                                                         \
    if ((size_t)(n) != (size_t)(m) || memcmp((p), (q), (size_t)(n)) != 0) {    \
      pgw_test_failures++;                                                     \
      fprintf(stderr, "%s:%d: bytes differ: %s vs %s\n", __FILE__, __LINE__,   \
              #p, #q);                                                         \
    }                                                                          \
  } while (0)

/* Parse hex (spaces allowed) into out; returns the byte count. Aborts on
 * malformed fixtures: they are the test's own data. */
static inline size_t pgw_test_hex(const char *hex, unsigned char *out,
                                  size_t cap) {
  size_t n = 0;
  int hi = -1;
  for (; *hex; hex++) {
    int v;
    char c = *hex;
    if (c == ' ' || c == '\n' || c == '\t') continue;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else abort();
    if (hi < 0) {
      hi = v;
    } else {
      if (n >= cap) abort();
      out[n++] = (unsigned char)(hi << 4 | v);
      hi = -1;
    }
  }
  if (hi >= 0) abort();
  return n;
}

/* Counting allocator: tests assert that steady state allocates nothing. */
typedef struct pgw_test_counter {
  size_t allocs, reallocs, frees;
} pgw_test_counter;

static void *pgw_test_malloc(size_t n, void *u) {
  ((pgw_test_counter *)u)->allocs++;
  return malloc(n);
}
static void *pgw_test_realloc(void *p, size_t n, void *u) {
  ((pgw_test_counter *)u)->reallocs++;
  return realloc(p, n);
}
static void pgw_test_free(void *p, void *u) {
  if (p) ((pgw_test_counter *)u)->frees++;
  free(p);
}
static inline pgw_allocator pgw_test_allocator(pgw_test_counter *c) {
  pgw_allocator a;
  a.malloc_fn = pgw_test_malloc;
  a.realloc_fn = pgw_test_realloc;
  a.free_fn = pgw_test_free;
  a.user = c;
  return a;
}

static inline int pgw_test_done(const char *name) {
  printf("%s: %d checks, %d failed\n", name, pgw_test_checks,
         pgw_test_failures);
  return pgw_test_failures ? 1 : 0;
}

#endif /* PGW_TEST_H */
