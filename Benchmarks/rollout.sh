#!/usr/bin/env bash
# How long a canary step takes from the command line, against a local proxy in front of two demo
# backends: `meshctl rollout step` with passing gates (two scrapes of /stats/prometheus, the
# gates, the journal's intent and commit with fsync, the push through apply's code, and the
# verification on the proxy), `meshctl rollout abort` (stable back to 100% in one push), and,
# side by side, `meshctl apply` of the same VirtualService at other weights (the push alone) and
# `meshctl rollout status`. Each is a whole process run, timed by the wall clock. Reports every
# sample's median and the number of config pushes each abort made.
#
# Usage: Benchmarks/rollout.sh [ROUNDS=5]
# Needs: curl, python3, and a release build of meshctl (swift build -c release), or MESHCTL=path.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
meshctl=$(realpath "${MESHCTL:-.build/release/meshctl}")
[ -x "$meshctl" ] || { echo "no meshctl at $meshctl: run swift build -c release first"; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
v1=$(free_port); v2=$(free_port); listen=$(free_port); admin=$(free_port)
"$meshctl" demo backend --name recommendation --version v1 --listen 127.0.0.1:$v1 >/dev/null 2>&1 & pids+=($!)
"$meshctl" demo backend --name recommendation --version v2 --listen 127.0.0.1:$v2 >/dev/null 2>&1 & pids+=($!)

cat > rules.yaml <<YAML
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: recommendation}
spec:
  hosts: [recommendation.default.svc.cluster.local]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints:
  - {address: 127.0.0.1, ports: {http: $v1}, labels: {version: v1}}
  - {address: 127.0.0.1, ports: {http: $v2}, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: recommendation}
spec:
  host: recommendation
  subsets:
  - {name: version-v1, labels: {version: v1}}
  - {name: version-v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: recommendation}
spec:
  hosts: [recommendation]
  http:
  - name: canary
    route:
    - {destination: {host: recommendation, subset: version-v1}, weight: 100}
    - {destination: {host: recommendation, subset: version-v2}, weight: 0}
YAML
cat > rollout.yaml <<YAML
apiVersion: meshctl.dev/v1alpha1
kind: Rollout
metadata: {name: recommendation}
spec:
  virtualService: recommendation
  stable: {subset: version-v1}
  canary: {subset: version-v2}
  linear: 10
  analysis:
    interval: 50ms
    minRequests: 1
    metrics:
    - {name: success-rate, min: 99}
    - {name: latency-p99, max: 500ms}
    - {name: success-rate-vs-stable, maxDrop: 1}
YAML
# The same VirtualService at 90/10, for timing apply's push on its own.
sed 's/weight: 100}/weight: 90}/; s/weight: 0}/weight: 10}/' rules.yaml > canary-10.yaml
"$meshctl" proxy run -f rules.yaml --listen 127.0.0.1:$listen --admin 127.0.0.1:$admin --ready-file ready.json >proxy.log 2>&1 & pids+=($!)
for _ in $(seq 100); do [ -s ready.json ] && break; sleep 0.05; done

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
traffic() { for _ in $(seq "$1"); do curl -s -o /dev/null -H 'Host: recommendation:8080' http://127.0.0.1:$listen/; done; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

: > step.ms; : > abort.ms; : > apply.ms; : > status.ms; : > pushes
for round in $(seq "$rounds"); do
  "$meshctl" rollout start -f rollout.yaml -f rules.yaml --admin 127.0.0.1:$admin --restart >/dev/null
  for _ in $(seq 9); do
    traffic 40; sleep 0.06
    t=$(date +%s%N); out=$("$meshctl" rollout step recommendation) || true; d=$(ms "$t")
    case "$out" in *"gates passed"*) echo "$d" >> step.ms ;; *) echo "round $round: step did not pass: $out" >&2 ;; esac
    t=$(date +%s%N); "$meshctl" rollout status recommendation >/dev/null || true; ms "$t" >> status.ms
  done
  "$meshctl" rollout start -f rollout.yaml -f rules.yaml --admin 127.0.0.1:$admin --restart >/dev/null
  traffic 20; sleep 0.06
  "$meshctl" rollout step recommendation >/dev/null || true
  t=$(date +%s%N); out=$("$meshctl" rollout abort recommendation); ms "$t" >> abort.ms
  # One config change: "config version N → N+1".
  echo "$out" | grep -o 'config version [0-9]* → [0-9]*' | awk '{print $5 - $3}' >> pushes
  t=$(date +%s%N); "$meshctl" apply -f canary-10.yaml --admin 127.0.0.1:$admin >/dev/null; ms "$t" >> apply.ms
done

printf '%-52s %8s %s\n' "command (whole process, wall clock)" "median" "samples"
printf '%-52s %6s ms %s\n' "rollout step (gates passing, push, verify, journal)" "$(median < step.ms)" "$(wc -l < step.ms)"
printf '%-52s %6s ms %s\n' "rollout abort (stable back to 100%)" "$(median < abort.ms)" "$(wc -l < abort.ms)"
printf '%-52s %6s ms %s\n' "apply -f canary-10.yaml (the push alone)" "$(median < apply.ms)" "$(wc -l < apply.ms)"
printf '%-52s %6s ms %s\n' "rollout status (two scrapes, gates, no change)" "$(median < status.ms)" "$(wc -l < status.ms)"
echo "config pushes per abort: $(sort -u pushes | tr '\n' ' ')"
