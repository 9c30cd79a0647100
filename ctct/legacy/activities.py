"""get_activities / get_activity / create_activity: the 2009 bulk activities on V3.

Legacy type                   V3
SV_ADD, ADD_CONTACTS,         POST /activities/contacts_json_import (data=), or
ADD_CONTACT_DETAIL            POST /activities/contacts_file_import (filename=, multipart CSV);
                              the 2009 API treated the three alike, and so does ctct
REMOVE_CONTACTS_FROM_LISTS    the addresses resolved to contact ids, then
                              POST /activities/remove_list_memberships, 500 contacts a request
CLEAR_CONTACTS_FROM_LISTS     POST /activities/remove_list_memberships with the lists as source
EXPORT_CONTACTS               POST /activities/contact_exports (options: activity_export.py)

Everything the caller gave is checked before the first request (type, list ids, columns,
every row's width and email address, export options); V2 list numbers are then resolved
through the xref endpoint (an unknown one is refused there). V3 ids are not checked with a
read of every list: each V3 endpoint ctct posts to refuses an unknown list itself before it
queues anything (contacts_json_import with a 400; contacts_file_import,
remove_list_memberships and contact_exports with a 404), and every part of a split job names
the same lists, so the first request is refused and nothing is written. Only when V3
refuses is the list listing read, to name the unknown list. The one exception: an import
that must first create custom field definitions checks its lists before creating them
(`_add`), so an unknown list does not leave new definitions behind.
A bad value gives the legacy None and a logged reason, or InvalidInputError in strict mode.

Splitting: an add larger than one V3 import (40,000 contacts or 4 MB) and a removal of more
than 500 contacts become several V3 activities. create_activity returns the first one's id;
this connection remembers the rest, so get_activity and get_activities report the whole job
as that one activity (status, errors with the caller's line numbers, summed counts). Another
connection sees the parts as separate activities.

Removal: addresses that are not members of the lists cannot be sent (V3 removes by contact
id); each becomes an error of the activity ("not a member of the lists") instead of being
dropped silently. One address costs one lookup; more are found by reading the lists'
members (500 a request), switching to one lookup per address when that is cheaper. When no
address is a member at all, there is nothing V3 could do and the call fails (None).
"""
import logging
import math
import os
from collections import namedtuple

from ..v3.errors import CTCTError, InvalidInputError, NotFoundError, ValidationError
from . import activity_data, activity_export, activity_import, shapes
from .activity_data import DataError
from .activity_status import legacy_activity
from .custom_fields import registry_for
from .memory import ActivityRecord, memory_for

log = logging.getLogger("ctct")

ADD_TYPES = ("SV_ADD", "ADD_CONTACTS", "ADD_CONTACT_DETAIL")
REMOVE = "REMOVE_CONTACTS_FROM_LISTS"
CLEAR = "CLEAR_CONTACTS_FROM_LISTS"
EXPORT = "EXPORT_CONTACTS"
TYPES = ADD_TYPES + (REMOVE, CLEAR, EXPORT)

MAX_LISTS = 50  # V3: list_ids per activity
REMOVE_BATCH = 500  # V3: source.contact_ids per remove_list_memberships
LISTS_PER_MEMBER_QUERY = 25  # V3: list ids per GET /contacts?lists=
MEMBER_PAGE = 500
NOT_A_MEMBER = "not a member of the lists (nothing to remove)"

# The resolved lists of an activity: V3 ids (in the caller's order), the export statuses of
# system lists, and how the caller named each V3 id (for messages).
Targets = namedtuple("Targets", "ids statuses shown")


# -- reading -----------------------------------------------------------------------------------

def get_activities(ctx):
    """Every activity V3 reports (the last 10 days), split imports folded into one."""
    activities = list(ctx.client.paginate("/activities", "activities"))
    by_id = {a.get("activity_id"): a for a in activities}
    memory = memory_for(ctx)
    result = []
    for activity in activities:
        activity_id = activity.get("activity_id")
        if memory.is_later_part(activity_id):
            continue
        record = memory.activity_record(activity_id)
        parts = [activity]
        if record is not None:
            parts = [by_id[p] for p in record.parts if p in by_id] or [activity]
        result.append(legacy_activity(ctx, parts, record))
    return result


def get_activity(ctx, activity_id_number):
    activity_id = ctx.v3_id("activities", activity_id_number)
    record = memory_for(ctx).activity_record(activity_id)
    part_ids = record.parts if record is not None else [activity_id]
    parts = [ctx.client.get(f"/activities/{part}") or {} for part in part_ids]
    return legacy_activity(ctx, parts, record)


# -- creating ----------------------------------------------------------------------------------

def create_activity(ctx, type, lists, data=None, filename=None):
    kind = _activity_type(ctx, type)
    refs = _list_refs(ctx, lists, allow_system=kind == EXPORT)
    prepared, problem = _attempt(_prepare, kind, data, filename)
    if problem:
        ctx.invalid(f"{kind}: {problem}")
    if not refs:
        ctx.invalid(f"{kind} needs at least one list")
    if len(refs) > MAX_LISTS:
        ctx.invalid(f"{kind}: V3 takes at most {MAX_LISTS} lists per activity, got {len(refs)}")
    targets = _resolve_lists(ctx, refs)
    if kind in ADD_TYPES:
        return _add(ctx, kind, targets, prepared, filename)
    if kind == REMOVE:
        return _remove(ctx, targets, prepared)
    if kind == CLEAR:
        body = {"source": {"list_ids": targets.ids}, "list_ids": targets.ids}
        return _created(ctx, kind, [_post(ctx, targets, "/activities/remove_list_memberships", body)])
    return _export(ctx, targets, prepared)


def _prepare(kind, data, filename):
    """Read and check the caller's data for `kind` (DataError when unusable)."""
    if data is not None and filename is not None and kind != EXPORT:
        raise DataError("give data or filename, not both")
    if kind == EXPORT:
        if filename is not None:
            raise DataError("exports take options in data, not a file")
        return activity_export.plan_export(data)
    if kind == CLEAR:
        if data or filename is not None:
            raise DataError("clearing lists takes no data")
        return None
    if filename is not None:
        table = activity_data.read_file(os.fspath(filename))
    elif data is None:
        raise DataError("data (columns and rows) or filename is required")
    else:
        table = activity_data.read_data(data)
    activity_data.require_emails(table)
    if kind in ADD_TYPES:
        activity_import.check_importable(table)
    return table


def _add(ctx, kind, targets, table, filename):
    keys = activity_import.custom_keys_needed(table)
    if activity_import.missing_custom_fields(ctx, keys):
        # The one place the lists are checked before the import: the missing custom field
        # definitions are created (written) before the import request, and V3 would only
        # refuse an unknown list on that request, leaving the new definitions behind.
        _check_lists_exist(ctx, targets)
    names = activity_import.ensure_custom_fields(ctx, keys)
    rows = activity_import.import_rows(table, names)
    requests, problem = _attempt(_import_requests, rows, targets.ids, filename)
    if problem:
        ctx.invalid(f"{kind}: {problem}")
    record = ActivityRecord(kind, [], emails=table.emails())
    for start, path, payload in requests:
        _post_part(ctx, targets, record, path, payload)
        record.line_offsets.append(activity_data.Table.line_of(start))
    return _remember(ctx, record)


def _import_requests(rows, list_ids, filename):
    """[(first row index, path, request arguments)] of the import requests."""
    if filename is None:
        return [(start, "/activities/contacts_json_import", {"json": {"import_data": part, "list_ids": list_ids}})
                for start, part in activity_import.json_chunks(rows, list_ids)]
    name = os.path.basename(os.fspath(filename)) or "contacts.csv"
    return [(start, "/activities/contacts_file_import",
             {"files": {"file": (name, body, "text/csv")}, "data": {"list_ids": ",".join(list_ids)}})
            for start, body in activity_import.csv_chunks(rows, list_ids)]


def _attempt(func, *args):
    """(result, None), or (None, message) when the caller's data is unusable."""
    try:
        return func(*args), None
    except DataError as err:
        return None, str(err)


def _remove(ctx, targets, table):
    list_ids = targets.ids
    emails = table.emails()
    lines = {}
    for index, email in enumerate(emails):
        lines.setdefault(email.lower(), activity_data.Table.line_of(index))
    try:
        members = _members(ctx, [e for e in dict.fromkeys(e.lower() for e in emails)], list_ids)
    except (ValidationError, NotFoundError) as err:
        _name_unknown_lists(ctx, targets, err)
        raise
    skipped = [
        shapes.make(shapes.ACTIVITY_ERROR, line_number=str(line), email_address=emails[line - 2], message=NOT_A_MEMBER)
        for email, line in lines.items() if email not in members
    ]
    contact_ids = list(dict.fromkeys(members[e] for e in lines if e in members))
    if not contact_ids:
        _name_unknown_lists(ctx, targets)  # an unknown list has no members: say so rather than the below
        ctx.invalid(f"{REMOVE}: none of the {len(lines)} addresses is a member of the lists; nothing to remove")
    record_lines = dict(lines)
    for email, contact_id in members.items():
        record_lines[contact_id.lower()] = lines[email]
    record = ActivityRecord(REMOVE, [], skipped=skipped, emails=emails, lines=record_lines)
    for batch in _groups(contact_ids, REMOVE_BATCH):
        body = {"source": {"contact_ids": batch}, "list_ids": list_ids}
        _post_part(ctx, targets, record, "/activities/remove_list_memberships", {"json": body})
    return _remember(ctx, record)


def _export(ctx, targets, plan):
    if len(targets.statuses) > 1:
        ctx.invalid(f"{EXPORT}: one system list at a time ({', '.join(targets.statuses)} given)")
    names = {}
    if plan.custom_keys:
        names = registry_for(ctx).names_for(plan.custom_keys, create=False)
    body = plan.body(targets.ids, targets.statuses, names)
    return _created(ctx, EXPORT, [_post(ctx, targets, "/activities/contact_exports", body)])


# -- steps -------------------------------------------------------------------------------------

def _activity_type(ctx, value):
    word = value.strip().upper().replace(" ", "_").replace("-", "_") if isinstance(value, str) else None
    if word not in TYPES:
        ctx.invalid(f"unknown activity type {value!r}; expected one of {', '.join(TYPES)}")
    return word


def _list_refs(ctx, lists, allow_system):
    """The caller's lists, parsed (no request): a list of URIs/ids, one id, or the README's
    {'list_id': uri} form; dicts with an 'id' (get_campaign's contact_lists) work too."""
    if lists is None:
        values = []
    elif isinstance(lists, dict):
        values = []
        for value in lists.values():
            values.extend(value if isinstance(value, (list, tuple)) else [value])
    elif isinstance(lists, (str, int)):
        values = [lists]
    elif isinstance(lists, (list, tuple, set)):
        values = list(lists)
    else:
        ctx.invalid(f"lists must be a list of list ids or URIs, got {type(lists).__name__}")
    refs = []
    for value in values:
        if isinstance(value, dict):
            value = value.get("id")
        parsed = ctx.parse(value, "lists")
        if parsed.form == "system" and not allow_system:
            ctx.invalid(f"the system list {value!r} cannot be used here (only EXPORT_CONTACTS selects by it)")
        if parsed not in refs:
            refs.append(parsed)
    return refs


def _resolve_lists(ctx, refs):
    """The Targets of parsed refs. V2 numbers go through the xref endpoint in one batch (an
    unknown one is InvalidInputError); V3 ids are taken as given: V3 refuses an unknown list
    on the activity request itself, before it writes anything (see _name_unknown_lists)."""
    numbers = [ref.v2_number for ref in refs if ref.form == "v2"]
    mapped = ctx.resolver.resolve("lists", numbers) if numbers else {}
    list_ids, statuses, shown = [], [], {}
    for ref in refs:
        if ref.form == "system":
            statuses.append(activity_export.SYSTEM_LIST_STATUS[ref.value])
            continue
        v3_id = mapped.get(ref.v2_number) if ref.form == "v2" else ref.value
        if not v3_id:
            ctx.invalid(f"unknown list {ref.value} (V3 has no list for this V2 id)")
        if v3_id not in list_ids:
            list_ids.append(v3_id)
            shown[v3_id] = ref.value
    return Targets(list_ids, statuses, shown)


def _unknown_lists(ctx, targets):
    """How the caller named each of the target lists V3 does not have (one listing read)."""
    if not targets.ids:
        return []
    existing = {item.get("list_id") for item in ctx.client.paginate("/contact_lists", "lists")}
    return [str(targets.shown[i]) for i in targets.ids if i not in existing]


def _check_lists_exist(ctx, targets):
    missing = _unknown_lists(ctx, targets)
    if missing:
        ctx.invalid(f"unknown list(s): {', '.join(missing)}")


def _name_unknown_lists(ctx, targets, refusal=None):
    """After V3 refused an activity before anything was written (`refusal`: its 400/404),
    or found no member to remove, raise InvalidInputError naming the unknown lists, if that
    is the reason; otherwise return (the caller goes on with its own error). The listing is
    read only on this failure path, never before a request that succeeds."""
    if isinstance(refusal, InvalidInputError):
        return
    try:
        missing = _unknown_lists(ctx, targets)
    except CTCTError:
        return  # the original error says more than a failed listing
    if missing:
        reason = f" (V3: {refusal.message})" if refusal is not None else ""
        raise InvalidInputError(f"unknown list(s): {', '.join(missing)}; nothing was written{reason}") from refusal


def _members(ctx, emails, list_ids):
    """{lower-case email: contact_id} of the addresses that are members of any of the lists."""
    found = {}
    wanted = set(emails)
    if len(wanted) == 1:
        return _members_by_lookup(ctx, emails, list_ids)
    for group in _groups(list_ids, LISTS_PER_MEMBER_QUERY):
        seen = 0
        params = {"lists": ",".join(group), "include_count": "true"}
        for page in ctx.client.pages("/contacts", params):
            contacts = (page or {}).get("contacts") or []
            seen += len(contacts)
            for contact in contacts:
                address = ((contact.get("email_address") or {}).get("address") or "").lower()
                if address in wanted and address not in found:
                    found[address] = contact["contact_id"]
            unresolved = [e for e in emails if e not in found]
            if not unresolved:
                return found
            total = (page or {}).get("contacts_count")
            if isinstance(total, int):
                pages_left = math.ceil(max(total - seen, 0) / MEMBER_PAGE)
                if pages_left > len(unresolved):
                    # one lookup per remaining address is cheaper than the rest of the lists
                    found.update(_members_by_lookup(ctx, unresolved, list_ids))
                    return found
    return found


def _members_by_lookup(ctx, emails, list_ids):
    found = {}
    targets = set(list_ids)
    for email in emails:
        body = ctx.client.get("/contacts", params={"email": email, "include": "list_memberships"}) or {}
        for contact in body.get("contacts") or []:
            address = ((contact.get("email_address") or {}).get("address") or "").lower()
            if address == email and targets.intersection(contact.get("list_memberships") or ()):
                found[email] = contact["contact_id"]
    return found


def _post(ctx, targets, path, body):
    """Post a one-request activity; a 400/404 (nothing queued) naming an unknown list
    becomes InvalidInputError."""
    try:
        created = ctx.client.post(path, json=body) or {}
    except (ValidationError, NotFoundError) as err:
        _name_unknown_lists(ctx, targets, err)
        raise
    activity_id = created.get("activity_id")
    if not activity_id:
        raise CTCTError(f"{path} answered without an activity_id", method="POST", path=path)
    return activity_id


def _post_part(ctx, targets, record, path, payload):
    """Send one part of a job. If the first part is refused (400/404: nothing was queued),
    an unknown list is named as the reason. If a later part fails, the earlier parts are
    remembered (and named in the log) before the error goes on, so they stay visible
    through get_activity."""
    try:
        created = ctx.client.request("POST", path, **payload) or {}
        activity_id = created.get("activity_id")
        if not activity_id:
            raise CTCTError(f"{path} answered without an activity_id", method="POST", path=path)
    except CTCTError as err:
        if record.parts:
            _remember(ctx, record)
            log.warning("ctct: %s stopped after %d part(s) were accepted; the first is %s",
                        record.legacy_type, len(record.parts), ctx.uri("activities", record.parts[0]))
        elif isinstance(err, (ValidationError, NotFoundError)):
            _name_unknown_lists(ctx, targets, err)
        raise
    record.parts.append(activity_id)
    return activity_id


def _created(ctx, kind, activity_ids):
    return _remember(ctx, ActivityRecord(kind, activity_ids))


def _remember(ctx, record):
    memory_for(ctx).remember_activity(record)
    return ctx.uri("activities", record.parts[0])


def _groups(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]
