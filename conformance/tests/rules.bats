#!/usr/bin/env bats
# `pgw rules` and the verdict modes of `pgw dump`: every refusal names its
# rule and level; --reference accepts documented-level deviations with a
# warning and still refuses reference-level ones; --server-protocol and
# the session's "@ server" line decide the CancelRequest key length.

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export REPO
  export PGW=${PGW_BIN:-$REPO/build/release/conformance/pgw}
}

setup() {
  [[ -x $PGW ]] || skip "pgw not built ($PGW); set PGW_BIN"
  T=$(mktemp -d)
}

teardown() {
  rm -rf "$T"
}

# session FILE LINES...: a session file from F/B/@ lines
session() {
  local f=$1; shift
  { echo "pgw-session 1"; printf '%s\n' "$@"; } >"$f"
}

# A trust login to a 3.0 server, then whatever the test adds.
LOGIN=(
  "F 00000012 00030000 7573657200 70677700 00"
  "B 52000000 0800000000"
  "B 4b0000000c 00001234 01020304"
  "B 5a00000005 49"
)

@test "rules: one line per rule, and the Markdown is conformance/RULES.md" {
  run "$PGW" rules
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -gt 40 ]
  grep -q '^frontend.length.small-limit  *reference ' <<<"$output"
  grep -q '^Terminate.no-trailing-bytes  *documented ' <<<"$output"
  run "$PGW" rules --markdown
  [ "$status" -eq 0 ]
  diff <(echo "$output") "$REPO/conformance/RULES.md"
}

@test "dump: a documented deviation fails strict, passes --reference with a warning" {
  session "$T/s.pgs" "${LOGIN[@]}" "F 58 00000005 00"
  run "$PGW" dump "$T/s.pgs"
  [ "$status" -eq 1 ]
  grep -q 'PGW_ERR_TRAILING_BYTES.*\[rule Terminate.no-trailing-bytes, documented\]' <<<"$output"
  run "$PGW" dump --reference "$T/s.pgs"
  [ "$status" -eq 0 ]
  grep -q '^pgw dump: warning: .*\[rule Terminate.no-trailing-bytes, documented\]' <<<"$output"
}

@test "dump: --reference still refuses a reference-level rule" {
  # Close with length word 10001: PostgreSQL's PQ_SMALL_MESSAGE_LIMIT
  session "$T/s.pgs" "${LOGIN[@]}" "F 43 00002711 50"
  run "$PGW" dump --reference "$T/s.pgs"
  [ "$status" -eq 1 ]
  grep -q 'PGW_ERR_TOO_LARGE.*\[rule frontend.length.small-limit, reference\]' <<<"$output"
}

@test "dump --json: the refusal is a last object with rule and level" {
  session "$T/s.pgs" "${LOGIN[@]}" "B 5a00000005 58"
  run "$PGW" dump --json "$T/s.pgs"
  [ "$status" -eq 1 ]
  last=$(grep '^{"error"' <<<"$output")
  python3 -c 'import json,sys; e=json.loads(sys.argv[1])["error"]; assert e["rule"]=="ReadyForQuery.status" and e["level"]=="documented" and e["dir"]=="B", e' "$last"
}

@test "dump: DataRow column count must match the RowDescription (libpq)" {
  # Query "x"; RowDescription with one int4 column; a DataRow with two
  session "$T/s.pgs" "${LOGIN[@]}" "F 51 00000006 7800" \
    "B 54 0000001a 0001 6100 00000000 0000 00000017 0004 ffffffff 0000" \
    "B 44 00000010 0002 00000001 31 00000001 32"
  run "$PGW" dump "$T/s.pgs"
  [ "$status" -eq 1 ]
  grep -q 'rule DataRow.count-matches-RowDescription, reference' <<<"$output"
}

@test "dump: the CancelRequest key length follows what the server speaks" {
  session "$T/c.pgs" "@ server PostgreSQL 15.18" \
    "F 00000014 04d2162e 00001234 0102030405060708"
  run "$PGW" dump "$T/c.pgs"
  [ "$status" -eq 1 ]
  grep -q 'rule CancelRequest.key-4-bytes-in-3.0, reference' <<<"$output"
  run "$PGW" dump --server-protocol=3.2 "$T/c.pgs"
  [ "$status" -eq 0 ]
  run "$PGW" dump --server-protocol=9.9 "$T/c.pgs"
  [ "$status" -eq 2 ]
}
