#!/usr/bin/env bash
# Three `mobl node` processes on 127.0.0.1 forming one cluster; Ctrl-C (or SIGTERM) stops them, each leaving the
# cluster gracefully. Logs: .mobl/local-cluster/node-N.log.
#
#   scripts/local-cluster.sh                 # ports 17355-17357, management 7626-7628, metrics 9465-9467
#   PORT=27355 MANAGEMENT_PORT=8626 METRICS_PORT=19465 scripts/local-cluster.sh
#
# Then e.g. curl http://127.0.0.1:7626/cluster/members, curl http://127.0.0.1:9465/metrics | grep mobl_cluster,
# or kill -9 one node's pid and watch the two others down it (split-brain resolver, keep-majority).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${PORT:-17355}"
management="${MANAGEMENT_PORT:-7626}"
metrics="${METRICS_PORT:-9465}"
logs="$root/.mobl/local-cluster"
mkdir -p "$logs"

"$root/mobl" --version >/dev/null   # builds once, before three processes would try at the same time

seeds="127.0.0.1:$port,127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2))"
pids=()
stop() {
  trap - INT TERM
  echo "stopping the nodes (each leaves the cluster first)..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped"
}
trap stop INT TERM

for i in 0 1 2; do
  MOBL_JAVA_OPTS="${MOBL_JAVA_OPTS:--Xmx512m}" "$root/mobl" node --seed-nodes "$seeds" --host 127.0.0.1 \
      --port $((port + i)) --management-port $((management + i)) --metrics-port $((metrics + i)) \
      >"$logs/node-$i.log" 2>&1 &
  pids+=($!)
  echo "node $i: pid ${pids[$i]}, pekko://mobl@127.0.0.1:$((port + i)), management http://127.0.0.1:$((management + i)), metrics http://127.0.0.1:$((metrics + i))/metrics"
done

for i in 0 1 2; do
  for _ in $(seq 1 120); do
    if curl -fs "http://127.0.0.1:$((management + i))/ready" >/dev/null 2>&1; then echo "node $i: ready"; break; fi
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then echo "node $i exited; see $logs/node-$i.log" >&2; stop; exit 1; fi
    sleep 1
  done
done
echo "the cluster is up; Ctrl-C stops it"
wait
