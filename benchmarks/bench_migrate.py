"""Benchmark: `ctct migrate-ids` over 100,000 stored contact ids against the emulator.

The stored ids have 20% duplicates and 1% ids V3 does not know (10% of the cells are legacy
URIs, the rest bare numbers). The emulator is seeded with 80,000 contacts with V2 ids through
its "contacts" seeder. The tool runs as a subprocess, as a user runs it, twice:
  1. cold cache: xref requests made against the minimum ceil(unique / 500), and wall time;
  2. warm cache: the same input again, which must make zero requests.

    python benchmarks/bench_migrate.py              # the full 100,000
    python benchmarks/bench_migrate.py --n 5000     # a CI smoke size

Pacing: by default the client does not pace (--rate-limit 0) so the figure is the tool's own
cost; the table also shows what V3's 4 requests/s would add. Results go to
benchmarks/results/migrate.json (--out to change).
"""
import argparse
import csv
import json
import math
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ctct.emulator import Emulator  # noqa: E402

SUMMARY = re.compile(r"summary: read=(\d+) unique=(\d+) mapped=(\d+) unmapped=(\d+) requests=(\d+) seconds=([\d.]+)")
XREF_PATH = "/contacts/contact_id_xrefs"
BATCH = 500
V3_RATE = 4.0


def build_ids(n, duplicates, unknown, rng):
    """n stored ids: unique known ids, `unknown`*n unique unknown ids, and `duplicates`*n repeats."""
    unique = n - int(round(n * duplicates))
    unknown_count = int(round(n * unknown))
    known_count = unique - unknown_count
    known = list(range(1, known_count + 1))
    missing = list(range(10_000_000, 10_000_000 + unknown_count))
    distinct = known + missing
    stored = distinct + [rng.choice(distinct) for _ in range(n - unique)]
    rng.shuffle(stored)
    return stored, known_count, unknown_count


def write_input(path, stored, rng):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "email", "note"])
        for i, v2 in enumerate(stored):
            cell = f"http://api.constantcontact.com/ws/customers/bench/contacts/{v2}" if rng.random() < 0.1 else str(v2)
            writer.writerow([cell, f"person{i}@example.com", "row %d" % i])


def run_tool(emu, args, rate_limit):
    env = dict(os.environ, PYTHONPATH=str(REPO), CTCT_BASE_URL=emu.base_url, CTCT_ACCESS_TOKEN=emu.access_token)
    env.pop("CTCT_MIGRATE_CRASH", None)
    before = len(emu.requests)
    xref_before = sum(1 for r in emu.requests if r.path == XREF_PATH)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ctct", "migrate-ids", "contacts", *map(str, args),
                           "--rate-limit", str(rate_limit)], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"migrate-ids failed ({proc.returncode}):\n{proc.stderr}")
    match = SUMMARY.search(proc.stderr)
    read, unique, mapped, unmapped, requests, seconds = match.groups()
    return {
        "wall_seconds": round(wall, 3),
        "tool_seconds": float(seconds),
        "read": int(read), "unique": int(unique), "mapped": int(mapped), "unmapped": int(unmapped),
        "requests": int(requests),
        "emulator_requests": len(emu.requests) - before,
        "xref_requests": sum(1 for r in emu.requests if r.path == XREF_PATH) - xref_before,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="stored ids (default 100,000)")
    parser.add_argument("--contacts", type=int, default=None, help="contacts to seed (default 0.8 * n)")
    parser.add_argument("--duplicates", type=float, default=0.20)
    parser.add_argument("--unknown", type=float, default=0.01)
    parser.add_argument("--rate-limit", type=float, default=0, help="client pacing, requests/s (0: none)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "migrate.json"))
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    stored, known_count, unknown_count = build_ids(args.n, args.duplicates, args.unknown, rng)
    contacts = args.contacts or max(known_count, int(args.n * 0.8))
    unique = known_count + unknown_count

    with tempfile.TemporaryDirectory(prefix="ctct-bench-migrate-") as tmp:
        tmp = Path(tmp)
        write_input(tmp / "ids.csv", stored, rng)
        started = time.perf_counter()
        seed = {"contacts": [{"email_address": f"c{v2}@example.com", "v2_id": v2} for v2 in range(1, contacts + 1)]}
        emu = Emulator(seed=seed)
        seed_seconds = time.perf_counter() - started
        with emu:
            common = [tmp / "ids.csv", "-o", tmp / "out.csv", "--cache", tmp / "xref.sqlite3", "--allow-unmapped"]
            cold = run_tool(emu, common, args.rate_limit)
            warm = run_tool(emu, common, args.rate_limit)
        minimum = math.ceil(unique / BATCH)
        out_rows = sum(1 for _ in open(tmp / "out.csv", encoding="utf-8")) - 1

    results = {
        "benchmark": "migrate-ids contacts",
        "stored_ids": args.n, "unique_ids": unique, "unknown_ids": unknown_count, "duplicates": args.n - unique,
        "seeded_contacts": contacts, "seed_seconds": round(seed_seconds, 3),
        "minimum_xref_requests": minimum,
        "cold": cold, "warm": warm,
        "output_rows": out_rows,
        "rate_limit": args.rate_limit or None,
        "v3_paced_seconds_estimate": round(cold["requests"] / V3_RATE, 1),
        "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
    assert cold["xref_requests"] == minimum, (cold["xref_requests"], minimum)
    assert warm["emulator_requests"] == 0 and warm["requests"] == 0, warm
    assert out_rows == args.n

    rows = [
        ("stored ids (unique / unknown)", f"{args.n:,} ({unique:,} / {unknown_count:,})"),
        ("seeded contacts (seconds)", f"{contacts:,} ({seed_seconds:.1f} s)"),
        ("xref requests, cold (minimum)", f"{cold['xref_requests']} ({minimum})"),
        ("all requests, cold", f"{cold['emulator_requests']} (+1 account lookup)" if cold["emulator_requests"] ==
         cold["xref_requests"] + 1 else str(cold["emulator_requests"])),
        ("wall time, cold", f"{cold['wall_seconds']:.2f} s (tool {cold['tool_seconds']:.2f} s)"),
        ("at V3's 4 requests/s", f"~{results['v3_paced_seconds_estimate']:.0f} s"),
        ("mapped / unmapped", f"{cold['mapped']:,} / {cold['unmapped']:,}"),
        ("requests, warm rerun", str(warm["emulator_requests"])),
        ("wall time, warm", f"{warm['wall_seconds']:.2f} s (tool {warm['tool_seconds']:.2f} s)"),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"ctct migrate-ids benchmark ({platform.python_version()}, {os.cpu_count()} CPUs)")
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"  written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
