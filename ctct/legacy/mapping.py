"""Pure translations between the 2009 client's dicts and V3 JSON: contacts, lists, status words.

Nothing here does I/O: the adapters (contacts.py, lists.py) fetch and write, and the Atom
tools call the same functions to turn old payloads into V3 request bodies. Ids are passed
in already resolved (V3 list ids, custom field ids), and URIs are built by callables the
caller provides (`uri=`, `list_uri=`), so each function is a plain data transformation.

Where each legacy contact field lives on V3
-------------------------------------------
=================  ======================================================================
legacy key         V3 home
=================  ======================================================================
email_address      email_address.address
status             email_address.permission_to_send, and deleted_at ("Removed"), see below
opt_in_source      create_source on create (ACTION_BY_CUSTOMER = Account,
                   ACTION_BY_CONTACT = Contact); read from email_address.opt_in_source
first_name,        first_name, last_name, job_title, company_name
last_name,
job_title,
company_name
name               the display name: read as "First Last" from first_name/last_name. A
                   name that differs from that is kept in the custom field "Display Name";
                   a name given for a contact with no first/last name is split into them
home_phone,        phone_numbers[] of kind "home" / "work"
work_phone
addr1..addr3       street_addresses[].street, the lines joined with "\\n" (split on read)
city               street_addresses[].city
state_name         street_addresses[].state
state_code         custom field "State Code" (and street_addresses[].state when no
                   state_name is given, so V3 users see a state)
country_name       street_addresses[].country
country_code       custom field "Country Code" (and street_addresses[].country when no
                   country_name is given)
postal_code        street_addresses[].postal_code
sub_postal_code    custom field "Sub Postal Code"
note               notes[]: the newest note; setting a new one adds it in front
custom_field1..15  custom fields "CustomField1".."CustomField15"
middle_name        custom field "Middle Name"
email_type         custom field "Email Type" (HTML or Text; read as "HTML" when unset)
contact_lists      list_memberships
updated,           updated_at; last_update_time too
insert_time        created_at
opt_in_time        email_address.opt_in_date
confirmed          email_address.confirm_status == "confirmed" ("true"/"false")
=================  ======================================================================

Existing V3 custom fields are matched by label or name ignoring case, blanks and
underscores, so "Custom Field 1", "custom_field1" and "CustomField1" are the same field.
The street address used is the first of kind "home" (else the first); phones, addresses,
custom fields, notes and tags the legacy dict does not cover are left as they are.

An address written by other V3 clients has only "state" and "country": get_contact returns
them as state_name / country_name, and a two-letter value also as state_code / country_code.

Unset text fields read as "" (the 2009 client parsed empty XML elements, which V2 always
sent), timestamps as None.

Status words
------------
V3 permission_to_send -> legacy: implicit, explicit, temp_hold = "Active";
pending_confirmation = "Unconfirmed"; unsubscribed = "Do Not Mail"; not_set = "Visitor" (the
XML API's word for a contact who never opted in); a deleted contact (deleted_at) = "Removed".
Writing: "Active" = implicit (explicit when opted in by the contact), "Unconfirmed" =
pending_confirmation, "Do Not Mail" = unsubscribed. "Removed" is not writable through a
contact dict: `delete_contact(hard=True)` deletes.
"""
import copy
import re
from dataclasses import dataclass, field

from ..v3.errors import InvalidInputError
from . import ids, shapes, timestamps
from .refs import ListRef, list_ref_id

# -- status words ---------------------------------------------------------------------------

ACTIVE = "Active"
UNCONFIRMED = "Unconfirmed"
REMOVED = "Removed"
DO_NOT_MAIL = "Do Not Mail"
VISITOR = "Visitor"
STATUS_WORDS = (ACTIVE, UNCONFIRMED, REMOVED, DO_NOT_MAIL, VISITOR)

STATUS_BY_PERMISSION = {
    "implicit": ACTIVE,
    "explicit": ACTIVE,
    "temp_hold": ACTIVE,
    "pending_confirmation": UNCONFIRMED,
    "unsubscribed": DO_NOT_MAIL,
    "not_set": VISITOR,
}

# The XML API's system lists, emulated with V3 contact filters (GET /contacts?status=...).
SYSTEM_LIST_FILTERS = {"active": "active", "do-not-mail": "unsubscribed", "removed": "deleted"}
SYSTEM_LIST_NAMES = {"active": "Active", "do-not-mail": "Do Not Mail", "removed": "Removed"}

# Spellings accepted on input: the XML words, the V2 JSON words, and the system list ids.
_STATUS_ALIASES = {
    "active": ACTIVE,
    "unconfirmed": UNCONFIRMED,
    "removed": REMOVED,
    "donotmail": DO_NOT_MAIL,
    "optout": DO_NOT_MAIL,
    "visitor": VISITOR,
}


def _squash(text):
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def parse_status_word(value):
    """The canonical legacy status word for a caller's spelling ("Do Not Mail",
    "DO_NOT_MAIL", "do-not-mail", "OPTOUT"...); InvalidInputError otherwise."""
    word = _STATUS_ALIASES.get(_squash(value)) if isinstance(value, str) else None
    if word is None:
        raise InvalidInputError(f"unknown contact status {value!r}; expected one of {', '.join(STATUS_WORDS[:4])}")
    return word


def legacy_status(contact):
    """The legacy status word of a V3 contact."""
    if contact.get("deleted_at"):
        return REMOVED
    permission = (contact.get("email_address") or {}).get("permission_to_send")
    return STATUS_BY_PERMISSION.get(permission, ACTIVE if permission is None else VISITOR)


def permission_for_status(word, source="Account"):
    """V3 permission_to_send for a writable legacy status word."""
    if word == ACTIVE:
        return "explicit" if source == "Contact" else "implicit"
    if word == UNCONFIRMED:
        return "pending_confirmation"
    if word == DO_NOT_MAIL:
        return "unsubscribed"
    raise InvalidInputError(
        f"status {word!r} cannot be set on a contact; "
        + ("use delete_contact(..., hard=True) to delete one" if word == REMOVED else "use Active, Unconfirmed or Do Not Mail")
    )


# -- opt-in source ----------------------------------------------------------------------------

OPT_IN_BY_SOURCE = {"Account": "ACTION_BY_CUSTOMER", "Contact": "ACTION_BY_CONTACT"}
_SOURCE_ALIASES = {
    "actionbycustomer": "Account", "actionbyowner": "Account", "account": "Account",
    "actionbycontact": "Contact", "actionbyvisitor": "Contact", "contact": "Contact",
}


def source_for_opt_in(value):
    """V3's "Account"/"Contact" for a legacy opt_in_source (XML or V2 JSON spelling)."""
    source = _SOURCE_ALIASES.get(_squash(value)) if isinstance(value, str) else None
    if source is None:
        raise InvalidInputError(f"unknown opt_in_source {value!r}; expected ACTION_BY_CUSTOMER or ACTION_BY_CONTACT")
    return source


def legacy_opt_in_source(contact):
    source = (contact.get("email_address") or {}).get("opt_in_source") or contact.get("create_source")
    return OPT_IN_BY_SOURCE.get(source)


# -- custom fields ----------------------------------------------------------------------------

# Legacy keys kept in V3 custom fields, and the label ctct gives a field it creates.
EXTRA_FIELD_LABELS = {key: f"CustomField{n}" for n, key in enumerate(shapes.CUSTOM_FIELD_KEYS, 1)}
EXTRA_FIELD_LABELS.update({
    "middle_name": "Middle Name",
    "email_type": "Email Type",
    "name": "Display Name",
    "state_code": "State Code",
    "country_code": "Country Code",
    "sub_postal_code": "Sub Postal Code",
})
EXTRA_FIELD_KEYS = tuple(EXTRA_FIELD_LABELS)

_KEY_BY_LABEL = {_squash(label): key for key, label in EXTRA_FIELD_LABELS.items()}


def label_key(text):
    """How labels compare: lower case, letters and digits only."""
    return _squash(text)


def legacy_key_for_field(definition):
    """The legacy key a V3 custom field definition ({label, name, ...}) stands for, or None."""
    for attr in ("label", "name"):
        key = _KEY_BY_LABEL.get(_squash(definition.get(attr) or ""))
        if key:
            return key
    return None


def custom_field_definition(key):
    """The V3 POST /contact_custom_fields body ctct uses for a legacy key."""
    return {"label": EXTRA_FIELD_LABELS[key], "type": "string"}


# -- limits (V3 schema maxLength) ---------------------------------------------------------------

MAX_LENGTHS = {
    "email_address": 80, "first_name": 50, "last_name": 50, "job_title": 50, "company_name": 50,
    "phone": 25, "street": 255, "city": 50, "state": 50, "postal_code": 50, "country": 50,
    "note": 2000, "custom_field": 255,
}
MAX_CUSTOM_FIELDS = 25
MAX_PHONES = 3
MAX_ADDRESSES = 3
MAX_NOTES = 150
MAX_LISTS = 50

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def is_valid_email(value):
    return isinstance(value, str) and len(value) <= MAX_LENGTHS["email_address"] and bool(_EMAIL.match(value.strip()))


def check_email(value):
    """The stripped address, or InvalidInputError."""
    if not is_valid_email(value):
        raise InvalidInputError(f"invalid email address {value!r}")
    return value.strip()


# -- reading contacts ---------------------------------------------------------------------------

ADDRESS_KEYS = ("addr1", "addr2", "addr3", "city", "state_code", "state_name", "country_code",
                "country_name", "postal_code", "sub_postal_code")
PHONE_KINDS = {"home_phone": "home", "work_phone": "work"}
READ_ONLY_KEYS = ("id", "updated", "confirmed", "insert_time", "last_update_time", "opt_in_time")
_CORE_TEXT = ("first_name", "last_name", "job_title", "company_name")
_CORE_COPY = _CORE_TEXT + ("birthday_month", "birthday_day", "anniversary")

# Legacy keys whose current value or whose write goes through V3 custom fields: an update
# mentioning none of them needs no custom field labels (the contact's custom fields are
# kept by id), so it costs no read of the definitions.
CUSTOM_BACKED_KEYS = frozenset(EXTRA_FIELD_KEYS) | frozenset(ADDRESS_KEYS)


def touches_custom_fields(params):
    """True when a legacy write reads or writes a value kept in a V3 custom field."""
    return any(key in CUSTOM_BACKED_KEYS for key in params)


def _identity(value):
    return value


def _custom_values(contact, field_keys):
    """{legacy key: value} of the contact's custom fields that stand for legacy keys."""
    values = {}
    for entry in contact.get("custom_fields") or ():
        key = (field_keys or {}).get(entry.get("custom_field_id"))
        if key and entry.get("value") not in (None, ""):
            values[key] = entry["value"]
    return values


def _home_address(contact):
    """(index, address) of the street address the legacy fields use, or (None, None)."""
    addresses = contact.get("street_addresses") or []
    for index, address in enumerate(addresses):
        if address.get("kind") == "home":
            return index, address
    return (0, addresses[0]) if addresses else (None, None)


def _phone(contact, kind):
    for phone in contact.get("phone_numbers") or ():
        if phone.get("kind") == kind:
            return phone.get("phone_number")
    return None


def display_name(first, last):
    """The V2 display name derived from first and last names ("Joe Smith")."""
    return " ".join(part for part in (first, last) if part) or None


def feed_name(first, last):
    """The name V2 listed in contact feeds and list members ("Smith, Joe")."""
    if first and last:
        return f"{last}, {first}"
    return last or first or ""


def legacy_values(contact, field_keys=None):
    """The writable legacy fields of a V3 contact, as stored (None when unset, no defaults).

    field_keys: {custom_field_id: legacy key} for the account's custom fields.
    """
    custom = _custom_values(contact, field_keys)
    email = contact.get("email_address") or {}
    values = {key: None for key in shapes.CONTACT_WRITABLE}
    values["email_address"] = email.get("address")
    for key in _CORE_TEXT:
        values[key] = contact.get(key) or None
    for key, kind in PHONE_KINDS.items():
        values[key] = _phone(contact, kind)
    _, address = _home_address(contact)
    if address:
        lines = (address.get("street") or "").split("\n", 2)
        for n, line in enumerate(lines[:3], 1):
            values[f"addr{n}"] = line or None
        values["city"] = address.get("city") or None
        values["postal_code"] = address.get("postal_code") or None
        for part, code_key, name_key in (("state", "state_code", "state_name"), ("country", "country_code", "country_name")):
            shown = address.get(part) or None
            code = custom.get(code_key)
            # The address shows the code only when no name was given (see the module doc).
            values[name_key] = None if (code is not None and shown == code) else shown
    for key in EXTRA_FIELD_KEYS:
        if key in custom:
            values[key] = custom[key]
    notes = contact.get("notes") or []
    values["note"] = (notes[0].get("content") or None) if notes else None
    values["contact_lists"] = list(contact.get("list_memberships") or [])
    values["status"] = legacy_status(contact)
    values["opt_in_source"] = legacy_opt_in_source(contact)
    return values


def _text(value):
    return "" if value is None else value


_TWO_LETTERS = re.compile(r"^[A-Za-z]{2}$")
_CONTACT_TEXT_KEYS = tuple(k for k in shapes.CONTACT if k in shapes.CONTACT_WRITABLE and k not in ("contact_lists", "status"))


def v3_contact_to_legacy(contact, field_keys=None, *, uri=None, list_uri=None):
    """The get_contact dict for a V3 contact (read with its subresources).

    field_keys: {custom_field_id: legacy key}; uri(contact_id) -> the legacy id;
    list_uri(list_id) -> a contact_lists item (default: a ListRef of the bare list id).
    """
    uri = uri or _identity
    list_uri = list_uri or ListRef
    values = legacy_values(contact, field_keys)
    fields = {key: _text(values[key]) for key in _CONTACT_TEXT_KEYS}
    fields["name"] = values["name"] or display_name(values["first_name"], values["last_name"]) or ""
    fields["email_type"] = values["email_type"] or "HTML"
    for code_key, name_key in (("state_code", "state_name"), ("country_code", "country_name")):
        # A V3 address written elsewhere has just "state"/"country": a two-letter one is
        # also the code (V2's codes were two letters), so code-reading programs see it.
        if not fields[code_key] and _TWO_LETTERS.match(fields[name_key]):
            fields[code_key] = fields[name_key]
    email = contact.get("email_address") or {}
    return shapes.make(
        shapes.CONTACT,
        id=uri(contact.get("contact_id")),
        updated=timestamps.legacy(contact.get("updated_at")),
        status=values["status"],
        contact_lists=[list_uri(list_id) for list_id in values["contact_lists"]],
        confirmed="true" if email.get("confirm_status") == "confirmed" else "false",
        insert_time=timestamps.legacy(contact.get("created_at")),
        last_update_time=timestamps.legacy(contact.get("updated_at")),
        **fields,
    )


def v3_contact_to_summary(contact, field_keys=None, *, uri=None):
    """The get_contacts / query_contacts dict for a V3 contact."""
    uri = uri or _identity
    email = contact.get("email_address") or {}
    custom = _custom_values(contact, field_keys)
    return shapes.make(
        shapes.CONTACT_SUMMARY,
        id=uri(contact.get("contact_id")),
        status=legacy_status(contact),
        email_address=_text(email.get("address")),
        email_type=custom.get("email_type") or "HTML",
        name=feed_name(contact.get("first_name"), contact.get("last_name")),
        opt_in_time=timestamps.legacy(email.get("opt_in_date")),
        opt_in_source=legacy_opt_in_source(contact),
        updated=timestamps.legacy(contact.get("updated_at")),
    )


def v3_contact_to_member(contact, *, uri=None):
    """The get_contact_list_members dict for a V3 contact."""
    uri = uri or _identity
    return shapes.make(
        shapes.LIST_MEMBER,
        id=uri(contact.get("contact_id")),
        name=feed_name(contact.get("first_name"), contact.get("last_name")),
        email_address=_text((contact.get("email_address") or {}).get("address")),
        updated=timestamps.legacy(contact.get("updated_at")),
    )


# -- writing contacts ---------------------------------------------------------------------------

_TEXT_KEYS = tuple(k for k in shapes.CONTACT_WRITABLE if k != "contact_lists")


def _clean_text(key, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidInputError(f"contact field {key!r} must be text, got {type(value).__name__}")
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def validate_contact_params(params, *, creating):
    """A cleaned copy of a caller's contact dict, or InvalidInputError.

    Read-only keys a get_contact dict carries (id, updated, confirmed, ...) are ignored, so a
    dict read, changed and written back works. Empty strings and None mean "clear".
    """
    if not isinstance(params, dict):
        raise InvalidInputError(f"contact params must be a dict, got {type(params).__name__}")
    unknown = sorted(str(k) for k in params if k not in shapes.CONTACT_WRITABLE and k not in READ_ONLY_KEYS)
    if unknown:
        raise InvalidInputError(f"unknown contact field(s): {', '.join(unknown)}")
    clean = {}
    for key, value in params.items():
        if key in READ_ONLY_KEYS:
            continue
        if key == "contact_lists":
            clean[key] = _clean_list_refs(value)
            continue
        clean[key] = _clean_text(key, value)
    if "email_address" in clean or creating:
        clean["email_address"] = check_email(clean.get("email_address"))
    if clean.get("status") is not None:
        clean["status"] = parse_status_word(clean["status"])
    if clean.get("opt_in_source") is not None:
        clean["opt_in_source"] = OPT_IN_BY_SOURCE[source_for_opt_in(clean["opt_in_source"])]
    if clean.get("email_type") is not None:
        kind = {"html": "HTML", "text": "Text"}.get(clean["email_type"].strip().lower())
        if kind is None:
            raise InvalidInputError(f"email_type must be HTML or Text, got {clean['email_type']!r}")
        clean["email_type"] = kind
    return clean


def _clean_list_refs(value):
    """The list ids of a contact_lists value (URIs, numbers, V3 ids, ListRefs, {'id': ...}),
    checked for form; system lists (statuses on V3) are dropped."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise InvalidInputError("contact_lists must be a list of list ids")
    refs = []
    for item in value:
        raw = list_ref_id(item)
        parsed = ids.parse(raw, "lists")  # InvalidInputError for a malformed id
        if parsed.form == "system":
            continue
        if raw not in refs:
            refs.append(raw)
    if len(refs) > MAX_LISTS:
        raise InvalidInputError(f"a contact can be in at most {MAX_LISTS} lists on V3, got {len(refs)}")
    return refs


def _split_name(name):
    """(first, last) when a display name splits losslessly, else None."""
    if "," in name:
        return None
    parts = name.split(" ", 1)
    first, last = parts[0], (parts[1] if len(parts) > 1 else None)
    if not first or (last is not None and (not last or last != last.strip())):
        return None  # V3 would trim the blanks away
    if display_name(first, last) != name:
        return None
    if len(first) > MAX_LENGTHS["first_name"] or len(last or "") > MAX_LENGTHS["last_name"]:
        return None
    return first, last


def _check_length(what, value, limit_key):
    if value is not None and len(value) > MAX_LENGTHS[limit_key]:
        raise InvalidInputError(f"{what} is longer than V3 allows ({MAX_LENGTHS[limit_key]} characters)")


@dataclass
class ContactWrite:
    """A validated contact write, ready once custom field and list ids are known.

    body: the V3 POST/PUT body without custom_fields and list_memberships;
    custom_values: {legacy key: value, or None to remove} for keys kept in custom fields;
    list_refs: the caller's contact_lists (legacy id forms) or None to keep memberships.
    """

    body: dict
    creating: bool
    custom_values: dict = field(default_factory=dict)
    list_refs: list = None
    base_custom_fields: list = field(default_factory=list)

    @property
    def custom_keys_to_set(self):
        """Keys that need a custom field definition (those with a value)."""
        return [key for key, value in self.custom_values.items() if value is not None]

    def finish(self, field_ids, list_ids=None):
        """The V3 body. field_ids: {legacy key: custom_field_id} covering custom_keys_to_set
        (and the removed keys that have a definition); list_ids: V3 ids for list_refs."""
        body = copy.deepcopy(self.body)
        if self.custom_values:
            touched = {field_ids[key] for key in self.custom_values if key in field_ids}
            entries = [dict(e) for e in self.base_custom_fields if e.get("custom_field_id") not in touched]
            for key, value in self.custom_values.items():
                if value is not None:
                    if key not in field_ids:
                        raise KeyError(f"no custom field id for {key!r}")
                    entries.append({"custom_field_id": field_ids[key], "value": value})
            body["custom_fields"] = entries
        if self.list_refs is not None:
            if list_ids is None:
                raise ValueError("list_ids are required when contact_lists is given")
            body["list_memberships"] = list(dict.fromkeys(list_ids))
        return body


def plan_contact_write(params, base=None, field_keys=None):
    """Validate a legacy create (base None) or update (base = the current V3 contact, read
    with every subresource) and plan the V3 body. Pure; raises InvalidInputError before
    anything is written. field_keys: {custom_field_id: legacy key}."""
    creating = base is None
    params = validate_contact_params(params, creating=creating)
    base = base or {}
    current = legacy_values(base, field_keys) if not creating else {key: None for key in shapes.CONTACT_WRITABLE}
    merged = dict(current)
    merged.update({k: v for k, v in params.items() if k != "contact_lists"})

    body = {}
    if not creating:
        for key in _CORE_COPY:
            if base.get(key) is not None:
                body[key] = base[key]
    for key in _CORE_TEXT:
        if key in params:
            if merged[key] is None:
                body.pop(key, None)
            else:
                body[key] = merged[key]
    custom = {}
    plan = ContactWrite(body=body, creating=creating, custom_values=custom)

    # email address, permission and sources
    base_email = base.get("email_address") or {}
    email = {"address": merged["email_address"]}
    source = source_for_opt_in(merged["opt_in_source"]) if merged["opt_in_source"] else "Account"
    if "status" in params and params["status"] is not None and params["status"] != current["status"]:
        email["permission_to_send"] = permission_for_status(params["status"], source)
    elif creating:
        email["permission_to_send"] = permission_for_status(ACTIVE, source)
    elif base_email.get("permission_to_send"):
        email["permission_to_send"] = base_email["permission_to_send"]
    body["email_address"] = email
    if creating:
        body["create_source"] = source
    else:
        given = params.get("opt_in_source")
        body["update_source"] = "Contact" if given and source_for_opt_in(given) == "Contact" else "Account"

    # display name
    if "name" in params:
        name = params["name"]
        first, last = body.get("first_name"), body.get("last_name")
        if name is None or name == display_name(first, last):
            custom["name"] = None
        elif first is None and last is None and _split_name(name):
            body["first_name"], split_last = _split_name(name)
            if split_last:
                body["last_name"] = split_last
            custom["name"] = None
        else:
            custom["name"] = name

    for key in shapes.CUSTOM_FIELD_KEYS + ("middle_name", "email_type"):
        if key in params:
            custom[key] = params[key]

    if any(key in params for key in PHONE_KINDS):
        body["phone_numbers"] = _merged_phones(base, params)

    if any(key in params for key in ADDRESS_KEYS):
        body["street_addresses"] = _merged_addresses(base, merged)
        for key in ("state_code", "country_code", "sub_postal_code"):
            custom[key] = merged[key]

    if "note" in params:
        body["notes"] = _merged_notes(base, params["note"])

    if "contact_lists" in params:
        plan.list_refs = params["contact_lists"]

    # V3's limits, checked before anything is written
    for key in _CORE_TEXT:
        _check_length(key, body.get(key), key)
    _check_length("email_address", email["address"], "email_address")
    for value in custom.values():
        _check_length("a custom field value", value, "custom_field")
    plan.base_custom_fields = [
        {"custom_field_id": e.get("custom_field_id"), "value": e.get("value")}
        for e in base.get("custom_fields") or () if e.get("custom_field_id")
    ]
    present = {key for key in ((field_keys or {}).get(e["custom_field_id"]) for e in plan.base_custom_fields) if key}
    added = {key for key, value in custom.items() if value is not None and key not in present}
    removed = {key for key, value in custom.items() if value is None and key in present}
    if len(plan.base_custom_fields) + len(added) - len(removed) > MAX_CUSTOM_FIELDS:
        raise InvalidInputError(f"the contact would have more than {MAX_CUSTOM_FIELDS} custom fields, V3's limit")
    return plan


def _merged_phones(base, params):
    phones = [{"kind": p.get("kind"), "phone_number": p.get("phone_number")} for p in base.get("phone_numbers") or ()]
    for key, kind in PHONE_KINDS.items():
        if key not in params:
            continue
        value = params[key]
        _check_length(key, value, "phone")
        index = next((i for i, p in enumerate(phones) if p["kind"] == kind), None)
        if value is None:
            if index is not None:
                phones.pop(index)
        elif index is None:
            phones.append({"kind": kind, "phone_number": value})
        else:
            phones[index]["phone_number"] = value
    if len(phones) > MAX_PHONES:
        raise InvalidInputError(f"the contact would have more than {MAX_PHONES} phone numbers, V3's limit")
    return phones


_ADDRESS_PUT_KEYS = ("kind", "street", "city", "state", "postal_code", "country")


def _merged_addresses(base, merged):
    addresses = [{k: a.get(k) for k in _ADDRESS_PUT_KEYS if a.get(k) is not None} for a in base.get("street_addresses") or ()]
    index, current = _home_address(base)
    lines = [merged["addr1"], merged["addr2"], merged["addr3"]]
    while lines and not lines[-1]:
        lines.pop()
    address = {
        "kind": (current or {}).get("kind") or "home",
        "street": "\n".join(line or "" for line in lines) or None,
        "city": merged["city"],
        "state": merged["state_name"] or merged["state_code"],
        "postal_code": merged["postal_code"],
        "country": merged["country_name"] or merged["country_code"],
    }
    for key in ("addr1", "addr2", "addr3"):
        if merged[key] and "\n" in merged[key]:
            raise InvalidInputError(f"{key} must be a single line")
    _check_length("the street (addr1-addr3 joined)", address["street"], "street")
    for key in ("city", "state", "postal_code", "country"):
        _check_length(key, address[key], key)
    address = {k: v for k, v in address.items() if v is not None}
    empty = len(address) == 1
    if index is None:
        if not empty:
            addresses.append(address)
    elif empty:
        addresses.pop(index)
    else:
        addresses[index] = address
    if len(addresses) > MAX_ADDRESSES:
        raise InvalidInputError(f"the contact would have more than {MAX_ADDRESSES} street addresses, V3's limit")
    return addresses


def _merged_notes(base, note):
    notes = [{k: n[k] for k in ("note_id", "created_at", "content") if n.get(k) is not None} for n in base.get("notes") or ()]
    if note is None:
        return []  # the legacy single note was cleared
    _check_length("note", note, "note")
    if notes and notes[0].get("content") == note:
        return notes
    return ([{"content": note}] + notes)[:MAX_NOTES]


def legacy_contact_to_v3(params, field_ids, list_ids=None, *, base=None, field_keys=None):
    """One step: a legacy contact dict -> a V3 POST body (or, with base, a merged PUT body).

    field_ids: {legacy key: custom_field_id} for the keys kept in custom fields
    (`ContactWrite.custom_keys_to_set`; create the definitions with `custom_field_definition`);
    list_ids: the V3 list ids for the dict's contact_lists, in order.
    """
    if field_keys is None:
        field_keys = {v: k for k, v in (field_ids or {}).items()}
    plan = plan_contact_write(params, base, field_keys)
    return plan.finish(field_ids or {}, list_ids if plan.list_refs is not None else None)


# -- lists --------------------------------------------------------------------------------------

# V3 has no home for these; get_contact_list derives them (documented in the README):
# every V3 list is opt-in by choice on sign-up forms, so OptInDefault reads "false"; the
# short name is the name; V3 has no list ordering, so SortOrder reads "99", the value the
# 2009 client gave every list it created.
DEFAULT_OPT_IN_DEFAULT = "false"
DEFAULT_SORT_ORDER = "99"
LIST_V3_ONLY_KEYS = ("description", "favorite")
LIST_WRITABLE = ("name",) + LIST_V3_ONLY_KEYS
LIST_IGNORED = ("id", "updated", "opt_in_default", "short_name", "sort_order")


def v3_list_to_summary(contact_list, *, uri=None):
    """The get_contact_lists dict for a V3 list."""
    uri = uri or _identity
    return shapes.make(shapes.LIST_SUMMARY, id=uri(contact_list.get("list_id")),
                       name=contact_list.get("name"), updated=timestamps.legacy(contact_list.get("updated_at")))


def v3_list_to_legacy(contact_list, *, uri=None):
    """The get_contact_list dict for a V3 list."""
    uri = uri or _identity
    return shapes.make(
        shapes.LIST, id=uri(contact_list.get("list_id")), updated=timestamps.legacy(contact_list.get("updated_at")),
        name=contact_list.get("name"), opt_in_default=DEFAULT_OPT_IN_DEFAULT,
        short_name=contact_list.get("name"), sort_order=DEFAULT_SORT_ORDER,
    )


def system_list(key, *, uri=None):
    """The get_contact_list dict of an XML-API system list ("active", "do-not-mail",
    "removed"); as V2 did, only its name and short name are set."""
    uri = uri or _identity
    name = SYSTEM_LIST_NAMES[key]
    return shapes.make(shapes.LIST, id=uri(key), name=name, short_name=name)


def validate_list_params(params):
    """A cleaned copy of update_contact_list params: {name?, description?, favorite?};
    the legacy keys without a V3 home (opt_in_default, short_name, sort_order) and the
    read-only id/updated are accepted and dropped. InvalidInputError for anything else."""
    if not isinstance(params, dict):
        raise InvalidInputError(f"list params must be a dict, got {type(params).__name__}")
    unknown = sorted(str(k) for k in params if k not in LIST_WRITABLE and k not in LIST_IGNORED)
    if unknown:
        raise InvalidInputError(f"unknown list field(s): {', '.join(unknown)}")
    clean = {}
    if "name" in params:
        clean["name"] = check_list_name(params["name"])
    if "description" in params:
        if params["description"] is not None and not isinstance(params["description"], str):
            raise InvalidInputError("description must be text")
        clean["description"] = params["description"]
    if "favorite" in params:
        if not isinstance(params["favorite"], bool):
            raise InvalidInputError("favorite must be True or False")
        clean["favorite"] = params["favorite"]
    return clean


def check_list_name(name):
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"a list name must be non-empty text, got {name!r}")
    if len(name) > 255:
        raise InvalidInputError("a list name is limited to 255 characters on V3")
    return name


def legacy_list_to_v3(params, base=None):
    """The V3 list body (POST, or PUT merged over `base`, the current V3 list)."""
    clean = validate_list_params(params)
    body = {k: base[k] for k in LIST_WRITABLE if base and base.get(k) is not None}
    body.update({k: v for k, v in clean.items() if v is not None})
    for key, value in clean.items():
        if value is None:
            body.pop(key, None)
    if not body.get("name"):
        raise InvalidInputError("a list needs a name")
    return body


# -- emulator seeds from legacy dicts (the Atom tools) ----------------------------------------------

def custom_field_seed(keys=EXTRA_FIELD_KEYS):
    """The emulator seed's "custom_fields" items defining the custom fields ctct keeps legacy
    keys in (all of them by default)."""
    return [custom_field_definition(key) for key in keys]


def legacy_contact_to_seed(contact):
    """An emulator seed item ("contacts" key) for a legacy contact dict as the Atom reader
    gives it: the same V3 body `legacy_contact_to_v3` builds, with custom fields named by
    label (seed them with `custom_field_seed()`), lists by V2 number (`list_v2_ids`) or V3 id,
    the contact's V2 number as `v2_id`, "Removed" as `deleted_at`, and the old timestamps as
    created_at / updated_at. Read-only keys and empty values are ignored; InvalidInputError
    for a dict no V3 contact can hold."""
    if not isinstance(contact, dict):
        raise InvalidInputError(f"a contact must be a dict, got {type(contact).__name__}")
    params = {k: v for k, v in contact.items() if k in shapes.CONTACT_WRITABLE and k != "contact_lists"}
    removed = params.get("status") not in (None, "") and parse_status_word(params["status"]) == REMOVED
    if removed:
        params.pop("status")
    plan = plan_contact_write(params)
    body = plan.finish({key: key for key in plan.custom_keys_to_set})
    body["custom_fields"] = [{"label": EXTRA_FIELD_LABELS[e["custom_field_id"]], "value": e["value"]}
                             for e in body.get("custom_fields") or ()]
    v2_lists, v3_lists = [], []
    for ref in contact.get("contact_lists") or ():
        raw = list_ref_id(ref)
        if raw in (None, ""):
            continue
        parsed = ids.parse(raw, "lists")
        if parsed.form == "v2":
            v2_lists.append(parsed.v2_number)
        elif parsed.form == "v3":
            v3_lists.append(parsed.value)
    if v2_lists:
        body["list_v2_ids"] = list(dict.fromkeys(v2_lists))
    if v3_lists:
        body["list_memberships"] = list(dict.fromkeys(v3_lists))
    if contact.get("id"):
        parsed = ids.parse(contact["id"], "contacts")
        body["v2_id" if parsed.form == "v2" else "contact_id"] = parsed.v2_number if parsed.form == "v2" else parsed.value
    created = timestamps.legacy(contact.get("insert_time")) if contact.get("insert_time") else None
    updated = contact.get("last_update_time") or contact.get("updated")
    if created:
        body["created_at"] = created
    if updated:
        body["updated_at"] = timestamps.legacy(updated)
    if removed:
        body["deleted_at"] = body.get("updated_at") or created or "2010-01-01T00:00:00.000Z"
    return body
