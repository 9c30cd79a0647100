"""Emulated V3 area: contact custom fields.

Endpoints: `GET/POST /contact_custom_fields`, `GET/PUT/DELETE /contact_custom_fields/{id}`.

- POST body (V3 CustomFieldRequest): `label` (required, <= 50) and `type` (required:
  "string" or "date", the two types this emulator keeps), optional `metadata` and, for date
  fields, `version` (1 or 2). `choices` belong to select types, which are not emulated: 400.
- `name` is derived from the label as V3 describes it: blanks replaced with underscores.
  Names are unique regardless of case (409 `contacts.api.conflict` on POST; 400 on PUT, for
  which V3 documents no 409). An account holds at most 100 custom fields (400 past that).
- PUT (CustomFieldPutRequest) takes `label` (required: omitted properties become null) and
  `choices`; the name follows the new label. `type` may be sent back unchanged.
- DELETE answers 204 and removes the field's values from every contact.
- GET /contact_custom_fields: limit 1-100 (default 50), cursor pages.

Seed items (key "custom_fields", order 5) are POST bodies that may also carry "v2_id",
"custom_field_id" (a UUID) and "created_at"/"updated_at".
"""
import re

from .. import validate as v
from ..contact_index import custom_field_names
from ..http import ApiError, Response, route
from ..paging import page_of
from ..seeding import seeder
from ..store import new_id, now_iso
from . import contacts

TYPES = ("string", "date")
MAX_FIELDS = 100
POST_FIELDS = ("label", "type", "metadata", "choices", "version")
PUT_FIELDS = ("label", "choices")
READ_ONLY = ("custom_field_id", "name", "created_at", "updated_at")
METADATA_FIELDS = {"display_type": str, "allow_negative": bool, "decimal_places": int, "currency_code": str,
                   "integer": bool, "display_format": str}


def derive_name(label):
    """V3: "the unique custom field name constructed from the label by replacing blanks with
    underscores" ("Vehicle make and model year" -> "Vehicle_make_and_model_year")."""
    return re.sub(r"\s+", "_", label.strip())


def field_not_found(field_id):
    return ApiError(404, "contacts.api.not_found", f"Custom field {field_id} not found.")


def _read_metadata(p, value):
    if value is None:
        return None
    if not v.is_object(p, value, "metadata"):
        return None
    v.reject_unknown(p, value, METADATA_FIELDS, where="metadata.")
    for key, kind in METADATA_FIELDS.items():
        item = value.get(key)
        if item is not None and (not isinstance(item, kind) or (kind is int and isinstance(item, bool))):
            p.add(f"metadata.{key} does not have a valid value")
    return dict(value)


def _reject_choices(p, body):
    choices = v.array(p, body, "choices", 100)
    if choices:
        p.add("choices are only allowed for single_select and multi_select custom fields")


def read_post_body(body):
    if not isinstance(body, dict):
        raise v.invalid("The request body must be a JSON object.")
    p = v.Problems()
    v.reject_unknown(p, body, POST_FIELDS, READ_ONLY)
    clean = {
        "label": v.text(p, body, "label", 50, required=True, allow_blank=False),
        "type": v.choice(p, body, "type", TYPES, required=True),
        "metadata": _read_metadata(p, body.get("metadata")),
        "version": v.integer(p, body, "version", 1, 2),
    }
    _reject_choices(p, body)
    if clean["version"] is not None and clean["type"] != "date":
        p.add("version is only allowed for date custom fields")
    p.raise_if_any()
    clean["label"] = clean["label"].strip()
    return clean


def read_put_body(body, record):
    if not isinstance(body, dict):
        raise v.invalid("The request body must be a JSON object.")
    p = v.Problems()
    v.reject_unknown(p, body, PUT_FIELDS, READ_ONLY + ("type", "metadata", "version"))
    label = v.text(p, body, "label", 50, required=True, allow_blank=False)
    _reject_choices(p, body)
    if body.get("type") is not None and body["type"] != record["type"]:
        p.add("type cannot be changed")
    p.raise_if_any()
    return {"label": label.strip()}


def _name_owner(store, name):
    return custom_field_names(store).find(name)


def create_custom_field(store, body, *, v2_id=None, custom_field_id=None, created_at=None, updated_at=None):
    """Validate a POST body and store the field (ApiError on bad input, a taken name or past 100)."""
    clean = read_post_body(body)
    name = derive_name(clean["label"])
    if _name_owner(store, name) is not None:
        raise ApiError(409, "contacts.api.conflict", f"A custom field named {name} already exists.")
    if len(store.custom_fields) >= MAX_FIELDS:
        raise v.invalid(f"An account can have at most {MAX_FIELDS} custom fields.")
    if custom_field_id is not None and (not v.is_uuid(custom_field_id) or custom_field_id in store.custom_fields):
        raise v.invalid(f"custom_field_id {custom_field_id} is not a new UUID")
    now = now_iso()
    record = {"custom_field_id": custom_field_id or new_id(), "label": clean["label"], "name": name,
              "type": clean["type"]}
    if clean["metadata"]:
        record["metadata"] = clean["metadata"]
    if clean["type"] == "date":
        record["version"] = clean["version"] or 2
    record.update(created_at=created_at or now, updated_at=updated_at or created_at or now)
    store.custom_fields.add(record, v2_id)
    custom_field_names(store).set(record)
    return record


def update_custom_field(store, field_id, body):
    old = store.custom_fields.get(field_id)
    if old is None:
        raise field_not_found(field_id)
    clean = read_put_body(body, old)
    name = derive_name(clean["label"])
    owner = _name_owner(store, name)
    if owner is not None and owner != field_id:
        raise v.invalid(f"A custom field named {name} already exists.")
    record = dict(old, label=clean["label"], name=name, updated_at=now_iso())
    store.custom_fields.add(record, old.get("_v2_id"))
    custom_field_names(store).set(record, old_name=old["name"])
    return record


def delete_custom_field(store, field_id):
    record = store.custom_fields.get(field_id)
    if record is None:
        raise field_not_found(field_id)
    contacts.drop_custom_field(store, field_id)
    store.custom_fields.remove(field_id)
    custom_field_names(store).discard(record["name"], field_id)


def render_field(record):
    return {k: val for k, val in record.items() if not k.startswith("_")}


# -- routes -----------------------------------------------------------------------------------

@route("GET", "/contact_custom_fields")
def get_custom_fields(request):
    limit = v.int_param(request, "limit", 50, 1, 100)
    return page_of(request, request.state.custom_fields, "custom_fields", limit=limit, render=render_field)


@route("POST", "/contact_custom_fields")
def post_custom_field(request):
    return 201, render_field(create_custom_field(request.state, request.json()))


@route("GET", "/contact_custom_fields/{custom_field_id}")
def get_custom_field(request):
    record = request.state.custom_fields.get(request.params["custom_field_id"])
    if record is None:
        raise field_not_found(request.params["custom_field_id"])
    return render_field(record)


@route("PUT", "/contact_custom_fields/{custom_field_id}")
def put_custom_field(request):
    field_id = request.params["custom_field_id"]
    if field_id not in request.state.custom_fields:
        raise field_not_found(field_id)
    return render_field(update_custom_field(request.state, field_id, request.json()))


@route("DELETE", "/contact_custom_fields/{custom_field_id}")
def delete_custom_field_route(request):
    delete_custom_field(request.state, request.params["custom_field_id"])
    return Response(204, None)


# -- seeding ------------------------------------------------------------------------------------

@seeder("custom_fields", 5)
def _seed_custom_fields(store, items):
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"seed custom_fields[{i}]: each item must be an object")
        body = {k: val for k, val in item.items()
                if k not in ("v2_id", "custom_field_id", "created_at", "updated_at", "name")}
        stamps = {}
        for key in ("created_at", "updated_at"):
            if item.get(key):
                stamps[key] = v.canonical_timestamp(item[key])
                if stamps[key] is None:
                    raise ValueError(f"seed custom_fields[{i}]: {key} is not an ISO-8601 timestamp")
        try:
            create_custom_field(store, body, v2_id=item.get("v2_id"),
                                custom_field_id=item.get("custom_field_id"), **stamps)
        except ApiError as err:
            raise ValueError(f"seed custom_fields[{i}]: {err.error_message}") from None
