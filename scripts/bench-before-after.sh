#!/usr/bin/env bash
# Per-iteration WcMhgdBenchmark rows of an older revision and of this tree, run in turns (before, after,
# before, after, ...) so that a busy machine slows both alike; writes both sets and their median ratios.
#   scripts/bench-before-after.sh 70ec9d1 results/wc-mhgd-before-after.json 1000,100000 2,4 3
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
base="${1:?usage: scripts/bench-before-after.sh BASE_REVISION [out.json] [sizes] [objectives] [rounds]}"
out="${2:-results/wc-mhgd-before-after.json}"; sizes="${3:-1000,100000}"; objectives="${4:-2,4}"; rounds="${5:-3}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
git archive "$base" | tar -x -C "$work"              # a plain copy: no worktree, nothing installed
(cd "$work" && mvn -B -q -o -DskipTests package -pl bench -am >&2)
mvn -B -q -o -DskipTests package -pl bench -am >&2
run() { # $1 = tree, $2 = log: keeps the per-iteration rows; the old driver then runs its ε rows, so stop it
  local want=$(( $(tr , '\n' <<<"$sizes" | wc -l) * $(tr , '\n' <<<"$objectives" | wc -l) ))
  (cd "$1" && exec java ${BENCH_JAVA_OPTS:--Xmx3g -Dorg.bytedeco.javacpp.maxbytes=3g -Dorg.bytedeco.javacpp.maxphysicalbytes=6g} -cp "bench/target/classes:bench/target/lib/*" \
      io.mobl.bench.WcMhgdBenchmark "$work/ignored.json" "$sizes" "$objectives" 0 none >"$work/run.log" 2>/dev/null) &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null && [ "$(grep -c '^{p=' "$work/run.log" 2>/dev/null || true)" -lt "$want" ]; do sleep 1; done
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  grep '^{p=' "$work/run.log" >>"$2"
}
for i in $(seq "$rounds"); do run "$work" "$work/before.log"; run "$root" "$work/after.log"; done
python3 - "$work/before.log" "$work/after.log" "$out" "$base" "$(git rev-parse --short HEAD)" <<'PY'
import json, re, statistics, sys, os
def rows(path):
    out = {}
    for line in open(path):
        d = dict(kv.split('=', 1) for kv in re.findall(r'(\w+=[^,}]+)', line))
        out.setdefault((int(d['p']), int(d['S'])), []).append({k: float(v) for k, v in d.items()})
    return out
before, after = rows(sys.argv[1]), rows(sys.argv[2])
table = []
for key in sorted(before):
    b, a = before[key], after.get(key, [])
    med = lambda xs, f: statistics.median(x[f] for x in xs) if xs else None
    row = {"p": key[0], "S": key[1], "runs": [len(b), len(a)]}
    for f in ("msPerIteration", "msLower", "msHypergradients", "achievedGflops"):
        row[f + "Before"], row[f + "After"] = med(b, f), med(a, f)
    for f in ("gflopsLower", "gflopsHypergradients"):
        row[f + "After"] = med(a, f)
    row["speedUpPerIteration"] = row["msPerIterationBefore"] / row["msPerIterationAfter"] if a else None
    row["speedUpLower"] = row["msLowerBefore"] / row["msLowerAfter"] if a else None
    row["speedUpHypergradients"] = row["msHypergradientsBefore"] / row["msHypergradientsAfter"] if a else None
    table.append(row)
    print(row)
os.makedirs(os.path.dirname(os.path.abspath(sys.argv[3])), exist_ok=True)
json.dump({"benchmark": "WcMhgdBenchmark per-iteration rows, before (" + sys.argv[4] + ") and after (" + sys.argv[5]
           + "), alternating processes; medians over rounds", "machine": {"cores": os.cpu_count(),
           "loadAverage": os.getloadavg()}, "rows": table}, open(sys.argv[3], "w"), indent=2)
print("wrote", sys.argv[3])
PY
