#!/usr/bin/env bash
# Build the bench module and run one benchmark driver; results go to results/*.json.
#   scripts/bench.sh WcMhgdBenchmark results/wc-mhgd.json 1000,100000,1000000 2,4,8,16
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
main="${1:?usage: scripts/bench.sh BenchmarkClass [args...]}"; shift
mvn -B -q -DskipTests package -pl bench -am >&2
exec java ${BENCH_JAVA_OPTS:--Xmx12g} -cp "bench/target/classes:bench/target/lib/*" "io.mobl.bench.$main" "$@"
