"""Byte helpers shared by the differential suite's generator and runners.

Python 3, standard library only.
"""
import struct

CANCEL_CODE = 80877102   # 1234.5678
SSL_CODE = 80877103      # 1234.5679
GSS_CODE = 80877104      # 1234.5680


def i16(n):
    return struct.pack(">h", n)


def u16(n):
    return struct.pack(">H", n & 0xFFFF)


def i32(n):
    return struct.pack(">i", n)


def u32(n):
    return struct.pack(">I", n & 0xFFFFFFFF)


def cstr(s):
    if isinstance(s, str):
        s = s.encode()
    return s + b"\0"


def msg(t, body=b""):
    """A typed message with a correct length word."""
    if isinstance(t, str):
        t = t.encode()
    return t + u32(len(body) + 4) + body


def msg_len(t, body, length):
    """A typed message whose length word says LENGTH (any value)."""
    if isinstance(t, str):
        t = t.encode()
    return t + u32(length) + body


def packet(body):
    """A startup-framed packet with a correct length word."""
    return u32(len(body) + 4) + body


def packet_len(body, length):
    return u32(length) + body


def version(major, minor):
    return u32((major << 16) | minor)


def startup(params, major=3, minor=0):
    body = version(major, minor)
    for k, v in params:
        body += cstr(k) + cstr(v)
    return packet(body + b"\0")


def ssl_request():
    return packet(u32(SSL_CODE))


def gss_request():
    return packet(u32(GSS_CODE))


def cancel(pid, key):
    return packet(u32(CANCEL_CODE) + u32(pid) + key)


# ---- frontend messages ----------------------------------------------------

def query(sql):
    return msg("Q", cstr(sql))


def parse(name, sql, types=()):
    return msg("P", cstr(name) + cstr(sql) + i16(len(types)) +
               b"".join(u32(t) for t in types))


def bind(portal, stmt, params=(), pformats=(), rformats=()):
    body = cstr(portal) + cstr(stmt) + i16(len(pformats))
    body += b"".join(i16(f) for f in pformats)
    body += i16(len(params))
    for p in params:
        if p is None:
            body += i32(-1)
        else:
            if isinstance(p, str):
                p = p.encode()
            body += i32(len(p)) + p
    body += i16(len(rformats)) + b"".join(i16(f) for f in rformats)
    return msg("B", body)


def describe(what, name):
    return msg("D", what.encode() + cstr(name))


def execute(portal, maxrows=0):
    return msg("E", cstr(portal) + i32(maxrows))


def close(what, name):
    return msg("C", what.encode() + cstr(name))


def sync():
    return msg("S")


def flush():
    return msg("H")


def terminate():
    return msg("X")


def copy_data(data):
    return msg("d", data)


def copy_done():
    return msg("c")


def copy_fail(text):
    return msg("f", cstr(text))


def function_call(oid, args=(), aformats=(), rformat=0):
    body = u32(oid) + i16(len(aformats)) + b"".join(i16(f) for f in aformats)
    body += i16(len(args))
    for a in args:
        if a is None:
            body += i32(-1)
        else:
            body += i32(len(a)) + a
    body += i16(rformat)
    return msg("F", body)


def password(pw):
    return msg("p", cstr(pw))


# ---- backend messages -----------------------------------------------------

def auth(code, extra=b""):
    return msg("R", i32(code) + extra)


def auth_ok():
    return auth(0)


def param_status(k, v):
    return msg("S", cstr(k) + cstr(v))


def backend_key(pid, key):
    return msg("K", u32(pid) + key)


def ready(status="I"):
    return msg("Z", status.encode())


def row_desc(cols):
    """cols: list of (name, type_oid, format)."""
    body = i16(len(cols))
    for name, oid, fmt in cols:
        body += cstr(name) + u32(0) + i16(0) + u32(oid) + i16(-1 if oid == 25 else 4)
        body += i32(-1) + i16(fmt)
    return msg("T", body)


def data_row(vals):
    body = i16(len(vals))
    for v in vals:
        if v is None:
            body += i32(-1)
        else:
            if isinstance(v, str):
                v = v.encode()
            body += i32(len(v)) + v
    return msg("D", body)


def command_complete(tag):
    return msg("C", cstr(tag))


def error_fields(fields):
    body = b""
    for code, val in fields:
        body += code.encode() + cstr(val)
    return body + b"\0"


def error_response(fields):
    return msg("E", error_fields(fields))


def notice_response(fields):
    return msg("N", error_fields(fields))


def split_frontend(data, startup_framed=True):
    """Frame a frontend stream loosely: yields (type or None, bytes).
    Stops at the first frame that does not fit."""
    pos = 0
    out = []
    while pos < len(data):
        if startup_framed:
            if pos + 8 > len(data):
                break
            n = struct.unpack(">I", data[pos:pos + 4])[0]
            code = struct.unpack(">I", data[pos + 4:pos + 8])[0]
            if n < 8 or pos + n > len(data):
                break
            out.append((None, data[pos:pos + n]))
            pos += n
            if code not in (SSL_CODE, GSS_CODE, CANCEL_CODE):
                startup_framed = False
        else:
            if pos + 5 > len(data):
                break
            n = struct.unpack(">I", data[pos + 1:pos + 5])[0]
            if n < 4 or pos + 1 + n > len(data):
                break
            out.append((chr(data[pos]), data[pos:pos + 1 + n]))
            pos += 1 + n
    return out, data[pos:]
