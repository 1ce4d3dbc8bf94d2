/*
 * certify_client_rules.c - the client behaviours `pgw certify client`
 * cases check beyond the library's rules (`pgw rules`) and the server
 * behaviours of certify_rules.c (which, named by a client case, say what
 * the scripted server does). One list; cc_rule_known() accepts all three.
 */
#include <string.h>

#include "certify_client.h"

/* clang-format off */
const cert_rule cc_rules[] = {
  {"client.startup", "After AuthenticationOk, ParameterStatus, BackendKeyData (or none) and ReadyForQuery(I) the client goes on to its queries."},
  {"client.ssl-refused", "After 'N' to SSLRequest or GSSENCRequest the client sends its StartupMessage on the same connection (or closes)."},
  {"client.negotiation", "After NegotiateProtocolVersion the client uses the version named (3.0 after a downgrade) and goes on without the refused _pq_ options."},
  {"client.auth", "The client answers each authentication request of its method with the password given: cleartext, MD5 hash, a SCRAM-SHA-256 proof that verifies."},
  {"client.auth-abort", "A SCRAM exchange that cannot be trusted (wrong ServerSignature, a nonce not extending the client's) or has no mechanism in common ends with the client closing."},
  {"client.fatal-close", "After a FATAL ErrorResponse the client sends nothing more and closes."},
  {"client.framing", "The client reads messages split into any number of TCP segments, one byte each included."},
  {"client.async", "ParameterStatus, NoticeResponse and NotificationResponse may come at any time, between the messages of a result included."},
  {"client.result", "The client reads any result: EmptyQueryResponse, several result sets, NULLs, 1600 columns, rows over 30000 bytes, 10000 rows, a CommandComplete alone."},
  {"client.error", "After an ErrorResponse and ReadyForQuery the connection goes on: the client may send its next query."},
  {"client.extended", "Parse, Bind, Describe, Execute and Sync are sent in order; results are read as answered."},
  {"client.sync-after-error", "After an ErrorResponse in extended query the client sends Sync (the server skips to it) before anything else it expects answered."},
  {"client.sync-before-query", "Extended-query messages end with Sync before the next simple Query (SHOULD: PostgreSQL accepts a Query there and pgJDBC's autosave relies on it)."},
  {"client.copy", "COPY FROM STDIN ends with CopyDone or CopyFail; COPY TO STDOUT is read to CopyDone or the ErrorResponse."},
  {"client.cancel", "A CancelRequest goes on a new connection with the process id and exactly the key of the BackendKeyData (4 bytes in 3.0, the length sent in 3.2)."},
  {"client.eof", "A server that closes, inside a message or before answering, makes the client close too, without a hang."},
};
/* clang-format on */

const size_t cc_rule_count = sizeof cc_rules / sizeof cc_rules[0];

int cc_rule_known(const char *id, size_t len) {
  size_t i;
  for (i = 0; i < cc_rule_count; i++)
    if (strlen(cc_rules[i].id) == len && !memcmp(cc_rules[i].id, id, len))
      return 1;
  return cert_rule_known(id, len);
}
