#!/usr/bin/env python3
"""Backend runner of the differential suite: a fake server (this script)
answers a real libpq client's StartupMessage and then serves each backend
case of gen.py; the client (libpq_client.c, real libpq of the version
given) prints what libpq made of it. The connection is recorded as a
session file and libpq's verdict is stored with its evidence.

usage: be_runner.py --client PATH --target libpq15|libpq18 [--libdir DIR]
                    [--only SUBSTRING] [--out DIR]

--libdir sets LD_LIBRARY_PATH for the client (libpq 18). Loopback only;
every wait has a deadline; the client process is ended by its own handle
when it overruns.
"""
import argparse
import os
import re
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402
from common import (HERE, Deadline, Recorded, read_verdicts, write_pgs,  # noqa: E402
                    write_verdicts)

CLIENT_DEADLINE = 8.0    # the whole client run
WAIT_DEADLINE = 3.0      # each wait for a client message
END_DEADLINE = 3.0       # after the script: wait for Terminate / close

LIBPQ_ERROR = re.compile(
    r"unexpected|invalid|insufficient data|lost synchronization|do not agree|not supported|"
    r"without prior row description|server closed the connection|no connection|out of memory|"
    r"protocol|could not|received|mismatch|missing|extraneous|cannot|message type 0x|"
    r"does not support|too long|unsupported|malformed|failed|SCRAM|password|authentication|"
    r"field count|larger than|duplicate|not allowed|unrecognized|server sent", re.I)


class FakeServer:
    def __init__(self, conn):
        self.c = Recorded(conn, "B")
        self.pos = 0
        self.startup_seen = False
        self.msgs = []      # (type, body) from the client, typed after the startup packet
        self.terminated = False
        self.cursor = 0     # next message wait() looks at

    def _parse(self):
        buf = self.c.rx
        while True:
            if not self.startup_seen:
                if len(buf) - self.pos < 4:
                    return
                n = struct.unpack(">I", bytes(buf[self.pos:self.pos + 4]))[0]
                if n < 8 or n > 100000 or len(buf) - self.pos < n:
                    return
                code = struct.unpack(">I", bytes(buf[self.pos + 4:self.pos + 8]))[0]
                self.msgs.append(("startup", bytes(buf[self.pos:self.pos + n])))
                self.pos += n
                if code not in (80877103, 80877104, 80877102):
                    self.startup_seen = True
                continue
            if len(buf) - self.pos < 5:
                return
            n = struct.unpack(">I", bytes(buf[self.pos + 1:self.pos + 5]))[0]
            if n < 4 or len(buf) - self.pos < 1 + n:
                return
            t = chr(buf[self.pos])
            self.msgs.append((t, bytes(buf[self.pos + 5:self.pos + 1 + n])))
            if t == "X":
                self.terminated = True
            self.pos += 1 + n

    def wait(self, pred, seconds):
        """Consume client messages until one satisfies pred (or EOF/deadline)."""
        d = Deadline(seconds)
        while True:
            while self.cursor < len(self.msgs):
                m = self.msgs[self.cursor]
                self.cursor += 1
                if pred(m):
                    return m
            if self.c.closed or d.expired():
                return None
            self.c.recv_some(min(0.5, d.left()))
            self._parse()

    def wait_end(self, seconds):
        """Wait for the client to close. Returns True if it closed (or sent
        Terminate), False if it was still there at the deadline."""
        d = Deadline(seconds)
        while not self.c.closed and not d.expired():
            self.c.recv_some(min(0.5, d.left()))
            self._parse()
        return self.c.closed


FAKE_TEXT = re.compile(r"(ERROR|FATAL|NOTICE|WARNING|LOG)?:?\s*pgw-diff \w+|DETAIL:\s*d+|d{20,}|"
                       r"^connection to server at \"[^\"]*\", port \d+ failed:\s*")


def libpq_part(text):
    """An error text without what the fake server itself said (its messages
    all hold "pgw-diff") and without libpq's "connection to ... failed:"
    prefix: what remains is libpq's own complaint, if any."""
    return FAKE_TEXT.sub(" ", text).strip()


def parse_client(out):
    lines = []
    for line in out.splitlines():
        k, _, v = line.partition(" ")
        lines.append((k, v.replace("\\n", " ").strip()))
    return lines


def run_case(case, args, env):
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    port = lst.getsockname()[1]
    conninfo = ("host=127.0.0.1 port=%d user=pgw dbname=pgw password=pw sslmode=disable "
                "gssencmode=disable connect_timeout=5 application_name=pgw-diff" % port)
    if case.get("conninfo"):
        conninfo += " " + case["conninfo"]
    mode = case.get("then") or ("connect" if case["setup"] == "startup" else case["setup"])
    proc = subprocess.Popen([args.client, conninfo, mode], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env)
    lst.settimeout(5.0)
    srv = None
    server_closed_first = False
    note = []
    try:
        conn, _ = lst.accept()
        conn.settimeout(None)
        srv = FakeServer(conn)
        if srv.wait(lambda m: m[0] == "startup" and srv.startup_seen, WAIT_DEADLINE) is None:
            note.append("no StartupMessage")
        if case["setup"] != "startup":
            srv.c.send(gen.STARTUP_OK)
        for step in case["script"]:
            if srv.c.closed:
                break
            if step == "W":
                if srv.wait(lambda m: True, WAIT_DEADLINE) is None:
                    note.append("client sent nothing (waited %.0f s)" % WAIT_DEADLINE)
            elif step == "WS":
                if srv.wait(lambda m: m[0] == "S", WAIT_DEADLINE) is None:
                    note.append("client sent no Sync")
            elif step == "WC":
                if srv.wait(lambda m: m[0] in "cf", WAIT_DEADLINE) is None:
                    note.append("client sent no CopyDone/CopyFail")
            elif step == "CLOSE":
                srv.c.close()
                server_closed_first = True
                break
            else:
                srv.c.send(step)
        if not server_closed_first:
            if not srv.wait_end(END_DEADLINE):
                server_closed_first = True
                note.append("client still connected after %.0f s" % END_DEADLINE)
            srv.c.close()
    except socket.timeout:
        note.append("client did not connect")
    finally:
        lst.close()
    try:
        out, _ = proc.communicate(timeout=CLIENT_DEADLINE)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate(timeout=5)
        note.append("client overran %.0f s" % CLIENT_DEADLINE)
    out = out.decode("utf-8", "replace")
    lines = parse_client(out)
    # --- the verdict --------------------------------------------------------
    ver = [v for k, v in lines if k == "libpq"]
    libver = int(ver[0]) if ver else 0
    libpq = "%d.%d" % (libver // 10000, libver % 10000) if libver else "?"
    errs = [v for k, v in lines if k in ("error", "result-error") and v]
    closes = case["script"] and case["script"][-1] == "CLOSE"
    own = [e for e in errs if LIBPQ_ERROR.search(libpq_part(e)) and
           not (closes and "server closed the connection" in e)]
    final_bad = any(k == "final" and v == "BAD" for k, v in lines) or \
        any(k == "connect" and v == "BAD" for k, v in lines)
    terminated = srv is not None and srv.terminated
    # The script sent an ErrorResponse: libpq reporting a failure is its
    # normal reaction, whatever text it made of the fields.
    sent_error = any(isinstance(s, bytes) and s[:1] == b"E" for s in case["script"])
    evidence = []
    if case.get("incomplete") and server_closed_first:
        verdict = "incomplete"
        evidence.append("libpq still waiting for the rest of the message")
    elif own:
        verdict = "rejected"
        evidence.append("libpq: " + own[0])
    elif final_bad and not terminated and not any("pgw-diff" in e for e in errs) \
            and not server_closed_first and not sent_error:
        verdict = "rejected"
        evidence.append("libpq dropped the connection" + (": " + errs[0] if errs else ""))
    elif server_closed_first and not case.get("script", [None])[-1] == "CLOSE":
        verdict = "incomplete"
        evidence.append("libpq waited for more (the fake server closed after %.0f s)" % END_DEADLINE)
    else:
        verdict = "accepted"
        res = [v for k, v in lines if k == "result"]
        evidence.append("libpq: " + (", ".join(res) if res else
                                     ("connected" if not final_bad else "connection ended")))
        if errs:
            evidence.append("server error reported: " + errs[0][:120])
    for k, v in lines:
        if k == "notice" and "pgw-diff" not in v:
            evidence.append("notice: " + v[:160])
    evidence += note
    chunks = srv.c.chunks if srv else []
    meta = [("server", "pgw-diff fake server (offers protocol 3.2)"),
            ("client", "libpq %s" % libpq),
            ("case", case["id"]),
            ("note", case["desc"]),
            ("verdict", verdict)]
    path = os.path.join(args.out, "recordings", args.target, case["id"] + ".pgs")
    write_pgs(path, chunks, meta)
    row = {"id": case["id"], "target": args.target, "client": "libpq " + libpq,
           "verdict": verdict, "evidence": evidence, "wire": case["wire"] is True,
           "client_output": [("%s %s" % kv)[:200] for kv in lines]}
    if case["wire"] is not True:
        row["state"] = case["wire"]
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--libdir", default="")
    ap.add_argument("--only", default=None)
    ap.add_argument("--ids", default=None,
                    help="a file of case ids, one per line: run only those")
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args()
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    env.pop("PGSERVICE", None)
    if args.libdir:
        env["LD_LIBRARY_PATH"] = args.libdir
    else:
        env.pop("LD_LIBRARY_PATH", None)
    os.makedirs(os.path.join(args.out, "recordings", args.target), exist_ok=True)
    os.makedirs(os.path.join(args.out, "verdicts"), exist_ok=True)
    vpath = os.path.join(args.out, "verdicts", args.target + ".jsonl")
    part = args.only or args.ids
    rows = read_verdicts(vpath) if part and os.path.exists(vpath) else {}
    cases = [c for c in gen.all_cases() if c["side"] == "B" and
             args.target in c.get("targets", [args.target])]
    if args.only:
        cases = [c for c in cases if args.only in c["id"]]
    if args.ids:
        wanted = set(open(args.ids).read().split())
        cases = [c for c in cases if c["id"] in wanted]
    t0 = time.monotonic()
    for c in cases:
        try:
            rows[c["id"]] = run_case(c, args, env)
        except OSError as e:
            rows[c["id"]] = {"id": c["id"], "target": args.target, "verdict": "error",
                             "evidence": ["runner: %s" % e], "wire": c["wire"] is True}
        r = rows[c["id"]]
        print("%-45s %-10s %s" % (c["id"], r["verdict"], "; ".join(r["evidence"])[:150]),
              flush=True)
    write_verdicts(vpath, list(rows.values()))
    print("be_runner: %d cases against %s in %.0f s" % (len(cases), args.target,
                                                         time.monotonic() - t0))


if __name__ == "__main__":
    main()
