"""Contact list methods of the legacy connection, on V3's /contact_lists and /contacts.

Requests per call: get_contact_lists 1 per 1,000 lists; get_contact_list 1 (0 for a system
list); get_contact_list_members 1 per 500 members; create_contact_list 1;
update_contact_list 2 (GET + PUT, 1 when nothing V3 stores changes); delete_contact_list 1.
A V2 list number adds one xref lookup the first time the connection sees it.
"""
import logging
import re

from . import ids, mapping

log = logging.getLogger("ctct")

MEMBERS_PAGE = 500


def _list_id(ctx, value):
    """("system", key) for the XML API's system lists, else ("v3", list id)."""
    parsed = ids.parse(value, "lists")
    if parsed.form == "system":
        return "system", parsed.value
    return "v3", ctx.v3_id("lists", value)


def get_contact_lists(ctx, path=None, exclude=()):
    """Every list, all pages. `path` (the V2 paging path) is accepted and not needed: every
    page is read here. Lists named in `exclude` (DO_NOT_INCLUDE_LISTS) are left out, as the
    2009 client left out the system lists."""
    if path is not None:
        log.debug("ctct: get_contact_lists(path=%r): V2 paging paths are not used on V3; reading every page", path)
    result = []
    for contact_list in ctx.client.paginate("/contact_lists", "lists"):
        summary = mapping.v3_list_to_summary(contact_list, uri=lambda i: ctx.uri("lists", i))
        if summary["name"] not in exclude:
            result.append(summary)
    return result


def get_contact_list(ctx, list_id_number):
    form, list_id = _list_id(ctx, list_id_number)
    if form == "system":
        return mapping.system_list(list_id, uri=lambda i: ctx.uri("lists", i))
    contact_list = ctx.client.get(f"/contact_lists/{list_id}")
    return mapping.v3_list_to_legacy(contact_list, uri=lambda i: ctx.uri("lists", i))


_MEMBERS_PATH = re.compile(r"lists/(?P<id>[^/?#]+)/members")


def get_contact_list_members(ctx, list_id_number=None, path=None):
    """Members as {id, name, email_address, updated}; name is "Last, First" as V2's member
    feeds gave it. The system lists (active, do-not-mail, removed) read the contacts with
    the matching V3 status (active, unsubscribed, deleted) whose legacy status word is the
    list's name."""
    if list_id_number is None and path:
        match = _MEMBERS_PATH.search(str(path))  # a V2 members path names its list
        if match:
            list_id_number = match.group("id")
    if list_id_number is None:
        ctx.invalid("get_contact_list_members needs a list id")
    form, list_id = _list_id(ctx, list_id_number)
    wanted_status = None
    if form == "system":
        params = {"status": mapping.SYSTEM_LIST_FILTERS[list_id]}
        # V3's status=active also counts pending confirmations; V2's Active list did not
        wanted_status = mapping.SYSTEM_LIST_NAMES[list_id]
    else:
        params = {"lists": list_id}
    uri = lambda i: ctx.uri("contacts", i)  # noqa: E731
    return [mapping.v3_contact_to_member(c, uri=uri)
            for c in ctx.client.paginate("/contacts", "contacts", params, page_size=MEMBERS_PAGE)
            if wanted_status is None or mapping.legacy_status(c) == wanted_status]


def create_contact_list(ctx, contact_list_name):
    name = mapping.check_list_name(contact_list_name)
    ctx.client.post("/contact_lists", json={"name": name})
    return True


def update_contact_list(ctx, params, list_id_number):
    """GET, merge, PUT: the fields not given keep their values, and the caller's dict is
    never changed. opt_in_default, short_name and sort_order have no V3 home and are
    ignored (logged)."""
    clean = mapping.validate_list_params(params)
    form, list_id = _list_id(ctx, list_id_number)
    if form == "system":
        ctx.invalid(f"the system list {list_id!r} cannot be changed")
    dropped = sorted(k for k in params if k in ("opt_in_default", "short_name", "sort_order"))
    if dropped:
        log.info("ctct: update_contact_list: %s have no V3 equivalent and were ignored", ", ".join(dropped))
    current = ctx.client.get(f"/contact_lists/{list_id}")
    body = mapping.legacy_list_to_v3(clean, base=current)
    if all(current.get(k) == body.get(k) for k in mapping.LIST_WRITABLE):
        return True
    ctx.client.put(f"/contact_lists/{list_id}", json=body)
    return True


def delete_contact_list(ctx, list_id_number):
    """True once V3 accepted the deletion (202: V3 deletes lists in a background activity)."""
    form, list_id = _list_id(ctx, list_id_number)
    if form == "system":
        ctx.invalid(f"the system list {list_id!r} cannot be deleted")
    ctx.client.delete(f"/contact_lists/{list_id}")
    return True
