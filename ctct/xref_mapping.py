"""Exporting and importing the whole V2 -> V3 mapping (CSV or JSON), so it can be kept after
Constant Contact removes the xref endpoints, moved to another machine, or audited.

CSV columns: account, kind, v2_id, v3_id, campaign_activity_id, checked_at (ISO-8601 UTC).
An empty v3_id records an id V3 did not know. JSON:
    {"format": "ctct-xref-mapping", "version": 1, "exported_at": "...",
     "xrefs": [{"account": ..., "kind": ..., "v2_id": "22199", "v3_id": ..., ...}, ...]}
V2 ids are written as strings so no reader rounds a 19-digit id.
"""
import csv
import datetime as _dt
import io
import json
import os
from pathlib import Path

from .v3.errors import InvalidInputError
from .xref_cache import KINDS, XrefEntry

FORMAT_NAME = "ctct-xref-mapping"
FORMAT_VERSION = 1
COLUMNS = ("account", "kind", "v2_id", "v3_id", "campaign_activity_id", "checked_at")


def _format_for(target, format):
    if format:
        if format not in ("csv", "json"):
            raise InvalidInputError(f"mapping format must be csv or json, not {format!r}")
        return format
    name = str(target) if isinstance(target, (str, os.PathLike)) else getattr(target, "name", "")
    return "json" if str(name).lower().endswith(".json") else "csv"


def _iso(epoch):
    if not epoch:
        return ""
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(text, where):
    if text in (None, ""):
        return 0.0
    if isinstance(text, (int, float)):
        return float(text)
    try:
        return _dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc).timestamp()
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise InvalidInputError(f"{where}: checked_at {text!r} is not an ISO-8601 UTC time") from None


def _rows(cache, account, kind, include_unmapped):
    for acct, entry in cache.entries(account, kind):
        if entry.mapped or include_unmapped:
            yield {"account": acct, "kind": entry.kind, "v2_id": str(entry.v2_id), "v3_id": entry.v3_id or "",
                   "campaign_activity_id": entry.campaign_activity_id or "", "checked_at": _iso(entry.checked_at)}


def export_mapping(cache, dest, *, format=None, account=None, kind=None, include_unmapped=True):
    """Write the cache's entries (of one account and kind, or all) to `dest`, a path or a
    text file object. A path is written atomically. Returns the number of entries."""
    fmt = _format_for(dest, format)
    rows = list(_rows(cache, account, kind, include_unmapped))
    buffer = io.StringIO()
    if fmt == "csv":
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            for key in ("v3_id", "campaign_activity_id", "checked_at"):
                row[key] = row[key] or None
        doc = {"format": FORMAT_NAME, "version": FORMAT_VERSION,
               "exported_at": _iso(_dt.datetime.now(_dt.timezone.utc).timestamp()), "xrefs": rows}
        json.dump(doc, buffer, indent=1)
        buffer.write("\n")
    if isinstance(dest, (str, os.PathLike)):
        path = Path(dest)
        tmp = path.with_name(f".{path.name}.partial")
        tmp.write_text(buffer.getvalue(), encoding="utf-8")
        os.replace(tmp, path)
    else:
        dest.write(buffer.getvalue())
    return len(rows)


def _read_rows(src, fmt):
    if isinstance(src, (str, os.PathLike)):
        try:
            text = Path(src).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise InvalidInputError(f"cannot read {src}: {exc.strerror}") from None
    else:
        text = src.read()
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        missing = {"kind", "v2_id", "v3_id"} - set(reader.fieldnames or ())
        if missing:
            raise InvalidInputError(f"mapping CSV lacks the column(s) {', '.join(sorted(missing))}")
        return [(f"row {n}", row) for n, row in enumerate(reader, start=2)]
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InvalidInputError(f"mapping JSON is malformed: {exc}") from None
    if isinstance(doc, dict):
        if doc.get("format") not in (None, FORMAT_NAME):
            raise InvalidInputError(f"not a ctct xref mapping (format {doc.get('format')!r})")
        doc = doc.get("xrefs")
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise InvalidInputError("mapping JSON must hold a list of xref objects under \"xrefs\"")
    return [(f"xref {n}", row) for n, row in enumerate(doc, start=1)]


def import_mapping(cache, src, *, format=None, account=None):
    """Load a mapping into the cache, in one transaction; returns the number of entries.

    account: put every row under this account (rows naming another one are refused);
    None: each row goes to the account it names.
    """
    fmt = _format_for(src, format)
    by_account = {}
    for where, row in _read_rows(src, fmt):
        named = (row.get("account") or "").strip() or None
        if account is not None and named is not None and named != account:
            raise InvalidInputError(f"{where}: the mapping belongs to account {named!r}, not {account!r}")
        target = account or named
        if target is None:
            raise InvalidInputError(f"{where}: no account named (export it with ctct, or import through a resolver)")
        by_account.setdefault(target, []).append(_entry(row, where))
    count = 0
    for target, entries in by_account.items():
        cache.put(target, entries)
        count += len(entries)
    return count


def _entry(row, where):
    kind = (row.get("kind") or "").strip()
    if kind not in KINDS:
        raise InvalidInputError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    v2_text = str(row.get("v2_id") if row.get("v2_id") is not None else "").strip()
    if not v2_text.isdigit() or len(v2_text) > 19:
        raise InvalidInputError(f"{where}: v2_id {v2_text!r} is not a V2 id")
    v3 = (row.get("v3_id") or "").strip() or None
    activity = (row.get("campaign_activity_id") or "").strip() or None
    return XrefEntry(kind, int(v2_text), v3, activity, _epoch(row.get("checked_at"), where))
