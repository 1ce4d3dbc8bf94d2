/*
 * rules.c - the one table of rules (see pgw/rule.h). Every check of the
 * library names one of these rows; conformance/RULES.md is generated from
 * this table. A row that a message decoder's status code maps to carries
 * the direction, kind and code it matches (ANY for a wildcard); rows
 * named directly by a check match nothing (kind NONE).
 *
 * Sources are PostgreSQL's and libpq's (REL_13 to REL_18): postgres.c
 * (SocketBackend, PostgresMain), pqcomm.c (pq_getmessage), pqformat.c
 * (pq_getmsg*), backend_startup.c / postmaster.c (ProcessStartupPacket,
 * processCancelRequest), copyfromparse.c (CopyGetData), and libpq's
 * fe-protocol3.c (pqParseInput3, getRowDescriptions, getAnotherTuple,
 * pqGetErrorNotice3, getReadyForQuery) and fe-connect.c.
 */
#include <string.h>

#include "pgw_rules.h"

#define ANY -1
#define NONE -2
#define FE PGW_FRONTEND
#define BE PGW_BACKEND
#define REF PGW_LEVEL_REFERENCE
#define DOC PGW_LEVEL_DOCUMENTED

typedef struct rule_row {
  pgw_rule rule;
  short dir, kind, code; /* what a decoder's status maps to */
} rule_row;

#define RULE(idx, id, level, stmt, doc, src, ref, dir, kind, code)             \
  [idx] = {{id, level, stmt, doc, src, ref}, dir, kind, code}

/* clang-format off */
static const rule_row rows[PGW__R_COUNT_ALL] = {
  /* ---- framing ---- */
  RULE(PGW__R_FE_TYPE, "frontend.type.known", REF,
    "A frontend message's type byte is one the protocol defines.",
    "Message Formats",
    "postgres.c SocketBackend: \"invalid frontend message type %d\"",
    "PostgreSQL 13-18: FATAL 08P01, connection closed.", NONE, NONE, 0),
  RULE(PGW__R_BE_TYPE, "backend.type.known", REF,
    "A backend message's type byte is one the protocol defines.",
    "Message Formats",
    "fe-protocol3.c pqParseInput3: \"unexpected response from server\"",
    "libpq 13-18: connection lost (sync loss).", NONE, NONE, 0),
  RULE(PGW__R_FE_LENGTH_MIN, "frontend.length.min", REF,
    "A frontend length word is at least 4 (it counts itself).",
    "Message Formats",
    "pqcomm.c pq_getmessage: \"invalid message length\"",
    "PostgreSQL 13-18: FATAL 08P01, connection closed.", NONE, NONE, 0),
  RULE(PGW__R_BE_LENGTH_MIN, "backend.length.min", REF,
    "A backend length word is at least 4 (it counts itself).",
    "Message Formats",
    "fe-protocol3.c pqParseInput3: msgLength < 4 is sync loss",
    "libpq 13-18: \"lost synchronization with server\".", NONE, NONE, 0),
  RULE(PGW__R_FE_SMALL_LIMIT, "frontend.length.small-limit", REF,
    "Close, Describe, Execute, Flush, Sync, Terminate, CopyDone and CopyFail "
    "have a length word of at most 10000 (the type byte excluded).",
    "Message Formats",
    "postgres.c SocketBackend PQ_SMALL_MESSAGE_LIMIT; pqcomm.c pq_getmessage "
    "compares the length word itself",
    "PostgreSQL 13-18: FATAL 08P01 \"invalid message length\" from 10001.",
    NONE, NONE, 0),
  RULE(PGW__R_FE_AUTH_LIMIT, "frontend.length.auth-limit", REF,
    "A password, SASL or GSS response has a length word of at most 65535.",
    "Message Formats",
    "auth.c PG_MAX_AUTH_TOKEN_LENGTH with pq_getmessage",
    "PostgreSQL 13-18: FATAL 08P01.", NONE, NONE, 0),
  RULE(PGW__R_FE_LARGE_LIMIT, "frontend.length.large-limit", REF,
    "Query, Parse, Bind, FunctionCall and CopyData have a length word of "
    "at most 0x3ffffffe (PQ_LARGE_MESSAGE_LIMIT, 1 GiB - 2).",
    "Message Formats",
    "postgres.c SocketBackend PQ_LARGE_MESSAGE_LIMIT; pqcomm.c pq_getmessage",
    "PostgreSQL 13-18: FATAL 08P01 \"invalid message length\".",
    NONE, NONE, 0),
  RULE(PGW__R_BE_SHORT_LIMIT, "backend.length.short-limit", REF,
    "A backend message other than CopyData, DataRow, ErrorResponse, "
    "FunctionCallResponse, NoticeResponse, NotificationResponse and "
    "RowDescription has a length word of at most 30000.",
    "Message Formats",
    "fe-protocol3.c pqParseInput3 VALID_LONG_MESSAGE_TYPE",
    "libpq 13-18: sync loss, connection closed.", NONE, NONE, 0),
  RULE(PGW__R_BE_LARGE_LIMIT, "backend.length.max", DOC,
    "A backend message is at most 1 GiB - 1 on the wire (pgw's bound; "
    "PostgreSQL never builds a larger message).",
    "Message Formats",
    "pgw; PostgreSQL's MaxAllocSize bounds what the server builds",
    "libpq 13-18 accept length words up to 2^31 - 1 if memory allows.",
    NONE, NONE, 0),
  RULE(PGW__R_STARTUP_LENGTH_MIN, "startup.length.min", REF,
    "A startup packet's length word is at least 8.",
    "Message Formats: StartupMessage",
    "backend_startup.c/postmaster.c ProcessStartupPacket",
    "PostgreSQL 13-18: \"invalid length of startup packet\", closed.",
    NONE, NONE, 0),
  RULE(PGW__R_STARTUP_LENGTH_MAX, "startup.length.max", REF,
    "A startup packet's length word is at most 10004 (10000 bytes after "
    "the length word, MAX_STARTUP_PACKET_LENGTH).",
    "Message Formats: StartupMessage",
    "backend_startup.c/postmaster.c ProcessStartupPacket",
    "PostgreSQL 13-18: \"invalid length of startup packet\", closed.",
    FE, ANY, PGW_ERR_TOO_LARGE),
  RULE(PGW__R_ANSWER_BYTE, "negotiation.answer-byte", REF,
    "The answer to SSLRequest is 'S' or 'N', to GSSENCRequest 'G' or 'N' "
    "(or an ErrorResponse from a server that predates them).",
    "Message Flow: SSL Session Encryption; GSSAPI Session Encryption",
    "fe-connect.c PQconnectPoll: \"received invalid response to SSL "
    "negotiation\"",
    "libpq 13-18: connection fails.", BE, ANY, PGW_ERR_UNKNOWN_CODE),
  RULE(PGW__R_BYTES_BEFORE_ANSWER, "negotiation.no-bytes-before-answer", REF,
    "Nothing is sent before the one-byte answer it must wait for, nor "
    "unencrypted after an 'S' or 'G'.",
    "Message Flow: SSL Session Encryption",
    "fe-connect.c (CVE-2021-23222): \"received unencrypted data after SSL "
    "response\"; backend_startup.c (CVE-2021-23214)",
    "PostgreSQL 13.5+ and libpq 13.5+ close the connection.",
    NONE, NONE, 0),
  RULE(PGW__R_STREAM_END, "stream.whole-messages", REF,
    "The stream does not end inside a message.",
    "Message Formats",
    "pqcomm.c pq_getmessage: \"unexpected EOF within message length word\"",
    "PostgreSQL and libpq report an incomplete message.", NONE, NONE, 0),
  /* ---- message contents, generic ---- */
  RULE(PGW__R_TRUNCATED, "message.fields-within-length", REF,
    "Every field of a message lies within its length word.",
    "Message Formats",
    "pqformat.c pq_getmsg*: \"insufficient data left in message\"; "
    "fe-protocol3.c: \"insufficient data in message\"",
    "PostgreSQL 13-18: ERROR or FATAL 08P01; libpq 13-18: the message is "
    "refused.", ANY, ANY, PGW_ERR_TRUNCATED),
  RULE(PGW__R_TERMINATOR, "message.string-terminated", REF,
    "Every String field ends with a NUL inside the message.",
    "Message Data Types",
    "pqformat.c pq_getmsgstring: \"invalid string in message\"; "
    "fe-misc.c pqGets",
    "PostgreSQL 13-18: 08P01; libpq 13-18: message refused.",
    ANY, ANY, PGW_ERR_NO_TERMINATOR),
  RULE(PGW__R_TRAILING, "message.no-trailing-bytes", REF,
    "No bytes follow a message's last field.",
    "Message Formats",
    "pqformat.c pq_getmsgend: \"invalid message format\"; fe-protocol3.c: "
    "\"message contents do not agree with length in message type\"",
    "PostgreSQL 13-18: 08P01; libpq 13-18: message refused.",
    ANY, ANY, PGW_ERR_TRAILING_BYTES),
  RULE(PGW__R_COUNT, "message.count-matches", REF,
    "A count is not negative and matches the items that follow (and the "
    "other counts of the message).",
    "Message Formats",
    "postgres.c exec_bind_message: \"bind message has %d parameter formats "
    "but %d parameters\"; pqformat.c",
    "PostgreSQL 13-18: ERROR 08P01; libpq 13-18: message refused.",
    ANY, ANY, PGW_ERR_BAD_COUNT),
  RULE(PGW__R_NEGATIVE_LENGTH, "message.value-length", REF,
    "A value length is -1 (NULL) or not negative.",
    "Message Formats: Bind, FunctionCall",
    "pqformat.c pq_getmsgbytes: \"insufficient data left in message\"",
    "PostgreSQL 13-18: ERROR 08P01.", ANY, ANY, PGW_ERR_NEGATIVE_LENGTH),
  RULE(PGW__R_VALUE, "message.value-in-domain", REF,
    "An enumerated field holds one of its defined values (Close/Describe "
    "'S' or 'P', ...).",
    "Message Formats",
    "postgres.c PostgresMain: \"invalid DESCRIBE message subtype %d\", "
    "\"invalid CLOSE message subtype %d\"",
    "PostgreSQL 13-18: ERROR 08P01.", ANY, ANY, PGW_ERR_BAD_VALUE),
  RULE(PGW__R_CODE, "message.code-known", REF,
    "A request or answer code is one the protocol defines.",
    "Message Formats",
    "backend_startup.c ProcessStartupPacket; fe-connect.c",
    "PostgreSQL and libpq 13-18 refuse unknown codes.",
    ANY, ANY, PGW_ERR_UNKNOWN_CODE),
  RULE(PGW__R_LENGTH, "message.fixed-length", REF,
    "A fixed-size message has exactly its size.",
    "Message Formats",
    "backend_startup.c ProcessStartupPacket; fe-protocol3.c",
    "PostgreSQL and libpq 13-18 refuse other sizes.",
    ANY, ANY, PGW_ERR_BAD_LENGTH),
  RULE(PGW__R_REQUIRED_FIELD, "message.required-field", REF,
    "A field the documentation requires is present.",
    "Message Formats",
    "backend_startup.c ProcessStartupPacket",
    "PostgreSQL 13-18 refuse the message.", ANY, ANY, PGW_ERR_MISSING_FIELD),
  RULE(PGW__R_STARTUP_VERSION, "startup.version-major-3", REF,
    "A StartupMessage asks for protocol major version 3.",
    "Protocol versions",
    "backend_startup.c ProcessStartupPacket: \"unsupported frontend "
    "protocol %u.%u\"",
    "PostgreSQL 13-18: FATAL 0A000.", ANY, ANY, PGW_ERR_UNSUPPORTED_PROTOCOL),
  /* ---- message contents, per kind ---- */
  RULE(PGW__R_STARTUP_USER, "StartupMessage.user", REF,
    "A StartupMessage names a non-empty user (PostgreSQL keeps the last "
    "\"user\" parameter).",
    "Message Formats: StartupMessage",
    "backend_startup.c ProcessStartupPacket: \"no PostgreSQL user name "
    "specified in startup packet\"",
    "PostgreSQL 13-18: FATAL 28000.",
    FE, PGW_MSG_STARTUP_MESSAGE, PGW_ERR_MISSING_FIELD),
  RULE(PGW__R_SSL_REQUEST_LENGTH, "SSLRequest.length-8", DOC,
    "An SSLRequest is exactly 8 bytes.",
    "Message Formats: SSLRequest",
    "backend_startup.c ProcessStartupPacket reads the packet and checks only "
    "the code",
    "PostgreSQL 13-18 answer S or N whatever follows the code.",
    FE, PGW_MSG_SSL_REQUEST, PGW_ERR_BAD_LENGTH),
  RULE(PGW__R_GSSENC_REQUEST_LENGTH, "GSSENCRequest.length-8", DOC,
    "A GSSENCRequest is exactly 8 bytes.",
    "Message Formats: GSSENCRequest",
    "backend_startup.c ProcessStartupPacket reads the packet and checks only "
    "the code",
    "PostgreSQL 13-18 answer G or N whatever follows the code.",
    FE, PGW_MSG_GSSENC_REQUEST, PGW_ERR_BAD_LENGTH),
  RULE(PGW__R_CANCEL_KEY_30, "CancelRequest.key-4-bytes-in-3.0", REF,
    "To a server that speaks only protocol 3.0 a CancelRequest is exactly "
    "16 bytes (a 4-byte key).",
    "Message Formats: CancelRequest; Canceling Requests in Progress",
    "postmaster.c ProcessStartupPacket (13-17): \"invalid length of startup "
    "packet\"",
    "PostgreSQL 13-17 close the connection on any other length.",
    NONE, NONE, 0),
  RULE(PGW__R_CANCEL_KEY_MAX, "CancelRequest.key-at-most-256", REF,
    "A CancelRequest's key is at most 256 bytes.",
    "Message Formats: CancelRequest",
    "backend_startup.c ProcessStartupPacket (18): MAX_CANCEL_KEY_LENGTH",
    "PostgreSQL 18: \"invalid length of cancel request packet\"; 13-17 "
    "refuse anything but 4 bytes.",
    FE, PGW_MSG_CANCEL_REQUEST, PGW_ERR_BAD_KEY_LENGTH),
  RULE(PGW__R_CANCEL_KEY_SHORT, "CancelRequest.key-at-least-4", DOC,
    "A CancelRequest's key is at least 4 bytes (3.2: as long as the "
    "BackendKeyData key, 4 to 256 bytes).",
    "Message Formats: CancelRequest",
    "backend_startup.c processCancelRequest (18) compares the key it got",
    "PostgreSQL 18 frames 0- to 3-byte keys and ignores the cancel (no key "
    "matches); 13-17 refuse them.", NONE, NONE, 0),
  RULE(PGW__R_BKD_KEY, "BackendKeyData.key-length", REF,
    "A BackendKeyData key is 4 bytes in protocol 3.0 and 4 to 256 bytes "
    "in 3.2.",
    "Message Formats: BackendKeyData",
    "fe-protocol3.c getBackendKeyData (18: \"cancel key with length %d is "
    "too long\"); 13-17 read exactly 4 bytes",
    "libpq 13-17 refuse other lengths (length disagreement); libpq 18 "
    "refuses keys over 256 bytes.",
    BE, PGW_MSG_BACKEND_KEY_DATA, PGW_ERR_BAD_KEY_LENGTH),
  RULE(PGW__R_TERMINATE_TRAILING, "Terminate.no-trailing-bytes", DOC,
    "Terminate has no payload.",
    "Message Formats: Terminate",
    "postgres.c PostgresMain 'X' exits without pq_getmsgend",
    "PostgreSQL 13-18 terminate normally.",
    FE, PGW_MSG_TERMINATE, PGW_ERR_TRAILING_BYTES),
  RULE(PGW__R_COPY_DONE_TRAILING, "CopyDone.no-trailing-bytes", DOC,
    "A frontend CopyDone has no payload.",
    "Message Formats: CopyDone",
    "copyfromparse.c CopyGetData 'c' ends the COPY without pq_getmsgend",
    "PostgreSQL 13-18 end the COPY normally.",
    FE, PGW_MSG_COPY_DONE, PGW_ERR_TRAILING_BYTES),
  RULE(PGW__R_COPY_FAIL_TRAILING, "CopyFail.no-trailing-bytes", DOC,
    "Nothing follows CopyFail's error message.",
    "Message Formats: CopyFail",
    "copyfromparse.c CopyGetData 'f' reads the string only",
    "PostgreSQL 13-18 fail the COPY normally.",
    FE, PGW_MSG_COPY_FAIL, PGW_ERR_TRAILING_BYTES),
  RULE(PGW__R_BIND_FORMAT, "Bind.format-code", DOC,
    "Bind's format codes that no parameter uses (no parameters) and its "
    "result format codes are 0 or 1.",
    "Message Formats: Bind",
    "printtup.c checks a result code only when the portal returns rows: "
    "\"unsupported format code: %d\"",
    "PostgreSQL 13-18 ignore a code nothing applies (measured: "
    "fe.Bind.pformat2-unused, fe.Bind.rformat2-not-executed); a result "
    "code is refused (22023) when the portal is executed.",
    FE, PGW_MSG_BIND, PGW_ERR_BAD_VALUE),
  RULE(PGW__R_FUNCTION_CALL_FORMAT, "FunctionCall.format-code", DOC,
    "FunctionCall's argument format codes are 0 or 1 even when there is no "
    "argument to apply them to.",
    "Message Formats: FunctionCall",
    "fastpath.c parse_fcall_arguments checks a code only for an argument",
    "PostgreSQL 13-18 ignore a code no argument uses.",
    FE, PGW_MSG_FUNCTION_CALL, PGW_ERR_BAD_VALUE),
  RULE(PGW__R_ROW_DESCRIPTION_FORMAT, "RowDescription.format-code", DOC,
    "RowDescription's format codes are 0 or 1.",
    "Message Formats: RowDescription",
    "fe-protocol3.c getRowDescriptions stores any code",
    "libpq 13-18 accept any code (treated as text unless 1).",
    BE, PGW_MSG_ROW_DESCRIPTION, PGW_ERR_BAD_VALUE),
  RULE(PGW__R_COPY_RESPONSE_FORMAT, "CopyResponse.format-code", DOC,
    "CopyIn/Out/BothResponse's overall and column format codes are 0 or 1.",
    "Message Formats: CopyInResponse",
    "fe-protocol3.c getCopyStart stores any code",
    "libpq 13-18 accept any code.",
    BE, PGW_MSG_COPY_IN_RESPONSE, PGW_ERR_BAD_VALUE),
  RULE(PGW__R_DATA_ROW_LENGTH, "DataRow.value-length", DOC,
    "A DataRow value length is -1 (NULL) or not negative.",
    "Message Formats: DataRow",
    "fe-protocol3.c getAnotherTuple reads a length below -1 as 0",
    "libpq 13-18 accept it as an empty value.",
    BE, PGW_MSG_DATA_ROW, PGW_ERR_NEGATIVE_LENGTH),
  RULE(PGW__R_READY_STATUS, "ReadyForQuery.status", DOC,
    "ReadyForQuery's transaction status is 'I', 'T' or 'E'.",
    "Message Formats: ReadyForQuery",
    "fe-protocol3.c getReadyForQuery maps other bytes to PQTRANS_UNKNOWN",
    "libpq 13-18 accept it (PQtransactionStatus reports UNKNOWN).",
    BE, PGW_MSG_READY_FOR_QUERY, PGW_ERR_BAD_VALUE),
  RULE(PGW__R_NOTICE_FIELDS, "ErrorResponse.fields-S-C-M", DOC,
    "ErrorResponse and NoticeResponse carry the S, C and M fields.",
    "Error and Notice Message Fields",
    "fe-protocol3.c pqGetErrorNotice3 accepts any set of fields",
    "libpq 13-18 accept the message (missing fields read as NULL).",
    BE, PGW_MSG_ERROR_RESPONSE, PGW_ERR_MISSING_FIELD),
  RULE(PGW__R_AUTH_CODE, "Authentication.code-known", REF,
    "An Authentication request code is one the protocol defines.",
    "Message Formats: Authentication*",
    "fe-auth.c pg_fe_sendauth: \"authentication method %u not supported\"",
    "libpq 13-18: connection fails.",
    BE, PGW_MSG_AUTHENTICATION, PGW_ERR_UNKNOWN_CODE),
  RULE(PGW__R_NPV_VERSION, "NegotiateProtocolVersion.version-3", REF,
    "NegotiateProtocolVersion offers a 3.x version.",
    "Message Formats: NegotiateProtocolVersion",
    "fe-protocol3.c pqGetNegotiateProtocolVersion3",
    "libpq 13-18: connection fails.",
    BE, PGW_MSG_NEGOTIATE_PROTOCOL_VERSION, PGW_ERR_BAD_VALUE),
  /* ---- state ---- */
  RULE(PGW__R_FE_ORDER, "frontend.order", REF,
    "The frontend sends only what the phase allows.",
    "Message Flow",
    "postgres.c PostgresMain; auth.c \"expected password response, got "
    "message type %d\"; copyfromparse.c \"unexpected message type 0x%02X "
    "during COPY from stdin\"",
    "PostgreSQL 13-18: FATAL 08P01 (or an ERROR during COPY).",
    NONE, NONE, 0),
  RULE(PGW__R_BE_ORDER, "backend.order", REF,
    "The backend sends only what the pending requests allow.",
    "Message Flow",
    "fe-protocol3.c pqParseInput3: \"message type 0x%02x arrived from "
    "server while idle\", \"server sent data (\\\"D\\\" message) without "
    "prior row description\"",
    "libpq 13-18 report the message and drop or fail.", NONE, NONE, 0),
  RULE(PGW__R_FE_AFTER_END, "frontend.nothing-after-end", DOC,
    "Nothing follows Terminate or a CancelRequest on a connection.",
    "Termination; Canceling Requests in Progress",
    "postgres.c 'X' proc_exit; the postmaster closes a cancel connection",
    "PostgreSQL 13-18 never read what follows (measured: "
    "fe.Terminate.then-query, fe.cancel.trailing-chunk).", NONE, NONE, 0),
  RULE(PGW__R_BE_AFTER_END, "backend.nothing-after-end", DOC,
    "Nothing follows a FATAL error or the answers owed before Terminate.",
    "Termination",
    "fe-protocol3.c: libpq goes on parsing what arrives before the close",
    "libpq 15 and 18 read messages after a FATAL (measured by "
    "fuzz_libpq_diff: regress-after-fatal-*); Authentication, "
    "NegotiateProtocolVersion, FunctionCallResponse and PortalSuspended "
    "there are refused as anywhere in a busy state (backend.order).",
    NONE, NONE, 0),
  RULE(PGW__R_FE_COPY_OUTSIDE, "frontend.copy-only-in-copy", DOC,
    "CopyData, CopyDone and CopyFail are sent only in COPY IN or COPY BOTH.",
    "COPY Operations",
    "postgres.c PostgresMain 'd', 'c', 'f': \"Accept but ignore these "
    "messages, per protocol spec\"",
    "PostgreSQL 13-18 drop them silently.", NONE, NONE, 0),
  RULE(PGW__R_UNSOLICITED_ERROR, "backend.error-needs-request", DOC,
    "An ErrorResponse below FATAL answers a request; only FATAL or PANIC "
    "come unprompted.",
    "Message Flow: Asynchronous Operations; Termination",
    "fe-protocol3.c pqParseInput3 handles an idle 'E' as an async error",
    "libpq 13-18 accept it and report it with the next result.",
    NONE, NONE, 0),
  RULE(PGW__R_DATA_ROW_COUNT, "DataRow.count-matches-RowDescription", REF,
    "A DataRow has as many columns as the RowDescription of its result "
    "(the simple query's, or the Describe of the unnamed portal executed).",
    "Message Formats: DataRow",
    "fe-protocol3.c getAnotherTuple: \"unexpected field count in \\\"D\\\" "
    "message\"",
    "libpq 13-18 fail the query.", NONE, NONE, 0),
  RULE(PGW__R_NPV_NO_CHANGE, "NegotiateProtocolVersion.changes-something",
    REF,
    "NegotiateProtocolVersion lowers the version or lists unrecognised "
    "options; otherwise it must not be sent.",
    "Message Formats: NegotiateProtocolVersion; Protocol versions",
    "fe-protocol3.c pqGetNegotiateProtocolVersion3 (18): \"server sent an "
    "invalid NegotiateProtocolVersion message\"",
    "libpq 18 aborts the connection; libpq 13-16 fail on every "
    "NegotiateProtocolVersion (they never ask for anything it could "
    "answer).", NONE, NONE, 0),
  RULE(PGW__R_NPV_UPGRADE, "NegotiateProtocolVersion.not-higher", REF,
    "NegotiateProtocolVersion offers no version above the requested one.",
    "Message Formats: NegotiateProtocolVersion",
    "fe-protocol3.c pqGetNegotiateProtocolVersion3 (18): \"server requested "
    "downgrade to a higher-numbered version\"",
    "libpq 18 aborts the connection.", NONE, NONE, 0),
  RULE(PGW__R_BKD_KEY_STATE, "BackendKeyData.key-fits-protocol", REF,
    "The BackendKeyData key length fits the negotiated protocol: 4 bytes "
    "in 3.0, 4 to 256 bytes in 3.2.",
    "Message Formats: BackendKeyData",
    "fe-protocol3.c getBackendKeyData",
    "libpq 13-17 read exactly 4 bytes; libpq 18 reads the rest of the "
    "message as the key (at most 256).", NONE, NONE, 0),
  RULE(PGW__R_UNENCRYPTED_AFTER_ANSWER, "negotiation.nothing-before-tls",
    REF,
    "After an 'S' or 'G' answer nothing unencrypted follows before the "
    "TLS or GSSAPI handshake.",
    "Message Flow: SSL Session Encryption",
    "fe-connect.c (CVE-2021-23222); backend_startup.c (CVE-2021-23214)",
    "PostgreSQL and libpq 13.5+ close the connection.", NONE, NONE, 0),
  RULE(PGW__R_BIND_PARAM_FORMAT, "Bind.param-format-code", REF,
    "A Bind parameter format code is 0 or 1 when there are parameters "
    "(one code applies to all of them).",
    "Message Formats: Bind",
    "postgres.c exec_bind_message: \"unsupported format code: %d\"",
    "PostgreSQL 13-18: ERROR 22023, even for a NULL parameter.",
    NONE, NONE, 0),
  RULE(PGW__R_FUNCTION_CALL_ARG_FORMAT, "FunctionCall.arg-format-code", REF,
    "A FunctionCall argument format code is 0 or 1 when there are "
    "arguments.",
    "Message Formats: FunctionCall",
    "fastpath.c parse_fcall_arguments: \"unsupported format code: %d\"",
    "PostgreSQL 13-18: ERROR 22023.", NONE, NONE, 0),
  RULE(PGW__R_FUNCTION_CALL_RESULT_FORMAT, "FunctionCall.result-format-code",
    REF,
    "A FunctionCall's result format code is 0 or 1.",
    "Message Formats: FunctionCall",
    "fastpath.c SendFunctionResult: \"unsupported format code: %d\"",
    "PostgreSQL 13-18: ERROR 22023.", NONE, NONE, 0),
  RULE(PGW__R_FE_UNREAD_BODY, "frontend.unread-message-format", DOC,
    "A message the server skips without parsing still has its format "
    "(after an error in extended query until Sync; Sync and Flush in COPY "
    "IN; copy messages outside COPY).",
    "Extended Query; COPY Operations",
    "postgres.c PostgresMain ignore_till_sync; copyfromparse.c "
    "CopyGetData 'H'/'S'; PostgresMain 'd'/'c'/'f'",
    "PostgreSQL 13-18 read only the frame (measured: "
    "fe.Bind.malformed-in-failed, fe.copy.Sync-trailing, "
    "fe.outside.CopyFail-no-nul).", NONE, NONE, 0),
  RULE(PGW__R_BE_ORDER_TOLERATED, "backend.order-after-startup", DOC,
    "After startup the backend sends only what the pending requests allow "
    "(this rule: the messages libpq drops or takes out of turn).",
    "Message Flow",
    "fe-protocol3.c pqParseInput3 handles these types in any busy state, "
    "and drops them when idle with \"message type 0x%02x arrived from "
    "server while idle\"",
    "libpq 13-18 accept a second RowDescription or BackendKeyData, "
    "ReadyForQuery before CommandComplete, Parse/Bind/CloseComplete, NoData, "
    "ParameterDescription or CopyData/CopyDone out of turn (a "
    "RowDescription after an ErrorResponse starts a new result).",
    NONE, NONE, 0),
  RULE(PGW__R_SASL_MECHANISM, "SASLInitialResponse.mechanism-offered", REF,
    "SASLInitialResponse names a mechanism AuthenticationSASL offered.",
    "SASL Authentication",
    "auth-sasl.c CheckSASLAuth: \"client selected an invalid SASL "
    "authentication mechanism\"",
    "PostgreSQL 13-18: FATAL 08P01.", NONE, NONE, 0),
  RULE(PGW__R_SASL_EMPTY, "AuthenticationSASL.mechanisms-nonempty", REF,
    "AuthenticationSASL offers at least one mechanism.",
    "Message Formats: AuthenticationSASL",
    "fe-auth.c pg_SASL_init: \"none of the server's SASL authentication "
    "mechanisms are supported\"",
    "libpq 13-18: connection fails.", NONE, NONE, 0),
  RULE(PGW__R_PORTAL_SUSPENDED, "PortalSuspended.needs-row-limit", REF,
    "PortalSuspended answers only an Execute with a row limit.",
    "Message Flow: Extended Query",
    "pquery.c PortalRun suspends only when count > 0; fe-protocol3.c has "
    "no case for 's'",
    "libpq 13-18: \"unexpected response from server; first received "
    "character was \\\"s\\\"\".", NONE, NONE, 0),
  RULE(PGW__R_NPV_UNREQUESTED, "NegotiateProtocolVersion.options-requested",
    REF,
    "NegotiateProtocolVersion lists only _pq_ options the StartupMessage "
    "sent.",
    "Message Formats: NegotiateProtocolVersion",
    "fe-protocol3.c pqGetNegotiateProtocolVersion3",
    "libpq 13-18: connection fails (measured: be.npv.option).",
    NONE, NONE, 0),
  RULE(PGW__R_NPV_KNOWN, "NegotiateProtocolVersion.known-version", REF,
    "NegotiateProtocolVersion offers a protocol version that exists (3.0 "
    "or 3.2).",
    "Protocol versions",
    "fe-protocol3.c pqGetNegotiateProtocolVersion3 (18): \"server sent a "
    "protocol version that does not exist\"",
    "libpq 18 aborts on 3.1 (measured: be.npv32.1).", NONE, NONE, 0),
  RULE(PGW__R_CANCEL_KEY_EMPTY, "CancelRequest.key-not-empty", REF,
    "A CancelRequest carries a key.",
    "Message Formats: CancelRequest",
    "backend_startup.c ProcessStartupPacket (18): \"invalid length of "
    "cancel key\"",
    "PostgreSQL 18 refuses a 0-byte key; 13-17 refuse anything but 4 "
    "bytes.", NONE, NONE, 0),
  RULE(PGW__R_CANCEL_PID, "CancelRequest.pid-nonzero", REF,
    "A CancelRequest names a process ID other than 0.",
    "Message Formats: CancelRequest",
    "backend_startup.c processCancelRequest (18): \"invalid cancel request "
    "with PID 0\"",
    "PostgreSQL 18 refuses it; 13-17 find no such backend and ignore it.",
    NONE, NONE, 0),
  RULE(PGW__R_FN_RESPONSE_TRAILING, "FunctionCallResponse.no-trailing-bytes",
    DOC,
    "Nothing follows FunctionCallResponse's value.",
    "Message Formats: FunctionCallResponse",
    "fe-protocol3.c pqFunctionCall3 reads the value and skips to the "
    "message end",
    "libpq 13-18 accept it (measured: be.fn.trailing).",
    BE, PGW_MSG_FUNCTION_CALL_RESPONSE, PGW_ERR_TRAILING_BYTES),
  RULE(PGW__R_SASL_EARLY_OK, "AuthenticationSASL.exchange-completes", DOC,
    "A SASL exchange ends with AuthenticationSASLFinal before "
    "AuthenticationOk.",
    "SASL Authentication",
    "fe-auth.c / fe-connect.c: libpq takes AuthenticationOk whenever it "
    "comes (require_auth and channel_binding=require, 16+, make it refuse)",
    "libpq 13-18 accept AuthenticationOk right after SASLInitialResponse "
    "(measured: be.auth.sasl) - a server can skip proving it knows the "
    "password.", NONE, NONE, 0),
  RULE(PGW__R_BIND_RESULT_FORMAT_EXECUTED, "Bind.result-format-executed",
    REF,
    "A portal bound with a result format code other than 0 or 1 is not "
    "executed.",
    "Message Formats: Bind",
    "printtup.c printtup_prepare_info: \"unsupported format code: %d\"",
    "PostgreSQL 13-18: ERROR 22023 at the Execute (measured: "
    "fe.Bind.rformat2).", NONE, NONE, 0),
  RULE(PGW__R_FE_PGW_MAX, "frontend.length.max", DOC,
    "A frontend message is at most 1 GiB - 1 on the wire (pgw's bound, "
    "which PostgreSQL 14 and later enforce as PQ_LARGE_MESSAGE_LIMIT).",
    "Message Formats",
    "pgw; PostgreSQL 13 reads typed messages with no limit "
    "(pq_getmessage(.., 0))",
    "PostgreSQL 13 waits for the body of a 1 GiB message (measured: "
    "fe.*.len.3fffffff on 13.23); 14-18 refuse it.", NONE, NONE, 0),
  /* ---- replication inside CopyData (replication.c, pgoutput.c) ---- */
  RULE(PGW__R_REPL_TYPE, "replication.type.known", REF,
    "A CopyData message of a replication stream starts with a type byte the "
    "Streaming Replication Protocol defines for its sender: 'w', 'k' (and "
    "'s', PostgreSQL 19) from the server; 'r', 'h' (and 'p') from the client.",
    "Streaming Replication Protocol (START_REPLICATION)",
    "walsender.c ProcessStandbyMessage: \"unexpected message type\"; "
    "walreceiver.c XLogWalRcvProcessMsg: \"invalid replication message type\"",
    "PostgreSQL 13-18: the walsender closes the connection (COMMERROR); the "
    "walreceiver fails with ERROR.", NONE, NONE, 0),
  RULE(PGW__R_REPL_TRUNCATED, "replication.truncated", REF,
    "A replication message holds every fixed field its type defines.",
    "Streaming Replication Protocol (START_REPLICATION)",
    "walsender.c (pq_getmsgint64: \"no data left in message\"); "
    "walreceiver.c \"invalid WAL message received from primary\"; "
    "pg_receivewal receivelog.c \"streaming header too small\"",
    "PostgreSQL 13-18 and pg_receivewal reject it.", NONE, NONE, 0),
  RULE(PGW__R_REPL_TRAILING, "replication.trailing", DOC,
    "A standby status update, hot standby feedback or status request ends "
    "after its last field.",
    "Streaming Replication Protocol (START_REPLICATION)",
    "walsender.c ProcessStandbyReplyMessage / ProcessStandbyHSFeedbackMessage "
    "read the fields and never check the end",
    "PostgreSQL 13-18 ignore trailing bytes.", NONE, NONE, 0),
  RULE(PGW__R_REPL_KEEPALIVE_LENGTH, "replication.keepalive.length", REF,
    "A primary keepalive message is exactly 18 bytes (type, WAL end, send "
    "time, reply flag).",
    "Streaming Replication Protocol (START_REPLICATION)",
    "walreceiver.c XLogWalRcvProcessMsg: len != hdrlen is \"invalid keepalive "
    "message received from primary\"",
    "PostgreSQL 13-18 walreceiver fails; pg_receivewal only checks the "
    "minimum.", NONE, NONE, 0),
  RULE(PGW__R_BACKUP_TYPE, "base-backup.type.known", REF,
    "A CopyData message of BASE_BACKUP starts with 'n' (new archive), 'm' "
    "(manifest), 'd' (data) or 'p' (progress).",
    "Streaming Replication Protocol (BASE_BACKUP)",
    "pg_basebackup.c ReceiveArchiveStreamChunk: unrecognized message type",
    "pg_basebackup 15-18 stop with a fatal error.", NONE, NONE, 0),
  RULE(PGW__R_BACKUP_TRUNCATED, "base-backup.truncated", REF,
    "A BASE_BACKUP message holds its fields: two NUL-terminated strings for "
    "'n', an Int64 for 'p'.",
    "Streaming Replication Protocol (BASE_BACKUP)",
    "pg_basebackup.c GetCopyDataString / GetCopyDataUInt64: \"copy stream "
    "ended unexpectedly\"",
    "pg_basebackup 15-18 stop with a fatal error.", NONE, NONE, 0),
  RULE(PGW__R_BACKUP_TRAILING, "base-backup.trailing", REF,
    "A BASE_BACKUP 'n', 'm' or 'p' message ends after its last field.",
    "Streaming Replication Protocol (BASE_BACKUP)",
    "pg_basebackup.c GetCopyDataEnd: \"unexpected payload data\"",
    "pg_basebackup 15-18 stop with a fatal error.", NONE, NONE, 0),
  RULE(PGW__R_LREP_TYPE, "pgoutput.type.known", REF,
    "A pgoutput message starts with a type byte of the Logical Replication "
    "Message Formats.",
    "Logical Replication Message Formats",
    "worker.c apply_dispatch: \"invalid logical replication message type\"",
    "PostgreSQL 13-18 apply workers fail with ERROR 08P01.", NONE, NONE, 0),
  RULE(PGW__R_LREP_TRUNCATED, "pgoutput.truncated", REF,
    "A pgoutput message holds every field its type defines (with the "
    "transaction id inside a streamed block).",
    "Logical Replication Message Formats",
    "proto.c logicalrep_read_* via pqformat.c pq_getmsg*: \"insufficient data "
    "left in message\"",
    "PostgreSQL 13-18 apply workers fail with ERROR.", NONE, NONE, 0),
  RULE(PGW__R_LREP_TERMINATOR, "pgoutput.string.terminated", REF,
    "Every String of a pgoutput message ends with a NUL inside the message.",
    "Logical Replication Message Formats",
    "pqformat.c pq_getmsgstring: \"invalid string in message\"",
    "PostgreSQL 13-18 apply workers fail with ERROR.", NONE, NONE, 0),
  RULE(PGW__R_LREP_TRAILING, "pgoutput.trailing", DOC,
    "A pgoutput message ends after its last field.",
    "Logical Replication Message Formats",
    "worker.c apply_dispatch never checks the end of a message",
    "PostgreSQL 13-18 ignore trailing bytes.", NONE, NONE, 0),
  RULE(PGW__R_LREP_VERSION, "pgoutput.version", DOC,
    "Stream messages need protocol version 2, two-phase messages version 3; "
    "Stream Abort carries its LSN and time only in version 4 with parallel "
    "streaming.",
    "Logical Replication Message Formats",
    "pgoutput.c pgoutput_startup checks proto_version against the "
    "streaming / two_phase options; worker.c does not check the version",
    "PostgreSQL 14-18 never send such messages in a lower version.",
    NONE, NONE, 0),
  RULE(PGW__R_LREP_STREAM_ORDER, "pgoutput.stream.order", REF,
    "Stream Start opens a block only outside one; Stream Stop closes an open "
    "block; Begin, Stream Commit, Stream Abort and Stream Prepare come "
    "outside a block.",
    "Logical Replication Message Formats; Logical Streaming Replication "
    "Protocol",
    "worker.c apply_handle_stream_start \"duplicate STREAM START message\", "
    "apply_handle_stream_stop, apply_handle_stream_commit \"STREAM COMMIT "
    "message without STREAM STOP\"",
    "PostgreSQL 14-18 apply workers fail with ERROR 08P01.", NONE, NONE, 0),
  RULE(PGW__R_LREP_UNKNOWN_RELATION, "pgoutput.relation.known", REF,
    "An Insert, Update or Delete names a relation a Relation message "
    "described earlier in the stream.",
    "Logical Replication Message Formats (Relation)",
    "relation.c logicalrep_rel_open: \"no relation map entry for remote "
    "relation ID %u\"",
    "PostgreSQL 13-18 apply workers fail with ERROR.", NONE, NONE, 0),
  RULE(PGW__R_LREP_COLUMN_COUNT, "pgoutput.tuple.count-matches-relation", DOC,
    "A TupleData has as many columns as the Relation message of its "
    "relation.",
    "Logical Replication Message Formats (TupleData)",
    "pgoutput.c sends the published columns of the Relation; worker.c maps "
    "columns by position and does not compare the counts",
    "PostgreSQL 13-18 apply workers do not check it.", NONE, NONE, 0),
  RULE(PGW__R_LREP_FLAGS_ZERO, "pgoutput.flags.zero", REF,
    "The flags of Commit, Stream Commit, Prepare, Commit Prepared, Rollback "
    "Prepared and Stream Prepare are 0.",
    "Logical Replication Message Formats",
    "proto.c logicalrep_read_commit: \"unrecognized flags %u in commit "
    "message\" (and the prepare variants)",
    "PostgreSQL 13-18 apply workers fail with ERROR.", NONE, NONE, 0),
  RULE(PGW__R_LREP_FLAGS_KNOWN, "pgoutput.flags.known", DOC,
    "Message flags, Relation column flags and Truncate options use only the "
    "bits the documentation defines; Stream Start's first segment is 0 or 1.",
    "Logical Replication Message Formats",
    "proto.c reads these bits and ignores the others",
    "PostgreSQL 13-18 ignore undefined bits.", NONE, NONE, 0),
  RULE(PGW__R_LREP_TUPLE_KIND, "pgoutput.tuple.kind", REF,
    "Each TupleData column starts with 'n', 'u', 't' or 'b'.",
    "Logical Replication Message Formats (TupleData)",
    "proto.c logicalrep_read_tuple: \"unrecognized data representation type "
    "'%c'\"",
    "PostgreSQL 13-18 apply workers fail with ERROR.", NONE, NONE, 0),
  RULE(PGW__R_LREP_VALUE_LENGTH, "pgoutput.tuple.length", REF,
    "A 't' or 'b' column's Int32 length is not negative and fits in the "
    "message.",
    "Logical Replication Message Formats (TupleData)",
    "pqformat.c pq_copymsgbytes: \"insufficient data left in message\"",
    "PostgreSQL 13-18 apply workers fail with ERROR.", NONE, NONE, 0),
  RULE(PGW__R_LREP_MARKER, "pgoutput.change.marker", REF,
    "Insert's tuple is marked 'N'; Update's optional old tuple 'K' or 'O' "
    "and its new tuple 'N'; Delete's tuple 'K' or 'O'.",
    "Logical Replication Message Formats (Insert, Update, Delete)",
    "proto.c logicalrep_read_insert \"expected new tuple but got %d\", "
    "logicalrep_read_update, logicalrep_read_delete",
    "PostgreSQL 13-18 apply workers fail with ERROR.", NONE, NONE, 0),
  RULE(PGW__R_LREP_INVALID_LSN, "pgoutput.lsn.set", REF,
    "Begin's final LSN, and the LSNs of Begin Prepare, Prepare, Commit "
    "Prepared and Rollback Prepared, are not 0.",
    "Logical Replication Message Formats",
    "proto.c logicalrep_read_begin \"final_lsn not set in begin message\" "
    "(and the prepare variants)",
    "PostgreSQL 13-18 apply workers fail with ERROR.", NONE, NONE, 0),
  RULE(PGW__R_LREP_REPLICA_IDENTITY, "pgoutput.relation.replica-identity",
    DOC,
    "A Relation's replica identity is 'd', 'n', 'f' or 'i'.",
    "Logical Replication Message Formats (Relation)",
    "proto.c logicalrep_read_rel stores the byte unchecked",
    "PostgreSQL 13-18 apply workers do not check it.", NONE, NONE, 0),
};
/* clang-format on */

size_t pgw_rule_count(void) {
  return PGW__R_COUNT_ALL;
}

const pgw_rule *pgw_rule_at(size_t i) {
  return i < PGW__R_COUNT_ALL ? &rows[i].rule : NULL;
}

const pgw_rule *pgw__rule(enum pgw__rule_index i) {
  return &rows[i].rule;
}

const pgw_rule *pgw_rule_find(const char *id) {
  if (id == NULL) return NULL;
  for (size_t i = 0; i < PGW__R_COUNT_ALL; i++)
    if (strcmp(rows[i].rule.id, id) == 0) return &rows[i].rule;
  return NULL;
}

const char *pgw_level_name(pgw_level level) {
  switch (level) {
  case PGW_LEVEL_REFERENCE: return "reference";
  case PGW_LEVEL_DOCUMENTED: return "documented";
  }
  return "?";
}

int pgw_mode_rejects(pgw_mode mode, const pgw_rule *rule) {
  if (rule == NULL || mode == PGW_MODE_STRICT) return 1;
  if (mode == PGW_MODE_REFERENCE) return rule->level == PGW_LEVEL_REFERENCE;
  return 0;
}

/* How well row r matches: 0 not at all, higher is more specific. */
static int match(const rule_row *r, pgw_dir dir, pgw_kind kind, int code) {
  if (r->kind == NONE || r->code != code) return 0;
  if (r->dir != ANY && r->dir != (short)dir) return 0;
  if (r->kind != ANY && r->kind != (short)kind) return 0;
  return 1 + (r->dir != ANY) + 2 * (r->kind != ANY);
}

const pgw_rule *pgw__rule_for(pgw_dir dir, pgw_kind kind, int code) {
  const pgw_rule *best = NULL;
  /* Kinds that share a layout share its rules. */
  if (kind == PGW_MSG_COPY_OUT_RESPONSE || kind == PGW_MSG_COPY_BOTH_RESPONSE)
    kind = PGW_MSG_COPY_IN_RESPONSE;
  if (kind == PGW_MSG_NOTICE_RESPONSE) kind = PGW_MSG_ERROR_RESPONSE;
  int best_score = 0;
  for (size_t i = 0; i < PGW__R_COUNT_ALL; i++) {
    int s = match(&rows[i], dir, kind, code);
    if (s > best_score) best_score = s, best = &rows[i].rule;
  }
  return best;
}
