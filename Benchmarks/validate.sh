#!/usr/bin/env bash
# Benchmark: `meshctl validate` on 10,000 resources, against
#   (b) a bare libyaml event loop over the same file (the floor), and
#   (c) PyYAML's libyaml-backed CSafeLoader (what a user would script instead).
# Prints each command's median wall time over RUNS runs, its ratio to the floor, and peak memory.
# Usage: Benchmarks/validate.sh [RESOURCES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
runs=${2:-7}
out=Benchmarks/out
mkdir -p "$out"

swift build -c release --product meshctl >/dev/null
meshctl="$(swift build -c release --show-bin-path)/meshctl"
cc -O2 -o "$out/yaml-events" Benchmarks/yaml-events.c $(pkg-config --cflags --libs yaml-0.1)
python3 Benchmarks/generate.py "$count" >"$out/rules.yaml"
size=$(stat -c %s "$out/rules.yaml")
python3 - <<'PY' || { echo "PyYAML with libyaml is needed for (c): pip install pyyaml"; exit 1; }
import yaml; assert yaml.__with_libyaml__
PY

"$meshctl" validate -f "$out/rules.yaml" >/dev/null   # must be valid: exit 0

measure() { # name, command...: prints "name median_s peak_kb"
  local name=$1; shift
  local times=() peak=0
  for _ in $(seq "$runs"); do
    local line
    /usr/bin/time -o "$out/time.txt" -f "%e %M" "$@" >/dev/null 2>&1
    line=$(tail -1 "$out/time.txt")
    times+=("${line% *}")
    local kb=${line#* }
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$name $median $peak"
}

results=$(
  measure libyaml-events "$out/yaml-events" "$out/rules.yaml"
  measure meshctl-validate "$meshctl" validate -f "$out/rules.yaml"
  measure pyyaml-csafeloader python3 -c "import yaml,sys; list(yaml.load_all(open(sys.argv[1],'rb'), Loader=yaml.CSafeLoader))" "$out/rules.yaml"
)
floor=$(echo "$results" | awk '$1=="libyaml-events"{print $2}')
echo "file: $count resources, $size bytes; median of $runs runs"
printf '%-20s %9s %9s %12s %10s\n' command median_s vs_floor peak_MB peak/file
echo "$results" | while read -r name median peak; do
  awk -v n="$name" -v m="$median" -v f="$floor" -v p="$peak" -v s="$size" \
    'BEGIN { printf "%-20s %9.3f %8.2fx %12.1f %9.2fx\n", n, m, (f > 0 ? m / f : 0), p / 1024, p * 1024 / s }'
done
