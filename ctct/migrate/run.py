"""One migration, start to finish, for any target (a CSV or JSON Lines file, a SQLite column).

1. Census: read every stored value once; count V2 ids (deduplicated), V3 ids already there,
   blanks, and values that are no id at all.
2. Resolve every distinct V2 id through the resolver. Its cache is the journal: each answered
   batch is committed before the next request, so a rerun after a kill asks only for what was
   never answered.
3. Report the ids that stay unmapped (a CSV next to the output), then, unless that is refused,
   write the target: a file through a temporary copy and one rename, a table in transactions.
"""
import time
from dataclasses import dataclass, field
from pathlib import Path

from .files import csv_text, write_text_atomically
from .values import BLANK, INVALID, V2, V3, Classifier, Translator, display

EXIT_OK = 0
EXIT_UNMAPPED = 1
EXIT_USAGE = 2
EXIT_FAILED = 3

REPORT_HEADER = ("input_value", "v2_id", "reason", "count", "first_location")


@dataclass
class Summary:
    kind: str
    read: int = 0  # id values read (blank cells not counted)
    unique: int = 0  # distinct V2 ids among them
    mapped: int = 0  # distinct V2 ids V3 knows
    unmapped: int = 0  # distinct values left as they were: unknown V2 ids plus invalid values
    requests: int = 0  # HTTP requests this run sent (retries included)
    seconds: float = 0.0
    rows: int = 0
    blank: int = 0
    already_v3: int = 0
    invalid: int = 0  # distinct invalid values (included in unmapped)
    from_cache: int = 0
    xref_requests: int = 0
    changed: int = 0  # rows rewritten (or that would be, in a dry run)
    written: bool = False
    report: str = ""
    dry_run: bool = False

    def line(self):
        return (f"summary: read={self.read} unique={self.unique} mapped={self.mapped} unmapped={self.unmapped} "
                f"requests={self.requests} seconds={self.seconds:.2f}")

    def details(self):
        verb = "would change" if self.dry_run else "changed"
        return (f"  rows={self.rows} {verb}={self.changed} already_v3={self.already_v3} blank={self.blank} "
                f"invalid={self.invalid} from_cache={self.from_cache} xref_requests={self.xref_requests}")


@dataclass
class Census:
    """What the stored values are, each distinct V2 id once with where it first appears."""

    kind: str
    v2: dict = field(default_factory=dict)  # v2 -> [first input value, count, first location]
    invalid: dict = field(default_factory=dict)  # display text -> [value, count, first location, reason]
    rows: int = 0
    blank: int = 0
    already_v3: int = 0
    classify: Classifier = field(init=False, repr=False)  # each distinct value's class, kept for the rewrite

    def __post_init__(self):
        self.classify = Classifier(self.kind)

    def add_all(self, values):
        """Count every (location, value) of a target (one loop: this runs once per cell)."""
        classify, v2_seen, invalid = self.classify, self.v2, self.invalid
        rows = blank = already_v3 = 0
        for location, value in values:
            rows += 1
            state, v2, reason = classify(value)
            if state == V2:
                seen = v2_seen.get(v2)
                if seen is None:
                    v2_seen[v2] = [value, 1, location]
                else:
                    seen[1] += 1
            elif state == BLANK:
                blank += 1
            elif state == V3:
                already_v3 += 1
            elif state == INVALID:
                text = display(value)
                seen = invalid.get(text)
                if seen is None:
                    invalid[text] = [value, 1, location, reason]
                else:
                    seen[1] += 1
        self.rows += rows
        self.blank += blank
        self.already_v3 += already_v3

    @property
    def read(self):
        return self.rows - self.blank


def report_path_for(output):
    output = Path(output)
    return output.with_name(output.name + ".unmapped.csv")


def migrate(target, resolver, kind, *, output=None, report_path=None, allow_unmapped=False, dry_run=False,
            recheck_unmapped=False, progress=None, on_change=None, crash=None, log=None):
    """Run one migration; returns (Summary, exit code).

    target: a files.CsvFile / JsonLinesFile (written to `output`) or a SqliteColumn (in place).
    progress: a callable(total) returning an object with update(n) and close(), or None.
    on_change(location, old, new): called for each row that changes (the dry-run listing).
    log: a callable(str) for notes (stderr).
    """
    started = time.monotonic()
    client = resolver.client
    requests_before = getattr(client, "request_count", 0)
    summary = Summary(kind, dry_run=dry_run)

    census = Census(kind)
    census.add_all(target.values())
    summary.rows, summary.blank, summary.already_v3 = census.rows, census.blank, census.already_v3
    summary.read, summary.unique, summary.invalid = census.read, len(census.v2), len(census.invalid)

    ids = list(census.v2)
    bar = None
    if progress is not None and ids:
        pending = resolver.pending(kind, ids, recheck_unmapped=recheck_unmapped)
        bar = progress(len(pending)) if pending else None

    def batch_done(count):
        if bar is not None:
            bar.update(count)
        if crash:
            crash.passed("xref-batch")

    try:
        result = resolver.resolve_many(kind, ids, recheck_unmapped=recheck_unmapped, progress=batch_done)
    finally:
        if bar is not None:
            bar.close()
        summary.requests = getattr(client, "request_count", 0) - requests_before
    mapping = result.mapped
    summary.mapped = len(mapping)
    summary.from_cache = result.from_cache
    summary.xref_requests = result.requests

    report_rows = []
    for v2 in result.unmapped:
        value, count, location = census.v2[v2]
        report_rows.append((display(value), str(v2), "unknown to V3", count, location))
    for text, (value, count, location, reason) in census.invalid.items():
        report_rows.append((text, "", f"not a V2 {kind[:-1]} id: {reason}", count, location))
    summary.unmapped = len(report_rows)

    if report_path is None and output is not None:
        report_path = report_path_for(output)
    if not dry_run and report_path is not None:
        report_path = Path(report_path)
        if report_rows:
            write_text_atomically(report_path, csv_text(report_rows, REPORT_HEADER))
            summary.report = str(report_path)
        elif report_path.exists():
            report_path.unlink()  # a stale report from an earlier run would mislead

    refused = bool(report_rows) and not allow_unmapped
    translate = Translator(kind, mapping, census.classify)  # classifies nothing the census saw
    if dry_run:
        summary.changed = _rewrite(target, None, translate, on_change, crash, write=False)
    elif not refused:
        summary.changed = _rewrite(target, output, translate, on_change, crash, write=True)
        summary.written = True
    elif log:
        log(f"{summary.unmapped} id(s) have no V3 id (listed in {summary.report}); nothing was written. "
            "Rerun with --allow-unmapped to keep them as they are.")
    if dry_run and report_rows and on_change:
        for text, v2, reason, count, location in report_rows:
            on_change(location, text, f"UNMAPPED ({reason}; {count} row(s))")
    summary.seconds = time.monotonic() - started
    return summary, (EXIT_UNMAPPED if refused else EXIT_OK)


def _rewrite(target, output, translate, on_change, crash, *, write):
    if getattr(target, "kind", None) == "sqlite":
        return target.rewrite(None, translate, on_change=on_change, crash=crash, write=write)
    return target.rewrite(output if write else None, translate, on_change=on_change, crash=crash)
