"""Emulated V3 area: contact lists.

Endpoints: `GET/POST /contact_lists`, `GET/PUT/DELETE /contact_lists/{list_id}`.

- Bodies are V3's ListInput `{name (required, <= 255), favorite, description}`; any other
  property is a 400 (read-only ones from a GET are accepted and ignored). Names are unique
  regardless of case: POST answers 409 `contacts.api.conflict`; PUT, for which V3 documents
  no 409, answers 400.
- PUT overwrites: favorite falls back to false and description disappears when not sent.
- GET /contact_lists: limit 1-1000 (default 50), include_count -> lists_count,
  include_membership_count=all|active -> membership_count ("active": mailable members),
  name (the full name, case-insensitive), status=all|active|deleted, channel_type=email|sms.
  Deleted lists are removed from the account, so status=deleted and channel_type=sms list none.
- DELETE answers 202 with a "list_delete" activity (from the activities area) and a
  Location header naming it; the activity's job calls `delete_list`, which removes the list
  and every membership of it (jobs complete before any other request reads the account).

Seed items (key "contact_lists", order 10) are ListInput bodies that may also carry "v2_id",
"list_id" (a UUID) and "created_at"/"updated_at".
"""
from .. import validate as v
from ..contact_index import SingleView, contact_index, list_names
from ..http import ApiError, Response, route
from ..paging import page_of
from ..seeding import seeder
from ..store import new_id, now_iso
from . import contacts

LIST_FIELDS = ("name", "favorite", "description")
LIST_READ_ONLY = ("list_id", "created_at", "updated_at", "deleted_at", "membership_count")
MEMBERSHIP_COUNTS = ("all", "active")


def list_not_found(list_id):
    if not v.is_uuid(list_id):
        return ApiError(404, "contacts.api.not_found", "list_id is in an invalid format.")
    return ApiError(404, "contacts.api.not_found", f"Contact list {list_id} not found.")


def read_list_body(body):
    if not isinstance(body, dict):
        raise v.invalid("The request body must be a JSON object.")
    p = v.Problems()
    v.reject_unknown(p, body, LIST_FIELDS, LIST_READ_ONLY)
    clean = {
        "name": v.text(p, body, "name", 255, required=True, allow_blank=False),
        "favorite": v.boolean(p, body, "favorite"),
        "description": v.text(p, body, "description"),
    }
    p.raise_if_any()
    clean["name"] = clean["name"].strip()
    return clean


def _name_taken(store, name, list_id=None):
    owner = list_names(store).find(name)
    return owner is not None and owner != list_id


def _record(list_id, clean, created_at, updated_at):
    record = {"list_id": list_id, "name": clean["name"]}
    if clean.get("description") is not None:
        record["description"] = clean["description"]
    record.update(favorite=bool(clean.get("favorite")), created_at=created_at, updated_at=updated_at)
    return record


def create_list(store, body, *, v2_id=None, list_id=None, created_at=None, updated_at=None):
    """Validate a ListInput body and store the list (ApiError on bad input or a taken name)."""
    clean = read_list_body(body)
    if _name_taken(store, clean["name"]):
        raise ApiError(409, "contacts.api.conflict", f"A contact list named {clean['name']} already exists.")
    if list_id is not None and (not v.is_uuid(list_id) or list_id in store.contact_lists):
        raise v.invalid(f"list_id {list_id} is not a new UUID")
    now = now_iso()
    record = _record(list_id or new_id(), clean, created_at or now, updated_at or created_at or now)
    store.contact_lists.add(record, v2_id)
    list_names(store).set(record)
    return record


def update_list(store, list_id, body):
    old = store.contact_lists.get(list_id)
    if old is None:
        raise list_not_found(list_id)
    clean = read_list_body(body)
    if _name_taken(store, clean["name"], list_id):
        raise v.invalid(f"A contact list named {clean['name']} already exists.")
    record = _record(list_id, clean, old["created_at"], now_iso())
    store.contact_lists.add(record, old.get("_v2_id"))
    list_names(store).set(record, old_name=old["name"])
    return record


def delete_list(store, list_id):
    """Remove a list and every membership of it; False when there is no such list."""
    record = store.contact_lists.get(list_id)
    if record is None:
        return False
    contacts.remove_list_from_contacts(store, list_id)
    store.contact_lists.remove(list_id)
    list_names(store).discard(record["name"], list_id)
    return True


def render_list(record, membership=None, store=None):
    out = {k: val for k, val in record.items() if not k.startswith("_")}
    if membership:
        out["membership_count"] = contact_index(store).membership_count(record["list_id"], membership == "active")
    return out


# -- routes -----------------------------------------------------------------------------------

@route("GET", "/contact_lists")
def get_lists(request):
    store = request.state
    limit = v.int_param(request, "limit", 50, 1, 1000)
    include_count = v.bool_param(request, "include_count")
    membership = v.enum_param(request, "include_membership_count", MEMBERSHIP_COUNTS)
    statuses = v.csv_param(request, "status", ("all", "active", "deleted"))
    channel = v.enum_param(request, "channel_type", ("email", "sms")) or "email"
    v.bool_param(request, "include_sms_membership_count")
    name = request.arg("name")

    source = store.contact_lists
    if channel == "sms" or (statuses and not {"all", "active"} & set(statuses)):
        source = SingleView(store.contact_lists, None)  # no SMS lists and no kept deleted lists
    elif name is not None:
        list_id = list_names(store).find(name.strip())
        source = SingleView(store.contact_lists, store.contact_lists.get(list_id) if list_id else None)
    extra = None
    if include_count:
        total = len(store.contact_lists) if source is store.contact_lists else sum(1 for _ in source.iter_from(0))
        extra = {"lists_count": total}
    return page_of(request, source, "lists", limit=limit,
                   render=lambda record: render_list(record, membership, store), extra=extra)


@route("POST", "/contact_lists")
def post_list(request):
    return 201, render_list(create_list(request.state, request.json()))


def _list_or_404(store, list_id):
    record = store.contact_lists.get(list_id)
    if record is None:
        raise list_not_found(list_id)
    return record


@route("GET", "/contact_lists/{list_id}")
def get_list(request):
    record = _list_or_404(request.state, request.params["list_id"])
    membership = v.enum_param(request, "include_membership_count", MEMBERSHIP_COUNTS)
    return render_list(record, membership, request.state)


@route("PUT", "/contact_lists/{list_id}")
def put_list(request):
    list_id = request.params["list_id"]
    _list_or_404(request.state, list_id)
    return render_list(update_list(request.state, list_id, request.json()))


@route("DELETE", "/contact_lists/{list_id}")
def delete_list_route(request):
    store = request.state
    list_id = request.params["list_id"]
    _list_or_404(store, list_id)
    # another area; imported here so either module can load first
    from . import activities
    from ..jobs import render_activity

    activity = activities.create_activity(store, "list_delete", {"list_ids": [list_id]}, emulator=request.emulator)
    body = render_activity(activity, request.emulator.api_root)
    return Response(202, body, headers={"Location": body["_links"]["self"]["href"]})


# -- seeding ------------------------------------------------------------------------------------

@seeder("contact_lists", 10)
def _seed_lists(store, items):
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"seed contact_lists[{i}]: each item must be an object")
        body = {k: val for k, val in item.items() if k not in ("v2_id", "list_id", "created_at", "updated_at")}
        stamps = {}
        for key in ("created_at", "updated_at"):
            if item.get(key):
                stamps[key] = v.canonical_timestamp(item[key])
                if stamps[key] is None:
                    raise ValueError(f"seed contact_lists[{i}]: {key} is not an ISO-8601 timestamp")
        try:
            create_list(store, body, v2_id=item.get("v2_id"), list_id=item.get("list_id"), **stamps)
        except ApiError as err:
            raise ValueError(f"seed contact_lists[{i}]: {err.error_message}") from None
