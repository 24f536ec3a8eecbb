#!/usr/bin/env bash
# Benchmark: `meshctl analyze` against `meshctl validate` on the same files, in one run:
# - RESOURCES resources (a ServiceEntry, DestinationRule and VirtualService per service);
# - RESOURCES resources as a cluster holds them (Services, Deployments, DestinationRules,
#   VirtualServices, and Gateways with their pods, Services and RequestAuthentications);
# - one VirtualService with RULES rules of distinct URI prefixes (nothing to report);
# - the same with prefixes that cover later ones (/p1 covers /p10), so every rule from #10 on is
#   reported twice (IST0130, IST0131) and the output is part of the cost.
# Prints the median wall time of each and the ratio, and the median CPU time (user + system), which
# other work on a shared machine disturbs less.
# Usage: Benchmarks/analyze.sh [RESOURCES] [RUNS] [RULES]   (MESHCTL=path to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
runs=${2:-7}
rules=${3:-50000}
out=Benchmarks/out
mkdir -p "$out"
if [ -z "${MESHCTL:-}" ]; then
  swift build -c release --product meshctl >/dev/null
  MESHCTL="$(swift build -c release --show-bin-path)/meshctl"
fi
meshctl=$MESHCTL
python3 Benchmarks/generate.py "$count" --registry >"$out/registry-rules.yaml"
python3 Benchmarks/generate.py "$count" --cluster >"$out/cluster-rules.yaml"
python3 Benchmarks/generate.py "$rules" --prefix-rules >"$out/prefix-rules.yaml"
python3 Benchmarks/generate.py "$rules" --overlapping-prefix-rules >"$out/overlapping-prefix-rules.yaml"
"$meshctl" analyze -f "$out/registry-rules.yaml" >/dev/null   # must analyze clean: exit 0
"$meshctl" analyze -f "$out/cluster-rules.yaml" >/dev/null
"$meshctl" analyze -f "$out/prefix-rules.yaml" >/dev/null

median() { # command...: "wall cpu", the median wall and CPU (user + system) seconds over $runs runs
  local walls=() cpus=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$out/time.txt" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
    read -r wall user sys < <(tail -1 "$out/time.txt")
    walls+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
  done
  local m='{a[NR]=$1} END {print a[int((NR+1)/2)]}'
  echo "$(printf '%s\n' "${walls[@]}" | sort -n | awk "$m") $(printf '%s\n' "${cpus[@]}" | sort -n | awk "$m")"
}
echo "median of $runs runs (wall time; CPU time user + system)"
printf '%-48s %10s %10s %8s %10s %10s %8s\n' file validate analyze ratio "cpu val" "cpu ana" ratio
for file in registry-rules cluster-rules prefix-rules overlapping-prefix-rules; do
  path="$out/$file.yaml"
  read -r v vc < <(median "$meshctl" validate -f "$path")
  read -r a ac < <(median "$meshctl" analyze -f "$path")
  awk -v f="$file.yaml ($(stat -c %s "$path") bytes)" -v v="$v" -v a="$a" -v vc="$vc" -v ac="$ac" \
    'BEGIN { printf "%-48s %9.3fs %9.3fs %7.2fx %9.3fs %9.3fs %7.2fx\n", f, v, a, a / v, vc, ac, ac / vc }'
done
echo "target: analyze under 2x validate"
