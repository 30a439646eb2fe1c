#!/usr/bin/env bash
# Build the bench module and run one benchmark driver; results go to results/*.json.
#   scripts/bench.sh WcMhgdBenchmark results/wc-mhgd.json 1000,100000,1000000 2,4,8,16
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
main="${1:?usage: scripts/bench.sh BenchmarkClass [args...]}"; shift
mvn -B -q -DskipTests package -pl bench -am >&2
# ND4J's arrays live outside the heap and are freed only when the GC runs; JavaCPP lets them grow to
# maxbytes (default: the heap size) and the process to maxphysicalbytes (default: twice it) before it
# forces a GC. With -Xmx8g a p = 1e6 run reached 16 GB resident and was OOM-killed on a 23 GB machine
# shared by six builds, so the defaults below cap the whole process near 6 GB.
exec java ${BENCH_JAVA_OPTS:--Xmx3g -Dorg.bytedeco.javacpp.maxbytes=3g -Dorg.bytedeco.javacpp.maxphysicalbytes=6g} -cp "bench/target/classes:bench/target/lib/*" "io.mobl.bench.$main" "$@"
