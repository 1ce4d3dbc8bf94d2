"""Shared by the differential suite's runners: recorded connections, a loose
backend-stream parser, session files and verdict files. Standard library only."""
import json
import os
import select
import socket
import struct
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Recorded:
    """One TCP connection whose chunks are kept in wire order as this end saw
    them: ("F", bytes) for what the frontend sent, ("B", bytes) for the backend."""

    def __init__(self, sock, me):
        self.sock = sock
        self.me = me                  # "F" or "B": which side this end is
        self.peer = "B" if me == "F" else "F"
        self.chunks = []
        self.rx = bytearray()         # everything received
        self.tx = bytearray()         # everything sent
        self.closed = False           # the peer closed (EOF) or reset
        self.reset = False

    def send(self, data):
        if not data:
            return True
        try:
            self.sock.sendall(data)
        except OSError:
            self.reset = True
            self.closed = True
            return False
        self.chunks.append((self.me, bytes(data)))
        self.tx += data
        return True

    def recv_some(self, timeout):
        """Wait at most TIMEOUT seconds for bytes; returns the bytes (b"" if
        none or if the peer closed: see .closed)."""
        if self.closed:
            return b""
        try:
            r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        except (OSError, ValueError):
            self.closed = True
            return b""
        if not r:
            return b""
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            self.closed = True
            self.reset = True
            return b""
        except OSError:
            self.closed = True
            return b""
        if not data:
            self.closed = True
            return b""
        self.chunks.append((self.peer, data))
        self.rx += data
        return data

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def connect(host, port, timeout=5.0):
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(None)
    return s


def parse_typed(buf, pos, singles=0):
    """Loosely frame typed messages from buf[pos:]. Returns (messages, pos,
    singles_left); messages are (type char, body bytes, offset). A pending
    single-byte SSL/GSS answer (singles > 0) is returned as ("answer", b, off)."""
    out = []
    while pos < len(buf):
        if singles > 0 and buf[pos:pos + 1] != b"E":
            out.append(("answer", bytes(buf[pos:pos + 1]), pos))
            pos += 1
            singles -= 1
            continue
        if pos + 5 > len(buf):
            break
        n = struct.unpack(">I", bytes(buf[pos + 1:pos + 5]))[0]
        if n < 4 or n > 1 << 30:
            break
        if pos + 1 + n > len(buf):
            break
        out.append((chr(buf[pos]), bytes(buf[pos + 5:pos + 1 + n]), pos))
        pos += 1 + n
    return out, pos, singles


def error_fields(body):
    f = {}
    for part in body.split(b"\0"):
        if part:
            f[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return f


def write_pgs(path, chunks, meta):
    """Write a session. Long chunks are kept as one line (chunk boundaries are
    the wire's), the hex grouped by 4 bytes."""
    lines = ["pgw-session 1"]
    for k, v in meta:
        lines.append("@ %s %s" % (k, " ".join(str(v).split())))
    for d, data in chunks:
        lines.append("%s %s" % (d, " ".join(data[j:j + 4].hex() for j in range(0, len(data), 4))))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def read_pgs(path):
    chunks, meta = [], {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line[:2] in ("F ", "B "):
                chunks.append((line[0], bytes.fromhex(line[2:].replace(" ", "").replace("\t", ""))))
            elif line.startswith("@ "):
                k, _, v = line[2:].partition(" ")
                meta.setdefault(k, v)
    return chunks, meta


def write_verdicts(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for r in sorted(rows, key=lambda r: r["id"]):
            f.write(json.dumps(r, sort_keys=True) + "\n")
    os.replace(tmp, path)


def read_verdicts(path):
    rows = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                r = json.loads(line)
                rows[r["id"]] = r
    return rows


class Deadline:
    def __init__(self, seconds):
        self.t = time.monotonic() + seconds

    def left(self):
        return self.t - time.monotonic()

    def expired(self):
        return self.left() <= 0
