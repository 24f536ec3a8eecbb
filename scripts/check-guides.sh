#!/usr/bin/env bash
# Re-runs the commands of the guides in docs/guides/ and fails when a page's output no longer
# matches what the page shows.
#
# Usage: scripts/check-guides.sh [--update] [GUIDE.md...]   (default: every docs/guides/*.md)
#   --update  rewrites each page's outputs with what the commands print now
#   MESHCTL=path/to/meshctl  (default: the debug build, built if missing)
#
# In a guide, a ```sh block is run as it is (setup: starting the demo mesh, waiting for it); its
# output is not compared. A ```console block holds commands after `$ ` (continued with a trailing
# `\`, or with a here-document up to its terminator) each followed by the output the page
# shows. Before comparing, both sides are normalized: durations (`1.5ms`, `3s`) and decimals, UUIDs
# and trailing spaces are masked; `<!-- check: numbers vary -->` just before a block masks every
# number in it, and the width of columns (weighted splits, fault percentages, counts under
# load). Background jobs a page
# starts are stopped when the page ends. Each page has 180 s.
set -euo pipefail
cd "$(dirname "$0")/.."
update=0
pages=()
for arg in "$@"; do
  case "$arg" in
    --update) update=1 ;;
    *) pages+=("$arg") ;;
  esac
done
[ ${#pages[@]} -gt 0 ] || pages=(docs/guides/*.md)
if [ -z "${MESHCTL:-}" ]; then
  swift build --product meshctl >/dev/null
  MESHCTL="$(swift build --show-bin-path)/meshctl"
fi
bin_dir=$(cd "$(dirname "$MESHCTL")" && pwd)
status=0
for page in "${pages[@]}"; do
  [ "$(basename "$page")" = README.md ] && continue
  if python3 - "$page" "$bin_dir" "$update" <<'PY'; then :; else status=1; fi
import os, re, subprocess, sys, tempfile

page, bin_dir, update = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
text = open(page, encoding="utf-8").read()
lines = text.split("\n")

# Blocks: (kind, start line of content, end line (exclusive), directive)
blocks = []
i = 0
while i < len(lines):
    m = re.match(r"^```(\w+)\s*$", lines[i])
    if m and m.group(1) in ("sh", "console"):
        directive = lines[i - 1].strip() if i > 0 else ""
        j = i + 1
        while j < len(lines) and lines[j] != "```":
            j += 1
        blocks.append((m.group(1), i + 1, j, directive))
        i = j + 1
    else:
        i += 1

# Commands of a console block: (command text, first output line, end of output).
def commands(start, end):
    out = []
    i = start
    while i < end:
        if not lines[i].startswith("$ "):
            i += 1
            continue
        command = [lines[i][2:]]
        i += 1
        while command[-1].endswith("\\") and i < end:
            command.append(lines[i])
            i += 1
        heredoc = re.search(r"<<-?\s*'?(\w+)'?", command[0])
        if heredoc:
            terminator = heredoc.group(1)
            while i < end:
                command.append(lines[i])
                i += 1
                if command[-1] == terminator:
                    break
        first = i
        while i < end and not lines[i].startswith("$ "):
            i += 1
        out.append(("\n".join(command), first, i))
    return out

script = ["set -u", "cd %s" % subprocess.list2cmdline([os.getcwd()]), 'export PATH="%s:$PATH"' % bin_dir,
          "export NO_COLOR=1", "stop() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; }", "trap stop EXIT"]
expected = []
for kind, start, end, directive in blocks:
    if kind == "sh":
        script.append("{\n%s\n} >/dev/null 2>&1" % "\n".join(lines[start:end]))
        continue
    for command, first, last in commands(start, end):
        n = len(expected)
        expected.append((command, first, last, "numbers vary" in directive))
        script.append("printf '\\n@@@%d@@@\\n'" % n)
        script.append("( %s\n) 2>&1" % command)
script.append("printf '\\n@@@end@@@\\n'")

with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
    f.write("\n".join(script) + "\n")
    runner = f.name
try:
    run = subprocess.run(["timeout", "180", "bash", runner], capture_output=True, text=True)
finally:
    os.unlink(runner)
if "@@@end@@@" not in run.stdout:
    print("%s: the commands did not finish (exit %d)\n%s" % (page, run.returncode, run.stdout[-2000:] + run.stderr[-2000:]))
    sys.exit(1)
outputs = {}
for part in re.split(r"\n@@@", run.stdout):
    m = re.match(r"(\d+)@@@\n?", part)
    if m:
        outputs[int(m.group(1))] = part[m.end():].rstrip("\n")

def normalize(s, vary):
    s = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", s)
    s = re.sub(r"\b\d+(\.\d+)?(ns|µs|us|ms|s|m|h)\b", "<duration>", s)
    s = re.sub(r"\d+\.\d+", "<decimal>", s)
    if vary:
        s = re.sub(r"\d+", "<n>", s)
        s = re.sub(r"[ \t]+", " ", s)  # columns widen and narrow with the numbers
    return "\n".join(line.rstrip() for line in s.split("\n")).strip("\n")

failures = 0
replacements = []
for n, (command, first, last, vary) in enumerate(expected):
    actual = outputs.get(n, "")
    shown = "\n".join(lines[first:last])
    if update:
        replacements.append((first, last, actual.split("\n") if actual else []))
    elif normalize(actual, vary) != normalize(shown, vary):
        failures += 1
        print("%s:%d: the output of `%s` changed" % (page, first, command.split("\n")[0]))
        print("--- the page shows\n%s\n--- now\n%s\n" % (shown, actual))
if update:
    for first, last, new in reversed(replacements):
        lines[first:last] = new
    open(page, "w", encoding="utf-8").write("\n".join(lines))
    print("%s: %d outputs written" % (page, len(expected)))
elif failures == 0:
    print("%s: %d commands, every output matches" % (page, len(expected)))
sys.exit(1 if failures else 0)
PY
done
exit $status
