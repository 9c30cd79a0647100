"""Benchmark: reading a generated 50 MB V2 contacts feed, ctct.atom vs a plain xml.etree parse.

Each reader runs in a fresh subprocess on the same temporary file, in the same run:
  - xml.etree:       xml.etree.ElementTree.parse() of the file (a plain tree; no dicts)
  - lxml.etree:      lxml.etree.parse() of the file, for reference (no dicts)
  - atom.parse:      ctct.atom.parse(bytes) -> every legacy dict in memory
  - atom.iterparse:  ctct.atom.iterparse(path), counting the legacy dicts as they stream
Throughput is the file size over the read's wall time (imports and interpreter start-up
excluded). Peak memory is the subprocess's peak RSS (getrusage ru_maxrss) minus its RSS
before the read, so it counts libxml2's C allocations too (tracemalloc would not see them).

    python benchmarks/bench_atom.py                  # the 50 MB feed
    python benchmarks/bench_atom.py --size-mb 2      # a CI smoke size
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.atom_feed import write_feed  # noqa: E402

READERS = {
    "xml.etree": """
import xml.etree.ElementTree as ET
tree = ET.parse(PATH)
count = len(tree.getroot().findall("{http://www.w3.org/2005/Atom}entry"))
""",
    "lxml.etree": """
from lxml import etree
tree = etree.parse(PATH)
count = len(tree.getroot().findall("{http://www.w3.org/2005/Atom}entry"))
""",
    "atom.parse": """
with open(PATH, "rb") as handle:
    parsed = atom.parse(handle.read())
count = len(parsed.items)
""",
    "atom.iterparse": """
count = 0
for item in atom.iterparse(PATH):
    count += 1
""",
}

PROBE = """
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from ctct import atom
import lxml.etree, xml.etree.ElementTree
PATH = {path!r}
def rss_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
before = rss_kb()
started = time.perf_counter()
{body}
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": seconds, "count": count, "peak_kb": peak - before}}))
"""


def run_reader(name, path):
    code = PROBE.format(repo=str(REPO), path=str(path), body=READERS[name])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description="ctct.atom read throughput and memory")
    parser.add_argument("--size-mb", type=float, default=50, help="feed size (default 50)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per reader; the fastest is kept")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "atom.json"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contacts_feed.xml"
        started = time.perf_counter()
        size, entries = write_feed(path, args.size_mb)
        generated = time.perf_counter() - started
        results = {}
        for name in READERS:
            runs = [run_reader(name, path) for _ in range(max(1, args.repeat))]
            best = min(runs, key=lambda r: r["seconds"])
            if best["count"] != entries:
                raise RuntimeError(f"{name} read {best['count']} entries, expected {entries}")
            results[name] = {
                "seconds": round(best["seconds"], 3),
                "mb_per_s": round(size / 1e6 / best["seconds"], 1),
                "peak_mb": round(max(r["peak_kb"] for r in runs) / 1024, 1),
                "entries": best["count"],
            }

    report = {
        "benchmark": "atom-read",
        "file_mb": round(size / 1e6, 1),
        "entries": entries,
        "generated_seconds": round(generated, 2),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "readers": results,
    }
    print(f"contacts feed: {report['file_mb']} MB, {entries} entries (generated in {generated:.1f} s)")
    print(f"{'reader':<16}{'seconds':>9}{'MB/s':>9}{'peak MB':>10}  dicts")
    for name, row in results.items():
        makes_dicts = "yes" if name.startswith("atom") else "no (tree only)"
        print(f"{name:<16}{row['seconds']:>9.2f}{row['mb_per_s']:>9.1f}{row['peak_mb']:>10.1f}  {makes_dicts}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
