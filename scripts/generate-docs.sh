#!/usr/bin/env bash
# Regenerates the checked-in shell completions and man page from the argument parser.
# Usage: scripts/generate-docs.sh [--check]   (--check: fail if the checked-in files are stale)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product meshctl >/dev/null
bin=$(swift build --show-bin-path)/meshctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/completions" "$tmp/man"
"$bin" --generate-completion-script bash >"$tmp/completions/meshctl.bash"
"$bin" --generate-completion-script zsh >"$tmp/completions/_meshctl"
"$bin" --generate-completion-script fish >"$tmp/completions/meshctl.fish"
# A fixed date keeps the page reproducible.
swift package plugin --allow-writing-to-package-directory generate-manual --date 2026-01-01 \
  --configuration debug --output-directory "$tmp/man" >/dev/null
if [ "${1:-}" = "--check" ]; then
  diff -r "$tmp/completions" completions && diff -r "$tmp/man" man && echo "completions and man page are current"
else
  rm -rf completions man && cp -r "$tmp/completions" "$tmp/man" .
  echo "wrote completions/ and man/"
fi
