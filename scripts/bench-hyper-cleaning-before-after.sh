#!/usr/bin/env bash
# HyperCleaningBenchmark's FORUM-setting row (784-512-256 + 2×10, batch 100, D = 64, WC-MHGD CG, float64) for an
# older revision and for this tree, run in turns (before, after, before, ...) so that a busy machine slows both
# alike; writes each run's JSON and a summary with the per-round ratios and the load average around each run.
#   scripts/bench-hyper-cleaning-before-after.sh 657e191 results/hyper-cleaning-before-after.json 2
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
base="${1:?usage: scripts/bench-hyper-cleaning-before-after.sh BASE_REVISION [out.json] [rounds]}"
out="${2:-results/hyper-cleaning-before-after.json}"; rounds="${3:-2}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
git archive "$base" | tar -x -C "$work/"              # a plain copy: no worktree, nothing installed
(cd "$work" && mvn -B -q -o -DskipTests package -pl bench -am >&2)
mvn -B -q -o -DskipTests package -pl bench -am >&2
opts="${BENCH_JAVA_OPTS:--Xmx3g -Dorg.bytedeco.javacpp.maxbytes=3g -Dorg.bytedeco.javacpp.maxphysicalbytes=6g}"
run() { # $1 = tree, $2 = json; the old driver takes no precision argument, the new one defaults to float64 then
  (cd "$1" && exec java $opts -cp "bench/target/classes:bench/target/lib/*" io.mobl.bench.HyperCleaningBenchmark \
      "$2" 1 forum-mlp cg float64 >/dev/null 2>&1)
}
for i in $(seq "$rounds"); do
  run "$work" "$work/before-$i.json"; run "$root" "$work/after-$i.json"
done
python3 - "$work" "$rounds" "$out" "$base" "$(git rev-parse --short HEAD)" <<'PY'
import json, os, sys
work, rounds, out, base, head = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
table = []
for i in range(1, rounds + 1):
    b, a = (json.load(open(f"{work}/{w}-{i}.json")) for w in ("before", "after"))
    rb, ra = b["perIteration"][0], a["perIteration"][0]
    row = {"round": i, "loadAverage1mBefore": b["machine"]["loadAverage1m"], "loadAverage1mAfter": a["machine"]["loadAverage1m"]}
    for f in ("secondsPerIteration", "lowerSecondsPerIteration", "lowerGflops", "lowerFractionOfPeak"):
        row[f + "Before"], row[f + "After"] = rb[f], ra[f]
    row["lowerFractionOfShapePeakAfter"] = ra.get("lowerFractionOfShapePeak")
    row["speedUpPerIteration"] = rb["secondsPerIteration"] / ra["secondsPerIteration"]
    row["speedUpLower"] = rb["lowerSecondsPerIteration"] / ra["lowerSecondsPerIteration"]
    row["runs"] = {"before": b, "after": a}
    table.append(row)
    print({k: v for k, v in row.items() if k != "runs"})
os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
json.dump({"benchmark": "HyperCleaningBenchmark forum-mlp cg float64, before (" + base + ") and after (" + head
           + "), alternating processes, 1 measured iteration each after 1 warm-up", "rows": table}, open(out, "w"), indent=2)
print("wrote", out)
PY
