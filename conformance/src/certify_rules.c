/*
 * certify_rules.c - the server behaviours certify cases check beyond
 * the library's rules (pgw/rule.h, `pgw rules`): one list, so that they
 * can be renamed, or moved into the library's table, in one place. A
 * case may name rules of either list; cert_rule_known() accepts both.
 */
#include <string.h>

#include "certify.h"
#include "pgw/pgw.h"

/* clang-format off */
const cert_rule cert_rules[] = {
  {"startup.flow", "StartupMessage leads through authentication and ParameterStatus/BackendKeyData to ReadyForQuery(I)."},
  {"startup.params", "StartupMessage parameters set the user, database and run-time parameters; a bad one ends the startup with FATAL."},
  {"startup.parameter-status", "ParameterStatus reports the documented parameters before the first ReadyForQuery."},
  {"startup.backend-key-data", "BackendKeyData (process id and secret key) comes before the first ReadyForQuery."},
  {"startup.request-code", "An unknown request code in a startup packet is refused with FATAL 0A000."},
  {"startup.ssl.once", "SSLRequest may be sent once per connection."},
  {"startup.direct-ssl", "A TLS ClientHello where a startup packet belongs is not parsed as one; a server that speaks direct SSL (PostgreSQL 17+) needs ALPN postgresql."},
  {"startup.eof", "A client closing before or during the startup gets no further messages."},
  {"startup.framing", "A startup packet is assembled from any split into TCP segments."},
  {"startup.timeout", "A server waits for the startup packet of a slow client."},
  {"startup.once", "After ReadyForQuery a startup packet is no valid message."},
  {"negotiation.minor", "A StartupMessage with a minor version the server does not support gets NegotiateProtocolVersion with the newest it does."},
  {"negotiation.options", "Unrecognised _pq_ options are listed in NegotiateProtocolVersion and the startup goes on."},
  {"negotiation.only-when-needed", "NegotiateProtocolVersion is sent only when the version or an option is not supported."},
  {"negotiation.order", "NegotiateProtocolVersion comes before the first Authentication message."},
  {"auth.flow", "The authentication exchange of the method in use ends with AuthenticationOk."},
  {"auth.password", "A wrong password ends the startup with FATAL 28P01 and a close."},
  {"auth.order", "Anything but the expected authentication response ends the startup."},
  {"auth.sasl", "A malformed or unoffered SASL exchange ends the startup with FATAL."},
  {"simple.query.flow", "A Query is answered by its results (RowDescription, DataRow, CommandComplete) and one ReadyForQuery."},
  {"simple.query.multi", "A Query of several statements answers each in order and one ReadyForQuery; an error ends it."},
  {"simple.query.empty", "An empty Query is answered by EmptyQueryResponse and ReadyForQuery."},
  {"simple.query.values", "Values come as sent: NULL as length -1, text byte for byte."},
  {"simple.error.recovery", "After an ErrorResponse in a Query, ReadyForQuery follows and the session goes on."},
  {"simple.command-tag", "CommandComplete carries the documented command tag."},
  {"simple.txn.status", "ReadyForQuery's status is I outside a transaction, T inside one, E in a failed one."},
  {"simple.txn.implicit", "The statements of a Query, or the messages before a Sync, form one implicit transaction."},
  {"extended.parse", "Parse is answered by ParseComplete or an ErrorResponse."},
  {"extended.bind", "Bind is answered by BindComplete or an ErrorResponse; parameters and formats are used as given."},
  {"extended.describe", "Describe of a statement answers ParameterDescription and RowDescription or NoData; of a portal, RowDescription or NoData."},
  {"extended.execute", "Execute answers the rows and CommandComplete, or PortalSuspended at the row limit; no RowDescription."},
  {"extended.close", "Close answers CloseComplete, also for a name that does not exist."},
  {"extended.sync", "Sync ends the implicit transaction and is answered by ReadyForQuery."},
  {"extended.flush", "Flush makes the server send what it holds, and nothing else."},
  {"extended.error.until-sync", "After an error in extended query, messages up to the next Sync are skipped."},
  {"extended.error.immediate", "An ErrorResponse is sent without waiting for Sync."},
  {"pipeline.order", "Pipelined requests are answered in order."},
  {"pipeline.ready-per-sync", "Every Sync is answered by exactly one ReadyForQuery."},
  {"pipeline.error", "After an error, no ReadyForQuery comes before the Sync; the groups after it run."},
  {"pipeline.terminate", "Terminate inside a pipeline closes the connection without ReadyForQuery."},
  {"copy.in.flow", "COPY FROM STDIN: CopyInResponse, the client's CopyData and CopyDone, then CommandComplete."},
  {"copy.in.fail", "CopyFail ends COPY FROM STDIN with an ErrorResponse."},
  {"copy.in.error", "A COPY error answers ErrorResponse; CopyData, CopyDone and CopyFail after it are dropped."},
  {"copy.in.sync-flush-ignored", "Sync and Flush during COPY FROM STDIN are ignored."},
  {"copy.out.flow", "COPY TO STDOUT: CopyOutResponse, CopyData, CopyDone, CommandComplete."},
  {"copy.out.error", "An error during COPY TO STDOUT is an ErrorResponse without CopyDone."},
  {"copy.extended", "COPY works through Parse/Bind/Execute; ReadyForQuery comes at the Sync after the copy."},
  {"copy.stray-ignored", "CopyData, CopyDone and CopyFail outside COPY are ignored (PostgreSQL's practice)."},
  {"fastpath.flow", "FunctionCall is answered by FunctionCallResponse and ReadyForQuery."},
  {"fastpath.error", "A bad FunctionCall is answered by ErrorResponse and ReadyForQuery."},
  {"async.notification", "NotificationResponse comes at commit, and may come between other messages."},
  {"async.notice", "NoticeResponse may come between other messages."},
  {"async.parameter-status", "A change of a reported parameter is sent as ParameterStatus before ReadyForQuery."},
  {"cancel.flow", "A CancelRequest with the session's process id and key cancels the running query (57014)."},
  {"cancel.key-check", "A CancelRequest with a key that differs in any byte or in length cancels nothing."},
  {"cancel.no-answer", "The connection of a CancelRequest is closed without any message."},
  {"termination.flow", "Terminate closes the connection without an answer."},
  {"termination.eof", "A client closing its side is answered by the server closing."},
  {"termination.fatal", "A FATAL ErrorResponse is followed by the server closing the connection."},
  {"limits.slow-sender", "A message is assembled from any split into TCP segments, however slow."},
  {"limits.large-message", "Messages far above the small limit are accepted where the large limit applies."},
  {"replication.startup", "replication=true|database starts a walsender that answers replication commands."},
  {"replication.simple-only", "A physical replication connection refuses the extended query protocol."},
  {"replication.copy-both", "START_REPLICATION answers CopyBothResponse; CopyDone ends the stream."},
};
/* clang-format on */

const size_t cert_rule_count = sizeof cert_rules / sizeof cert_rules[0];

int cert_rule_known(const char *id, size_t len) {
  char buf[128];
  size_t i;
  for (i = 0; i < cert_rule_count; i++)
    if (strlen(cert_rules[i].id) == len && !memcmp(cert_rules[i].id, id, len))
      return 1;
  if (len >= sizeof buf) return 0;
  memcpy(buf, id, len);
  buf[len] = '\0';
  return pgw_rule_find(buf) != NULL;
}
