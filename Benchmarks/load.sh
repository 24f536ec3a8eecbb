#!/usr/bin/env bash
# `meshctl x load` against wrk, side by side in the same run: both load the same fast backend
# (nginx, one worker, answering `return 200`) with one thread and the same number of keep-alive
# connections in a closed loop, in alternating rounds. Reports req/s and p50/p99 latency per round,
# the medians, and x load's req/s as a share of wrk's.
#
# Usage: Benchmarks/load.sh [ROUNDS=5] [SECONDS=5] [CONNS=32]
# Needs: wrk and nginx (Debian: apt-get install -y wrk nginx), and a release build of meshctl
# (swift build -c release), or MESHCTL=path.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}; seconds=${2:-5}; conns=${3:-32}
meshctl=${MESHCTL:-.build/release/meshctl}
for tool in wrk nginx; do command -v $tool >/dev/null || { echo "$tool is not installed (apt-get install -y $tool)"; exit 1; }; done
[ -x "$meshctl" ] || { echo "no meshctl at $meshctl: run swift build -c release first"; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$port; location / { return 200 "backend ok\n"; } }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log" & pids+=($!)
sleep 0.5
url="http://127.0.0.1:$port/"

ms() { # wrk latency (512.00us, 1.02ms, 1.10s) in ms
  python3 -c "import sys;v=sys.argv[1];print(float(v[:-2])/1000 if v.endswith('us') else float(v[:-2]) if v.endswith('ms') else float(v[:-1])*1000)" "$1"
}
wrk_round() {
  local out
  out=$(wrk -t1 -c"$conns" -d"${seconds}s" --latency "$url")
  echo "wrk $(echo "$out" | awk '/Requests\/sec/ {print $2}') $(ms "$(echo "$out" | awk '$1=="50%" {print $2}')") $(ms "$(echo "$out" | awk '$1=="99%" {print $2}')")"
}
load_round() {
  "$meshctl" x load "$url" -c "$conns" -t "${seconds}s" --threads 1 -o json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("x-load", d["requestsPerSecond"], d["latency"]["p50"], d["latency"]["p99"])'
}
# Warm up both.
wrk -t1 -c"$conns" -d1s "$url" >/dev/null
"$meshctl" x load "$url" -c "$conns" -t 1s >/dev/null
results="$work/results"
: > "$results"
for r in $(seq "$rounds"); do
  for line in "$(wrk_round)" "$(load_round)"; do
    set -- $line
    echo "$r $*" >> "$results"
    printf 'round %d  %-7s %10s req/s  p50 %7.3f ms  p99 %7.3f ms\n' "$r" "$1" "$2" "$3" "$4"
  done
done
python3 - "$results" "$conns" "$seconds" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
def med(name, col): return statistics.median(float(r[col]) for r in rows if r[1] == name)
print("\nmedians over %d rounds, %s connections, %ss each, one thread, nginx backend:" % (len(rows) // 2, sys.argv[2], sys.argv[3]))
print("%-7s %12s %10s %10s" % ("", "req/s", "p50 ms", "p99 ms"))
for name in ("wrk", "x-load"):
    print("%-7s %12.0f %10.3f %10.3f" % (name, med(name, 2), med(name, 3), med(name, 4)))
print("x load / wrk: %.2f× the requests per second" % (med("x-load", 2) / med("wrk", 2)))
PY
