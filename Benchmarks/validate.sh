#!/usr/bin/env bash
# Benchmark: `meshctl validate` on RESOURCES resources in five shapes of input, each against
#   the floor: a bare libyaml event loop over the same file (Benchmarks/yaml-events.c), and
#   (for the project's own shape) PyYAML's libyaml-backed CSafeLoader, what a user would script.
# The shapes (Benchmarks/generate.py): the project's generated file, flow style, a distinct regex
# per rule, anchors and merge keys, long string values.
# Runs are interleaved (floor, validate, floor, validate, ...) so a noisy machine slows both alike.
# Prints per shape the median wall time of each, the ratio, and validate's peak RSS above its own
# baseline (validate of an empty file), also as a multiple of the file's size.
# Usage: Benchmarks/validate.sh [RESOURCES] [RUNS] [SHAPE...]   (MESHCTL=path to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
runs=${2:-11}
shift $(($# > 2 ? 2 : $#))
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(project flow regex anchors long-strings)
out=Benchmarks/out
mkdir -p "$out"

if [ -z "${MESHCTL:-}" ]; then
  swift build -c release --product meshctl >/dev/null
  MESHCTL="$(swift build -c release --show-bin-path)/meshctl"
fi
meshctl=$MESHCTL
cc -O2 -o "$out/yaml-events" Benchmarks/yaml-events.c $(pkg-config --cflags --libs yaml-0.1)
pyyaml=true
python3 -c 'import yaml; assert yaml.__with_libyaml__' 2>/dev/null || pyyaml=false

run() { # command...: prints "wall_ms peak_kb" for one run
  local start end
  start=$(date +%s%N)
  /usr/bin/time -o "$out/time.txt" -f "%M" "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo "$(((end - start) / 1000)) $(tail -1 "$out/time.txt")"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$out/empty.yaml"
baseline=$(for _ in 1 2 3; do run "$meshctl" validate -f "$out/empty.yaml"; done | awk '{print $2}' | median)

echo "$count resources per shape; median of $runs interleaved runs; peak = max RSS above validate of an empty file ($((baseline / 1024)) MB)"
printf '%-14s %9s %9s %10s %7s %9s %9s\n' shape MB floor_ms validate_ms ratio peak_MB peak/file
for shape in "${shapes[@]}"; do
  file="$out/$shape.yaml"
  if [ "$shape" = project ]; then python3 Benchmarks/generate.py "$count" >"$file"; else python3 Benchmarks/generate.py "$count" "--$shape" >"$file"; fi
  "$meshctl" validate -f "$file" >/dev/null || { echo "$shape: the generated file does not validate"; exit 1; }
  size=$(stat -c %s "$file")
  : >"$out/floor.txt"; : >"$out/validate.txt"; : >"$out/pyyaml.txt"
  for _ in $(seq "$runs"); do
    run "$out/yaml-events" "$file" >>"$out/floor.txt"
    run "$meshctl" validate -f "$file" >>"$out/validate.txt"
    if [ "$shape" = project ] && $pyyaml; then
      run python3 -c "import yaml,sys; list(yaml.load_all(open(sys.argv[1],'rb'), Loader=yaml.CSafeLoader))" "$file" \
        >>"$out/pyyaml.txt"
    fi
  done
  floor=$(awk '{print $1}' "$out/floor.txt" | median)
  validate=$(awk '{print $1}' "$out/validate.txt" | median)
  peak=$(awk '{print $2}' "$out/validate.txt" | sort -n | tail -1)
  awk -v n="$shape" -v s="$size" -v f="$floor" -v v="$validate" -v p="$peak" -v b="$baseline" \
    'BEGIN { printf "%-14s %9.1f %9.1f %10.1f %6.2fx %9.1f %8.2fx\n", n, s / 1e6, f / 1000, v / 1000, v / f, (p - b) / 1024, (p - b) * 1024 / s }'
  if [ -s "$out/pyyaml.txt" ]; then
    awk -v f="$floor" -v v="$(awk '{print $1}' "$out/pyyaml.txt" | median)" \
      'BEGIN { printf "%-14s %9s %9s %10.1f %6.2fx   (PyYAML CSafeLoader on the same file)\n", "  pyyaml", "", "", v / 1000, v / f }'
  fi
done
echo "targets: validate within 1.8x of the floor; peak at most 2x the file size"
