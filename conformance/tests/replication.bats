#!/usr/bin/env bats
# The replication sessions (conformance/sessions/replication, recorded by
# conformance/replication/record with pg_receivewal, pg_basebackup and
# pg_recvlogical): every CopyData decodes to a typed message that
# re-encodes byte for byte, and the counts per type that `pgw dump --json`
# reports equal an independent reading of the bytes (count.py).

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export REPO
  export PGW=${PGW_BIN:-$REPO/build/release/conformance/pgw}
  export RS=$REPO/conformance/sessions/replication
}

setup() {
  [[ -x $PGW ]] || skip "pgw not built ($PGW); set PGW_BIN"
}

# DIR TYPE COUNT lines from pgw dump --json, as count.py prints them.
pgw_counts() {
  "$PGW" dump --json "$1" | python3 -c '
import collections, json, sys
c = collections.Counter()
for line in sys.stdin:
    o = json.loads(line)
    r = o.get("fields", {}).get("replication")
    if r is None:
        continue
    c[(o["dir"], r["type"])] += 1
    if "logical" in r:
        c[("L", r["logical"]["type"])] += 1
for (d, t), n in sorted(c.items()):
    print(d, t, n)'
}

@test "replication sessions: dump --roundtrip re-encodes every message" {
  n=0
  for f in "$RS"/pg*/*.pgs; do
    run "$PGW" dump --roundtrip "$f"
    [ "$status" -eq 0 ] || { echo "$f: $output"; return 1; }
    n=$((n + 1))
  done
  [ "$n" -ge 12 ]
}

@test "replication sessions: per-type counts equal an independent count" {
  for f in "$RS"/pg*/*.pgs; do
    a=$(pgw_counts "$f")
    b=$(python3 "$REPO/conformance/replication/count.py" "$f")
    [ "$a" = "$b" ] || { echo "$f"; diff <(echo "$a") <(echo "$b"); return 1; }
  done
}

@test "replication sessions: every CopyData of a stream is decoded" {
  for f in "$RS"/pg*/*.pgs; do
    # CopyData after CopyBothResponse/CopyOutResponse of a replication
    # command without a replication member would be a decoding gap
    run sh -c "'$PGW' dump --json '$f' | python3 -c '
import json, sys
on = False
for line in sys.stdin:
    o = json.loads(line)
    t = o[\"type\"]
    if t in (\"CopyBothResponse\", \"CopyOutResponse\"): on = True
    if t == \"ReadyForQuery\": on = False
    if on and t == \"CopyData\" and \"replication\" not in o[\"fields\"]:
        sys.exit(\"undecoded CopyData at offset %d\" % o[\"offset\"])
'"
    [ "$status" -eq 0 ] || { echo "$f: $output"; return 1; }
  done
}

@test "pgoutput v2: the streamed transaction's changes carry the xid" {
  f=$RS/pg18/pgoutput-v2-streaming.pgs
  run sh -c "'$PGW' dump --json '$f' | grep -c '\"logical\":{\"type\":\"Insert\",\"fields\":{\"xid\"'"
  [ "$status" -eq 0 ]
  [ "$output" -ge 600 ]
}

@test "pgoutput v4 parallel: Stream Abort carries its abort LSN" {
  run sh -c "'$PGW' dump --json '$RS/pg18/pgoutput-v4-parallel.pgs' | grep -o '\"type\":\"StreamAbort\",\"fields\":{[^}]*}'"
  [ "$status" -eq 0 ]
  [[ $output == *abort_lsn* ]]
}

@test "test_decoding stays opaque text inside XLogData" {
  run sh -c "'$PGW' dump '$RS/pg18/test_decoding.pgs' | grep -c 'replication={type=\"XLogData\".*data=\"table public.t: INSERT'"
  [ "$status" -eq 0 ]
  [ "$output" -ge 1 ]
}

@test "BASE_BACKUP on 15: new archive, progress, manifest, then the result sets" {
  run "$PGW" dump "$RS/pg15/base_backup-blackhole.pgs"
  [ "$status" -eq 0 ]
  [[ $output == *'type="NewArchive", fields={name="base.tar", location=""}'* ]]
  [[ $output == *'type="Progress"'* ]]
  [[ $output == *'type="Manifest"'* ]]
  [[ $output == *'CommandComplete          tag="BASE_BACKUP"'* ]]
}

@test "a corrupted pgoutput message fails with its rule and offset" {
  f=$BATS_TEST_TMPDIR/bad.pgs
  # the first Begin ('B' at XLogData offset 25) of the v1 session becomes 'Z'
  python3 - "$RS/pg18/pgoutput-v1.pgs" "$f" <<'PY'
import sys
out, done = [], False
for line in open(sys.argv[1]):
    if not done and line.startswith("B ") and "77" in line:
        h = "".join(line[2:].split())
        i = h.find("64", 0)
        while i >= 0:
            # CopyData 'd' len 'w' ... with 'B' at byte 25 of the data
            if h[i+10:i+12] == "77" and h[i+10+50:i+10+52] == "42":
                h = h[:i+60] + "5a" + h[i+62:]
                done = True
                break
            i = h.find("64", i + 2)
        line = "B " + h + "\n"
    out.append(line)
open(sys.argv[2], "w").writelines(out)
assert done
PY
  run "$PGW" dump "$f"
  [ "$status" -eq 1 ]
  [[ $output == *PGW_ERR_UNKNOWN_TYPE*'rule pgoutput.type.known, reference'* ]]
}

# A standby status update of the v1 session with one byte more (its
# CopyData length word + 1): the walsender ignores trailing bytes
# (documented rule), so --reference passes with a warning, strict fails.
trailing_status_update() {
  python3 - "$RS/pg18/pgoutput-v1.pgs" "$1" <<'PY'
import sys
out, done = [], False
for line in open(sys.argv[1]):
    h = "".join(line[2:].split())
    if not done and line.startswith("F ") and h.startswith("64000000267200"):
        line, done = "F 64000000277200" + h[14:] + "00\n", True
    out.append(line)
open(sys.argv[2], "w").writelines(out)
assert done
PY
}

@test "a documented replication deviation: strict refuses, --reference warns" {
  f=$BATS_TEST_TMPDIR/trail.pgs
  trailing_status_update "$f"
  run "$PGW" dump "$f"
  [ "$status" -eq 1 ]
  [[ $output == *PGW_ERR_TRAILING_BYTES*'rule replication.trailing, documented'* ]]
  run "$PGW" dump --reference "$f"
  [ "$status" -eq 0 ]
  [[ $output == *'warning: '*'rule replication.trailing, documented'* ]]
}
