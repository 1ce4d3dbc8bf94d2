# conformance/certify/common.sh - sourced by the certify scripts: the pgw
# binary, ports, and one certify run written as a report.
#
# Reports: OUT/NAME.txt (pgw certify's text report under a header naming
# what was certified, with versions) and OUT/NAME.json ({"target",
# "versions", "pgw", "summary", "cases": [one object per case]}).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PGW=${PGW_BIN:-$REPO/build/release/conformance/pgw}

# shellcheck source=../../scripts/lib.sh
. "$REPO/scripts/lib.sh" certify 2

need_pgw() {
  [[ -x $PGW ]] || die "pgw not built ($PGW); build it or set PGW_BIN"
}

wait_port() {   # wait_port PORT SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# start_pg VERSION [--ssl]: a throwaway server (scripts/pg); sets PGW_PG_*
# and registers its stop.
start_pg() {
  local env
  env=$(bash "$REPO/scripts/pg" start "$@") || die "scripts/pg start $* failed"
  eval "$env"
  STOP_PG+=("$PGW_PG_DIR")
}

stop_all() {
  local p d
  if [[ -n ${STOP_SIGNAL:-} ]]; then
    for p in "${STOP_PIDS[@]}"; do kill -"$STOP_SIGNAL" "$p" 2>/dev/null || true; done
  fi
  ((${#STOP_PIDS[@]} == 0)) || stop_pid "${STOP_PIDS[@]}"
  for d in "${STOP_PG[@]}"; do bash "$REPO/scripts/pg" stop "$d" >/dev/null 2>&1 || true; done
  STOP_PIDS=() STOP_PG=()
}
STOP_PIDS=() STOP_PG=()
at_exit stop_all

# certify NAME TARGET VERSIONS OUT ADDR ARGS... : run pgw certify server
# ADDR ARGS, write OUT/NAME.txt and OUT/NAME.json. Returns pgw's status
# (0: no MUST case failed, 1: one did, else: it did not run to the end).
certify() {
  local name=$1 target=$2 versions=$3 out=$4 addr=$5 rc
  shift 5
  mkdir -p "$out"
  {
    echo "# $target"
    echo "# versions: $versions"
    echo "# $("$PGW" --version), $(date -u +%Y-%m-%d)"
    echo "# pgw certify server ADDR $*"
  } >"$out/$name.txt"
  set +e
  "$PGW" certify server "$addr" "$@" --json "$out/$name.jsonl" >>"$out/$name.txt" 2>&1
  rc=$?
  set -e
  python3 - "$out/$name.jsonl" "$out/$name.json" "$target" "$versions" \
    "$("$PGW" --version)" "$out/$name.txt" <<'PY'
import json, sys
src, dst, target, versions, pgw, txt = sys.argv[1:]
cases = [json.loads(l) for l in open(src) if l.strip()]
summary = {}
for c in cases:
    g = summary.setdefault(c["id"].split("/")[0], {}).setdefault(c["level"], {})
    g[c["verdict"]] = g.get(c["verdict"], 0) + 1
doc = {"target": target, "versions": versions, "pgw": pgw,
       "summary": summary, "cases": cases}
json.dump(doc, open(dst, "w"), indent=1)
PY
  rm -f "$out/$name.jsonl"
  log "$name: $(grep -E '^  total +MUST' "$out/$name.txt" | sed 's/^ *//')"
  return "$rc"
}

# merge NAME OUT PART... : one report OUT/NAME.{txt,json} from the reports
# PART.{txt,json} of runs over parts of the catalogue (a server restarted
# between them); the parts are removed.
merge() {
  local name=$1 out=$2
  shift 2
  python3 - "$out/$name" "$@" <<'PY'
import json, os, sys
dst, parts = sys.argv[1], sys.argv[2:]
docs = [json.load(open(p + ".json")) for p in parts]
cases = [c for d in docs for c in d["cases"]]
summary = {}
for c in cases:
    g = summary.setdefault(c["id"].split("/")[0], {}).setdefault(c["level"], {})
    g[c["verdict"]] = g.get(c["verdict"], 0) + 1
doc = dict(docs[0], summary=summary, cases=cases)
json.dump(doc, open(dst + ".json", "w"), indent=1)
with open(dst + ".txt", "w") as f:
    head = [l for l in open(parts[0] + ".txt") if l.startswith("#")]
    f.write("".join(head[:3]))
    f.write("# %d runs: a fresh server for each group, and again after a case that hung\n" % len(parts))
    for p in parts:
        for l in open(p + ".txt"):
            if l.startswith("summary") or l.startswith("stopped after a hang"):
                break
            if not l.startswith("#") and not l.startswith("pgw ") and l.strip():
                f.write(l)
    verdicts = ["PASS", "FAIL", "NON-STRICT", "UNSUPPORTED"]
    f.write("\nsummary (group, level, verdicts):\n")
    rows = list(summary.items()) + [("total", {})]
    for lv in ("MUST", "SHOULD"):
        rows[-1][1][lv] = {v: sum(s.get(lv, {}).get(v, 0) for _, s in rows[:-1]) for v in verdicts}
    for g, s in rows:
        for lv in ("MUST", "SHOULD"):
            if sum(s.get(lv, {}).values()):
                f.write("  %-14s %-6s %s\n" % (g, lv, " ".join("%s %d" % (v, s[lv].get(v, 0)) for v in verdicts)))
for p in parts:
    os.remove(p + ".json"); os.remove(p + ".txt")
PY
  log "$name: $(grep -E '^  total +MUST' "$out/$name.txt" | sed 's/^ *//')"
}

# The catalogue's groups, in order.
groups() {
  "$PGW" certify server --list | awk '{print $2}' | cut -d/ -f1 | uniq
}

# settle PART: the run PART stopped after a case that hung (or ran to its
# end: prints -1). If the hang came before the login even completed, and
# not in the run's first case, the case before it wedged the server: the
# hung case is dropped from PART (it runs again on a fresh server) and the
# previous case's detail says so. Prints the index to go on from.
settle() {
  python3 - "$1" <<'PY'
import json, sys
part = sys.argv[1]
doc = json.load(open(part + ".json"))
cases = doc["cases"]
k = next((i for i, c in enumerate(cases) if "hang:" in c["detail"]), -1)
if k < 0:
    print(-1)
    sys.exit()
wedged = k > 0 and "(waited for AUTH" in cases[k]["detail"]
if not wedged:
    print(k + 1)
    sys.exit()
note = " (then the server stopped answering new connections)"
cases[k - 1]["detail"] += note
doc["cases"] = cases[:k]
json.dump(doc, open(part + ".json", "w"), indent=1)
out, seen, last_detail = [], 0, None
for l in open(part + ".txt"):
    if l.startswith("summary") or l.startswith("stopped after a hang"):
        break
    if l[:1].isupper() and not l.startswith("pgw "):
        seen += 1
        if seen > k:
            break
    if seen == k and l.startswith("            rule "):
        last_detail = len(out)
    out.append(l)
if last_detail is not None:
    out[last_detail] = out[last_detail].rstrip("\n") + note + "\n"
open(part + ".txt", "w").write("".join(out))
print(k)
PY
}

