#!/usr/bin/env bats
# Smoke tests of the benchmarks (lib/bench, scripts/bench): they run on a
# small real capture and agree with each other. Speed is never asserted.
# Binaries: $PGW_BUILD_DIR/lib/bench (scripts/test exports it), else
# build/release/lib/bench.
#
# The fixture lib/bench/data/wide-200.bin is what PostgreSQL 18.4 sent for
#   SELECT i, md5(i::text), now(), i*1.5, repeat('x', i % 50)
#   FROM generate_series(1, 200) i
# (RowDescription, 200 DataRows, CommandComplete, ReadyForQuery), recorded
# with pgw-bench-capture; wide-200.bin.startup is the same server's answer
# to the StartupMessage (AuthenticationOk ... ReadyForQuery).

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export REPO
  export BENCH_DIR=${PGW_BUILD_DIR:-$REPO/build/release}/lib/bench
  export FIX=$REPO/lib/bench/data/wide-200.bin
  # Sum of the non-NULL column lengths of the fixture's 200 rows.
  export COLSUM=18520
}

setup() {
  [[ -x $BENCH_DIR/pgw-bench ]] || skip "pgw-bench not built ($BENCH_DIR); set PGW_BUILD_DIR"
}

teardown() {
  if [[ -n ${sp:-} ]]; then kill -TERM "$sp" 2>/dev/null || true; wait "$sp" 2>/dev/null || true; fi
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

@test "pgw-bench: every in-memory mode runs and sees the same rows" {
  run "$BENCH_DIR/pgw-bench" --mode bare,decode,conn,encode --passes 2 "$FIX"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 4 ]
  for mode in bare decode conn encode; do
    line=$(grep "^result mode=$mode " <<<"$output")
    [ "$(field messages "$line")" = 203 ]
    [ "$(field bytes "$line")" = 24065 ]
    if [[ $mode != encode ]]; then
      [ "$(field rows "$line")" = 200 ]
      [ "$(field columns "$line")" = 1000 ]
      [ "$(field colsum "$line")" = "$COLSUM" ]
    fi
    [ "$(field steady_allocs "$line")" = 0 ]
  done
}

@test "pgw-bench: one mode alone" {
  run "$BENCH_DIR/pgw-bench" --mode decode --passes 3 "$FIX"
  [ "$status" -eq 0 ]
  [[ $output == "result mode=decode messages=203 rows=200 bytes=24065 passes=3 "* ]]
}

@test "pgw-bench: split into 7-byte chunks, decode and conn still agree" {
  for mode in decode conn; do
    run "$BENCH_DIR/pgw-bench" --mode "$mode" --passes 2 --chunk 7 "$FIX"
    [ "$status" -eq 0 ]
    [ "$(field messages "$output")" = 203 ]
    [ "$(field colsum "$output")" = "$COLSUM" ]
  done
}

@test "pgw-bench: a truncated stream fails with the decoder's error" {
  head -c 1000 "$FIX" >"$BATS_TEST_TMPDIR/cut.bin"
  run "$BENCH_DIR/pgw-bench" --mode decode --passes 1 "$BATS_TEST_TMPDIR/cut.bin"
  [ "$status" -eq 1 ]
  [[ $output == *PGW_ERR_END_OF_STREAM* ]]
  run "$BENCH_DIR/pgw-bench" --mode bare --passes 1 "$BATS_TEST_TMPDIR/cut.bin"
  [ "$status" -eq 1 ]
}

@test "pgw-bench: usage errors exit 2" {
  run "$BENCH_DIR/pgw-bench" --mode nosuch "$FIX"
  [ "$status" -eq 2 ]
  run "$BENCH_DIR/pgw-bench" --passes 0 "$FIX"
  [ "$status" -eq 2 ]
  run "$BENCH_DIR/pgw-bench"
  [ "$status" -eq 2 ]
  run "$BENCH_DIR/pgw-bench" --mode encode --socket /nonexistent
  [ "$status" -eq 2 ]
}

@test "end to end: pgw-bench-server replays the capture to pgw's decoder and conn" {
  [[ -x $BENCH_DIR/pgw-bench-server ]] || skip "pgw-bench-server not built"
  sock=$BATS_TEST_TMPDIR/.s.PGSQL.5432
  for mode in decode conn; do
    "$BENCH_DIR/pgw-bench-server" --conns 3 "$sock" "$FIX" & sp=$!
    for i in $(seq 1 100); do [[ -S $sock ]] && break; sleep 0.05; done
    run "$BENCH_DIR/pgw-bench" --mode "$mode" --passes 2 --socket "$sock"
    [ "$status" -eq 0 ]
    [[ $output == "result mode=$mode-socket "* ]]
    [ "$(field messages "$output")" = 203 ]
    [ "$(field colsum "$output")" = "$COLSUM" ]
    wait "$sp"; sp=
  done
}

@test "end to end: libpq in single-row mode reads the same rows" {
  [[ -x $BENCH_DIR/pgw-bench-libpq ]] || skip "pgw-bench-libpq not built (no libpq-dev)"
  eval "$(bash "$REPO/scripts/deps" --print-env)"
  "$BENCH_DIR/pgw-bench-server" --conns 3 "$BATS_TEST_TMPDIR/.s.PGSQL.5432" "$FIX" & sp=$!
  for i in $(seq 1 100); do [[ -S $BATS_TEST_TMPDIR/.s.PGSQL.5432 ]] && break; sleep 0.05; done
  run env LD_LIBRARY_PATH="${PG18_LIB:-}" "$BENCH_DIR/pgw-bench-libpq" --passes 2 \
    "host=$BATS_TEST_TMPDIR port=5432 user=pgw_trust dbname=pgw sslmode=disable"
  [ "$status" -eq 0 ]
  [ "$(field rows "$output")" = 200 ]
  [ "$(field colsum "$output")" = "$COLSUM" ]
  wait "$sp"; sp=
}

@test "scripts/bench prints the table and the ratios for a given capture" {
  [[ -x $BENCH_DIR/pgw-bench-server ]] || skip "pgw-bench-server not built"
  run bash "$REPO/scripts/bench" --no-build --build "${BENCH_DIR%/lib/bench}" \
    --input "$FIX" --passes 2 --runs 2
  [ "$status" -eq 0 ]
  [[ $output == *"bare framing loop (bound)"* ]]
  [[ $output == *"pgw decode"* ]]
  [[ $output == *"pgw conn, e2e"* ]]
  [[ $output == *"wide-200: pgw decode / bare loop (msg/s)"*" = "* ]]
  [[ $output == *"wide-200: pgw conn e2e / libpq e2e (speed)"*" = "* ]] || [[ ! -x $BENCH_DIR/pgw-bench-libpq ]]
}

@test "pgw-bench: batch row reads (rows, conn-rows) see the same rows as decode" {
  run "$BENCH_DIR/pgw-bench" --mode decode,rows,conn-rows --passes 2 "$FIX"
  [ "$status" -eq 0 ]
  for mode in decode rows conn-rows; do
    line=$(grep "^result mode=$mode " <<<"$output")
    [ "$(field messages "$line")" = 203 ]
    [ "$(field rows "$line")" = 200 ]
    [ "$(field colsum "$line")" = "$COLSUM" ]
    [ "$(field steady_allocs "$line")" = 0 ] || [ "$mode" = conn-rows ]
  done
}

@test "pgw-bench: a recorded pgbench session through the observer and the bare loop" {
  local s=$REPO/conformance/sessions/pg15/pgbench-extended.pgs
  run "$BENCH_DIR/pgw-bench" --mode bare,observe --passes 2 "$s"
  [ "$status" -eq 0 ]
  bare=$(grep "^result mode=bare " <<<"$output")
  obs=$(grep "^result mode=observe " <<<"$output")
  [ "$(field messages "$bare")" = "$(field messages "$obs")" ]
  [ "$(field colsum "$bare")" = "$(field colsum "$obs")" ]
  [ "$(field messages "$obs")" = 42 ]
  run "$BENCH_DIR/pgw-bench" --mode decode --passes 1 "$s"
  [ "$status" -eq 2 ]   # a session file takes bare and observe only
}
