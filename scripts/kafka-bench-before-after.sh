#!/usr/bin/env bash
# KafkaStreamingBenchmark of an older revision and of this tree in turns (before, after, before, after, ...), so
# that a busy machine slows both alike; merges each side's rounds (every process's counted rounds) into one JSON
# with medians over all of them, and prints the two side by side with the load averages.
#   BENCH_JAVA_OPTS=-Xmx2g scripts/kafka-bench-before-after.sh 9b2a29b results/kafka-streaming-before.json results/kafka-streaming.json 2
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
base="${1:?usage: scripts/kafka-bench-before-after.sh BASE_REVISION [before.json] [after.json] [pairs] [benchmark args...]}"
before="${2:-results/kafka-streaming-before.json}"; after="${3:-results/kafka-streaming.json}"; pairs="${4:-2}"
shift $(( $# < 4 ? $# : 4 ))
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
git archive "$base" | tar -x -C "$work"              # a plain copy: no worktree, nothing installed
(cd "$work" && mvn -B -q -o -DskipTests package -pl bench -am >&2)
mvn -B -q -o -DskipTests package -pl bench -am >&2
run() { # $1 = tree, $2 = out.json, then the benchmark's other arguments
  local tree="$1" out="$2"; shift 2
  (cd "$tree" && exec nice -n 10 java ${BENCH_JAVA_OPTS:--Xmx3g} -cp "bench/target/classes:bench/target/lib/*" \
      io.mobl.bench.KafkaStreamingBenchmark "$out" "$@" >"$out.log" 2>&1)
}
for i in $(seq "$pairs"); do
  echo "pair $i: before ($base), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2; run "$work" "$work/before-$i.json" "$@"
  echo "pair $i: after ($(git rev-parse --short HEAD)), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2; run "$root" "$work/after-$i.json" "$@"
done
python3 - "$work" "$pairs" "$before" "$after" "$base" "$(git rev-parse --short HEAD)" <<'PY'
import json, statistics, sys, os
work, pairs, out_before, out_after, base, head = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
RATES = ["rawBytesRecordsPerSecond", "rawDecodingRecordsPerSecond", "rawDecodingPerPartitionRecordsPerSecond",
         "moblMinibatchesPerSecond", "moblOverRawDecoding", "moblOverRawBytes", "moblOverRawDecodingPerPartition"]
def merge(side, revision):
    runs = [json.load(open(f"{work}/{side}-{i}.json")) for i in range(1, pairs + 1)]
    out = runs[0]
    out["revision"] = revision
    out["method"] = (f"{pairs} benchmark processes of this revision, each alternating with one of the other side "
                     "(scripts/kafka-bench-before-after.sh); medians over every counted round of all of them")
    out["processLoadAverages"] = [r["machine"]["loadAverage1m"] for r in runs]
    for c, config in enumerate(out["delivery"]["byMaxPollRecords"]):
        rounds = []
        for i, r in enumerate(runs):
            for row in r["delivery"]["byMaxPollRecords"][c]["rounds"]:
                row = dict(row, process=i)
                rounds.append(row)
        counted = [row for row in rounds if row["round"] != "warm-up"]
        for k in RATES:
            config[k + "Median"] = statistics.median(row[k] for row in counted)
        config["loadAverage1m"] = [row["loadAverage1m"] for row in counted]
        config["rounds"] = rounds
    reps = []
    for i, r in enumerate(runs):
        reps += [dict(row, process=i) for row in r["lowerLevelWait"]["repetitions"]]
    counted = [row for row in reps if row["run"] != "warm-up"]
    w = out["lowerLevelWait"]
    w["repetitions"] = reps
    w["lowerWaitFractionMedian"] = statistics.median(row["lowerWaitFraction"] for row in counted)
    w["lowerWaitFractionBest"] = min(row["lowerWaitFraction"] for row in counted)
    w["startupSecondsMedian"] = statistics.median(row["startupSeconds"] for row in counted)
    os.makedirs(os.path.dirname(os.path.abspath(out_before if side == "before" else out_after)), exist_ok=True)
    json.dump(out, open(out_before if side == "before" else out_after, "w"), indent=2)
    return out
b, a = merge("before", base), merge("after", head)
print(f"{'':44s} {'before ' + base:>18s} {'after ' + head:>18s}")
for cb, ca in zip(b["delivery"]["byMaxPollRecords"], a["delivery"]["byMaxPollRecords"]):
    for k in ["moblOverRawDecoding", "moblMinibatchesPerSecond", "rawDecodingRecordsPerSecond"]:
        print(f"{k + ' @' + str(cb['maxPollRecords']):44s} {cb[k + 'Median']:18.3f} {ca[k + 'Median']:18.3f}")
print(f"{'lowerWaitFraction':44s} {b['lowerLevelWait']['lowerWaitFractionMedian']:18.4f} {a['lowerLevelWait']['lowerWaitFractionMedian']:18.4f}")
print(f"{'load averages of the processes':44s} {str(b['processLoadAverages']):>18s} {str(a['processLoadAverages']):>18s}")
print("wrote", out_before, "and", out_after)
PY
