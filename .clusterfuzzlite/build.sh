#!/bin/bash -eu
# ClusterFuzzLite build: the same as OSS-Fuzz's (fuzz/oss-fuzz/build.sh).
exec "$SRC/pgw/fuzz/oss-fuzz/build.sh"
