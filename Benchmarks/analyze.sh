#!/usr/bin/env bash
# Benchmark: `meshctl analyze` against `meshctl validate` on the same 10,000 resources (a
# ServiceEntry, DestinationRule and VirtualService per service). Prints medians and the ratio.
# Usage: Benchmarks/analyze.sh [RESOURCES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
runs=${2:-7}
out=Benchmarks/out
mkdir -p "$out"
swift build -c release --product meshctl >/dev/null
meshctl="$(swift build -c release --show-bin-path)/meshctl"
python3 Benchmarks/generate.py "$count" --registry >"$out/registry-rules.yaml"
"$meshctl" analyze -f "$out/registry-rules.yaml" >/dev/null   # must analyze clean: exit 0

median() { # command...: median wall seconds over $runs runs
  local times=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$out/time.txt" -f "%e" "$@" >/dev/null 2>&1 || true
    times+=("$(tail -1 "$out/time.txt")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
v=$(median "$meshctl" validate -f "$out/registry-rules.yaml")
a=$(median "$meshctl" analyze -f "$out/registry-rules.yaml")
echo "file: $count resources, $(stat -c %s "$out/registry-rules.yaml") bytes; median of $runs runs"
awk -v v="$v" -v a="$a" 'BEGIN { printf "validate %.3f s\nanalyze  %.3f s\nratio    %.2fx (target: under 2x)\n", v, a, a / v }'
