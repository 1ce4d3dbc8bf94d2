#!/usr/bin/env bats
# The programs in lib/examples against a real PostgreSQL 15 (scripts/pg)
# and a real psql 15. Expected rows are what psql prints against the same
# server (-At with a tab separator: NULL as an empty field). Binaries:
# $PGW_EXAMPLES, else build/release/lib/examples.

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export REPO
  export EX=${PGW_EXAMPLES:-$REPO/build/release/lib/examples}
  export PSQL=/usr/lib/postgresql/15/bin/psql
  [[ -x $EX/pgw-example-client && -x $PSQL ]] || return 0
  local env
  env=$(bash "$REPO/scripts/pg" start 15 2>"$BATS_FILE_TMPDIR/pg.log") || return 0
  eval "$env"
  export PGW_PG_DIR PGW_PG_PORT PGW_PG_SOCKDIR
}

teardown_file() {
  [[ -n ${PGW_PG_DIR:-} ]] && bash "$REPO/scripts/pg" stop "$PGW_PG_DIR" >/dev/null 2>&1 || true
}

setup() {
  [[ -x $EX/pgw-example-client ]] || skip "examples not built ($EX); set PGW_EXAMPLES"
  [[ -n ${PGW_PG_PORT:-} ]] || skip "no PostgreSQL 15 (scripts/pg start 15 failed)"
  W=$BATS_TEST_TMPDIR
  CI="host=127.0.0.1 port=$PGW_PG_PORT dbname=pgw"
}

teardown() {
  local p
  for p in ${xp:-}; do kill -TERM "$p" 2>/dev/null || true; done
}

Q="SELECT 1 AS a, 'two' AS b, NULL AS c, current_user AS u; SELECT g, repeat('x', g) FROM generate_series(1, 3) g"

psql_rows() {   # psql_rows USER PASSWORD SQL...: what psql prints
  local u=$1 pw=$2; shift 2
  local args=() s
  for s in "$@"; do args+=(-c "$s"); done
  PGPASSWORD=$pw timeout 10 "$PSQL" "host=127.0.0.1 port=$PGW_PG_PORT user=$u dbname=pgw" \
    -X -At -F $'\t' "${args[@]}"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {   # wait_port PORT: until something listens (5 s at most)
  local i
  for i in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

@test "client: trust, cleartext, md5 and SCRAM-SHA-256 print what psql prints" {
  local u pw
  for u in pgw_trust:x pgw_clear:clearpass pgw_md5:md5pass pgw_scram:scrampass; do
    pw=${u#*:} u=${u%%:*}
    timeout 10 "$EX/pgw-example-client" "$CI user=$u password=$pw" "$Q" >"$W/out"
    psql_rows "$u" "$pw" "$Q" >"$W/want"
    diff -u "$W/want" "$W/out"
    [[ $(wc -l <"$W/out") -eq 4 ]]
  done
}

@test "client: a unix socket, an SQL error (exit 1) and a wrong password (exit 2)" {
  run timeout 10 "$EX/pgw-example-client" "host=$PGW_PG_SOCKDIR port=$PGW_PG_PORT user=pgw_trust dbname=pgw" "SELECT 'unix'"
  [[ $status -eq 0 && $output == unix ]]
  run timeout 10 "$EX/pgw-example-client" "$CI user=pgw_trust" "SELECT 1/0"
  [[ $status -eq 1 && $output == *"ERROR: division by zero"* ]]
  run timeout 10 "$EX/pgw-example-client" "$CI user=pgw_scram password=wrong" "SELECT 1"
  [[ $status -eq 2 && $output == *'password authentication failed for user "pgw_scram"'* ]]
}

@test "nonblocking: pipelined queries, an error in the middle, rows as psql prints them" {
  local q1="SELECT g, md5(g::text) FROM generate_series(1, 500) g" q2="SELECT 1/0" q3="SELECT 'after', NULL"
  run timeout 10 "$EX/pgw-example-nonblocking" "$CI user=pgw_scram password=scrampass" "$q1" "$q2" "$q3"
  [[ $status -eq 1 ]]
  [[ $output == *"ERROR: division by zero"* ]]
  timeout 10 "$EX/pgw-example-nonblocking" "$CI user=pgw_md5 password=md5pass" "$q1" "$q3" >"$W/out"
  { psql_rows pgw_md5 md5pass "$q1"; psql_rows pgw_md5 md5pass "$q3"; } >"$W/want"
  diff -u "$W/want" "$W/out"
}

@test "proxy: psql through it gets the same rows; a stray CopyDone is logged as a violation" {
  local port; port=$(free_port)
  "$EX/pgw-example-proxy" -v "$port" 127.0.0.1 "$PGW_PG_PORT" 2>"$W/proxy.log" &
  xp=$!
  wait_port "$port"
  PGPASSWORD=scrampass timeout 10 "$PSQL" "host=127.0.0.1 port=$port user=pgw_scram dbname=pgw" -X -At -F $'\t' -c "$Q" >"$W/out"
  psql_rows pgw_scram scrampass "$Q" >"$W/want"
  diff -u "$W/want" "$W/out"
  # a client that sends CopyDone outside COPY (PostgreSQL ignores it)
  python3 - "$port" <<'PY'
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
body = b"\0\3\0\0user\0pgw_trust\0database\0pgw\0\0"
s.sendall(struct.pack("!I", len(body) + 4) + body)
buf = b""
while not buf.endswith(b"Z\0\0\0\5I"): buf += s.recv(65536)
q = b"SELECT 1\0"
s.sendall(b"c\0\0\0\4" + b"Q" + struct.pack("!I", len(q) + 4) + q)
buf = b""
while not buf.endswith(b"Z\0\0\0\5I"): buf += s.recv(65536)
s.sendall(b"X\0\0\0\4"); s.close()
PY
  for i in $(seq 50); do grep -q "connection closed.*1 violations" "$W/proxy.log" && break; sleep 0.1; done
  cat "$W/proxy.log"
  grep -q "connection closed, .* messages, 0 violations" "$W/proxy.log"
  grep -q "proxy: F SASLInitialResponse" "$W/proxy.log"
  grep -q "violation F at byte 37: .*CopyDone.*\[frontend.copy-only-in-copy\]" "$W/proxy.log"
  grep -q "connection closed, .* messages, 1 violations" "$W/proxy.log"
}

@test "server: psql and the client example query its fixed table" {
  local port; port=$(free_port)
  "$EX/pgw-example-server" "$port" 2>"$W/server.log" &
  xp=$!
  wait_port "$port"
  run timeout 10 "$PSQL" "host=127.0.0.1 port=$port user=me dbname=x" -X -At -c "SELECT * FROM t"
  [[ $status -eq 0 ]]
  [[ $output == $'1|alpha\n2|beta\n3|' ]]
  run timeout 10 "$PSQL" "host=127.0.0.1 port=$port user=me dbname=x" -X -c "SELECT 1"
  [[ $output == *"(3 rows)"* ]]
  run timeout 10 "$EX/pgw-example-client" "host=127.0.0.1 port=$port user=me" "SELECT"
  [[ $status -eq 0 && $output == $'1\talpha\n2\tbeta\n3\t' ]]
}
