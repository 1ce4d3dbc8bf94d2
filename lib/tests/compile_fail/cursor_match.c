/* Must compile: the same read with matching cursor and function (the
 * control of compile_fail_cursor_mismatch, so that it fails for the
 * mismatch and nothing else). */
#include "pgw/pgw.h"

int read_rightly(const pgw_row_description *rd);
int read_rightly(const pgw_row_description *rd) {
  pgw_column_cursor c = pgw_column_cursor_of(&rd->columns);
  pgw_column col;
  return pgw_column_cursor_next(&c, &col);
}
