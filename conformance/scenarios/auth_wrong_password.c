/* auth_wrong_password: the server answers the password with an
 * ErrorResponse (28P01) and closes the connection; phase failed. */
#include "scenario.h"
int main(int argc, char **argv) {
  scenario_connect(argc, argv, 1);
  return 1; /* not reached: connect exits */
}
