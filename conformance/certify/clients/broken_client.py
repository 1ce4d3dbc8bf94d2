#!/usr/bin/env python3
"""broken_client.py - a client that breaks one frontend rule per run, for
`pgw certify client --serve` (conformance/tests/certify_client.bats):

  broken_client.py PORT MODE [USER DATABASE]

MODE (and the case that must catch it):
  cancel-key-short   CancelRequest with a key one byte short  (cancel/3.0/key-4: FAIL)
  after-terminate    a Query after Terminate                  (startup/terminate/last: FAIL)
  copyfail-after-copy  CopyFail after the COPY ended          (copy/in/done: FAIL)
  no-sync            Parse/Bind/Execute, then Query, no Sync  (extended/sync/before-query: NON-STRICT)
  good-cancel        the same cancel with the right key       (cancel/3.0/key-4: PASS)

Raw sockets, the standard library only; every read has a deadline.
"""
import socket
import struct
import sys
import time


def msg(t, body=b""):
    return t + struct.pack("!I", len(body) + 4) + body


USER, DATABASE = "broken", "certify"


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    body = (struct.pack("!I", 3 << 16) + b"user\0" + USER.encode() +
            b"\0database\0" + DATABASE.encode() + b"\0\0")
    s.sendall(struct.pack("!I", len(body) + 4) + body)
    return s


def read_until(s, want, keep):
    """Read messages until one of type want; keep {type: [payload]}."""
    buf = b""
    while True:
        while len(buf) >= 5:
            t, n = buf[:1], struct.unpack("!I", buf[1:5])[0]
            if len(buf) < 1 + n:
                break
            keep.setdefault(t, []).append(buf[5:1 + n])
            buf = buf[1 + n:]
            if t == want:
                return
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("broken_client: server closed")
        buf += chunk


def cancel(port, short):
    s = connect(port)
    seen = {}
    read_until(s, b"Z", seen)
    pid, key = struct.unpack("!i", seen[b"K"][0][:4])[0], seen[b"K"][0][4:]
    s.sendall(msg(b"Q", b"SELECT pg_sleep(1)\0"))
    time.sleep(0.2)
    k = key[:-1] if short else key
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.sendall(struct.pack("!IIi", 12 + len(k), 80877102, pid) + k)
    c.close()
    read_until(s, b"Z", seen)
    s.sendall(msg(b"X"))
    s.close()


def after_terminate(port):
    s = connect(port)
    read_until(s, b"Z", {})
    s.sendall(msg(b"Q", b"SELECT 1\0"))
    read_until(s, b"Z", {})
    s.sendall(msg(b"X") + msg(b"Q", b"SELECT 2\0"))
    time.sleep(0.2)
    s.close()


def copyfail_after_copy(port):
    s = connect(port)
    read_until(s, b"Z", {})
    s.sendall(msg(b"Q", b"COPY certify FROM STDIN\0"))
    read_until(s, b"G", {})
    s.sendall(msg(b"d", b"1\n") + msg(b"c"))
    read_until(s, b"Z", {})
    s.sendall(msg(b"f", b"too late\0"))
    time.sleep(0.2)
    s.sendall(msg(b"X"))
    s.close()


def no_sync(port):
    s = connect(port)
    read_until(s, b"Z", {})
    s.sendall(msg(b"P", b"\0SELECT 1\0\0\0") +
              msg(b"B", b"\0\0\0\0\0\0\0\0") + msg(b"E", b"\0\0\0\0\0"))
    time.sleep(0.2)
    s.sendall(msg(b"Q", b"SELECT 2\0"))
    read_until(s, b"Z", {})
    s.sendall(msg(b"X"))
    s.close()


def main():
    global USER, DATABASE
    port, mode = int(sys.argv[1]), sys.argv[2]
    if len(sys.argv) > 4:
        USER, DATABASE = sys.argv[3], sys.argv[4]
    {"cancel-key-short": lambda: cancel(port, True),
     "good-cancel": lambda: cancel(port, False),
     "after-terminate": lambda: after_terminate(port),
     "copyfail-after-copy": lambda: copyfail_after_copy(port),
     "no-sync": lambda: no_sync(port)}[mode]()


if __name__ == "__main__":
    main()
