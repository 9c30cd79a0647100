"""List membership changes and deletes: `add_list_memberships`, `remove_list_memberships`,
`contact_delete`, `list_delete`.

The source of a membership change is resolved when the job runs (after every job queued
before it), so it sees the account those jobs left. Contacts that cannot be changed (unknown
ids, deleted, unsubscribed ones named by id, a 51st list) are reported in activity_errors.
"""
from ..api import contacts as contacts_area
from ..api import lists as lists_area
from ..http import bad_request
from ..jobs import JobKind, JobResult, register_kind
from .common import (MAX_CONTACT_IDS, MAX_LIST_DELETE, MAX_LISTS, MAX_LISTS_PER_CONTACT, exclude_ids, id_list,
                     is_active, is_unsubscribed, only_keys, target_lists, unknown_segment)

SOURCE_KEYS = ("contact_ids", "list_ids", "all_active_contacts", "segment_id", "tag_ids", "engagement_level")
STATUS_KEYS = ("items_total_count", "items_completed_count", "list_count")


# -- sources --------------------------------------------------------------------------------


def validate_source(store, source, missing_status=400):
    """{kind: value} for a membership `source` object (exactly one kind)."""
    if source is None:
        raise bad_request("source is required.")
    if not isinstance(source, dict):
        raise bad_request("source must be an object.")
    only_keys(source, SOURCE_KEYS, "source")
    if "all_active_contacts" in source and not isinstance(source["all_active_contacts"], bool):
        raise bad_request("source.all_active_contacts must be true or false.")
    # the SDKs send all_active_contacts: false next to the real source
    chosen = [k for k in SOURCE_KEYS if k in source and source[k] is not None and source[k] is not False]
    if len(chosen) != 1:
        raise bad_request("source must specify exactly one of: " + ", ".join(SOURCE_KEYS) + ".")
    kind = chosen[0]
    value = source[kind]
    if kind == "contact_ids":
        value = id_list(value, "source.contact_ids", MAX_CONTACT_IDS, minimum=1)
    elif kind == "list_ids":
        value = target_lists(store, {"source.list_ids": value}, "source.list_ids", missing_status=missing_status)
    elif kind == "tag_ids":
        value = id_list(value, "source.tag_ids", MAX_LISTS, minimum=1)
    elif kind == "segment_id":
        raise unknown_segment(value, "source.segment_id")
    elif kind == "engagement_level":
        raise bad_request("source.engagement_level is not available in this account.")
    return {kind: value}


def resolve_source(store, source, exclude=()):
    """The contact ids a source names, in a stable order, without `exclude`."""
    kind, value = next(iter(source.items()))
    if kind == "contact_ids":
        ids = list(value)
    elif kind == "list_ids":
        ids = []
        for list_id in value:
            if list_id in store.contact_lists:
                ids.extend(contacts_area.list_member_ids(store, list_id))
    elif kind == "all_active_contacts":
        ids = [c["contact_id"] for c in store.contacts.values() if is_active(c)]
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


# -- add / remove list memberships ----------------------------------------------------------


def validate_membership(store, body, *, missing_status=400):
    """The payload of an add_list_memberships body (and of remove_list_memberships, whose
    V3 description answers 404 for lists that do not exist: `validate_removal`)."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    only_keys(body, ("source", "list_ids", "exclude"))
    source = validate_source(store, body.get("source"), missing_status)
    list_ids = target_lists(store, body, missing_status=missing_status)
    exclude = exclude_ids(body.get("exclude"), allowed=next(iter(source)) in ("list_ids", "all_active_contacts"))
    return {"source": source, "list_ids": list_ids, "exclude": exclude}


def validate_removal(store, body):
    return validate_membership(store, body, missing_status=404)


def _membership_initial(payload):
    return {"items_total_count": 0, "items_completed_count": 0, "list_count": len(payload["list_ids"])}


def _membership_progress(store, payload, fraction):
    total = len(resolve_source(store, payload["source"], payload.get("exclude")))
    return {"items_total_count": total, "items_completed_count": int(total * fraction),
            "list_count": len(payload["list_ids"])}


def _run_membership(store, payload, adding):
    targets = [i for i in payload["list_ids"] if i in store.contact_lists]
    ids = resolve_source(store, payload["source"], payload.get("exclude"))
    named = "contact_ids" in payload["source"]
    errors = []
    done = 0
    for contact_id in ids:
        contact = store.contacts.get(contact_id)
        if contact is None or contact.get("deleted_at"):
            errors.append(f"contact_id {contact_id} was not found.")
            continue
        if adding:
            if is_unsubscribed(contact):
                if named:
                    errors.append(f"contact_id {contact_id} is unsubscribed and cannot be added to lists.")
                continue
            if len(set(contact.get("list_memberships") or ()).union(targets)) > MAX_LISTS_PER_CONTACT:
                errors.append(f"contact_id {contact_id} would be on more than {MAX_LISTS_PER_CONTACT} lists.")
                continue
            contacts_area.set_memberships(store, contact_id, add=targets)
        else:
            contacts_area.set_memberships(store, contact_id, remove=targets)
        done += 1
    status = {"items_total_count": len(ids), "items_completed_count": done, "list_count": len(payload["list_ids"])}
    return JobResult(status, errors)


register_kind(JobKind("add_list_memberships", lambda store, payload: _run_membership(store, payload, True),
                      _membership_initial, _membership_progress, STATUS_KEYS))
register_kind(JobKind("remove_list_memberships", lambda store, payload: _run_membership(store, payload, False),
                      _membership_initial, _membership_progress, STATUS_KEYS))


# -- contact_delete -------------------------------------------------------------------------


def validate_contact_delete(store, body):
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    only_keys(body, ("contact_ids", "list_ids"))
    given = [k for k in ("contact_ids", "list_ids") if body.get(k) is not None]
    if len(given) != 1:
        raise bad_request("Specify either contact_ids or list_ids (exactly one of them).")
    if given[0] == "contact_ids":
        return {"contact_ids": id_list(body["contact_ids"], "contact_ids", MAX_CONTACT_IDS, minimum=1)}
    return {"list_ids": target_lists(store, body)}


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
        contacts_area.delete_contact(store, contact_id)  # deleting twice changes nothing
        done += 1
    status = {"items_total_count": len(ids), "items_completed_count": done,
              "list_count": len(payload.get("list_ids") or ())}
    return JobResult(status, errors)


register_kind(JobKind("contact_delete", run_contact_delete, _delete_initial, _delete_progress, STATUS_KEYS))


# -- list_delete ----------------------------------------------------------------------------


def validate_list_delete(store, body):
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    only_keys(body, ("list_ids",))
    return {"list_ids": target_lists(store, body, maximum=MAX_LIST_DELETE)}


def run_list_delete(store, payload):
    for list_id in payload["list_ids"]:
        # a list already gone (deleted since the request was accepted) counts as deleted
        if list_id in store.contact_lists:
            lists_area.delete_list(store, list_id)
    return JobResult({"list_count": len(payload["list_ids"])})


register_kind(JobKind(
    "list_delete", run_list_delete,
    lambda payload: {"list_count": 0},
    lambda store, payload, fraction: {"list_count": int(len(payload["list_ids"]) * fraction)},
    ("list_count",)))
