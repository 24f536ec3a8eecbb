#!/usr/bin/env python3
"""Mutation fuzz of the command line: random edits of the sample files (deletions, inserted YAML
tokens, copied spans), each run through validate, analyze, simulate and proxy-config. Any signal,
"Fatal error", exit code outside 0/1/79 or a run over 10 s is reported and its input kept.

Usage: scripts/fuzz-commands.py PATH/TO/meshctl [SEED] [CASES]      exit 1 when a problem was found
"""
import glob
import os
import random
import subprocess
import sys
import tempfile

M = sys.argv[1]
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sources = [open(f, 'rb').read() for f in glob.glob(os.path.join(root, 'samples/**/*.yaml'), recursive=True)]
work = tempfile.mkdtemp(prefix='meshctl-fuzz-')
tokens = [b'{', b'}', b'[', b']', b':', b'- ', b'\n', b'  ', b'*a', b'&a ', b'"', b"'", b'\t', b'\x00', b'weight: -1', b'regex: "(?=x)"', b'---\n', b'~', b'<<: *a', b'99999999999999999999', b'subset: v9', b'host: "*"']
bad = 0
cmds = [['validate', '-f'], ['analyze', '-f'], ['simulate', '--host', 'recommendation', '-n', '50', '-f'], ['proxy-config', 'all', '-o', 'json', '-f']]
for i in range(int(sys.argv[3]) if len(sys.argv) > 3 else 200):
    data = bytearray(random.choice(sources))
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
    path = os.path.join(work, 'case.yaml')
    open(path, 'wb').write(data)
    for cmd in cmds:
        args = [M] + cmd + [path]
        try:
            r = subprocess.run(args, capture_output=True, timeout=10)
        except subprocess.TimeoutExpired:
            print('TIMEOUT', cmd); open(os.path.join(work, f'timeout-{i}.yaml'), 'wb').write(data); bad += 1; continue
        out = r.stdout + r.stderr
        if r.returncode < 0 or r.returncode not in (0, 1, 79) or b'Fatal error' in out or b'Stack dump' in out:
            bad += 1
            print('CRASH', cmd[0], r.returncode, out[-300:])
            open(os.path.join(work, f'crash-{i}-{cmd[0]}.yaml'), 'wb').write(data)
print(f'{i + 1} cases, {bad} problems' + (f' (inputs kept in {work})' if bad else ''))
sys.exit(1 if bad else 0)
