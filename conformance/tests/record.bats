#!/usr/bin/env bats
# pgw record left running: no stalls, bounded memory, safe files, many
# connections, IPv6 and unix sockets. The binary: $PGW_BIN, else
# build/release/conformance/pgw. Stand-in peers: record_peers.py; the
# psql tests start their own PostgreSQL 15 with scripts/pg.

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export REPO
  export PGW=${PGW_BIN:-$REPO/build/release/conformance/pgw}
  export PEERS=$BATS_TEST_DIRNAME/record_peers.py
}

setup() {
  [[ -x $PGW ]] || skip "pgw not built ($PGW); set PGW_BIN"
  command -v python3 >/dev/null || skip "python3 not installed"
  W=$BATS_TEST_TMPDIR
  rp= up= pp= PG_DIR=
}

teardown() {
  # what a failing test left running: by PID only
  local p
  for p in $rp $up $pp; do kill -TERM "$p" 2>/dev/null || true; done
  if [[ -n ${PG_DIR:-} ]]; then
    bash "$REPO/scripts/pg" stop "$PG_DIR" >/dev/null 2>&1 || true
  fi
}

start_pg() {
  [[ -x /usr/lib/postgresql/15/bin/postgres ]] || skip "PostgreSQL 15 not installed"
  command -v psql >/dev/null || skip "psql not installed"
  local env
  env=$(bash "$REPO/scripts/pg" start 15 2>"$W/pg.log") ||
    skip "scripts/pg start 15 failed: $(tail -3 "$W/pg.log")"
  eval "$env"
  PG_DIR=$PGW_PG_DIR
}

# start_upstream MODE [HOST]: a stand-in server; sets up (PID), UPORT.
start_upstream() {
  rm -f "$W/up.port"
  python3 "$PEERS" upstream "$1" "$W/up.port" "${2:-127.0.0.1}" &
  up=$!
  for _ in $(seq 100); do [[ -s $W/up.port ]] && break; sleep 0.05; done
  UPORT=$(cat "$W/up.port")
}

# start_rec LOG ARGS...: pgw record in the background on port 0; sets rp
# and RADDR (the address it printed) once it listens.
start_rec() {
  local log=$1; shift
  "$PGW" record "$@" 2>"$log" &
  rp=$!
  for _ in $(seq 100); do
    grep -q 'listening on' "$log" 2>/dev/null && break
    sleep 0.05
  done
  RADDR=$(sed -n 's/^pgw record: listening on \([^,]*\),.*/\1/p' "$log")
  RPORT=${RADDR##*:}
  [[ -n $RADDR ]]
}

# Peak resident memory of a process in MiB.
peak_mib() {
  awk '/^VmHWM/ { printf "%d\n", $2 / 1024 }' "/proc/$1/status"
}

@test "record: port 0 is printed; a non-loopback --listen needs --allow-remote" {
  start_upstream echo
  start_rec "$W/rec.log" --listen 127.0.0.1:0 --upstream 127.0.0.1:$UPORT -o "$W/s.pgs"
  [[ $RADDR =~ ^127\.0\.0\.1:[1-9][0-9]*$ ]]
  run timeout 20 python3 "$PEERS" latency "$RPORT" 3
  [ "$status" -eq 0 ]
  kill -TERM $rp; wait $rp; rp=
  [ -f "$W/s.pgs" ]
  run timeout 5 "$PGW" record --listen 0.0.0.0:0 --upstream 127.0.0.1:$UPORT -o "$W/r.pgs"
  [ "$status" -eq 2 ]
  [[ $output == *"add --allow-remote"* ]]
  start_rec "$W/any.log" --listen 0.0.0.0:0 --allow-remote --upstream 127.0.0.1:$UPORT -o "$W/r.pgs"
  grep -q 'warning: 0.0.0.0:[1-9][0-9]* can be reached from other hosts' "$W/any.log"
  kill -TERM $rp; wait $rp; rp=
  for a in nosuch:1 '[::1' '[::1]' '[::1]:70000' '[nosuch]:5' unix:relative/.s.PGSQL.5 unix: 127.0.0.1: :5; do
    run "$PGW" record --upstream "$a" -o "$W/x.pgs"
    [ "$status" -eq 2 ]
    [[ $output == *"bad --upstream address '$a'"* ]]
  done
  run "$PGW" record --listen '[::1]:99999' --upstream 127.0.0.1:1 -o "$W/x.pgs"
  [ "$status" -eq 2 ]
  [[ $output == *"bad --listen address"* ]]
  [ ! -e "$W/x.pgs" ] && [ ! -e "$W/x.pgs.partial" ]
}

@test "record: an upstream that never answers delays no other connection" {
  # The stand-in serves the first connection and then never accepts
  # (backlog 0): the second connect is queued, later ones stay unanswered.
  start_upstream hang
  start_rec "$W/rec.log" --upstream 127.0.0.1:$UPORT -o "$W/s.pgs" --connect-timeout 3
  python3 "$PEERS" hangprobe "$RPORT" 4 2 >"$W/client.out" &
  pp=$!
  wait $pp
  pp=
  cat "$W/client.out"
  [ "$(sed -n 's/^worst \([0-9]*\) ms$/\1/p' "$W/client.out")" -lt 200 ]
  [ "$(sed -n 's/^closed //p' "$W/client.out")" -ge 2 ]
  grep -q 'no answer within 3000 ms' "$W/rec.log"
  kill -TERM $rp; wait $rp || true; rp=
}

@test "record: a client that never reads: its server is read no further, memory stays bounded" {
  start_upstream flood
  start_rec "$W/rec.log" --upstream 127.0.0.1:$UPORT -o "$W/s.pgs"
  python3 "$PEERS" noread "$RPORT" >"$W/noread.out" &
  pp=$!
  sleep 2
  local before after
  before=$(stat -c %s "$W/s.pgs.partial")
  sleep 1
  after=$(stat -c %s "$W/s.pgs.partial")
  # what the socket buffers hold, then nothing more
  [ "$before" -eq "$after" ]
  [ "$after" -lt $((40 * 1024 * 1024)) ]
  [ "$(peak_mib $rp)" -lt 40 ]
  # and another connection still gets through (the stand-in floods it)
  run timeout 5 python3 -c "import socket,sys; c=socket.create_connection(('127.0.0.1',$RPORT)); c.sendall(b'f'); print(len(c.recv(65536)) > 0)"
  [ "$output" = True ]
  kill -TERM $rp; wait $rp || true; rp=
  [ -f "$W/s.pgs" ] && [ -f "$W/s-2.pgs" ]
}

@test "record: a Query announcing 1 GiB is forwarded with bounded memory" {
  start_upstream sink
  start_rec "$W/rec.log" --upstream 127.0.0.1:$UPORT -o "$W/s.pgs"
  run timeout 60 python3 "$PEERS" announce "$RPORT" 48
  [ "$status" -eq 0 ]
  sleep 0.3
  local peak; peak=$(peak_mib $rp)
  kill -TERM $rp; wait $rp || true; rp=
  echo "peak $peak MiB"
  [ "$peak" -lt 40 ]
  # every byte is in the session: 48 MiB + the 5-byte header + startup
  run "$PGW" dump "$W/s.pgs"
  grep -qE '^F +[A-Za-z]+ +StartupMessage' <<<"$output"
  local hex; hex=$(grep '^F ' "$W/s.pgs" | tr -d 'F \n' | wc -c)
  [ "$hex" -eq $(( (31 + 5 + 48 * 1048576) * 2 )) ]
}

@test "record: 500 concurrent connections, and the 501st gets SQLSTATE 53300" {
  start_upstream echo
  start_rec "$W/rec.log" --upstream 127.0.0.1:$UPORT -o "$W/s.pgs" --max-connections 500
  run timeout 60 python3 "$PEERS" many "$RPORT" 500
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "echoed 500" ]
  [[ ${lines[1]} == "S=FATAL V=FATAL C=53300 M=sorry, too many clients already D="* ]]
  kill -TERM $rp; wait $rp || true; rp=
  [ "$(ls "$W"/s*.pgs | wc -l)" -eq 500 ]
  [ "$(ls "$W" | grep -c partial)" -eq 0 ]
}

@test "record: psql over --max-connections prints PostgreSQL's 'too many clients'" {
  start_pg
  start_rec "$W/rec.log" --upstream 127.0.0.1:$PGW_PG_PORT -o "$W/s.pgs" --max-connections 1
  psql "host=127.0.0.1 port=$RPORT user=pgw_trust dbname=pgw" -X -c "select pg_sleep(3)" >/dev/null 2>&1 &
  pp=$!
  sleep 1
  run psql "host=127.0.0.1 port=$RPORT user=pgw_trust dbname=pgw" -X -c "select 1"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ $output == *"FATAL:  sorry, too many clients already"* ]]
  wait $pp; pp=
  kill -TERM $rp; wait $rp || true; rp=
}

@test "record: SIGTERM mid-session writes every open session; 0600, never overwritten" {
  start_pg
  start_rec "$W/rec.log" --upstream 127.0.0.1:$PGW_PG_PORT -o "$W/s.pgs"
  for i in 1 2 3; do
    psql "host=127.0.0.1 port=$RPORT user=pgw_trust dbname=pgw" -X -c "select $i" -c "select pg_sleep(20)" >/dev/null 2>&1 &
    eval "p$i=\$!"
  done
  sleep 1.5
  kill -TERM $rp; wait $rp; rp=
  wait $p1 $p2 $p3 || true
  [ "$(ls "$W"/s*.pgs | wc -l)" -eq 3 ]
  [ -z "$(ls "$W" | grep partial)" ]
  [ "$(stat -c %a "$W/s.pgs")" = 600 ]
  run "$PGW" dump "$W/s-2.pgs"
  [ "$status" -eq 0 ]
  grep -q 'query="select pg_sleep(20)"' <<<"$output"
  # a second run with the same -o takes the next free names
  cp "$W/s.pgs" "$W/first.copy"
  start_rec "$W/rec2.log" --upstream 127.0.0.1:$PGW_PG_PORT -o "$W/s.pgs"
  psql "host=127.0.0.1 port=$RPORT user=pgw_trust dbname=pgw" -X -c "select 9" >/dev/null
  sleep 0.3
  kill -INT $rp; wait $rp; rp=
  cmp "$W/s.pgs" "$W/first.copy"
  grep -q 'wrote .*/s-4.pgs' "$W/rec2.log"
}

@test "record: SIGKILL leaves NAME.partial; pgw dump reads it up to the last whole line" {
  start_pg
  start_rec "$W/rec.log" --upstream 127.0.0.1:$PGW_PG_PORT -o "$W/s.pgs" --flush-ms 50
  psql "host=127.0.0.1 port=$RPORT user=pgw_trust dbname=pgw" -X -c "select 42" -c "select pg_sleep(20)" >/dev/null 2>&1 &
  pp=$!
  sleep 1.5
  kill -KILL $rp; wait $rp || true; rp=
  wait $pp || true; pp=
  [ -f "$W/s.pgs.partial" ] && [ ! -f "$W/s.pgs" ]
  [ "$(stat -c %a "$W/s.pgs.partial")" = 600 ]
  run "$PGW" dump "$W/s.pgs.partial"
  echo "$output"
  [ "$status" -eq 0 ]
  grep -qE '^B +[A-Za-z]+ +DataRow +columns=\["42"\]' <<<"$output"
  grep -q 'query="select pg_sleep(20)"' <<<"$output"
  [[ $output == *"partial session: the stream stops after line "* ]]
  # cut inside a line, as a kill during a write leaves it
  head -c -7 "$W/s.pgs.partial" >"$W/cut.pgs.partial"
  run "$PGW" dump "$W/cut.pgs.partial"
  echo "$output"
  [[ $output == *"was cut while being written and is left out"* ]]
  # a finished file cut the same way is an error, not a partial session
  head -c -7 "$W/s.pgs.partial" >"$W/cut.pgs"
  run "$PGW" dump "$W/cut.pgs"
  [ "$status" -ne 0 ]
}

@test "record: IPv6 and unix sockets for --listen and --upstream (psql -h DIR)" {
  start_pg
  # unix listen, unix upstream: psql's default kind of connection
  mkdir "$W/sock"
  start_rec "$W/rec.log" --listen "unix:$W/sock/.s.PGSQL.7001" \
    --upstream "unix:$PGW_PG_SOCKDIR/.s.PGSQL.$PGW_PG_PORT" -o "$W/u.pgs"
  [ "$RADDR" = "unix:$W/sock/.s.PGSQL.7001" ]
  run psql -h "$W/sock" -p 7001 -U pgw_trust -d pgw -X -A -t -c "select 6 * 7"
  [ "$output" = 42 ]
  kill -TERM $rp; wait $rp; rp=
  [ ! -e "$W/sock/.s.PGSQL.7001" ]
  run "$PGW" dump "$W/u.pgs"
  grep -q 'query="select 6 \* 7"' <<<"$output"
  # IPv6 listen, TCP upstream
  start_rec "$W/rec6.log" --listen "[::1]:0" --upstream 127.0.0.1:$PGW_PG_PORT -o "$W/v6.pgs"
  [[ $RADDR =~ ^\[::1\]:[1-9][0-9]*$ ]]
  run psql "host=::1 port=$RPORT user=pgw_trust dbname=pgw" -X -A -t -c "select 7 * 6"
  [ "$output" = 42 ]
  kill -TERM $rp; wait $rp; rp=
  # IPv6 upstream
  start_upstream echo ::1
  start_rec "$W/rec6u.log" --upstream "[::1]:$UPORT" -o "$W/e.pgs"
  run timeout 10 python3 "$PEERS" latency "$RPORT" 3
  [ "$status" -eq 0 ]
  kill -TERM $rp; wait $rp; rp=
  grep -qx 'F 70696e67 30' "$W/e.pgs"
}
