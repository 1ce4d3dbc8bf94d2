/*
 * fuzz_replication.c - pgw_repl_decode() (streaming replication and
 * BASE_BACKUP CopyData) and, for XLogData, pgw_lrep_decode() on its data.
 *
 * Input: byte 0 picks the context (bit 0: BASE_BACKUP), the direction
 * (bit 1: backend) and, for the data of an XLogData, the pgoutput version
 * (bits 2-3, plus 1) and an open streamed block (bit 4); the rest is the
 * CopyData payload. A decode that succeeds must re-encode to the same
 * bytes; a failure must carry a known code, a reason, a rule (every
 * replication failure is a protocol rule) and an offset inside the input.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "pgw/replication.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[1 << 16];

static void check_failure(int rc, const pgw_error *e, size_t len) {
  FUZZ_ASSERT(rc < 0 && fuzz_status_known(rc));
  FUZZ_ASSERT(e->code == rc);
  FUZZ_ASSERT(e->reason != NULL && e->reason[0] != '\0');
  FUZZ_ASSERT(e->rule != NULL);
  FUZZ_ASSERT(e->offset <= len);
}

static void check_logical(const uint8_t *p, size_t n, int version,
                          int in_stream) {
  pgw_lrep_msg m;
  pgw_error e = {0, 0, NULL, NULL};
  size_t len = 0;
  int rc = pgw_lrep_decode(p, n, version, in_stream, &m, &e);
  if (rc != 0) {
    check_failure(rc, &e, n);
    return;
  }
  FUZZ_ASSERT(pgw_lrep_kind_name(m.kind) != NULL);
  FUZZ_ASSERT(n <= sizeof out);
  FUZZ_ASSERT(pgw_lrep_encode(&m, out, sizeof out, &len) == 0);
  FUZZ_ASSERT(len == n && memcmp(out, p, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > sizeof out) return 0;
  pgw_repl_context ctx =
      (data[0] & 1) ? PGW_REPL_BASE_BACKUP : PGW_REPL_STREAMING;
  pgw_dir dir = (data[0] & 2) ? PGW_BACKEND : PGW_FRONTEND;
  size_t n = size - 1;
  uint8_t *p = (uint8_t *)malloc(n ? n : 1); /* exact bounds for ASan */
  if (p == NULL) return 0;
  if (n) memcpy(p, data + 1, n);
  pgw_repl_msg m;
  pgw_error e = {0, 0, NULL, NULL};
  size_t len = 0;
  int rc = pgw_repl_decode(ctx, dir, p, n, &m, &e);
  if (rc != 0) {
    check_failure(rc, &e, n);
  } else {
    FUZZ_ASSERT(m.kind != PGW_REPL_UNKNOWN);
    FUZZ_ASSERT(pgw_repl_encode(&m, out, sizeof out, &len) == 0);
    FUZZ_ASSERT(len == n && memcmp(out, p, n) == 0);
    if (m.kind == PGW_REPL_XLOG_DATA) {
      const pgw_bytes *d = &m.u.xlog_data.data;
      FUZZ_ASSERT(d->len == n - 25 && (d->len == 0 || d->ptr == p + 25));
      check_logical(d->ptr, d->len, 1 + ((data[0] >> 2) & 3),
                    (data[0] >> 4) & 1);
    }
  }
  free(p);
  return 0;
}
