#!/usr/bin/env python3
"""Stand-in peers for the pgw record tests (record.bats, conformance/record-load).

  upstream MODE PORTFILE [HOST]  a server on HOST (127.0.0.1) port 0; writes
      its port to PORTFILE. MODE: echo (every connection echoed), hang (the
      first connection echoed, then never accepts again: listen backlog 0,
      so later connects stay unanswered), flood (sends to every connection
      without end), sink (reads and drops).
  latency PORT N [HOST]         N echo round trips on one connection; prints
      the slowest in ms.
  many PORT N                   N connections at once, one echo each, all
      kept open; then one more with a StartupMessage: prints the fields of
      the ErrorResponse it gets.
  announce PORT MIB             a StartupMessage, then a Query announcing
      1 GiB, then MIB MiB of it; then waits for the peer to close.
  noread PORT                   sends one byte and never reads.
  pgping PORT SECONDS [USER]    a PostgreSQL session (trust login, database
      pgw): "select 1" every 20 ms for SECONDS; prints the count, the median
      and the slowest round trip in ms.
  hangprobe PORT STUCK SECONDS  against a "hang" upstream: one echoed
      connection, then STUCK more whose upstream never answers; echo round
      trips on the first for SECONDS; prints the slowest in ms and how many
      of the stuck ones the recorder closed within SECONDS + 5 s.
  pgnoread PORT QUERY [USER]    logs in, sends QUERY, never reads again.
"""
import resource, selectors, signal, socket, struct, sys, time

def startup(user=b"pgw"):
    body = struct.pack("!I", 196608) + b"user\0" + user + b"\0database\0pgw\0\0"
    return struct.pack("!I", len(body) + 4) + body

def listener(host, backlog):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam)
    s.bind((host, 0))
    s.listen(backlog)
    return s

def upstream(mode, portfile, host="127.0.0.1"):
    srv = listener(host, 0 if mode == "hang" else 1024)
    open(portfile + ".tmp", "w").write(str(srv.getsockname()[1]))
    import os; os.rename(portfile + ".tmp", portfile)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ)
    accepted, blob = 0, b"x" * 65536
    while True:
        for key, ev in sel.select():
            s = key.fileobj
            if s is srv:
                if mode == "hang" and accepted >= 1:
                    sel.unregister(srv)  # never accept again
                    continue
                c, _ = srv.accept(); accepted += 1
                c.setblocking(False)
                sel.register(c, selectors.EVENT_WRITE if mode == "flood"
                             else selectors.EVENT_READ)
                continue
            try:
                if mode == "flood":
                    s.send(blob); continue
                d = s.recv(65536)
                if not d:
                    sel.unregister(s); s.close(); continue
                if mode in ("echo", "hang"):
                    s.setblocking(True); s.sendall(d); s.setblocking(False)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                sel.unregister(s); s.close()

def connect(port, host="127.0.0.1"):
    return socket.create_connection((host, int(port)), timeout=20)

def latency(port, n, host="127.0.0.1"):
    c = connect(port, host); worst = 0.0
    for i in range(int(n)):
        t = time.monotonic(); c.sendall(b"ping%d" % i); got = b""
        while len(got) < len(b"ping%d" % i):
            got += c.recv(100)
        worst = max(worst, time.monotonic() - t)
        time.sleep(0.02)
    print("%.1f" % (worst * 1000))

def error_fields(c):
    c.sendall(startup()); d = b""
    while True:
        x = c.recv(4096)
        if not x: break
        d += x
    if d[:1] != b"E": return "no ErrorResponse: %r" % d[:20]
    n = struct.unpack("!I", d[1:5])[0]
    return " ".join(f[:1].decode() + "=" + f[1:].decode()
                    for f in d[5:1 + n].split(b"\0") if f)

def many(port, n):
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    conns = [connect(port) for _ in range(int(n))]
    for i, c in enumerate(conns): c.sendall(b"c%d;" % i)
    for i, c in enumerate(conns):
        want, got = b"c%d;" % i, b""
        while len(got) < len(want): got += c.recv(100)
        assert got == want, (i, got)
    print("echoed", len(conns))
    print(error_fields(connect(port)))
    sys.stdout.flush()

def announce(port, mib):
    c = connect(port); c.sendall(startup())
    c.sendall(b"Q" + struct.pack("!I", 1 << 30))
    piece = b"y" * (1 << 20)
    for _ in range(int(mib)): c.sendall(piece)
    print("sent", mib); sys.stdout.flush()

def noread(port):
    c = connect(port); c.sendall(b"f"); print("connected"); sys.stdout.flush()
    time.sleep(600)

def hangprobe(port, stuck, seconds):
    a = connect(port); a.sendall(b"a"); assert a.recv(1) == b"a"
    others = [connect(port) for _ in range(int(stuck))]
    times, t0 = [], time.monotonic()
    while time.monotonic() - t0 < float(seconds):
        t = time.monotonic(); a.sendall(b"x"); assert a.recv(1) == b"x"
        times.append(time.monotonic() - t); time.sleep(0.01)
    times.sort(); worst = times[-1]
    closed = 0
    for s in others:  # one sits in the backlog; the others are given up
        s.settimeout(max(0.1, float(seconds) + 5 - (time.monotonic() - t0)))
        try:
            closed += s.recv(1) == b""
        except (socket.timeout, ConnectionResetError):
            pass
    print("worst %d ms" % (worst * 1000))
    print("median %.2f ms" % (times[len(times) // 2] * 1000))
    print("closed %d" % closed)

def until_ready(c):
    d = b""
    while True:
        while len(d) >= 5:
            n = struct.unpack("!I", d[1:5])[0]
            if len(d) < 1 + n: break
            t, d = d[:1], d[1 + n:]
            if t == b"Z": return
            if t == b"E": raise SystemExit("ErrorResponse")
        x = c.recv(65536)
        if not x: raise SystemExit("closed")
        d += x

def pg_login(port, user):
    c = connect(port); c.sendall(startup(user.encode())); until_ready(c)
    return c

def pgping(port, seconds, user="pgw_trust"):
    c = pg_login(port, user); q = b"select 1\0"
    msg = b"Q" + struct.pack("!I", len(q) + 4) + q
    times, end, stop = [], time.monotonic() + float(seconds), []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while time.monotonic() < end and not stop:
        t = time.monotonic(); c.sendall(msg); until_ready(c)
        times.append((time.monotonic() - t) * 1000); time.sleep(0.02)
    times.sort()
    print("%d %.2f %.2f" % (len(times), times[len(times) // 2], times[-1]))

def pgnoread(port, query, user="pgw_trust"):
    c = pg_login(port, user); q = query.encode() + b"\0"
    c.sendall(b"Q" + struct.pack("!I", len(q) + 4) + q)
    print("sent", flush=True); time.sleep(600)

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"upstream": upstream, "latency": latency, "many": many,
     "announce": announce, "noread": noread, "pgping": pgping,
     "pgnoread": pgnoread, "hangprobe": hangprobe}[cmd](*args)
