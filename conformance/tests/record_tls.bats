#!/usr/bin/env bats
# pgw record --tls-cert: TLS terminated on both legs, with psql (the
# PostgreSQL 15 binary) on libpq 18 (.deps/pg18, via LD_LIBRARY_PATH)
# against one PostgreSQL 18 started with scripts/pg start 18 --ssl. Each
# recorded session must round-trip through pgw dump and pass certify
# session. The binary: $PGW_BIN, else build/release/conformance/pgw.

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export REPO
  export PGW=${PGW_BIN:-$REPO/build/release/conformance/pgw}
  export PSQL=/usr/lib/postgresql/15/bin/psql
  [[ -x $PSQL ]] || return 0
  bash "$REPO/scripts/pg" start 18 --ssl >"$BATS_FILE_TMPDIR/pg.env" \
    2>"$BATS_FILE_TMPDIR/pg.log" || rm -f "$BATS_FILE_TMPDIR/pg.env"
}

teardown_file() {
  if [[ -s $BATS_FILE_TMPDIR/pg.env ]]; then
    eval "$(cat "$BATS_FILE_TMPDIR/pg.env")"
    bash "$REPO/scripts/pg" stop "$PGW_PG_DIR" >/dev/null 2>&1 || true
  fi
}

setup() {
  [[ -x $PGW ]] || skip "pgw not built ($PGW); set PGW_BIN"
  [[ -x $PSQL ]] || skip "psql 15 not installed"
  [[ -s $BATS_FILE_TMPDIR/pg.env ]] ||
    skip "scripts/pg start 18 --ssl failed: $(tail -3 "$BATS_FILE_TMPDIR/pg.log")"
  eval "$(cat "$BATS_FILE_TMPDIR/pg.env")"
  T=$PGW_PG_DIR/tls
  W=$BATS_TEST_TMPDIR
  rp=
}

teardown() {
  [[ -z $rp ]] || kill -TERM "$rp" 2>/dev/null || true
}

# start_rec LOG ARGS...: pgw record --once on port 0 towards the server;
# sets rp and RPORT once it listens.
start_rec() {
  local log=$1; shift
  "$PGW" record --once --upstream "127.0.0.1:$PGW_PG_PORT" "$@" 2>"$log" &
  rp=$!
  for _ in $(seq 100); do
    grep -q 'listening on' "$log" 2>/dev/null && break
    sleep 0.05
  done
  RPORT=$(sed -n 's/^pgw record: listening on [^,]*:\([0-9]*\),.*/\1/p' "$log")
  [[ -n $RPORT ]]
}

# q CONNINFO: psql on libpq 18 through the recorder as pgw_ssl.
q() {
  PGPASSWORD=sslpass LD_LIBRARY_PATH=$PGW_PG_LIB timeout 15 "$PSQL" -X -At \
    "host=localhost port=$RPORT user=pgw_ssl dbname=pgw $1" -c "select 40 + 2"
}

# finish FILE: the recorder ended; the session is sound.
finish() {
  timeout 10 tail --pid="$rp" -f /dev/null; rp=
  [ -f "$1" ]
  run "$PGW" dump --roundtrip "$1"
  [ "$status" -eq 0 ]
  run "$PGW" certify session "$1"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == PASS* ]]
}

tls_args() { echo --tls-cert "$T/server.crt" --tls-key "$T/server.key"; }

@test "record --tls-cert: sslmode=require, the startup and query decrypted after @ tls on" {
  start_rec "$W/rec.log" -o "$W/s.pgs" $(tls_args)
  run q "sslmode=require"
  [ "$status" -eq 0 ]; [ "$output" = 42 ]
  finish "$W/s.pgs"
  # the clear SSLRequest and 'S', then the switch, then the startup packet
  sed -n 2,4p "$W/s.pgs" >"$W/head"
  [ "$(sed -n 1p "$W/head")" = "F 00000008 04d2162f" ]
  [ "$(sed -n 2p "$W/head")" = "B 53" ]
  [ "$(sed -n 3p "$W/head")" = "@ tls on" ]
  grep -q '^@ server PostgreSQL 18' "$W/s.pgs"
  run "$PGW" dump "$W/s.pgs"
  [[ $output == *'query="select 40 + 2"'* ]]
}

@test "record --tls-cert --upstream-ca: verify-full on both legs; SCRAM-SHA-256-PLUS with channel_binding=require" {
  start_rec "$W/rec.log" -o "$W/s.pgs" $(tls_args) --upstream-ca "$T/ca.crt"
  run q "sslmode=verify-full sslrootcert=$T/ca.crt channel_binding=require"
  [ "$status" -eq 0 ]; [ "$output" = 42 ]
  finish "$W/s.pgs"
  grep -q 'upstream leg TLSv1.[23], verified' "$W/s.pgs"
  run "$PGW" dump "$W/s.pgs"
  [[ $output == *'mechanism="SCRAM-SHA-256-PLUS" data="p=tls-server-end-point,,'* ]]
  [[ $output == *AuthenticationOk* ]]
}

@test "record --tls-cert: direct SSL (sslnegotiation=direct) is recorded after @ tls direct" {
  start_rec "$W/rec.log" -o "$W/s.pgs" $(tls_args) --upstream-ca "$T/ca.crt"
  run q "sslmode=require sslnegotiation=direct"
  [ "$status" -eq 0 ]; [ "$output" = 42 ]
  finish "$W/s.pgs"
  [ "$(sed -n 2p "$W/s.pgs")" = "@ tls direct" ]
  grep -q "ALPN 'postgresql'; upstream leg" "$W/s.pgs"
  run "$PGW" dump "$W/s.pgs"
  [[ $output == *StartupMessage* ]]
}

@test "record --tls-cert with another certificate: channel_binding=require fails (tls-server-end-point differs), disable works" {
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$W/k.pem" -out "$W/c.pem" >/dev/null 2>&1
  start_rec "$W/rec.log" -o "$W/s.pgs" --tls-cert "$W/c.pem" --tls-key "$W/k.pem"
  run q "sslmode=require channel_binding=require"
  [ "$status" -ne 0 ]
  echo "$output"
  [[ $output == *"FATAL:  SCRAM channel binding check failed"* ]]
  timeout 10 tail --pid="$rp" -f /dev/null; rp=
  start_rec "$W/rec2.log" -o "$W/p.pgs" --tls-cert "$W/c.pem" --tls-key "$W/k.pem"
  run q "sslmode=require channel_binding=disable"
  [ "$status" -eq 0 ]; [ "$output" = 42 ]
  finish "$W/p.pgs"
}

@test "record without --tls-cert: TLS is forwarded, not recorded; bad TLS options are usage errors" {
  start_rec "$W/rec.log" -o "$W/s.pgs"
  run q "sslmode=require"
  [ "$status" -eq 0 ]; [ "$output" = 42 ]
  timeout 10 tail --pid="$rp" -f /dev/null; rp=
  ! grep -q '^@ tls' "$W/s.pgs"
  grep -q 'switched to TLS' "$W/s.pgs"
  run "$PGW" record --upstream 127.0.0.1:1 -o "$W/x.pgs" --tls-cert "$T/server.crt"
  [ "$status" -eq 2 ]
  run timeout 5 "$PGW" record --upstream 127.0.0.1:1 -o "$W/x.pgs" --tls-cert "$W/none" --tls-key "$W/none"
  [ "$status" -eq 1 ]
  [[ $output == *"cannot load the certificate"* ]]
}

@test "record --tls-cert: a client stalled in its TLS handshake holds up no other connection" {
  "$PGW" record --upstream "127.0.0.1:$PGW_PG_PORT" -o "$W/s.pgs" $(tls_args) 2>"$W/rec.log" &
  rp=$!
  for _ in $(seq 100); do grep -q 'listening on' "$W/rec.log" && break; sleep 0.05; done
  RPORT=$(sed -n 's/^pgw record: listening on [^,]*:\([0-9]*\),.*/\1/p' "$W/rec.log")
  # SSLRequest, read the server's 'S', then never send a ClientHello
  exec 7<>"/dev/tcp/127.0.0.1/$RPORT"
  printf '\x00\x00\x00\x08\x04\xd2\x16\x2f' >&7
  [ "$(timeout 5 head -c1 <&7)" = S ]
  run q "sslmode=require"
  [ "$status" -eq 0 ]; [ "$output" = 42 ]
  exec 7>&-
  kill -TERM "$rp"; timeout 10 tail --pid="$rp" -f /dev/null; rp=
  run "$PGW" certify session "$W/s-2.pgs"
  [[ $output == PASS* ]]
  grep -q '^@ tls on' "$W/s.pgs"
}

@test "replay --to-server of TLS sessions: SSLRequest or direct SSL, SCRAM-SHA-256-PLUS recomputed for this server's certificate" {
  local f D=$REPO/conformance/sessions/pg18/tls
  # recorded against other scripts/pg servers: other certificates
  for f in record-psql-scram-plus record-psql-direct simple_query_select-one direct-simple_query_select-one; do
    PGPASSWORD=sslpass run timeout 20 "$PGW" replay --to-server "127.0.0.1:$PGW_PG_PORT" "$D/$f.pgs"
    echo "$f: $output"
    [ "$status" -eq 0 ]
    [[ $output == *"messages ok"* ]]
  done
  # a session recorded here just now, through the recorder
  start_rec "$W/rec.log" -o "$W/s.pgs" $(tls_args)
  run q "sslmode=require channel_binding=require"
  [ "$status" -eq 0 ]
  finish "$W/s.pgs"
  PGPASSWORD=sslpass run timeout 20 "$PGW" replay --to-server "127.0.0.1:$PGW_PG_PORT" "$W/s.pgs"
  [ "$status" -eq 0 ]
  PGPASSWORD=wrong run timeout 20 "$PGW" replay --to-server "127.0.0.1:$PGW_PG_PORT" "$W/s.pgs"
  [ "$status" -ne 0 ]
  run timeout 5 "$PGW" replay --to-client 127.0.0.1:0 "$W/s.pgs"
  [ "$status" -eq 2 ]
  [[ $output == *"needs --tls-cert and --tls-key"* ]]
}

@test "replay --to-server --tls-ca [--tls-host]: the server's certificate verified, a wrong CA or name refused" {
  local f=$REPO/conformance/sessions/pg18/tls/simple_query_select-one.pgs
  PGPASSWORD=sslpass run timeout 20 "$PGW" replay --to-server "127.0.0.1:$PGW_PG_PORT" \
    --tls-ca "$T/ca.crt" --tls-host localhost "$f"
  echo "$output"
  [ "$status" -eq 0 ]
  PGPASSWORD=sslpass run timeout 20 "$PGW" replay --to-server "127.0.0.1:$PGW_PG_PORT" \
    --tls-ca "$T/ca.crt" --tls-host 127.0.0.1 "$f"
  [ "$status" -eq 0 ]
  PGPASSWORD=sslpass run timeout 20 "$PGW" replay --to-server "127.0.0.1:$PGW_PG_PORT" \
    --tls-ca "$T/ca.crt" --tls-host other.example "$f"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ $output == *"handshake failed"* ]]
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=other CA" \
    -keyout "$W/other.key" -out "$W/other.crt" 2>/dev/null
  PGPASSWORD=sslpass run timeout 20 "$PGW" replay --to-server "127.0.0.1:$PGW_PG_PORT" \
    --tls-ca "$W/other.crt" "$f"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ $output == *"certificate verify failed"* ]]
  run "$PGW" replay --to-client 127.0.0.1:0 --tls-ca "$T/ca.crt" "$f"
  [ "$status" -eq 2 ]
  run "$PGW" replay --to-server 127.0.0.1:1 --tls-host localhost "$f"
  [ "$status" -eq 2 ]
}

# cancel_client CONNINFO: tests/cancel_tls.c (libpq 18's PQcancelCreate,
# which cancels over the main connection's encryption) on libpq 18.
cancel_client() {
  [[ -x $W/cancel_tls ]] ||
    cc -Wall -o "$W/cancel_tls" "$BATS_TEST_DIRNAME/cancel_tls.c" \
      -I"$(pg_config --includedir)" "$PGW_PG_LIB/libpq.so.5"
  PGPASSWORD=sslpass LD_LIBRARY_PATH=$PGW_PG_LIB timeout 20 "$W/cancel_tls" \
    "host=localhost port=$1 user=pgw_ssl dbname=pgw sslmode=require $2"
}

@test "a cancel inside TLS (libpq 18 PQcancelCreate): recorded, replayed to the server and served to the client, SSLRequest and direct SSL" {
  local neg f
  for neg in "" "sslnegotiation=direct"; do
    rm -f "$W"/c*.pgs
    "$PGW" record --upstream "127.0.0.1:$PGW_PG_PORT" --listen 127.0.0.1:0 \
      -o "$W/c.pgs" $(tls_args) 2>"$W/rec.log" &
    rp=$!
    for _ in $(seq 100); do grep -q 'listening on' "$W/rec.log" && break; sleep 0.05; done
    RPORT=$(sed -n 's/^pgw record: listening on [^,]*:\([0-9]*\),.*/\1/p' "$W/rec.log")
    run cancel_client "$RPORT" "$neg"
    echo "$output"
    [ "$status" -eq 0 ]; [ "$output" = 57014 ]
    for _ in $(seq 100); do [[ -f $W/c.pgs && -f $W/c-2.pgs ]] && break; sleep 0.05; done
    kill -TERM "$rp"; wait "$rp" || true; rp=
    if [[ -z $neg ]]; then grep -q '^@ tls on' "$W/c-2.pgs"; else grep -q '^@ tls direct' "$W/c-2.pgs"; fi
    grep -q '^F 00000010 04d2162e' "$W/c-2.pgs" # the CancelRequest, decrypted
    # replayed to the server: the cancel goes inside TLS, the query ends 57014
    PGPASSWORD=sslpass run timeout 30 "$PGW" replay --to-server "127.0.0.1:$PGW_PG_PORT" "$W/c.pgs"
    echo "$output"
    [ "$status" -eq 0 ]
    # served to the client: its cancel connection is answered inside TLS
    "$PGW" replay --to-client 127.0.0.1:0 --once $(tls_args) --password sslpass \
      "$W/c.pgs" >"$W/rp.out" 2>"$W/rp.err" &
    rp=$!
    for _ in $(seq 100); do grep -q 'listening on' "$W/rp.err" && break; sleep 0.05; done
    port=$(sed -n 's/^pgw replay: listening on [^:]*:\([0-9]*\)$/\1/p' "$W/rp.err")
    run cancel_client "$port" "$neg"
    echo "$output"; cat "$W/rp.err"
    [ "$status" -eq 0 ]; [ "$output" = 57014 ]
    wait "$rp"; rp=
  done
  # the committed recordings, against this server
  for f in record-cancel-tls record-cancel-direct; do
    PGPASSWORD=sslpass run timeout 30 "$PGW" replay --to-server "127.0.0.1:$PGW_PG_PORT" \
      "$REPO/conformance/sessions/pg18/tls/$f.pgs"
    echo "$f: $output"
    [ "$status" -eq 0 ]
  done
}

# serve FILE EXTRA: pgw replay --to-client of FILE with the server's
# certificate, psql on libpq 18 against it; sets out (psql) and rrc.
serve() {
  "$PGW" replay --to-client 127.0.0.1:0 --once $(tls_args) --password sslpass \
    "$1" >"$W/rp.out" 2>"$W/rp.err" &
  rp=$!
  for _ in $(seq 100); do
    grep -q 'listening on' "$W/rp.err" 2>/dev/null && break
    sleep 0.05
  done
  local port
  port=$(sed -n 's/^pgw replay: listening on [^:]*:\([0-9]*\)$/\1/p' "$W/rp.err")
  out=$(PGPASSWORD=${PW:-sslpass} LD_LIBRARY_PATH=$PGW_PG_LIB timeout 15 "$PSQL" -X -At \
    "host=localhost port=$port user=pgw_ssl dbname=pgw sslmode=require channel_binding=require $2" \
    -c "select 40 + 2" 2>&1) || true
  rrc=0
  wait "$rp" || rrc=$?
  rp=
}

@test "replay --to-client of TLS sessions: psql gets the recorded answer over SSLRequest and direct SSL, SCRAM-PLUS checked" {
  local D=$REPO/conformance/sessions/pg18/tls
  serve "$D/record-psql-scram-plus.pgs" ""
  echo "$out"; cat "$W/rp.err"
  [ "$rrc" -eq 0 ]; [ "$out" = 42 ]
  grep -q 'messages ok' "$W/rp.out"
  serve "$D/record-psql-direct.pgs" "sslnegotiation=direct"
  echo "$out"; cat "$W/rp.err"
  [ "$rrc" -eq 0 ]; [ "$out" = 42 ]
  # a wrong password: the client's proof does not verify
  PW=wrong serve "$D/record-psql-scram-plus.pgs" ""
  [ "$rrc" -ne 0 ]
}
