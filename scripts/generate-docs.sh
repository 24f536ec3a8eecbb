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
# mdoc takes an empty line (a blank line in a command's discussion) for a mistake and warns; a
# paragraph break says the same. The generated EXIT STATUS only says "0 on success, >0 if an error
# occurs": name meshctl's statuses.
awk '
  /^$/ { print ".Pp"; next }
  /^\.Ex -std$/ {
    print "meshctl exits with:"
    print ".Bl -tag -width 4n"
    print ".It 0"
    print "Success: no errors (warnings allowed); for analyze, no finding at or above --failure-threshold."
    print ".It 1"
    print "Errors were found, an input could not be read, or the command failed."
    print ".It 64"
    print "A usage error: an unknown flag, or a missing or malformed argument."
    print ".It 79"
    print "analyze found an issue at or above --failure-threshold (default: error), in every output format."
    print ".El"
    next
  }
  { print }
' "$tmp/man/meshctl.1" >"$tmp/man/meshctl.1.new"
mv "$tmp/man/meshctl.1.new" "$tmp/man/meshctl.1"
if [ "${1:-}" = "--check" ]; then
  diff -r "$tmp/completions" completions && diff -r "$tmp/man" man && echo "completions and man page are current"
else
  rm -rf completions man && cp -r "$tmp/completions" "$tmp/man" .
  echo "wrote completions/ and man/"
fi
