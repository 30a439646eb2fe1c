#!/usr/bin/env bash
# mobl against PyTorch on the same machine (issue 15): seconds per UL iteration of stochastic FORUM (T = 64, batches
# of 100 per data set) and of WC-MHGD-CG (D = 64) on the FORUM paper's hyper-cleaning MLP, float32 on both sides, the
# same thread count (OMP_NUM_THREADS, default 1), runs alternating (PyTorch first in odd rounds, mobl first in even
# ones) so that a shared machine's load falls on both alike. Writes every run, the medians and mobl/PyTorch per method,
# of the wall seconds and of the process CPU seconds (steadier than wall time when other jobs share the cores).
#   scripts/bench-pytorch.sh results/pytorch-comparison.json [rounds, default 3] [iterations per run, default 3]
# BENCH_CLASSPATH times another build of mobl (an earlier one, for a before/after), BENCH_SKIP_BUILD=1 skips the build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${1:-results/pytorch-comparison.json}"
rounds="${2:-3}"
iterations="${3:-3}"
python=/usr/bin/python3 # Debian's python3-torch lives in the system Python, not in a pyenv one
# Debian builds torch against the generic libblas.so.3; without OpenBLAS installed that is the reference BLAS
# (about 4 GFLOP/s here, 20 times slower), so the OpenBLAS alternative is installed with it
if ! "$python" -c 'import torch' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread >&2
fi
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# untimed iterations before the timed ones on both sides (besides the first): mobl's JIT reaches its steady state
# over the first several iterations, and the runs this compares last hundreds
export BENCH_WARMUP="${BENCH_WARMUP:-5}"
export OPENBLAS_NUM_THREADS="$OMP_NUM_THREADS"
[ -n "${BENCH_SKIP_BUILD:-}" ] || mvn -B -q -DskipTests package -pl bench -am >&2
lines="$(mktemp)"
trap 'rm -f "$lines"' EXIT
java_run() {
  java ${BENCH_JAVA_OPTS:--Xmx3g} -cp "${BENCH_CLASSPATH:-bench/target/classes:bench/target/lib/*}" io.mobl.bench.UlIterationBenchmark "$1" "$iterations" | tail -1
}
py_run() {
  "$python" bench/pytorch/ul_iteration.py "$1" "$iterations" | tail -1
}
for round in $(seq 1 "$rounds"); do
  for method in forum cg; do
    if (( round % 2 == 1 )); then first=py_run; second=java_run; else first=java_run; second=py_run; fi
    for side in "$first" "$second"; do
      line="$($side "$method")"
      echo "round $round: $line" >&2
      echo "{\"round\": $round, \"load1m\": $(cut -d' ' -f1 /proc/loadavg), \"run\": $line}" >> "$lines"
    done
  done
done
"$python" - "$lines" "$out" "$rounds" "$iterations" <<'PY'
import json, statistics, sys, os, torch
lines, out, rounds, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
runs = [json.loads(l) for l in open(lines)]
result = {"benchmark": "seconds per UL iteration, mobl vs PyTorch, FORUM paper hyper-cleaning MLP 784-512-256 + 2x10, float32",
          "warmUpIterations": 1 + int(os.environ["BENCH_WARMUP"]),
          "threads": int(os.environ["OMP_NUM_THREADS"]), "rounds": rounds, "iterationsPerRun": iterations,
          "torch": torch.__version__, "torchBlas": "system libblas.so.3 -> " + os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"),
          "cores": os.cpu_count(), "runs": runs, "methods": {}}
for method in ("forum", "cg"):
    m = {side: [r["run"]["median"] for r in runs if r["run"]["method"] == method and r["run"]["side"] == side]
         for side in ("mobl", "pytorch")}
    c = {side: [r["run"]["cpuMedian"] for r in runs if r["run"]["method"] == method and r["run"]["side"] == side]
         for side in ("mobl", "pytorch")}
    ratios = [a / b for a, b in zip(m["mobl"], m["pytorch"])]
    result["methods"][method] = {"moblMedianSeconds": statistics.median(m["mobl"]),
                                 "pytorchMedianSeconds": statistics.median(m["pytorch"]),
                                 "ratioMoblOverPytorch": statistics.median(m["mobl"]) / statistics.median(m["pytorch"]),
                                 "ratioPerRound": ratios,
                                 "moblMedianCpuSeconds": statistics.median(c["mobl"]),
                                 "pytorchMedianCpuSeconds": statistics.median(c["pytorch"]),
                                 "cpuRatioMoblOverPytorch": statistics.median(c["mobl"]) / statistics.median(c["pytorch"]),
                                 "cpuRatioPerRound": [a / b for a, b in zip(c["mobl"], c["pytorch"])], "target": 0.7}
os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
json.dump(result, open(out, "w"), indent=2)
for method, r in result["methods"].items():
    print(f"{method}: wall mobl {r['moblMedianSeconds']:.3f} s, PyTorch {r['pytorchMedianSeconds']:.3f} s, mobl/PyTorch {r['ratioMoblOverPytorch']:.2f} (rounds {', '.join(f'{x:.2f}' for x in r['ratioPerRound'])}); "
          f"CPU mobl {r['moblMedianCpuSeconds']:.3f} s, PyTorch {r['pytorchMedianCpuSeconds']:.3f} s, mobl/PyTorch {r['cpuRatioMoblOverPytorch']:.2f} (rounds {', '.join(f'{x:.2f}' for x in r['cpuRatioPerRound'])})")
print("wrote", out)
PY
