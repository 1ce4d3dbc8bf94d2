/* transactions: ReadyForQuery's status byte through BEGIN (T), an error
 * (E), ROLLBACK (I), COMMIT, savepoints. */
#include "scenario.h"
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_tx_status(c);
  scenario_exec(c, "BEGIN");
  scenario_tx_status(c);
  scenario_exec(c, "SAVEPOINT a");
  scenario_exec(c, "SELECT 1/0");
  scenario_tx_status(c);
  scenario_exec(c, "SELECT 1");
  scenario_exec(c, "ROLLBACK TO SAVEPOINT a");
  scenario_tx_status(c);
  scenario_exec(c, "COMMIT");
  scenario_tx_status(c);
  scenario_exec(c, "BEGIN; SELECT 1/0; COMMIT");
  scenario_tx_status(c);
  scenario_exec(c, "ROLLBACK");
  scenario_tx_status(c);
  return scenario_finish(c);
}
