"""Emulated V3 area: contacts.

Endpoints: `GET/POST /contacts`, `GET/PUT/DELETE /contacts/{contact_id}`,
`POST /contacts/sign_up_form`, `GET /contacts/counts`.

Behaviour, as V3 documents it:
- POST needs `create_source` (Contact|Account) and one of first_name, last_name,
  email_address, sms_channel; an address already in the account (deleted contacts included)
  answers 409 `contacts.api.conflict` "Email already exists for contact <contact_id>".
- PUT needs `update_source`; it overwrites the core properties (those not sent become
  absent) but keeps any subresource not sent (email_address, custom_fields, phone_numbers,
  street_addresses, list_memberships, taggings, notes, sms_channel). A PUT revives a deleted
  contact. An account (update_source Account) cannot re-opt-in a contact who unsubscribed
  themselves: permission_to_send stays "unsubscribed".
- DELETE is a soft delete (204): the record stays with `deleted_at` (a date) and
  `email_address.opt_out_source`/`opt_out_date`, and leaves all its lists. GET of a deleted
  contact answers 200 with `deleted_at`; `GET /contacts` lists it only for status=deleted|all.
- sign_up_form upserts by email address: 201 `{contact_id, action: "created"}` or 200
  `{..., "updated"}`; a partial update that appends lists and custom fields, sets
  permission_to_send to explicit (opt_in_source Contact), and revives a deleted contact.
  A list that doesn't exist answers 404 there (400 on POST/PUT /contacts).
- Responses carry subresources only when `include=` names them (POST/PUT answers carry all).
- Bad input is one 400 listing every problem, and changes nothing (see `..validate`).

Emulator choices where V3 says nothing: a POST without permission_to_send gives "implicit";
status=active means mailable (explicit, implicit, pending_confirmation); the sign-up form's
`phone_number` is stored with kind "other"; `segment_id` answers 404 (no segments here);
`sms_status` is checked but contacts only match it through a stored sms_channel.

Seed items (key "contacts", order 20) are POST bodies (create_source defaults to Account) that
may also carry: "v2_id"; "contact_id"; "created_at"/"updated_at"/"deleted_at"/"update_source";
read-only email_address properties (opt_in_source, opt_in_date, opt_out_source, opt_out_date,
confirm_status); list_memberships entries given as list ids or list names; "list_v2_ids";
custom_fields entries `{"name": <custom field name or label>, "value": ...}`.
"""
import datetime as _dt

from .. import validate as v
from ..contact_index import (DELETED, MAILABLE, STATUS_KEYS, SingleView, contact_index,
                             custom_field_names, list_names)
from ..http import ApiError, Response, route
from ..paging import page_of
from ..seeding import seeder
from ..store import new_id, now_iso

SOURCES = ("Contact", "Account")
PERMISSIONS = ("explicit", "implicit", "not_set", "pending_confirmation", "temp_hold", "unsubscribed")
OPTED_IN = ("explicit", "implicit", "pending_confirmation")
PHONE_KINDS = ("home", "work", "mobile", "other")
ADDRESS_KINDS = ("home", "work", "other")
TEXT_FIELDS = (("first_name", 50), ("last_name", 50), ("job_title", 50), ("company_name", 50))
CORE_ORDER = ("contact_id", "email_address", "first_name", "last_name", "job_title", "company_name",
              "birthday_month", "birthday_day", "anniversary", "update_source", "create_source",
              "created_at", "updated_at", "deleted_at")
SUBRESOURCES = ("custom_fields", "phone_numbers", "street_addresses", "list_memberships", "taggings",
                "notes", "sms_channel")
INCLUDES = ("custom_fields", "list_memberships", "phone_numbers", "street_addresses", "taggings", "notes",
            "sms_channel")
MAX_ITEMS = {"custom_fields": 25, "phone_numbers": 3, "street_addresses": 3, "list_memberships": 50,
             "taggings": 50, "notes": 150}

_BODY_COMMON = {name for name, _ in TEXT_FIELDS} | {"email_address", "birthday_month", "birthday_day",
                                                     "anniversary"} | set(SUBRESOURCES)
POST_FIELDS = _BODY_COMMON | {"create_source"}
PUT_FIELDS = _BODY_COMMON | {"update_source"}
RESOURCE_READ_ONLY = {"contact_id", "created_at", "updated_at", "deleted_at"}
EMAIL_FIELDS = {"address", "permission_to_send", "opt_out_reason"}
EMAIL_READ_ONLY = {"created_at", "updated_at", "opt_in_source", "opt_in_date", "opt_out_source",
                   "opt_out_date", "confirm_status"}
PHONE_READ_ONLY = {"phone_number_id", "created_at", "updated_at", "create_source", "update_source"}
ADDRESS_FIELDS = {"kind", "street", "city", "state", "postal_code", "country"}
ADDRESS_READ_ONLY = {"street_address_id", "created_at", "updated_at"}
SIGNUP_FIELDS = {name for name, _ in TEXT_FIELDS} | {
    "email_address", "phone_number", "list_memberships", "custom_fields", "anniversary", "birthday_month",
    "birthday_day", "street_address", "sms_channel"}
# what internal callers (bulk imports) may add to a sign-up style body
UPSERT_EXTRA_FIELDS = {"phone_numbers", "street_addresses"}


def conflict_for(contact):
    return ApiError(409, "contacts.api.conflict", f"Email already exists for contact {contact['contact_id']}")


def contact_not_found(contact_id):
    if not v.is_uuid(contact_id):
        return ApiError(404, "contacts.api.not_found", "contact_id is in an invalid format.")
    return ApiError(404, "contacts.api.not_found", f"Contact {contact_id} not found.")


# -- reading request bodies ------------------------------------------------------------------
# Each reader records problems and returns clean values; nothing is stored until all pass.

def _read_core(p, body, clean):
    for name, size in TEXT_FIELDS:
        if name in body:
            clean[name] = v.text(p, body, name, size)
    month = v.integer(p, body, "birthday_month", 1, 12)
    day = v.integer(p, body, "birthday_day", 1, 31)
    if (body.get("birthday_month") is None) != (body.get("birthday_day") is None):
        p.add("birthday_month and birthday_day must be used together")
    if "birthday_month" in body or "birthday_day" in body:
        clean["birthday_month"], clean["birthday_day"] = month, day
    if "anniversary" in body:
        anniversary = v.text(p, body, "anniversary", 10)
        if anniversary and not v.is_calendar_date(anniversary):
            p.add("anniversary does not have a valid value")
        clean["anniversary"] = anniversary or None


def _read_email_object(p, value):
    where = "email_address."
    if not v.is_object(p, value, "email_address"):
        return None
    v.reject_unknown(p, value, EMAIL_FIELDS, EMAIL_READ_ONLY, where=where)
    address = _read_address_text(p, value, "address", 80, where)
    permission = v.choice(p, value, "permission_to_send", PERMISSIONS, where=where)
    reason = v.text(p, value, "opt_out_reason", 255, where=where)
    if address is None:
        return None
    return {"address": address, "permission_to_send": permission, "opt_out_reason": reason}


def _read_address_text(p, body, name, max_length, where=""):
    address = v.text(p, body, name, max_length, required=True, where=where)
    if address is not None:
        address = address.strip()
        if not v.is_email(address):
            p.add(f"{where}{name} is not a valid email address")
            return None
    return address


def _read_custom_fields(p, store, items, where, allowed):
    values = {}
    for i, item in enumerate(items):
        at = f"{where}[{i}]."
        if not v.is_object(p, item, f"{where}[{i}]"):
            continue
        v.reject_unknown(p, item, allowed, where=at)
        field_id = v.text(p, item, "custom_field_id", required=True, where=at)
        value = v.text(p, item, "value", 255, where=at)
        if field_id is None:
            continue
        field = store.custom_fields.get(field_id)
        if field is None:
            p.add(f"{at}custom_field_id {field_id} does not exist")
            continue
        if field.get("type") == "date" and value and not v.is_calendar_date(value):
            p.add(f"{at}value is not a valid date for custom field {field['name']}")
            continue
        values[field_id] = value if value is not None else ""
    return [{"custom_field_id": k, "value": val} for k, val in values.items()]


def _read_phones(p, items, where="phone_numbers"):
    phones = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]."
        if not v.is_object(p, item, f"{where}[{i}]"):
            continue
        v.reject_unknown(p, item, ("phone_number", "kind"), PHONE_READ_ONLY, where=at)
        number = v.text(p, item, "phone_number", 25, required=True, where=at)
        kind = v.choice(p, item, "kind", PHONE_KINDS, where=at)
        if number is not None:
            phones.append({"phone_number": number, "kind": kind})
    return phones


def _read_street_address(p, item, where):
    if not v.is_object(p, item, where.rstrip(".")):
        return None
    v.reject_unknown(p, item, ADDRESS_FIELDS, ADDRESS_READ_ONLY, where=where)
    clean = {"kind": v.choice(p, item, "kind", ADDRESS_KINDS, required=True, where=where)}
    clean["street"] = v.text(p, item, "street", 255, where=where)
    for name in ("city", "state", "postal_code", "country"):
        clean[name] = v.text(p, item, name, 50, where=where)
    return clean if clean["kind"] else None


def _read_list_ids(p, store, items, where="list_memberships", missing=None):
    """Known list ids, deduplicated in order; unknown ones go to `missing` or become problems."""
    ids = []
    for i, list_id in enumerate(items):
        if not isinstance(list_id, str) or not list_id:
            p.add(f"{where}[{i}] does not have a valid value")
        elif list_id not in store.contact_lists:
            if missing is not None:
                missing.append(list_id)
            else:
                p.add(f"The contact list {list_id} does not exist.")
        elif list_id not in ids:
            ids.append(list_id)
    return ids


def _read_uuid_list(p, items, where):
    out = []
    for i, value in enumerate(items):
        if not v.is_uuid(value):
            p.add(f"{where}[{i}] does not have a valid value")
        elif value not in out:
            out.append(value)
    return out


def _read_notes(p, items):
    notes = []
    for i, item in enumerate(items):
        at = f"notes[{i}]."
        if not v.is_object(p, item, f"notes[{i}]"):
            continue
        v.reject_unknown(p, item, ("note_id", "created_at", "content"), where=at)
        content = v.text(p, item, "content", 2000, required=True, where=at)
        created = item.get("created_at")
        if created is not None and v.canonical_timestamp(created) is None:
            p.add(f"{at}created_at does not have a valid value")
        if content is not None:
            notes.append({"note_id": item.get("note_id") if isinstance(item.get("note_id"), str) else None,
                          "created_at": v.canonical_timestamp(created) if created else None,
                          "content": content})
    return notes


def _read_sms_channel(p, value, *, signup=False):
    """An sms_channel: {full_sms_address, sms_channel_consents} (sign-up form: sms_address,
    dial_code, country_code, sms_channel_consents)."""
    where = "sms_channel."
    if not v.is_object(p, value, "sms_channel"):
        return None
    if signup:
        v.reject_unknown(p, value, ("sms_address", "dial_code", "country_code", "sms_channel_consents"), where=where)
        address = v.text(p, value, "sms_address", 25, required=True, where=where)
        dial_code = v.text(p, value, "dial_code", 5, required=True, where=where)
        country = v.text(p, value, "country_code", 2, required=True, where=where)
        consent_fields = ("sms_consent_permission", "consent_type", "consent_medium_type", "consent_medium_url",
                          "consent_medium_details", "advertised_frequency", "advertised_interval")
    else:
        v.reject_unknown(p, value, ("full_sms_address", "sms_channel_consents"), where=where)
        address = v.text(p, value, "full_sms_address", 25, required=True, where=where)
        dial_code = country = None
        consent_fields = ("sms_consent_permission", "consent_type", "consent_medium_details")
    consents = []
    raw = value.get("sms_channel_consents")
    if not isinstance(raw, list):
        p.add(f"{where}sms_channel_consents is missing")
    else:
        for i, item in enumerate(raw):
            at = f"{where}sms_channel_consents[{i}]."
            if not v.is_object(p, item, at.rstrip(".")):
                continue
            v.reject_unknown(p, item, consent_fields, where=at)
            permission = v.text(p, item, "sms_consent_permission", 50, required=True, where=at)
            kind = v.text(p, item, "consent_type", 50, required=True, where=at)
            if permission and kind:
                consents.append({"sms_consent_permission": permission, "consent_type": kind})
    if address is None:
        return None
    return {"sms_address": address, "dial_code": dial_code, "country_code": country, "sms_channel_consents": consents}


def read_contact_body(store, body, *, mode):
    """The clean values of a POST (mode "post") or PUT ("put") /contacts body."""
    if not isinstance(body, dict):
        raise v.invalid("The request body must be a JSON object.")
    p = v.Problems()
    if mode == "post":
        v.reject_unknown(p, body, POST_FIELDS, RESOURCE_READ_ONLY | {"update_source"})
        source = v.choice(p, body, "create_source", SOURCES, required=True)
    else:
        v.reject_unknown(p, body, PUT_FIELDS, RESOURCE_READ_ONLY | {"create_source"})
        source = v.choice(p, body, "update_source", SOURCES, required=True)
    clean = {"source": source}
    _read_core(p, body, clean)
    if body.get("email_address") is not None:
        clean["email_address"] = _read_email_object(p, body["email_address"])
    arrays = dict.fromkeys(MAX_ITEMS)
    for name, size in MAX_ITEMS.items():
        if body.get(name) is not None:
            arrays[name] = v.array(p, body, name, size)
    if arrays["custom_fields"] is not None:
        clean["custom_fields"] = _read_custom_fields(p, store, arrays["custom_fields"], "custom_fields",
                                                     ("custom_field_id", "value", "choice_ids"))
    if arrays["phone_numbers"] is not None:
        clean["phone_numbers"] = _read_phones(p, arrays["phone_numbers"])
    if arrays["street_addresses"] is not None:
        addresses = [_read_street_address(p, item, f"street_addresses[{i}].")
                     for i, item in enumerate(arrays["street_addresses"])]
        clean["street_addresses"] = [a for a in addresses if a]
    if arrays["list_memberships"] is not None:
        clean["list_memberships"] = _read_list_ids(p, store, arrays["list_memberships"])
    if arrays["taggings"] is not None:
        clean["taggings"] = _read_uuid_list(p, arrays["taggings"], "taggings")
    if arrays["notes"] is not None:
        clean["notes"] = _read_notes(p, arrays["notes"])
    if body.get("sms_channel") is not None:
        clean["sms_channel"] = _read_sms_channel(p, body["sms_channel"])
    if mode == "post" and not any(clean.get(k) for k in ("first_name", "last_name", "email_address", "sms_channel")):
        if not p:
            p.add("At least one of first_name, last_name, email_address or sms_channel is required")
    p.raise_if_any()
    return clean


def read_signup_body(store, body, *, endpoint=True):
    """The clean values of a sign-up form body (endpoint=True) or of an internal upsert body
    (bulk imports: may also carry phone_numbers and street_addresses; lists are optional)."""
    if not isinstance(body, dict):
        raise v.invalid("The request body must be a JSON object.")
    p = v.Problems()
    allowed = SIGNUP_FIELDS if endpoint else SIGNUP_FIELDS | UPSERT_EXTRA_FIELDS | {"create_source"}
    v.reject_unknown(p, body, allowed)
    clean = {}
    _read_core(p, body, clean)
    if body.get("email_address") is not None:
        clean["email_address"] = {"address": _read_address_text(p, body, "email_address", 50 if endpoint else 80)}
    elif endpoint and body.get("sms_channel") is None:
        p.add("email_address is missing")
    missing = []
    lists = v.array(p, body, "list_memberships", 50, min_items=1 if endpoint else 0)
    if endpoint and body.get("list_memberships") is None:
        p.add("list_memberships is missing")
    clean["list_memberships"] = _read_list_ids(p, store, lists or [], missing=missing if endpoint else None)
    fields = v.array(p, body, "custom_fields", 50)
    if fields is not None:
        clean["custom_fields"] = _read_custom_fields(p, store, fields, "custom_fields", ("custom_field_id", "value"))
    phones = []
    if body.get("phone_number") is not None:
        number = v.text(p, body, "phone_number", 25)
        if number:
            phones.append({"phone_number": number, "kind": "other"})
    if not endpoint and body.get("phone_numbers") is not None:
        phones.extend(_read_phones(p, v.array(p, body, "phone_numbers", 3) or []))
    if phones:
        clean["phone_numbers"] = phones
    addresses = []
    if body.get("street_address") is not None:
        addresses.append(_read_street_address(p, body["street_address"], "street_address."))
    if not endpoint and body.get("street_addresses") is not None:
        items = v.array(p, body, "street_addresses", 3) or []
        addresses.extend(_read_street_address(p, item, f"street_addresses[{i}].") for i, item in enumerate(items))
    if any(addresses):
        clean["street_addresses"] = [a for a in addresses if a]
    if body.get("sms_channel") is not None:
        clean["sms_channel"] = _read_sms_channel(p, body["sms_channel"], signup=True)
    p.raise_if_any()
    if missing:
        raise ApiError(404, "contacts.api.not_found", f"The contact list {missing[0]} does not exist.")
    return clean


# -- building stored records -------------------------------------------------------------------

def _email_record(old, given, source, now):
    """The stored email_address after a create (old None) or an update by `source`."""
    permission = given.get("permission_to_send")
    reason = given.get("opt_out_reason")
    if old is None:
        permission = permission or "implicit"
        record = {"address": given["address"], "permission_to_send": permission, "created_at": now,
                  "updated_at": now, "opt_in_source": source,
                  "confirm_status": "pending" if permission == "pending_confirmation" else "off"}
        if permission in OPTED_IN:
            record["opt_in_date"] = now
        if permission == "unsubscribed":
            record.update(opt_out_source=source, opt_out_date=now)
            if reason:
                record["opt_out_reason"] = reason
        return record
    record = dict(old)
    if given["address"] != old["address"]:
        record["address"] = given["address"]
        record["updated_at"] = now
    old_permission = old.get("permission_to_send")
    permission = permission or old_permission
    if (old_permission == "unsubscribed" and permission != "unsubscribed"
            and old.get("opt_out_source") == "Contact" and source != "Contact"):
        permission = "unsubscribed"  # only the contact can undo their own opt-out
    if permission != old_permission:
        _set_permission(record, permission, source, now, reason)
    elif permission == "unsubscribed" and reason is not None:
        record["opt_out_reason"] = reason
    return record


def _set_permission(record, permission, source, now, reason=None):
    record["permission_to_send"] = permission
    record["updated_at"] = now
    if permission == "unsubscribed":
        record.update(opt_out_source=source, opt_out_date=now)
        if reason:
            record["opt_out_reason"] = reason
        return
    for key in ("opt_out_source", "opt_out_date", "opt_out_reason"):
        record.pop(key, None)
    if permission in OPTED_IN:
        record["opt_in_date"] = now
    record["confirm_status"] = "pending" if permission == "pending_confirmation" else record.get("confirm_status", "off")


def _phone_records(phones, source, now):
    out = []
    for phone in phones:
        record = {"phone_number_id": new_id(), "phone_number": phone["phone_number"]}
        if phone.get("kind"):
            record["kind"] = phone["kind"]
        record.update(create_source=source, update_source=source, created_at=now, updated_at=now)
        out.append(record)
    return out


def _address_records(addresses, now):
    out = []
    for address in addresses:
        record = {"street_address_id": new_id()}
        record.update((k, val) for k, val in address.items() if val is not None)
        record.update(created_at=now, updated_at=now)
        out.append(record)
    return out


def _note_records(notes, now):
    return [{"note_id": n["note_id"] or new_id(), "created_at": n["created_at"] or now, "content": n["content"]}
            for n in notes]


def _sms_record(sms, source, now):
    record = {"sms_channel_id": new_id(), "sms_address": sms["sms_address"]}
    if sms.get("dial_code"):
        record["dial_code"] = sms["dial_code"]
    if sms.get("country_code"):
        record["country_code"] = sms["country_code"]
    record.update(create_source=source, update_source=source)
    record["sms_channel_consents"] = [dict(c, created_at=now, updated_at=now, opt_in_date=now)
                                      for c in sms["sms_channel_consents"]]
    return record


def _subresource_records(clean, source, now):
    """Stored forms of the subresources present in `clean`."""
    out = {}
    if "custom_fields" in clean:
        out["custom_fields"] = [dict(item) for item in clean["custom_fields"]]
    if "phone_numbers" in clean:
        out["phone_numbers"] = _phone_records(clean["phone_numbers"], source, now)
    if "street_addresses" in clean:
        out["street_addresses"] = _address_records(clean["street_addresses"], now)
    if "list_memberships" in clean:
        out["list_memberships"] = list(clean["list_memberships"])
    if "taggings" in clean:
        out["taggings"] = list(clean["taggings"])
    if "notes" in clean:
        out["notes"] = _note_records(clean["notes"], now)
    if clean.get("sms_channel"):
        out["sms_channel"] = _sms_record(clean["sms_channel"], source, now)
    return out


def _set_core(record, clean):
    for name in ("first_name", "last_name", "job_title", "company_name", "birthday_month", "birthday_day",
                 "anniversary"):
        if name in clean:
            if clean[name] is None:
                record.pop(name, None)
            else:
                record[name] = clean[name]


def _revive(record):
    """Undo a soft delete on a record being rebuilt."""
    record.pop("deleted_at", None)
    email = record.get("email_address")
    if email and email.get("permission_to_send") != "unsubscribed" and "opt_out_source" in email:
        record["email_address"] = {k: val for k, val in email.items()
                                   if k not in ("opt_out_source", "opt_out_date", "opt_out_reason")}


def _check_address_free(store, address, contact_id=None):
    owner_id = contact_index(store).emails.get(address.lower())
    if owner_id is not None and owner_id != contact_id:
        raise conflict_for(store.contacts.get(owner_id))


# -- the helpers other areas call --------------------------------------------------------------

def find_by_email(store, address):
    """The contact with this address (case-insensitive, deleted ones included), or None."""
    if not isinstance(address, str):
        return None
    contact_id = contact_index(store).emails.get(address.strip().lower())
    return store.contacts.get(contact_id) if contact_id else None


def create_contact(store, body, *, v2_id=None, contact_id=None, overrides=None):
    """Validate a V3 POST /contacts body and store the contact (ApiError on bad input).

    overrides: read-only values a seed may set (created_at, updated_at, deleted_at,
    update_source, and "email_address": {opt_in_source, opt_in_date, ...})."""
    clean = read_contact_body(store, body, mode="post")
    email = clean.get("email_address")
    if email:
        _check_address_free(store, email["address"])
    if contact_id is not None and contact_id in store.contacts:
        raise ApiError(409, "contacts.api.conflict", f"contact_id {contact_id} already exists")
    source, now = clean["source"], now_iso()
    if overrides and overrides.get("created_at"):
        # a seeded contact's subresources date from its creation, not from the seeding
        now = v.canonical_timestamp(overrides["created_at"]) or now
    record = {"contact_id": contact_id or new_id()}
    if email:
        record["email_address"] = _email_record(None, email, source, now)
    _set_core(record, clean)
    record.update(create_source=source, update_source=source, created_at=now, updated_at=now)
    record.update({name: [] for name in MAX_ITEMS})
    record.update(_subresource_records(clean, source, now))
    if overrides:
        _apply_overrides(record, overrides)
    return contact_index(store).add(_ordered(record), v2_id)


def _apply_overrides(record, overrides):
    for key in ("created_at", "updated_at"):
        if overrides.get(key):
            stamp = v.canonical_timestamp(overrides[key])
            if stamp is None:
                raise v.invalid(f"{key} does not have a valid value")
            record[key] = stamp
    if overrides.get("update_source") in SOURCES:
        record["update_source"] = overrides["update_source"]
    email_extra = overrides.get("email_address") or {}
    if email_extra and record.get("email_address"):
        email = dict(record["email_address"])
        for key, value in email_extra.items():
            if key in ("created_at", "updated_at", "opt_in_date", "opt_out_date"):
                value = v.canonical_timestamp(value)
                if value is None:
                    raise v.invalid(f"email_address.{key} does not have a valid value")
            email[key] = value
        record["email_address"] = email
    if overrides.get("deleted_at"):
        stamp = v.canonical_timestamp(overrides["deleted_at"])
        if stamp is None:
            raise v.invalid("deleted_at does not have a valid value")
        _mark_deleted(record, stamp)


def _mark_deleted(record, stamp):
    record["deleted_at"] = stamp[:10]
    record["list_memberships"] = []
    email = record.get("email_address")
    if email and email.get("permission_to_send") != "unsubscribed":
        record["email_address"] = dict(email, opt_out_source="Account", opt_out_date=stamp)


def update_contact(store, contact_id, body):
    """PUT semantics: core properties overwritten, subresources not sent kept; revives."""
    old = store.contacts.get(contact_id)
    if old is None:
        raise contact_not_found(contact_id)
    clean = read_contact_body(store, body, mode="put")
    email = clean.get("email_address")
    if email:
        _check_address_free(store, email["address"], contact_id)
    source, now = clean["source"], now_iso()
    record = {k: old[k] for k in ("contact_id", "create_source", "created_at") if k in old}
    for name in ("first_name", "last_name", "job_title", "company_name", "birthday_month", "birthday_day",
                 "anniversary"):
        clean.setdefault(name, None)
    _set_core(record, clean)
    record.update({name: old.get(name, []) for name in MAX_ITEMS})
    if old.get("sms_channel"):
        record["sms_channel"] = old["sms_channel"]
    if old.get("email_address"):
        record["email_address"] = old["email_address"]
    if old.get("deleted_at"):
        record["deleted_at"] = old["deleted_at"]
        _revive(record)
    if email:
        record["email_address"] = _email_record(record.get("email_address"), email, source, now)
    record.update(_subresource_records(clean, source, now))
    record.update(update_source=source, updated_at=now)
    return contact_index(store).replace(old, _ordered(record))


def _ordered(record):
    """Keys in V3's order (responses read better; JSON doesn't care)."""
    out = {k: record[k] for k in CORE_ORDER if k in record}
    out.update((k, val) for k, val in record.items() if k not in out)
    return out


def upsert_contact(store, fields, list_ids=(), *, source="Account"):
    """Create or partially update the contact with fields["email_address"] (sign-up form
    semantics). Lists and custom fields are appended; a deleted contact is revived.

    source "Contact" (the sign-up form) sets permission_to_send explicit on create and update;
    source "Account" (imports) gives new contacts implicit and leaves existing ones' permission.
    Returns (contact, created). Raises ApiError (400) on bad input, changing nothing."""
    clean = read_signup_body(store, fields, endpoint=False)
    if list_ids:
        p = v.Problems()
        extra = _read_list_ids(p, store, list(list_ids))
        p.raise_if_any()
        clean["list_memberships"] = clean["list_memberships"] + [l for l in extra if l not in clean["list_memberships"]]
    return _upsert(store, clean, source)


def _find_for_upsert(store, clean):
    email = clean.get("email_address")
    if email:
        return find_by_email(store, email["address"])
    sms = clean.get("sms_channel")
    if sms:  # rare (SMS-only sign-ups): a scan is fine
        for contact in store.contacts.values():
            if (contact.get("sms_channel") or {}).get("sms_address") == sms["sms_address"]:
                return contact
    return None


def _upsert(store, clean, source):
    now = now_iso()
    old = _find_for_upsert(store, clean)
    if old is None:
        if not clean.get("email_address") and not clean.get("sms_channel"):
            raise v.invalid("email_address is missing")
        permission = "explicit" if source == "Contact" else "implicit"
        record = {"contact_id": new_id()}
        if clean.get("email_address"):
            record["email_address"] = _email_record(
                None, {"address": clean["email_address"]["address"], "permission_to_send": permission}, source, now)
        _set_core(record, clean)
        record.update(create_source=source, update_source=source, created_at=now, updated_at=now)
        record.update({name: [] for name in MAX_ITEMS})
        _check_limits(clean)
        record.update(_subresource_records(clean, source, now))
        return contact_index(store).add(_ordered(record)), True

    record = dict(old)
    if old.get("deleted_at"):
        _revive(record)
    _set_core(record, {k: val for k, val in clean.items() if val is not None})
    if record.get("email_address") and source == "Contact":
        email = dict(record["email_address"])
        if email.get("permission_to_send") != "explicit":
            _set_permission(email, "explicit", source, now)
        record["email_address"] = email
    elif clean.get("email_address") and not record.get("email_address"):
        record["email_address"] = _email_record(None, {"address": clean["email_address"]["address"]}, source, now)
    merged = {
        "list_memberships": old.get("list_memberships", []) if not old.get("deleted_at") else [],
        "custom_fields": list(old.get("custom_fields", [])),
        "phone_numbers": list(old.get("phone_numbers", [])),
        "street_addresses": list(old.get("street_addresses", [])),
    }
    merged["list_memberships"] = merged["list_memberships"] + [
        l for l in clean.get("list_memberships", []) if l not in merged["list_memberships"]]
    for item in clean.get("custom_fields", []):
        merged["custom_fields"] = [f for f in merged["custom_fields"] if f["custom_field_id"] != item["custom_field_id"]]
        merged["custom_fields"].append(dict(item))
    for phone in _phone_records(clean.get("phone_numbers", []), source, now):
        kept = [x for x in merged["phone_numbers"]
                if x.get("phone_number") != phone["phone_number"] and x.get("kind") != phone.get("kind")]
        merged["phone_numbers"] = kept + [phone]
    for address in _address_records(clean.get("street_addresses", []), now):
        merged["street_addresses"] = [x for x in merged["street_addresses"] if x.get("kind") != address["kind"]] + [address]
    _check_limits(merged)
    record.update(merged)
    if clean.get("sms_channel"):
        record["sms_channel"] = _sms_record(clean["sms_channel"], source, now)
    record.update(update_source=source, updated_at=now)
    return contact_index(store).replace(old, _ordered(record)), False


def _check_limits(values):
    problems = [f"{name} exceeds the maximum of {size} items"
                for name, size in MAX_ITEMS.items() if len(values.get(name) or ()) > size]
    if problems:
        raise v.invalid(problems)


def set_memberships(store, contact_id, add=(), remove=()):
    """Add the contact to lists `add` and take it off `remove` (unknown lists are skipped;
    a deleted contact is left alone). Raises ApiError 400 past 50 lists, 404 for no contact."""
    old = store.contacts.get(contact_id)
    if old is None:
        raise contact_not_found(contact_id)
    if old.get("deleted_at"):
        return old
    removed = set(remove)
    current = old.get("list_memberships") or []
    lists = [l for l in current if l not in removed]
    for list_id in add:
        if list_id in store.contact_lists and list_id not in lists and list_id not in removed:
            lists.append(list_id)
    if lists == current:
        return old
    if len(lists) > MAX_ITEMS["list_memberships"]:
        raise v.invalid("list_memberships exceeds the maximum of 50 items")
    record = dict(old, list_memberships=lists, updated_at=now_iso())
    return contact_index(store).replace(old, record)


def list_member_ids(store, list_id):
    """Ids of the contacts on a list, in account order (from the index, not a scan)."""
    return contact_index(store).member_ids(list_id)


def delete_contact(store, contact_id):
    """Soft delete (V3's DELETE /contacts/{id}); deleting twice changes nothing."""
    old = store.contacts.get(contact_id)
    if old is None:
        raise contact_not_found(contact_id)
    if old.get("deleted_at"):
        return old
    now = now_iso()
    record = dict(old, updated_at=now)
    _mark_deleted(record, now)
    return contact_index(store).replace(old, _ordered(record))


def remove_list_from_contacts(store, list_id):
    """Take every contact off a list being deleted (the list's members come from the index)."""
    index = contact_index(store)
    for pos in list(index.members.get(list_id, ())):
        old = index.contact_at(pos)
        record = dict(old, list_memberships=[l for l in old.get("list_memberships", []) if l != list_id])
        index.replace(old, record)
    index.forget_list(list_id)


def drop_custom_field(store, custom_field_id):
    """Remove a deleted custom field's values from every contact (a scan: deletes are rare)."""
    index = contact_index(store)
    for old in store.contacts.values():
        fields = old.get("custom_fields")
        if fields and any(f["custom_field_id"] == custom_field_id for f in fields):
            record = dict(old, custom_fields=[f for f in fields if f["custom_field_id"] != custom_field_id])
            index.replace(old, record)


def render_contact(contact, include=()):
    """The V3 response form: core properties plus the subresources `include` names."""
    out = {k: contact[k] for k in CORE_ORDER if k in contact}
    for name in include:
        if name == "sms_channel":
            if contact.get("sms_channel"):
                out["sms_channel"] = contact["sms_channel"]
        else:
            out[name] = contact.get(name) or []
    return out


def render_full(contact):
    return render_contact(contact, [n for n in INCLUDES if n != "sms_channel" or contact.get("sms_channel")])


# -- GET /contacts ---------------------------------------------------------------------------------

STATUS_VALUES = ("all", "active", "deleted", "not_set", "pending_confirmation", "temp_hold", "unsubscribed",
                 "explicit", "implicit")
SMS_STATUS_VALUES = ("all", "explicit", "unsubscribed", "pending_confirmation", "not_set")
DEFAULT_STATUS_KEYS = tuple(k for k in STATUS_KEYS if k != DELETED)


def _status_keys(values):
    """Index status keys selected by `status=`; None means every contact."""
    if not values:
        return DEFAULT_STATUS_KEYS
    if "all" in values:
        return None
    keys = []
    for value in values:
        for key in (MAILABLE if value == "active" else (value,)):
            if key not in keys:
                keys.append(key)
    return tuple(keys)


class ContactQuery:
    """The filters of one GET /contacts, checked."""

    def __init__(self, request):
        self.limit = v.int_param(request, "limit", 50, 1, 500)
        self.status_keys = _status_keys(v.csv_param(request, "status", STATUS_VALUES))
        email = request.arg("email")
        self.email = email.strip().lower() if email is not None else None
        self.lists = v.csv_param(request, "lists")
        if len(self.lists) > 25:
            raise v.invalid("lists must not contain more than 25 list ids")
        self.tags = v.csv_param(request, "tags")
        if len(self.tags) > 50:
            raise v.invalid("tags must not contain more than 50 tag ids")
        self.ranges = []
        for field, after, before in (("updated_at", "updated_after", "updated_before"),
                                     ("created_at", "created_after", "created_before"),
                                     ("opt_out_date", "optout_after", "optout_before")):
            low, high = v.timestamp_param(request, after), v.timestamp_param(request, before)
            if low or high:
                self.ranges.append((field, low, high))
        self.include = v.csv_param(request, "include", INCLUDES)
        sms = v.csv_param(request, "sms_status", SMS_STATUS_VALUES)
        self.sms_status = None if not sms or "all" in sms else set(sms)
        self.include_count = v.bool_param(request, "include_count")
        if request.arg("segment_id") not in (None, ""):
            raise ApiError(404, "contacts.api.not_found", "The segment was not found.")

    def match(self, contact):
        if self.status_keys is not None:
            if _status_key(contact) not in self.status_keys:
                return False
        if self.email is not None:
            if ((contact.get("email_address") or {}).get("address") or "").lower() != self.email:
                return False
        if self.lists:
            memberships = contact.get("list_memberships") or ()
            if not any(l in memberships for l in self.lists):
                return False
        if self.tags:
            taggings = contact.get("taggings") or ()
            if not any(t in taggings for t in self.tags):
                return False
        for field, low, high in self.ranges:
            value = (contact.get("email_address") or {}).get(field) if field == "opt_out_date" else contact.get(field)
            if value is None or (low and value <= low) or (high and value >= high):
                return False
        if self.sms_status is not None:
            consents = (contact.get("sms_channel") or {}).get("sms_channel_consents") or [{}]
            if consents[0].get("sms_consent_permission") not in self.sms_status:
                return False
        return True

    def only_status(self):
        return self.email is None and not self.lists and not self.tags and not self.ranges and self.sms_status is None


def _status_key(contact):
    if contact.get("deleted_at"):
        return DELETED
    return (contact.get("email_address") or {}).get("permission_to_send") or "not_set"


def _source_view(store, query):
    """The narrowest indexed sequence that holds every match, in account order."""
    index = contact_index(store)
    if query.email is not None:
        contact_id = index.emails.get(query.email)
        return SingleView(store.contacts, store.contacts.get(contact_id) if contact_id else None)
    if query.lists:
        return index.view([index.members.get(l) for l in query.lists])
    if query.status_keys is not None:
        return index.view([index.by_status.get(k) for k in query.status_keys])
    return store.contacts


def _count(store, query, view):
    index = contact_index(store)
    if query.only_status():
        return len(store.contacts) if query.status_keys is None else index.status_count(query.status_keys)
    if len(query.lists) == 1 and query.email is None and not query.tags and not query.ranges and query.sms_status is None:
        counts = index.list_status.get(query.lists[0], {})
        keys = query.status_keys if query.status_keys is not None else counts.keys()
        return sum(counts.get(k, 0) for k in keys)
    return sum(1 for _, contact in view.iter_from(0) if query.match(contact))


@route("GET", "/contacts")
def get_contacts(request):
    store = request.state
    query = ContactQuery(request)
    view = _source_view(store, query)
    extra = {"contacts_count": _count(store, query, view)} if query.include_count else None
    include = query.include
    return page_of(request, view, "contacts", limit=query.limit, match=query.match,
                   render=lambda c: render_contact(c, include), extra=extra)


@route("POST", "/contacts")
def post_contact(request):
    contact = create_contact(request.state, request.json())
    return 201, render_full(contact)


@route("GET", "/contacts/counts")
def get_counts(request):
    """`{total, explicit, implicit, pending, unsubscribed[, new_subscriber]}` (not deleted)."""
    include = v.csv_param(request, "include", ("new_subscriber",))
    index = contact_index(request.state)
    body = {
        "total": index.status_count(DEFAULT_STATUS_KEYS),
        "explicit": index.status_count(("explicit",)),
        "implicit": index.status_count(("implicit",)),
        "pending": index.status_count(("pending_confirmation",)),
        "unsubscribed": index.status_count(("unsubscribed",)),
    }
    if include:
        since = (_dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        body["new_subscriber"] = sum(
            1 for c in request.state.contacts.values()
            if not c.get("deleted_at") and (c.get("email_address") or {}).get("opt_in_date", "") >= since)
    return body


def _contact_or_404(store, contact_id):
    contact = store.contacts.get(contact_id)
    if contact is None:
        raise contact_not_found(contact_id)
    return contact


@route("GET", "/contacts/{contact_id}")
def get_contact(request):
    include = v.csv_param(request, "include", INCLUDES)
    return render_contact(_contact_or_404(request.state, request.params["contact_id"]), include)


@route("PUT", "/contacts/{contact_id}")
def put_contact(request):
    contact_id = request.params["contact_id"]
    _contact_or_404(request.state, contact_id)
    return render_full(update_contact(request.state, contact_id, request.json()))


@route("DELETE", "/contacts/{contact_id}")
def delete_contact_route(request):
    delete_contact(request.state, request.params["contact_id"])
    return Response(204, None)


@route("POST", "/contacts/sign_up_form")
def sign_up_form(request):
    store = request.state
    clean = read_signup_body(store, request.json(), endpoint=True)
    contact, created = _upsert(store, clean, "Contact")
    if created:
        return 201, {"contact_id": contact["contact_id"], "action": "created"}
    return 200, {"contact_id": contact["contact_id"], "action": "updated"}


# -- seeding ------------------------------------------------------------------------------------

SEED_ONLY = ("v2_id", "contact_id", "list_v2_ids", "created_at", "updated_at", "deleted_at", "update_source")


def seed_contact(store, item):
    """Store one seed item (see the module docstring for what it may carry)."""
    if not isinstance(item, dict):
        raise v.invalid("each contact seed item must be an object")
    body = {k: val for k, val in item.items() if k not in SEED_ONLY}
    overrides = {k: item[k] for k in ("created_at", "updated_at", "deleted_at", "update_source") if item.get(k)}
    body.setdefault("create_source", "Account")
    email = body.get("email_address")
    if isinstance(email, str):
        email = {"address": email}
    if isinstance(email, dict):
        extra = {k: email[k] for k in EMAIL_READ_ONLY if k in email}
        if extra:
            overrides["email_address"] = extra
        body["email_address"] = {k: val for k, val in email.items() if k not in EMAIL_READ_ONLY}
    lists = [_seed_list_id(store, entry) for entry in body.get("list_memberships") or ()]
    for v2 in item.get("list_v2_ids") or ():
        list_id = store.contact_lists.by_v2.get(int(v2))
        if list_id is None:
            raise v.invalid(f"no contact list has v2_id {v2}")
        lists.append(list_id)
    if lists:
        body["list_memberships"] = list(dict.fromkeys(lists))
    if body.get("custom_fields"):
        body["custom_fields"] = [_seed_custom_field(store, entry) for entry in body["custom_fields"]]
    return create_contact(store, body, v2_id=item.get("v2_id"), contact_id=item.get("contact_id"),
                          overrides=overrides)


def _seed_list_id(store, entry):
    if entry in store.contact_lists:
        return entry
    return list_names(store).find(entry) or entry  # an unknown one fails validation


def _seed_custom_field(store, entry):
    if not isinstance(entry, dict) or entry.get("custom_field_id"):
        return entry
    name = entry.get("name") or entry.get("label")
    field_id = custom_field_names(store).find(name) or custom_field_names(store).find(
        (name or "").strip().replace(" ", "_"))
    if field_id is None:
        raise v.invalid(f"seed custom field {name!r} does not exist")
    return {"custom_field_id": field_id, "value": entry.get("value")}


@seeder("contacts", 20)
def _seed_contacts(store, items):
    for i, item in enumerate(items):
        try:
            seed_contact(store, item)
        except ApiError as err:
            raise ValueError(f"seed contacts[{i}]: {err.error_message}") from None
