#!/usr/bin/env bash
# Benchmarks the routing engine:
#   1. in-process decide() on one core (Benchmarks/Sources/route-bench): tutorial rules, and
#      1,000 VirtualServices × 10 rules;
#   2. whole-process `meshctl simulate -n 1000000` on the tutorial rules, median of RUNS runs.
# Usage: Benchmarks/simulate.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
swift build -c release --product meshctl >/dev/null
meshctl="$(swift build -c release --show-bin-path)/meshctl"
(cd Benchmarks && swift build -c release --product route-bench >/dev/null)
bench="$(cd Benchmarks && swift build -c release --show-bin-path)/route-bench"

echo "== decide() in process, one core"
"$bench" samples/tutorial 2000000 "$runs"

echo "== meshctl simulate -n 1000000 (whole process, wall time)"
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$meshctl" simulate -f samples/tutorial/ --host recommendation -n 1000000 --seed 7 >/dev/null
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc -l)")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v r="$runs" '{a[NR]=$1} END {printf "median %.3f s over %d runs (min %.3f, max %.3f)\n", a[int((NR+1)/2)], r, a[1], a[NR]}'
