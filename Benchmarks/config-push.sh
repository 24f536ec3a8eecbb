#!/usr/bin/env bash
# Benchmark: the proxy's `PUT /config` of a large rule set while requests keep flowing.
# `meshctl proxy run` serves one route to a local backend (`meshctl demo backend`); wrk keeps a
# closed loop of requests on it. Each round runs wrk twice for SECONDS: once undisturbed (the
# baseline), and once with a push of RESOURCES resources (Benchmarks/generate.py --registry, plus
# the route in use) one second in. Prints per round the push's time (curl's total: upload,
# decode, validate, compile, swap) and each window's p50, p99 and max latency, then the medians.
# Usage: Benchmarks/config-push.sh [RESOURCES=10000] [ROUNDS=5] [SECONDS=4] [CONNS=16]
# Needs: wrk and curl, and a release build of meshctl (swift build -c release), or MESHCTL=path.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}; rounds=${2:-5}; seconds=${3:-4}; conns=${4:-16}
meshctl=${MESHCTL:-.build/release/meshctl}
for tool in wrk curl; do command -v $tool >/dev/null || { echo "$tool is not installed (apt-get install -y $tool)"; exit 1; }; done
[ -x "$meshctl" ] || { echo "no meshctl at $meshctl: run swift build -c release first"; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
backend_port=$(free_port); listen_port=$(free_port); admin_port=$(free_port)

cat >"$work/bench.yaml" <<CONF
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: bench}
spec:
  hosts: [bench.local]
  location: MESH_INTERNAL
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: $backend_port}, labels: {version: v1}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bench}
spec:
  hosts: [bench.local]
  http:
  - route: [{destination: {host: bench.local}}]
CONF
{ cat "$work/bench.yaml"; echo "---"; python3 Benchmarks/generate.py "$count" --registry; } >"$work/push.yaml"
"$meshctl" validate -f "$work/push.yaml" >/dev/null || { echo "the pushed rules do not validate"; exit 1; }

"$meshctl" demo backend --name bench --version v1 --listen 127.0.0.1:$backend_port >/dev/null 2>&1 & pids+=($!)
"$meshctl" proxy run -f "$work/bench.yaml" --concurrency 1 --listen 127.0.0.1:$listen_port \
  --admin 127.0.0.1:$admin_port --log-level error --ready-file "$work/ready" & pids+=($!)
for _ in $(seq 100); do [ -e "$work/ready" ] && break; sleep 0.05; done
url="http://127.0.0.1:$listen_port/"
wrk -t1 -c"$conns" -d2s -H "Host: bench.local" "$url" >/dev/null   # warm up

window() { # prints "p50 p99 max" in ms for one wrk run of $seconds
  wrk -t1 -c"$conns" -d"${seconds}s" --latency -H "Host: bench.local" "$url" | python3 -c '
import sys
def ms(v): return float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-2]) if v.endswith("ms") else float(v[:-1]) * 1000
p = {}
for line in sys.stdin:
    f = line.split()
    if f[:1] == ["Latency"] and len(f) >= 4: p["max"] = ms(f[3])
    if f[:1] in (["50%"], ["99%"]): p[f[0]] = ms(f[1])
print(p["50%"], p["99%"], p["max"])'
}
results="$work/results"
: >"$results"
printf '%-6s %9s   %-26s %-26s\n' round push_s "baseline p50/p99/max ms" "during push p50/p99/max ms"
for r in $(seq "$rounds"); do
  base=$(window)
  window >"$work/during" &
  wrk_pid=$!
  sleep 1
  push=$(curl -s -o "$work/answer" -w '%{time_total}' -X PUT --data-binary @"$work/push.yaml" "http://127.0.0.1:$admin_port/config")
  wait $wrk_pid
  grep -q '"version"' "$work/answer" || { echo "push refused: $(head -c 300 "$work/answer")"; exit 1; }
  during=$(cat "$work/during")
  echo "$r $push $base $during" >>"$results"
  printf '%-6s %9.3f   %-26s %-26s\n' "$r" "$push" "$(echo $base | tr ' ' /)" "$(echo $during | tr ' ' /)"
done
python3 - "$results" "$count" <<'PY'
import sys, statistics
rows = [[float(x) for x in l.split()] for l in open(sys.argv[1])]
med = lambda i: statistics.median(r[i] for r in rows)
print(f"\nmedians over {len(rows)} rounds, {sys.argv[2]} resources pushed:")
print(f"push {med(1):.3f} s (target < 0.5)")
print(f"baseline    p50 {med(2):.3f} ms  p99 {med(3):.3f} ms  max {med(4):.3f} ms")
print(f"during push p50 {med(5):.3f} ms  p99 {med(6):.3f} ms  max {med(7):.3f} ms")
print(f"p99 during push / baseline p99: {med(6) / med(3):.2f}x; max during push / baseline p99: {med(7) / med(3):.2f}x (target <= 2)")
PY
