"""`contacts_json_import` and `contacts_file_import`: validating the request, running the import.

A request is checked when posted (400/415; nothing is queued when it fails). The job then
upserts every row through the contacts area (`upsert_contact`, sign-up form semantics: new
contacts get permission_to_send implicit and opt_in_source Account, existing ones a partial
update with the lists appended). A bad row never fails the job: it becomes one
`activity_errors` string naming its line and is counted as correctable or as an error.

Lines are numbered as in a file with a header: the first contact is line 2. A JSON import
names the row too: "Line 3 (import_data[1]): invalid email address 'x@'".

Limits (V3): at most 40,000 rows (JSON: 400 beyond; file: lines past the 40,000th, header
included, are not processed) and 4 MB (the contacts past the first 4 MB are dropped).
"""
import csv
import io
import json

from ..api import contacts as contacts_area
from ..http import ApiError, bad_request
from ..jobs import JobKind, JobResult, register_kind
from .common import MAX_LISTS, existing_lists, id_list, is_unsubscribed, only_keys, target_lists
from .rows import RowMapper, RowProblem

MAX_IMPORT_ROWS = 40_000
MAX_IMPORT_BYTES = 4 * 1024 * 1024
SMS_PERMISSIONS = ("explicit", "not_set")
FORM_FIELDS = ("file", "list_ids", "sms_permission_to_send")
STATUS_KEYS = ("items_total_count", "person_count", "error_count", "correctable_count", "cannot_add_to_list_count")


def _sms_permission(value):
    if value is not None and value not in SMS_PERMISSIONS:
        raise bad_request("sms_permission_to_send must be explicit or not_set.")
    return value


# -- contacts_json_import -------------------------------------------------------------------


def validate_json_import(store, body, body_size=0):
    """The job payload for a JSON import body; `body_size` (bytes) applies the 4 MB rule."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    only_keys(body, ("import_data", "list_ids", "sms_permission_to_send"))
    rows = body.get("import_data")
    if rows is None:
        raise bad_request("import_data is required.")
    if not isinstance(rows, list) or not rows:
        raise bad_request("import_data must be a non-empty array of contacts.")
    if len(rows) > MAX_IMPORT_ROWS:
        raise bad_request(f"import_data accepts at most {MAX_IMPORT_ROWS:,} contacts; {len(rows):,} were given.")
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise bad_request(f"import_data[{index}] must be an object.")
    list_ids = target_lists(store, body)
    sms = _sms_permission(body.get("sms_permission_to_send"))
    notes = []
    if body_size > MAX_IMPORT_BYTES:
        kept = _rows_within_limit(rows, list_ids)
        notes.append(f"import_data[{kept}] and the {len(rows) - kept:,} contacts after it were not imported: "
                     f"the request exceeds the 4 MB limit.")
        rows = rows[:kept]
    return {"rows": rows, "list_ids": list_ids, "sms_permission_to_send": sms, "notes": notes}


def _rows_within_limit(rows, list_ids):
    """How many leading rows fit in 4 MB of compact JSON (only measured for oversized bodies)."""
    used = len('{"import_data":[],"list_ids":}') + len(json.dumps(list_ids))
    for kept, row in enumerate(rows):
        used += len(json.dumps(row, separators=(",", ":"))) + 1
        if used > MAX_IMPORT_BYTES:
            return kept
    return len(rows)


# -- contacts_file_import -------------------------------------------------------------------


def validate_file_import(store, parts):
    """The job payload for a multipart file import (`parts` from `multipart.parse`)."""
    by_name = {}
    for part in parts:
        by_name.setdefault(part.name, part)
    unknown = sorted(set(by_name) - set(FORM_FIELDS))
    if unknown:
        raise bad_request(f"Unknown form field(s): {', '.join(unknown)}.")
    file_part = by_name.get("file")
    if file_part is None:
        raise bad_request("The file part (a CSV file) is required.")
    filename = file_part.filename or ""
    part_type = (file_part.content_type or "").split(";")[0].strip().lower()
    if not (filename.lower().endswith(".csv") or (not filename and part_type == "text/csv")):
        raise ApiError(415, "api.unsupported_media_type", "Wrong file format, upload file must be of type .csv")
    if "list_ids" not in by_name:
        raise bad_request("list_ids is required.")
    raw_ids = [v.strip() for v in by_name["list_ids"].text().split(",") if v.strip()]
    list_ids = existing_lists(store, id_list(raw_ids, "list_ids", MAX_LISTS, minimum=1), missing_status=404)
    sms_part = by_name.get("sms_permission_to_send")
    sms = _sms_permission(sms_part.text().strip() if sms_part is not None else None)
    payload = _read_csv(file_part.data)
    payload.update(list_ids=list_ids, sms_permission_to_send=sms, file_name=filename or "import.csv")
    return payload


def _read_csv(data):
    """{"header", "rows" (cell lists), "lines" (their line numbers), "notes"} from the file."""
    notes = []
    if len(data) > MAX_IMPORT_BYTES:
        cut = data.rfind(b"\n", 0, MAX_IMPORT_BYTES)
        data = data[:cut + 1] if cut >= 0 else data[:MAX_IMPORT_BYTES]
        notes.append("The file exceeds the 4 MB limit: the contacts after the first 4 MB were not imported.")
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    header = None
    rows, lines = [], []
    dropped_from, dropped = None, 0
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [_column_name(c) for c in cells]
            if "email" not in header and "sms_number" not in header:
                raise bad_request("The CSV file's header must include an email or sms_number column.")
            continue
        if reader.line_num > MAX_IMPORT_ROWS:
            if dropped_from is None:
                dropped_from = reader.line_num
            dropped += 1
            continue
        rows.append(cells)
        lines.append(reader.line_num)
    if header is None:
        raise bad_request("The CSV file is empty: a header row is required.")
    if not rows:
        raise bad_request("The CSV file has no contacts after its header row.")
    if dropped:
        notes.append(f"Lines {dropped_from:,} and later ({dropped:,} contacts) were not processed: "
                     f"a file may have at most {MAX_IMPORT_ROWS:,} lines including the header.")
    return {"header": header, "rows": rows, "lines": lines, "notes": notes}


def _decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _column_name(cell):
    """Header names are case-insensitive, except custom field names after `cf:`."""
    name = cell.strip()
    if name[:3].lower() == "cf:":
        return "cf:" + name[3:].strip()
    return name.lower()


# -- the job ----------------------------------------------------------------------------------


def _initial_status(payload):
    count = len(payload.get("rows") or [])
    return {"items_total_count": count + 1, "person_count": count, "error_count": 0,
            "correctable_count": 0, "cannot_add_to_list_count": 0}


def run_import(store, payload):
    mapper = RowMapper(store.custom_fields.values(), payload.get("sms_permission_to_send"))
    list_ids = [i for i in payload["list_ids"] if i in store.contact_lists]
    header = payload.get("header")
    lines = payload.get("lines")
    rows = payload["rows"]
    upsert = contacts_area.upsert_contact
    find = contacts_area.find_by_email
    errors = []
    error_count = correctable = cannot_add = 0
    for index, row in enumerate(rows):
        if header is not None:
            where = f"Line {lines[index]}"
            if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
                error_count += 1
                errors.append(f"{where}: the row has {len(row)} values but the header has {len(header)} columns")
                continue
            row = dict(zip(header, row))
        else:
            where = f"Line {index + 2} (import_data[{index}])"
        try:
            email, fields = mapper.map(row)
        except RowProblem as problem:
            if problem.correctable:
                correctable += 1
            else:
                error_count += 1
            errors.append(f"{where}: {problem}")
            continue
        targets = list_ids
        if email is not None:
            existing = find(store, email)
            if existing is not None and not existing.get("deleted_at") and is_unsubscribed(existing):
                cannot_add += 1  # V3 never adds a previously unsubscribed contact to a list
                targets = ()
        try:
            upsert(store, fields, targets, source="Account")
        except ApiError as err:
            error_count += 1
            errors.append(f"{where}: {err.error_message}")
    status = {"items_total_count": len(rows) + 1, "person_count": len(rows), "error_count": error_count,
              "correctable_count": correctable, "cannot_add_to_list_count": cannot_add}
    return JobResult(status, list(payload.get("notes") or []) + errors)


for _kind in ("contacts_json_import", "contacts_file_import"):
    register_kind(JobKind(_kind, run_import, _initial_status, lambda store, payload, fraction: _initial_status(payload),
                          STATUS_KEYS))
