# conformance/pqtrace13-reads.awk — forget how many times libpq 13 read a
# message's type and length, for comparing two libpq 13 traces.
#
#   awk -f conformance/pqtrace13-reads.awk TRACE
#
# libpq 13 reads a backend message's type and length again when the
# message had not all arrived, or when it stopped before it with a result
# to hand over (conformance/README.md, "--libpq=13"); each read is traced.
# How many reads there were depends on how TCP cut the stream for the
# client, which a session's chunks (what the recorder read) do not always
# show, and which changes from run to run. So a header read ("From
# backend> X", and "From backend (#4)> N" if there) followed at once by
# another read of the same type byte is dropped: only the last read of a
# message is kept, with its fields. Not for CopyData ('d'): consecutive
# CopyData of one length are distinct messages, not re-reads.
{ line[NR] = $0 }
END {
  for (i = 1; i <= NR; i++) {
    t = line[i]
    if (t ~ /^From backend> .$/ && t != "From backend> d") {
      j = i + 1
      if (line[j] ~ /^From backend \(#4\)> -?[0-9]+$/) j++
      if (j <= NR && line[j] == t) { i = j - 1; continue }
    }
    print t
  }
}
