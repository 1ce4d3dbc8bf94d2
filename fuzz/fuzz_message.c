/*
 * fuzz_message.c - every message decoder, through pgw_message_decode().
 *
 * Input: byte 0 picks the kind (byte % PGW_MSG_KIND_COUNT, so every kind,
 * PGW_MSG_UNKNOWN included, is reachable) and the protocol version
 * (byte / PGW_MSG_KIND_COUNT: 0, 3.0, 3.2, 3.1, 2.0, 3.9999); the rest is
 * the payload. A successful decode is checked by fuzz_check_decoded()
 * (iterators, counts, views inside the payload); a failure must carry a
 * known code, the same code in the error, a reason and an offset inside the
 * payload.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t protocols[] = {0,
                                     PGW_PROTOCOL_3_0,
                                     PGW_PROTOCOL_3_2,
                                     PGW_PROTOCOL(3, 1),
                                     PGW_PROTOCOL(2, 0),
                                     PGW_PROTOCOL(3, 9999)};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  pgw_kind kind = (pgw_kind)(data[0] % PGW_MSG_KIND_COUNT);
  uint32_t protocol = protocols[(data[0] / PGW_MSG_KIND_COUNT) %
                                (sizeof protocols / sizeof protocols[0])];
  size_t len = size - 1;
  /* A private copy, so that ASan sees the payload's exact bounds. */
  uint8_t *payload = (uint8_t *)malloc(len ? len : 1);
  if (payload == NULL) return 0;
  if (len) memcpy(payload, data + 1, len);

  pgw_message m;
  pgw_error err = {0, 0, NULL, NULL};
  int rc = pgw_message_decode(kind, payload, len, protocol, &m, &err);
  FUZZ_ASSERT(fuzz_status_known(rc));
  FUZZ_ASSERT(rc <= 0);
  if (rc == 0) {
    FUZZ_ASSERT(kind != PGW_MSG_UNKNOWN);
    FUZZ_ASSERT(m.kind == kind);
    FUZZ_ASSERT(m.payload.ptr == payload && m.payload.len == len);
    FUZZ_ASSERT(m.offset == 0 && m.wire_len == 0);
    if (fuzz_header_len(kind) == 5) FUZZ_ASSERT(m.type == pgw_kind_type(kind));
    fuzz_check_decoded(&m, payload, len);
    /* Decoding is a function of its input. */
    pgw_message again;
    FUZZ_ASSERT(
        pgw_message_decode(kind, payload, len, protocol, &again, NULL) == 0);
    FUZZ_ASSERT(fuzz_same_fields(&m, &again));
  } else {
    FUZZ_ASSERT(err.code == rc);
    FUZZ_ASSERT(err.reason != NULL && err.reason[0] != '\0');
    FUZZ_ASSERT(err.offset <= len);
    if (kind == PGW_MSG_UNKNOWN)
      FUZZ_ASSERT(rc == PGW_ERR_INVALID_ARGUMENT);
    else
      FUZZ_ASSERT(rc != PGW_ERR_INVALID_ARGUMENT);
  }
  free(payload);
  return 0;
}
