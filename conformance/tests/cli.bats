#!/usr/bin/env bats
# Tests of the pgw command (dump, record). The binary: $PGW_BIN, else
# build/release/conformance/pgw. The record tests start their own
# PostgreSQL 15 with scripts/pg and skip when that is not possible.

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export REPO
  export PGW=${PGW_BIN:-$REPO/build/release/conformance/pgw}
  export SESS=$REPO/conformance/sessions/pg15
}

setup() {
  [[ -x $PGW ]] || skip "pgw not built ($PGW); set PGW_BIN"
}

teardown() {
  # whatever a failing record test left running: by PID only
  if [[ -n ${rp:-} ]]; then kill -TERM "$rp" 2>/dev/null || true; fi
  if [[ -n ${pp:-} ]]; then kill -TERM "$pp" 2>/dev/null || true; fi
  stop_pg
}

# One message line of the text dump, phase column left out.
# msgline OUTPUT DIR NAME REST: true if OUTPUT holds such a line.
msgline() {
  grep -qE "^$2 +[A-Za-z?]+ +$3( +$4)?\$" <<<"$1"
}

# ---- session files ---------------------------------------------------------

@test "dump: a recorded md5 login, hand-checked against its bytes" {
  run "$PGW" dump "$SESS/psql-md5-login.pgs"
  [ "$status" -eq 0 ]
  # 27 messages: SSLRequest/answer, startup, MD5 exchange, AuthenticationOk,
  # 13 ParameterStatus, BackendKeyData, ReadyForQuery, one query cycle
  # (Query, RowDescription, DataRow, CommandComplete, ReadyForQuery), Terminate.
  [ "${#lines[@]}" -eq 27 ]
  msgline "$output" F SSLRequest
  msgline "$output" B SSLResponse "answer='N'"
  msgline "$output" F StartupMessage 'protocol="3.0" params=\{user="md5user", database="postgres", application_name="psql"\}'
  # R 0000000c 00000005 cd4aed0f: code 5 and the 4-byte salt
  msgline "$output" B AuthenticationMD5Password "code=5 salt=x'cd4aed0f'"
  msgline "$output" F PasswordMessage 'password="md511e31b02f90cf6c1431edd5abb913e96"'
  msgline "$output" B AuthenticationOk "code=0"
  msgline "$output" B ParameterStatus 'name="server_version" value="15.18 \(Debian 15.18-0\+deb12u1\)"'
  msgline "$output" B BackendKeyData "pid=27739 key=x'32c24321'"
  msgline "$output" F Query 'query="select current_user"'
  # T: one column "current_user", type 19 (name), size 64, typmod -1
  msgline "$output" B RowDescription 'columns=\[\{name="current_user", table_oid=0, attnum=0, type_oid=19, type_size=64, type_modifier=-1, format=0\}\]'
  msgline "$output" B DataRow 'columns=\["md5user"\]'
  msgline "$output" B CommandComplete 'tag="SELECT 1"'
  msgline "$output" B ReadyForQuery "status='I'"
  msgline "$output" F Terminate
}

@test "dump: a multi-statement Query failing in its second statement" {
  run "$PGW" dump "$SESS/psql-simple-query-error.pgs"
  [ "$status" -eq 0 ]
  msgline "$output" F Query "query=\"select 1 as a, 'two' as b; select nosuch\""
  msgline "$output" B DataRow 'columns=\["1", "two"\]'
  grep -qE '^B +[A-Za-z?]+ +ErrorResponse +S="ERROR" V="ERROR" C="42703" M="column \\"nosuch\\" does not exist" ' <<<"$output"
}

@test "dump: the phase column comes from the state machine" {
  run "$PGW" dump "$SESS/psql-md5-login.pgs"
  [ "$status" -eq 0 ]
  phases=$(awk '{print $1 ":" $2 ":" $3}' <<<"$output" | uniq | tr '\n' ' ')
  [ "$phases" = "F:SSLNegotiation:SSLRequest B:Startup:SSLResponse F:Authentication:StartupMessage B:AuthPassword:AuthenticationMD5Password F:Authentication:PasswordMessage B:Initialization:AuthenticationOk B:Initialization:ParameterStatus B:Initialization:BackendKeyData B:Ready:ReadyForQuery F:SimpleQuery:Query B:SimpleQuery:RowDescription B:SimpleQuery:DataRow B:SimpleQuery:CommandComplete B:Ready:ReadyForQuery F:Terminated:Terminate " ]
}

@test "dump: a message out of order is refused by the state machine" {
  # The recorded answer to the query without its RowDescription (the first
  # 38 bytes of that chunk): DataRow then arrives with no row description.
  f=$BATS_TEST_TMPDIR/order.pgs
  awk '/^B 54000000 25/ { h = $0; sub(/^B /, "", h); gsub(/[ \t]/, "", h);
                          print "B " substr(h, 77); next } { print }' \
    "$SESS/psql-md5-login.pgs" >"$f"
  run "$PGW" dump "$f"
  [ "$status" -eq 1 ]
  [[ $output == *"order.pgs:12: backend stream offset 428, phase SimpleQuery: PGW_ERR_UNEXPECTED_MESSAGE: "*DataRow* ]]
  # lenient: counted and shown, every byte decodes
  run "$PGW" dump --lenient "$f"
  [ "$status" -eq 0 ]
}

@test "dump --json: one object per message with dir, type, phase, offset, len, fields" {
  run "$PGW" dump --json "$SESS/psql-md5-login.pgs"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 27 ]
  # every line parses and has the keys
  jq -e -s 'all(.[]; has("dir") and has("type") and has("phase") and has("offset") and has("len") and (.fields|type=="object"))' <<<"$output"
  # SSLRequest: 8 bytes at frontend offset 0; StartupMessage right after it
  [ "$(jq -c -s '.[0] | [.dir,.type,.offset,.len]' <<<"$output")" = '["F","SSLRequest",0,8]' ]
  [ "$(jq -c -s '.[2] | [.dir,.type,.offset,.len,.fields.params.user]' <<<"$output")" = '["F","StartupMessage",8,62,"md5user"]' ]
  # the MD5 request is the backend's second message, after the 1-byte 'N'
  [ "$(jq -c -s '.[3] | [.dir,.type,.offset,.len,.fields.salt.hex]' <<<"$output")" = '["B","AuthenticationMD5Password",1,13,"cd4aed0f"]' ]
  # --format=json is the same
  run "$PGW" dump --format=json "$SESS/psql-md5-login.pgs"
  [ "${#lines[@]}" -eq 27 ]
}

@test "dump --format=pqtrace: libpq 18's trace lines" {
  run "$PGW" dump --format=pqtrace "$SESS/psql-md5-login.pgs"
  [ "$status" -eq 0 ]
  t=$'\t'
  [ "${lines[0]}" = "F${t}8${t}SSLRequest${t} 1234 5679" ]
  [ "${lines[1]}" = "B${t}1${t}SSLResponse${t} N" ]
  [ "${lines[2]}" = "F${t}62${t}StartupMessage${t} 3 0 \"user\" \"md5user\" \"database\" \"postgres\" \"application_name\" \"psql\"" ]
  [ "${lines[3]}" = "B${t}12${t}AuthenticationMD5Password" ]
  [ "${lines[4]}" = "mismatched message length: consumed 8, expected 12" ]
  [ "${lines[5]}" = "F${t}40${t}PasswordMessage${t} \"md511e31b02f90cf6c1431edd5abb913e96\"" ]
  # AuthenticationOk is not traced by libpq 18
  [ "${lines[6]}" = "B${t}26${t}ParameterStatus${t} \"application_name\" \"psql\"" ]
  [[ $output == *"B${t}12${t}BackendKeyData${t} NNNN NNNN"* ]]
  [[ $output == *"B${t}37${t}RowDescription${t} 1 \"current_user\" NNNN 0 NNNN 64 -1 0"* ]]
  [[ $output == *"B${t}17${t}DataRow${t} 1 7 'md5user'"* ]]
  [ "${lines[-1]}" = "F${t}4${t}Terminate" ]
  run "$PGW" dump --format=pqtrace "$SESS/psql-simple-query-error.pgs"
  [[ $output == *"B${t}NN${t}ErrorResponse${t} S \"ERROR\" V \"ERROR\" C \"42703\" M \"column \"nosuch\" does not exist\" P \"35\" F \"SSSS\" L \"SSSS\" R \"SSSS\" \\x00"* ]]
}

@test "dump --format=pqtrace --libpq=15: libpq 15's scope, right lines" {
  t=$'\t'
  # md5 login recorded with libpq 15: no backend line before
  # AuthenticationOk; the startup packet and the password get their right
  # lines (libpq 15 prints "Unknown message" for both)
  run "$PGW" dump --format=pqtrace --libpq=15 "$SESS/auth_ok-md5-libpq15.pgs"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "F${t}68${t}StartupMessage${t} 3 0 \"user\" \"pgw_md5\" \"database\" \"pgw\" \"application_name\" \"pgw-conformance\"" ]
  [[ ${lines[1]} == "F${t}40${t}PasswordMessage${t} \"md5"* ]]
  [ "${lines[2]}" = "B${t}37${t}ParameterStatus${t} \"application_name\" \"pgw-conformance\"" ]
  [[ $output != *Authentication* ]]
  [[ $output != *mismatched* ]]
  # the same session in libpq 18's format traces the authentication
  run "$PGW" dump --format=pqtrace --libpq=18 "$SESS/auth_ok-md5-libpq15.pgs"
  [ "${lines[1]}" = "B${t}12${t}AuthenticationMD5Password" ]
  # SSL refused: the SSLRequest is traced, the 'N' answer is not
  run "$PGW" dump --format=pqtrace --libpq=15 "$SESS/ssl_refused-libpq15.pgs"
  [ "${lines[0]}" = "F${t}8${t}SSLRequest${t} 1234 5679" ]
  [[ ${lines[1]} == "F${t}70${t}StartupMessage${t}"* ]]
}

@test "dump --format=pqtrace --libpq=15: CopyData and fast-path scope" {
  t=$'\t'
  # COPY FROM STDIN: the client's CopyData is named (libpq 15 leaves the
  # name out); COPY TO STDOUT: the backend's CopyData is not traced
  run "$PGW" dump --format=pqtrace --libpq=15 "$SESS/copy_in-libpq15.pgs"
  [ "$status" -eq 0 ]
  [[ $output == *"B${t}11${t}CopyInResponse${t} \\x00 2 0 0"$'\n'"F${t}15${t}CopyData${t} 'BBBB'"$'\n'* ]]
  run "$PGW" dump --format=pqtrace --libpq=15 "$SESS/copy_out-libpq15.pgs"
  [ "$status" -eq 0 ]
  [[ $output == *"CopyOutResponse"* ]]
  [[ $output != *"CopyData"* ]]
  run "$PGW" dump --format=pqtrace "$SESS/copy_out-libpq15.pgs"
  [[ $output == *"B${t}12${t}CopyData${t} 'BBBB'"* ]]
  # the ReadyForQuery ending a FunctionCall is not traced by libpq 15
  run "$PGW" dump --format=pqtrace --libpq=15 "$SESS/fastpath-libpq15.pgs"
  [ "$status" -eq 0 ]
  [[ $output == *"FunctionCallResponse${t} 4 '\\x00\\x00@/'"$'\n'"F${t}32${t}FunctionCall${t}"* ]]
}

@test "dump --format=pqtrace --libpq=15 through pqtrace15.sed equals libpq 15's own traces" {
  n=0
  for tr in "$REPO"/conformance/sessions/pg*/*-libpq15.trace; do
    "$PGW" dump --format=pqtrace --libpq=15 "${tr%.trace}.pgs" |
      sed -E -f "$REPO/conformance/pqtrace15.sed" >"$BATS_TEST_TMPDIR/t"
    cmp "$tr" "$BATS_TEST_TMPDIR/t"
    n=$((n + 1))
  done
  [ "$n" -ge 60 ]
  # the filter rewrites only the known mis-traced lines
  run "$PGW" dump --format=pqtrace --libpq=15 "$SESS/copy_in-libpq15.pgs"
  a=$output
  run sed -E -f "$REPO/conformance/pqtrace15.sed" <<<"$a"
  [ "$(diff <(echo "$a") <(echo "$output") | grep -c '^<')" -eq 4 ] # StartupMessage, 3 CopyData
  # without the filter, libpq 15's trace differs from pgw's right lines
  run cmp -s "$SESS/copy_in-libpq15.trace" <(echo "$a")
  [ "$status" -ne 0 ]
}

@test "dump --format=pqtrace --libpq=14|16|17 through pqtrace15.sed equals that libpq's own traces" {
  # libpq 14, 16 and 17 trace what 15 traces, with the same wrong lines
  # (conformance/README.md, "Versions"); their traces were recorded with
  # each libpq against PostgreSQL 18
  for l in 14 16 17; do
    n=0
    for tr in "$REPO"/conformance/sessions/pg*/*-libpq$l.trace; do
      "$PGW" dump --format=pqtrace --libpq=$l "${tr%.trace}.pgs" |
        sed -E -f "$REPO/conformance/pqtrace15.sed" >"$BATS_TEST_TMPDIR/t"
      cmp "$tr" "$BATS_TEST_TMPDIR/t"
      n=$((n + 1))
    done
    [ "$n" -ge 30 ]
  done
  # and differ from libpq 18's format (the startup packet line at least)
  run cmp -s "$SESS/../pg18/simple_multi-libpq17.trace" \
    <("$PGW" dump --format=pqtrace "$SESS/../pg18/simple_multi-libpq17.pgs")
  [ "$status" -ne 0 ]
}

@test "dump --format=pqtrace --libpq=13: one line per primitive libpq 13 reads or writes" {
  local p13=$SESS/../pg18
  # the startup packet as one run of raw bytes (NULs included), the
  # authentication request's length and code, ParameterStatus with
  # pqSaveParameterStatus's own line
  run "$PGW" dump --format=pqtrace --libpq=13 "$p13/auth_ok-md5-libpq13.pgs"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "To backend> Msg  " ]
  "$PGW" dump --format=pqtrace --libpq=13 "$p13/auth_ok-md5-libpq13.pgs" >"$BATS_TEST_TMPDIR/t"
  printf 'To backend> \0\003\0\0user\0pgw_md5\0database\0pgw\0' >"$BATS_TEST_TMPDIR/want"
  sed -n 2p "$BATS_TEST_TMPDIR/t" | cmp -n 42 "$BATS_TEST_TMPDIR/want" -
  [ "${lines[2]}" = "To backend> Msg complete, length 68" ]
  [ "${lines[3]}" = "From backend> R" ]
  [ "${lines[4]}" = "From backend (#4)> 12" ]
  [ "${lines[5]}" = "From backend (#4)> 5" ]
  [[ ${lines[6]} == "From backend (4)> "* ]] # the salt, raw
  [ "${lines[7]}" = "To backend> Msg p" ]
  [[ $output == *$'From backend> "TimeZone"\nFrom backend> "UTC"\npqSaveParameterStatus: \'TimeZone\' = \'UTC\'\n'* ]]
  # a query: Msg Q, the string, Msg complete; the result's fields one by
  # one; the ReadyForQuery after CommandComplete read twice (libpq stopped
  # with the result ready, having read its type and length)
  run "$PGW" dump --format=pqtrace --libpq=13 "$p13/simple_multi-libpq13.pgs"
  [ "$status" -eq 0 ]
  [[ $output == *$'To backend> Msg Q\nTo backend> "'*$'\nTo backend> Msg complete, length '* ]]
  [[ $output == *$'From backend> D\nFrom backend (#4)> 11\nFrom backend (#2)> 1\nFrom backend (#4)> 1\nFrom backend (1)> 1\n'* ]]
  [[ $output == *$'From backend> Z\nFrom backend (#4)> 5\nFrom backend> Z\nFrom backend (#4)> 5\nFrom backend> I\n'* ]]
  [ "${lines[-2]}" = "To backend> Msg X" ]
  [ "${lines[-1]}" = "To backend> Msg complete, length 5" ]
  # COPY TO STDOUT: CopyData's type and length only, the one after
  # CopyOutResponse and the CopyDone read twice
  run "$PGW" dump --format=pqtrace --libpq=13 "$p13/copy_out-libpq13.pgs"
  [[ $output == *$'From backend (#2)> 0\nFrom backend> d\nFrom backend (#4)> 12\nFrom backend> d\nFrom backend (#4)> 12\n'* ]]
  [[ $output == *$'From backend> c\nFrom backend (#4)> 4\nFrom backend> c\nFrom backend (#4)> 4\nFrom backend> C\n'* ]]
  # fast path: 4-byte arguments and results as integers
  run "$PGW" dump --format=pqtrace --libpq=13 "$p13/fastpath-libpq13.pgs"
  [[ $output == *$'To backend> Msg F\nTo backend (4#)> 957\nTo backend (2#)> 1\nTo backend (2#)> 1\nTo backend (2#)> 1\nTo backend (4#)> 4\nTo backend (4#)> 393216\n'* ]]
  # the cancel connection is not traced
  run "$PGW" dump --format=pqtrace --libpq=13 "$p13/cancel-libpq13-2.pgs"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "dump --format=pqtrace --libpq=13 --single-row: each DataRow ends a result" {
  local f=$SESS/../pg18/single_row-libpq13.pgs
  run "$PGW" dump --format=pqtrace --libpq=13 --single-row "$f"
  [ "$status" -eq 0 ]
  [[ $output == *$'From backend (1)> y\nFrom backend> D\nFrom backend (#4)> 17\nFrom backend> D\nFrom backend (#4)> 17\n'* ]]
  "$PGW" dump --format=pqtrace --libpq=13 --single-row "$f" >"$BATS_TEST_TMPDIR/t"
  cmp "$SESS/../pg18/single_row-libpq13.trace" "$BATS_TEST_TMPDIR/t"
  # without it, every row of the one result is read once
  run "$PGW" dump --format=pqtrace --libpq=13 "$f"
  [[ $output == *$'From backend (1)> y\nFrom backend> D\nFrom backend (#4)> 17\nFrom backend (#2)> 2\n'* ]]
}

@test "dump --format=pqtrace --libpq=13 equals libpq 13's own traces, header re-reads aside" {
  # recorded with libpq 13 against PostgreSQL 18; how often libpq 13
  # reads a header depends on TCP's cuts, which the chunks show mostly:
  # equal as they are for most, all through pqtrace13-reads.awk
  local n=0 exact=0 tr o
  for tr in "$REPO"/conformance/sessions/pg*/*-libpq13.trace; do
    o=
    [[ $tr == */single_row-* ]] && o=--single-row
    # shellcheck disable=SC2086
    "$PGW" dump --format=pqtrace --libpq=13 $o "${tr%.trace}.pgs" >"$BATS_TEST_TMPDIR/t"
    cmp -s "$tr" "$BATS_TEST_TMPDIR/t" && exact=$((exact + 1))
    cmp <(awk -f "$REPO/conformance/pqtrace13-reads.awk" "$tr") \
      <(awk -f "$REPO/conformance/pqtrace13-reads.awk" "$BATS_TEST_TMPDIR/t")
    n=$((n + 1))
  done
  [ "$n" -ge 30 ]
  [ "$exact" -ge $((n - 5)) ]
  # the filter drops the earlier reads of one message only, not CopyData
  run awk -f "$REPO/conformance/pqtrace13-reads.awk" <<<$'From backend> Z\nFrom backend (#4)> 5\nFrom backend> Z\nFrom backend (#4)> 5\nFrom backend> I\nFrom backend> d\nFrom backend (#4)> 12\nFrom backend> d\nFrom backend (#4)> 12'
  [ "$output" = $'From backend> Z\nFrom backend (#4)> 5\nFrom backend> I\nFrom backend> d\nFrom backend (#4)> 12\nFrom backend> d\nFrom backend (#4)> 12' ]
}

@test "dump --roundtrip: every recorded session re-encodes byte for byte" {
  n=0
  for f in "$REPO"/conformance/sessions/*/*.pgs; do
    run "$PGW" dump --roundtrip "$f"
    [ "$status" -eq 0 ] || { echo "$f: $output"; return 1; }
    n=$((n + 1))
  done
  [ "$n" -ge 5 ]
}

@test "dump --roundtrip: a corrupted session fails with the offset" {
  # The last backend message, ReadyForQuery 5a 00000005 49 ('I'), spans
  # backend stream offsets 498-503 (504 backend bytes in all). Its status
  # byte changed to 'B' (0x42):
  f=$BATS_TEST_TMPDIR/bad.pgs
  sed 's/5a00 00000549$/5a00 00000542/' "$SESS/psql-md5-login.pgs" >"$f"
  ! cmp -s "$f" "$SESS/psql-md5-login.pgs"
  run "$PGW" dump --roundtrip "$f"
  [ "$status" -eq 1 ]
  [[ $output == *"bad.pgs:12: backend stream offset 503, phase "*": PGW_ERR_BAD_VALUE: ReadyForQuery: "* ]]
  # lenient: it decodes as malformed, and cannot be re-encoded as it was
  run "$PGW" dump --roundtrip --lenient "$f"
  [ "$status" -eq 1 ]
  [[ $output == *"malformed="* ]]
  [[ $output == *"backend stream offset 498"*"cannot re-encode: ReadyForQuery is malformed"* ]]
  # its length word changed to 6: the stream ends inside the message
  sed 's/5a00 00000549$/5a00 00000649/' "$SESS/psql-md5-login.pgs" >"$f"
  run "$PGW" dump --roundtrip "$f"
  [ "$status" -eq 1 ]
  [[ $output == *"backend stream offset 498"*"PGW_ERR_END_OF_STREAM"* ]]
}

@test "dump: a session ending inside a message fails" {
  f=$BATS_TEST_TMPDIR/cut.pgs
  printf 'pgw-session 1\nF 00000008 04d2\n' >"$f"
  run "$PGW" dump "$f"
  [ "$status" -eq 1 ]
  [[ $output == *"frontend stream offset 0"* ]]
}

@test "dump: malformed session files are rejected with the line number" {
  f=$BATS_TEST_TMPDIR/m.pgs
  printf 'pgw-session 2\n' >"$f"
  run "$PGW" dump "$f"
  [ "$status" -eq 1 ]
  [[ $output == *"m.pgs:1: unsupported session version"* ]]

  printf 'pgw-session 1\n@ note fine\n\n# comment\nF 00000008 04d2162\n' >"$f"
  run "$PGW" dump "$f"
  [ "$status" -eq 1 ]
  [[ $output == *"m.pgs:5: chunk has an odd number of hex digits"* ]]

  printf 'pgw-session 1\nB 4e\nX 00\n' >"$f"
  run "$PGW" dump "$f"
  [ "$status" -eq 1 ]
  [[ $output == *"m.pgs:3: expected a chunk"* ]]

  printf 'pgw-session 1\nF 0000 00zz\n' >"$f"
  run "$PGW" dump "$f"
  [ "$status" -eq 1 ]
  [[ $output == *"m.pgs:2: chunk: 'z' is not a hex digit"* ]]

  printf 'pgw-session 1\nF\n' >"$f"
  run "$PGW" dump "$f"
  [[ $output == *"m.pgs:2: chunk holds no bytes"* ]]

  printf 'pgw-session 1\n@ server\n' >"$f"
  run "$PGW" dump "$f"
  [[ $output == *"m.pgs:2: metadata 'server': missing value"* ]]

  printf 'pgw-session 1\r\n' >"$f"
  run "$PGW" dump "$f"
  [[ $output == *"m.pgs:1: carriage return"* ]]

  run "$PGW" dump "$BATS_TEST_TMPDIR/does-not-exist.pgs"
  [ "$status" -eq 1 ]
}

@test "dump: metadata, comments, blank lines and split chunks are accepted" {
  f=$BATS_TEST_TMPDIR/ok.pgs
  # The SSLRequest and its answer from a recorded session, the request split
  # over two lines and the digits in mixed case and spacing.
  printf 'pgw-session 1\n@ server PostgreSQL 15\n@ someday unknown keys are kept\n# c\n\nF 0000 00\nF\t08 04D2 162F\nB 4e\n' >"$f"
  run "$PGW" dump --roundtrip "$f"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 2 ]
}

@test "dump: bytes after an 'S' answer without '@ tls on' are refused" {
  f=$BATS_TEST_TMPDIR/tls.pgs
  printf 'pgw-session 1\nF 00000008 04d2162f\nB 53\nF 16030100\n' >"$f"
  run "$PGW" dump "$f"
  [ "$status" -eq 1 ]
  [[ $output == *"tls.pgs:4:"*"switch to TLS"* ]]
}

@test "dump: '@ tls on' continues with the decrypted stream" {
  # The recorded md5 session as if the server had answered 'S' (0x53) and
  # the recorder had terminated TLS: the same bytes follow, decrypted.
  f=$BATS_TEST_TMPDIR/tlson.pgs
  sed 's/^B 4e$/B 53\n@ tls on/' "$SESS/psql-md5-login.pgs" >"$f"
  run "$PGW" dump --roundtrip "$f"
  [ "$status" -eq 0 ]
  msgline "$output" B SSLResponse "answer='S'"
  grep -qE "^B +TLSHandshake +SSLResponse" <<<"$output"
  [ "${#lines[@]}" -eq 27 ]
  # '@ tls on' after an 'N' answer is an error
  sed 's/^B 4e$/B 4e\n@ tls on/' "$SESS/psql-md5-login.pgs" >"$f"
  run "$PGW" dump "$f"
  [ "$status" -eq 1 ]
  [[ $output == *"tlson.pgs:7: '@ tls on' without a switch to TLS"* ]]
}

@test "usage errors exit 2" {
  run "$PGW" dump
  [ "$status" -eq 2 ]
  run "$PGW" dump "$SESS/psql-md5-login.pgs" --format=xml
  [ "$status" -eq 2 ]
  for v in 12 19 '' 013 13x 1.3; do
    run "$PGW" dump "$SESS/psql-md5-login.pgs" --format=pqtrace "--libpq=$v"
    [ "$status" -eq 2 ]
    [[ $output == *"unknown libpq version"* ]]
  done
  run "$PGW" dump "$SESS/psql-md5-login.pgs" --libpq=15
  [ "$status" -eq 2 ]
  run "$PGW" dump "$SESS/psql-md5-login.pgs" --libpq=13
  [ "$status" -eq 2 ]
  [[ $output == *"--libpq goes with --format=pqtrace"* ]]
  # --single-row is libpq 13's alone (later libpqs trace messages, not reads)
  for o in "" --libpq=15 --libpq=18; do
    run "$PGW" dump "$SESS/psql-md5-login.pgs" --format=pqtrace $o --single-row
    [ "$status" -eq 2 ]
    [[ $output == *"--single-row goes with --libpq=13"* ]]
  done
  run "$PGW" record --listen 127.0.0.1:1
  [ "$status" -eq 2 ]
  run "$PGW" frobnicate
  [ "$status" -eq 2 ]
}

# ---- record through a real PostgreSQL 15 -------------------------------------

start_pg() {
  [[ -x /usr/lib/postgresql/15/bin/postgres ]] || skip "PostgreSQL 15 not installed"
  command -v psql >/dev/null || skip "psql not installed"
  local env
  env=$(bash "$REPO/scripts/pg" start 15 2>"$BATS_TEST_TMPDIR/pg.log") ||
    skip "scripts/pg start 15 failed: $(tail -3 "$BATS_TEST_TMPDIR/pg.log")"
  eval "$env"
  PG_DIR=$PGW_PG_DIR
}

stop_pg() {
  if [[ -n ${PG_DIR:-} ]]; then
    bash "$REPO/scripts/pg" stop "$PG_DIR" >/dev/null 2>&1 || true
    PG_DIR=
  fi
}

# free_port (a port for the proxy) and wait_listen (the recorder's
# "listening" line in its log: connecting to probe would be recorded).
# shellcheck source=../../scripts/lib.sh
. "$BATS_TEST_DIRNAME/../../scripts/lib.sh" bats

@test "record: psql through pgw record --once, then dump --roundtrip" {
  start_pg
  port=$(free_port)
  out=$BATS_TEST_TMPDIR/rec.pgs
  "$PGW" record --listen 127.0.0.1:$port --upstream 127.0.0.1:$PGW_PG_PORT \
    -o "$out" --note "bats record test" --once 2>"$BATS_TEST_TMPDIR/rec.log" &
  rp=$!
  wait_listen "$BATS_TEST_TMPDIR/rec.log"
  run psql "host=127.0.0.1 port=$port user=pgw_md5 password=md5pass dbname=pgw" \
    -X -c "select 40 + 2 as answer" -c "select nosuch"
  wait $rp
  rc=$?
  stop_pg
  [ "$rc" -eq 0 ]
  [[ $output == *"42"* ]]
  head -1 "$out" | grep -qx 'pgw-session 1'
  grep -q '^@ server PostgreSQL 15' "$out"
  grep -qx '@ client psql' "$out"
  grep -qx '@ note bats record test' "$out"
  run "$PGW" dump --roundtrip "$out"
  [ "$status" -eq 0 ]
  # md5, or SCRAM where the server keeps a SCRAM verifier for the user
  grep -qE "^B +[A-Za-z]+ +(AuthenticationMD5Password +code=5 salt=x'[0-9a-f]{8}'|AuthenticationSASL +code=10 )" <<<"$output"
  msgline "$output" B AuthenticationOk "code=0"
  msgline "$output" F Query 'query="select 40 \+ 2 as answer"'
  msgline "$output" B DataRow 'columns=\["42"\]'
  grep -qE '^B +[A-Za-z?]+ +ErrorResponse +S="ERROR" V="ERROR" C="42703"' <<<"$output"
  msgline "$output" F Terminate
}

@test "record: each connection goes to its own file (cancel request)" {
  start_pg
  port=$(free_port)
  out=$BATS_TEST_TMPDIR/multi.pgs
  "$PGW" record --listen 127.0.0.1:$port --upstream 127.0.0.1:$PGW_PG_PORT \
    -o "$out" 2>"$BATS_TEST_TMPDIR/rec.log" &
  rp=$!
  wait_listen "$BATS_TEST_TMPDIR/rec.log"
  psql "host=127.0.0.1 port=$port user=pgw_trust dbname=pgw" -X \
    -c "select pg_sleep(30)" >/dev/null 2>&1 &
  pp=$!
  sleep 1
  kill -INT $pp   # psql sends a CancelRequest on a second connection
  wait $pp || true
  sleep 0.3
  kill -TERM $rp
  wait $rp || true
  stop_pg
  [ -f "$out" ] && [ -f "$BATS_TEST_TMPDIR/multi-2.pgs" ]
  run "$PGW" dump --roundtrip "$out"
  [ "$status" -eq 0 ]
  grep -qE 'ErrorResponse .*C="57014"' <<<"$output"
  run "$PGW" dump --roundtrip "$BATS_TEST_TMPDIR/multi-2.pgs"
  [ "$status" -eq 0 ]
  msgline "$output" F CancelRequest "pid=[0-9]+ key=x'[0-9a-f]{8}'"
}

@test "record: after an 'S' answer the encrypted rest is not recorded" {
  command -v python3 >/dev/null || skip "python3 not installed"
  up=$(free_port)
  port=$(free_port)
  out=$BATS_TEST_TMPDIR/tls.pgs
  # A stand-in server that answers SSLRequest with 'S' and then exchanges a
  # few bytes that stand for TLS records; a client doing the same.
  cat >"$BATS_TEST_TMPDIR/tls.py" <<'PY'
import socket, sys, threading
up, port = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", up)); srv.listen(1)
def serve():
    c, _ = srv.accept(); c.recv(8); c.sendall(b"S"); c.recv(100)
    c.sendall(b"\x16\x03\x03\x00\x02xx"); c.close()
t = threading.Thread(target=serve); t.start()
print("ready", flush=True)
sys.stdin.readline()
k = socket.create_connection(("127.0.0.1", port))
k.sendall(bytes.fromhex("0000000804d2162f")); assert k.recv(1) == b"S"
k.sendall(b"\x16\x03\x01\x00\x05hello"); k.recv(100); k.close(); t.join()
PY
  coproc PY { python3 "$BATS_TEST_TMPDIR/tls.py" $up $port; }
  read -r ready <&"${PY[0]}"
  [ "$ready" = ready ]
  "$PGW" record --listen 127.0.0.1:$port --upstream 127.0.0.1:$up -o "$out" \
    --once 2>"$BATS_TEST_TMPDIR/rec.log" &
  rp=$!
  wait_listen "$BATS_TEST_TMPDIR/rec.log"
  echo go >&"${PY[1]}"
  wait $rp
  wait $PY_PID
  [ "$(grep -c '^[FB] ' "$out")" -eq 2 ]
  grep -qx 'F 00000008 04d2162f' "$out"
  grep -qx 'B 53' "$out"
  grep -q '^# the connection switched to TLS' "$out"
  ! grep -q '^@ tls' "$out"
  run "$PGW" dump "$out"
  [ "$status" -eq 0 ]
  grep -qE "^B +TLSHandshake +SSLResponse +answer='S'" <<<"$output"
}

# ---- help ---------------------------------------------------------------------

@test "help: pgw --help and pgw help print the whole usage and exit 0" {
  for a in --help help; do
    run "$PGW" "$a"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage:" ]
    for c in dump rules record replay certify --version; do
      [[ $output == *"pgw $c"* ]]
    done
  done
}

@test "help: pgw help CMD and pgw CMD --help print that command's usage and exit 0" {
  for c in dump rules record replay certify; do
    run "$PGW" help "$c"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage:" ]
    [[ ${lines[1]} == "  pgw $c "* ]]
    [[ $output != *"pgw --version"* ]]
    local want=$output
    run "$PGW" "$c" --help
    [ "$status" -eq 0 ]
    [ "$output" = "$want" ]
  done
  # --help anywhere among the options, before any other check
  run "$PGW" replay "$SESS/psql-md5-login.pgs" --help
  [ "$status" -eq 0 ]
  [[ ${lines[1]} == "  pgw replay "* ]]
}

@test "help: an unknown command to help is a usage error" {
  run "$PGW" help frobnicate
  [ "$status" -eq 2 ]
  [[ $output == *"unknown command: frobnicate"* ]]
  run "$PGW" help dump replay
  [ "$status" -eq 2 ]
}
