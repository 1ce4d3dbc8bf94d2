/* track.c - keep two decoders in step with the conversation. */
#include "track.h"

#include <string.h>

void cli_track_init(cli_track *t, int lenient) {
  pgw_decoder_options o;
  memset(t, 0, sizeof *t);
  memset(&o, 0, sizeof o);
  o.lenient = lenient;
  pgw_decoder_init(&t->dec[PGW_FRONTEND], PGW_FRONTEND, &o);
  pgw_decoder_init(&t->dec[PGW_BACKEND], PGW_BACKEND, &o);
}

void cli_track_free(cli_track *t) {
  pgw_decoder_free(&t->dec[PGW_FRONTEND]);
  pgw_decoder_free(&t->dec[PGW_BACKEND]);
}

static void set_protocol(cli_track *t, uint32_t protocol) {
  t->protocol = protocol;
  pgw_decoder_set_protocol(&t->dec[PGW_FRONTEND], protocol);
  pgw_decoder_set_protocol(&t->dec[PGW_BACKEND], protocol);
}

static void after_frontend(cli_track *t, const pgw_message *m) {
  switch (m->kind) {
  case PGW_MSG_SSL_REQUEST:
  case PGW_MSG_GSSENC_REQUEST:
    t->awaiting_answer = 1;
    pgw_decoder_set_framing(&t->dec[PGW_BACKEND], PGW_FRAMING_NEGOTIATION);
    break;
  case PGW_MSG_STARTUP_MESSAGE:
    set_protocol(t, m->body.startup.protocol);
    pgw_decoder_set_framing(&t->dec[PGW_FRONTEND], PGW_FRAMING_STANDARD);
    break;
  default: break;
  }
}

static void after_backend(cli_track *t, const pgw_message *m) {
  pgw_decoder *f = &t->dec[PGW_FRONTEND];
  if (t->awaiting_answer) {
    /* The answer, or an ErrorResponse instead of it: standard from now. */
    t->awaiting_answer = 0;
    pgw_decoder_set_framing(&t->dec[PGW_BACKEND], PGW_FRAMING_STANDARD);
  }
  switch (m->kind) {
  case PGW_MSG_SSL_RESPONSE:
  case PGW_MSG_GSSENC_RESPONSE:
    if (m->body.encryption.answer != 'N') t->tls = CLI_TLS_STARTED;
    pgw_decoder_set_framing(f, PGW_FRAMING_STARTUP);
    break;
  case PGW_MSG_AUTHENTICATION:
    switch (m->body.auth.code) {
    case PGW_AUTH_SASL:
      pgw_decoder_set_password_kind(f, PGW_MSG_SASL_INITIAL_RESPONSE);
      break;
    case PGW_AUTH_SASL_CONTINUE:
      pgw_decoder_set_password_kind(f, PGW_MSG_SASL_RESPONSE);
      break;
    case PGW_AUTH_GSS:
    case PGW_AUTH_GSS_CONTINUE:
    case PGW_AUTH_SSPI:
      pgw_decoder_set_password_kind(f, PGW_MSG_GSS_RESPONSE);
      break;
    case PGW_AUTH_CLEARTEXT_PASSWORD:
    case PGW_AUTH_MD5_PASSWORD:
      pgw_decoder_set_password_kind(f, PGW_MSG_PASSWORD_MESSAGE);
      break;
    default: break;
    }
    break;
  case PGW_MSG_NEGOTIATE_PROTOCOL_VERSION:
    set_protocol(t, m->body.negotiate.newest_version);
    break;
  default: break;
  }
}

void cli_track_after(cli_track *t, pgw_dir dir, const pgw_message *m) {
  if (dir == PGW_FRONTEND)
    after_frontend(t, m);
  else
    after_backend(t, m);
}

void cli_track_tls_on(cli_track *t) {
  pgw_decoder_reset(&t->dec[PGW_FRONTEND], PGW_FRAMING_STARTUP,
                    pgw_decoder_offset(&t->dec[PGW_FRONTEND]));
  pgw_decoder_reset(&t->dec[PGW_BACKEND], PGW_FRAMING_STANDARD,
                    pgw_decoder_offset(&t->dec[PGW_BACKEND]));
  t->tls = CLI_TLS_NONE;
}
