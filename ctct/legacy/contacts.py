"""Contact methods of the legacy connection, on V3's /contacts.

Requests per call (a fresh connection adds one GET /contact_custom_fields the first time a
contact carries custom fields, and one xref lookup per batch of V2 numbers it has not seen):
  get_contacts            1 per 500 contacts (email=: 1)
  query_contacts          1 per address for up to 3 addresses; otherwise the first page of
                          all contacts tells how many there are, and the rest is read page by
                          page or address by address, whichever is fewer:
                          min(ceil(contacts / 500), 1 + addresses not on the first page)
  get_contact             1 (by email too: one filtered listing with every subresource)
  create_contact          1 (+1 per custom field definition the account lacks, once)
  update_contact          2: read with every subresource, merge, PUT (the definitions are
                          read only for keys kept in custom fields: names, middle name,
                          email type, address parts, custom_field1..15)
  delete_contact          2: read, PUT permission_to_send=unsubscribed (1 if already so);
                          hard=True: 1 DELETE by id, 2 by email
"""
import logging
import math
from urllib.parse import parse_qs, urlsplit

from ..v3.errors import InvalidInputError, NotFoundError
from . import ids, mapping
from .custom_fields import registry_for
from .refs import ListRef

log = logging.getLogger("ctct")

PAGE = 500
INCLUDE_ALL = "custom_fields,list_memberships,phone_numbers,street_addresses,notes"
PER_ADDRESS_UP_TO = 3  # query_contacts: below this, one filtered request per address


# -- helpers ------------------------------------------------------------------------------------

def _contact_uri(ctx):
    return lambda contact_id: ctx.uri("contacts", contact_id)


def _list_ref(ctx):
    return lambda list_id: ListRef(ctx.uri("lists", list_id))


def _field_keys(ctx, contacts):
    """{custom_field_id: legacy key}; no request unless a contact carries custom fields."""
    needed = {e.get("custom_field_id") for c in contacts for e in c.get("custom_fields") or ()}
    needed.discard(None)
    if not needed:
        return {}
    return registry_for(ctx).keys_by_id(needed)


def _by_email(ctx, email, include=None):
    """The V3 contact with this address (deleted ones too), or NotFoundError."""
    address = mapping.check_email(email)
    params = {"email": address, "status": "all"}
    if include:
        params["include"] = include
    body = ctx.client.get("/contacts", params=params) or {}
    for contact in body.get("contacts") or ():
        if ((contact.get("email_address") or {}).get("address") or "").lower() == address.lower():
            return contact
    raise NotFoundError(f"no contact with the email address {address}", status=404, method="GET", path="/contacts")


def _target(ctx, email, contact_id_number, include=None):
    """The contact named by id (preferred, as the 2009 client did) or by email."""
    if contact_id_number not in (None, ""):
        contact_id = ctx.v3_id("contacts", contact_id_number)
        return ctx.client.get(f"/contacts/{contact_id}", params={"include": include} if include else None)
    if email in (None, ""):
        ctx.invalid("an email address or a contact id is required")
    return _by_email(ctx, email, include)


def _target_id(ctx, email, contact_id_number):
    if contact_id_number not in (None, ""):
        return ctx.v3_id("contacts", contact_id_number)
    if email in (None, ""):
        ctx.invalid("an email address or a contact id is required")
    return _by_email(ctx, email)["contact_id"]


def _resolve_lists(ctx, refs):
    """V3 list ids for a contact_lists value; V2 numbers resolved in one batched lookup."""
    numbers = [p.v2_number for p in (ids.parse(ref, "lists") for ref in refs) if p.form == "v2"]
    if numbers:
        ctx.resolver.resolve("lists", numbers)  # one request; v3_id below reads the cache
    return [ctx.v3_id("lists", ref) for ref in refs]


def _summaries(ctx, contacts):
    field_keys = _field_keys(ctx, contacts)
    uri = _contact_uri(ctx)
    return [mapping.v3_contact_to_summary(c, field_keys, uri=uri) for c in contacts]


def _check_emails(emails):
    if isinstance(emails, str):
        emails = [emails]
    if emails is None or isinstance(emails, (bytes, dict)) or not hasattr(emails, "__iter__"):
        raise InvalidInputError(f"emails must be a list of email addresses, got {type(emails).__name__}")
    wanted = {}
    for email in emails:
        address = mapping.check_email(email)
        wanted.setdefault(address.lower(), address)
    return wanted


# -- the methods --------------------------------------------------------------------------------

def get_contacts(ctx, email=None, path=None):
    """Every contact (deleted ones too, status "Removed", as V2 listed them) in the summary
    shape; with email=, the one contact with that address ([] when none)."""
    if email is None and path:
        email = (parse_qs(urlsplit(str(path)).query).get("email") or [None])[0]
    if email is not None:
        try:
            return _summaries(ctx, [_by_email(ctx, email, "custom_fields")])
        except NotFoundError:
            return []
    contacts = list(ctx.client.paginate("/contacts", "contacts", {"status": "all", "include": "custom_fields"},
                                        page_size=PAGE))
    return _summaries(ctx, contacts)


def query_contacts(ctx, emails, path=None):
    """The contacts with any of these addresses, in the order given (unknown ones left out).

    V3's `email` filter takes one address, so the cost is the smaller of one request per
    address and reading every contact (see the module doc for the exact rule)."""
    wanted = _check_emails(emails)
    if path is not None:
        log.debug("ctct: query_contacts(path=...): V2 paging paths are not used on V3")
    found = {}
    read_everything = False
    if len(wanted) > PER_ADDRESS_UP_TO:
        params = {"status": "all", "include": "custom_fields", "include_count": "true"}
        pages = ctx.client.pages("/contacts", params, page_size=PAGE)
        first = next(pages) or {}
        _collect(first, wanted, found)
        total = first.get("contacts_count")
        remaining_pages = math.ceil(total / PAGE) - 1 if isinstance(total, int) else None
        missing = len(wanted) - len(found)
        read_everything = remaining_pages == 0
        if missing and remaining_pages is not None and remaining_pages <= missing:
            read_everything = True
            for page in pages:
                _collect(page or {}, wanted, found)
                if len(found) == len(wanted):
                    break
    for key, address in wanted.items():
        if key not in found and not read_everything:
            try:
                found[key] = _by_email(ctx, address, "custom_fields")
            except NotFoundError:
                pass
    return _summaries(ctx, [found[key] for key in wanted if key in found])


def _collect(page, wanted, found):
    for contact in page.get("contacts") or ():
        key = ((contact.get("email_address") or {}).get("address") or "").lower()
        if key in wanted:
            found[key] = contact


def get_contact(ctx, email=None, contact_id_number=None):
    contact = _target(ctx, email, contact_id_number, INCLUDE_ALL)
    return mapping.v3_contact_to_legacy(contact, _field_keys(ctx, [contact]), uri=_contact_uri(ctx),
                                        list_uri=_list_ref(ctx))


def create_contact(ctx, params):
    plan = mapping.plan_contact_write(params)  # every check before the first request
    list_ids = _resolve_lists(ctx, plan.list_refs) if plan.list_refs is not None else None
    field_ids = registry_for(ctx).ids_for(plan.custom_keys_to_set) if plan.custom_keys_to_set else {}
    ctx.client.post("/contacts", json=plan.finish(field_ids, list_ids))
    return True


def update_contact(ctx, params, email=None, contact_id_number=None):
    """Read, merge, PUT: V3's PUT blanks the core fields it is not given, so the current
    contact is read with every subresource and the caller's fields are laid over it;
    fields and list memberships not mentioned survive. The caller's dict is not changed."""
    mapping.validate_contact_params(params, creating=False)  # bad input costs no request
    current = _target(ctx, email, contact_id_number, INCLUDE_ALL)
    field_keys = _field_keys(ctx, [current]) if mapping.touches_custom_fields(params) else {}
    plan = mapping.plan_contact_write(params, current, field_keys)
    list_ids = _resolve_lists(ctx, plan.list_refs) if plan.list_refs is not None else None
    field_ids = {}
    if plan.custom_values:
        registry = registry_for(ctx)
        removed = [key for key, value in plan.custom_values.items() if value is None]
        field_ids = registry.ids_for(removed, create=False)  # nothing to remove without a definition
        field_ids.update(registry.ids_for(plan.custom_keys_to_set))
    ctx.client.put(f"/contacts/{current['contact_id']}", json=plan.finish(field_ids, list_ids))
    return True


def delete_contact(ctx, email=None, contact_id_number=None, hard=False):
    """The 2009 meaning: the contact goes to Do Not Mail, which on V3 is unsubscribing
    (PUT email_address.permission_to_send = unsubscribed; its lists are kept). hard=True
    deletes it on V3 instead (DELETE; V3 can revive a deleted contact)."""
    if hard:
        contact_id = _target_id(ctx, email, contact_id_number)
        ctx.client.delete(f"/contacts/{contact_id}")
        return True
    current = _target(ctx, email, contact_id_number)
    if (current.get("email_address") or {}).get("permission_to_send") == "unsubscribed" and not current.get("deleted_at"):
        return True
    plan = mapping.plan_contact_write({"status": mapping.DO_NOT_MAIL}, current, {})
    ctx.client.put(f"/contacts/{current['contact_id']}", json=plan.finish({}))
    return True
