/* fastpath: the large-object interface, which libpq implements with
 * FunctionCall / FunctionCallResponse (lo_creat, lo_open, lowrite,
 * lo_lseek, loread, lo_close, lo_unlink), inside a transaction. */
#include "scenario.h"
#include <libpq/libpq-fs.h>
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  scenario_exec(c, "BEGIN");
  Oid lo = lo_creat(c, INV_READ | INV_WRITE);
  printf("created %d\n", lo != 0);
  int fd = lo_open(c, lo, INV_READ | INV_WRITE);
  printf("open %d\n", fd);
  printf("write %d\n", lo_write(c, fd, "hello large object", 18));
  printf("seek %d\n", lo_lseek(c, fd, 6, SEEK_SET));
  char buf[32];
  int n = lo_read(c, fd, buf, sizeof buf);
  printf("read %d ", n);
  scenario_print_escaped(buf, n > 0 ? n : 0);
  putchar('\n');
  printf("close %d\n", lo_close(c, fd));
  printf("unlink %d\n", lo_unlink(c, lo));
  /* an error inside a FunctionCall; a fixed OID, so the message does not
   * vary (the unlinked object's OID would) */
  printf("bad open %d\n", lo_open(c, 123456789, INV_READ));
  scenario_exec(c, "ROLLBACK");
  return scenario_finish(c);
}
