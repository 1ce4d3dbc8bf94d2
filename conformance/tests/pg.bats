#!/usr/bin/env bats
# Tests for scripts/pg: throwaway servers start, accept each test user with
# its method, and stop leaving no process and no directory behind.

setup_file() {
  export REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
  export PSQL=/usr/lib/postgresql/15/bin/psql
  eval "$(bash "$REPO/scripts/deps" --print-env)"
  export PG15_BIN PG18_BIN PG18_LIB PG13_BIN PG14_BIN PG16_BIN PG17_BIN
}

teardown() {
  # Stop whatever a failed test left running (by the PID it printed).
  if [[ -n ${PGW_PG_PID:-} ]] && kill -0 "$PGW_PG_PID" 2>/dev/null; then
    bash "$REPO/scripts/pg" stop "$PGW_PG_PID" >/dev/null 2>&1 || true
  fi
}

need() {
  [[ -x $1/postgres ]] || skip "$1/postgres not installed (run scripts/deps)"
}

start() {   # start ARGS... — start a server and load its variables (stdout only)
  local out
  out=$(bash "$REPO/scripts/pg" start "$@")
  eval "$out"
  [ -n "$PGW_PG_PID" ]
}

q() {   # q URL SQL — one value through libpq 15
  "$PSQL" -X -A -t -v ON_ERROR_STOP=1 "$1" -c "$2"
}
q18() {  # the same through libpq 18
  LD_LIBRARY_PATH="$PG18_LIB" "$PSQL" -X -A -t -v ON_ERROR_STOP=1 "$1" -c "$2"
}

stopped_cleanly() {   # PID DIR — no process, no directory
  local i
  for i in $(seq 1 50); do
    [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) =~ ^(|Z|X)$ ]] && break
    sleep 0.1
  done
  [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) =~ ^(|Z|X)$ ]]
  [ ! -e "$2" ]
  # no backend of that server either (they all stand in its data directory)
  local d
  for d in /proc/[0-9]*; do
    [[ $(readlink "$d/cwd" 2>/dev/null) != "$2"* ]] || return 1
  done
}

check_users() {   # check_users CLIENT — each user connects with its method
  local c=$1
  [ "$($c "$PGW_PG_URL_TRUST" 'select current_user')" = pgw_trust ]
  [ "$($c "$PGW_PG_URL_MD5" 'select current_user')" = pgw_md5 ]
  [ "$($c "$PGW_PG_URL_SCRAM" 'select current_user')" = pgw_scram ]
  [ "$($c "$PGW_PG_URL_CLEAR" 'select current_user')" = pgw_clear ]
}

@test "start 15: variables, loopback only, non-root, settings" {
  need "$PG15_BIN"
  start 15
  [ "$PGW_PG_VERSION" = 15 ]
  [ "$PGW_PG_HOST" = 127.0.0.1 ]
  [[ $PGW_PG_SERVER_VERSION == 15.* ]]
  [ "$PGW_PG_PORT" -ge 20000 ] && [ "$PGW_PG_PORT" -le 29999 ]
  [ -S "$PGW_PG_SOCKDIR/.s.PGSQL.$PGW_PG_PORT" ]
  [ "$(head -n1 "$PGW_PG_DATA/postmaster.pid")" = "$PGW_PG_PID" ]
  [ "$(stat -c %u /proc/$PGW_PG_PID)" -ne 0 ]
  [ -f "$PGW_PG_DIR/env" ]
  [ "$(q "$PGW_PG_URL_TRUST" 'show listen_addresses')" = 127.0.0.1 ]
  [ "$(q "$PGW_PG_URL_TRUST" 'show wal_level')" = logical ]
  [ "$(q "$PGW_PG_URL_TRUST" 'show ssl')" = off ]
  [ "$(q "$PGW_PG_URL_TRUST" 'show password_encryption')" = scram-sha-256 ]
  [ "$(q "$PGW_PG_URL_TRUST" 'show max_replication_slots')" -ge 1 ]
  [ "$(q "$PGW_PG_URL_TRUST" 'select current_database()')" = pgw ]
  bash "$REPO/scripts/pg" stop "$PGW_PG_PID"
  stopped_cleanly "$PGW_PG_PID" "$PGW_PG_DIR"
}

@test "pg15: every user connects through libpq 15 and libpq 18 with its method" {
  need "$PG15_BIN"; need "$PG18_BIN"
  start 15
  check_users q
  check_users q18
  q18 "$PGW_PG_URL_MD5?require_auth=md5" 'select 1'
  q18 "$PGW_PG_URL_SCRAM?require_auth=scram-sha-256" 'select 1'
  q18 "$PGW_PG_URL_CLEAR?require_auth=password" 'select 1'
  q18 "$PGW_PG_URL_TRUST?require_auth=none" 'select 1'
  run q "${PGW_PG_URL_SCRAM/scrampass/wrong}" 'select 1'
  [ "$status" -ne 0 ]
  [ "$(q "$PGW_PG_URL_TRUST" "select rolpassword like 'md5%' from pg_authid where rolname = 'pgw_md5'")" = t ]
  q "$PGW_PG_URL_REPL_PHYSICAL" IDENTIFY_SYSTEM
  q "$PGW_PG_URL_REPL_LOGICAL" IDENTIFY_SYSTEM
  bash "$REPO/scripts/pg" stop "$PGW_PG_DATA"
  stopped_cleanly "$PGW_PG_PID" "$PGW_PG_DIR"
}

@test "pg18: every user connects through libpq 15 and libpq 18 with its method" {
  need "$PG18_BIN"
  start 18
  [ "$PGW_PG_VERSION" = 18 ]
  [[ $PGW_PG_SERVER_VERSION == 18.* ]]
  [ "$PGW_PG_LIB" = "$PG18_LIB" ] || [[ $PGW_PG_LIB == /tmp/pgw-pg18-native-*/lib ]]
  check_users q
  check_users q18
  q18 "$PGW_PG_URL_MD5?require_auth=md5" 'select 1'
  q18 "$PGW_PG_URL_SCRAM?require_auth=scram-sha-256" 'select 1'
  q18 "$PGW_PG_URL_CLEAR?require_auth=password" 'select 1'
  run q18 "$PGW_PG_URL_SCRAM?require_auth=md5" 'select 1'
  [ "$status" -ne 0 ]
  q "$PGW_PG_URL_REPL_LOGICAL" IDENTIFY_SYSTEM
  bash "$REPO/scripts/pg" stop "$PGW_PG_DIR"
  stopped_cleanly "$PGW_PG_PID" "$PGW_PG_DIR"
}

@test "pg13, 14, 16, 17: each starts from the npm package with its libpq" {
  local v bin
  for v in 13 14 16 17; do
    eval "bin=\${PG${v}_BIN:-}"
    need "$bin"
    start "$v"
    [ "$PGW_PG_VERSION" = "$v" ]
    [[ $PGW_PG_SERVER_VERSION == "$v".* ]]
    check_users q
    q "$PGW_PG_URL_REPL_LOGICAL" IDENTIFY_SYSTEM
    bash "$REPO/scripts/pg" stop "$PGW_PG_DIR"
    stopped_cleanly "$PGW_PG_PID" "$PGW_PG_DIR"
  done
}

@test "start --port N uses that port; a taken port fails cleanly" {
  need "$PG15_BIN"
  local port
  port=$(python3 -c '
import random, socket
while True:
    p = random.randrange(20000, 30000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()')
  start 15 --port "$port"
  [ "$PGW_PG_PORT" = "$port" ]
  [ "$(q "$PGW_PG_URL_TRUST" 'show port')" = "$port" ]
  local first_pid=$PGW_PG_PID first_dir=$PGW_PG_DIR
  run bash "$REPO/scripts/pg" start 15 --port "$port"
  [ "$status" -ne 0 ]
  bash "$REPO/scripts/pg" stop "$first_pid"
  stopped_cleanly "$first_pid" "$first_dir"
}

@test "bad arguments are refused without touching anything" {
  run bash "$REPO/scripts/pg" start 12
  [ "$status" -ne 0 ]
  run bash "$REPO/scripts/pg" start 19
  [ "$status" -ne 0 ]
  run bash "$REPO/scripts/pg" start
  [ "$status" -ne 0 ]
  run bash "$REPO/scripts/pg" stop
  [ "$status" -ne 0 ]
  run bash "$REPO/scripts/pg" stop /tmp
  [ "$status" -ne 0 ]
  [ -d /tmp ]
  # PID 1 is not one of ours
  run bash "$REPO/scripts/pg" stop 1
  [ "$status" -ne 0 ]
  kill -0 1
}
