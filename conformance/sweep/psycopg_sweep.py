#!/usr/bin/env python3
"""conformance/sweep/psycopg_sweep.py SCENARIO CONNINFO — psycopg 3 traffic
for the real-traffic sweep (run by conformance/sweep/record through
`pgw record`). Scenarios: pipeline, copy, cursor, cancel, notify, copy_cancel,
protocol, pipeline_cancel, idle. Prints what it got."""
import sys

import psycopg
from psycopg import sql


def pipeline(conn):
    # pipeline mode: a batch with an error in the middle (the statements
    # after it up to the Sync are skipped), then a clean batch, then
    # executemany (which pipelines itself)
    with conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE p (a int PRIMARY KEY, b text)")
        conn.commit()
        try:
            with conn.pipeline():
                cur.execute("INSERT INTO p VALUES (%s, %s)", (1, "one"))
                cur.execute("INSERT INTO p VALUES (%s, %s)", (1, "dup"))
                cur.execute("INSERT INTO p VALUES (%s, %s)", (2, "two"))
        except psycopg.errors.UniqueViolation as e:
            print("pipeline error:", e.sqlstate)
        conn.rollback()
        with conn.pipeline() as p:
            cur.execute("INSERT INTO p VALUES (%s, %s)", (3, "three"))
            with conn.cursor() as sel:
                sel.execute("SELECT a, b FROM p ORDER BY a")
                print("rows:", sel.fetchall())
            cur.execute("SELECT 1/0")
            try:
                p.sync()
            except psycopg.errors.DivisionByZero as e:
                print("second error:", e.sqlstate)
        conn.rollback()
        with conn.pipeline():
            cur.executemany("INSERT INTO p VALUES (%s, %s)",
                            [(i, "r%d" % i) for i in range(10, 30)])
            with conn.cursor() as sel:
                sel.execute("SELECT count(*) FROM p")
                print("count:", sel.fetchone())
        conn.commit()
    conn.autocommit = True
    try:
        with conn.pipeline():
            conn.execute("SELECT pg_sleep(0.01)")
            conn.execute("SELECT * FROM no_such_table")
            conn.execute("SELECT 'skipped'")
    except psycopg.errors.UndefinedTable as e:
        print("autocommit pipeline error:", e.sqlstate)
    print(conn.execute("SELECT 'after'").fetchone())


def copy(conn):
    with conn.cursor() as cur:
        cur.execute("TRUNCATE sweep.copy_target")
        with cur.copy("COPY sweep.copy_target (a, b, c) FROM STDIN") as cp:
            for i in range(200):
                cp.write_row((i, "row %d" % i, i / 4))
        with cur.copy("COPY sweep.copy_target (a, b, c) FROM STDIN (FORMAT binary)") as cp:
            cp.set_types(["int4", "text", "numeric"])
            for i in range(50):
                cp.write_row((1000 + i, "bin %d" % i, i))
        conn.commit()
        n = 0
        with cur.copy("COPY (SELECT * FROM sweep.book ORDER BY id) TO STDOUT") as cp:
            for row in cp.rows():
                n += 1
        print("copied out", n)
        with cur.copy("COPY sweep.book TO STDOUT (FORMAT binary)") as cp:
            n = sum(len(b) for b in cp)
        print("binary bytes", n)
        try:
            with cur.copy("COPY sweep.copy_target (a, b) FROM STDIN") as cp:
                cp.write_row((1, "fine"))
                raise RuntimeError("client gives up")
        except psycopg.errors.QueryCanceled as e:
            print("copy aborted:", e.sqlstate)
        conn.rollback()
        try:
            with cur.copy("COPY sweep.copy_target (a) FROM STDIN") as cp:
                cp.write(b"1\n2\nnot a number\n4\n")
        except psycopg.errors.InvalidTextRepresentation as e:
            print("copy refused:", e.sqlstate)
        conn.rollback()


def cursor(conn):
    with conn.cursor("books", scrollable=True) as cur:
        cur.itersize = 30
        cur.execute("SELECT id, title, price, tags, extra FROM sweep.book ORDER BY id")
        print("first", cur.fetchone())
        print("many", len(cur.fetchmany(40)))
        cur.scroll(-10)
        print("after scroll", cur.fetchone()[0])
        print("rest", sum(1 for _ in cur))
    with conn.cursor("held", withhold=True) as cur:
        cur.execute("SELECT * FROM sweep.reading ORDER BY id")
        conn.commit()
        print("held rows", len(cur.fetchall()))
    with conn.cursor("bad") as cur:
        try:
            cur.execute("SELECT id, 1 / (100 - id) FROM sweep.book ORDER BY id")
            for _ in cur:
                pass
        except psycopg.errors.DivisionByZero as e:
            print("cursor error:", e.sqlstate)
    conn.rollback()
    # client-side cursor with binary results, prepared after 5 executions
    with conn.cursor(binary=True) as cur:
        for i in range(7):
            cur.execute("SELECT id, title FROM sweep.book WHERE id = %s", (i + 1,))
            cur.fetchall()
    conn.commit()


def cancel(conn):
    # conn.cancel() from another thread during pg_sleep: a CancelRequest on a
    # connection of its own; then the connection goes on
    import threading
    import time

    t = threading.Thread(target=lambda: (time.sleep(0.7), conn.cancel()))
    t.start()
    try:
        conn.execute("SELECT pg_sleep(10)")
    except psycopg.errors.QueryCanceled as e:
        print("cancelled:", e.sqlstate)
    t.join()
    conn.rollback()
    print(conn.execute("SELECT 1").fetchone())
    conn.commit()


def notify(conn):
    # LISTEN, NOTIFY from the same and from a second connection, notices
    conn.autocommit = True
    conn.add_notice_handler(lambda d: print("notice:", d.message_primary))
    got = []
    conn.add_notify_handler(lambda n: got.append(n.payload))
    conn.execute("LISTEN sweep_channel")
    conn.execute("NOTIFY sweep_channel, 'from myself'")
    with psycopg.connect(sys.argv[2]) as other:
        other.execute("SELECT pg_notify('sweep_channel', 'from another connection')")
        other.commit()
    conn.execute("DO $$BEGIN RAISE NOTICE 'a notice'; END$$")
    conn.execute("SELECT pg_sleep(0.2)")
    print("notifications:", got)
    conn.execute("UNLISTEN *")


def copy_cancel(conn):
    # conn.cancel() while COPY TO STDOUT streams (slowly): ErrorResponse
    # 57014 in the middle of CopyOut
    import threading
    import time

    t = threading.Thread(target=lambda: (time.sleep(0.5), conn.cancel()))
    t.start()
    n = 0
    try:
        with conn.cursor() as cur:
            with cur.copy("COPY (SELECT g, repeat('x', 50), pg_sleep(0.002) FROM generate_series(1, 5000) g) TO STDOUT") as cp:
                for _ in cp.rows():
                    n += 1
    except psycopg.errors.QueryCanceled as e:
        print("cancelled after", n > 0, e.sqlstate)
    t.join()
    conn.rollback()
    print(conn.execute("SELECT 'after'").fetchone())


def protocol(conn):
    # run with max_protocol_version=latest (libpq 18): 3.2 against 18, a
    # NegotiateProtocolVersion down to 3.0 against 15; then a cancel
    print("protocol", conn.info.pgconn.protocol_version, "server", conn.info.server_version)
    print(conn.execute("SELECT %s::int + 1", (41,)).fetchone())
    cancel(conn)


def pipeline_cancel(conn):
    # conn.cancel() while a pipeline waits in pg_sleep: 57014, the rest of
    # the batch skipped up to its Sync; then the connection goes on
    import threading
    import time

    t = threading.Thread(target=lambda: (time.sleep(0.7), conn.cancel()))
    t.start()
    try:
        with conn.pipeline():
            conn.execute("SELECT 1")
            conn.execute("SELECT pg_sleep(10)")
            conn.execute("SELECT 2")
    except psycopg.errors.QueryCanceled as e:
        print("cancelled:", e.sqlstate)
    t.join()
    conn.rollback()
    with conn.pipeline():
        conn.execute("SET TimeZone = 'Europe/Paris'")
        cur = conn.execute("SELECT now()::text")
        conn.execute("SET application_name = 'psycopg-renamed'")
    print(cur.fetchone() is not None)
    conn.commit()


def idle(conn):
    # idle_in_transaction_session_timeout ends the session while psycopg
    # waits inside a transaction; its next query (with a parameter: Parse,
    # Bind, Describe, Execute, Sync) is in flight when it reads the FATAL
    import time

    conn.execute("SET idle_in_transaction_session_timeout = '300ms'")
    conn.execute("SELECT 1")
    time.sleep(1)
    try:
        conn.execute("SELECT %s::int + 1", (41,))
    except psycopg.OperationalError as e:
        print("after the timeout:", type(e).__name__)


def main():
    scenario, conninfo = sys.argv[1], sys.argv[2]
    print("psycopg", psycopg.__version__, "libpq", psycopg.pq.version())
    with psycopg.connect(conninfo) as conn:
        {"pipeline": pipeline, "copy": copy, "cursor": cursor,
         "cancel": cancel, "notify": notify, "copy_cancel": copy_cancel,
         "protocol": protocol, "pipeline_cancel": pipeline_cancel,
         "idle": idle}[scenario](conn)


if __name__ == "__main__":
    main()
