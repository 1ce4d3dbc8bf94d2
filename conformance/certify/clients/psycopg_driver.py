#!/usr/bin/python3
"""psycopg_driver.py - a client for `pgw certify client`: psycopg 3
(Debian python3-psycopg, over the system libpq), one fresh connection per
action, in order (the actions of `pgw certify client --list`).

  psycopg_driver.py CONNINFO ACTION...

A failing action is printed and the next one runs: the scripted server
judges, not this program. Actions psycopg has no API for (none today)
only connect and close.
"""
import sys
import threading
import time

import psycopg


def copy_in(conn, fail):
    try:
        with conn.cursor() as cur:
            with cur.copy("COPY certify FROM STDIN") as cp:
                cp.write("1\n")
                if fail:
                    raise RuntimeError("the driver gave up")
    except RuntimeError:
        pass


def copy_out(conn):
    with conn.cursor() as cur:
        with cur.copy("COPY certify TO STDOUT") as cp:
            for _ in cp:
                pass


def pipeline(conn):
    with conn.pipeline():
        for _ in range(3):
            conn.execute("SELECT %s::int", (1,))


def cancel(conn):
    threading.Timer(0.2, conn.cancel).start()
    conn.execute("SELECT pg_sleep(5)")


def listen(conn):
    conn.execute("LISTEN certify")
    gen = conn.notifies(timeout=1.0) if "timeout" in conn.notifies.__code__.co_varnames else None
    if gen is not None:
        for _ in gen:
            break
    else:
        time.sleep(1.0)
        conn.execute("SELECT 1")


ACTIONS = {
    "query": lambda c: c.execute("SELECT 1"),
    "query2": lambda c: second(c),
    "extended": lambda c: c.execute("SELECT %s::int", (1,)),
    "pipeline": pipeline,
    "copyin": lambda c: copy_in(c, False),
    "copyfail": lambda c: copy_in(c, True),
    "copyout": copy_out,
    "cancel": cancel,
    "listen": listen,
}


def second(c):
    for q in ("SELECT 1", "SELECT 2"):
        try:
            c.execute(q)
        except psycopg.Error as e:
            print("  error:", str(e).strip().splitlines()[0])


def main():
    dsn, actions = sys.argv[1], sys.argv[2:]
    print("psycopg", psycopg.__version__, "libpq", psycopg.pq.version())
    for i, a in enumerate(actions, 1):
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                ACTIONS[a](conn)
            print(i, a, "ok")
        except (psycopg.Error, KeyError, OSError) as e:
            print(i, a, type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
