#!/usr/bin/env python3
"""Frontend runner of the differential suite: sends every frontend case of
gen.py to a real PostgreSQL server (after the setup the case needs), records
the connection as a session file and the server's verdict with its evidence.

usage: fe_runner.py --host H --port P --log SERVER_LOG --server-version 15.18
                    --target pg15 [--only SUBSTRING] [--out DIR]

Every wait has a deadline. Loopback only. Writes
  DIR/recordings/<target>/<case-id>.pgs
  DIR/verdicts/<target>.jsonl   (one JSON object per case)
"""
import argparse
import concurrent.futures
import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402
from common import (HERE, Deadline, Recorded, connect, error_fields,  # noqa: E402
                    parse_typed, read_verdicts, write_pgs, write_verdicts)
from wire import (CANCEL_CODE, GSS_CODE, SSL_CODE, bind, copy_done, parse,  # noqa: E402
                  query, startup, sync, u32)

READ_DEADLINE = 2.0      # after the case's last chunk
STEP_DEADLINE = 1.0      # between the case's chunks
SETUP_DEADLINE = 5.0

# SQLSTATEs that mean "the message was refused" (not a semantic error).
PROTOCOL_STATES = {"08P01", "22P03", "08000", "08004", "08006"}
# Server log lines (COMMERROR: logged, nothing sent) that mean a refusal.
LOG_REFUSALS = re.compile(
    r"invalid length of startup packet|invalid length of cancel|invalid message length|"
    r"invalid frontend message type|unsupported frontend protocol|invalid startup packet|"
    r"expected password response|invalid password packet|insufficient data left|"
    r"invalid string in message|invalid message format|unexpected message type|"
    r"received unencrypted data|malformed|no data left in message|"
    r"invalid cancel|cancel key")


class Session:
    """One recorded client connection plus a loose parser of what came back."""

    def __init__(self, host, port):
        self.c = Recorded(connect(host, port), "F")
        self.pos = 0          # parse position in c.rx
        self.singles = 0      # pending one-byte SSL/GSS answers
        self.msgs = []        # (type, body, offset)
        self.startup_done = False

    def send(self, data):
        # Count SSL/GSS requests sent while the stream is startup-framed.
        if not self.startup_done:
            p = 0
            while p + 8 <= len(data):
                n = struct.unpack(">I", data[p:p + 4])[0]
                code = struct.unpack(">I", data[p + 4:p + 8])[0]
                if code in (SSL_CODE, GSS_CODE):
                    self.singles += 1
                elif code == CANCEL_CODE:
                    pass
                else:
                    self.startup_done = True
                    break
                if n < 8:
                    break
                p += n
        return self.c.send(data)

    def pump(self, timeout):
        data = self.c.recv_some(timeout)
        if data:
            new, self.pos, self.singles = parse_typed(self.c.rx, self.pos, self.singles)
            self.msgs.extend(new)
        return data

    def wait_for(self, pred, seconds):
        """Read until pred(msg) holds for a new message, EOF or the deadline.
        Returns the message or None."""
        seen = len(self.msgs)
        d = Deadline(seconds)
        while True:
            for m in self.msgs[seen:]:
                if pred(m):
                    return m
            seen = len(self.msgs)
            if self.c.closed or d.expired():
                return None
            self.pump(min(d.left(), 0.5))

    def quiet(self, seconds, idle=0.05):
        """Read until the peer is quiet for IDLE seconds (at most SECONDS)."""
        d = Deadline(seconds)
        while not d.expired() and not self.c.closed:
            if not self.pump(min(idle, d.left())):
                break


def is_t(t):
    return lambda m: m[0] == t


def do_startup(s, user="pgw_trust", minor=0):
    s.send(startup([("user", user), ("database", "pgw"),
                    ("application_name", "pgw-diff")], 3, minor))


def ready_setup(s, minor=0):
    do_startup(s, minor=minor)
    if s.wait_for(is_t("Z"), SETUP_DEADLINE) is None:
        raise RuntimeError("setup: no ReadyForQuery after startup")


def run_sync(s, data):
    s.send(data)
    if s.wait_for(is_t("Z"), SETUP_DEADLINE) is None:
        raise RuntimeError("setup: no ReadyForQuery")


def setup(s, name):
    if name == "raw":
        return
    if name in ("auth_clear", "auth_md5", "auth_scram"):
        do_startup(s, user={"auth_clear": "pgw_clear", "auth_md5": "pgw_md5",
                            "auth_scram": "pgw_scram"}[name])
        if s.wait_for(is_t("R"), SETUP_DEADLINE) is None:
            raise RuntimeError("setup: no authentication request")
        return
    ready_setup(s, 2 if name == "ready32" else 0)
    if name == "prepared":
        run_sync(s, parse("s1", "select $1::int4", [23]) + sync())
    elif name == "portal":
        run_sync(s, query("begin"))
        run_sync(s, parse("s1", "select $1::int4", [23]) + bind("p1", "s1", ["1"]) + sync())
    elif name == "failed":
        s.send(parse("", "selec 1"))
        if s.wait_for(is_t("E"), SETUP_DEADLINE) is None:
            raise RuntimeError("setup: the bad Parse got no ErrorResponse")
    elif name == "copyin":
        run_sync(s, query("create temp table t(a int, b text)"))
        s.send(query("copy t from stdin"))
        if s.wait_for(is_t("G"), SETUP_DEADLINE) is None:
            raise RuntimeError("setup: no CopyInResponse")


def substitute_cancel(data, pid, key):
    """Replace the generator's placeholder pid/key with the live ones."""
    if len(data) < 12:
        return data
    n = struct.unpack(">I", data[:4])[0]
    code = struct.unpack(">I", data[4:8])[0]
    if code != CANCEL_CODE or len(data) < 12:
        return data
    head, rest = data[:8], data[8:]
    p = struct.unpack(">I", rest[:4])[0]
    if p == gen.PID_PH:
        rest = u32(pid) + rest[4:]
    body_end = min(len(rest), max(4, n - 8))
    region = rest[4:body_end]
    for ph in (gen.KEY4_PH, gen.KEY32_PH):
        if region and region == (ph * 300)[:len(region)]:
            region = (key * 300)[:len(region)]
            break
    return head + rest[:4] + region + rest[body_end:]


def log_slice(logpath, start):
    try:
        with open(logpath, "rb") as f:
            f.seek(start)
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def log_size(logpath):
    try:
        return os.path.getsize(logpath)
    except OSError:
        return 0


def backend_lines(text, local_port, pid=None):
    """The log lines of the backend that served our connection (found by its
    'connection received' line naming our port, or by its pid)."""
    pids = set()
    if pid:
        pids.add(str(pid))
    for m in re.finditer(r"\[(\d+)\] LOG:  connection received: host=127\.0\.0\.1 port=(\d+)", text):
        if int(m.group(2)) == local_port:
            pids.add(m.group(1))
    out = []
    for line in text.splitlines():
        m = re.match(r"\S+ \S+ \S+ \[(\d+)\]", line)
        if m and m.group(1) in pids and "connection received" not in line \
                and "connection authorized" not in line and "connection authenticated" not in line:
            out.append(line.split("] ", 1)[-1])
    return out


def run_case(case, args):
    log0 = log_size(args.log)
    target = None
    key_pid = None
    if case["setup"] in ("cancel", "cancel32"):
        target = Session(args.host, args.port)
        ready_setup(target, 2 if case["setup"] == "cancel32" else 0)
        k = [m for m in target.msgs if m[0] == "K"][0]
        key_pid = struct.unpack(">I", k[1][:4])[0]
        live_key = k[1][4:]
        target.send(query("select pg_sleep(3)"))
        time.sleep(0.2)
    s = Session(args.host, args.port)
    local_port = s.c.sock.getsockname()[1]
    setup(s, "raw" if target else case["setup"])
    case_f = len(s.c.tx)
    case_b = len(s.c.rx)
    case_msg = len(s.msgs)
    chunks = case["send"]
    switched = False
    for i, data in enumerate(chunks):
        if target:
            data = substitute_cancel(data, key_pid, live_key)
        if not s.send(data):
            break
        if i + 1 < len(chunks):
            s.pump(STEP_DEADLINE)
            s.quiet(STEP_DEADLINE)
            if any(m[0] == "answer" and m[1] in (b"S", b"G") for m in s.msgs[case_msg:]):
                switched = True    # the rest would be encrypted: stop here
                break
    auth = case["setup"].startswith("auth")

    def done(m):
        return m[0] == "Z" or (auth and m[0] == "R" and m[1][:4] != b"\0\0\0\0")
    end = None if switched else s.wait_for(done, READ_DEADLINE)
    if end is not None:
        s.quiet(0.2)
    timed_out = end is None and not s.c.closed and not switched
    closed = s.c.closed
    s.c.close()
    canceled = None
    if target:
        m = target.wait_for(is_t("Z"), 4.0)
        errs = [error_fields(b) for t, b, _ in target.msgs if t == "E"]
        canceled = any(e.get("C") == "57014" for e in errs)
        target.c.close()
    time.sleep(0.1)
    lines = backend_lines(log_slice(args.log, log0), local_port, None)
    # --- the verdict --------------------------------------------------------
    after = s.msgs[case_msg:]
    errors = [error_fields(b) for t, b, _ in after if t == "E"]
    evidence = []
    verdict = "accepted"
    for e in errors:
        evidence.append("%s %s: %s" % (e.get("V", e.get("S", "?")), e.get("C", "?"), e.get("M", "")))
        code, text = e.get("C", ""), e.get("M", "")
        if code in PROTOCOL_STATES or \
                (code == "0A000" and "protocol" in text) or \
                (code == "22023" and "format code" in text) or \
                (code == "28000" and "no PostgreSQL user name" in text):
            verdict = "rejected"
    refusal_logs = [ln for ln in lines if LOG_REFUSALS.search(ln) and
                    "could not receive data" not in ln]
    for ln in lines:
        if ln not in [x for x in evidence]:
            pass
    if closed and not errors:
        if refusal_logs:
            verdict = "rejected"
            evidence.append("connection closed; server log: " + refusal_logs[0])
        else:
            evidence.append("connection closed" + ("; server log: " + lines[0] if lines else ""))
    elif refusal_logs and verdict == "accepted" and not errors:
        verdict = "rejected"
        evidence.append("server log: " + refusal_logs[0])
    if timed_out and verdict == "accepted":
        if case.get("incomplete"):
            verdict = "incomplete"
            evidence.append("server still waiting after %.1f s" % READ_DEADLINE)
        else:
            evidence.append("no ReadyForQuery within %.1f s (server waiting)" % READ_DEADLINE)
            verdict = "incomplete"
    if switched:
        evidence.append("server accepted encryption (%s); the rest of the case was not sent"
                        % [m[1] for m in s.msgs[case_msg:] if m[0] == "answer"][-1].decode())
    if target is not None:
        evidence.append("target query %s" % ("canceled (57014)" if canceled else "not canceled"))
    if not evidence:
        evidence.append("ReadyForQuery" if end is not None and end[0] == "Z" else "answered")
    meta = [("server", "PostgreSQL %s" % args.server_version),
            ("client", "pgw-diff fe_runner"),
            ("case", case["id"]),
            ("note", case["desc"]),
            ("case_start", "F %d B %d" % (case_f, case_b)),
            ("verdict", verdict)]
    path = os.path.join(args.out, "recordings", args.target, case["id"] + ".pgs")
    write_pgs(path, s.c.chunks, meta)
    row = {"id": case["id"], "target": args.target, "server": "PostgreSQL " + args.server_version,
           "verdict": verdict, "evidence": evidence,
           "wire": case["wire"] is True, "log": lines[:6]}
    if case["wire"] is not True:
        row["state"] = case["wire"]
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--server-version", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--only", default=None)
    ap.add_argument("--ids", default=None,
                    help="a file of case ids, one per line: run only those")
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("fe_runner: loopback only")
    os.makedirs(os.path.join(args.out, "recordings", args.target), exist_ok=True)
    os.makedirs(os.path.join(args.out, "verdicts"), exist_ok=True)
    vpath = os.path.join(args.out, "verdicts", args.target + ".jsonl")
    part = args.only or args.ids
    rows = read_verdicts(vpath) if part and os.path.exists(vpath) else {}
    cases = [c for c in gen.all_cases() if c["side"] == "F"]
    if args.only:
        cases = [c for c in cases if args.only in c["id"]]
    if args.ids:
        wanted = set(open(args.ids).read().split())
        cases = [c for c in cases if c["id"] in wanted]
    t0 = time.monotonic()

    def one(c):
        try:
            return run_case(c, args)
        except (RuntimeError, OSError) as e:
            return {"id": c["id"], "target": args.target, "verdict": "error",
                    "evidence": ["runner: %s" % e], "wire": c["wire"] is True}

    # Cases are independent connections (evidence is found by the backend's
    # pid), so most run a few at a time: they mostly wait on deadlines. The
    # cancel cases run alone, so that a wrong pid can hit no other backend.
    alone = [c for c in cases if c["setup"] in ("cancel", "cancel32") or
             c["id"].startswith(("fe.cancel", "fe.ready.CancelRequest"))]
    together = [c for c in cases if c not in alone]
    jobs = max(1, int(os.environ.get("PGW_DIFF_JOBS", "4")))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        results = dict(zip([c["id"] for c in together], ex.map(one, together)))
    for c in alone:
        results[c["id"]] = one(c)
    for c in cases:
        r = rows[c["id"]] = results[c["id"]]
        print("%-50s %-10s %s" % (c["id"], r["verdict"], "; ".join(r["evidence"])[:150]),
              flush=True)
    write_verdicts(vpath, list(rows.values()))
    print("fe_runner: %d cases against PostgreSQL %s in %.0f s" %
          (len(cases), args.server_version, time.monotonic() - t0))


if __name__ == "__main__":
    main()
