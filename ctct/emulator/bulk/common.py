"""Limits and body checks shared by the bulk activity kinds (V3's numbers)."""
from ..http import bad_request, not_found

MAX_LISTS = 50  # target lists of an import or membership change; source lists
MAX_CONTACT_IDS = 500
MAX_LIST_DELETE = 100
MAX_LISTS_PER_CONTACT = 50


def only_keys(obj, allowed, where="the request body"):
    unknown = sorted(set(obj) - set(allowed))
    if unknown:
        raise bad_request(f"Unknown field(s) in {where}: {', '.join(unknown)}.")


def id_list(value, name, maximum, *, minimum=0):
    """A de-duplicated list of id strings, or 400."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise bad_request(f"{name} must be an array of id strings.")
    if len(value) > maximum:
        raise bad_request(f"{name} accepts at most {maximum} ids; {len(value)} were given.")
    ids = list(dict.fromkeys(v.strip() for v in value))
    if len(ids) < minimum:
        raise bad_request(f"{name} must contain at least {minimum} id{'s' if minimum > 1 else ''}.")
    return ids


def existing_lists(store, ids, name="list_ids", *, missing_status=400):
    """`ids` when every list exists. Otherwise 404 for the operations whose V3 description
    documents a 404 (file import, remove_list_memberships, contact_exports), else 400."""
    missing = [i for i in ids if i not in store.contact_lists]
    if missing:
        message = f"{name} contains list ids that do not exist: {', '.join(missing[:5])}."
        if missing_status == 404:
            raise not_found(message)
        raise bad_request(message)
    return ids


def target_lists(store, body, name="list_ids", maximum=MAX_LISTS, *, missing_status=400):
    """The required list of existing target lists (1..maximum)."""
    if name not in body:
        raise bad_request(f"{name} is required.")
    ids = id_list(body[name], name, maximum, minimum=1)
    return existing_lists(store, ids, name, missing_status=missing_status)


def exclude_ids(exclude, allowed, maximum=10**6):
    """`exclude: {contact_ids: [...]}` as a list of ids."""
    if exclude is None:
        return []
    if not isinstance(exclude, dict):
        raise bad_request("exclude must be an object.")
    only_keys(exclude, ("contact_ids",), "exclude")
    if not allowed:
        raise bad_request("exclude applies only when the source is list_ids or all_active_contacts.")
    return id_list(exclude.get("contact_ids", []), "exclude.contact_ids", maximum)


def unknown_segment(value, name="segment_id"):
    """The emulated account has no segments: any segment_id is a 400."""
    if not isinstance(value, int) or isinstance(value, bool):
        return bad_request(f"{name} must be an integer.")
    return bad_request(f"{name} {value} does not exist.")


def is_unsubscribed(contact):
    return (contact.get("email_address") or {}).get("permission_to_send") == "unsubscribed"


def is_active(contact):
    """V3's "active (billable)": not deleted, not unsubscribed."""
    return not contact.get("deleted_at") and not is_unsubscribed(contact)
