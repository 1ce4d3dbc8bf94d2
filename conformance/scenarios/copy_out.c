/* copy_out: COPY TO STDOUT in text and binary (CopyOutResponse,
 * CopyData, CopyDone, CommandComplete). */
#include "scenario.h"
static void read_all(PGconn *c) {
  char *buf;
  int n;
  while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
    printf("data %d ", n);
    scenario_print_escaped(buf, n);
    putchar('\n');
    PQfreemem(buf);
  }
  printf("copy end %d\n", n);
  scenario_drain(c);
}
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(
      c,
      "COPY (SELECT g, 'v' || g, NULL FROM generate_series(1,3) g) TO STDOUT");
  read_all(c);
  scenario_exec(
      c,
      "COPY (SELECT g FROM generate_series(1,2) g) TO STDOUT (FORMAT binary)");
  read_all(c);
  scenario_exec(c, "COPY (SELECT 1) TO STDOUT (FORMAT csv, HEADER)");
  read_all(c);
  return scenario_finish(c);
}
