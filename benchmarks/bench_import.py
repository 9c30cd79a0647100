"""Import cost: `python -X importtime -c "import <module>"`, median of several fresh processes.

The figure for a module is the cumulative microseconds of its own top-level line in the
importtime output, plus its parent packages' lines (`import ctct.connection` first imports
`ctct`): everything that importing it costs beyond the interpreter's own start-up. A first
run, not counted, writes the bytecode caches.

    python -m benchmarks.bench_import [--runs 7]
"""
import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# ctct.connection is what a legacy script's `from ctct import CTCTConnection` loads;
# requests alone is the part any client built on it pays (the machine's yardstick)
MODULES = ("ctct", "ctct.connection", "requests", "constant_contact_api_client")
TARGET_MS = 150


def parse_importtime(stderr, module):
    """Microseconds of `module` and its parents from `-X importtime` output."""
    wanted = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 2)}
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue  # the header line
        name = parts[2]
        if name.startswith(" ") and name.strip() in wanted and not name.startswith("  "):
            total += int(parts[1])
    return total


def measure(module, runs, warm_up=True):
    """Median cumulative microseconds over `runs` fresh interpreters (None: not installed).
    warm_up: one more run first, not counted, so bytecode caches exist."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    samples = []
    first = 0 if warm_up else 1
    for run in range(first, runs + 1):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                              capture_output=True, text=True, env=env, cwd=str(REPO))
        if done.returncode != 0:
            return None
        if run:  # the first run only warms the bytecode caches
            samples.append(parse_importtime(done.stderr, module))
    return statistics.median(samples)


def run(runs, warm_up=True):
    results = {}
    for module in MODULES:
        micros = measure(module, runs, warm_up)
        results[module] = None if micros is None else {"microseconds": int(micros), "ms": round(micros / 1000, 1),
                                                       "runs": runs}
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description="import cost of ctct and the official SDK")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    for module, row in run(args.runs).items():
        print(f"import {module:<30} " + ("not installed" if row is None else f"{row['ms']:>8.1f} ms"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
