#!/usr/bin/env python3
"""Mutation fuzz of the command line: random edits of the sample files, each run through
validate, analyze, simulate and proxy-config. Three kinds of mutation:

  edits     deletions, inserted YAML tokens, copied spans;
  aliases   a big anchored scalar (1 KiB to 2 MiB) reused many times: as later values, and as
            many items of a list (`hosts:`), the shape of an alias byte bomb;
  numbers   extreme numbers where the rules hold numbers: weights, attempts, ports, statuses,
            percentages, connection limits (2^31-1, 2^32, 2^63, negatives, 1e308, .nan, ...)
            and durations (2562047h47m16s, Go's largest, and past it; -1s; 0s; 1e309s; ...),
            also inserted as `retries`/`timeout` into routes that have none.

Any signal, "Fatal error", exit code outside 0/1/79 or a run over 10 s is reported and its input
kept. Each run is limited to 4 GiB of address space, so a blow-up in memory shows as a crash.

Usage: scripts/fuzz-commands.py PATH/TO/meshctl [SEED] [CASES]      exit 1 when a problem was found
"""
import glob
import os
import random
import re
import resource
import subprocess
import sys
import tempfile

M = sys.argv[1]
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sources = [open(f, 'rb').read() for f in sorted(glob.glob(os.path.join(root, 'samples/**/*.yaml'), recursive=True))]
work = tempfile.mkdtemp(prefix='meshctl-fuzz-')
tokens = [b'{', b'}', b'[', b']', b':', b'- ', b'\n', b'  ', b'*a', b'&a ', b'"', b"'", b'\t', b'\x00', b'weight: -1', b'regex: "(?=x)"', b'---\n', b'~', b'<<: *a', b'99999999999999999999', b'subset: v9', b'host: "*"']

integers = [b'0', b'-1', b'1', b'100', b'101', b'65535', b'65536', b'2147483647', b'2147483648', b'-2147483649',
            b'4294967295', b'4294967296', b'9223372036854775807', b'9223372036854775808', b'-9223372036854775808',
            b'18446744073709551616', b'99999999999999999999', b'1e308', b'-1e308', b'1.5', b'0x7fffffff', b'0o777',
            b'.inf', b'-.inf', b'.nan', b'"50"', b'-0']
durations = [b'1ms', b'0s', b'-1s', b'0.0001ms', b'1ns', b'2562046h', b'2562047h47m16s', b'2562047h47m16.854775807s',
             b'2562047h47m16.854775808s', b'2562048h', b'9223372036854775807ns', b'9223372036854775808ns',
             b'315576000000s', b'315576000001s', b'99999999999999999999s', b'1e309s', b'1h1h', b'1.5h30m', b'.5s',
             b'9223372036854775807s', b'-9223372036854775808ns', b'106751d']
# Large values the rules accept, so the arithmetic after validation sees them too.
large_integers = [b'2147483647', b'4294967295', b'1000000', b'65535', b'100']
large_durations = [b'1h', b'24h', b'100000h', b'2562046h', b'999999s', b'1ms']
number_keys = (rb'weight|attempts|number|port|targetPort|value|httpStatus|status|maxConnections|http1MaxPendingRequests|'
               rb'http2MaxRequests|maxRequestsPerConnection|maxRetries|consecutive5xxErrors|consecutiveGatewayErrors|'
               rb'consecutiveErrors|maxEjectionPercent|minHealthPercent|percent')
duration_keys = rb'timeout|perTryTimeout|interval|baseEjectionTime|fixedDelay|connectTimeout|idleTimeout'
number_field = re.compile(rb'(\b(?:' + number_keys + rb')\s*:\s*)([^\s,}\]]+)')
duration_field = re.compile(rb'(\b(?:' + duration_keys + rb')\s*:\s*)([^\s,}\]]+)')
scalar_line = re.compile(rb'^(\s*(?:- )?[A-Za-z][\w.-]*: )([^\s&*|>{\[][^\n]*)$')
list_item = re.compile(rb'^(\s*)- [^\s{\[&*][^\n]*$')


def edits(data):
    for _ in range(random.randint(1, 4)):
        op = random.random()
        pos = random.randrange(len(data) + 1)
        if op < 0.4:
            del data[pos:pos + random.randint(1, 20)]
        elif op < 0.8:
            data[pos:pos] = random.choice(tokens)
        else:
            a = random.randrange(len(data)); b = min(len(data), a + random.randint(1, 80))
            data[pos:pos] = data[a:b]
    return data


def aliases(data):
    """Anchors a big scalar on a list item (then repeats it, as in `hosts:`) or on a value line
    (then aliases it from later values)."""
    lines = bytes(data).split(b'\n')
    size = random.choice([1 << 10, 64 << 10, 1 << 20, 2 << 20])
    big = bytes(random.choice(b'abcdefghijklmnopqrstuvwxyz') for _ in range(16)) * (size // 16)
    items = [i for i, line in enumerate(lines) if list_item.match(line)]
    values = [i for i, line in enumerate(lines) if scalar_line.match(line)]
    if items and (random.random() < 0.5 or not values):
        i = random.choice(items)
        indent = list_item.match(lines[i]).group(1)
        lines[i:i + 1] = [indent + b'- &big ' + big] + [indent + b'- *big'] * random.choice([10, 100, 1000, 5000])
    elif values:
        first = random.choice(values)
        lines[first] = scalar_line.sub(lambda m: m.group(1) + b'&big ' + big, lines[first])
        later = [i for i in values if i > first]
        for i in random.sample(later, random.randint(min(1, len(later)), len(later))):
            lines[i] = scalar_line.sub(lambda m: m.group(1) + b'*big', lines[i])
    return bytearray(b'\n'.join(lines))


def numbers(data):
    """Puts extreme values into numeric and duration fields, adding retries and timeouts."""
    text = bytes(data)
    def integer():
        return random.choice(large_integers if random.random() < 0.5 else integers)

    def duration():
        return random.choice(large_durations if random.random() < 0.5 else durations)

    text = number_field.sub(lambda m: m.group(1) + (integer() if random.random() < 0.7 else m.group(2)), text)
    text = duration_field.sub(lambda m: m.group(1) + (duration() if random.random() < 0.7 else m.group(2)), text)
    lines = text.split(b'\n')
    for i in reversed(range(len(lines))):
        m = re.match(rb'^(\s*)(- )?route:\s*$', lines[i])
        if m and random.random() < 0.7:
            # Half the time, values the rules accept: the arithmetic behind validation sees them.
            large = random.random() < 0.5
            attempts = random.choice(large_integers) if large else integer()
            per_try, timeout = (random.choice(large_durations), random.choice(large_durations)) if large else (duration(), duration())
            fields = [b'retries: {attempts: ' + attempts + b', perTryTimeout: ' + per_try + b'}', b'timeout: ' + timeout]
            if m.group(2):
                indent = m.group(1)
                lines[i:i + 1] = [indent + b'- ' + fields[0], indent + b'  ' + fields[1], indent + b'  route:']
            else:
                lines[i:i] = [m.group(1) + f for f in fields]
    return bytearray(b'\n'.join(lines))


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


bad = 0
cmds = [['validate', '-f'], ['analyze', '-f'], ['simulate', '--host', 'recommendation', '-n', '50', '-f'], ['proxy-config', 'all', '-o', 'json', '-f']]
kinds = {'edits': 0, 'aliases': 0, 'numbers': 0}
for i in range(int(sys.argv[3]) if len(sys.argv) > 3 else 200):
    data = bytearray(random.choice(sources))
    kind = random.choices(['edits', 'aliases', 'numbers'], weights=[5, 2, 3])[0]
    kinds[kind] += 1
    data = {'edits': edits, 'aliases': aliases, 'numbers': numbers}[kind](data)
    path = os.path.join(work, 'case.yaml')
    open(path, 'wb').write(data)
    for cmd in cmds:
        args = [M] + cmd + [path]
        try:
            r = subprocess.run(args, capture_output=True, timeout=10, preexec_fn=limit_memory)
        except subprocess.TimeoutExpired:
            print('TIMEOUT', kind, cmd[0]); open(os.path.join(work, f'timeout-{i}.yaml'), 'wb').write(data); bad += 1; continue
        out = r.stdout + r.stderr
        if r.returncode < 0 or r.returncode not in (0, 1, 79) or b'Fatal error' in out or b'Stack dump' in out:
            bad += 1
            print('CRASH', kind, cmd[0], r.returncode, out[-300:])
            open(os.path.join(work, f'crash-{i}-{cmd[0]}.yaml'), 'wb').write(data)
print(f'{i + 1} cases ({", ".join(f"{n} {k}" for k, n in kinds.items())}), {bad} problems'
      + (f' (inputs kept in {work})' if bad else ''))
sys.exit(1 if bad else 0)
