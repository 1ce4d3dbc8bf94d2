/* replication_logical: a logical replication connection
 * (replication=database), alone: it creates a table and a publication
 * with ordinary SQL (allowed on such a connection), a temporary pgoutput
 * slot, inserts a row, then START_REPLICATION ... LOGICAL streams
 * Begin/Relation/Insert/Commit inside XLogData (CopyBothResponse,
 * CopyData); the client stops with CopyDone and cleans up. Only message
 * kinds are printed (LSNs, xids and OIDs vary). Before CopyDone the
 * client confirms the server's sent position (the commit's end LSN, or
 * the walEnd of the keepalive that follows) with a status update, so
 * the server has no reason to send keepalives while the stream closes
 * (their timing would make the recording differ from run to run). */
#include "scenario.h"
#include <stdint.h>
#include <sys/time.h>

static uint64_t be64(const char *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | (unsigned char)p[i];
  return v;
}

static void put64(char *p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8)
    p[i] = (char)(v & 0xff);
}

/* Wait up to 2 s for the keepalive the server sends once it has sent the
 * commit and the client has not confirmed it; reading it before replying
 * keeps libpq's trace in wire order. */
static uint64_t await_keepalive(PGconn *c, uint64_t lsn) {
  for (int tries = 0; tries < 20; tries++) {
    char *buf;
    int n = PQgetCopyData(c, &buf, 1);
    if (n > 0) {
      int k = buf[0] == 'k' && n >= 9;
      /* the keepalive's walEnd: the server's sent position, which other
       * WAL may have moved past the commit */
      if (k && be64(buf + 1) > lsn) lsn = be64(buf + 1);
      PQfreemem(buf);
      if (k) return lsn;
      continue;
    }
    if (n < 0) return lsn;
    fd_set rs;
    struct timeval tv = {0, 100 * 1000};
    FD_ZERO(&rs);
    FD_SET(PQsocket(c), &rs);
    if (select(PQsocket(c) + 1, &rs, NULL, NULL, &tv) > 0) PQconsumeInput(c);
  }
  return lsn;
}
static void sql(PGconn *c, const char *q) {
  PGresult *r = PQexec(c, q);
  printf("sql %s\n", PQresStatus(PQresultStatus(r)));
  PQclear(r);
}
int main(int argc, char **argv) {
  PGconn *c = scenario_connect(argc, argv, 0);
  /* no "does not exist, skipping" notices: the answers must not depend
   * on what an earlier run left behind */
  sql(c, "SET client_min_messages = warning");
  sql(c, "DROP PUBLICATION IF EXISTS pgw_pub");
  sql(c, "DROP TABLE IF EXISTS pgw_repl");
  sql(c, "CREATE TABLE pgw_repl(a int primary key, b text)");
  sql(c, "CREATE PUBLICATION pgw_pub FOR TABLE pgw_repl");
  PGresult *r =
      PQexec(c, "CREATE_REPLICATION_SLOT pgw_slot TEMPORARY LOGICAL pgoutput");
  printf("slot %s\n", PQresStatus(PQresultStatus(r)));
  PQclear(r);
  sql(c, "INSERT INTO pgw_repl VALUES (1, 'one')");
  r = PQexec(c, "START_REPLICATION SLOT pgw_slot LOGICAL 0/0 "
                "(proto_version '1', publication_names 'pgw_pub')");
  printf("start %s\n", PQresStatus(PQresultStatus(r)));
  PQclear(r);
  char *buf;
  int n, seen_commit = 0;
  uint64_t end_lsn = 0;
  while (!seen_commit && (n = PQgetCopyData(c, &buf, 0)) > 0) {
    if (buf[0] == 'w' && n > 25) {
      printf("xlogdata %c\n", buf[25]);
      seen_commit = buf[25] == 'C';
      /* Commit: flags, commit LSN, end LSN, timestamp */
      if (seen_commit && n >= 25 + 1 + 1 + 8 + 8)
        end_lsn = be64(buf + 25 + 1 + 1 + 8);
    }
    PQfreemem(buf);
  }
  end_lsn = await_keepalive(c, end_lsn);
  /* Standby status update: 'r', write, flush, apply, clock, no reply. */
  char st[34] = {'r'};
  put64(st + 1, end_lsn);
  put64(st + 9, end_lsn);
  put64(st + 17, end_lsn);
  put64(st + 25, 0);
  st[33] = 0;
  printf("status update %d\n", PQputCopyData(c, st, (int)sizeof st));
  printf("end %d\n", PQputCopyEnd(c, NULL));
  while ((n = PQgetCopyData(c, &buf, 0)) > 0)
    PQfreemem(buf);
  while ((r = PQgetResult(c)) != NULL) {
    printf("result %s\n", PQresStatus(PQresultStatus(r)));
    PQclear(r);
  }
  sql(c, "DROP PUBLICATION pgw_pub");
  sql(c, "DROP TABLE pgw_repl");
  return scenario_finish(c);
}
