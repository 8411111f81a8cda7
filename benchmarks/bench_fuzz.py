"""Fuzz run (issue 16, item 6): the parser properties of ``tests/test_fuzz.py`` with 1,000 examples
each, 10,000 in all, every failure required to be the project's own error type.

Prints, per property, the examples hypothesis ran and passed (from its statistics), and the time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = 1_000
REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    env = {**os.environ, "IDLIB_FUZZ_EXAMPLES": str(EXAMPLES), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics", "tests/test_fuzz.py"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    print(f"## fuzz ({EXAMPLES:,} examples per property; every failure must be InputError or its subclasses)")
    total = 0
    for name, passed in re.findall(r"tests/test_fuzz\.py::(\w+):.*?(\d+) passing, \d+ failing", proc.stdout, re.S):
        total += int(passed)
        print(f"{name}: {int(passed):,} passing")
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr.strip()
    print(f"{total:,} examples in all, {seconds:.0f} s; pytest: {summary}")
    if proc.returncode:
        print(proc.stdout[-4000:])
