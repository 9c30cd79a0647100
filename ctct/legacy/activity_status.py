"""V3 activities read as the 2009 Activity dicts.

- status: initialized -> "PENDING", processing -> "RUNNING", completed -> "COMPLETE",
  failed / cancelled / timed_out -> "ERROR" (the 2009 words; V2 also had UNCONFIRMED and
  QUEUED, which V3 folds into initialized).
- type: V3 activities do not say which legacy type they were. An activity created through
  this connection reports the type its caller asked for; any other is inferred: an export
  (its results link names a contact export) is "EXPORT_CONTACTS", an import (it has a
  source file name or a person count) is "ADD_CONTACTS", and anything else (list
  membership, deletion and tag activities, which have no single 2009 equivalent) is None.
- errors: [{'line_number', 'email_address', 'message'}] from V3's activity_errors strings.
  A line number written in the message ("Line 3: ...", "import_data[1]") is mapped back to
  the caller's line (the column row is line 1, the first contact line 2, across all the
  parts of a split import); the email address is the one in the message or, failing that,
  the one on that line of the caller's data. Values are strings, as the 2009 client's were.
- transaction_count: the import's person_count, otherwise status.items_total_count (string).
- file_name: the import's source_file_name, or an export's results URL.
- run_start_time, run_finish_time, insert_time, updated: started_at, completed_at,
  created_at, updated_at (legacy timestamp format).

An import ctct split into several V3 activities (see activities.py) reads as one activity:
the first part's id, the least advanced status of its parts (ERROR if any failed), every
part's errors, the summed counts, the earliest start and, once all are done, the latest
finish.
"""
import re

from . import shapes, timestamps

STATUS_WORDS = {
    "initialized": "PENDING",
    "processing": "RUNNING",
    "completed": "COMPLETE",
    "failed": "ERROR",
    "cancelled": "ERROR",
    "timed_out": "ERROR",
}
FINISHED = ("completed", "failed", "cancelled", "timed_out")

_LINE = re.compile(r"\b(?:line|row)(?:\s+number)?\s*[:#=]?\s*(\d+)", re.IGNORECASE)
_INDEX = re.compile(r"import_data\[(\d+)\]")
_CONTACT_ID = re.compile(r"contact_id\s+([0-9a-fA-F-]{8,})")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&*+/=?^_`{|}~'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def status_word(state):
    return STATUS_WORDS.get(state, (state or "").upper() or None)


def infer_type(activity):
    results = (((activity.get("_links") or {}).get("results") or {}).get("href") or "")
    if "contact_exports" in results:
        return "EXPORT_CONTACTS"
    status = activity.get("status") or {}
    if activity.get("source_file_name") or "person_count" in status:
        return "ADD_CONTACTS"
    return None


def legacy_activity(ctx, parts, record=None):
    """The legacy Activity dict for one V3 activity, or for the parts of one split import
    (`parts`: V3 activity bodies in order, the first one naming it)."""
    first = parts[0]
    states = [p.get("state") for p in parts]
    legacy_type = record.legacy_type if record else infer_type(first)
    errors = list(record.skipped) if record else []
    for index, part in enumerate(parts):
        offset = record.line_offsets[index] if record and index < len(record.line_offsets) else None
        errors.extend(parse_errors(part.get("activity_errors"), offset, record))
    errors.sort(key=lambda e: int(e["line_number"]) if (e["line_number"] or "").isdigit() else 10**12)
    started = [timestamps.parse(p.get("started_at")) for p in parts]
    started = [s for s in started if s]
    finished = [timestamps.parse(p.get("completed_at")) for p in parts]
    finished = [f for f in finished if f]
    created = [c for c in (timestamps.parse(p.get("created_at")) for p in parts) if c]
    updated = [u for u in (timestamps.parse(p.get("updated_at")) for p in parts) if u]
    all_done = all(s in FINISHED for s in states)
    return shapes.make(
        shapes.ACTIVITY,
        id=ctx.uri("activities", first.get("activity_id")),
        updated=timestamps.legacy(max(updated)) if updated else None,
        type=legacy_type,
        status=_combined_status(states),
        errors=errors,
        file_name=_file_name(ctx, first),
        transaction_count=_transactions(parts),
        run_start_time=timestamps.legacy(min(started)) if started else None,
        run_finish_time=timestamps.legacy(max(finished)) if (finished and all_done) else None,
        insert_time=timestamps.legacy(min(created)) if created else None,
    )


def _combined_status(states):
    words = [status_word(s) for s in states]
    if len(words) == 1:
        return words[0]
    if "ERROR" in words:
        return "ERROR"
    if all(w == "COMPLETE" for w in words):
        return "COMPLETE"
    if all(w == "PENDING" for w in words):
        return "PENDING"
    return "RUNNING"


def _transactions(parts):
    total = None
    for part in parts:
        status = part.get("status") or {}
        count = status.get("person_count")
        if count is None:
            count = status.get("items_total_count")
        if isinstance(count, int):
            total = (total or 0) + count
    return None if total is None else str(total)


def _file_name(ctx, activity):
    if activity.get("source_file_name"):
        return activity["source_file_name"]
    href = (((activity.get("_links") or {}).get("results") or {}).get("href"))
    return ctx.client.url_for(href) if href else None


def parse_errors(messages, line_offset=None, record=None):
    """Legacy error dicts for V3 activity_errors (strings, or {'message': ...} objects).

    line_offset: the caller's line number of the part's first data row (None: lines are
    reported as V3 wrote them). record: an ActivityRecord, to fill in addresses and lines.
    """
    errors = []
    for item in messages or []:
        message = item.get("message") if isinstance(item, dict) else item
        if message is None:
            continue
        message = str(message)
        line = _line_number(message, line_offset)
        email = None
        found = _EMAIL.search(message)
        if found:
            email = found.group(0)
        contact = _CONTACT_ID.search(message)
        if record is not None:
            if line is None and contact and contact.group(1).lower() in record.lines:
                line = record.lines[contact.group(1).lower()]
            if line is None and email and email.lower() in record.lines:
                line = record.lines[email.lower()]
            if email is None and line is not None:
                email = record.email_on_line(line)
        errors.append(shapes.make(
            shapes.ACTIVITY_ERROR,
            line_number=None if line is None else str(line),
            email_address=email,
            message=message,
        ))
    return errors


def _line_number(message, offset):
    index = _INDEX.search(message)
    if index:  # import_data[i] is exact: the part's i-th row
        position = int(index.group(1))
        return position + (offset if offset is not None else 2)
    line = _LINE.search(message)
    if not line:
        return None
    number = int(line.group(1))
    # V3 counts the part's own column row as line 1, like the caller's data
    return number if offset is None else offset + number - 2
