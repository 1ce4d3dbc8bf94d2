/* listen_notify: LISTEN, NOTIFY to ourselves with and without payload;
 * NotificationResponse arrives after CommandComplete. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "LISTEN pgw_chan");
  scenario_exec(c, "NOTIFY pgw_chan, 'hello payload'");
  scenario_exec(c, "SELECT pg_notify('pgw_chan', '')");
  PGnotify *n;
  PQconsumeInput(c);
  while ((n = PQnotifies(c)) != NULL) {
    printf("notify channel=%s payload=", n->relname);
    scenario_print_escaped(n->extra, (int)strlen(n->extra));
    printf(" self=%d\n", n->be_pid == PQbackendPID(c));
    PQfreemem(n);
  }
  scenario_exec(c, "UNLISTEN *");
  return scenario_finish(c);
}
