#!/usr/bin/env bash
# meshctl's proxy against nginx as a reverse proxy, in front of the same fast backend (a
# separate nginx answering `return 200`), one worker each, under the same closed-loop load
# (wrk -t1 -cCONNS). Also the backend direct. Reports req/s, p50 and p99 latency per round and
# their medians, and the proxies' peak RSS, side by side in the same run.
#
# Usage: Benchmarks/proxy.sh [ROUNDS=5] [SECONDS=10] [CONNS=32]
# Needs: wrk and nginx (Debian: apt-get install -y wrk nginx), and a release build of meshctl
# (swift build -c release), or MESHCTL=path.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}; seconds=${2:-10}; conns=${3:-32}
meshctl=${MESHCTL:-.build/release/meshctl}
for tool in wrk nginx; do command -v $tool >/dev/null || { echo "$tool is not installed (apt-get install -y $tool)"; exit 1; }; done
[ -x "$meshctl" ] || { echo "no meshctl at $meshctl: run swift build -c release first"; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
backend_port=$(free_port); nginx_port=$(free_port); mesh_port=$(free_port); admin_port=$(free_port)

mkdir -p "$work/backend" "$work/proxy"
cat > "$work/backend/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/backend/nginx.pid;
error_log $work/backend/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$backend_port; location / { return 200 "backend ok\n"; } }
}
CONF
cat > "$work/proxy/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/proxy/nginx.pid;
error_log $work/proxy/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$backend_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
cat > "$work/rules.yaml" <<CONF
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

nginx -p "$work/backend" -c "$work/backend/nginx.conf" -e "$work/backend/error.log" & pids+=($!)
nginx -p "$work/proxy" -c "$work/proxy/nginx.conf" -e "$work/proxy/error.log" & pids+=($!)
"$meshctl" proxy run -f samples/tutorial/ -f "$work/rules.yaml" --concurrency 1 \
  --listen 127.0.0.1:$mesh_port --admin 127.0.0.1:$admin_port --log-level error & pids+=($!)
mesh_pid=$!
sleep 1.5
nginx_proxy_pid=$(cat "$work/proxy/nginx.pid")
nginx_worker=$(pgrep -P "$nginx_proxy_pid" | head -1)

run() { # name url [host]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t1 -c"$conns" -d"${seconds}s" --latency -H "Host: $3" "$2")
  else
    out=$(wrk -t1 -c"$conns" -d"${seconds}s" --latency "$2")
  fi
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$1 $rps $p50 $p99"
}
ms() { # wrk latency (e.g. 512.00us, 1.02ms) in ms
  python3 -c "import sys;v=sys.argv[1];print(float(v[:-2])/1000 if v.endswith('us') else float(v[:-2]) if v.endswith('ms') else float(v[:-1])*1000)" "$1"
}
# Warm up.
wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$nginx_port/" >/dev/null
wrk -t1 -c"$conns" -d2s -H "Host: bench.local" "http://127.0.0.1:$mesh_port/" >/dev/null
results="$work/results"
: > "$results"
for r in $(seq "$rounds"); do
  for line in "$(run direct "http://127.0.0.1:$backend_port/")" \
              "$(run nginx "http://127.0.0.1:$nginx_port/")" \
              "$(run meshctl "http://127.0.0.1:$mesh_port/" bench.local)"; do
    set -- $line
    echo "$r $1 $2 $(ms "$3") $(ms "$4")" >> "$results"
    printf 'round %d  %-8s %10s req/s  p50 %8s  p99 %8s\n' "$r" "$1" "$2" "$3" "$4"
  done
done
mesh_rss=$(awk '/VmHWM/ {print $2}' /proc/$mesh_pid/status)
nginx_rss=$(awk '/VmHWM/ {print $2}' /proc/$nginx_worker/status)
python3 - "$results" "$mesh_rss" "$nginx_rss" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
def med(name, col): return statistics.median(float(r[col]) for r in rows if r[1] == name)
print("\nmedians over %d rounds (wrk closed loop):" % (len(rows) // 3))
print("%-8s %12s %10s %10s" % ("", "req/s", "p50 ms", "p99 ms"))
for name in ("direct", "nginx", "meshctl"):
    print("%-8s %12.0f %10.3f %10.3f" % (name, med(name, 2), med(name, 3), med(name, 4)))
ratio = med("meshctl", 2) / med("nginx", 2)
p99 = med("meshctl", 4) / med("nginx", 4)
print("\nmeshctl / nginx: throughput %.2fx (target >= 0.8), p99 %.2fx (target <= 1.5)" % (ratio, p99))
print("peak RSS: meshctl %.1f MB (target <= 40), nginx worker %.1f MB" % (int(sys.argv[2]) / 1024, int(sys.argv[3]) / 1024))
PY
