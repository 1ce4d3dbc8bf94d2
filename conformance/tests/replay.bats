#!/usr/bin/env bats
# Tests of `pgw replay`, both directions, against real servers and a real
# client: PostgreSQL 15 and 18 started with scripts/pg, psql with libpq 15
# and (LD_LIBRARY_PATH) libpq 18. The binary: $PGW_BIN, else
# build/release/conformance/pgw. Sessions are recorded here with
# `pgw record`, then replayed to the server they came from (--to-server)
# and served to the same psql command (--to-client), whose output must be
# what it printed against the real server.

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export REPO
  export PGW=${PGW_BIN:-$REPO/build/release/conformance/pgw}
  export PSQL=/usr/lib/postgresql/15/bin/psql
  eval "$(bash "$REPO/scripts/deps" --print-env 2>/dev/null)" || true
  export PG18_LIB=${PG18_LIB:-}
  export PG18_BIN=${PG18_BIN:-}
}

setup() {
  [[ -x $PGW ]] || skip "pgw not built ($PGW); set PGW_BIN"
  [[ -x $PSQL ]] || skip "psql 15 not installed"
  W=$BATS_TEST_TMPDIR
}

teardown() {
  # whatever a failing test left running: by PID only
  local p
  for p in ${rp:-} ${sp:-} ${cp:-}; do kill -TERM "$p" 2>/dev/null || true; done
  if [[ -n ${PG_DIR:-} ]]; then
    bash "$REPO/scripts/pg" stop "$PG_DIR" >/dev/null 2>&1 || true
    PG_DIR=
  fi
}

start_pg() {   # start_pg 15|18
  local env
  if [[ $1 == 18 ]]; then
    [[ -n $PG18_BIN && -x $PG18_BIN/postgres ]] || skip "PostgreSQL 18 not installed (scripts/deps)"
  else
    [[ -x /usr/lib/postgresql/15/bin/postgres ]] || skip "PostgreSQL 15 not installed"
  fi
  env=$(bash "$REPO/scripts/pg" start "$1" 2>"$W/pg.log") ||
    skip "scripts/pg start $1 failed: $(tail -3 "$W/pg.log")"
  eval "$env"
  PG_DIR=$PGW_PG_DIR
}

# free_port, wait_listen (the "listening on" line in a log)
# shellcheck source=../../scripts/lib.sh
. "$BATS_TEST_DIRNAME/../../scripts/lib.sh" bats

# client PORT LIBPQ ARGS... — psql against 127.0.0.1:PORT (libpq 15 or 18);
# ARGS: a conninfo tail, then psql options. Output in $W/client.out.
client() {
  local port=$1 lib=$2 conn=$3; shift 3
  local ld=
  [[ $lib == 18 ]] && ld=$PG18_LIB
  LD_LIBRARY_PATH=$ld "$PSQL" -X "host=127.0.0.1 port=$port dbname=pgw $conn" \
    "$@" >"$W/client.out" 2>&1
}

# record NAME LIBPQ CONN ARGS... — run the client through pgw record; the
# session is $W/NAME.pgs (a cancel: $W/NAME-2.pgs), the client's output
# $W/NAME.expected.
record() {
  local name=$1; shift
  local port; port=$(free_port)
  "$PGW" record --listen 127.0.0.1:$port --upstream 127.0.0.1:$PGW_PG_PORT \
    -o "$W/$name.pgs" 2>"$W/rec.log" &
  rp=$!
  wait_listen "$W/rec.log"
  client "$port" "$@" || true
  cp "$W/client.out" "$W/$name.expected"
  sleep 0.3
  kill -TERM $rp; wait $rp || true; rp=
  [ -f "$W/$name.pgs" ]
}

# serve NAME PASSWORD LIBPQ CONN ARGS... — pgw replay --to-client, the same
# client against it; both must succeed and the client print what it printed
# against the server.
serve() {
  local name=$1 pw=$2; shift 2
  local port; port=$(free_port)
  "$PGW" replay --to-client 127.0.0.1:$port "$W/$name.pgs" --once --timeout 10 \
    ${pw:+--password "$pw"} >"$W/serve.out" 2>"$W/serve.log" &
  sp=$!
  wait_listen "$W/serve.log"
  client "$port" "$@" || true
  local rc=0
  wait $sp || rc=$?
  sp=
  cat "$W/serve.out" "$W/serve.log" >&2
  [ "$rc" -eq 0 ]
  grep -q "^replay $W/$name.pgs: [0-9]* messages ok\$" "$W/serve.out"
  # the same output, but for the port psql names in connection errors
  diff <(sed 's/port [0-9]*/port N/' "$W/$name.expected") \
       <(sed 's/port [0-9]*/port N/' "$W/client.out")
}

# replay_to_server NAME PASSWORD — must match the server.
replay_to_server() {
  run "$PGW" replay --to-server 127.0.0.1:$PGW_PG_PORT "$W/$1.pgs" ${2:+--password "$2"}
  echo "$output" >&2
  [ "$status" -eq 0 ]
  [[ $output =~ ^replay\ $W/$1.pgs:\ [0-9]+\ messages\ ok$ ]]
}

both_directions() {   # LIBPQ: every kind of session, both ways
  local lib=$1 proto=${2:-}
  record trust "$lib" "user=pgw_trust $proto" -c "select 1 as a, 'two' as b; select nosuch" \
    -c "create temp table t(a int, ts timestamptz default now())" \
    -c "insert into t(a) values (1) returning *" \
    -c "select a, ts, pg_current_wal_lsn(), txid_current()::text::xid from t" \
    -c "listen ch" -c "notify ch, 'x'"
  record md5 "$lib" "user=pgw_md5 password=md5pass" -c "select current_user"
  record scram "$lib" "user=pgw_scram password=scrampass $proto" -c "select current_user"
  record clear "$lib" "user=pgw_clear password=clearpass" -c "select current_user"
  record wrong "$lib" "user=pgw_md5 password=wrong" -c "select 1"
  record copy "$lib" "user=pgw_trust" \
    -c "copy (select g, 'row ' || g from generate_series(1,3) g) to stdout" \
    -c "do \$\$begin raise notice 'hello %', 42; end\$\$" -c ";" -c "begin" \
    -c "select 1/0" -c "rollback" -c "\\lo_import $BATS_TEST_FILENAME"

  replay_to_server trust ""
  replay_to_server md5 md5pass
  replay_to_server scram scrampass
  replay_to_server clear ""
  replay_to_server wrong wrong
  replay_to_server copy ""
  # a wrong password where the recording has the right one: the live
  # ErrorResponse is reported against the recorded AuthenticationOk
  run "$PGW" replay --to-server 127.0.0.1:$PGW_PG_PORT "$W/scram.pgs" --password nope
  [ "$status" -eq 1 ]
  [[ $output == *"message 8 of "*" differs (backend, stream offset "*", phase AuthSASLFinal"* ]]
  [[ $output == *"expected: B AuthSASLFinal   AuthenticationSASLFinal"* ]]
  [[ $output == *'actual:   B Failed          ErrorResponse            S="FATAL"'*'C="28P01"'* ]]

  serve trust "" "$lib" "user=pgw_trust $proto" -c "select 1 as a, 'two' as b; select nosuch" \
    -c "create temp table t(a int, ts timestamptz default now())" \
    -c "insert into t(a) values (1) returning *" \
    -c "select a, ts, pg_current_wal_lsn(), txid_current()::text::xid from t" \
    -c "listen ch" -c "notify ch, 'x'"
  serve md5 md5pass "$lib" "user=pgw_md5 password=md5pass" -c "select current_user"
  serve md5 "" "$lib" "user=pgw_md5 password=md5pass" -c "select current_user"
  serve scram scrampass "$lib" "user=pgw_scram password=scrampass $proto" -c "select current_user"
  serve clear "" "$lib" "user=pgw_clear password=clearpass" -c "select current_user"
  serve wrong md5pass "$lib" "user=pgw_md5 password=wrong" -c "select 1"
  serve copy "" "$lib" "user=pgw_trust" \
    -c "copy (select g, 'row ' || g from generate_series(1,3) g) to stdout" \
    -c "do \$\$begin raise notice 'hello %', 42; end\$\$" -c ";" -c "begin" \
    -c "select 1/0" -c "rollback" -c "\\lo_import $BATS_TEST_FILENAME"
}

@test "replay: PostgreSQL 15 and libpq 15, both directions" {
  start_pg 15
  both_directions 15
}

@test "replay: PostgreSQL 18 and libpq 18 with protocol 3.2, both directions" {
  [[ -n $PG18_LIB ]] || skip "libpq 18 not installed (scripts/deps)"
  start_pg 18
  both_directions 18 "max_protocol_version=3.2"
  grep -q 'StartupMessage *protocol="3.2"' <("$PGW" dump "$W/scram.pgs")
}

@test "replay: a cancel request on its own connection, paired by file name" {
  start_pg 15
  # psql sends a CancelRequest on a second connection on SIGINT
  local port; port=$(free_port)
  "$PGW" record --listen 127.0.0.1:$port --upstream 127.0.0.1:$PGW_PG_PORT \
    -o "$W/cancel.pgs" 2>"$W/rec.log" &
  rp=$!
  wait_listen "$W/rec.log"
  "$PSQL" -X "host=127.0.0.1 port=$port dbname=pgw user=pgw_trust" \
    -c "select pg_sleep(30)" >"$W/client.out" 2>&1 &
  cp=$!
  sleep 1; kill -INT $cp; wait $cp || true; cp=
  sleep 0.3; kill -TERM $rp; wait $rp || true; rp=
  [ -f "$W/cancel-2.pgs" ]
  run "$PGW" replay --to-server 127.0.0.1:$PGW_PG_PORT "$W/cancel.pgs"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == "replay $W/cancel.pgs: "*" messages ok" ]]
  run "$PGW" replay --to-server 127.0.0.1:$PGW_PG_PORT "$W/cancel-2.pgs"
  [ "$status" -eq 0 ]
  [[ $output == "replay $W/cancel-2.pgs: 1 messages ok" ]]
  # without its cancel the query runs on: nothing within the timeout
  run "$PGW" replay --to-server 127.0.0.1:$PGW_PG_PORT "$W/cancel.pgs" --no-cancel --timeout 2
  [ "$status" -eq 1 ]
  [[ $output == *"nothing arrived within 2000 ms"* ]]
  # --to-client: psql's cancel reaches pgw, which then answers "canceled"
  port=$(free_port)
  "$PGW" replay --to-client 127.0.0.1:$port "$W/cancel.pgs" --once --timeout 10 \
    >"$W/serve.out" 2>"$W/serve.log" &
  sp=$!
  wait_listen "$W/serve.log"
  "$PSQL" -X "host=127.0.0.1 port=$port dbname=pgw user=pgw_trust" \
    -c "select pg_sleep(30)" >"$W/client.out" 2>&1 &
  cp=$!
  sleep 1; kill -INT $cp; wait $cp || true; cp=
  wait $sp; sp=
  grep -q "canceling statement due to user request" "$W/client.out"
  grep -q "messages ok" "$W/serve.out"
}

@test "replay: the hand-made pg15 sessions replay to PostgreSQL 15" {
  start_pg 15
  # their roles: postgres (trust), md5user and scramuser
  "$PSQL" -X -q -h "$PGW_PG_SOCKDIR" -p "$PGW_PG_PORT" -U postgres -d postgres -c \
    "SET password_encryption='md5'; CREATE ROLE md5user LOGIN PASSWORD 'md5pass';
     SET password_encryption='scram-sha-256'; CREATE ROLE scramuser LOGIN PASSWORD 'scrampass';"
  printf '%s\n' 'host all postgres 127.0.0.1/32 trust' \
    'host all md5user 127.0.0.1/32 md5' 'host all scramuser 127.0.0.1/32 scram-sha-256' |
    as_server tee -a "$PGW_PG_DATA/pg_hba.conf" >/dev/null
  "$PSQL" -X -q -h "$PGW_PG_SOCKDIR" -p "$PGW_PG_PORT" -U postgres -d postgres \
    -c "select pg_reload_conf()" >/dev/null
  local f pw
  # the hand-made psql/pgbench recordings; the scenario recordings (users
  # pgw_*) are replayed by conformance/run check
  for f in "$REPO"/conformance/sessions/pg15/psql-*.pgs \
           "$REPO"/conformance/sessions/pg15/pgbench-*.pgs; do
    case $f in *md5*) pw=md5pass ;; *scram*) pw=scrampass ;; *wrong*) pw=wrong ;; *) pw= ;; esac
    run "$PGW" replay --to-server 127.0.0.1:$PGW_PG_PORT "$f" ${pw:+--password $pw}
    echo "$f: $output"
    [ "$status" -eq 0 ]
  done
}

as_server() {   # run a command as the server's user
  if [[ $(id -un) == "$PGW_PG_USER" ]]; then "$@"; else runuser -u "$PGW_PG_USER" -- "$@"; fi
}

@test "replay: a mismatch names the message, its direction, offset and phase" {
  start_pg 15
  record q 15 "user=pgw_trust" -c "select 41 + 1 as answer"
  # the recorded answer says 43: hex "3432" (42) becomes "3433"
  # (spaces inside a chunk's hex are optional: drop them to match)
  sed -e '/^B /{s/ //g;s/^B/B /;s/000000023432/000000023433/}' "$W/q.pgs" >"$W/bad.pgs"
  ! cmp -s "$W/q.pgs" "$W/bad.pgs"
  run "$PGW" replay --to-server 127.0.0.1:$PGW_PG_PORT "$W/bad.pgs"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ $output == *"bad.pgs: message "*" differs (backend, stream offset "*", phase SimpleQuery, line "*")"* ]]
  [[ $output == *'expected: B SimpleQuery     DataRow                  columns=["43"]'* ]]
  [[ $output == *'actual:   B SimpleQuery     DataRow                  columns=["42"]'* ]]
  [[ $output == *'sent:     F SimpleQuery     Query                    query="select 41 + 1 as answer"'* ]]
  # --to-client: the client's query differs from the recorded one
  local port; port=$(free_port)
  "$PGW" replay --to-client 127.0.0.1:$port "$W/q.pgs" --once --timeout 5 \
    >"$W/serve.out" 2>"$W/serve.log" &
  sp=$!
  wait_listen "$W/serve.log"
  client "$port" 15 "user=pgw_trust" -c "select 40 + 2 as answer" || true
  local rc=0
  wait $sp || rc=$?
  sp=
  cat "$W/serve.log"
  [ "$rc" -eq 1 ]
  grep -q 'message [0-9]* of [0-9]* differs (frontend, stream offset [0-9]*, phase SimpleQuery' "$W/serve.log"
  grep -q 'actual:   F SimpleQuery     Query                    query="select 40 + 2 as answer"' "$W/serve.log"
}

@test "replay: usage errors" {
  run "$PGW" replay "$REPO/conformance/sessions/pg15/psql-md5-login.pgs"
  [ "$status" -eq 2 ]
  run "$PGW" replay --to-server 127.0.0.1:1 --to-client 127.0.0.1:1 x.pgs
  [ "$status" -eq 2 ]
  run "$PGW" replay --to-server 127.0.0.1:1 "$W/missing.pgs"
  [ "$status" -eq 1 ]
  printf 'pgw-session 1\nF 00000010 04d2162e 00000001 00000002\n' >"$W/lonely.pgs"
  run "$PGW" replay --to-server 127.0.0.1:1 "$W/lonely.pgs"
  [ "$status" -eq 1 ]
  [[ $output == *"--cancel-of"* ]]
}
