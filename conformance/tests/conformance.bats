#!/usr/bin/env bats
# Smoke test of the conformance runner (conformance/run check) on two
# committed sessions, and of its report when something is broken. Needs the
# pgw command and the scenario programs built ($PGW_BUILD or $PGW_BUILD_DIR,
# else build/release; $PGW_BIN for pgw) and PostgreSQL 18 (scripts/pg starts
# one here and stops it by PID).

SESSIONS='^pg18/(auth_ok-md5-libpq18|raw_portal_suspended)$'

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export REPO
  BUILD=${PGW_BUILD:-${PGW_BUILD_DIR:-$REPO/build/release}}
  export PGW_BUILD=$BUILD
  PGW=${PGW_BIN:-$BUILD/conformance/pgw}
  export PGW
  [[ -x $PGW && -x $BUILD/conformance/scenarios/auth_ok && -x $BUILD/conformance/scenarios/raw_portal_suspended ]] || return 0
  export PG_ENV=$BATS_FILE_TMPDIR/pg18.env
  bash "$REPO/scripts/pg" start 18 >"$PG_ENV" 2>"$BATS_FILE_TMPDIR/pg18.err" || rm -f "$PG_ENV"
}

teardown_file() {
  if [[ -f ${PG_ENV:-} ]]; then
    bash "$REPO/scripts/pg" stop "$(. "$PG_ENV"; echo "$PGW_PG_PID")" >/dev/null 2>&1 || true
  fi
}

setup() {
  [[ -x $PGW ]] || skip "pgw not built ($PGW)"
  [[ -x $PGW_BUILD/conformance/scenarios/auth_ok ]] || skip "scenarios not built under $PGW_BUILD"
  [[ -f ${PG_ENV:-} ]] || skip "PostgreSQL 18 did not start (scripts/pg start 18)"
  export PGW_PG18_ENV=$PG_ENV
}

# a scratch copy of the two sessions and their expected files
scratch() {
  local d=$BATS_TEST_TMPDIR/conf n
  mkdir -p "$d/sessions/pg18" "$d/expected/pg18"
  for n in auth_ok-md5-libpq18 raw_portal_suspended; do
    cp "$REPO/conformance/sessions/pg18/$n".* "$d/sessions/pg18/"
    cp "$REPO/conformance/expected/pg18/$n".* "$d/expected/pg18/"
  done
  export PGW_CONF_SESSIONS=$d/sessions PGW_CONF_EXPECTED=$d/expected
}

@test "check passes on two sessions: every check reported, summary per version" {
  run bash "$REPO/conformance/run" check "$SESSIONS"
  echo "$output"
  [ "$status" -eq 0 ]
  for c in roundtrip phases server client pqtrace; do
    grep -qE "^PASS $c +pg18/auth_ok-md5-libpq18\$" <<<"$output"
  done
  grep -qE '^PASS client +pg18/raw_portal_suspended$' <<<"$output"
  grep -qE '^SKIP pqtrace +pg18/raw_portal_suspended: raw scenario' <<<"$output"
  grep -qE '^PostgreSQL 18: 9 passed, 0 failed, 1 skipped$' <<<"$output"
  [ "${lines[-1]}" = "9 passed, 0 failed" ]
}

@test "a wrong expected phase fails and names the message" {
  scratch
  f=$PGW_CONF_EXPECTED/pg18/raw_portal_suspended.phases
  n=$(grep -n -m1 '^B PortalSuspended ExtendedQuery$' "$f" | cut -d: -f1)
  [ -n "$n" ]
  sed -i "${n}s/ExtendedQuery\$/SimpleQuery/" "$f"
  run bash "$REPO/conformance/run" check "$SESSIONS"
  echo "$output"
  [ "$status" -eq 1 ]
  grep -qE '^FAIL phases +pg18/raw_portal_suspended: differs from ' <<<"$output"
  grep -qF "line $n: expected 'B PortalSuspended SimpleQuery'" <<<"$output"
  grep -qF "line $n:      got 'B PortalSuspended ExtendedQuery'" <<<"$output"
  grep -qE '^PASS phases +pg18/auth_ok-md5-libpq18$' <<<"$output"
  [ "${lines[-1]}" = "8 passed, 1 failed" ]
}

@test "a changed expected stdout fails the client check" {
  scratch
  sed -i 's/^DataRow "3" "row 3"$/DataRow "3" "row three"/' "$PGW_CONF_EXPECTED/pg18/raw_portal_suspended.out"
  run bash "$REPO/conformance/run" check '^pg18/raw_portal_suspended$'
  echo "$output"
  [ "$status" -eq 1 ]
  grep -qE '^FAIL client +pg18/raw_portal_suspended: stdout \(exit 0\) differs' <<<"$output"
  grep -qF "expected 'DataRow \"3\" \"row three\"'" <<<"$output"
}

@test "older libpqs against PostgreSQL 18: 17 passes every check (pqtrace through the 15 filter), 13 too (its own format)" {
  run bash "$REPO/conformance/run" check '^pg18/(auth_ok-scram-libpq17|copy_in-libpq13|auth_ok-scram-libpq13)$'
  echo "$output"
  [ "$status" -eq 0 ]
  for c in roundtrip phases server client pqtrace; do
    grep -qE "^PASS $c +pg18/auth_ok-scram-libpq17\$" <<<"$output"
    grep -qE "^PASS $c +pg18/copy_in-libpq13\$" <<<"$output"
    grep -qE "^PASS $c +pg18/auth_ok-scram-libpq13\$" <<<"$output"
  done
  [ "${lines[-1]}" = "15 passed, 0 failed" ]
}

@test "a libpq 13 trace differing from pgw's --libpq=13 line fails the pqtrace check" {
  local d=$BATS_TEST_TMPDIR/conf n=copy_in-libpq13
  mkdir -p "$d/sessions/pg18" "$d/expected/pg18"
  cp "$REPO/conformance/sessions/pg18/$n".* "$d/sessions/pg18/"
  cp "$REPO/conformance/expected/pg18/$n".* "$d/expected/pg18/"
  export PGW_CONF_SESSIONS=$d/sessions PGW_CONF_EXPECTED=$d/expected
  sed -i 's/^To backend> Msg complete, length 70$/To backend> Msg complete, length 71/' "$d/sessions/pg18/$n.trace"
  run bash "$REPO/conformance/run" check "^pg18/$n\$"
  echo "$output"
  [ "$status" -eq 1 ]
  grep -qE "^FAIL pqtrace +pg18/$n: pgw dump --format=pqtrace --libpq=13 \| awk -f conformance/pqtrace13-reads.awk \(both\) differs" <<<"$output"
  grep -qF "line 3: expected 'To backend> Msg complete, length 71'" <<<"$output"
}

@test "a libpq 17 trace differing from pgw's --libpq=17 line fails the pqtrace check" {
  local d=$BATS_TEST_TMPDIR/conf n=auth_ok-scram-libpq17
  mkdir -p "$d/sessions/pg18" "$d/expected/pg18"
  cp "$REPO/conformance/sessions/pg18/$n".* "$d/sessions/pg18/"
  cp "$REPO/conformance/expected/pg18/$n".* "$d/expected/pg18/"
  export PGW_CONF_SESSIONS=$d/sessions PGW_CONF_EXPECTED=$d/expected
  # libpq 17 prints the startup packet as "Unknown message": make it right
  sed -i '1s/Unknown message: length is \([0-9]*\)/StartupMessage/' "$d/sessions/pg18/$n.trace"
  run bash "$REPO/conformance/run" check "^pg18/$n\$"
  echo "$output"
  [ "$status" -eq 1 ]
  grep -qE "^FAIL pqtrace +pg18/$n: pgw dump --format=pqtrace --libpq=17 \| sed -E -f conformance/pqtrace15.sed differs" <<<"$output"
}
