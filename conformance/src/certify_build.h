/*
 * certify_build.h - the frontend message a script step names, built as a
 * pgw_message for pgw's encoder (certify_script.h lists the verbs).
 */
#ifndef PGW_CLI_CERTIFY_BUILD_H
#define PGW_CLI_CERTIFY_BUILD_H

#include "certify.h"
#include "pgw/pgw.h"

#define CERT_BUILD_MAX 128

/* What a built message points into (lives as long as the message). */
typedef struct cert_build {
  pgw_param params[CERT_BUILD_MAX];
  pgw_value values[CERT_BUILD_MAX];
  uint32_t oids[CERT_BUILD_MAX];
  int16_t pformats[8], rformats[8];
  size_t npf, nrf;
  uint8_t bytes[4096];
  size_t used;
} cert_build;

/* Build verb argv[0] with its arguments into *m. 1 if built, 0 if argv[0]
 * is no message verb, -1 with err for bad arguments. */
int cert_build_message(cert_build *b, int argc, char **argv,
                       const cert_target *t, pgw_message *m, char *err,
                       size_t n);

/* A StartupMessage's bytes without pgw's checks (any version, no user,
 * any length): 0, or PGW_ERR_NOMEM. */
int cert_startup_bytes(const pgw_message *m, pgw_buf *out);

#endif
