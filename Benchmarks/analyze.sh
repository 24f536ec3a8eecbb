#!/usr/bin/env bash
# Benchmark: `meshctl analyze` against `meshctl validate` on the same files, in one run:
# - RESOURCES resources (a ServiceEntry, DestinationRule and VirtualService per service);
# - RESOURCES resources as a cluster holds them (Services, Deployments, DestinationRules,
#   VirtualServices, and Gateways with their pods, Services and RequestAuthentications);
# - one VirtualService with RULES rules of distinct URI prefixes (nothing to report);
# - the same with prefixes that cover later ones (/p1 covers /p10), so every rule from #10 on is
#   reported twice (IST0130, IST0131) and the output is part of the cost.
# Prints the median wall time of each and the ratio.
# Usage: Benchmarks/analyze.sh [RESOURCES] [RUNS] [RULES]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
runs=${2:-7}
rules=${3:-50000}
out=Benchmarks/out
mkdir -p "$out"
swift build -c release --product meshctl >/dev/null
meshctl="$(swift build -c release --show-bin-path)/meshctl"
python3 Benchmarks/generate.py "$count" --registry >"$out/registry-rules.yaml"
python3 Benchmarks/generate.py "$count" --cluster >"$out/cluster-rules.yaml"
python3 Benchmarks/generate.py "$rules" --prefix-rules >"$out/prefix-rules.yaml"
python3 Benchmarks/generate.py "$rules" --overlapping-prefix-rules >"$out/overlapping-prefix-rules.yaml"
"$meshctl" analyze -f "$out/registry-rules.yaml" >/dev/null   # must analyze clean: exit 0
"$meshctl" analyze -f "$out/cluster-rules.yaml" >/dev/null
"$meshctl" analyze -f "$out/prefix-rules.yaml" >/dev/null

median() { # command...: median wall seconds over $runs runs
  local times=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$out/time.txt" -f "%e" "$@" >/dev/null 2>&1 || true
    times+=("$(tail -1 "$out/time.txt")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
echo "median of $runs runs"
printf '%-48s %10s %10s %8s\n' file validate analyze ratio
for file in registry-rules cluster-rules prefix-rules overlapping-prefix-rules; do
  path="$out/$file.yaml"
  v=$(median "$meshctl" validate -f "$path")
  a=$(median "$meshctl" analyze -f "$path")
  awk -v f="$file.yaml ($(stat -c %s "$path") bytes)" -v v="$v" -v a="$a" \
    'BEGIN { printf "%-48s %9.3fs %9.3fs %7.2fx\n", f, v, a, a / v }'
done
echo "target: analyze under 2x validate"
