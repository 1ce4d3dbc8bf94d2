# conformance/pqtrace15.sed — libpq 15's known mis-traces, for comparing
# `pgw dump --format=pqtrace --libpq=15` with a recorded libpq 15 trace.
#
#   pgw dump --format=pqtrace --libpq=15 S.pgs | sed -E -f conformance/pqtrace15.sed
#
# must equal S's libpq 15 trace byte for byte (conformance/run check does
# this). pgw prints the right line where libpq 15 prints a wrong one (see
# `--libpq=15` in conformance/README.md); each rule below rewrites exactly
# one such right line into the line libpq 15 prints instead, keeping the
# length, so everything else in the trace is compared unchanged. The rules
# go this way (pgw's line -> libpq 15's), not the other, because libpq 15's
# lines carry less: the rewrite is a function only in this direction.
# A rule matches a whole line (^...$) with its direction and message name;
# no other line is touched. GNU sed, -E.

# 1. Startup packets (StartupMessage, SSLRequest, GSSENCRequest).
#    libpq 15's pqTraceOutputNoTypeByteMessage knows only the 16-byte
#    CancelRequest and prints every other packet without a type byte as
#    "Unknown message: length is N".
s/^F\t([0-9]+)\t(StartupMessage|SSLRequest|GSSENCRequest)\t.*$/F\t\1\tUnknown message: length is \1/

# 2. The authentication responses sharing type byte 'p' (PasswordMessage,
#    SASLInitialResponse, SASLResponse, GSSResponse). libpq 15's
#    pqTraceOutputMessage has no case for 'p': it prints "Unknown message: 70"
#    (the type byte in hex), consumes nothing, and then reports
#    "mismatched message length: consumed 4, expected N" (4: just the
#    length word), unless the message is empty (N = 4).
/^F\t4\t(PasswordMessage|SASLInitialResponse|SASLResponse|GSSResponse)(\t.*)?$/{
  s/.*/F\t4\tUnknown message: 70/
  b
}
s/^F\t([0-9]+)\t(PasswordMessage|SASLInitialResponse|SASLResponse|GSSResponse)\t.*$/F\t\1\tUnknown message: 70\nmismatched message length: consumed 4, expected \1/

# 3. CopyData sent by the client. libpq 15's case for 'd' prints nothing,
#    not even the message name ("drop COPY data to reduce the overhead of
#    logging"), so the line ends after the length's TAB and is followed by
#    "mismatched message length: consumed 4, expected N", unless empty.
#    (libpq 15 does not trace CopyData from the backend at all; pgw
#    --libpq=15 does not print it either: no rule needed.)
/^F\t4\tCopyData\t 'BBBB'$/{
  s/.*/F\t4\t/
  b
}
s/^F\t([0-9]+)\tCopyData\t 'BBBB'$/F\t\1\t\nmismatched message length: consumed 4, expected \1/
