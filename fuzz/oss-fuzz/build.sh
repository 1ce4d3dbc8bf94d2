#!/bin/bash -eu
# OSS-Fuzz build script for pgw (also used by .clusterfuzzlite/build.sh).
# Uses OSS-Fuzz's variables: $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE
# $OUT $SRC $WORK. Builds every harness in fuzz/ as $OUT/fuzz_<harness>,
# with its seed corpus ($OUT/fuzz_<harness>_seed_corpus.zip, from
# corpus/<harness>/), dictionary and .options file.
#
# Check it locally (libFuzzer + ASan, clang 14):
#   CC=clang CXX=clang++ CFLAGS="-fsanitize=fuzzer-no-link,address" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/ossfuzz-out SRC=/work \
#   WORK=/tmp/ossfuzz-work fuzz/oss-fuzz/build.sh

# The repository: beside this script when run from a checkout, else the
# clone the Dockerfile made in $SRC.
here=$(cd "$(dirname "$0")" && pwd)
if [[ -f $here/../../lib/include/pgw/pgw.h ]]; then
  REPO=$(cd "$here/../.." && pwd)
elif [[ -d $SRC/pgw ]]; then
  REPO=$SRC/pgw
else
  REPO=$SRC/main
fi
CXXFLAGS=${CXXFLAGS:-$CFLAGS}
OBJ=$WORK/pgw-obj
rm -rf "$OBJ"
mkdir -p "$OBJ/lib" "$OBJ/cli" "$OUT"

C11="-std=c11 -g"
for src in "$REPO"/lib/src/*.c; do
  $CC $CFLAGS $C11 -I"$REPO/lib/include" -c "$src" \
    -o "$OBJ/lib/$(basename "${src%.c}").o"
done
$CC $CFLAGS $C11 -I"$REPO/lib/include" -c "$REPO/fuzz/fuzz_check.c" \
  -o "$OBJ/fuzz_check.o"
LIBOBJ=("$OBJ"/lib/*.o "$OBJ/fuzz_check.o")

# harness name, source, extra compile flags
build() {
  local name=$1 src=$2
  shift 2
  $CC $CFLAGS $C11 -I"$REPO/lib/include" -I"$REPO/fuzz" "$@" \
    -c "$REPO/fuzz/$src" -o "$OBJ/fuzz_$name.o"
}
link() {
  local name=$1
  shift
  $CXX $CXXFLAGS "$OBJ/fuzz_$name.o" "$@" "${LIBOBJ[@]}" $LIB_FUZZING_ENGINE \
    -o "$OUT/fuzz_$name"
}

harnesses=(message decoder_frontend decoder_backend roundtrip)
build message fuzz_message.c && link message
build decoder_frontend fuzz_decoder.c -DFUZZ_DIR=PGW_FRONTEND && link decoder_frontend
build decoder_backend fuzz_decoder.c -DFUZZ_DIR=PGW_BACKEND && link decoder_backend
build roundtrip fuzz_roundtrip.c && link roundtrip
if [[ -f $REPO/lib/src/conn.c && -f $REPO/fuzz/fuzz_conn.c ]]; then
  build conn fuzz_conn.c && link conn
  harnesses+=(conn)
fi
build observer fuzz_observer.c && link observer
harnesses+=(observer)
build replication fuzz_replication.c && link replication
build pgoutput fuzz_pgoutput.c && link pgoutput
harnesses+=(replication pgoutput)
CLI=$REPO/conformance/src
if [[ -f $REPO/fuzz/fuzz_session.c && -f $CLI/session.c ]]; then
  cliobj=()
  for f in session fields render_text render_json render_pqtrace render_pqtrace13 \
    render_pqtrace13_parse util render_replication; do
    $CC $CFLAGS $C11 -D_POSIX_C_SOURCE=200809L -I"$REPO/lib/include" \
      -I"$CLI" -c "$CLI/$f.c" -o "$OBJ/cli/$f.o"
    cliobj+=("$OBJ/cli/$f.o")
  done
  build session fuzz_session.c -I"$CLI" && link session "${cliobj[@]}"
  harnesses+=(session)
  $CC $CFLAGS $C11 -D_POSIX_C_SOURCE=200809L -I"$REPO/lib/include" \
    -I"$CLI" -c "$CLI/certify_session.c" -o "$OBJ/cli/certify_session.o"
  build certify_session fuzz_certify_session.c -I"$CLI" &&
    link certify_session "$OBJ/cli/session.o" "$OBJ/cli/util.o" \
      "$OBJ/cli/certify_session.o"
  harnesses+=(certify_session)
  for f in record_file net addr; do
    $CC $CFLAGS $C11 -D_POSIX_C_SOURCE=200809L -I"$REPO/lib/include" \
      -I"$CLI" -c "$CLI/$f.c" -o "$OBJ/cli/$f.o"
  done
  build session_writer fuzz_session_writer.c -I"$CLI" &&
    link session_writer "$OBJ/cli/record_file.o" "$OBJ/cli/net.o" \
      "$OBJ/cli/addr.o" "$OBJ/cli/session.o" "$OBJ/cli/util.o"
  harnesses+=(session_writer)
fi

for h in "${harnesses[@]}"; do
  rm -f "$OUT/fuzz_${h}_seed_corpus.zip"
  if [[ -d $REPO/corpus/$h ]] && ls "$REPO/corpus/$h"/* >/dev/null 2>&1; then
    (cd "$REPO/corpus/$h" && zip -q -r "$OUT/fuzz_${h}_seed_corpus.zip" .)
  fi
  [[ -f $REPO/fuzz/$h.dict ]] && cp "$REPO/fuzz/$h.dict" "$OUT/fuzz_$h.dict"
  if [[ -f $REPO/fuzz/$h.options ]]; then
    sed "s/^dict = .*/dict = fuzz_$h.dict/" "$REPO/fuzz/$h.options" \
      >"$OUT/fuzz_$h.options"
  fi
done
echo "pgw: built ${harnesses[*]} into $OUT"
