/* copy_in: COPY FROM STDIN in text and binary format (CopyInResponse,
 * CopyData, CopyDone). */
#include "scenario.h"
static void put(PGconn *c, const char *data, int len) {
  printf("put %d\n", PQputCopyData(c, data, len));
}
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "CREATE TEMP TABLE ci(a int, b text)");
  scenario_exec(c, "COPY ci FROM STDIN");
  put(c, "1\tone\n2\t\\N\n", (int)strlen("1\tone\n2\t\\N\n"));
  put(c, "3\tthree\n", 8);
  printf("end %d\n", PQputCopyEnd(c, NULL));
  scenario_drain(c);
  scenario_exec(c, "COPY ci (a) FROM STDIN (FORMAT binary)");
  static const char bin[] = "PGCOPY\n\377\r\n\0"
                            "\0\0\0\0"
                            "\0\0\0\0" /* header */
                            "\0\1"
                            "\0\0\0\4"
                            "\0\0\0\x2a" /* 1 column: 42 */
                            "\377\377";  /* trailer */
  put(c, bin, (int)sizeof bin - 1);
  printf("end %d\n", PQputCopyEnd(c, NULL));
  scenario_drain(c);
  scenario_exec(c, "SELECT * FROM ci ORDER BY a");
  return scenario_finish(c);
}
