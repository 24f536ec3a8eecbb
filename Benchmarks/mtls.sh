#!/usr/bin/env bash
# The cost of mutual TLS on the outbound → inbound hop between two meshctl proxies, side by side
# in one run: the same hop in plaintext, in mutual TLS (auto mTLS: the callee's endpoint is
# labelled security.istio.io/tlsMode=istio), and nginx terminating TLS in front of the same
# backend. wrk drives each with keep-alive (-t1 -cCONNS); then each again with a new upstream
# connection per request (meshctl: maxRequestsPerConnection 1 between the proxies; nginx: wrk
# with `Connection: close`), which measures the handshake rate. Prints req/s and p99 per round
# and the medians, and mutual TLS's share of plaintext throughput (target: at least 0.75).
#
# Usage: Benchmarks/mtls.sh [ROUNDS=3] [SECONDS=8] [CONNS=32]
# Needs: wrk, nginx and openssl (Debian packages), a release build of meshctl, or MESHCTL=path.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; seconds=${2:-8}; conns=${3:-32}
meshctl=${MESHCTL:-.build/release/meshctl}
for tool in wrk nginx openssl; do command -v $tool >/dev/null || { echo "$tool is not installed"; exit 1; }; done
[ -x "$meshctl" ] || { echo "no meshctl at $meshctl: run swift build -c release first"; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A mesh root and two workload certificates with SPIFFE identities.
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /O=cluster.local \
  -keyout root.key -out root.pem -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
for sa in caller callee; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /O=cluster.local -keyout $sa.key -out $sa.csr 2>/dev/null
  printf 'subjectAltName=URI:spiffe://cluster.local/ns/default/sa/%s\nextendedKeyUsage=serverAuth,clientAuth\n' $sa >$sa.ext
  openssl x509 -req -in $sa.csr -CA root.pem -CAkey root.key -CAcreateserial -days 1 -extfile $sa.ext -out $sa.pem 2>/dev/null
done
cd - >/dev/null

backend=$(free_port); inbound=$(free_port); callee_admin=$(free_port)
nginx_tls=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$backend; keepalive 64; }
  server { listen 127.0.0.1:$backend; location / { return 200 "backend ok\n"; } }
  server {
    listen 127.0.0.1:$nginx_tls ssl;
    ssl_certificate $work/callee.pem; ssl_certificate_key $work/callee.key;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" & pids+=($!)

"$meshctl" proxy run --concurrency 1 --listen 127.0.0.1:0 --admin 127.0.0.1:$callee_admin --inbound 127.0.0.1:$inbound \
  --app 127.0.0.1:$backend --cert "$work/callee.pem" --key "$work/callee.key" --root "$work/root.pem" \
  -f samples/tutorial/registry.yaml --log-level error & pids+=($!)

caller() { # name tlsMode maxRequestsPerConnection -> starts a caller proxy; its port in $port
  local admin label
  port=$(free_port); admin=$(free_port)
  label=""; [ "$2" = istio ] && label=", security.istio.io/tlsMode: istio"
  cat >"$work/$1.yaml" <<CONF
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: callee}
spec:
  hosts: [callee.default.svc.cluster.local]
  location: MESH_INTERNAL
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: $inbound}, labels: {app: callee$label}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: callee}
spec:
  host: callee
  trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: $3}}}
CONF
  "$meshctl" proxy run --concurrency 1 --listen 127.0.0.1:$port --admin 127.0.0.1:$admin -f "$work/$1.yaml" \
    --cert "$work/caller.pem" --key "$work/caller.key" --root "$work/root.pem" --log-level error & pids+=($!)
}
caller plain none 0; plain=$port
caller mtls istio 0; mtls=$port
caller plain-new none 1; plain_new=$port
caller mtls-new istio 1; mtls_new=$port
sleep 2

run() { # name url [extra wrk args...]
  local name=$1 url=$2; shift 2
  local out rps p99
  out=$(wrk -t1 -c"$conns" -d"${seconds}s" --latency "$@" "$url")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$name $rps $p99"
}
results="$work/results"
: >"$results"
for r in $(seq "$rounds"); do
  for line in \
    "$(run plaintext "http://127.0.0.1:$plain/" -H 'Host: callee')" \
    "$(run mutual-tls "http://127.0.0.1:$mtls/" -H 'Host: callee')" \
    "$(run nginx-tls "https://127.0.0.1:$nginx_tls/")" \
    "$(run plaintext-new-conn "http://127.0.0.1:$plain_new/" -H 'Host: callee')" \
    "$(run mutual-tls-new-conn "http://127.0.0.1:$mtls_new/" -H 'Host: callee')" \
    "$(run nginx-tls-new-conn "https://127.0.0.1:$nginx_tls/" -H 'Connection: close')"; do
    set -- $line
    echo "$r $1 $2 $3" >>"$results"
    printf 'round %d  %-20s %10s req/s  p99 %8s\n' "$r" "$1" "$2" "$3"
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
def ms(v): return float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-2]) if v.endswith("ms") else float(v[:-1]) * 1000
names = []
for r in rows:
    if r[1] not in names: names.append(r[1])
print("\nmedians over %d rounds:" % len({r[0] for r in rows}))
med = {}
for n in names:
    rps = statistics.median(float(r[2]) for r in rows if r[1] == n)
    p99 = statistics.median(ms(r[3]) for r in rows if r[1] == n)
    med[n] = rps
    print("%-22s %10.0f req/s  p99 %8.3f ms" % (n, rps, p99))
print("\nmutual TLS / plaintext, keep-alive: %.2f (target >= 0.75)" % (med["mutual-tls"] / med["plaintext"]))
print("handshakes per second (a new connection per request): meshctl %.0f, nginx %.0f" % (med["mutual-tls-new-conn"], med["nginx-tls-new-conn"]))
PY
