#!/usr/bin/env python3
"""Deterministic generator of the differential suite's cases (issue 12).

Every case has a stable id, a one-line description, the setup it needs, the
bytes it sends, and whether the wire alone decides its verdict (`wire` is
True, or a string saying which state pgw cannot see).

Frontend cases (side "F") are sent to a real PostgreSQL after the setup;
backend cases (side "B") are served by a fake server to a real libpq client
in a mode (what the client does).

  gen.py list            one line per case: id, side, setup, wire, description
  gen.py json            the cases as JSON lines (bytes as hex)
  gen.py count           how many frontend and backend cases

Standard library only; the output depends on nothing but this file.

Frontend setups (fe_runner.py performs them):
  raw          nothing: the case's bytes are the first on the connection
  ready        StartupMessage 3.0 as pgw_trust to database pgw, up to ReadyForQuery
  ready32      the same asking for protocol 3.2
  prepared     ready + Parse "s1" = select $1::int4 (param type int4) + Sync
  portal       ready + BEGIN + Parse s1, Bind portal "p1" ('1') + Sync
  failed       ready + Parse of a syntax error, no Sync (the server skips to Sync)
  copyin       ready + CREATE TEMP TABLE t(a int, b text) + COPY t FROM STDIN
  auth_clear   StartupMessage as pgw_clear: the server asks for a cleartext password
  auth_md5     StartupMessage as pgw_md5: the server asks for an MD5 password
  auth_scram   StartupMessage as pgw_scram: the server offers SCRAM-SHA-256
  cancel       raw, while another connection (3.0) runs pg_sleep; the case's
               bytes carry that connection's pid and key (the placeholder pid
               0x01020304 and key 0xa1a2a3a4... are replaced)
  cancel32     the same with the other connection on protocol 3.2

Backend modes (libpq_client.c does them; be_runner.py's fake server first
reads the StartupMessage):
  startup      the case's script is the whole answer to the StartupMessage
  query        normal startup; the client runs PQexec("select 1")
  extended     normal startup; PQexecParams("select $1::int4", "1")
  copyout      normal startup; PQexec("copy t to stdout") and PQgetCopyData
  copyin       normal startup; PQexec("copy t from stdin"), one row, PQputCopyEnd
  fn           normal startup; PQfn(abs(int4), 5)
A backend script is a list of steps: bytes to send, "W" (wait for one client
message), "WS" (wait for the client's Sync), "WC" (wait for CopyDone/CopyFail).
"""
import json
import sys

from wire import (CANCEL_CODE, GSS_CODE, SSL_CODE, auth, auth_ok, backend_key,
                  bind, cancel, close, command_complete, copy_data, copy_done,
                  copy_fail, cstr, data_row, describe, error_fields,
                  error_response, execute, flush, function_call, gss_request,
                  i16, i32, msg, msg_len, notice_response, packet, packet_len,
                  param_status, parse, password, query, ready, row_desc,
                  ssl_request, startup, sync, terminate, u16, u32, version)

CASES = []
_ids = set()

# Placeholders the cancel setups replace with the live connection's pid/key.
PID_PH = 0x01020304
KEY4_PH = bytes([0xA1, 0xA2, 0xA3, 0xA4])
KEY32_PH = bytes(range(0xB0, 0xD0))
USER = [("user", "pgw_trust"), ("database", "pgw")]


def add(side, cid, desc, setup, data, wire=True, **kw):
    cid = ("fe." if side == "F" else "be.") + cid
    assert cid not in _ids, cid
    _ids.add(cid)
    c = {"id": cid, "side": side, "desc": desc, "setup": setup, "wire": wire}
    if side == "F":
        c["send"] = data if isinstance(data, list) else [data]
    else:
        c["script"] = data
    c.update(kw)
    CASES.append(c)


def F(cid, desc, setup, data, wire=True, **kw):
    add("F", cid, desc, setup, data, wire, **kw)


def B(cid, desc, mode, script, wire=True, **kw):
    add("B", cid, desc, mode, script, wire, **kw)


S = sync()
NAME_STATE = "depends on the prepared statement (pgw does not know its parameters or columns)"
TYPE_STATE = "depends on the parameter's type (pgw does not know the types)"
FUNC_STATE = "depends on the function's signature in the catalog"
TIMING = "depends on what the server had buffered (timing), not on the bytes"
SCRAM_STATE = "depends on the SCRAM exchange's content, which pgw does not parse"
ENC_STATE = "depends on the character encoding, which pgw does not check"
CAPABILITY = "libpq does not implement this authentication method (a capability, not a wire check)"


# ===========================================================================
# Frontend: startup-framed packets
# ===========================================================================
def gen_startup():
    ok = startup(USER)
    F("startup.v30.ok", "StartupMessage 3.0 with user and database", "raw", ok)
    F("startup.v32.ok", "StartupMessage 3.2 with user and database", "raw",
      startup(USER, 3, 2))
    for maj, mn in [(3, 1), (3, 3), (3, 9999), (3, 65535), (2, 0), (1, 0),
                    (4, 0), (0, 0), (65535, 0), (1234, 5681), (1234, 5677),
                    (3, 0x8000)]:
        F("startup.version.%d.%d" % (maj, mn),
          "StartupMessage asking for protocol %d.%d" % (maj, mn), "raw",
          startup(USER, maj, mn))
    body = version(3, 0) + cstr("user") + cstr("pgw_trust") + cstr("database") + cstr("pgw")
    F("startup.no-terminator", "StartupMessage whose list lacks the final NUL", "raw",
      packet(body))
    F("startup.extra-terminator", "StartupMessage with two NULs at the end", "raw",
      packet(body + b"\0\0"))
    F("startup.trailing", "StartupMessage with a byte after the final NUL", "raw",
      packet(body + b"\0x"))
    F("startup.key-no-value", "StartupMessage whose last key has no value", "raw",
      packet(body + cstr("application_name") + b"\0"))
    F("startup.value-no-nul", "StartupMessage whose last value lacks its NUL", "raw",
      packet(version(3, 0) + cstr("user") + cstr("pgw_trust") + cstr("database") + b"pgw"))
    F("startup.no-params", "StartupMessage with only the version (8 bytes)", "raw",
      packet(version(3, 0)))
    F("startup.only-terminator", "StartupMessage with the version and the terminator", "raw",
      packet(version(3, 0) + b"\0"))
    F("startup.no-user", "StartupMessage with database but no user", "raw",
      startup([("database", "pgw")]))
    F("startup.empty-user", "StartupMessage with an empty user", "raw",
      startup([("user", ""), ("database", "pgw")]))
    F("startup.user-only", "StartupMessage with only a user (database defaults)", "raw",
      startup([("user", "pgw_trust")]), desc2="database pgw_trust does not exist")
    F("startup.unknown-db", "StartupMessage naming a database that does not exist", "raw",
      startup([("user", "pgw_trust"), ("database", "nosuchdb")]))
    F("startup.unknown-user", "StartupMessage naming a role that does not exist", "raw",
      startup([("user", "nosuchuser"), ("database", "pgw")]))
    F("startup.pq-option", "StartupMessage with an unknown _pq_. protocol option", "raw",
      startup(USER + [("_pq_.pgw_test", "1")]))
    F("startup.pq-option-32", "StartupMessage 3.2 with an unknown _pq_. option", "raw",
      startup(USER + [("_pq_.pgw_test", "1")], 3, 2))
    F("startup.guc", "StartupMessage setting application_name and a GUC", "raw",
      startup(USER + [("application_name", "pgw-diff"), ("work_mem", "8MB")]))
    F("startup.guc-options", "StartupMessage with options=-c search_path=public", "raw",
      startup(USER + [("options", "-c search_path=public")]))
    F("startup.guc-unknown", "StartupMessage setting an unknown GUC", "raw",
      startup(USER + [("pgw_no_such_setting", "1")]))
    F("startup.guc-bad-value", "StartupMessage setting work_mem to a bad value", "raw",
      startup(USER + [("work_mem", "lots")]))
    F("startup.replication-database", "StartupMessage with replication=database", "raw",
      startup(USER + [("replication", "database")]))
    F("startup.replication-bogus", "StartupMessage with replication=bogus", "raw",
      startup(USER + [("replication", "bogus")]))
    F("startup.dup-user", "StartupMessage naming user twice", "raw",
      startup([("user", "nosuchuser")] + USER))
    F("startup.empty-key", "StartupMessage with an empty key in the middle", "raw",
      packet(body + cstr("") + cstr("x") + b"\0"))
    F("startup.bad-utf8-value", "StartupMessage with application_name not UTF-8", "raw",
      packet(body + cstr("application_name") + b"\xff\xfe\0" + b"\0"), wire=ENC_STATE)
    # lengths
    for L in [0, 1, 3, 4, 7]:
        F("startup.len.%d" % L, "startup packet whose length word is %d (< 8)" % L, "raw",
          u32(L) + version(3, 0) + cstr("user") + cstr("pgw_trust") + b"\0")
    F("startup.len.minus1", "StartupMessage whose length is one short (drops the final NUL)",
      "raw", packet_len(body + b"\0", len(body) + 4))
    F("startup.len.plus1", "StartupMessage whose length is one long, one extra byte sent",
      "raw", packet_len(body + b"\0" + b"\0", len(body) + 6))
    F("startup.len.plus1-truncated", "StartupMessage whose length is one long, no byte follows",
      "raw", packet_len(body + b"\0", len(body) + 6), incomplete=True)
    F("startup.len.ffffffff", "startup packet with length word 0xffffffff", "raw",
      u32(0xFFFFFFFF) + version(3, 0))
    F("startup.len.80000000", "startup packet with length word 0x80000000", "raw",
      u32(0x80000000) + version(3, 0))
    F("startup.len.7fffffff", "startup packet with length word 0x7fffffff", "raw",
      u32(0x7FFFFFFF) + version(3, 0))
    # at and over the startup limit (10000 bytes after the length word)
    def big(total_payload):
        fixed = version(3, 0) + cstr("user") + cstr("pgw_trust") + cstr("database") + cstr("pgw") + \
            cstr("application_name")
        vlen = total_payload - len(fixed) - 2   # value NUL + final NUL
        return packet(fixed + b"a" * vlen + b"\0" + b"\0")
    for n, what in [(9999, "one under"), (10000, "at"), (10001, "one over"), (10002, "two over"),
                    (20000, "far over")]:
        p = big(n)
        assert len(p) == n + 4
        F("startup.limit.%d" % n, "StartupMessage with %d bytes after the length word (%s the limit)"
          % (n, what), "raw", p)
    F("startup.limit.10004-header", "startup packet length word 10004 (payload 10000) sent whole",
      "raw", big(10000))
    F("startup.limit.10005-word", "startup packet length word 10005, only the header sent",
      "raw", u32(10005) + version(3, 0))
    # SSLRequest / GSSENCRequest
    F("ssl.ok", "SSLRequest then (after the answer) StartupMessage", "raw", [ssl_request(), ok])
    F("ssl.trailing", "SSLRequest with 4 trailing bytes (length 12)", "raw",
      [packet(u32(SSL_CODE) + b"\0\0\0\0"), ok])
    F("ssl.len7", "SSLRequest with length 7", "raw", [packet_len(u32(SSL_CODE)[:3], 7)])
    F("ssl.len9", "SSLRequest with length 9 (one trailing byte)", "raw",
      [packet(u32(SSL_CODE) + b"x"), ok])
    F("ssl.twice", "SSLRequest, then SSLRequest again", "raw", [ssl_request(), ssl_request()])
    F("ssl.then-gss", "SSLRequest, then GSSENCRequest, then StartupMessage", "raw",
      [ssl_request(), gss_request(), ok])
    F("ssl.same-chunk", "SSLRequest and StartupMessage in one chunk", "raw",
      [ssl_request() + ok], wire=TIMING)
    F("ssl.then-cancel", "SSLRequest, then a CancelRequest for a pid that does not exist", "raw",
      [ssl_request(), cancel(1, b"\0\0\0\0")])
    F("gss.ok", "GSSENCRequest then StartupMessage", "raw", [gss_request(), ok])
    F("gss.trailing", "GSSENCRequest with 4 trailing bytes", "raw",
      [packet(u32(GSS_CODE) + b"\0\0\0\0"), ok])
    F("gss.twice", "GSSENCRequest twice", "raw", [gss_request(), gss_request()])
    F("gss.then-ssl", "GSSENCRequest, then SSLRequest, then StartupMessage", "raw",
      [gss_request(), ssl_request(), ok])
    F("gss.same-chunk", "GSSENCRequest and StartupMessage in one chunk", "raw",
      [gss_request() + ok], wire=TIMING)
    F("startup.direct-ssl", "a TLS ClientHello record instead of a startup packet", "raw",
      [bytes.fromhex("16030100310100002d0303") + b"\0" * 32 + bytes.fromhex("000002c02f0100")],
      wire="depends on the server's SSL configuration (direct SSL needs ssl=on)")
    F("startup.then-startup", "StartupMessage, then another StartupMessage", "raw", [ok, ok])
    F("startup.then-ssl", "StartupMessage, then an SSLRequest (typed framing)", "raw",
      [ok, ssl_request()])
    # CancelRequest (placeholders replaced with the live connection's pid/key)
    k4 = KEY4_PH
    F("cancel.ok", "CancelRequest with the live pid and 4-byte key", "cancel",
      cancel(PID_PH, k4))
    F("cancel.wrong-key", "CancelRequest with the live pid and a wrong key", "cancel",
      cancel(PID_PH, b"\0\0\0\0"))
    F("cancel.wrong-pid", "CancelRequest for a pid that does not exist", "cancel",
      cancel(1, k4))
    F("cancel.pid0", "CancelRequest with pid 0", "cancel", cancel(0, k4))
    for n in [0, 1, 3]:
        F("cancel.key%d" % n, "CancelRequest with a %d-byte key" % n, "cancel",
          cancel(PID_PH, k4[:n]))
    for n in [5, 8, 32, 256, 257]:
        key = (k4 * 80)[:n]
        F("cancel.key%d" % n, "CancelRequest with a %d-byte key (live key first)" % n, "cancel",
          cancel(PID_PH, key))
    F("cancel.no-pid", "CancelRequest with only the code (length 8)", "cancel",
      packet(u32(CANCEL_CODE)))
    F("cancel.short-pid", "CancelRequest with a 2-byte pid (length 10)", "cancel",
      packet(u32(CANCEL_CODE) + b"\0\1"))
    F("cancel.trailing-chunk", "CancelRequest followed by a Query in the same chunk", "cancel",
      cancel(PID_PH, k4) + query("select 1"))
    F("cancel.len-ffffffff", "CancelRequest with length word 0xffffffff", "cancel",
      u32(0xFFFFFFFF) + u32(CANCEL_CODE) + u32(PID_PH) + k4)
    F("cancel32.ok", "CancelRequest with the live 3.2 connection's pid and whole key", "cancel32",
      cancel(PID_PH, KEY32_PH))
    F("cancel32.key4", "CancelRequest with the first 4 bytes of a 3.2 connection's key",
      "cancel32", cancel(PID_PH, KEY32_PH[:4]))
    F("cancel32.key31", "CancelRequest with a 3.2 connection's key minus its last byte",
      "cancel32", cancel(PID_PH, KEY32_PH[:31]))
    F("cancel32.key33", "CancelRequest with a 3.2 connection's key plus one byte",
      "cancel32", cancel(PID_PH, KEY32_PH + b"\0"))
    F("cancel32.key256", "CancelRequest with a 256-byte key (3.2 target)", "cancel32",
      cancel(PID_PH, (KEY32_PH * 8)[:256]))
    F("cancel32.key257", "CancelRequest with a 257-byte key (3.2 target)", "cancel32",
      cancel(PID_PH, (KEY32_PH * 9)[:257]))
    # typed messages where a startup packet is expected
    for t, body in FRONT_BODIES.items():
        F("raw.%s" % NAMES[t], "%s sent before any startup packet" % NAMES[t], "raw", msg(t, body))


# ===========================================================================
# Frontend: typed messages
# ===========================================================================
NAMES = {"Q": "Query", "P": "Parse", "B": "Bind", "D": "Describe", "E": "Execute",
         "C": "Close", "S": "Sync", "H": "Flush", "F": "FunctionCall", "d": "CopyData",
         "c": "CopyDone", "f": "CopyFail", "X": "Terminate", "p": "PasswordMessage"}
FRONT_BODIES = {
    "Q": cstr("select 1"),
    "P": cstr("") + cstr("select 1") + i16(0),
    "B": cstr("") + cstr("s1") + i16(0) + i16(1) + i32(1) + b"1" + i16(0),
    "D": b"S" + cstr("s1"),
    "E": cstr("") + i32(0),
    "C": b"S" + cstr("s1"),
    "S": b"",
    "H": b"",
    "F": u32(2026) + i16(0) + i16(0) + i16(0),
    "d": b"1\tx\n",
    "c": b"",
    "f": cstr("stop"),
    "X": b"",
    "p": cstr("clearpass"),
}
# The setup in which each kind is in phase (and what to append to get an answer).
KIND_SETUP = {"Q": ("ready", b""), "P": ("ready", S), "B": ("prepared", S),
              "D": ("prepared", S), "E": ("portal", S), "C": ("prepared", S),
              "S": ("ready", b""), "H": ("ready", S), "F": ("ready", b""),
              "d": ("copyin", copy_done()), "c": ("copyin", b""), "f": ("copyin", b""),
              "X": ("ready", b""), "p": ("auth_clear", b"")}
SMALL = "CDEHScfX"    # read under PostgreSQL's 10000-byte limit (length word included)
LARGE = "QPBFd"       # read under 0x3ffffffe


def gen_lengths():
    for t, body in FRONT_BODIES.items():
        setup, tail = KIND_SETUP[t]
        n = NAMES[t]
        L = len(body) + 4
        F("%s.ok" % n, "%s, well-formed, in phase" % n, setup, msg(t, body) + tail)
        if L > 4:
            F("%s.len.minus1" % n, "%s whose length word is one short (last byte read as the next type)"
              % n, setup, msg_len(t, body, L - 1) + tail)
        F("%s.len.plus1" % n, "%s whose length word is one long, followed by Sync" % n, setup,
          msg_len(t, body, L + 1) + S)
        F("%s.len.plus1-trailing-nul" % n, "%s with length one long holding an extra NUL byte" % n,
          setup, msg_len(t, body + b"\0", L + 1) + tail)
        for v in [0, 3]:
            F("%s.len.%d" % (n, v), "%s whose length word is %d (< 4)" % (n, v), setup,
              msg_len(t, body, v))
        F("%s.len.4" % n, "%s with an empty body (length 4)" % n, setup, msg(t, b"") + tail)
        F("%s.len.ffffffff" % n, "%s whose length word is 0xffffffff (negative)" % n, setup,
          msg_len(t, body, 0xFFFFFFFF))
        F("%s.len.3fffffff" % n, "%s whose length word is 0x3fffffff (over PostgreSQL's largest)" % n,
          setup, msg_len(t, body, 0x3FFFFFFF))
        F("%s.truncated" % n, "%s whose length is right but whose body is cut short (connection then idle)"
          % n, setup, msg_len(t, body[:-1] if body else b"", L), incomplete=True) if L > 4 else None
        # limits
        if t in SMALL and t != "p":
            for total in [9999, 10000, 10001, 10004, 10005]:
                big = padded(t, total)
                F("%s.limit.%d" % (n, total),
                  "%s with length word %d (PostgreSQL reads it under 10000, length word included)"
                  % (n, total), setup, big + tail)
        if t in LARGE:
            for total in [10001, 30001]:
                F("%s.limit.%d" % (n, total), "%s with length word %d (a large kind)" % (n, total),
                  setup, padded(t, total) + tail)
            F("%s.len.3ffffffe-header" % n,
              "%s whose length word is 0x3ffffffe (PostgreSQL's largest), header only" % n,
              setup, msg_len(t, b"", 0x3FFFFFFE), incomplete=True)
        F("%s.trailing" % n, "%s with one trailing byte inside its length" % n, setup,
          msg(t, body + b"x") + tail)
        F("%s.trailing4" % n, "%s with four trailing bytes inside its length" % n, setup,
          msg(t, body + b"\1\2\3\4") + tail)


def padded(t, total):
    """A message of kind t whose length word is TOTAL, padded as validly as
    the kind allows (long names, long strings, trailing zeros otherwise)."""
    n = total - 4
    if t == "Q":
        return msg("Q", b"select 1 --" + b"x" * (n - 12) + b"\0")
    if t in "CD":
        return msg(t, b"S" + b"n" * (n - 2) + b"\0")
    if t == "E":
        return msg("E", b"p" * (n - 5) + b"\0" + i32(0))
    if t == "f":
        return msg("f", b"m" * (n - 1) + b"\0")
    if t == "P":
        return msg("P", b"\0" + b"select 1 --" + b"x" * (n - 15) + b"\0" + i16(0))
    if t == "B":
        return msg("B", b"\0" + b"s1\0" + i16(0) + i16(1) + i32(n - 14) + b"1" * (n - 14) + i16(0))
    if t == "d":
        return msg("d", b"1\t" + b"x" * (n - 3) + b"\n")
    if t == "F":
        return msg("F", u32(1397) + i16(0) + i16(1) + i32(n - 14) + b"5" * (n - 14) + i16(0))
    return msg(t, b"\0" * n)     # S H c X: the body itself is the deviation


def gen_fields():
    # Query
    F("Query.no-nul", "Query whose string lacks its NUL", "ready", msg("Q", b"select 1"))
    F("Query.two-nul", "Query with two NULs", "ready", msg("Q", b"select 1\0\0"))
    F("Query.two-strings", "Query holding two NUL-terminated strings", "ready",
      msg("Q", b"select 1\0select 2\0"))
    F("Query.empty", "Query with the empty string", "ready", query(""))
    F("Query.syntax-error", "Query with a syntax error (semantic)", "ready", query("selec 1"))
    F("Query.multi", "Query with two statements", "ready", query("select 1; select 2"))
    F("Query.bad-utf8", "Query with bytes that are not UTF-8", "ready",
      msg("Q", b"select '\xff\xfe'\0"), wire=ENC_STATE)
    F("Query.in-batch", "Parse, Bind, then a Query before the Sync", "ready",
      parse("", "select 1") + bind("", "") + query("select 2") + execute("") + S)
    F("Query.in-failed-batch", "Query while the server skips to Sync after an error", "failed",
      query("select 1") + S)
    # Parse
    P = "Parse"
    F(P + ".name-no-nul", "Parse whose statement name lacks its NUL", "ready",
      msg("P", b"s1") + S)
    F(P + ".query-no-nul", "Parse whose query lacks its NUL", "ready",
      msg("P", cstr("s2") + b"select 1") + S)
    F(P + ".no-count", "Parse without the parameter type count", "ready",
      msg("P", cstr("s2") + cstr("select 1")) + S)
    F(P + ".count-high", "Parse announcing 2 parameter types, giving 1", "ready",
      msg("P", cstr("s2") + cstr("select $1") + i16(2) + u32(23)) + S)
    F(P + ".count-low", "Parse announcing 0 parameter types, giving 1", "ready",
      msg("P", cstr("s2") + cstr("select $1") + i16(0) + u32(23)) + S)
    F(P + ".count-neg", "Parse with parameter type count -1", "ready",
      msg("P", cstr("s2") + cstr("select 1") + i16(-1)) + S)
    F(P + ".count-32767", "Parse announcing 32767 parameter types, giving none", "ready",
      msg("P", cstr("s2") + cstr("select 1") + i16(32767)) + S)
    F(P + ".count-65535-all", "Parse with 65535 (-1 as Int16) types announced and none given",
      "ready", msg("P", cstr("s2") + cstr("select 1") + u16(65535)) + S)
    F(P + ".type0", "Parse with an unspecified (0) parameter type", "ready",
      parse("s2", "select $1", [0]) + S)
    F(P + ".type-unknown", "Parse with a parameter type OID that does not exist", "ready",
      parse("s2", "select $1", [999999]) + S)
    F(P + ".types-more-than-params", "Parse with 2 types for a query using $1 only", "ready",
      parse("s2", "select $1::int4", [23, 25]) + S)
    F(P + ".types-fewer-than-params", "Parse with no types for a query using $1 and $2", "ready",
      parse("s2", "select $1::int4, $2::text") + S)
    F(P + ".two-statements", "Parse of a query string with two statements", "ready",
      parse("s2", "select 1; select 2") + S)
    F(P + ".duplicate", "Parse of a named statement that already exists", "prepared",
      parse("s1", "select 1") + S)
    F(P + ".unnamed-twice", "Parse of the unnamed statement twice", "ready",
      parse("", "select 1") + parse("", "select 2") + S)
    F(P + ".syntax-error", "Parse with a syntax error (semantic)", "ready",
      parse("s2", "selec 1") + S)
    F(P + ".in-failed", "Parse while the server skips to Sync", "failed", parse("s2", "select 1") + S)
    F(P + ".malformed-in-failed", "Parse without a NUL while the server skips to Sync", "failed",
      msg("P", b"s2") + S)
    # Bind (setup prepared: s1 = select $1::int4 with type int4)
    Bn = "Bind"
    F(Bn + ".exec", "Bind, Execute, Sync with one text parameter", "prepared",
      bind("", "s1", ["7"]) + execute("") + S)
    F(Bn + ".params0", "Bind supplying 0 parameters to a 1-parameter statement", "prepared",
      bind("", "s1", []) + S, wire=NAME_STATE)
    F(Bn + ".params2", "Bind supplying 2 parameters to a 1-parameter statement", "prepared",
      bind("", "s1", ["1", "2"]) + S, wire=NAME_STATE)
    F(Bn + ".pformats2", "Bind with 2 parameter format codes and 1 parameter", "prepared",
      bind("", "s1", ["1"], [0, 0]) + S)
    F(Bn + ".pformats1-params0", "Bind with 1 parameter format code and no parameter", "ready",
      parse("s0", "select 1") + bind("", "s0", [], [0]) + S)
    F(Bn + ".pformat2", "Bind with parameter format code 2 (applied)", "prepared",
      bind("", "s1", ["1"], [2]) + execute("") + S)
    F(Bn + ".pformat-neg", "Bind with parameter format code -1 (applied)", "prepared",
      bind("", "s1", ["1"], [-1]) + execute("") + S)
    F(Bn + ".pformat2-null", "Bind with parameter format code 2 for a NULL parameter", "prepared",
      bind("", "s1", [None], [2]) + execute("") + S)
    F(Bn + ".pformat2-unused", "Bind with one parameter format code 2 and no parameters", "ready",
      parse("s0", "select 1") + bind("", "s0", [], [2]) + execute("") + S)
    F(Bn + ".rformat2", "Bind with result format code 2 for the one column", "prepared",
      bind("", "s1", ["1"], [], [2]) + execute("") + S)
    F(Bn + ".rformat-neg", "Bind with result format code -1", "prepared",
      bind("", "s1", ["1"], [], [-1]) + execute("") + S)
    F(Bn + ".rformat2-no-columns", "Bind with result format 2 for a statement without columns",
      "ready", parse("s0", "set search_path = public") + bind("", "s0", [], [], [2]) + execute("") + S,
      wire=NAME_STATE)
    F(Bn + ".rformat2-not-executed", "Bind with result format 2, never executed", "prepared",
      bind("", "s1", ["1"], [], [2]) + S)
    F(Bn + ".rformats3", "Bind with 3 result formats for a 1-column statement", "prepared",
      bind("", "s1", ["1"], [], [0, 0, 0]) + S, wire=NAME_STATE)
    F(Bn + ".rformat1", "Bind with binary results", "prepared",
      bind("", "s1", ["1"], [], [1]) + execute("") + S)
    F(Bn + ".binary-int4", "Bind with a binary int4 parameter (4 bytes)", "prepared",
      bind("", "s1", [b"\0\0\0\7"], [1]) + execute("") + S)
    F(Bn + ".binary-short", "Bind with a 2-byte binary value for an int4 parameter", "prepared",
      bind("", "s1", [b"\0\7"], [1]) + execute("") + S, wire=TYPE_STATE)
    F(Bn + ".binary-long", "Bind with a 5-byte binary value for an int4 parameter", "prepared",
      bind("", "s1", [b"\0\0\0\0\7"], [1]) + execute("") + S, wire=TYPE_STATE)
    F(Bn + ".text-bad", "Bind with text 'abc' for an int4 parameter (semantic)", "prepared",
      bind("", "s1", ["abc"]) + execute("") + S, wire=TYPE_STATE)
    F(Bn + ".null", "Bind with a NULL parameter", "prepared",
      bind("", "s1", [None]) + execute("") + S)
    body = cstr("") + cstr("s1") + i16(0) + i16(1)
    F(Bn + ".len-2", "Bind with parameter length -2", "prepared",
      msg("B", body + i32(-2) + i16(0)) + S)
    F(Bn + ".len-100", "Bind with parameter length -100", "prepared",
      msg("B", body + i32(-100) + i16(0)) + S)
    F(Bn + ".len-over", "Bind whose parameter length runs past the message", "prepared",
      msg("B", body + i32(10) + b"1" + i16(0)) + S)
    F(Bn + ".no-rformats", "Bind without the result format count", "prepared",
      msg("B", body + i32(1) + b"1") + S)
    F(Bn + ".trailing-after-rformats", "Bind with a trailing byte after the result formats", "prepared",
      msg("B", body + i32(1) + b"1" + i16(0) + b"x") + S)
    F(Bn + ".portal-no-nul", "Bind whose portal name lacks its NUL", "prepared",
      msg("B", b"p") + S)
    F(Bn + ".stmt-no-nul", "Bind whose statement name lacks its NUL", "prepared",
      msg("B", cstr("") + b"s1") + S)
    F(Bn + ".pformats-neg", "Bind with parameter format count -1", "prepared",
      msg("B", cstr("") + cstr("s1") + i16(-1) + i16(1) + i32(1) + b"1" + i16(0)) + S)
    F(Bn + ".params-neg", "Bind with parameter count -1", "prepared",
      msg("B", cstr("") + cstr("s1") + i16(0) + i16(-1) + i16(0)) + S)
    F(Bn + ".rformats-neg", "Bind with result format count -1", "prepared",
      msg("B", body + i32(1) + b"1" + i16(-1)) + S)
    F(Bn + ".params-high", "Bind announcing 2 parameters, giving 1", "prepared",
      msg("B", cstr("") + cstr("s1") + i16(0) + i16(2) + i32(1) + b"1" + i16(0)) + S)
    F(Bn + ".unknown-stmt", "Bind to a statement that does not exist (semantic)", "prepared",
      bind("", "nosuch", ["1"]) + S, wire=NAME_STATE)
    F(Bn + ".named-portal-exists", "Bind to a named portal that already exists", "portal",
      bind("p1", "s1", ["1"]) + S, wire=NAME_STATE)
    F(Bn + ".in-failed", "Bind while the server skips to Sync", "failed",
      bind("", "s1", ["1"]) + S)
    F(Bn + ".malformed-in-failed", "Bind with parameter length -2 while the server skips to Sync",
      "failed", msg("B", body + i32(-2) + i16(0)) + S)
    # Describe / Close
    for t, n, setup in [("D", "Describe", "prepared"), ("C", "Close", "prepared")]:
        for what in "SP":
            F("%s.%s" % (n, what), "%s '%s' of an existing object" % (n, what), "portal" if what == "P" else setup,
              msg(t, what.encode() + cstr("p1" if what == "P" else "s1")) + S)
            F("%s.%s-unnamed" % (n, what), "%s '%s' of the unnamed object (may not exist)" % (n, what),
              setup, msg(t, what.encode() + cstr("")) + S)
        for code in [b"X", b"s", b"p", b"\0", b"Q", b"\xff", b"1"]:
            F("%s.code-%02x" % (n, code[0]), "%s with subtype 0x%02x" % (n, code[0]), setup,
              msg(t, code + cstr("s1")) + S)
        F("%s.no-nul" % n, "%s whose name lacks its NUL" % n, setup, msg(t, b"Ss1") + S)
        F("%s.only-code" % n, "%s with the subtype and nothing else" % n, setup, msg(t, b"S") + S)
        F("%s.two-names" % n, "%s with two NUL-terminated names" % n, setup,
          msg(t, b"Ss1\0s1\0") + S)
        F("%s.code-in-failed" % n, "%s with subtype 'X' while the server skips to Sync" % n,
          "failed", msg(t, b"X" + cstr("s1")) + S)
        F("%s.unknown-name" % n, "%s 'S' of a statement that does not exist" % n, setup,
          msg(t, b"S" + cstr("nosuch")) + S, wire=NAME_STATE)
    # Execute
    F("Execute.unnamed", "Execute of the unnamed portal after Bind", "prepared",
      bind("", "s1", ["1"]) + execute("") + S)
    F("Execute.maxrows-neg", "Execute with max rows -1", "portal", execute("p1", -1) + S)
    F("Execute.maxrows1", "Execute with max rows 1 (PortalSuspended)", "ready",
      query("begin") + parse("s3", "select generate_series(1,3)") + bind("p3", "s3") +
      execute("p3", 1) + S)
    F("Execute.no-maxrows", "Execute without max rows", "portal", msg("E", cstr("p1")) + S)
    F("Execute.short-maxrows", "Execute with a 2-byte max rows", "portal", msg("E", cstr("p1") + b"\0\0") + S)
    F("Execute.no-nul", "Execute whose portal name lacks its NUL", "portal", msg("E", b"p1") + S)
    F("Execute.no-portal", "Execute of a portal that does not exist (semantic)", "ready",
      execute("nosuch") + S, wire=NAME_STATE)
    F("Execute.in-failed", "Execute while the server skips to Sync", "failed", execute("") + S)
    # Sync / Flush / Terminate
    F("Sync.idle", "Sync with nothing before it", "ready", S)
    F("Sync.twice", "two Syncs", "ready", S + S)
    F("Flush.idle", "Flush with nothing before it, then Sync", "ready", flush() + S)
    F("Flush.after-parse", "Parse, Flush (answer without Sync), then Sync", "ready",
      parse("", "select 1") + flush() + S)
    F("Terminate.trailing-more", "Terminate with a trailing byte, then Query", "ready",
      msg("X", b"x") + query("select 1"))
    F("Terminate.then-query", "Terminate then Query in the same chunk", "ready",
      terminate() + query("select 1"))
    F("Terminate.in-batch", "Parse then Terminate (no Sync)", "ready", parse("", "select 1") + terminate())
    # FunctionCall: 2026 = pg_backend_pid(), 1397 = abs(int4)
    Fc = "FunctionCall"
    F(Fc + ".abs", "FunctionCall abs(int4) with text argument '5'", "ready",
      function_call(1397, [b"5"], [0]))
    F(Fc + ".abs-binary", "FunctionCall abs(int4) with a binary argument", "ready",
      function_call(1397, [b"\0\0\0\5"], [1], 1))
    F(Fc + ".nargs-high", "FunctionCall with 2 arguments to a 1-argument function", "ready",
      function_call(1397, [b"5", b"6"]), wire=FUNC_STATE)
    F(Fc + ".nargs0", "FunctionCall with no argument to a 1-argument function", "ready",
      function_call(1397, []), wire=FUNC_STATE)
    F(Fc + ".aformats2", "FunctionCall with 2 argument formats and 1 argument", "ready",
      function_call(1397, [b"5"], [0, 0]))
    F(Fc + ".aformat2", "FunctionCall with argument format code 2", "ready",
      function_call(1397, [b"5"], [2]))
    F(Fc + ".rformat2", "FunctionCall with result format code 2", "ready",
      function_call(1397, [b"5"], [0], 2))
    F(Fc + ".rformat-neg", "FunctionCall with result format code -1", "ready",
      function_call(1397, [b"5"], [0], -1))
    F(Fc + ".arg-len-2", "FunctionCall with argument length -2", "ready",
      msg("F", u32(1397) + i16(0) + i16(1) + i32(-2) + i16(0)))
    F(Fc + ".arg-len-over", "FunctionCall whose argument length runs past the message", "ready",
      msg("F", u32(1397) + i16(0) + i16(1) + i32(9) + b"5" + i16(0)))
    F(Fc + ".no-rformat", "FunctionCall without the result format", "ready",
      msg("F", u32(1397) + i16(0) + i16(1) + i32(1) + b"5"))
    F(Fc + ".nargs-neg", "FunctionCall with argument count -1", "ready",
      msg("F", u32(1397) + i16(0) + i16(-1) + i16(0)))
    F(Fc + ".aformats-neg", "FunctionCall with argument format count -1", "ready",
      msg("F", u32(1397) + i16(-1) + i16(1) + i32(1) + b"5" + i16(0)))
    F(Fc + ".oid0", "FunctionCall of function OID 0 (semantic)", "ready",
      function_call(0, []), wire=FUNC_STATE)
    F(Fc + ".binary-short", "FunctionCall abs(int4) with a 2-byte binary argument", "ready",
      function_call(1397, [b"\0\5"], [1]), wire=TYPE_STATE)
    F(Fc + ".null-arg", "FunctionCall abs(int4) with a NULL argument", "ready",
      function_call(1397, [None], [0]))
    F(Fc + ".in-batch", "FunctionCall inside an unsynced extended batch", "ready",
      parse("", "select 1") + function_call(2026) + S)
    # COPY
    F("CopyData.rows", "two CopyData rows and CopyDone", "copyin",
      copy_data(b"1\ta\n") + copy_data(b"2\tb\n") + copy_done())
    F("CopyData.bad-row", "CopyData with a row that is not an int (semantic)", "copyin",
      copy_data(b"x\ta\n") + copy_done())
    F("CopyData.empty", "an empty CopyData, then CopyDone", "copyin", copy_data(b"") + copy_done())
    F("CopyDone.trailing-bytes", "CopyDone with 4 bytes of body in COPY", "copyin",
      msg("c", b"abcd"))
    F("CopyFail.no-nul", "CopyFail whose message lacks its NUL", "copyin", msg("f", b"stop"))
    F("CopyFail.trailing-after-nul", "CopyFail with bytes after the NUL", "copyin", msg("f", b"stop\0x"))
    F("CopyFail.empty", "CopyFail with an empty body", "copyin", msg("f", b""))
    for t in "SH":
        F("copy.%s" % NAMES[t], "%s during COPY FROM STDIN, then CopyDone" % NAMES[t], "copyin",
          msg(t) + copy_done())
        F("copy.%s-trailing" % NAMES[t], "%s with a trailing byte during COPY, then CopyDone"
          % NAMES[t], "copyin", msg(t, b"x") + copy_done())
    for t in "QPBDECF":
        F("copy.%s" % NAMES[t], "%s during COPY FROM STDIN" % NAMES[t], "copyin",
          msg(t, FRONT_BODIES[t]) + S)
    F("copy.Terminate", "Terminate during COPY FROM STDIN", "copyin", terminate())
    F("copy.unknown-Z", "unknown type 'Z' during COPY FROM STDIN", "copyin", msg("Z", b"I") + S)
    F("copy.CopyDone-limit-10001", "CopyDone with length 10001 during COPY", "copyin",
      msg_len("c", b"\0" * 9997, 10001))
    F("copy.CopyData-limit-30001", "CopyData with length 30001 during COPY", "copyin",
      copy_data(b"1\t" + b"x" * 29994 + b"\n") + copy_done())
    F("copy.Password", "PasswordMessage during COPY FROM STDIN", "copyin", password("x") + S)
    for t in "dcf":
        F("outside.%s" % NAMES[t], "%s outside COPY (idle), then Sync" % NAMES[t], "ready",
          msg(t, FRONT_BODIES[t]) + S)
        F("outside-batch.%s" % NAMES[t], "%s inside an extended batch, then Sync" % NAMES[t],
          "ready", parse("", "select 1") + msg(t, FRONT_BODIES[t]) + S)
        F("outside-failed.%s" % NAMES[t], "%s while the server skips to Sync" % NAMES[t],
          "failed", msg(t, FRONT_BODIES[t]) + S)
    F("outside.CopyFail-no-nul", "CopyFail without its NUL outside COPY, then Sync", "ready",
      msg("f", b"stop") + S)
    F("outside.CopyDone-trailing", "CopyDone with a body outside COPY, then Sync", "ready",
      msg("c", b"xyz") + S)
    # wrong phases
    F("ready.Password", "PasswordMessage after authentication", "ready", password("x"))
    F("ready.SASLInitial", "a SASLInitialResponse-shaped 'p' after authentication", "ready",
      msg("p", cstr("SCRAM-SHA-256") + i32(-1)))
    F("ready.StartupMessage", "a StartupMessage after startup", "ready", startup(USER))
    F("ready.SSLRequest", "an SSLRequest after startup", "ready", ssl_request())
    F("ready.CancelRequest", "a CancelRequest on the query connection", "ready",
      cancel(1, b"\0\0\0\0"))
    F("ready.Execute-no-bind", "Execute of the unnamed portal with no Bind (semantic)", "ready",
      execute("") + S, wire=NAME_STATE)
    F("ready.Describe-portal-none", "Describe of the unnamed portal when none exists", "ready",
      describe("P", "") + S, wire=NAME_STATE)
    for t in "QPBDECSHFdcfX":
        F("auth.%s" % NAMES[t], "%s where a password is expected" % NAMES[t], "auth_clear",
          msg(t, FRONT_BODIES[t]))
    F("failed.Sync", "Sync after a failed Parse (ends the skipping)", "failed", S)
    for t in "DCHFX":
        F("failed.%s" % NAMES[t], "well-formed %s while the server skips to Sync, then Sync"
          % NAMES[t], "failed", msg(t, FRONT_BODIES[t]) + S)
    F("failed.Password", "PasswordMessage while the server skips to Sync", "failed",
      password("x") + S)
    F("failed.CopyData-len-3fffffff", "CopyData with length 0x3fffffff while the server skips to Sync",
      "failed", msg_len("d", b"", 0x3FFFFFFF))
    F("ready32.Query", "Query on a connection that asked for protocol 3.2", "ready32",
      query("select 1"))
    F("ready32.Bind-len-2", "Bind with parameter length -2 on a protocol 3.2 connection", "ready32",
      parse("s1", "select $1::int4", [23]) + msg("B", cstr("") + cstr("s1") + i16(0) + i16(1) +
                                                  i32(-2) + i16(0)) + S)
    F("failed.unknown-type", "unknown type 'Y' while the server skips to Sync", "failed",
      msg("Y", b"") + S)
    F("failed.len-3", "a Describe with length 3 while the server skips to Sync", "failed",
      msg_len("D", b"", 3))
    F("failed.Describe-over-limit", "a Describe with length 10001 while the server skips to Sync",
      "failed", padded("D", 10001) + S)


def gen_unknown():
    known = set(b"QPBDECSHFdcfXp")
    types = [c for c in range(0x21, 0x7F) if c not in known] + [0x00, 0x01, 0x7F, 0x80, 0xFF]
    for c in types:
        F("unknown.%02x" % c, "unknown frontend type byte 0x%02x (%s) after startup" %
          (c, chr(c) if 0x21 <= c < 0x7F else "-"), "ready", bytes([c]) + u32(4) + S)
    for c in [ord("Y"), ord("Z"), ord("T")]:
        F("unknown-batch.%02x" % c, "unknown type 0x%02x inside an extended batch" % c, "ready",
          parse("", "select 1") + bytes([c]) + u32(4) + S)


def gen_auth():
    F("pw.ok", "PasswordMessage with the right password", "auth_clear", password("clearpass"))
    F("pw.wrong", "PasswordMessage with a wrong password (semantic)", "auth_clear", password("nope"))
    F("pw.empty", "PasswordMessage with the empty password", "auth_clear", password(""))
    F("pw.no-nul", "PasswordMessage without its NUL", "auth_clear", msg("p", b"clearpass"))
    F("pw.trailing", "PasswordMessage with a byte after the NUL", "auth_clear",
      msg("p", b"clearpass\0x"))
    F("pw.two-nul", "PasswordMessage with two NULs", "auth_clear", msg("p", b"clearpass\0\0"))
    F("pw.len4", "PasswordMessage with an empty body", "auth_clear", msg("p", b""))
    F("pw.len3", "PasswordMessage with length 3", "auth_clear", msg_len("p", b"", 3))
    for total in [1000, 10001, 65535, 65536, 65537, 100000]:
        F("pw.limit.%d" % total, "PasswordMessage with length word %d" % total, "auth_clear",
          msg("p", b"x" * (total - 5) + b"\0"))
    F("pw.len-3fffffff", "PasswordMessage with length 0x3fffffff", "auth_clear",
      msg_len("p", b"", 0x3FFFFFFF))
    F("pw.md5-ok", "MD5 PasswordMessage (wrong hash, semantic)", "auth_md5",
      password("md5" + "0" * 32))
    F("pw.md5-no-nul", "MD5 PasswordMessage without its NUL", "auth_md5",
      msg("p", b"md5" + b"0" * 32))
    F("pw.md5-short", "MD5 PasswordMessage that is not md5+32 hex (semantic)", "auth_md5",
      password("md5abc"))
    cf = b"n,,n=,r=pgwdiffclientnonce0000000"
    sir = lambda mech, data, n=None: msg("p", cstr(mech) + i32(len(data) if n is None else n) + data)
    F("sasl.ok", "SASLInitialResponse SCRAM-SHA-256 with a client-first message", "auth_scram",
      sir("SCRAM-SHA-256", cf))
    F("sasl.unknown-mech", "SASLInitialResponse naming a mechanism that was not offered",
      "auth_scram", sir("FOO-BAR", cf))
    F("sasl.plus-mech", "SASLInitialResponse choosing SCRAM-SHA-256-PLUS (not offered)",
      "auth_scram", sir("SCRAM-SHA-256-PLUS", b"p=tls-server-end-point,,n=,r=abc"))
    F("sasl.no-data", "SASLInitialResponse with data length -1", "auth_scram",
      sir("SCRAM-SHA-256", b"", -1))
    F("sasl.len-2", "SASLInitialResponse with data length -2", "auth_scram",
      sir("SCRAM-SHA-256", b"", -2))
    F("sasl.data-over", "SASLInitialResponse whose data length runs past the message",
      "auth_scram", sir("SCRAM-SHA-256", cf, len(cf) + 5))
    F("sasl.data-under", "SASLInitialResponse whose data length is one short (trailing byte)",
      "auth_scram", sir("SCRAM-SHA-256", cf, len(cf) - 1))
    F("sasl.trailing", "SASLInitialResponse with a byte after the data", "auth_scram",
      msg("p", cstr("SCRAM-SHA-256") + i32(len(cf)) + cf + b"x"))
    F("sasl.mech-no-nul", "SASLInitialResponse whose mechanism lacks its NUL", "auth_scram",
      msg("p", b"SCRAM-SHA-256"))
    F("sasl.no-length", "SASLInitialResponse with the mechanism only", "auth_scram",
      msg("p", cstr("SCRAM-SHA-256")))
    F("sasl.bad-client-first", "SASLInitialResponse with a malformed client-first message",
      "auth_scram", sir("SCRAM-SHA-256", b"x,,n=,r=abc"), wire=SCRAM_STATE)
    F("sasl.empty-data", "SASLInitialResponse with zero-length data", "auth_scram",
      sir("SCRAM-SHA-256", b""), wire=SCRAM_STATE)
    F("sasl.password-instead", "a cleartext PasswordMessage where SASL is expected", "auth_scram",
      password("scrampass"), wire=SCRAM_STATE)
    for t in "QSX":
        F("sasl.%s" % NAMES[t], "%s where a SASLInitialResponse is expected" % NAMES[t],
          "auth_scram", msg(t, FRONT_BODIES[t]))


# ===========================================================================
# Backend cases
# ===========================================================================
PARAMS = (param_status("server_version", "18.4") + param_status("server_encoding", "UTF8") +
          param_status("client_encoding", "UTF8") + param_status("DateStyle", "ISO, MDY") +
          param_status("integer_datetimes", "on") +
          param_status("standard_conforming_strings", "on"))
KEY = backend_key(4242, b"\x11\x22\x33\x44")
OK_TAIL = PARAMS + KEY + ready("I")
STARTUP_OK = auth_ok() + OK_TAIL
T1 = row_desc([("a", 23, 0)])
ROWS = T1 + data_row(["1"]) + command_complete("SELECT 1") + ready("I")
ERRF = [("S", "ERROR"), ("V", "ERROR"), ("C", "XX000"), ("M", "pgw-diff error")]
ERR = error_response(ERRF)
EXT_OK = msg("1") + msg("2") + T1 + data_row(["1"]) + command_complete("SELECT 1") + ready("I")


def gen_backend():
    # ---- startup: Authentication ------------------------------------------
    B("startup.ok", "AuthenticationOk, parameters, BackendKeyData, ReadyForQuery", "query",
      ["W", ROWS])
    B("auth.ok-trailing", "AuthenticationOk with 4 trailing bytes", "startup",
      [auth(0, b"\0\0\0\0") + OK_TAIL])
    B("auth.len7", "Authentication with length 7 (3-byte code)", "startup",
      [msg("R", b"\0\0\0") + OK_TAIL])
    B("auth.len4", "Authentication with an empty body", "startup", [msg("R") + OK_TAIL])
    B("auth.len-2000", "AuthenticationOk padded to length 2000", "startup",
      [auth(0, b"\0" * 1992) + OK_TAIL])
    B("auth.len-2001", "AuthenticationOk padded to length 2001", "startup",
      [auth(0, b"\0" * 1993) + OK_TAIL])
    B("auth.len-30001", "AuthenticationOk padded to length 30001", "startup",
      [auth(0, b"\0" * 29993) + OK_TAIL])
    B("auth.cleartext", "AuthenticationCleartextPassword, then Ok", "startup",
      [auth(3), "W", STARTUP_OK])
    B("auth.cleartext-trailing", "AuthenticationCleartextPassword with 2 trailing bytes", "startup",
      [auth(3, b"xy"), "W", STARTUP_OK])
    B("auth.md5", "AuthenticationMD5Password with a 4-byte salt, then Ok", "startup",
      [auth(5, b"abcd"), "W", STARTUP_OK])
    B("auth.md5-salt3", "AuthenticationMD5Password with a 3-byte salt", "startup",
      [auth(5, b"abc"), "W", STARTUP_OK])
    B("auth.md5-salt5", "AuthenticationMD5Password with a 5-byte salt", "startup",
      [auth(5, b"abcde"), "W", STARTUP_OK])
    B("auth.md5-nosalt", "AuthenticationMD5Password without a salt", "startup",
      [auth(5), "W", STARTUP_OK])
    for code, what in [(1, "code 1 (unused)"), (2, "KerberosV5"), (4, "code 4 (crypt, removed)"),
                       (6, "code 6 (SCMCredential, removed)"), (13, "code 13 (unknown)"),
                       (99, "code 99"), (-1, "code -1")]:
        B("auth.code%d" % code if code >= 0 else "auth.code-neg1", "Authentication %s" % what,
          "startup", [auth(code), "W", STARTUP_OK],
          wire=CAPABILITY if code == 2 else True)
    B("auth.gss", "AuthenticationGSS", "startup", [auth(7), "W", STARTUP_OK], wire=CAPABILITY)
    B("auth.sspi", "AuthenticationSSPI", "startup", [auth(9), "W", STARTUP_OK], wire=CAPABILITY)
    B("auth.gss-continue-unasked", "AuthenticationGSSContinue without GSS", "startup",
      [auth(8, b"tok"), "W", STARTUP_OK])
    B("auth.sasl", "AuthenticationSASL offering SCRAM-SHA-256 (client answers, then Ok)", "startup",
      [auth(10, cstr("SCRAM-SHA-256") + b"\0"), "W", STARTUP_OK], wire=SCRAM_STATE)
    B("auth.sasl-no-list-end", "AuthenticationSASL whose list lacks its final NUL", "startup",
      [auth(10, cstr("SCRAM-SHA-256")), "W", STARTUP_OK])
    B("auth.sasl-empty", "AuthenticationSASL with an empty mechanism list", "startup",
      [auth(10, b"\0"), "W", STARTUP_OK])
    B("auth.sasl-unknown", "AuthenticationSASL offering only an unknown mechanism", "startup",
      [auth(10, cstr("FOO-BAR") + b"\0"), "W", STARTUP_OK], wire=CAPABILITY)
    B("auth.sasl-continue-unasked", "AuthenticationSASLContinue without a SASL exchange", "startup",
      [auth(11, b"r=abc,s=c2FsdA==,i=4096"), "W", STARTUP_OK])
    B("auth.sasl-final-unasked", "AuthenticationSASLFinal without a SASL exchange", "startup",
      [auth(12, b"v=abc"), "W", STARTUP_OK])
    B("auth.ok-twice", "AuthenticationOk twice", "startup", [auth_ok() + STARTUP_OK])
    B("auth.after-ready", "AuthenticationOk after ReadyForQuery, in answer to a query", "query",
      ["W", auth_ok() + ROWS])
    B("auth.cleartext-after-ok", "AuthenticationCleartextPassword after AuthenticationOk",
      "startup", [auth_ok() + auth(3), "W", OK_TAIL])
    # ---- startup: ErrorResponse / NoticeResponse ----------------------------
    fatal = [("S", "FATAL"), ("V", "FATAL"), ("C", "28000"), ("M", "pgw-diff fatal")]
    B("startup.fatal", "ErrorResponse FATAL in answer to the StartupMessage", "startup",
      [error_response(fatal)])
    B("startup.fatal-no-fields", "ErrorResponse with no fields during startup", "startup",
      [error_response([])])
    B("startup.fatal-only-M", "ErrorResponse with only M during startup", "startup",
      [error_response([("M", "pgw-diff fatal")])])
    B("startup.fatal-len-30001", "ErrorResponse of length 30001 during startup", "startup",
      [msg("E", error_fields(fatal + [("D", "x" * 29970)]))])
    B("startup.notice", "NoticeResponse before AuthenticationOk", "startup",
      [notice_response([("S", "NOTICE"), ("C", "00000"), ("M", "pgw-diff notice")]) + STARTUP_OK])
    B("startup.no-auth", "ParameterStatus and ReadyForQuery without any Authentication", "startup",
      [OK_TAIL])
    B("startup.ready-first", "ReadyForQuery instead of AuthenticationOk", "startup",
      [ready("I")])
    B("startup.unknown-type", "type 'Y' in answer to the StartupMessage", "startup",
      [msg("Y", b"abc") + STARTUP_OK])
    B("startup.rowdesc", "RowDescription in answer to the StartupMessage", "startup",
      [T1 + STARTUP_OK])
    B("startup.no-key", "startup without BackendKeyData", "startup",
      [auth_ok() + PARAMS + ready("I"), "W", ROWS], then="query")
    # ---- BackendKeyData ---------------------------------------------------
    for n in [0, 3, 5, 8, 32, 256, 257]:
        B("key.%d" % n, "BackendKeyData with a %d-byte key (protocol 3.0)" % n, "startup",
          [auth_ok() + PARAMS + backend_key(4242, b"k" * n) + ready("I"), "W", ROWS], then="query")
    B("key.pid-only", "BackendKeyData with only a 2-byte pid", "startup",
      [auth_ok() + PARAMS + msg("K", b"\0\1") + ready("I"), "W", ROWS], then="query")
    B("key.twice", "BackendKeyData twice", "startup",
      [auth_ok() + PARAMS + KEY + KEY + ready("I"), "W", ROWS], then="query")
    B("key.after-ready", "BackendKeyData in answer to a query", "query", ["W", KEY + ROWS])
    for n in [4, 32, 256, 257, 0]:
        B("key32.%d" % n, "BackendKeyData with a %d-byte key after the client asked for 3.2" % n,
          "startup", [auth_ok() + PARAMS + backend_key(4242, b"k" * n) + ready("I"), "W", ROWS],
          then="query", conninfo="max_protocol_version=3.2", targets=["libpq18"])
    # ---- NegotiateProtocolVersion -------------------------------------------
    def npv(minor, opts=(), count=None):
        body = u32((3 << 16) | minor) + i32(len(opts) if count is None else count)
        body += b"".join(cstr(o) for o in opts)
        return msg("v", body)
    B("npv.no-change", "NegotiateProtocolVersion 3.0 with no options to a 3.0 request", "startup",
      [npv(0) + STARTUP_OK, "W", ROWS], then="query")
    B("npv.option", "NegotiateProtocolVersion 3.0 rejecting an option never asked for", "startup",
      [npv(0, ["_pq_.foo"]) + STARTUP_OK, "W", ROWS], then="query")
    B("npv.higher", "NegotiateProtocolVersion 3.5 to a 3.0 request", "startup",
      [npv(5) + STARTUP_OK, "W", ROWS], then="query")
    B("npv.count-high", "NegotiateProtocolVersion announcing 2 options, giving 1", "startup",
      [npv(0, ["_pq_.foo"], 2) + STARTUP_OK, "W", ROWS], then="query")
    B("npv.count-neg", "NegotiateProtocolVersion with option count -1", "startup",
      [npv(0, [], -1) + STARTUP_OK, "W", ROWS], then="query")
    B("npv.after-ok", "NegotiateProtocolVersion after AuthenticationOk", "startup",
      [auth_ok() + npv(0) + OK_TAIL, "W", ROWS], then="query")
    for minor, extra, what in [(0, [], "3.0 (downgrade)"), (2, [], "3.2 (no change)"),
                               (1, [], "3.1"), (3, [], "3.3 (higher than asked)"),
                               (0, ["_pq_.foo"], "3.0 and an option never asked for")]:
        B("npv32.%d%s" % (minor, "-opt" if extra else ""),
          "NegotiateProtocolVersion %s to a 3.2 request" % what, "startup",
          [npv(minor, extra) + STARTUP_OK, "W", ROWS], then="query", conninfo="max_protocol_version=3.2",
          targets=["libpq18"])
    B("npv32.trailing", "NegotiateProtocolVersion 3.0 with a trailing byte (3.2 request)",
      "startup", [msg("v", u32(0x30000) + i32(0) + b"x") + STARTUP_OK, "W", ROWS], then="query",
      conninfo="max_protocol_version=3.2", targets=["libpq18"])
    B("npv32.len-2001", "NegotiateProtocolVersion of length 2001 (3.2 request)", "startup",
      [msg("v", u32(0x30000) + i32(0) + b"\0" * 1989) + STARTUP_OK, "W", ROWS], then="query",
      conninfo="max_protocol_version=3.2", targets=["libpq18"])
    # ---- ParameterStatus ------------------------------------------------------
    for cid, d, m in [
        ("ps.no-value-nul", "ParameterStatus whose value lacks its NUL", msg("S", cstr("x_pgw") + b"v")),
        ("ps.name-only", "ParameterStatus with a name and no value", msg("S", cstr("x_pgw"))),
        ("ps.trailing", "ParameterStatus with a trailing byte", msg("S", cstr("x_pgw") + cstr("v") + b"x")),
        ("ps.empty", "ParameterStatus with an empty body", msg("S")),
        ("ps.unknown", "ParameterStatus of an unknown parameter", param_status("pgw_x", "1")),
        ("ps.bad-encoding", "ParameterStatus client_encoding=NOSUCH", param_status("client_encoding", "NOSUCH")),
        ("ps.bad-version", "ParameterStatus server_version=garbage", param_status("server_version", "garbage")),
        ("ps.len-30001", "ParameterStatus of length 30001", param_status("x_pgw", "v" * (30001 - 4 - 8))),
    ]:
        B(cid, d + " (during startup)", "startup", [auth_ok() + m + OK_TAIL, "W", ROWS], then="query")
    B("ps.in-query", "ParameterStatus in the middle of a query's answer", "query",
      ["W", T1 + param_status("application_name", "x") + data_row(["1"]) +
       command_complete("SELECT 1") + ready("I")])
    # ---- ReadyForQuery ------------------------------------------------------
    for st in ["I", "T", "E"]:
        B("rfq.%s" % st, "ReadyForQuery status %s" % st, "query",
          ["W", T1 + data_row(["1"]) + command_complete("SELECT 1") + ready(st)])
    for st in [b"X", b"i", b"\0", b"\xff"]:
        B("rfq.%02x" % st[0], "ReadyForQuery with status byte 0x%02x" % st[0], "query",
          ["W", T1 + data_row(["1"]) + command_complete("SELECT 1") + msg("Z", st)])
    B("rfq.empty", "ReadyForQuery with no status byte", "query",
      ["W", T1 + data_row(["1"]) + command_complete("SELECT 1") + msg("Z")])
    B("rfq.two-bytes", "ReadyForQuery with two status bytes", "query",
      ["W", T1 + data_row(["1"]) + command_complete("SELECT 1") + msg("Z", b"II")])
    B("rfq.startup-bad", "ReadyForQuery status 'X' at the end of startup", "startup",
      [auth_ok() + PARAMS + KEY + msg("Z", b"X"), "W", ROWS], then="query")
    B("rfq.before-cc", "ReadyForQuery before CommandComplete", "query",
      ["W", T1 + data_row(["1"]) + ready("I") + command_complete("SELECT 1")])
    B("rfq.len-30001", "ReadyForQuery of length 30001", "query",
      ["W", T1 + data_row(["1"]) + command_complete("SELECT 1") + msg("Z", b"I" + b"\0" * 29996)])
    # ---- RowDescription -----------------------------------------------------
    def fld(name, oid=23, fmt=0):
        return cstr(name) + u32(0) + i16(0) + u32(oid) + i16(4) + i32(-1) + i16(fmt)
    tail1 = data_row(["1"]) + command_complete("SELECT 1") + ready("I")
    for cid, d, body in [
        ("rd.count-high", "RowDescription announcing 2 fields, giving 1", i16(2) + fld("a")),
        ("rd.count-low", "RowDescription announcing 0 fields, giving 1", i16(0) + fld("a")),
        ("rd.count-neg", "RowDescription with field count -1", i16(-1)),
        ("rd.name-no-nul", "RowDescription whose field name lacks its NUL", i16(1) + b"a"),
        ("rd.short-field", "RowDescription whose field is cut 2 bytes short", i16(1) + fld("a")[:-2]),
        ("rd.trailing", "RowDescription with a trailing byte", i16(1) + fld("a") + b"x"),
        ("rd.format2", "RowDescription with format code 2", i16(1) + fld("a", 23, 2)),
        ("rd.format1", "RowDescription with binary format (select in text mode)", i16(1) + fld("a", 23, 1)),
        ("rd.format-neg", "RowDescription with format code -1", i16(1) + fld("a", 23, -1)),
        ("rd.empty", "RowDescription with an empty body", b""),
    ]:
        B(cid, d, "query", ["W", msg("T", body) + tail1])
    B("rd.zero", "RowDescription with no fields, then a DataRow with no columns", "query",
      ["W", msg("T", i16(0)) + data_row([]) + command_complete("SELECT 1") + ready("I")])
    B("rd.two", "RowDescription twice before the rows", "query", ["W", T1 + T1 + tail1])
    B("rd.many", "RowDescription with 1664 fields and a matching DataRow", "query",
      ["W", msg("T", i16(1664) + fld("a") * 1664) + data_row(["1"] * 1664) +
       command_complete("SELECT 1") + ready("I")])
    B("rd.len-30001", "RowDescription longer than 30000 (a long type)", "query",
      ["W", msg("T", i16(1) + cstr("a" * 29975) + u32(0) + i16(0) + u32(23) + i16(4) + i32(-1) + i16(0))
       + tail1])
    # ---- DataRow -------------------------------------------------------------
    for cid, d, body in [
        ("dr.count-high", "DataRow with 2 columns after a 1-field RowDescription", i16(2) + i32(1) + b"1" + i32(1) + b"2"),
        ("dr.count-zero", "DataRow with 0 columns after a 1-field RowDescription", i16(0)),
        ("dr.count-neg", "DataRow with column count -1", i16(-1)),
        ("dr.count-high-short", "DataRow announcing 2 columns, giving 1", i16(2) + i32(1) + b"1"),
        ("dr.len-2", "DataRow with value length -2", i16(1) + i32(-2)),
        ("dr.len-100", "DataRow with value length -100", i16(1) + i32(-100)),
        ("dr.null", "DataRow with a NULL value", i16(1) + i32(-1)),
        ("dr.len-over", "DataRow whose value length runs past the message", i16(1) + i32(5) + b"1"),
        ("dr.len-under", "DataRow whose value length leaves a trailing byte", i16(1) + i32(1) + b"12"),
        ("dr.empty", "DataRow with an empty body", b""),
        ("dr.binary-short", "DataRow with a 2-byte value in text format (fine)", i16(1) + i32(2) + b"12"),
        ("dr.len-2-trailing", "DataRow with value length -2 and the bytes of a value after it",
         i16(1) + i32(-2) + b"12"),
        ("dr.len-2-count-high", "DataRow of 2 columns (the first of length -2) after a 1-field RowDescription",
         i16(2) + i32(-2) + i32(1) + b"1"),
    ]:
        B(cid, d, "query", ["W", T1 + msg("D", body) + command_complete("SELECT 1") + ready("I")])
    B("dr.no-rowdesc", "DataRow without a RowDescription", "query",
      ["W", data_row(["1"]) + command_complete("SELECT 1") + ready("I")])
    B("dr.after-cc", "DataRow after CommandComplete", "query",
      ["W", T1 + command_complete("SELECT 0") + data_row(["1"]) + ready("I")])
    B("dr.len-40000", "DataRow of 40000 bytes (a long type)", "query",
      ["W", T1 + data_row(["1" * 40000]) + command_complete("SELECT 1") + ready("I")])
    B("dr.binary-int4-short", "DataRow with a 2-byte value for a binary int4 column", "query",
      ["W", row_desc([("a", 23, 1)]) + data_row([b"\0\1"]) + command_complete("SELECT 1") + ready("I")],
      wire=TYPE_STATE)
    B("dr.two-rows-second-wrong", "two DataRows, the second with 2 columns", "query",
      ["W", T1 + data_row(["1"]) + data_row(["1", "2"]) + command_complete("SELECT 2") + ready("I")])
    # ---- CommandComplete / EmptyQueryResponse --------------------------------
    for cid, d, m in [
        ("cc.no-nul", "CommandComplete whose tag lacks its NUL", msg("C", b"SELECT 1")),
        ("cc.trailing", "CommandComplete with a byte after the NUL", msg("C", b"SELECT 1\0x")),
        ("cc.empty-tag", "CommandComplete with an empty tag", command_complete("")),
        ("cc.empty", "CommandComplete with an empty body", msg("C")),
        ("cc.odd-tag", "CommandComplete with an unknown tag", command_complete("FROBNICATE 7")),
        ("cc.len-30000", "CommandComplete of length 30000", msg("C", b"SELECT 1 " + b"x" * 29986 + b"\0")),
        ("cc.len-30001", "CommandComplete of length 30001", msg("C", b"SELECT 1 " + b"x" * 29987 + b"\0")),
    ]:
        B(cid, d, "query", ["W", T1 + data_row(["1"]) + m + ready("I")])
    B("eq.ok", "EmptyQueryResponse in answer to a query", "query", ["W", msg("I") + ready("I")])
    B("eq.trailing", "EmptyQueryResponse with a body", "query", ["W", msg("I", b"x") + ready("I")])
    B("cc.no-rows", "CommandComplete alone in answer to a select", "query",
      ["W", command_complete("SELECT 0") + ready("I")])
    # ---- ErrorResponse / NoticeResponse -------------------------------------
    for kind, t in [("err", "E"), ("notice", "N")]:
        sev = "ERROR" if t == "E" else "NOTICE"
        full = [("S", sev), ("V", sev), ("C", "XX000"), ("M", "pgw-diff " + kind)]
        variants = [
            ("ok", "with S, V, C and M", error_fields(full)),
            ("no-S", "without S", error_fields([f for f in full if f[0] not in "SV"])),
            ("no-C", "without C", error_fields([f for f in full if f[0] != "C"])),
            ("no-M", "without M", error_fields([f for f in full if f[0] != "M"])),
            ("no-fields", "with no fields", b"\0"),
            ("unknown-field", "with an unknown field code 'q'", error_fields(full + [("q", "x")])),
            ("no-final-nul", "without the final NUL", error_fields(full)[:-1]),
            ("value-no-nul", "whose last value lacks its NUL", error_fields(full)[:-2]),
            ("trailing", "with a byte after the final NUL", error_fields(full) + b"x"),
            ("empty", "with an empty body", b""),
            ("bad-sqlstate", "with SQLSTATE 'abc'", error_fields([("S", sev), ("C", "abc"), ("M", "pgw-diff")])),
            ("len-40000", "of 40000 bytes (a long type)", error_fields(full + [("D", "d" * 39900)])),
        ]
        for v, d, body in variants:
            if t == "E":
                B("%s.%s" % (kind, v), "ErrorResponse %s in answer to a query" % d, "query",
                  ["W", msg("E", body) + ready("I")])
            else:
                B("%s.%s" % (kind, v), "NoticeResponse %s during a query" % d, "query",
                  ["W", msg("N", body) + ROWS])
    B("err.fatal-then-close", "ErrorResponse FATAL in answer to a query, then close", "query",
      ["W", error_response([("S", "FATAL"), ("V", "FATAL"), ("C", "57P01"), ("M", "pgw-diff fatal")]),
       "CLOSE"])
    B("err.mid-rows", "ErrorResponse after a DataRow", "query",
      ["W", T1 + data_row(["1"]) + ERR + ready("E")])
    B("err.no-ready", "ErrorResponse, then CommandComplete and ReadyForQuery", "query",
      ["W", ERR + command_complete("SELECT 0") + ready("I")])
    B("notice.idle", "NoticeResponse while the client is idle, before the answer", "query",
      ["W", ROWS + notice_response([("S", "NOTICE"), ("C", "00000"), ("M", "pgw-diff idle")])])
    # ---- NotificationResponse ------------------------------------------------
    for cid, d, body in [
        ("notify.ok", "NotificationResponse during a query", u32(99) + cstr("chan") + cstr("payload")),
        ("notify.no-payload", "NotificationResponse without the payload string", u32(99) + cstr("chan")),
        ("notify.payload-no-nul", "NotificationResponse whose payload lacks its NUL", u32(99) + cstr("chan") + b"p"),
        ("notify.trailing", "NotificationResponse with a trailing byte", u32(99) + cstr("chan") + cstr("p") + b"x"),
        ("notify.short", "NotificationResponse with a 2-byte body", b"\0\0"),
    ]:
        B(cid, d, "query", ["W", msg("A", body) + ROWS])
    # ---- unknown and out-of-place types --------------------------------------
    for c in [b"Y", b"a", b"b", b"x", b"Q", b"P", b"X", b"0", b"\0", b"\xff", b"e", b"M", b"r"]:
        B("unknown.%02x" % c[0], "unknown backend type 0x%02x in answer to a query" % c[0], "query",
          ["W", msg(c, b"abc") + ROWS])
    for cid, d, m in [
        ("oop.parse-complete", "ParseComplete in answer to a simple query", msg("1")),
        ("oop.bind-complete", "BindComplete in answer to a simple query", msg("2")),
        ("oop.close-complete", "CloseComplete in answer to a simple query", msg("3")),
        ("oop.no-data", "NoData in answer to a simple query", msg("n")),
        ("oop.portal-suspended", "PortalSuspended in answer to a simple query", msg("s")),
        ("oop.param-desc", "ParameterDescription in answer to a simple query", msg("t", i16(0))),
        ("oop.copy-data", "CopyData outside COPY", msg("d", b"x")),
        ("oop.copy-done", "CopyDone outside COPY", msg("c")),
        ("oop.fn-response", "FunctionCallResponse in answer to a simple query", msg("V", i32(1) + b"1")),
        ("oop.npv", "NegotiateProtocolVersion in answer to a query", msg("v", u32(0x30000) + i32(0))),
    ]:
        B(cid, d, "query", ["W", m + ROWS])
    B("oop.copy-in", "CopyInResponse in answer to a select", "query",
      ["W", msg("G", b"\0" + i16(1) + i16(0)), "WC", command_complete("COPY 0") + ready("I")])
    B("oop.copy-out", "CopyOutResponse, CopyData, CopyDone in answer to a select", "query",
      ["W", msg("H", b"\0" + i16(1) + i16(0)) + copy_data(b"1\n") + msg("c") +
       command_complete("COPY 1") + ready("I")])
    B("short-len.3", "a message whose length word is 3", "query", ["W", msg_len("C", b"", 3) + ROWS])
    B("short-len.neg", "a message whose length word is 0xffffffff", "query",
      ["W", msg_len("C", b"", 0xFFFFFFFF) + ROWS])
    for t, nm in [("K", "BackendKeyData"), ("S", "ParameterStatus"), ("C", "CommandComplete"),
                  ("Z", "ReadyForQuery"), ("1", "ParseComplete"), ("n", "NoData"),
                  ("G", "CopyInResponse"), ("t", "ParameterDescription")]:
        B("len-30001.%s" % nm, "%s with a length word of 30001 (a short type)" % nm, "query",
          ["W", msg(t, b"\0" * 29997) + ROWS])
    for t, nm in [("A", "NotificationResponse"), ("V", "FunctionCallResponse"),
                  ("d", "CopyData"), ("T", "RowDescription"), ("E", "ErrorResponse")]:
        B("len-ffffff.%s" % nm, "%s announcing 0x00ffffff bytes (header only, client waits)" % nm,
          "query", ["W", msg_len(t, b"", 0x00FFFFFF)], incomplete=True)
    # ---- extended query ------------------------------------------------------
    B("ext.ok", "ParseComplete, BindComplete, RowDescription, DataRow, CommandComplete", "extended",
      ["WS", EXT_OK])
    B("ext.dr-count", "DataRow with 2 columns after the portal's 1-field RowDescription", "extended",
      ["WS", msg("1") + msg("2") + T1 + data_row(["1", "2"]) + command_complete("SELECT 1") + ready("I")])
    B("ext.no-parse-complete", "BindComplete without ParseComplete", "extended",
      ["WS", msg("2") + T1 + data_row(["1"]) + command_complete("SELECT 1") + ready("I")])
    B("ext.no-data-then-row", "NoData, then a DataRow", "extended",
      ["WS", msg("1") + msg("2") + msg("n") + data_row(["1"]) + command_complete("SELECT 1") + ready("I")])
    B("ext.suspended", "PortalSuspended instead of CommandComplete", "extended",
      ["WS", msg("1") + msg("2") + T1 + data_row(["1"]) + msg("s") + ready("I")])
    B("ext.error-then-sync", "ParseComplete, then ErrorResponse, ReadyForQuery", "extended",
      ["WS", msg("1") + ERR + ready("I")])
    B("ext.parse-complete-body", "ParseComplete with a body", "extended",
      ["WS", msg("1", b"x") + msg("2") + T1 + data_row(["1"]) + command_complete("SELECT 1") + ready("I")])
    B("ext.bind-complete-body", "BindComplete with a body", "extended",
      ["WS", msg("1") + msg("2", b"x") + T1 + data_row(["1"]) + command_complete("SELECT 1") + ready("I")])
    B("ext.no-data-body", "NoData with a body", "extended",
      ["WS", msg("1") + msg("2") + msg("n", b"x") + command_complete("SET") + ready("I")])
    B("ext.param-desc", "ParameterDescription in the answer to PQexecParams", "extended",
      ["WS", msg("1") + msg("t", i16(1) + u32(23)) + msg("2") + T1 + data_row(["1"]) +
       command_complete("SELECT 1") + ready("I")])
    B("ext.param-desc-count", "ParameterDescription announcing 2 types, giving 1", "extended",
      ["WS", msg("1") + msg("t", i16(2) + u32(23)) + msg("2") + T1 + data_row(["1"]) +
       command_complete("SELECT 1") + ready("I")])
    B("ext.param-desc-between-rows", "ParameterDescription between two DataRows of PQexecParams", "extended",
      ["WS", msg("1") + msg("2") + T1 + data_row(["1"]) + msg("t", i16(0)) + data_row(["1"]) +
       command_complete("SELECT 2") + ready("I")])
    B("pd.simple-before-rowdesc", "ParameterDescription before the RowDescription of a simple query", "query",
      ["W", msg("t", i16(0)) + T1 + data_row(["1"]) + command_complete("SELECT 1") + ready("I")])
    B("pd.simple-after-rowdesc", "ParameterDescription between RowDescription and DataRow of a simple query",
      "query", ["W", T1 + msg("t", i16(0)) + data_row(["1"]) + command_complete("SELECT 1") + ready("I")])
    B("ext.rd-no-dr", "RowDescription, CommandComplete without rows", "extended",
      ["WS", msg("1") + msg("2") + T1 + command_complete("SELECT 0") + ready("I")])
    B("ext.ready-missing-then", "CommandComplete, then ReadyForQuery status 'X'", "extended",
      ["WS", EXT_OK[:-6] + msg("Z", b"X")])
    # ---- COPY out / in ---------------------------------------------------------
    def hresp(t, overall, fmts, count=None):
        return msg(t, bytes([overall]) + i16(len(fmts) if count is None else count) +
                   b"".join(i16(f) for f in fmts))
    cdone = msg("c") + command_complete("COPY 1") + ready("I")
    B("copyout.ok", "CopyOutResponse, CopyData, CopyDone", "copyout",
      ["W", hresp("H", 0, [0]) + copy_data(b"1\n") + cdone])
    for cid, d, h in [
        ("copyout.overall2", "CopyOutResponse with overall format 2", hresp("H", 2, [0])),
        ("copyout.colfmt2", "CopyOutResponse with column format 2", hresp("H", 0, [2])),
        ("copyout.text-binary-col", "CopyOutResponse text overall with a binary column", hresp("H", 0, [1])),
        ("copyout.count-high", "CopyOutResponse announcing 2 columns, giving 1", hresp("H", 0, [0], 2)),
        ("copyout.count-neg", "CopyOutResponse with column count -1", hresp("H", 0, [], -1)),
        ("copyout.trailing", "CopyOutResponse with a trailing byte", msg("H", b"\0" + i16(1) + i16(0) + b"x")),
        ("copyout.empty", "CopyOutResponse with an empty body", msg("H")),
    ]:
        B(cid, d, "copyout", ["W", h + copy_data(b"1\n") + cdone])
    B("copyout.done-body", "CopyDone with a body", "copyout",
      ["W", hresp("H", 0, [0]) + copy_data(b"1\n") + msg("c", b"x") + command_complete("COPY 1") + ready("I")])
    B("copyout.no-done", "CopyData, then CommandComplete without CopyDone", "copyout",
      ["W", hresp("H", 0, [0]) + copy_data(b"1\n") + command_complete("COPY 1") + ready("I")])
    B("copyout.error", "CopyData, then ErrorResponse", "copyout",
      ["W", hresp("H", 0, [0]) + copy_data(b"1\n") + ERR + ready("I")])
    B("copyout.datarow", "a DataRow inside COPY OUT", "copyout",
      ["W", hresp("H", 0, [0]) + data_row(["1"]) + cdone])
    B("copyout.big", "CopyData of 100000 bytes", "copyout",
      ["W", hresp("H", 0, [0]) + copy_data(b"1" * 99999 + b"\n") + cdone])
    gdone = command_complete("COPY 1") + ready("I")
    B("copyin.ok", "CopyInResponse; the client sends a row and CopyDone", "copyin",
      ["W", hresp("G", 0, [0]), "WC", gdone])
    for cid, d, h in [
        ("copyin.overall2", "CopyInResponse with overall format 2", hresp("G", 2, [0])),
        ("copyin.colfmt2", "CopyInResponse with column format 2", hresp("G", 0, [2])),
        ("copyin.count-high", "CopyInResponse announcing 2 columns, giving 1", hresp("G", 0, [0], 2)),
        ("copyin.trailing", "CopyInResponse with a trailing byte", msg("G", b"\0" + i16(1) + i16(0) + b"x")),
        ("copyin.empty", "CopyInResponse with an empty body", msg("G")),
    ]:
        B(cid, d, "copyin", ["W", h, "WC", gdone])
    B("copyin.both", "CopyBothResponse in answer to COPY FROM STDIN", "copyin",
      ["W", hresp("W", 0, [0]), "WC", gdone])
    B("copyin.error-early", "ErrorResponse while the client is sending COPY data", "copyin",
      ["W", hresp("G", 0, [0]) + ERR + ready("I"), "WC"])
    # ---- FunctionCallResponse ------------------------------------------------
    for cid, d, body in [
        ("fn.ok", "FunctionCallResponse with a 4-byte int", i32(4) + i32(5)),
        ("fn.null", "FunctionCallResponse NULL", i32(-1)),
        ("fn.len-2", "FunctionCallResponse with length -2", i32(-2)),
        ("fn.len-over", "FunctionCallResponse whose length runs past the message", i32(8) + i32(5)),
        ("fn.trailing", "FunctionCallResponse with a trailing byte", i32(4) + i32(5) + b"x"),
        ("fn.empty", "FunctionCallResponse with an empty body", b""),
        ("fn.short-int", "FunctionCallResponse with a 2-byte value for an int result", i32(2) + b"\0\5"),
    ]:
        B(cid, d, "fn", ["W", msg("V", body) + ready("I")],
          wire=TYPE_STATE if cid == "fn.short-int" else True)
    B("fn.no-response", "ReadyForQuery without a FunctionCallResponse", "fn", ["W", ready("I")])
    B("fn.error", "ErrorResponse in answer to a FunctionCall", "fn", ["W", ERR + ready("I")])


def all_cases():
    if not CASES:
        gen_startup()
        gen_lengths()
        gen_fields()
        gen_unknown()
        gen_auth()
        gen_backend()
    return CASES


def case_json(c):
    d = dict(c)
    if "send" in d:
        d["send"] = [b.hex() for b in d["send"]]
    if "script" in d:
        d["script"] = [s if isinstance(s, str) else s.hex() for s in d["script"]]
    return d


def main(argv):
    cases = all_cases()
    cmd = argv[1] if len(argv) > 1 else "count"
    if cmd == "count":
        nf = sum(1 for c in cases if c["side"] == "F")
        print("frontend %d, backend %d" % (nf, len(cases) - nf))
    elif cmd == "list":
        for c in cases:
            print("%s\t%s\t%s\t%s\t%s" % (c["id"], c["side"], c["setup"],
                                          "wire" if c["wire"] is True else "state", c["desc"]))
    elif cmd == "json":
        for c in cases:
            print(json.dumps(case_json(c), sort_keys=True))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
