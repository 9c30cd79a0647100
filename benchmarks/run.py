"""Run every benchmark of issue #8 (and the emulator's loopback throughput, issue #3) in one
go, print a table and write it as JSON.

    python -m benchmarks.run                 # the full sizes (a few minutes)
    python -m benchmarks.run --size smoke    # every path once, in seconds (what CI runs)

Workloads 1-5 run on one emulator account, seeded through the emulator's seeders (setup is
never measured); each runs first as ctct (a 2009 `CTCTConnection` script), then as the same
job on the official V3 SDK when it is installed, against the same emulator. Workload 6 uses
bench_migrate.py's inputs and `ctct migrate-ids`; workload 7 runs bench_atom.py. No client
paces its requests (rate_limit=None) and the emulator does not throttle, so times are each
library's own cost; "at 4/s" is what V3's rate limit makes of the request count.

Results: benchmarks/results/<name>.json (name: --name, default run-<size>).
"""
import argparse
import datetime as _dt
import gc
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/run.py` works too
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from . import bench_import, bench_legacy, bench_sdk, workloads  # noqa: E402
from .measure import Meter, Side, count_paths, ratio  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"


# -- workloads 1-5: one account ----------------------------------------------------------------

def account_workloads(size, use_sdk, log):
    """Rows for workloads 1-5 (ctct and SDK sides) on one seeded emulator."""
    from ctct.emulator import Emulator

    plan = workloads.build(size)
    started = time.perf_counter()
    emu = Emulator(seed=plan.seed)
    seed_seconds = time.perf_counter() - started
    emu.activity_steps = workloads.ACTIVITY_STEPS
    lists = {item["name"]: item["list_id"] for item in emu.store.contact_lists.values()}
    plan.list_ids = (lists["Import A"], lists["Import B"])
    plan.campaign_id = next(iter(emu.store.emails.values()))["campaign_id"]
    # (id, title, job function name, floor, its derivation, runs per side: the median time is kept)
    jobs = [
        ("1", f"get_contacts over {size.contacts:,} contacts", "list_all_contacts",
         workloads.floor_list_contacts(size.contacts), workloads.floor_list_contacts.__doc__, size.repeats),
        ("2a", f"get_contact(email=) x {size.lookups:,}", "get_contact_by_email",
         workloads.floor_lookups(size.lookups), workloads.floor_lookups.__doc__, size.repeats),
        ("2b", f"query_contacts({size.lookups:,} addresses)", "query_contacts",
         workloads.floor_query(size.lookups, size.contacts), workloads.floor_query.__doc__, size.repeats),
        # writes: a second run would find nothing left to change (ctct only, no SDK side)
        ("3", f"update_contact, one field, {size.updates:,} contacts", "update_one_field",
         workloads.floor_updates(size.updates), workloads.floor_updates.__doc__, 1),
        ("5", f"campaign report, {size.sends:,} sends", "campaign_report",
         workloads.floor_report(plan.event_counts), workloads.floor_report.__doc__, size.repeats),
        # each run imports rows of its own (new addresses), so every run does the same work
        ("4", f"SV_ADD {size.import_rows:,} rows into 2 lists", "bulk_import",
         workloads.floor_import(workloads.import_rows("ctct0import", size.import_rows), plan.list_ids),
         workloads.floor_import.__doc__, size.import_repeats),
    ]
    rows = []
    with emu:
        meter = Meter(emu)
        _warm_up(emu)
        for number, title, name, floor, why, repeats in jobs:
            runs = {"ctct": [], "sdk": []}
            # ctct and SDK take turns, so a passing disturbance hits both alike
            for run in range(repeats):
                for label, module in (("ctct", bench_legacy), ("sdk", bench_sdk)):
                    job = getattr(module, name, None)
                    if job is None or (label == "sdk" and not use_sdk):
                        continue
                    if name == "bulk_import":  # built before the clock starts
                        plan.rows = workloads.import_rows(f"{label}{run}import", size.import_rows)
                    gc.collect()
                    log(f"  {number:<3} {label:<5} {title}")
                    runs[label].append(job(emu, meter, plan))
            rows.append(_row(number, title, floor, why, median_side(runs["ctct"]), median_side(runs["sdk"])))
    rows.sort(key=lambda row: row["id"])
    extra = {"seed_seconds": round(seed_seconds, 2), "activity_steps": workloads.ACTIVITY_STEPS,
             "event_counts": plan.event_counts}
    return rows, extra


def median_side(sides):
    """The run with the median wall time, its CPU time replaced by the median CPU time of
    all runs (every run of a job must make the same requests, or the job is not
    deterministic and its figure means nothing)."""
    if not sides:
        return None
    counts = {(side.requests, side.poll_requests) for side in sides}
    if len(counts) != 1:
        raise RuntimeError(f"runs of one job made different requests: {sorted(counts)}")
    chosen = sorted(sides, key=lambda side: side.seconds)[len(sides) // 2]
    if len(sides) > 1:
        chosen.extra["run_seconds"] = [round(side.seconds, 4) for side in sides]
        chosen.extra["run_cpu_seconds"] = [round(side.cpu_seconds, 4) for side in sides]
        chosen.cpu_seconds = sorted(side.cpu_seconds for side in sides)[len(sides) // 2]
    return chosen


def _warm_up(emu):
    """One request before measuring, so no workload pays for the server's first connection."""
    from ctct.v3.client import V3Client

    with V3Client(emu.base_url, access_token=emu.access_token, rate_limit=None) as client:
        client.get("/contacts", params={"limit": 1})


def _row(number, title, floor, why, ours, theirs):
    row = {
        "id": number, "workload": title, "floor": floor, "floor_derivation": " ".join((why or "").split()),
        "ctct": ours.as_dict() if ours else None, "sdk": theirs.as_dict() if theirs else None,
    }
    if ours:
        row["at_floor"] = ours.requests == floor
        row["over_floor"] = ours.requests - floor
    if ours and theirs:
        row["ratio_requests"] = ratio(ours.requests + ours.poll_requests, theirs.requests + theirs.poll_requests)
        row["ratio_seconds"] = ratio(ours.seconds, theirs.seconds)
        row["ratio_cpu_seconds"] = ratio(ours.cpu_seconds, theirs.cpu_seconds)
        row["ctct_extra_requests"] = {path: n - theirs.paths.get(path, 0) for path, n in ours.paths.items()
                                      if n > theirs.paths.get(path, 0)}
    return row


# -- workload 6: V2 ids (bench_migrate.py's inputs and tool) -------------------------------------

def migrate_workload(size, use_sdk, log):
    from ctct.emulator import Emulator

    from . import bench_migrate

    rng = random.Random(6)
    stored, known, unknown = bench_migrate.build_ids(size.xref_ids, 0.20, 0.01, rng)
    unique = known + unknown
    floor = workloads.floor_xrefs(unique)
    seed = {"contacts": [{"email_address": f"c{v2}@example.com", "v2_id": v2} for v2 in range(1, known + 1)]}
    with tempfile.TemporaryDirectory(prefix="ctct-bench-") as tmp:
        tmp = Path(tmp)
        bench_migrate.write_input(tmp / "ids.csv", stored, rng)
        with Emulator(seed=seed) as emu:
            common = [tmp / "ids.csv", "-o", tmp / "ctct.csv", "--cache", tmp / "xref.sqlite3", "--allow-unmapped"]
            log(f"  6   ctct  migrate-ids {size.xref_ids:,} ids, cold then warm")
            cold, cold_paths = _counted(emu, bench_migrate.run_tool, emu, common, 0)
            warm, warm_paths = _counted(emu, bench_migrate.run_tool, emu, common, 0)
            sdk_runs = []
            if use_sdk:
                log("  6   sdk   the same ids, twice (the SDK has no cache)")
                sdk_runs = [_counted(emu, _sdk_xref_run, emu, tmp / "ids.csv", tmp / "sdk.csv") for _ in range(2)]
        same_output = (tmp / "sdk.csv").read_bytes() == (tmp / "ctct.csv").read_bytes() if use_sdk else None
    rows = []
    for label, (run, paths), sdk_counted in (("cold", (cold, cold_paths), sdk_runs[0] if sdk_runs else None),
                                             ("warm", (warm, warm_paths), sdk_runs[1] if sdk_runs else None)):
        ours = Side(requests=run["emulator_requests"], seconds=run["wall_seconds"],
                    cpu_seconds=run["cpu_seconds"], paths=paths,
                    extra={"tool_seconds": run["tool_seconds"], "mapped": run["mapped"], "unmapped": run["unmapped"],
                           "xref_requests": run["xref_requests"]})
        other = None
        if sdk_counted:
            sdk_run, sdk_paths = sdk_counted
            other = Side(requests=sdk_run["requests"], seconds=sdk_run["wall_seconds"],
                         cpu_seconds=sdk_run["cpu_seconds"], paths=sdk_paths,
                         extra={"job_seconds": sdk_run["seconds"], "mapped": sdk_run["mapped"],
                                "unmapped": sdk_run["unmapped"]})
        why = workloads.floor_xrefs.__doc__
        row = _row(f"6{'a' if label == 'cold' else 'b'}",
                   f"resolve {size.xref_ids:,} V2 contact ids, {label} cache", floor if label == "cold" else 0,
                   why, ours, other)
        rows.append(row)
    extra = {"stored_ids": size.xref_ids, "unique_ids": unique, "unknown_ids": unknown,
             "sdk_output_identical": same_output,
             "note": "both sides run as a separate process (interpreter start and imports included in seconds); "
                     "ctct keeps its cache in SQLite, the SDK script has none"}
    return rows, extra


def _counted(emu, func, *args):
    """(func(*args) with the CPU time of the process it ran added as "cpu_seconds",
    {"METHOD /path": count} of the emulator requests it caused)."""
    mark = len(emu.requests)
    cpu_before = _children_cpu()
    value = func(*args)
    value["cpu_seconds"] = _children_cpu() - cpu_before
    return value, count_paths(emu.requests[mark:])


def _children_cpu():
    """User + system CPU seconds of this process's finished children (0 where the platform
    does not say: then the CPU column stays empty)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _sdk_xref_run(emu, input_path, output_path):
    env = dict(os.environ, PYTHONPATH=str(REPO), CTCT_BASE_URL=emu.base_url, CTCT_ACCESS_TOKEN=emu.access_token)
    before = len(emu.requests)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_sdk", "xref", str(input_path), "-o", str(output_path)],
                          env=env, cwd=str(REPO), capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"SDK xref script failed:\n{done.stderr}")
    line = next(l for l in done.stderr.splitlines() if l.startswith("summary:"))
    summary = dict(part.split("=", 1) for part in line[len("summary:"):].split())
    return {"wall_seconds": round(wall, 3), "seconds": float(summary["seconds"]), "requests": len(emu.requests) - before,
            "mapped": int(summary["mapped"]), "unmapped": int(summary["unmapped"])}


# -- workload 7: the Atom feed (bench_atom.py) ---------------------------------------------------

def atom_workload(size, log):
    log(f"  7   ctct  parse a {size.atom_mb:g} MB V2 contacts feed")
    with tempfile.TemporaryDirectory(prefix="ctct-bench-") as tmp:
        out = Path(tmp) / "atom.json"
        done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_atom.py"), "--size-mb",
                               str(size.atom_mb), "--out", str(out)], cwd=str(REPO), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"bench_atom.py failed:\n{done.stderr}")
        report = json.loads(out.read_text(encoding="utf-8"))
    parse = report["readers"]["atom.parse"]
    ours = Side(requests=0, seconds=parse["seconds"], extra={
        "file_mb": report["file_mb"], "entries": report["entries"], "readers": report["readers"]})
    row = _row("7", f"parse a {report['file_mb']:g} MB V2 contacts feed", 0,
               "No request: the feed is a file.", ours, None)
    return [row], report


# -- the emulator's loopback throughput (issue #3) -------------------------------------------

def emulator_throughput(size):
    """bench_emulator.py in a fresh process: nothing left over from the workloads (threads,
    a large heap for the collector to walk) disturbs the server or the client."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_emulator", "--requests",
                           str(size.throughput_requests), "--rounds", str(size.throughput_rounds), "--json"],
                          cwd=str(REPO), env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench_emulator failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the table ---------------------------------------------------------------------------------

def _seconds(value):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:.0f} s"
    if value >= 10:
        return f"{value:.1f} s"
    return f"{value:.2f} s"


def _requests(side):
    if side is None:
        return "-"
    text = f"{side['requests']:,}"
    if side["poll_requests"]:
        text += f" +{side['poll_requests']} polls"
    return text


def table(rows):
    """The workload table as Markdown (printed, and pasted into the README by hand)."""
    head = ("#", "workload", "floor", "ctct requests", "ctct time", "ctct at 4/s",
            "SDK requests", "SDK time", "SDK at 4/s", "ctct/SDK requests", "ctct/SDK time",
            "ctct/SDK CPU")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for row in rows:
        ours, theirs = row["ctct"], row["sdk"]
        mark = "" if row.get("at_floor", True) else " *"
        cells = (
            row["id"], row["workload"], f"{row['floor']:,}", _requests(ours) + mark,
            _seconds(ours and ours["seconds"]), _seconds(ours and ours["at_v3_rate_seconds"]),
            _requests(theirs), _seconds(theirs and theirs["seconds"]),
            _seconds(theirs and theirs["at_v3_rate_seconds"]),
            "-" if row.get("ratio_requests") is None else f"{row['ratio_requests']:.2f}",
            "-" if row.get("ratio_seconds") is None else f"{row['ratio_seconds']:.2f}",
            "-" if row.get("ratio_cpu_seconds") is None else f"{row['ratio_cpu_seconds']:.2f}",
        )
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def footnotes(rows, atom, emulator, imports):
    notes = []
    for row in rows:
        if row.get("at_floor", True):
            continue
        extra = row.get("ctct_extra_requests")
        if extra is not None:  # what ctct sent beyond the SDK script (which is at the floor)
            detail = ", ".join(f"{path} +{n}" for path, n in extra.items())
        else:
            detail = "requests: " + ", ".join(f"{path} {n}" for path, n in row["ctct"]["paths"].items())
        notes.append(f"* {row['id']}: {row['over_floor']:+d} over the floor ({detail})")
    if atom:
        readers = atom["readers"]
        notes.append("7: " + "; ".join(f"{name} {r['mb_per_s']:.0f} MB/s, peak {r['peak_mb']:.0f} MB"
                                       for name, r in readers.items()))
    if emulator:
        for name, case in emulator["cases"].items():
            notes.append(f"emulator {name}: {case['emulator_per_second']:,.0f} req/s "
                         f"(bare ThreadingHTTPServer, same bytes: {case['bare_server_per_second']:,.0f}/s, "
                         f"ratio {case['emulator_vs_bare']:.2f})")
    if imports:
        notes.append("import: " + "; ".join(
            f"{module} {row['ms']:.0f} ms" if row else f"{module} not installed" for module, row in imports.items()))
    return notes


def machine():
    cpu = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    from ctct import __version__

    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": platform.machine(), "cpu": cpu or platform.processor() or None, "cpus": os.cpu_count(),
        "python": platform.python_version(), "ctct": __version__, "sdk": bench_sdk.version(),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


# -- main --------------------------------------------------------------------------------------

PARTS = ("account", "migrate", "atom", "emulator", "imports")


def run(size_name="full", *, parts=PARTS, use_sdk=None, log=print):
    size = workloads.SIZES[size_name]
    if use_sdk is None:
        use_sdk = bench_sdk.available()
    started = time.perf_counter()
    result = {"name": None, "size": size_name, "sizes": size.__dict__, "machine": machine(), "sdk_used": use_sdk,
              "rows": [], "account": None, "migrate": None, "atom": None, "emulator": None, "imports": None}
    timings = result["part_seconds"] = {}
    for part in PARTS:
        if part not in parts:
            continue
        part_started = time.perf_counter()
        if part == "account":
            rows, result["account"] = account_workloads(size, use_sdk, log)
        elif part == "migrate":
            rows, result["migrate"] = migrate_workload(size, use_sdk, log)
        elif part == "atom":
            rows, result["atom"] = atom_workload(size, log)
        elif part == "emulator":
            log("  emulator loopback throughput")
            rows, result["emulator"] = [], emulator_throughput(size)
        else:
            log("  import times")
            rows, result["imports"] = [], bench_import.run(size.import_runs, warm_up=size.import_runs > 1)
        result["rows"] += rows
        timings[part] = round(time.perf_counter() - part_started, 2)
    result["rows"].sort(key=lambda row: row["id"])
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["targets"] = targets(result)
    return result


def targets(result):
    """The three targets of issue #8, checked (None: not measured in this run)."""
    rows = [r for r in result["rows"] if r.get("ctct")]
    compared = [r for r in rows if r.get("ratio_seconds") is not None]
    imports = result.get("imports") or {}
    ctct_import = (imports.get("ctct") or {}).get("ms")
    return {
        "requests_at_floor": {r["id"]: r["at_floor"] for r in rows},
        "not_slower_than_sdk": {r["id"]: r["ratio_seconds"] <= 1.0 for r in compared},
        # both: `import ctct` alone, and the connection a legacy script imports
        "import_under_150_ms": None if ctct_import is None else {
            module: (imports.get(module) or {}).get("ms", float("inf")) < bench_import.TARGET_MS
            for module in ("ctct", "ctct.connection")},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(workloads.SIZES), default="full")
    parser.add_argument("--name", help="results file name (default run-<size>)")
    parser.add_argument("--out-dir", default=str(RESULTS))
    parser.add_argument("--only", nargs="+", choices=PARTS, help="run only these parts")
    parser.add_argument("--no-sdk", action="store_true", help="skip the official SDK side")
    args = parser.parse_args(argv)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    result = run(args.size, parts=tuple(args.only or PARTS), use_sdk=False if args.no_sdk else None, log=log)
    result["name"] = args.name or f"run-{args.size}"
    info = result["machine"]
    print(f"ctct {info['ctct']} vs constant-contact-api-client {info['sdk'] or '(not installed)'}; "
          f"{info['date']}; {info['machine']}, {info['cpu']}, {info['cpus']} CPUs; Python {info['python']}; "
          f"size {args.size}")
    print()
    print(table(result["rows"]))
    print()
    for note in footnotes(result["rows"], result["atom"], result["emulator"], result["imports"]):
        print(note)
    out = Path(args.out_dir) / f"{result['name']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwritten to {out} ({result['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
