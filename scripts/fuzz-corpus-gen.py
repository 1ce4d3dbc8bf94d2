#!/usr/bin/env python3
"""Cut fuzz seeds from real traffic (helper of scripts/fuzz-corpus).

Sources: the recorded sessions conformance/sessions/**/*.pgs and the unit
tests' byte fixtures (lib/tests/fixtures_*.h and the hex constants of
lib/tests/test_*.c). Writes raw seeds, one file per input named by its
SHA-1, into OUTDIR/<harness>/ for every harness, in the input layout that
harness documents at the top of its source in fuzz/.

usage: fuzz-corpus-gen.py REPO OUTDIR
"""
import glob
import hashlib
import os
import re
import struct
import sys

REPO, OUT = sys.argv[1], sys.argv[2]

# ---- pgw_kind numbering, read from the public header ---------------------
hdr = open(os.path.join(REPO, "lib/include/pgw/message.h")).read()
enum = re.search(r"typedef enum pgw_kind \{(.*?)\} pgw_kind;", hdr, re.S).group(1)
enum = re.sub(r"/\*.*?\*/", "", enum, flags=re.S)
names = [n.strip().split("=")[0].strip() for n in enum.split(",")]
names = [n for n in names if n]
KIND = {n[len("PGW_MSG_"):]: i for i, n in enumerate(names)}
KIND_COUNT = KIND["KIND_COUNT"]

FRONT = {"B": "BIND", "C": "CLOSE", "d": "COPY_DATA", "c": "COPY_DONE",
         "f": "COPY_FAIL", "D": "DESCRIBE", "E": "EXECUTE", "H": "FLUSH",
         "F": "FUNCTION_CALL", "p": "PASSWORD_MESSAGE", "P": "PARSE",
         "Q": "QUERY", "S": "SYNC", "X": "TERMINATE"}
BACK = {"R": "AUTHENTICATION", "K": "BACKEND_KEY_DATA", "2": "BIND_COMPLETE",
        "3": "CLOSE_COMPLETE", "C": "COMMAND_COMPLETE", "d": "COPY_DATA",
        "c": "COPY_DONE", "G": "COPY_IN_RESPONSE", "H": "COPY_OUT_RESPONSE",
        "W": "COPY_BOTH_RESPONSE", "D": "DATA_ROW", "I": "EMPTY_QUERY_RESPONSE",
        "E": "ERROR_RESPONSE", "V": "FUNCTION_CALL_RESPONSE",
        "v": "NEGOTIATE_PROTOCOL_VERSION", "n": "NO_DATA",
        "N": "NOTICE_RESPONSE", "A": "NOTIFICATION_RESPONSE",
        "t": "PARAMETER_DESCRIPTION", "S": "PARAMETER_STATUS",
        "1": "PARSE_COMPLETE", "s": "PORTAL_SUSPENDED", "Z": "READY_FOR_QUERY",
        "T": "ROW_DESCRIPTION"}
P_KINDS = ["PASSWORD_MESSAGE", "SASL_INITIAL_RESPONSE", "SASL_RESPONSE",
           "GSS_RESPONSE"]
# Index into the harnesses' protocol tables: 0 unknown, 1 3.0, 2 3.2.
PROTO_IDX = {0x00030000: 1, 0x00030002: 2}
CANCEL, SSLREQ, GSSREQ = 80877102, 80877103, 80877104

seeds = {h: set() for h in ("message", "roundtrip", "decoder_frontend",
                            "decoder_backend", "session", "conn",
                            "session_writer")}


def add(h, data):
    seeds[h].add(bytes(data))


def msg_seed(kind, payload, proto=0):
    b = KIND[kind] + KIND_COUNT * proto
    add("message", bytes([b]) + payload)
    add("roundtrip", bytes([0, b]) + payload)


def decoder_seeds(h, stream, hint=0, proto=0):
    # byte 0: lenient | proto << 1 | hint << 3 | nsplit << 5; byte 1: max
    for lenient in (0, 1):
        add(h, bytes([lenient | proto << 1 | hint << 3, 0]) + stream)
    # The same stream cut into small chunks (reassembly path).
    cuts = [1, 4, 3, 2, 7, 1, 5]
    add(h, bytes([proto << 1 | hint << 3 | len(cuts) << 5, 0] + cuts) + stream)


# ---- framing of a whole conversation --------------------------------------
def frame_front(data):
    """Yield (kind, payload, wire) from a frontend stream."""
    pos, startup = 0, True
    while pos < len(data):
        if startup:
            if pos + 8 > len(data):
                return
            n = struct.unpack(">I", data[pos:pos + 4])[0]
            code = struct.unpack(">I", data[pos + 4:pos + 8])[0]
            kind = {CANCEL: "CANCEL_REQUEST", SSLREQ: "SSL_REQUEST",
                    GSSREQ: "GSSENC_REQUEST"}.get(code, "STARTUP_MESSAGE")
            if n < 8 or pos + n > len(data):
                return
            yield kind, data[pos + 4:pos + n], data[pos:pos + n]
            if kind == "STARTUP_MESSAGE":
                startup = False
            pos += n
        else:
            if pos + 5 > len(data):
                return
            t = chr(data[pos])
            n = struct.unpack(">I", data[pos + 1:pos + 5])[0]
            if n < 4 or pos + 1 + n > len(data):
                return
            yield FRONT.get(t, "UNKNOWN"), data[pos + 5:pos + 1 + n], \
                data[pos:pos + 1 + n]
            pos += 1 + n


def frame_back(data, answer=None):
    pos = 0
    while pos < len(data):
        if answer and data[pos] != ord("E"):
            yield answer, data[pos:pos + 1], data[pos:pos + 1]
            answer = None
            pos += 1
            continue
        answer = None
        if pos + 5 > len(data):
            return
        t = chr(data[pos])
        n = struct.unpack(">I", data[pos + 1:pos + 5])[0]
        if n < 4 or pos + 1 + n > len(data):
            return
        yield BACK.get(t, "UNKNOWN"), data[pos + 5:pos + 1 + n], \
            data[pos:pos + 1 + n]
        pos += 1 + n


def conversation(front, back, pairs=None):
    """Seeds from one connection's two streams."""
    fmsgs = list(frame_front(front))
    answer = None
    if fmsgs and fmsgs[0][0] in ("SSL_REQUEST", "GSSENC_REQUEST"):
        answer = "SSL_RESPONSE" if fmsgs[0][0] == "SSL_REQUEST" \
            else "GSSENC_RESPONSE"
    bmsgs = list(frame_back(back, answer))
    proto = 0
    for k, p, _ in fmsgs:
        if k == "STARTUP_MESSAGE" and len(p) >= 4:
            proto = PROTO_IDX.get(struct.unpack(">I", p[:4])[0], 0)
    # Which 'p' message each password message is: the i-th 'p' answers
    # the i-th authentication request that expects an answer.
    asks = []
    for k, p, _ in bmsgs:
        if k == "AUTHENTICATION" and len(p) >= 4:
            code = struct.unpack(">i", p[:4])[0]
            asks.append({3: 0, 5: 0, 10: 1, 11: 2, 7: 3, 8: 3, 9: 3}.get(code))
    asks = [a for a in asks if a is not None]
    pi = 0
    first_p = None
    for k, p, _ in fmsgs:
        if k == "PASSWORD_MESSAGE":
            idx = asks[pi] if pi < len(asks) else 0
            pi += 1
            k = P_KINDS[idx]
            if first_p is None:
                first_p = idx
        if k != "UNKNOWN":
            msg_seed(k, p, proto)
    for k, p, _ in bmsgs:
        if k != "UNKNOWN":
            msg_seed(k, p, proto)
    decoder_seeds("decoder_frontend", front, first_p or 0, proto)
    hint = {None: 0, "SSL_RESPONSE": 1, "GSSENC_RESPONSE": 2}[answer]
    decoder_seeds("decoder_backend", back, hint, proto)
    # The backend stream after the one-byte answer, in standard framing.
    if answer and back[:1] != b"E":
        decoder_seeds("decoder_backend", back[1:], 0, proto)


# ---- conn harness: records (tag, len, bytes) in wire order -----------------
def conn_seeds(chunks):
    recs = bytearray()
    tls = 0
    for s, d in chunks:
        if s == "TLS":
            tls = 2
            continue
        for i in range(0, len(d), 255):
            piece = d[i:i + 255]
            recs += bytes([(0 if s == "F" else 1) | tls, len(piece)]) + piece
            tls = 0
    for role in (0, 2):             # frontend role, backend role
        for lenient in (0, 1):
            add("conn", bytes([role | lenient]) + bytes(recs))


# ---- sessions ---------------------------------------------------------------
def read_pgs(path):
    text = open(path, "rb").read()
    chunks = []
    for line in text.decode("utf-8", "replace").splitlines():
        if line[:2] in ("F ", "B "):
            hexs = re.sub(r"[ \t]", "", line[2:])
            chunks.append((line[0], bytes.fromhex(hexs)))
        elif line.strip() == "@ tls on":
            chunks.append(("TLS", b""))
    return text, chunks


def writer_seed(text, chunks):
    """fuzz_session_writer: the session's chunks (in pieces of at most 255
    bytes) and metadata lines as ops, a flush every 8 ops, then a cut in
    the middle of the file."""
    ops = b""
    for line in text.decode("utf-8", "replace").splitlines():
        if line.startswith("@ ") and len(line) < 200:
            key, _, value = line[2:].partition(" ")
            k = {"server": 0, "client": 1, "note": 2, "tls": 3}.get(key)
            if k is not None and value:
                v = bytes([k]) + value.encode()[:250]
                ops += bytes([4, len(v)]) + v
    n = 0
    for side, data in chunks:
        if side == "TLS" or not data:
            continue
        for i in range(0, len(data), 255):
            piece = data[i:i + 255]
            ops += bytes([0 if side == "F" else 1, len(piece)]) + piece
            n += 1
            if n % 8 == 0:
                ops += bytes([6, 0])
    add("session_writer", ops + bytes([7, 2, 0x80, 0x00]))


for path in sorted(glob.glob(os.path.join(REPO, "conformance/sessions/**/*.pgs"),
                             recursive=True)):
    text, chunks = read_pgs(path)
    add("session", text)
    conn_seeds(chunks)
    # Split at "@ tls on": each part is one conversation.
    parts, cur = [], []
    for c in chunks:
        if c[0] == "TLS":
            parts.append(cur)
            cur = []
        else:
            cur.append(c)
    parts.append(cur)
    for part in parts:
        front = b"".join(d for s, d in part if s == "F")
        back = b"".join(d for s, d in part if s == "B")
        conversation(front, back)
    writer_seed(text, chunks)


# ---- unit-test fixtures -----------------------------------------------------
def c_hex_constants(src):
    """Every `static const char NAME[] = "hex" "hex";` of even hex."""
    out = {}
    for m in re.finditer(r"static const char (\w+)\[\]\s*=\s*((?:\"[^\"]*\"\s*)+);",
                         src):
        s = "".join(re.findall(r"\"([^\"]*)\"", m.group(2))).replace(" ", "")
        if s and len(s) % 2 == 0 and re.fullmatch(r"[0-9a-fA-F]+", s):
            out[m.group(1)] = bytes.fromhex(s)
    return out


fixtures = {}
for path in sorted(glob.glob(os.path.join(REPO, "lib/tests/fixtures_*.h"))):
    fixtures.update(c_hex_constants(open(path).read()))
# A fixture pair NAME_frontend_hex / NAME_backend_hex is one conversation.
for name, data in sorted(fixtures.items()):
    if name.endswith("_frontend_hex"):
        other = name[:-len("_frontend_hex")] + "_backend_hex"
        if other in fixtures:
            conversation(data, fixtures[other])
            text = "pgw-session 1\n@ note from lib/tests %s\n" % name
            text += "F " + data.hex() + "\n" + "B " + fixtures[other].hex() + "\n"
            add("session", text.encode())
            conn_seeds([("F", data), ("B", fixtures[other])])

for path in sorted(glob.glob(os.path.join(REPO, "lib/tests/test_*.c"))):
    for name, data in sorted(c_hex_constants(open(path).read()).items()):
        # A whole standard message of either direction?
        if len(data) >= 5:
            n = struct.unpack(">I", data[1:5])[0]
            t = chr(data[0])
            if n + 1 == len(data):
                payload = data[5:]
                for table, h in ((FRONT, "decoder_frontend"),
                                 (BACK, "decoder_backend")):
                    if t in table:
                        kinds = P_KINDS if t == "p" and table is FRONT \
                            else [table[t]]
                        for k in kinds:
                            for proto in (0, 1, 2):
                                msg_seed(k, payload, proto)
                        add(h, bytes([0x10 if h == "decoder_frontend" else 0,
                                      0]) + data)
                continue
        # A startup-framed packet?
        if len(data) >= 8 and struct.unpack(">I", data[:4])[0] == len(data):
            code = struct.unpack(">I", data[4:8])[0]
            kind = {CANCEL: "CANCEL_REQUEST", SSLREQ: "SSL_REQUEST",
                    GSSREQ: "GSSENC_REQUEST"}.get(code, "STARTUP_MESSAGE")
            for proto in (0, 1, 2):
                msg_seed(kind, data[4:], proto)
            add("decoder_frontend", bytes([0, 0]) + data)
            continue
        # Otherwise: a payload or a stream; offer it as both streams.
        add("decoder_frontend", bytes([0x20, 0]) + data)
        add("decoder_backend", bytes([0, 0]) + data)

# The one-byte answers.
for a in b"SNG":
    msg_seed("SSL_RESPONSE", bytes([a]))
    msg_seed("GSSENC_RESPONSE", bytes([a]))

# ---- roundtrip build mode: one seed per kind ---------------------------------
for k in range(1, KIND_COUNT):
    add("roundtrip", bytes([1, k]) + bytes(range(3, 60)))

for h, items in seeds.items():
    d = os.path.join(OUT, h)
    os.makedirs(d, exist_ok=True)
    for data in items:
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print("%-18s %5d seeds" % (h, len(items)))
