/*
 * libpq_client.c - pgw-bench-libpq: the libpq baseline, end to end.
 *
 *   pgw-bench-libpq [--passes N] CONNINFO
 *
 * Each pass (after one untimed warm-up) connects with PQconnectdb(), then
 * times PQsendQuery() + PQsetSingleRowMode() + PQgetResult() up to the end
 * of the results, visiting every column of every row with PQgetisnull() and
 * PQgetlength() (summing the lengths, as pgw-bench does). Meant to run
 * against pgw-bench-server, which replays a capture. Prints the same
 * key=value summary line as pgw-bench (messages are not seen by libpq's
 * users, so only rows are counted).
 */
#define _POSIX_C_SOURCE 200809L

#include <libpq-fe.h>

#include "bench_util.h"

typedef struct tally {
  unsigned long long rows, columns, colsum;
} tally;

static double run(const char *conninfo, tally *t) {
  PGconn *c = PQconnectdb(conninfo);
  if (PQstatus(c) != CONNECTION_OK) {
    fprintf(stderr, "pgw-bench-libpq: %s", PQerrorMessage(c));
    exit(1);
  }
  double t0 = bench_now();
  if (!PQsendQuery(c, "SELECT 'replayed by pgw-bench-server'") ||
      !PQsetSingleRowMode(c)) {
    fprintf(stderr, "pgw-bench-libpq: %s", PQerrorMessage(c));
    exit(1);
  }
  PGresult *r;
  while ((r = PQgetResult(c)) != NULL) {
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_SINGLE_TUPLE) {
      int n = PQnfields(r);
      unsigned long long sum = 0;
      for (int i = 0; i < n; i++)
        if (!PQgetisnull(r, 0, i))
          sum += (unsigned long long)PQgetlength(r, 0, i);
      t->rows++;
      t->columns += (unsigned long long)n;
      t->colsum += sum;
    } else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      fprintf(stderr, "pgw-bench-libpq: %s", PQresultErrorMessage(r));
      exit(1);
    }
    PQclear(r);
  }
  double t1 = bench_now();
  PQfinish(c);
  return t1 - t0;
}

int main(int argc, char **argv) {
  size_t passes = 5;
  const char *conninfo = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--passes") && i + 1 < argc) {
      long v = atol(argv[++i]);
      if (v < 1)
        conninfo = NULL, i = argc;
      else
        passes = (size_t)v;
    } else if (argv[i][0] != '-' && conninfo == NULL) {
      conninfo = argv[i];
    } else {
      conninfo = NULL;
      break;
    }
  }
  if (conninfo == NULL) {
    fprintf(stderr, "usage: pgw-bench-libpq [--passes N] CONNINFO\n");
    return 2;
  }
  double *secs = (double *)calloc(passes, sizeof *secs);
  if (secs == NULL) exit(1);
  tally first = {0, 0, 0}, t;
  run(conninfo, &first);
  for (size_t p = 0; p < passes; p++) {
    memset(&t, 0, sizeof t);
    secs[p] = run(conninfo, &t);
    if (memcmp(&t, &first, sizeof t) != 0) {
      fprintf(stderr, "pgw-bench-libpq: passes disagree\n");
      exit(1);
    }
  }
  double best = secs[0];
  for (size_t p = 1; p < passes; p++)
    if (secs[p] < best) best = secs[p];
  double med = bench_median(secs, passes);
  printf("result mode=libpq-single-row libpq=%d rows=%llu passes=%zu "
         "median_s=%.6f min_s=%.6f rows_per_s=%.0f columns=%llu colsum=%llu "
         "maxrss_kb=%ld\n",
         PQlibVersion(), first.rows, passes, med, best,
         (double)first.rows / med, first.columns, first.colsum,
         bench_maxrss_kb());
  free(secs);
  return 0;
}
