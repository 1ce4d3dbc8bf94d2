/* Must not compile: a column cursor read with the value cursor's next
 * function (pgw/read.h's cursors are typed; pgw_iter is not). The ctest
 * compile_fail_cursor_mismatch expects the compiler to refuse it. */
#include "pgw/pgw.h"

int read_wrongly(const pgw_row_description *rd);
int read_wrongly(const pgw_row_description *rd) {
  pgw_column_cursor c = pgw_column_cursor_of(&rd->columns);
  pgw_value v;
  return pgw_value_cursor_next(&c, &v);
}
