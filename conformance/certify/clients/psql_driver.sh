#!/usr/bin/env bash
# psql_driver.sh - a client for `pgw certify client`: psql (Debian's psql
# 15; with LD_LIBRARY_PATH set to libpq 18's directory it speaks through
# libpq 18), one fresh connection per action, in order.
#
#   psql_driver.sh CONNINFO ACTION...
#
# psql 15 has no \bind and no pipeline: "extended" and "pipeline" run a
# simple Query (the extended cases then show nothing: NOT-SHOWN); psql has
# no CopyFail of its own, so "copyfail" only connects and quits. A cancel is
# psql's own: SIGINT while the query runs.
conninfo=$1
shift
psql --version
run() { timeout 20 psql -X -q -v ON_ERROR_STOP=0 "$conninfo" "$@" >/dev/null 2>&1; }
i=0
for a in "$@"; do
  i=$((i + 1))
  case $a in
    query | extended | pipeline) run -c "SELECT 1" ;;
    query2) run -c "SELECT 1" -c "SELECT 2" ;;
    copyin) printf '1\n' | run -c "COPY certify FROM STDIN" ;;
    copyout) run -c "COPY certify TO STDOUT" ;;
    copyfail) run -c '\q' ;;
    listen) run -c "LISTEN certify" -c "SELECT pg_sleep(1)" ;;
    cancel)
      # psql itself (not a wrapper: a background job ignores SIGINT
      # unless the program sets its handler, as psql does).
      psql -X -q "$conninfo" -c "SELECT pg_sleep(5)" >/dev/null 2>&1 &
      p=$!
      sleep 0.5
      kill -INT "$p" 2>/dev/null
      wait "$p"
      ;;
    *) echo "psql_driver: unknown action $a" >&2 ;;
  esac
  echo "$i $a done"
done
