#!/usr/bin/env bats
# Tests of `pgw certify`: the catalogue (ids, rules, CASES.md), the
# verdicts against a server that never answers, `certify session`, and
# whole certifications of PostgreSQL 15 and 18 started with scripts/pg
# (every MUST case must pass). The binary: $PGW_BIN, else
# build/release/conformance/pgw.

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export REPO
  export PGW=${PGW_BIN:-$REPO/build/release/conformance/pgw}
}

setup() {
  [[ -x $PGW ]] || skip "pgw not built ($PGW); set PGW_BIN"
  W=$BATS_TEST_TMPDIR
}

teardown() {
  if [[ -n ${sp:-} ]]; then kill -TERM "$sp" 2>/dev/null || true; fi
  if [[ -n ${PG_DIR:-} ]]; then
    bash "$REPO/scripts/pg" stop "$PG_DIR" >/dev/null 2>&1 || true
    PG_DIR=
  fi
}

start_pg() {   # start_pg 15|18
  local env
  env=$(bash "$REPO/scripts/pg" start "$1" 2>"$W/pg.log") ||
    skip "scripts/pg start $1 failed: $(tail -3 "$W/pg.log")"
  eval "$env"
  PG_DIR=$PGW_PG_DIR
}

# A TCP server on a free port that accepts and never answers; sets PORT.
silent_server() {
  python3 - "$W/port" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
while True:
    c, _ = s.accept()
    conns.append(c)
PY
  sp=$!
  for _ in $(seq 50); do [[ -s $W/port ]] && break; sleep 0.1; done
  PORT=$(cat "$W/port")
}

# ---- the catalogue -----------------------------------------------------------

@test "certify: the catalogue has 200+ cases with unique ids in the documented sections" {
  run "$PGW" certify server --list
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -ge 200 ]
  ids=$(awk '{print $2}' <<<"$output")
  [ "$(sort <<<"$ids" | uniq -d)" = "" ]
  bad=$(cut -d/ -f1 <<<"$ids" | sort -u | grep -vxE 'startup|negotiation|auth|simple|extended|pipeline|copy|fastpath|async|cancel|termination|errors|limits|replication' || true)
  [ "$bad" = "" ]
  # every line: a level, an id, what it checks, its rules
  [ "$(grep -cvE '^(MUST|SHOULD) +[a-z]+/[^ ]+  .+  \[[^]]+\]$' <<<"$output")" -eq 0 ]
}

@test "certify: every rule a case names is a rule of pgw rules or of certify rules" {
  run "$PGW" rules
  [ "$status" -eq 0 ]
  lib=$(awk '{print $1}' <<<"$output" | sort -u)
  run "$PGW" certify rules
  [ "$status" -eq 0 ]
  own=$(awk '{print $1}' <<<"$output" | sort -u)
  # certify's own list does not shadow the library's table
  [ "$(comm -12 <(echo "$lib") <(echo "$own"))" = "" ]
  run "$PGW" certify server --list
  named=$(sed -E 's/.*\[([^]]*)\]$/\1/' <<<"$output" | tr ' ' '\n' | sort -u)
  missing=$(comm -23 <(echo "$named") <(sort -u <(echo "$lib"; echo "$own")))
  echo "unknown rules: $missing"
  [ "$missing" = "" ]
}

@test "certify: every SHOULD case says what PostgreSQL does" {
  run "$PGW" certify server --list --markdown
  [ "$status" -eq 0 ]
  [ "$(grep '| SHOULD |' <<<"$output" | grep -vc 'PostgreSQL:')" -eq 0 ]
}

@test "certify: conformance/certify/CASES.md is generated from the table" {
  "$PGW" certify server --list --markdown >"$W/CASES.md"
  diff -u "$REPO/conformance/certify/CASES.md" "$W/CASES.md"
}

@test "certify: --cases selects by prefix, by glob and by list" {
  run "$PGW" certify server --list --cases copy
  [ "$status" -eq 0 ]
  [ "$(awk '{print $2}' <<<"$output" | grep -vc '^copy/')" -eq 0 ]
  run "$PGW" certify server --list --cases 'extended/*/missing-*,fastpath/call'
  [ "${#lines[@]}" -ge 4 ]
  grep -q ' fastpath/call ' <<<"$output"
}

@test "certify: bad arguments exit 2" {
  run "$PGW" certify server
  [ "$status" -eq 2 ]
  run "$PGW" certify server 127.0.0.1:1 --no-such-option
  [ "$status" -eq 2 ]
  run "$PGW" certify
  [ "$status" -eq 2 ]
}

# ---- verdicts without a real server ------------------------------------------

@test "certify: a server that never answers: a FAIL that says how long it waited, within the deadline" {
  silent_server
  SECONDS=0
  run "$PGW" certify server "127.0.0.1:$PORT" --user u --cases startup/login/completes,simple/query/select-one --timeout 1 --json "$W/r.json"
  [ "$status" -eq 1 ]
  [ "$SECONDS" -lt 10 ]
  grep -q 'FAIL.*startup/login/completes' <<<"$output"
  grep -q 'hang: no answer within 1000 ms' <<<"$output"
  python3 - "$W/r.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2, rows
for r in rows:
    assert set(r) >= {"id", "level", "verdict", "rule", "detail", "duration_ms"}, r
    assert r["verdict"] == "FAIL" and r["rule"] == "startup.flow" or r["rule"], r
PY
}

@test "certify: --stop-after-hang ends the run at the first case that hung" {
  silent_server
  run "$PGW" certify server "127.0.0.1:$PORT" --user u --cases simple/query/select-one,simple/query/empty --timeout 0.5 --stop-after-hang --json "$W/r.json"
  [ "$status" -eq 1 ]
  grep -q 'stopped after a hang: 1 of 2 cases run' <<<"$output"
  [ "$(wc -l <"$W/r.json")" -eq 1 ]
}

@test "certify: a SHOULD case not met is NON-STRICT, and a FAIL under --strict" {
  silent_server
  run "$PGW" certify server "127.0.0.1:$PORT" --user u --cases extended/error/sent-at-once --timeout 0.5
  [ "$status" -eq 0 ]
  grep -q '^NON-STRICT ' <<<"$output"
  run "$PGW" certify server "127.0.0.1:$PORT" --user u --cases extended/error/sent-at-once --timeout 0.5 --strict
  [ "$status" -eq 1 ]
  grep -q '^FAIL ' <<<"$output"
}

@test "certify: JUnit XML, one testsuite per section, read by a JUnit reader" {
  silent_server
  run "$PGW" certify server "127.0.0.1:$PORT" --user u --cases 'simple/query/select-one,copy/in/rows,extended/error/sent-at-once' --timeout 0.3 --junit "$W/r.xml"
  python3 - "$W/r.xml" <<'PY'
import sys
try:
    from junitparser import JUnitXml, Failure
except ImportError:
    JUnitXml = None
if JUnitXml:
    xml = JUnitXml.fromfile(sys.argv[1])
    suites = {s.name: s for s in xml}
    assert set(suites) == {"simple", "copy", "extended"}, suites
    cases = [c for s in xml for c in s]
    assert len(cases) == 3
    assert all(any(isinstance(r, Failure) for r in c.result) for c in cases)
else:
    import xml.etree.ElementTree as ET
    root = ET.parse(sys.argv[1]).getroot()
    assert {s.get("name") for s in root.iter("testsuite")} == {"simple", "copy", "extended"}
    assert len(list(root.iter("failure"))) == 3
PY
}

@test "certify session: a broken backend message is reported with its offset and rule" {
  cat >"$W/bad.pgs" <<'EOF'
pgw-session 1
F 00000012 00030000 75736572 00626f62 0000
B 52000000 08000000 00
B 5a000000 0558
EOF
  run "$PGW" certify session "$W/bad.pgs"
  [ "$status" -eq 1 ]
  grep -q 'FAIL' <<<"$output"
  grep -q 'rule ReadyForQuery.status at backend offset 14' <<<"$output"
}

# ---- real servers ------------------------------------------------------------

@test "certify: PostgreSQL 15 passes every MUST case (SCRAM, MD5, cleartext, replication)" {
  [[ -x /usr/lib/postgresql/15/bin/postgres ]] || skip "PostgreSQL 15 not installed"
  run bash "$REPO/conformance/certify/postgres" 15 --out "$W/r15"
  echo "$output" | tail -20
  [ "$status" -eq 0 ]
  grep -q 'total *MUST *PASS [0-9]* FAIL 0 ' "$W/r15/postgres-15-scram.txt"
  # inside TLS after SSLRequest, as the hostssl-only user, certificate verified
  grep -q 'total *MUST *PASS [0-9]* FAIL 0 ' "$W/r15/postgres-15-tls.txt"
  grep -q 'left out' "$W/r15/postgres-15-tls.txt"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['cases']) >= 200" "$W/r15/postgres-15-scram.json"
}

@test "certify: PostgreSQL 18 passes every MUST case (SCRAM, MD5, cleartext, replication)" {
  eval "$(bash "$REPO/scripts/deps" --print-env 2>/dev/null)" || true
  [[ -n ${PG18_BIN:-} && -x $PG18_BIN/postgres ]] || skip "PostgreSQL 18 not installed (scripts/deps)"
  run bash "$REPO/conformance/certify/postgres" 18 --out "$W/r18"
  echo "$output" | tail -20
  [ "$status" -eq 0 ]
  grep -q 'total *MUST *PASS [0-9]* FAIL 0 ' "$W/r18/postgres-18-scram.txt"
  # inside TLS after SSLRequest and inside direct SSL (PostgreSQL 17+)
  grep -q 'total *MUST *PASS [0-9]* FAIL 0 ' "$W/r18/postgres-18-tls.txt"
  grep -q 'total *MUST *PASS [0-9]* FAIL 0 ' "$W/r18/postgres-18-direct.txt"
  grep -q '^PASS .*startup/direct-ssl/login' "$W/r18/postgres-18-scram.txt"
}

@test "certify: TLS sessions it records decode, and certify session keeps every rule" {
  for f in "$REPO"/conformance/sessions/pg15/tls/*.pgs "$REPO"/conformance/sessions/pg18/tls/*.pgs; do
    "$PGW" dump --roundtrip "$f" >/dev/null
    run "$PGW" certify session "$f"
    [ "$status" -eq 0 ]
    [[ $output == PASS* ]]
  done
  grep -q '^@ tls on' "$REPO/conformance/sessions/pg18/tls/simple_query_select-one.pgs"
  grep -q '^@ tls direct' "$REPO/conformance/sessions/pg18/tls/direct-simple_query_select-one.pgs"
}

@test "certify: --record keeps each case's traffic; pgw dump and certify session read it" {
  [[ -x /usr/lib/postgresql/15/bin/postgres ]] || skip "PostgreSQL 15 not installed"
  start_pg 15
  run "$PGW" certify server "127.0.0.1:$PGW_PG_PORT" --user pgw_scram --password scrampass --database pgw --cases 'simple/query/select-one,cancel/running-query,async/notify/other-session' --record "$W/rec"
  [ "$status" -eq 0 ]
  [ -f "$W/rec/simple_query_select-one.pgs" ]
  [ -f "$W/rec/cancel_running-query.cancel.pgs" ]
  [ -f "$W/rec/async_notify_other-session.other.pgs" ]
  run "$PGW" dump "$W/rec/simple_query_select-one.pgs"
  [ "$status" -eq 0 ]
  grep -q 'DataRow' <<<"$output"
  run "$PGW" certify session "$W/rec/simple_query_select-one.pgs"
  [ "$status" -eq 0 ]
  grep -q '^PASS' <<<"$output"
}
