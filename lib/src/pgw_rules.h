/*
 * pgw_rules.h - internal: names for the rules of rules.c, and how a
 * failure finds its rule. Not installed.
 *
 * A check that knows its rule names it (pgw__rule(PGW__R_...)); the
 * message decoders report only a status code, and the rule is then found
 * from the direction, the message kind and the code (pgw__rule_for), most
 * specific match first. Either way the answer comes from the one table in
 * rules.c.
 */
#ifndef PGW_RULES_H
#define PGW_RULES_H

#include "pgw/message.h"

enum pgw__rule_index {
  /* framing (decoder) */
  PGW__R_FE_TYPE,
  PGW__R_BE_TYPE,
  PGW__R_FE_LENGTH_MIN,
  PGW__R_BE_LENGTH_MIN,
  PGW__R_FE_SMALL_LIMIT,
  PGW__R_FE_AUTH_LIMIT,
  PGW__R_FE_LARGE_LIMIT,
  PGW__R_BE_SHORT_LIMIT,
  PGW__R_BE_LARGE_LIMIT,
  PGW__R_STARTUP_LENGTH_MIN,
  PGW__R_STARTUP_LENGTH_MAX,
  PGW__R_ANSWER_BYTE,
  PGW__R_BYTES_BEFORE_ANSWER,
  PGW__R_STREAM_END,
  /* message contents, generic (found by code) */
  PGW__R_TRUNCATED,
  PGW__R_TERMINATOR,
  PGW__R_TRAILING,
  PGW__R_COUNT,
  PGW__R_NEGATIVE_LENGTH,
  PGW__R_VALUE,
  PGW__R_CODE,
  PGW__R_LENGTH,
  PGW__R_REQUIRED_FIELD,
  PGW__R_STARTUP_VERSION,
  /* message contents, per kind (found by kind and code) */
  PGW__R_STARTUP_USER,
  PGW__R_SSL_REQUEST_LENGTH,
  PGW__R_GSSENC_REQUEST_LENGTH,
  PGW__R_CANCEL_KEY_30,
  PGW__R_CANCEL_KEY_MAX,
  PGW__R_CANCEL_KEY_SHORT,
  PGW__R_BKD_KEY,
  PGW__R_TERMINATE_TRAILING,
  PGW__R_COPY_DONE_TRAILING,
  PGW__R_COPY_FAIL_TRAILING,
  PGW__R_BIND_FORMAT,
  PGW__R_FUNCTION_CALL_FORMAT,
  PGW__R_ROW_DESCRIPTION_FORMAT,
  PGW__R_COPY_RESPONSE_FORMAT,
  PGW__R_DATA_ROW_LENGTH,
  PGW__R_READY_STATUS,
  PGW__R_NOTICE_FIELDS,
  PGW__R_AUTH_CODE,
  PGW__R_NPV_VERSION,
  /* state */
  PGW__R_FE_ORDER,
  PGW__R_BE_ORDER,
  PGW__R_FE_AFTER_END,
  PGW__R_BE_AFTER_END,
  PGW__R_FE_COPY_OUTSIDE,
  PGW__R_UNSOLICITED_ERROR,
  PGW__R_DATA_ROW_COUNT,
  PGW__R_NPV_NO_CHANGE,
  PGW__R_NPV_UPGRADE,
  PGW__R_BKD_KEY_STATE,
  PGW__R_UNENCRYPTED_AFTER_ANSWER,
  /* measured against the reference by conformance/diff */
  PGW__R_BIND_PARAM_FORMAT,
  PGW__R_FUNCTION_CALL_ARG_FORMAT,
  PGW__R_FUNCTION_CALL_RESULT_FORMAT,
  PGW__R_FE_UNREAD_BODY,
  PGW__R_BE_ORDER_TOLERATED,
  PGW__R_SASL_MECHANISM,
  PGW__R_SASL_EMPTY,
  PGW__R_PORTAL_SUSPENDED,
  PGW__R_NPV_UNREQUESTED,
  PGW__R_NPV_KNOWN,
  PGW__R_CANCEL_KEY_EMPTY,
  PGW__R_CANCEL_PID,
  PGW__R_FN_RESPONSE_TRAILING,
  PGW__R_SASL_EARLY_OK,
  PGW__R_BIND_RESULT_FORMAT_EXECUTED,
  PGW__R_FE_PGW_MAX,
  /* replication inside CopyData (replication.c, pgoutput.c) */
  PGW__R_REPL_TYPE,
  PGW__R_REPL_TRUNCATED,
  PGW__R_REPL_TRAILING,
  PGW__R_REPL_KEEPALIVE_LENGTH,
  PGW__R_BACKUP_TYPE,
  PGW__R_BACKUP_TRUNCATED,
  PGW__R_BACKUP_TRAILING,
  PGW__R_LREP_TYPE,
  PGW__R_LREP_TRUNCATED,
  PGW__R_LREP_TERMINATOR,
  PGW__R_LREP_TRAILING,
  PGW__R_LREP_VERSION,
  PGW__R_LREP_STREAM_ORDER,
  PGW__R_LREP_UNKNOWN_RELATION,
  PGW__R_LREP_COLUMN_COUNT,
  PGW__R_LREP_FLAGS_ZERO,
  PGW__R_LREP_FLAGS_KNOWN,
  PGW__R_LREP_TUPLE_KIND,
  PGW__R_LREP_VALUE_LENGTH,
  PGW__R_LREP_MARKER,
  PGW__R_LREP_INVALID_LSN,
  PGW__R_LREP_REPLICA_IDENTITY,
  PGW__R_COUNT_ALL
};

/* The rule at index i. */
const pgw_rule *pgw__rule(enum pgw__rule_index i);

/* The rule of a message-content failure with status code sent by dir in a
 * message of this kind; NULL for codes that are no protocol rule. */
const pgw_rule *pgw__rule_for(pgw_dir dir, pgw_kind kind, int code);

#endif /* PGW_RULES_H */
