#!/usr/bin/env python3
"""Write the differential suite's cases into the fuzz corpus (issue 12,
item 5), in each harness's input layout (documented at the top of its
source in fuzz/):

  decoder_frontend  the frontend stream of each frontend case's recording
                    (startup, setup and the case's bytes), strict
  decoder_backend   the backend stream of each backend case's recording, strict
  conn              each recording as records in wire order: frontend cases
                    with the backend role (the case's bytes are received),
                    backend cases with the frontend role; strict
  message           each typed message of a case's bytes, by kind
  session           the recordings themselves, when under 4 KiB

Files are named diff-<case-id>[-<n>] so that they can be told apart from
the SHA-1-named seeds of scripts/fuzz-corpus. The recordings of PostgreSQL
18 and libpq 18 are used (the newest reference).

usage: conformance/diff/corpus.py [REPO]
"""
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402
from common import read_pgs  # noqa: E402
from wire import split_frontend  # noqa: E402

REPO = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(HERE))
MAX_SEED = 24 * 1024

hdr = open(os.path.join(REPO, "lib/include/pgw/message.h")).read()
enum = re.search(r"typedef enum pgw_kind \{(.*?)\} pgw_kind;", hdr, re.S).group(1)
enum = re.sub(r"/\*.*?\*/", "", enum, flags=re.S)
names = [n.strip().split("=")[0].strip() for n in enum.split(",")]
names = [n for n in names if n]
KIND = {n[len("PGW_MSG_"):]: i for i, n in enumerate(names)}
KIND_COUNT = KIND["KIND_COUNT"]
FRONT = {"B": "BIND", "C": "CLOSE", "d": "COPY_DATA", "c": "COPY_DONE", "f": "COPY_FAIL",
         "D": "DESCRIBE", "E": "EXECUTE", "H": "FLUSH", "F": "FUNCTION_CALL",
         "p": "PASSWORD_MESSAGE", "P": "PARSE", "Q": "QUERY", "S": "SYNC", "X": "TERMINATE"}
BACK = {"R": "AUTHENTICATION", "K": "BACKEND_KEY_DATA", "2": "BIND_COMPLETE",
        "3": "CLOSE_COMPLETE", "C": "COMMAND_COMPLETE", "d": "COPY_DATA", "c": "COPY_DONE",
        "G": "COPY_IN_RESPONSE", "H": "COPY_OUT_RESPONSE", "W": "COPY_BOTH_RESPONSE",
        "D": "DATA_ROW", "I": "EMPTY_QUERY_RESPONSE", "E": "ERROR_RESPONSE",
        "V": "FUNCTION_CALL_RESPONSE", "v": "NEGOTIATE_PROTOCOL_VERSION", "n": "NO_DATA",
        "N": "NOTICE_RESPONSE", "A": "NOTIFICATION_RESPONSE", "t": "PARAMETER_DESCRIPTION",
        "S": "PARAMETER_STATUS", "1": "PARSE_COMPLETE", "s": "PORTAL_SUSPENDED",
        "Z": "READY_FOR_QUERY", "T": "ROW_DESCRIPTION"}

written = {}
seen = {}


def put(harness, name, data):
    """Write one seed (at most MAX_SEED bytes; identical seeds once)."""
    if len(data) > MAX_SEED or data in seen.setdefault(harness, set()):
        return
    seen[harness].add(data)
    d = os.path.join(REPO, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    written[harness] = written.get(harness, 0) + 1


def conn_records(chunks):
    recs = bytearray()
    for side, data in chunks:
        for i in range(0, len(data), 255):
            piece = data[i:i + 255]
            recs += bytes([0 if side == "F" else 1, len(piece)]) + piece
    return bytes(recs)


def typed_frames(data):
    out = []
    pos = 0
    while pos + 5 <= len(data):
        n = struct.unpack(">I", data[pos + 1:pos + 5])[0]
        if n < 4 or pos + 1 + n > len(data):
            break
        out.append((chr(data[pos]), data[pos + 5:pos + 1 + n]))
        pos += 1 + n
    return out


def main():
    # Remove what an earlier run wrote (cases may have been renamed).
    for h in ("decoder_frontend", "decoder_backend", "conn", "message", "session"):
        d = os.path.join(REPO, "corpus", h)
        if os.path.isdir(d):
            for f in os.listdir(d):
                if f.startswith("diff-"):
                    os.remove(os.path.join(d, f))
    for c in gen.all_cases():
        fe = c["side"] == "F"
        target = "pg18" if fe else "libpq18"
        path = os.path.join(HERE, "recordings", target, c["id"] + ".pgs")
        if not os.path.exists(path):
            continue
        chunks, meta = read_pgs(path)
        proto = 2 if (c["setup"] in ("ready32", "cancel32") or
                      "max_protocol_version=3.2" in c.get("conninfo", "")) else 1
        name = "diff-" + c["id"]
        if fe:
            stream = b"".join(d for s, d in chunks if s == "F")
            hint = 1 if c["setup"] == "auth_scram" else 0
            put("decoder_frontend", name, bytes([proto << 1 | hint << 3, 0]) + stream)
            put("conn", name, bytes([2]) + conn_records(chunks))      # backend role
            n = 0
            for data in c["send"]:
                frames, _ = split_frontend(data, c["setup"] in ("raw", "cancel", "cancel32"))
                for t, raw in frames:
                    if t in FRONT:
                        kind = FRONT[t]
                        if t == "p" and c["setup"] == "auth_scram":
                            kind = "SASL_INITIAL_RESPONSE"
                        n += 1
                        put("message", "%s-%d" % (name, n),
                            bytes([KIND[kind] + KIND_COUNT * proto]) + raw[5:])
        else:
            stream = b"".join(d for s, d in chunks if s == "B")
            put("decoder_backend", name, bytes([proto << 1, 0]) + stream)
            put("conn", name, bytes([0]) + conn_records(chunks))      # frontend role
            n = 0
            for step in c["script"]:
                if isinstance(step, bytes):
                    for t, body in typed_frames(step):
                        if t in BACK:
                            n += 1
                            put("message", "%s-%d" % (name, n),
                                bytes([KIND[BACK[t]] + KIND_COUNT * proto]) + body)
        if os.path.getsize(path) < 4096:
            put("session", name, open(path, "rb").read())
    for h in sorted(written):
        print("corpus/%s: %d diff-* seeds" % (h, written[h]))


if __name__ == "__main__":
    main()
