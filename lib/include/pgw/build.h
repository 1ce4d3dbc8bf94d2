/*
 * pgw/build.h - constructors for the messages a caller sends, both roles.
 *
 * pgw_message is a union that is natural to read and easy to fill wrongly
 * (which member goes with which kind, a list's raw bytes left over from a
 * decoded message). These functions fill it for you:
 *
 *   pgw_message m;
 *   pgw_msg_query(&m, "SELECT 1");
 *   pgw_conn_send(&conn, &m, &out);
 *
 * Each pgw_msg_*() zeroes *m, then sets kind, type and the one body member
 * of that kind. They never allocate and never fail: they check nothing
 * that the encoder checks, so a wrong value (a NUL inside a pgw_str, a
 * bad target byte, a key of 300 bytes) is reported by pgw_message_encode()
 * or pgw_conn_send() with its usual code.
 *
 * Ownership: *m holds views. Strings, byte arrays and list item arrays
 * passed in are not copied; they must stay valid and unchanged until the
 * message is encoded (pgw_message_encode(), pgw_conn_send()). const char *
 * arguments are NUL-terminated C strings; NULL means "". List arguments
 * are pointers to lists built with the pgw_*_list_of() constructors below
 * (NULL means an empty list) and are copied by value into the message.
 *
 * Errors (all constructors): none.
 */
#ifndef PGW_BUILD_H
#define PGW_BUILD_H

#include "pgw/message.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- values and lists --------------------------------------------------- */

/* A text value (NUL-terminated s, not copied); NULL gives SQL NULL. */
pgw_value pgw_value_text(const char *s);
/* len bytes at p (not copied). */
pgw_value pgw_value_bytes(const void *p, size_t len);
/* SQL NULL (length -1). */
pgw_value pgw_value_null(void);

/*
 * A list to encode: count items at items (not copied), raw cleared, so the
 * encoder writes the items. items may be NULL when count is 0. Use these
 * too after editing a decoded list: a list whose raw is set re-encodes raw.
 */
pgw_i16_list pgw_i16_list_of(const int16_t *items, size_t count);
pgw_oid_list pgw_oid_list_of(const uint32_t *items, size_t count);
pgw_value_list pgw_value_list_of(const pgw_value *items, size_t count);
pgw_str_list pgw_str_list_of(const pgw_str *items, size_t count);
pgw_param_list pgw_param_list_of(const pgw_param *items, size_t count);
pgw_notice_field_list pgw_notice_field_list_of(const pgw_notice_field *items,
                                               size_t count);
pgw_column_list pgw_column_list_of(const pgw_column *items, size_t count);

/* A startup parameter / notice field from C strings (not copied). */
pgw_param pgw_param_of(const char *name, const char *value);
pgw_notice_field pgw_notice_field_of(uint8_t code, const char *value);
/* A RowDescription field for a column computed by a query (no table):
 * name, type OID, type size (-1 variable), modifier -1, text format. */
pgw_column pgw_column_of(const char *name, uint32_t type_oid,
                         int16_t type_size);

/* ---- frontend: startup-framed ------------------------------------------- */

/* StartupMessage; protocol e.g. PGW_PROTOCOL_3_0; params must hold "user". */
void pgw_msg_startup(pgw_message *m, uint32_t protocol,
                     const pgw_param_list *params);
void pgw_msg_ssl_request(pgw_message *m);
void pgw_msg_gssenc_request(pgw_message *m);
/* CancelRequest with the key from BackendKeyData (4 bytes in 3.0). */
void pgw_msg_cancel_request(pgw_message *m, int32_t pid, const uint8_t *key,
                            size_t key_len);

/* ---- frontend ------------------------------------------------------------ */

void pgw_msg_query(pgw_message *m, const char *sql);
/* Parse; param_types NULL: let the server infer every type. */
void pgw_msg_parse(pgw_message *m, const char *statement, const char *query,
                   const pgw_oid_list *param_types);
/* Bind; NULL lists are empty (all parameters text, all results text). */
void pgw_msg_bind(pgw_message *m, const char *portal, const char *statement,
                  const pgw_i16_list *param_formats,
                  const pgw_value_list *params,
                  const pgw_i16_list *result_formats);
/* Describe and Close: target 'S' (statement) or 'P' (portal). */
void pgw_msg_describe(pgw_message *m, uint8_t target, const char *name);
void pgw_msg_close(pgw_message *m, uint8_t target, const char *name);
/* Execute; max_rows 0: no limit. */
void pgw_msg_execute(pgw_message *m, const char *portal, int32_t max_rows);
void pgw_msg_sync(pgw_message *m);
void pgw_msg_flush(pgw_message *m);
void pgw_msg_terminate(pgw_message *m);
void pgw_msg_function_call(pgw_message *m, uint32_t function_oid,
                           const pgw_i16_list *arg_formats,
                           const pgw_value_list *args, int16_t result_format);
/* PasswordMessage: a cleartext password or "md5" + hex digest. */
void pgw_msg_password(pgw_message *m, const char *password);
/* SASLInitialResponse; data NULL: no initial response (length -1). */
void pgw_msg_sasl_initial_response(pgw_message *m, const char *mechanism,
                                   const uint8_t *data, size_t len);
void pgw_msg_sasl_response(pgw_message *m, const uint8_t *data, size_t len);
void pgw_msg_gss_response(pgw_message *m, const uint8_t *data, size_t len);
void pgw_msg_copy_fail(pgw_message *m, const char *reason);

/* ---- both directions ----------------------------------------------------- */

void pgw_msg_copy_data(pgw_message *m, const uint8_t *data, size_t len);
void pgw_msg_copy_done(pgw_message *m);

/* ---- backend: one-byte answers ------------------------------------------- */

/* answer 'S' (accept) or 'N'; GSSENCResponse 'G' or 'N'. */
void pgw_msg_ssl_response(pgw_message *m, uint8_t answer);
void pgw_msg_gssenc_response(pgw_message *m, uint8_t answer);

/* ---- backend: authentication --------------------------------------------- */

/* Any subtype without data: PGW_AUTH_OK, _KERBEROS_V5, _CLEARTEXT_PASSWORD,
 * _GSS, _SSPI. */
void pgw_msg_auth(pgw_message *m, enum pgw_auth_code code);
void pgw_msg_auth_ok(pgw_message *m);
void pgw_msg_auth_cleartext(pgw_message *m);
void pgw_msg_auth_md5(pgw_message *m, const uint8_t salt[4]);
/* AuthenticationSASL offering mechanisms (at least one). */
void pgw_msg_auth_sasl(pgw_message *m, const pgw_str_list *mechanisms);
void pgw_msg_auth_sasl_continue(pgw_message *m, const uint8_t *data,
                                size_t len);
void pgw_msg_auth_sasl_final(pgw_message *m, const uint8_t *data, size_t len);
void pgw_msg_auth_gss_continue(pgw_message *m, const uint8_t *data, size_t len);

/* ---- backend ------------------------------------------------------------- */

void pgw_msg_parameter_status(pgw_message *m, const char *name,
                              const char *value);
/* BackendKeyData: 4-byte key in 3.0, 4..256 bytes in 3.2. */
void pgw_msg_backend_key_data(pgw_message *m, int32_t pid, const uint8_t *key,
                              size_t key_len);
void pgw_msg_negotiate_protocol_version(pgw_message *m, uint32_t newest_version,
                                        const pgw_str_list *unrecognized);
/* status 'I', 'T' or 'E'. */
void pgw_msg_ready_for_query(pgw_message *m, uint8_t status);
void pgw_msg_row_description(pgw_message *m, const pgw_column_list *columns);
void pgw_msg_data_row(pgw_message *m, const pgw_value_list *columns);
/* CommandComplete with its tag, e.g. "SELECT 1". */
void pgw_msg_command_complete(pgw_message *m, const char *tag);
void pgw_msg_empty_query_response(pgw_message *m);
/* ErrorResponse / NoticeResponse: fields must include S, C and M (the
 * encoder refuses a message without them). */
void pgw_msg_error_response(pgw_message *m,
                            const pgw_notice_field_list *fields);
void pgw_msg_notice_response(pgw_message *m,
                             const pgw_notice_field_list *fields);
void pgw_msg_parse_complete(pgw_message *m);
void pgw_msg_bind_complete(pgw_message *m);
void pgw_msg_close_complete(pgw_message *m);
void pgw_msg_no_data(pgw_message *m);
void pgw_msg_portal_suspended(pgw_message *m);
void pgw_msg_parameter_description(pgw_message *m, const pgw_oid_list *types);
/* Copy{In,Out,Both}Response: format 0 text (columns all 0) or 1 binary. */
void pgw_msg_copy_in_response(pgw_message *m, int8_t format,
                              const pgw_i16_list *columns);
void pgw_msg_copy_out_response(pgw_message *m, int8_t format,
                               const pgw_i16_list *columns);
void pgw_msg_copy_both_response(pgw_message *m, int8_t format,
                                const pgw_i16_list *columns);
void pgw_msg_function_call_response(pgw_message *m, pgw_value result);
void pgw_msg_notification(pgw_message *m, int32_t pid, const char *channel,
                          const char *payload);

#ifdef __cplusplus
}
#endif

#endif /* PGW_BUILD_H */
