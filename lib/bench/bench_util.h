/*
 * bench_util.h - small helpers shared by the benchmark programs: clock,
 * median, file loading, whole-buffer socket writes. Not part of pgw.
 */
#ifndef PGW_BENCH_UTIL_H
#define PGW_BENCH_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bench_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median of n > 0 values (sorts them). */
static inline double bench_median(double *v, size_t n) {
  qsort(v, n, sizeof *v, bench_cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Peak resident set size of this process in KiB. */
static inline long bench_maxrss_kb(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
  return ru.ru_maxrss;
}

/* Whole file into memory; NULL with a message on failure. */
static inline uint8_t *bench_load(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 20, n = 0;
  uint8_t *data = (uint8_t *)malloc(cap);
  while (data) {
    if (n == cap) {
      uint8_t *d = (uint8_t *)realloc(data, cap * 2);
      if (d == NULL) {
        free(data);
        data = NULL;
        break;
      }
      data = d;
      cap *= 2;
    }
    size_t r = fread(data + n, 1, cap - n, f);
    n += r;
    if (r == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (data == NULL || bad) {
    fprintf(stderr, "cannot read %s\n", path);
    free(data);
    return NULL;
  }
  *len = n;
  return data;
}

/* PATH + suffix, malloc'd. */
static inline char *bench_path_plus(const char *path, const char *suffix) {
  size_t a = strlen(path), b = strlen(suffix);
  char *s = (char *)malloc(a + b + 1);
  if (s == NULL) return NULL;
  memcpy(s, path, a);
  memcpy(s + a, suffix, b + 1);
  return s;
}

static inline int bench_write_all(int fd, const uint8_t *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += (size_t)w;
    n -= (size_t)w;
  }
  return 0;
}

/* Connect to a unix socket; -1 on failure. */
static inline int bench_connect_unix(const char *path) {
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof a.sun_path) return -1;
  memcpy(a.sun_path, path, strlen(path) + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static inline uint32_t bench_load32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static inline unsigned bench_load16(const uint8_t *p) {
  return (unsigned)p[0] << 8 | (unsigned)p[1];
}

#endif /* PGW_BENCH_UTIL_H */
