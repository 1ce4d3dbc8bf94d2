/*
 * certify_client_wire.h - one client connection seen from the scripted
 * server: a socket with deadlines, pgw's strict backend conn that checks
 * every client message, a builder for the server's messages (each one
 * decoded and handed to the conn, so its state follows what was sent),
 * and the client's bytes kept for the report.
 */
#ifndef PGW_CLI_CERTIFY_CLIENT_WIRE_H
#define PGW_CLI_CERTIFY_CLIENT_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pgw/pgw.h"

/* cc_wire_next() results besides PGW_OK and PGW_ERR_*. */
enum { CC_EOF = 100, CC_TIMEOUT = 101, CC_IOERR = 102 };

typedef struct cc_wire {
  int fd;
  pgw_conn conn;      /* backend role, strict */
  int split;          /* one byte per write */
  int status;         /* sticky result of the conn */
  int gone;           /* a write failed: the client closed */
  FILE *rec;          /* --record: the traffic as a session file, or NULL */
  volatile int *stop; /* set by a signal: waits end early (NULL: none) */
  pgw_buf msg;        /* the message being built */
  pgw_buf seen;       /* the client's bytes (first 1 MiB) */
  size_t seen_total;
  uint8_t buf[65536];
} cc_wire;

/* Take over fd; server_protocol: the highest we offer. */
int cc_wire_open(cc_wire *w, int fd, uint32_t server_protocol);
void cc_wire_close(cc_wire *w);

/* --record: keep the traffic in path (a .pgs session file). */
void cc_wire_record(cc_wire *w, const char *path, const char *note);

/* Next client message within timeout_ms: PGW_OK (*m valid until the next
 * call), CC_EOF, CC_TIMEOUT, CC_IOERR, or the conn's PGW_ERR_*. */
int cc_wire_next(cc_wire *w, pgw_message *m, int timeout_ms);

/* Builder: begin a message of type byte t, append fields, then send it
 * (checked by the state as sent; 0, or -1 with the reason in err). */
void cc_b(cc_wire *w, uint8_t t);
void cc_i32(cc_wire *w, uint32_t v);
void cc_i16(cc_wire *w, uint16_t v);
void cc_str(cc_wire *w, const char *s);
void cc_raw(cc_wire *w, const void *p, size_t n);
int cc_send(cc_wire *w, char *err, size_t n);
/* Bytes without any state (a one-byte SSL answer, a cut message). */
int cc_send_bytes(cc_wire *w, const uint8_t *p, size_t n);

/* 1 if v holds exactly the text s. */
int cc_str_is(pgw_str v, const char *s);

/* Common messages. */
int cc_send_error(cc_wire *w, const char *sev, const char *code,
                  const char *text);
int cc_send_ready(cc_wire *w, char status);
int cc_send_ps(cc_wire *w, const char *name, const char *value);

/* The rule broken (from the conn's error) as "rule: reason at offset N:
 * bytes"; rule gets the id. */
void cc_wire_broke(const cc_wire *w, char *rule, size_t rn, char *out,
                   size_t n);

#endif
