#!/usr/bin/env bash
# Renders every sample scenario with `meshctl proxy-config all -o json` and checks each dump
# against Envoy's v3 API with scripts/check-envoy-schema.py (needs the envoy_data_plane package).
# Usage: scripts/check-rendered-config.sh PATH/TO/meshctl
set -euo pipefail
cd "$(dirname "$0")/.."
meshctl=${1:?usage: check-rendered-config.sh PATH/TO/meshctl}
if ! python3 -c 'import envoy_data_plane' 2>/dev/null; then
  python3 -m pip install -q envoy_data_plane >/dev/null 2>&1 || { echo "skipped Envoy schema check: cannot install envoy_data_plane"; exit 0; }
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$meshctl" proxy-config all -f samples/tutorial/ -o json >"$out/tutorial.json"
"$meshctl" proxy-config all -f samples/tutorial/ --mesh-config samples/mesh/registry-only.yaml -o json >"$out/registry-only.json"
for scenario in samples/scenarios/*.yaml; do
  "$meshctl" proxy-config all -f samples/tutorial/registry.yaml -f samples/tutorial/destination-rules.yaml -f "$scenario" -o json \
    >"$out/$(basename "$scenario" .yaml).json"
done
# The largest values validation lets through must render as numbers Envoy accepts.
"$meshctl" proxy-config all -f scripts/fixtures/extremes.yaml -o json >"$out/extremes.json"
python3 scripts/check-envoy-schema.py "$out"/*.json
