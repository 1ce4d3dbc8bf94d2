# shellcheck shell=bash
# scripts/lib.sh — sourced by pgw's shell scripts (scripts/*, conformance/run,
# conformance/diff/run, conformance/certify/common.sh, the bats tests):
# messages, clean-up at exit, free ports and starting a program that says
# when it listens.
#   . scripts/lib.sh NAME [STATUS]
# NAME prefixes die/log messages ("pg", "bench", ...); STATUS is die's
# exit status (default 1). Nothing here kills by name: processes are
# stopped by the PID recorded.
LIB_NAME=${1:-pgw}
LIB_STATUS=${2:-1}

die() { printf '%s: %s\n' "$LIB_NAME" "$*" >&2; exit "$LIB_STATUS"; }
log() { printf '%s: %s\n' "$LIB_NAME" "$*" >&2; }

# at_exit CMD: run CMD (a string, evaluated then) when the script exits,
# the last registered first; INT and TERM exit 130 through the same path.
LIB_AT_EXIT=()
at_exit() {
  if ((${#LIB_AT_EXIT[@]} == 0)); then
    trap lib_run_at_exit EXIT
    trap 'exit 130' INT TERM
  fi
  LIB_AT_EXIT+=("$1")
}
lib_run_at_exit() {
  local i
  for ((i = ${#LIB_AT_EXIT[@]} - 1; i >= 0; i--)); do
    eval "${LIB_AT_EXIT[i]}" || true
  done
}

# free_port [BASE]: a loopback TCP port in BASE..BASE+9999 (default 20000)
# that nothing accepts on now (no listener answers a connect).
free_port() {
  local base=${1:-20000} p
  for _ in $(seq 50); do
    p=$((base + RANDOM % 10000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# wait_listen LOG [PID]: wait (at most 5 s) for a "listening on" line in
# LOG, the line pgw record and pgw replay --to-client write once they
# accept; gives up early when PID exits. 0 once it is there.
wait_listen() {
  for _ in $(seq 100); do
    grep -q 'listening on' "$1" 2>/dev/null && return 0
    [[ -n ${2:-} ]] && ! kill -0 "$2" 2>/dev/null && break
    sleep 0.05
  done
  grep -q 'listening on' "$1" 2>/dev/null
}

# start_listener LOG CMD...: start CMD in the background, its standard
# error into LOG, on a free port (every @PORT@ in CMD's words is replaced
# by it), and wait for it to listen; up to 5 ports are tried (another
# process may take one first). Sets LISTEN_PID and LISTEN_PORT; returns 1
# (LISTEN_PID empty) when it never listened.
start_listener() {
  local log=$1 w
  local -a cmd
  shift
  LISTEN_PID=
  for _ in 1 2 3 4 5; do
    LISTEN_PORT=$(free_port 20000) || return 1
    cmd=()
    for w in "$@"; do cmd+=("${w//@PORT@/$LISTEN_PORT}"); done
    "${cmd[@]}" 2>"$log" &
    LISTEN_PID=$!
    wait_listen "$log" "$LISTEN_PID" && return 0
    wait "$LISTEN_PID" 2>/dev/null
    LISTEN_PID=
  done
  return 1
}

# stop_pid PID...: TERM, then KILL whatever has not exited within 2 s.
stop_pid() {
  local p
  for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "$@"; do
    for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
}
