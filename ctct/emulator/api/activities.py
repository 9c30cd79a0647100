"""Emulated V3 area: bulk activities and contact exports.

Endpoints (all POSTs answer 201 with the queued activity, 429 past 1,000 queued ones):
  POST /activities/contacts_json_import    {import_data: [<= 40,000 rows], list_ids: [1..50]}
  POST /activities/contacts_file_import    multipart: file (.csv with a header), list_ids (csv)
  POST /activities/add_list_memberships    {source: {...}, list_ids: [1..50], exclude?}
  POST /activities/remove_list_memberships {source: {...}, list_ids: [1..50], exclude?}
  POST /activities/contact_delete          {contact_ids: [<= 500]} | {list_ids: [<= 50]}
  POST /activities/list_delete             {list_ids: [1..100]}
  POST /activities/contact_exports         {contact_ids | list_ids | tag_ids | status ..., fields?}
  GET  /contact_exports/{file_export_id}   text/csv, once the export activity completed
  GET  /activities?state=&limit=           the last 10 days
  GET  /activities/{activity_id}
Requests are validated when posted (400/415, nothing queued); the work runs as a job
(`ctct.emulator.jobs`) and changes the account through the contacts and lists areas'
helpers when the job completes. Bad import rows do not fail the job: each becomes one
`activity_errors` string naming its line, and is counted in the status.

Seed key "activities" (order 40) records finished activities, e.g.
  {"kind": "contacts_json_import", "state": "completed", "created_at": "2024-05-01T10:00:00.000Z",
   "started_at": ..., "completed_at": ..., "status": {"items_total_count": 3, "person_count": 2, ...},
   "activity_errors": ["Line 3: invalid email address 'x@'"], "source_file_name": "a.csv",
   "v2_id": 7, "activity_id": "<uuid, optional>", "csv": "<export file text, contact_exports only>"}
`state` is one of completed, failed, cancelled, timed_out. An item with a "request" (a POST
body for its kind) instead is validated and queued like the API would.
"""
import csv
import datetime as _dt
import io
import json

from .. import jobs
from ..bulk_export import (DEFAULT_FIELDS, NEEDS_EMAIL, STANDARD_FIELDS, STATUSES, CsvWriter,
                           is_new_subscriber, matches_status)
from ..bulk_import import RowMapper, RowProblem
from ..http import ApiError, Response, bad_request, not_found, route, standard_error
from ..jobs import JobKind, JobResult, create_activity as _queue, register_kind, render_activity
from ..multipart import MultipartError, parse as parse_multipart
from ..seeding import seeder
from ..store import new_id, now_iso
from . import contacts as contacts_area
from . import lists as lists_area

MAX_IMPORT_ROWS = 40_000  # contacts_json_import rows; file import: lines including the header
MAX_IMPORT_BYTES = 4 * 1024 * 1024
MAX_LISTS = 50
MAX_CONTACT_IDS = 500
MAX_LIST_DELETE = 100
MAX_LISTS_PER_CONTACT = 50
ACTIVITY_DAYS = 10
SMS_PERMISSIONS = ("explicit", "not_set")
LIST_STATES = ("processing", "completed", "cancelled", "failed", "timed_out")


def create_activity(store, kind, payload, *, emulator=None):
    """Queue an activity of `kind` ("list_delete", ...) with an already validated payload.

    The contact lists area calls this for `DELETE /contact_lists/{id}` (kind "list_delete",
    payload {"list_ids": [id]}). Returns the stored activity; `render_activity` gives its body.
    """
    return _queue(store, kind, payload, emulator=emulator)


# -- request validation helpers -------------------------------------------------------------


def _only_keys(obj, allowed, where="the request body"):
    unknown = sorted(set(obj) - set(allowed))
    if unknown:
        raise bad_request(f"Unknown field(s) in {where}: {', '.join(unknown)}.")


def _id_list(value, name, maximum, *, minimum=0):
    """A de-duplicated list of id strings, or 400."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise bad_request(f"{name} must be an array of id strings.")
    ids = list(dict.fromkeys(v.strip() for v in value))
    if len(ids) > maximum:
        raise bad_request(f"{name} accepts at most {maximum} ids; {len(ids)} were given.")
    if len(ids) < minimum:
        raise bad_request(f"{name} must contain at least {minimum} id{'s' if minimum > 1 else ''}.")
    return ids


def _existing_lists(store, ids, name="list_ids"):
    missing = [i for i in ids if i not in store.contact_lists]
    if missing:
        raise bad_request(f"{name} contains list ids that do not exist: {', '.join(missing[:5])}.")
    return ids


def _created(request, activity):
    return Response(201, render_activity(activity, request.emulator.api_root))


def _queue_from_request(request, kind, payload, source_file_name=None):
    activity = jobs.create_activity(request.state, kind, payload, emulator=request.emulator)
    if source_file_name:
        activity["source_file_name"] = source_file_name
    return _created(request, activity)


# -- contacts_json_import -------------------------------------------------------------------


def validate_json_import(store, body, body_size=0):
    _only_keys(body, ("import_data", "list_ids", "sms_permission_to_send"))
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
    if "list_ids" not in body:
        raise bad_request("list_ids is required.")
    list_ids = _existing_lists(store, _id_list(body["list_ids"], "list_ids", MAX_LISTS, minimum=1))
    sms = body.get("sms_permission_to_send")
    if sms is not None and sms not in SMS_PERMISSIONS:
        raise bad_request("sms_permission_to_send must be explicit or not_set.")
    notes = []
    if body_size > MAX_IMPORT_BYTES:
        # V3 imports the contacts in the first 4 MB and drops the rest
        kept, used = 0, len('{"import_data":[]}') + len(json.dumps(list_ids)) + 16
        for row in rows:
            used += len(json.dumps(row, separators=(",", ":"))) + 1
            if used > MAX_IMPORT_BYTES:
                break
            kept += 1
        dropped = len(rows) - kept
        rows = rows[:kept]
        notes.append(f"import_data[{kept}] and the {dropped:,} contacts after it were not imported: "
                     f"the request exceeds the 4 MB limit.")
    return {"rows": rows, "list_ids": list_ids, "sms_permission_to_send": sms, "notes": notes}


@route("POST", "/activities/contacts_json_import")
def post_json_import(request):
    payload = validate_json_import(request.state, request.json_object(), len(request.body))
    return _queue_from_request(request, "contacts_json_import", payload)


# -- contacts_file_import -------------------------------------------------------------------


def _decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def validate_file_import(store, parts):
    """Payload for a file import from its multipart parts; 415/400 as V3 answers them."""
    by_name = {}
    for part in parts:
        by_name.setdefault(part.name, part)
    unknown = sorted(set(by_name) - {"file", "list_ids", "sms_permission_to_send"})
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
    list_ids = _existing_lists(store, _id_list(raw_ids, "list_ids", MAX_LISTS, minimum=1))
    sms = by_name["sms_permission_to_send"].text().strip() if "sms_permission_to_send" in by_name else None
    if sms is not None and sms not in SMS_PERMISSIONS:
        raise bad_request("sms_permission_to_send must be explicit or not_set.")

    data = file_part.data
    notes = []
    if len(data) > MAX_IMPORT_BYTES:
        cut = data.rfind(b"\n", 0, MAX_IMPORT_BYTES)
        data = data[:cut + 1] if cut >= 0 else data[:MAX_IMPORT_BYTES]
        notes.append("The file exceeds the 4 MB limit: the contacts after the first 4 MB were not imported.")
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    header = None
    rows, lines = [], []
    dropped_from = None
    dropped = 0
    for cells in reader:
        if header is None:
            if not any(c.strip() for c in cells):
                continue
            header = [_column_name(c) for c in cells]
            if "email" not in header and "sms_number" not in header:
                raise bad_request("The CSV file's header must include an email or sms_number column.")
            continue
        if not any(c.strip() for c in cells):
            continue
        if reader.line_num > MAX_IMPORT_ROWS:
            # V3: lines past the 40,000th (header included) are not processed
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
    return {"header": header, "rows": rows, "lines": lines, "list_ids": list_ids,
            "sms_permission_to_send": sms, "notes": notes, "file_name": filename or "import.csv"}


def _column_name(cell):
    name = cell.strip()
    if name[:3].lower() == "cf:":
        return "cf:" + name[3:].strip()
    return name.lower()


@route("POST", "/activities/contacts_file_import")
def post_file_import(request):
    content_type = request.headers.get("Content-Type") or ""
    if request.content_type != "multipart/form-data":
        raise standard_error(415)
    try:
        parts = parse_multipart(request.body, content_type)
    except MultipartError as err:
        raise bad_request(f"The multipart/form-data body is malformed: {err}.") from None
    payload = validate_file_import(request.state, parts)
    return _queue_from_request(request, "contacts_file_import", payload, payload["file_name"])


# -- running imports ------------------------------------------------------------------------


IMPORT_STATUS = ("items_total_count", "person_count", "error_count", "correctable_count", "cannot_add_to_list_count")


def _import_initial(payload):
    count = len(payload.get("rows") or [])
    return {"items_total_count": count + 1, "person_count": count, "error_count": 0,
            "correctable_count": 0, "cannot_add_to_list_count": 0}


def _import_progress(store, payload, fraction):
    return _import_initial(payload)


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
            line = lines[index]
            where = f"Line {line}"
            cells = row
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                error_count += 1
                errors.append(f"{where}: the row has more values ({len(cells)}) than the header has columns ({len(header)})")
                continue
            row = dict(zip(header, cells))
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
            if existing is not None and not existing.get("deleted_at") and \
                    (existing.get("email_address") or {}).get("permission_to_send") == "unsubscribed":
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


for _name in ("contacts_json_import", "contacts_file_import"):
    register_kind(JobKind(_name, run_import, _import_initial, _import_progress, IMPORT_STATUS))


# -- list memberships -----------------------------------------------------------------------


SOURCE_KEYS = ("contact_ids", "list_ids", "all_active_contacts", "segment_id", "tag_ids", "engagement_level")
MEMBERSHIP_STATUS = ("items_total_count", "items_completed_count", "list_count")


def validate_membership(store, body):
    _only_keys(body, ("source", "list_ids", "exclude"))
    source = body.get("source")
    if source is None:
        raise bad_request("source is required.")
    if not isinstance(source, dict):
        raise bad_request("source must be an object.")
    _only_keys(source, SOURCE_KEYS, "source")
    if "all_active_contacts" in source and not isinstance(source["all_active_contacts"], bool):
        raise bad_request("source.all_active_contacts must be true or false.")
    chosen = [k for k in SOURCE_KEYS if k in source and source[k] not in (None, False)]
    if len(chosen) != 1:
        raise bad_request("source must specify exactly one of: " + ", ".join(SOURCE_KEYS) + ".")
    kind = chosen[0]
    value = source[kind]
    if kind == "contact_ids":
        value = _id_list(value, "source.contact_ids", MAX_CONTACT_IDS, minimum=1)
    elif kind == "list_ids":
        value = _existing_lists(store, _id_list(value, "source.list_ids", MAX_LISTS, minimum=1), "source.list_ids")
    elif kind == "tag_ids":
        value = _id_list(value, "source.tag_ids", MAX_LISTS, minimum=1)
    elif kind == "segment_id":
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad_request("source.segment_id must be an integer.")
        raise bad_request(f"source.segment_id {value} does not exist.")
    elif kind == "engagement_level":
        raise bad_request("source.engagement_level is not available in this account.")
    if "list_ids" not in body:
        raise bad_request("list_ids is required.")
    list_ids = _existing_lists(store, _id_list(body["list_ids"], "list_ids", MAX_LISTS, minimum=1))
    exclude = _exclude(body.get("exclude"), allowed=kind in ("list_ids", "all_active_contacts"))
    return {"source": {kind: value}, "list_ids": list_ids, "exclude": exclude}


def _exclude(exclude, allowed, maximum=None):
    if exclude is None:
        return []
    if not isinstance(exclude, dict):
        raise bad_request("exclude must be an object.")
    _only_keys(exclude, ("contact_ids",), "exclude")
    if not allowed:
        raise bad_request("exclude applies only when the source is list_ids or all_active_contacts.")
    return _id_list(exclude.get("contact_ids", []), "exclude.contact_ids", maximum or 10**6)


def _is_active(contact):
    return not contact.get("deleted_at") and \
        (contact.get("email_address") or {}).get("permission_to_send") != "unsubscribed"


def resolve_source(store, source, exclude=()):
    """The contact ids a membership source names, in a stable order, without `exclude`."""
    kind, value = next(iter(source.items()))
    if kind == "contact_ids":
        ids = list(value)
    elif kind == "list_ids":
        ids = []
        for list_id in value:
            if list_id in store.contact_lists:
                ids.extend(contacts_area.list_member_ids(store, list_id))
    elif kind == "all_active_contacts":
        ids = [c["contact_id"] for c in store.contacts.values() if _is_active(c)]
    elif kind == "tag_ids":
        wanted = set(value)
        ids = [c["contact_id"] for c in store.contacts.values()
               if not c.get("deleted_at") and wanted.intersection(c.get("taggings") or ())]
    else:
        ids = []
    ids = list(dict.fromkeys(ids))
    if exclude:
        skip = set(exclude)
        ids = [i for i in ids if i not in skip]
    return ids


def _membership_initial(payload):
    return {"items_total_count": 0, "items_completed_count": 0, "list_count": len(payload["list_ids"])}


def _membership_progress(store, payload, fraction):
    total = len(resolve_source(store, payload["source"], payload.get("exclude")))
    return {"items_total_count": total, "items_completed_count": int(total * fraction),
            "list_count": len(payload["list_ids"])}


def _run_membership(store, payload, adding):
    targets = [i for i in payload["list_ids"] if i in store.contact_lists]
    ids = resolve_source(store, payload["source"], payload.get("exclude"))
    by_contact_ids = "contact_ids" in payload["source"]
    errors = []
    done = 0
    for contact_id in ids:
        contact = store.contacts.get(contact_id)
        if contact is None or contact.get("deleted_at"):
            errors.append(f"contact_id {contact_id} was not found.")
            continue
        if adding:
            if (contact.get("email_address") or {}).get("permission_to_send") == "unsubscribed":
                if by_contact_ids:
                    errors.append(f"contact_id {contact_id} is unsubscribed and cannot be added to lists.")
                continue
            current = set(contact.get("list_memberships") or ())
            if len(current.union(targets)) > MAX_LISTS_PER_CONTACT:
                errors.append(f"contact_id {contact_id} would be on more than {MAX_LISTS_PER_CONTACT} lists.")
                continue
            contacts_area.set_memberships(store, contact_id, add=targets)
        else:
            contacts_area.set_memberships(store, contact_id, remove=targets)
        done += 1
    status = {"items_total_count": len(ids), "items_completed_count": done, "list_count": len(payload["list_ids"])}
    return JobResult(status, errors)


register_kind(JobKind("add_list_memberships", lambda s, p: _run_membership(s, p, True),
                      _membership_initial, _membership_progress, MEMBERSHIP_STATUS))
register_kind(JobKind("remove_list_memberships", lambda s, p: _run_membership(s, p, False),
                      _membership_initial, _membership_progress, MEMBERSHIP_STATUS))


@route("POST", "/activities/add_list_memberships")
def post_add_memberships(request):
    payload = validate_membership(request.state, request.json_object())
    return _queue_from_request(request, "add_list_memberships", payload)


@route("POST", "/activities/remove_list_memberships")
def post_remove_memberships(request):
    payload = validate_membership(request.state, request.json_object())
    return _queue_from_request(request, "remove_list_memberships", payload)


# -- contact_delete -------------------------------------------------------------------------


DELETE_STATUS = ("items_total_count", "items_completed_count", "list_count")


def validate_contact_delete(store, body):
    _only_keys(body, ("contact_ids", "list_ids"))
    given = [k for k in ("contact_ids", "list_ids") if body.get(k) is not None]
    if len(given) != 1:
        raise bad_request("Specify either contact_ids or list_ids (exactly one of them).")
    if given[0] == "contact_ids":
        return {"contact_ids": _id_list(body["contact_ids"], "contact_ids", MAX_CONTACT_IDS, minimum=1)}
    return {"list_ids": _existing_lists(store, _id_list(body["list_ids"], "list_ids", MAX_LISTS, minimum=1))}


def _delete_targets(store, payload):
    if "contact_ids" in payload:
        return list(payload["contact_ids"])
    return resolve_source(store, {"list_ids": payload["list_ids"]})


def _delete_initial(payload):
    return {"items_total_count": len(payload.get("contact_ids") or ()), "items_completed_count": 0,
            "list_count": len(payload.get("list_ids") or ())}


def _delete_progress(store, payload, fraction):
    total = len(_delete_targets(store, payload))
    return {"items_total_count": total, "items_completed_count": int(total * fraction),
            "list_count": len(payload.get("list_ids") or ())}


def run_contact_delete(store, payload):
    ids = _delete_targets(store, payload)
    errors = []
    done = 0
    for contact_id in ids:
        contact = store.contacts.get(contact_id)
        if contact is None:
            errors.append(f"contact_id {contact_id} was not found.")
            continue
        if not contact.get("deleted_at"):
            contacts_area.delete_contact(store, contact_id)
        done += 1
    status = {"items_total_count": len(ids), "items_completed_count": done,
              "list_count": len(payload.get("list_ids") or ())}
    return JobResult(status, errors)


register_kind(JobKind("contact_delete", run_contact_delete, _delete_initial, _delete_progress, DELETE_STATUS))


@route("POST", "/activities/contact_delete")
def post_contact_delete(request):
    payload = validate_contact_delete(request.state, request.json_object())
    return _queue_from_request(request, "contact_delete", payload)


# -- list_delete ----------------------------------------------------------------------------


def validate_list_delete(store, body):
    _only_keys(body, ("list_ids",))
    if "list_ids" not in body:
        raise bad_request("list_ids is required.")
    return {"list_ids": _existing_lists(store, _id_list(body["list_ids"], "list_ids", MAX_LIST_DELETE, minimum=1))}


def run_list_delete(store, payload):
    for list_id in payload["list_ids"]:
        # a list already gone (deleted since the request was accepted) counts as deleted
        if list_id in store.contact_lists:
            lists_area.delete_list(store, list_id)
    return JobResult({"list_count": len(payload["list_ids"])})


register_kind(JobKind(
    "list_delete", run_list_delete,
    lambda p: {"list_count": 0},
    lambda s, p, fraction: {"list_count": int(len(p["list_ids"]) * fraction)},
    ("list_count",)))


@route("POST", "/activities/list_delete")
def post_list_delete(request):
    payload = validate_list_delete(request.state, request.json_object())
    return _queue_from_request(request, "list_delete", payload)


# -- contact_exports ------------------------------------------------------------------------


EXPORT_KEYS = ("contact_ids", "list_ids", "tag_ids", "segment_id", "new_subscriber", "status", "exclude", "fields")
# which row filters each filter may be combined with (V3's "mutually exclusive except ...")
EXPORT_COMBINES = {
    "contact_ids": {"status"},
    "list_ids": {"status", "exclude", "new_subscriber"},
    "tag_ids": set(),
    "segment_id": set(),
    "new_subscriber": {"list_ids", "exclude"},
    "status": {"contact_ids", "list_ids"},
    "exclude": {"list_ids", "new_subscriber"},
}
EXPORT_STATUS = ("items_total_count", "items_completed_count")


def validate_export(store, body):
    _only_keys(body, EXPORT_KEYS)
    payload = {}
    if body.get("contact_ids") is not None:
        payload["contact_ids"] = _id_list(body["contact_ids"], "contact_ids", MAX_CONTACT_IDS, minimum=1)
    if body.get("list_ids") is not None:
        payload["list_ids"] = _existing_lists(store, _id_list(body["list_ids"], "list_ids", MAX_LISTS, minimum=1))
    if body.get("tag_ids") is not None:
        payload["tag_ids"] = _id_list(body["tag_ids"], "tag_ids", MAX_LISTS, minimum=1)
    if body.get("segment_id") is not None:
        value = body["segment_id"]
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad_request("segment_id must be an integer.")
        raise bad_request(f"segment_id {value} does not exist.")
    new_subscriber = body.get("new_subscriber")
    if new_subscriber is not None and not isinstance(new_subscriber, bool):
        raise bad_request("new_subscriber must be true or false.")
    if new_subscriber:
        payload["new_subscriber"] = True
    status = body.get("status")
    if status is not None:
        if status not in STATUSES:
            raise bad_request(f"status must be one of: {', '.join(STATUSES[:3])}.")
        payload["status"] = status
    if body.get("exclude") is not None:
        payload["exclude"] = _exclude(body["exclude"], allowed=True, maximum=MAX_LISTS)
    present = [k for k in EXPORT_COMBINES if k in payload]
    for a in present:
        for b in present:
            if a != b and not (b in EXPORT_COMBINES[a] and a in EXPORT_COMBINES[b]):
                raise bad_request(f"{a} cannot be combined with {b}.")
    payload["fields"] = _export_fields(store, body.get("fields"))
    return payload


def _export_fields(store, fields):
    custom_names = [f.get("name") for f in store.custom_fields.values() if f.get("name")]
    if fields is None:
        return list(DEFAULT_FIELDS) + [f"cf:{name}" for name in custom_names]
    known_custom = {name.lower() for name in custom_names}
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise bad_request("fields must be a non-empty array of field names.")
    fields = list(dict.fromkeys(fields))
    for name in fields:
        if name.startswith("cf:"):
            if name[3:].lower() not in known_custom:
                raise bad_request(f"fields: custom field '{name[3:]}' does not exist.")
        elif name not in STANDARD_FIELDS:
            raise bad_request(f"fields: '{name}' is not an exportable contact field.")
    if "email_address" not in fields:
        needing = [f for f in fields if f in NEEDS_EMAIL]
        if needing:
            raise bad_request(f"Exporting {', '.join(needing)} requires email_address in fields.")
    return fields


def select_export(store, payload):
    """The contacts an export covers, in account order."""
    status = payload.get("status")
    if "contact_ids" in payload:
        found = (store.contacts.get(i) for i in payload["contact_ids"])
        contacts = [c for c in found if c is not None]
        if status is None:
            return contacts
    elif "list_ids" in payload:
        contacts = [store.contacts.get(i) for i in resolve_source(store, {"list_ids": payload["list_ids"]})]
        contacts = [c for c in contacts if c is not None]
    elif "tag_ids" in payload:
        contacts = [store.contacts.get(i) for i in resolve_source(store, {"tag_ids": payload["tag_ids"]})]
    else:
        contacts = store.contacts.values()
    excluded = set(payload.get("exclude") or ())
    now = _dt.datetime.now(_dt.timezone.utc)
    new_only = payload.get("new_subscriber")
    return [c for c in contacts
            if c["contact_id"] not in excluded and matches_status(c, status)
            and (not new_only or is_new_subscriber(c, now))]


def _export_progress(store, payload, fraction):
    total = len(select_export(store, payload))
    return {"items_total_count": total, "items_completed_count": int(total * fraction)}


def run_export(store, payload):
    contacts = select_export(store, payload)
    list_names = {lst["list_id"]: lst.get("name", "") for lst in store.contact_lists.values()}
    text = CsvWriter(payload["fields"], store.custom_fields.values(), list_names).render(contacts)
    return JobResult({"items_total_count": len(contacts), "items_completed_count": len(contacts)}, output=text)


def keep_export_file(store, activity, text):
    """The export file is addressed by the activity id (`GET /contact_exports/{activity_id}`)."""
    store.exports.add({"file_export_id": activity["activity_id"], "activity_id": activity["activity_id"],
                       "created_at": activity["completed_at"], "content_type": "text/csv", "csv": text})


register_kind(JobKind("contact_exports", run_export,
                      lambda p: {"items_total_count": 0, "items_completed_count": 0},
                      _export_progress, EXPORT_STATUS,
                      results_link=lambda a: f"/contact_exports/{a['activity_id']}",
                      keep_output=keep_export_file))


@route("POST", "/activities/contact_exports")
def post_contact_export(request):
    body = request.json(required=False)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    payload = validate_export(request.state, body)
    return _queue_from_request(request, "contact_exports", payload)


@route("GET", "/contact_exports/{file_export_id}")
def get_contact_export(request):
    export_id = request.params["file_export_id"]
    export = request.state.exports.get(export_id)
    if export is None:
        activity = request.state.activities.get(export_id)
        if activity is not None and activity.get("_kind") == "contact_exports" and activity["state"] in jobs.PENDING_STATES:
            raise not_found("The export file is not ready yet: poll the activity until its state is completed.")
        raise not_found("No exported file was found for this file_export_id.")
    return Response(200, export.get("csv", ""), content_type="text/csv")


# -- reading activities ---------------------------------------------------------------------


@route("GET", "/activities/{activity_id}")
def get_activity(request):
    store = request.state
    activity = store.activities.get(request.params["activity_id"])
    if activity is None:
        raise not_found("Resource not found for the activity_id provided.")
    jobs.advance(store, activity, jobs.steps_of(request.emulator))
    return render_activity(activity, request.emulator.api_root)


@route("GET", "/activities")
def list_activities(request):
    from ..paging import page_of

    store = request.state
    state = request.arg("state")
    if state is not None and state not in LIST_STATES:
        raise bad_request(f"state must be one of: {', '.join(LIST_STATES)}.")
    limit = request.int_arg("limit", 50, minimum=1, maximum=500)
    steps = jobs.steps_of(request.emulator)
    for activity_id in list(jobs.queue_of(store)):
        activity = store.activities.get(activity_id)
        if activity is not None:
            jobs.advance(store, activity, steps)
    cutoff = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(days=ACTIVITY_DAYS)

    def recent(activity):
        if state is not None and activity["state"] != state:
            return False
        created = jobs.parse_time(activity.get("created_at"))
        return created is None or created >= cutoff

    api_root = request.emulator.api_root
    return page_of(request, store.activities, "activities", limit=limit, match=recent,
                   render=lambda a: render_activity(a, api_root))


# -- seeding --------------------------------------------------------------------------------


VALIDATORS = {
    "contacts_json_import": lambda store, body: validate_json_import(store, body),
    "add_list_memberships": validate_membership,
    "remove_list_memberships": validate_membership,
    "contact_delete": validate_contact_delete,
    "list_delete": validate_list_delete,
    "contact_exports": validate_export,
}
SEED_KEYS = {"kind", "state", "created_at", "updated_at", "started_at", "completed_at", "status",
             "activity_errors", "percent_done", "source_file_name", "v2_id", "activity_id", "csv", "request"}


@seeder("activities", 40)
def seed_activities(store, items):
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"activities[{position}] must be an object")
        unknown = set(item) - SEED_KEYS
        if unknown:
            raise ValueError(f"activities[{position}]: unknown keys {sorted(unknown)}")
        kind = item.get("kind")
        if kind not in jobs.KINDS:
            raise ValueError(f"activities[{position}]: kind must be one of {sorted(jobs.KINDS)}")
        if "request" in item:
            if kind not in VALIDATORS:
                raise ValueError(f"activities[{position}]: a {kind} cannot be seeded from a request")
            activity = jobs.create_activity(store, kind, VALIDATORS[kind](store, item["request"]))
            continue
        state = item.get("state", "completed")
        if state not in jobs.FINAL_STATES:
            raise ValueError(f"activities[{position}]: state must be one of {list(jobs.FINAL_STATES)} "
                             f"(give a 'request' to queue a pending one)")
        created = item.get("created_at") or now_iso()
        completed = item.get("completed_at") or created
        status = item.get("status") or {}
        if not isinstance(status, dict) or not all(isinstance(v, int) for v in status.values()):
            raise ValueError(f"activities[{position}]: status must map count names to integers")
        errors = item.get("activity_errors") or []
        if not isinstance(errors, list):
            raise ValueError(f"activities[{position}]: activity_errors must be a list of strings")
        activity = {
            "activity_id": item.get("activity_id") or new_id(),
            "state": state,
            "created_at": created,
            "started_at": item.get("started_at") or created,
            "completed_at": completed,
            "updated_at": item.get("updated_at") or completed,
            "percent_done": int(item.get("percent_done", 100)),
            "activity_errors": [e if isinstance(e, str) else str(e.get("message", e)) if isinstance(e, dict) else str(e)
                                for e in errors],
            "status": dict(status),
            "_kind": kind,
            "_private": {"kind": kind, "payload": None, "reads": 0},
        }
        if item.get("source_file_name"):
            activity["source_file_name"] = item["source_file_name"]
        store.activities.add(activity, item.get("v2_id"))
        if kind == "contact_exports" and state == "completed":
            store.exports.add({"file_export_id": activity["activity_id"], "activity_id": activity["activity_id"],
                               "created_at": completed, "content_type": "text/csv",
                               "csv": item.get("csv") or "email_address\r\n"})


__all__ = ["create_activity", "render_activity", "validate_json_import", "validate_file_import",
           "validate_membership", "validate_contact_delete", "validate_list_delete", "validate_export",
           "resolve_source", "select_export"]
