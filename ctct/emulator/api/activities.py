"""Emulated V3 area: bulk activities and contact exports (the HTTP side).

Endpoints (every POST answers 201 with the queued activity; 429 past 1,000 queued ones):
  POST /activities/contacts_json_import    {import_data: [<= 40,000 rows], list_ids: [1..50]}
  POST /activities/contacts_file_import    multipart: file (.csv with a header), list_ids (csv)
  POST /activities/add_list_memberships    {source: {...}, list_ids: [1..50], exclude?}
  POST /activities/remove_list_memberships {source: {...}, list_ids: [1..50], exclude?}
  POST /activities/contact_delete          {contact_ids: [<= 500]} | {list_ids: [<= 50]}
  POST /activities/list_delete             {list_ids: [1..100]}
  POST /activities/contact_exports         {contact_ids | list_ids | tag_ids | status ..., fields?}
  GET  /contact_exports/{file_export_id}   text/csv, once the export activity has completed
  GET  /activities?state=&limit=           the activities of the last 10 days
  GET  /activities/{activity_id}
Bodies are validated when posted by `ctct.emulator.bulk` (400/415; nothing is queued then);
the work runs as a job (`ctct.emulator.jobs`): reads of an activity advance it, and any other
request first completes every pending job.

Seed key "activities" (order 40) records finished activities, e.g.
  {"kind": "contacts_file_import", "state": "completed", "created_at": "2024-05-01T10:00:00.000Z",
   "started_at": ..., "completed_at": ..., "source_file_name": "spring.csv",
   "status": {"items_total_count": 3, "person_count": 2, "error_count": 0, "correctable_count": 1,
              "cannot_add_to_list_count": 0},
   "activity_errors": ["Line 3: invalid email address 'x@'"],
   "v2_id": 7, "activity_id": "<uuid, optional>", "csv": "<the export file, contact_exports only>"}
`kind` is one of contacts_json_import, contacts_file_import, add_list_memberships,
remove_list_memberships, contact_delete, list_delete, contact_exports; `state` one of
completed (default), failed, cancelled, timed_out. An item with a "request" (a POST body for its
kind) instead is validated and queued as the API would.
"""
import datetime as _dt

from .. import jobs
from ..bulk import VALIDATORS
from ..bulk.imports import validate_file_import, validate_json_import
from ..bulk.multipart import MultipartError, parse as parse_multipart
from ..http import Response, bad_request, not_found, route, standard_error
from ..jobs import render_activity
from ..paging import page_of
from ..seeding import seeder
from ..store import new_id, now_iso

ACTIVITY_DAYS = 10  # GET /activities lists the last 10 days
LIST_STATES = ("processing", "completed", "cancelled", "failed", "timed_out")


def create_activity(store, kind, payload, *, emulator=None):
    """Queue an activity of `kind` with an already validated payload; returns the stored
    activity (`render_activity(activity)` gives its V3 body).

    The contact lists area calls it for `DELETE /contact_lists/{id}` (kind "list_delete",
    payload {"list_ids": [id]}); pass `emulator` so `activity_steps = 0` completes it at once.
    """
    return jobs.create_activity(store, kind, payload, emulator=emulator)


def _queue(request, kind, payload, source_file_name=None):
    activity = jobs.create_activity(request.state, kind, payload, emulator=request.emulator)
    if source_file_name:
        activity["source_file_name"] = source_file_name
    return Response(201, render_activity(activity, request.emulator.api_root))


def _json_route(kind):
    def handler(request):
        return _queue(request, kind, VALIDATORS[kind](request.state, request.json_object()))

    handler.__name__ = f"post_{kind}"
    return handler


for _kind in ("add_list_memberships", "remove_list_memberships", "contact_delete", "list_delete", "contact_exports"):
    route("POST", f"/activities/{_kind}")(_json_route(_kind))


@route("POST", "/activities/contacts_json_import")
def post_json_import(request):
    payload = validate_json_import(request.state, request.json_object(), len(request.body))
    return _queue(request, "contacts_json_import", payload)


@route("POST", "/activities/contacts_file_import")
def post_file_import(request):
    if request.content_type != "multipart/form-data":
        raise standard_error(415)
    try:
        parts = parse_multipart(request.body, request.headers.get("Content-Type") or "")
    except MultipartError as err:
        raise bad_request(f"The multipart/form-data body is malformed: {err}.") from None
    payload = validate_file_import(request.state, parts)
    return _queue(request, "contacts_file_import", payload, payload["file_name"])




@route("GET", "/contact_exports/{file_export_id}")
def get_contact_export(request):
    export_id = request.params["file_export_id"]
    export = request.state.exports.get(export_id)
    if export is None:
        activity = request.state.activities.get(export_id)
        if activity is not None and activity.get("_kind") == "contact_exports" \
                and activity["state"] in jobs.PENDING_STATES:
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
    store = request.state
    state = request.arg("state")
    if state is not None and state not in LIST_STATES:
        raise bad_request(f"state must be one of: {', '.join(LIST_STATES)}.")
    if request.arg("limit") == "":
        raise bad_request("limit must be an integer between 1 and 500.")
    limit = request.int_arg("limit", 50, minimum=1, maximum=500)
    steps = jobs.steps_of(request.emulator)
    for activity_id in list(jobs.queue_of(store)):  # a listing is a read of every pending activity
        activity = store.activities.get(activity_id)
        if activity is not None:
            jobs.advance(store, activity, steps)
    cutoff = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(days=ACTIVITY_DAYS)

    def wanted(activity):
        if state is not None and activity["state"] != state:
            return False
        created = jobs.parse_time(activity.get("created_at"))
        return created is None or created >= cutoff

    api_root = request.emulator.api_root
    return page_of(request, store.activities, "activities", limit=limit, match=wanted,
                   render=lambda activity: render_activity(activity, api_root))


# -- seeding --------------------------------------------------------------------------------


SEED_KEYS = {"kind", "state", "created_at", "updated_at", "started_at", "completed_at", "status",
             "activity_errors", "percent_done", "source_file_name", "v2_id", "activity_id", "csv", "request"}


@seeder("activities", 40)
def seed_activities(store, items):
    for position, item in enumerate(items):
        where = f"activities[{position}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be an object")
        unknown = set(item) - SEED_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        kind = item.get("kind")
        if kind not in jobs.KINDS:
            raise ValueError(f"{where}: kind must be one of {sorted(jobs.KINDS)}")
        if "request" in item:
            if kind not in VALIDATORS:
                raise ValueError(f"{where}: a {kind} cannot be seeded from a request")
            jobs.create_activity(store, kind, VALIDATORS[kind](store, item["request"]))
        else:
            _seed_finished(store, item, kind, where)


def _seed_finished(store, item, kind, where):
    state = item.get("state", "completed")
    if state not in jobs.FINAL_STATES:
        raise ValueError(f"{where}: state must be one of {list(jobs.FINAL_STATES)} "
                         f"(give a 'request' to queue a pending activity)")
    status = item.get("status") or {}
    if not isinstance(status, dict) or not all(isinstance(n, int) for n in status.values()):
        raise ValueError(f"{where}: status must map count names to integers")
    errors = item.get("activity_errors") or []
    if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
        raise ValueError(f"{where}: activity_errors must be a list of strings")
    created = item.get("created_at") or now_iso()
    completed = item.get("completed_at") or created
    activity = {
        "activity_id": item.get("activity_id") or new_id(),
        "state": state,
        "created_at": created,
        "started_at": item.get("started_at") or created,
        "completed_at": completed,
        "updated_at": item.get("updated_at") or completed,
        "percent_done": int(item.get("percent_done", 100)),
        "activity_errors": list(errors),
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


__all__ = ["create_activity", "render_activity"]
