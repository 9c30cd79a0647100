"""`contact_exports`: which contacts and columns to export, and the job that writes the CSV.

The finished file is stored in `store.exports` under the activity id, which is the
`file_export_id` of `GET /contact_exports/{file_export_id}` (`_links.results.href`).
"""
import datetime as _dt

from ..http import bad_request
from ..jobs import JobKind, JobResult, register_kind
from .common import MAX_CONTACT_IDS, MAX_LISTS, exclude_ids, id_list, only_keys, target_lists, unknown_segment
from .csv_export import DEFAULT_FIELDS, NEEDS_EMAIL, STANDARD_FIELDS, STATUSES, CsvWriter, is_new_subscriber, matches_status
from .memberships import resolve_source

BODY_KEYS = ("contact_ids", "list_ids", "tag_ids", "segment_id", "new_subscriber", "status", "exclude", "fields")
# which row filters each filter may be combined with (V3: "mutually exclusive with all other
# filtering criteria except ...")
COMBINES = {
    "contact_ids": {"status"},
    "list_ids": {"status", "exclude", "new_subscriber"},
    "tag_ids": set(),
    "new_subscriber": {"list_ids", "exclude"},
    "status": {"contact_ids", "list_ids"},
    "exclude": {"list_ids", "new_subscriber"},
}
STATUS_KEYS = ("items_total_count", "items_completed_count")


def validate_export(store, body):
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    only_keys(body, BODY_KEYS)
    payload = {}
    if body.get("contact_ids") is not None:
        payload["contact_ids"] = id_list(body["contact_ids"], "contact_ids", MAX_CONTACT_IDS, minimum=1)
    if body.get("list_ids") is not None:
        payload["list_ids"] = target_lists(store, body, missing_status=404)
    if body.get("tag_ids") is not None:
        payload["tag_ids"] = id_list(body["tag_ids"], "tag_ids", MAX_LISTS, minimum=1)
    if body.get("segment_id") is not None:
        raise unknown_segment(body["segment_id"])
    new_subscriber = body.get("new_subscriber")
    if new_subscriber is not None and not isinstance(new_subscriber, bool):
        raise bad_request("new_subscriber must be true or false.")
    if new_subscriber:
        payload["new_subscriber"] = True
    status = body.get("status")
    if status is not None:
        if not isinstance(status, str) or status not in STATUSES:
            raise bad_request("status must be one of: active, unsubscribed, removed.")
        payload["status"] = status
    if body.get("exclude") is not None:
        payload["exclude"] = exclude_ids(body["exclude"], allowed=True, maximum=MAX_LISTS)
    present = [k for k in COMBINES if k in payload]
    for a in present:
        for b in present:
            if a != b and not (b in COMBINES[a] and a in COMBINES[b]):
                raise bad_request(f"{a} cannot be combined with {b}.")
    payload["fields"] = export_fields(store, body.get("fields"))
    return payload


def export_fields(store, fields):
    """The CSV columns: `fields` checked, or every standard field and custom field."""
    custom_names = [f.get("name") for f in store.custom_fields.values() if f.get("name")]
    if fields is None:
        return list(DEFAULT_FIELDS) + [f"cf:{name}" for name in custom_names]
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise bad_request("fields must be a non-empty array of field names.")
    known_custom = {name.lower() for name in custom_names}
    fields = list(dict.fromkeys(fields))
    for name in fields:
        if name.startswith("cf:"):
            if name[3:].lower() not in known_custom:
                raise bad_request(f"fields: custom field '{name[3:]}' does not exist.")
        elif name not in STANDARD_FIELDS:
            raise bad_request(f"fields: '{name}' is not an exportable contact field.")
    needing = [f for f in fields if f in NEEDS_EMAIL]
    if needing and "email_address" not in fields:
        raise bad_request(f"Exporting {', '.join(needing)} requires email_address in fields.")
    return fields


def select_export(store, payload):
    """The contacts an export covers, in account order."""
    if "contact_ids" in payload:
        found = (store.contacts.get(i) for i in payload["contact_ids"])
    elif "list_ids" in payload or "tag_ids" in payload:
        source = {k: payload[k] for k in ("list_ids", "tag_ids") if k in payload}
        found = (store.contacts.get(i) for i in resolve_source(store, source))
    else:
        found = store.contacts.values()
    status = payload.get("status")
    excluded = set(payload.get("exclude") or ())
    new_only = payload.get("new_subscriber")
    if new_only and "contact_ids" not in payload:
        now = _dt.datetime.now(_dt.timezone.utc)
        found = (c for c in found if c is not None and is_new_subscriber(c, now))
    if "contact_ids" in payload and status is None:
        return [c for c in found if c is not None]  # named contacts are exported whatever their status
    return [c for c in found if c is not None and c["contact_id"] not in excluded and matches_status(c, status)]


def run_export(store, payload):
    contacts = select_export(store, payload)
    list_names = {lst["list_id"]: lst.get("name", "") for lst in store.contact_lists.values()}
    text = CsvWriter(payload["fields"], store.custom_fields.values(), list_names).render(contacts)
    return JobResult({"items_total_count": len(contacts), "items_completed_count": len(contacts)}, output=text)


def keep_export_file(store, activity, text):
    store.exports.add({"file_export_id": activity["activity_id"], "activity_id": activity["activity_id"],
                       "created_at": activity["completed_at"], "content_type": "text/csv", "csv": text})


def _progress(store, payload, fraction):
    total = len(select_export(store, payload))
    return {"items_total_count": total, "items_completed_count": int(total * fraction)}


register_kind(JobKind(
    "contact_exports", run_export,
    lambda payload: {"items_total_count": 0, "items_completed_count": 0},
    _progress, STATUS_KEYS,
    results_link=lambda activity: f"/contact_exports/{activity['activity_id']}",
    keep_output=keep_export_file))
