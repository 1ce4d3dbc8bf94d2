#define _DEFAULT_SOURCE
/* cancel: a query is cancelled through a second connection carrying a
 * CancelRequest with the key from BackendKeyData (4 bytes in 3.0, 32 in
 * 3.2 with PostgreSQL 18). */
#include "scenario.h"
#include <unistd.h>
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  if (!PQsendQuery(c, "SELECT pg_sleep(30)")) return 1;
  usleep(300 * 1000);
  PGcancel *k = PQgetCancel(c);
  char err[256];
  printf("cancel sent: %d\n", PQcancel(k, err, sizeof err));
  PQfreeCancel(k);
  scenario_drain(c);
  scenario_exec(c, "SELECT 'after cancel' AS state");
  return scenario_finish(c);
}
