"""`to_seed(directory)`: captured V2 Atom payloads -> an emulator seed (V3 request bodies).

Every `*.xml` / `*.atom` file under the directory is read with the codec. Lists, contacts
(full entries, feed summaries and list member feeds, which also give memberships) and
campaigns become the seed's "contact_lists", "contacts" and "emails" items, each carrying
"v2_id" from its V2 URI, so the emulator's xref endpoints map the old numbers to the new ids
and a legacy suite's ids keep resolving. The same resource seen in several payloads is merged
(full entries win over summaries). Contacts go through the facade's own mapping
(`ctct.legacy.mapping`), so what `CTCTConnection` reads back is what the payloads said.

Where V2 and V3 differ:
  - system lists (active, do-not-mail, removed) are statuses on V3, not lists: skipped;
  - a list a contact or campaign names but no payload describes becomes a list named
    "List <v2 id>" (V3 needs it to exist);
  - contacts with status "Removed" are seeded deleted; "Do Not Mail" as unsubscribed;
  - campaigns: Draft stays Draft; Sent, Running and the archive states become Done (sent
    to their lists' members at their last run date; V2's per-campaign counters are not
    replayed); Scheduled stays Scheduled when it has lists. The subject, from name and
    content come from the payload when it has them; V2's from/reply-to addresses are
    replaced by `from_email` (V3 only sends from confirmed account addresses; the default
    is the emulator account's).
Payloads of other kinds (events, activities, service documents, account addresses) are
skipped; files that cannot be read are skipped too. Both are logged at WARNING on "ctct".
"""
import logging
import re
import uuid
from pathlib import Path

from lxml import etree

from ..legacy import ids, mapping, shapes
from ..v3.errors import InvalidInputError
from .errors import AtomError
from .load import read_payload

log = logging.getLogger("ctct")

DEFAULT_FROM_EMAIL = "owner@example.com"  # the emulator account's confirmed address
_NAMESPACE = uuid.UUID("5f3c6b0e-4a1d-4e8e-9a54-2f0d3c1e7a90")  # stable ids for seeded objects
_CTCT_XMLNS = re.compile(r' xmlns="http://ws\.constantcontact\.com/ns/1\.0/"')
_USER = re.compile(r"/ws/customers/([^/]+)/")
_CAMPAIGN_STATUS = {"Draft": "Draft", "Sent": "Done", "Running": "Done", "Scheduled": "Scheduled",
                    "ArchivePending": "Done", "Archived": "Done", "ClosePending": "Done", "Closed": "Done"}
_CONTACT_KINDS = ("contacts", "contact", "list_members")
_USED_KINDS = _CONTACT_KINDS + ("contact_lists", "contact_list", "campaigns", "campaign")


def to_seed(directory, *, username=None, from_email=DEFAULT_FROM_EMAIL):
    """The emulator seed dict for a directory of V2 Atom payloads. One V3 account holds one
    V2 account's objects: when the payloads come from several V2 accounts (the username in
    their URIs), `username` picks one, by default the one with the most objects."""
    root = Path(directory)
    if not root.is_dir():
        raise FileNotFoundError(f"not a directory of Atom payloads: {root}")
    accounts = {}
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in (".xml", ".atom") and p.is_file()):
        try:
            parsed = read_payload(path.read_bytes(), source_name=str(path), observe=_extras)
        except AtomError as error:
            log.warning("atom: seed: skipped %s: %s", path, error)
            continue
        if parsed.kind not in _USED_KINDS:
            log.warning("atom: seed: skipped %s: %s payloads are not seeded", path, parsed.kind)
            continue
        _collect(accounts, parsed)
    return _choose(accounts, username).seed(from_email)


def _user_of(uri):
    match = _USER.search(uri or "")
    return match.group(1) if match else None


def _collect(accounts, parsed):
    """Add a payload's items to the account their URIs name (None: no URI says)."""
    feed_user = _user_of(parsed.feed_id)
    extras = parsed.extras or [None] * len(parsed.items)
    for item, extra in zip(parsed.items, extras):
        user = _user_of(item.get("id")) or feed_user
        accounts.setdefault(user, _Collected()).add(parsed.kind, item, extra, parsed.feed_id)


def _choose(accounts, username):
    unnamed = accounts.pop(None, None)
    if username is None and accounts:
        username = max(sorted(accounts), key=lambda user: accounts[user].size)
    chosen = accounts.pop(username, None) or _Collected()
    if accounts:
        log.warning("atom: seed: the payloads come from several V2 accounts; seeding %s, skipping %s",
                    username, ", ".join(sorted(accounts)))
    if unnamed is not None:
        chosen.merge(unnamed)
    return chosen


def _extras(view, kind):
    """What the seed needs beyond the legacy dict (read from the same entry)."""
    body = view.body
    if kind in ("campaign", "campaigns"):
        return {"subject": body.text("Subject"), "from_name": body.text("FromName"),
                "html_content": _markup(body.child("EmailContent")),
                "text_content": _markup(body.child("EmailTextContent"))}
    if kind in ("contact", "contacts"):
        return {"opt_in_source": body.text("OptInSource")}
    return None


def _markup(element):
    """An element's content as text: its text when escaped (as the API sent it), or the
    markup itself when a copy left it unescaped."""
    if element is None:
        return None
    inner = (element.text or "") + "".join(etree.tostring(child, encoding=str) for child in element)
    return _CTCT_XMLNS.sub("", inner)


def _v2_number(uri, kind):
    try:
        parsed = ids.parse(uri, kind)
    except (InvalidInputError, ValueError):
        return None
    return parsed if parsed.form in ("v2", "system") else None


def _stable_id(kind, v2):
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{v2}"))


class _Collected:
    """One V2 account's lists, contacts and campaigns, merged across payloads."""

    def __init__(self):
        self.lists = {}  # v2 -> {"name", "updated"}
        self.contacts = {}  # v2 number or ("email", address) -> merged legacy values
        self.campaigns = {}  # v2 -> merged legacy values

    @property
    def size(self):
        return len(self.lists) + len(self.contacts) + len(self.campaigns)

    def merge(self, other):
        for number, record in other.lists.items():
            self.lists.setdefault(number, record)
        for key, record in other.contacts.items():
            self.contacts.setdefault(key, record)
        for number, record in other.campaigns.items():
            self.campaigns.setdefault(number, record)

    # --- reading ------------------------------------------------------------------------------

    def add(self, kind, item, extra, feed_id):
        if kind in ("contact_lists", "contact_list"):
            self._add_list(item)
        elif kind in _CONTACT_KINDS:
            member_of = None
            if kind == "list_members":
                match = re.search(r"/lists/([^/?]+)/members", feed_id or "")
                member_of = _v2_number(match.group(1), "lists") if match else None
            self._add_contact(item, extra, full=kind == "contact", member_of=member_of)
        else:
            self._add_campaign(item, extra)

    def _add_list(self, item):
        number = _v2_number(item.get("id"), "lists")
        if number is None or number.form == "system":
            return
        if item.get("name"):
            self.lists[number.v2_number] = {"name": item["name"], "updated": item.get("updated")}

    def _add_contact(self, item, extra, *, full, member_of):
        number = _v2_number(item.get("id"), "contacts")
        email = (item.get("email_address") or "").strip().lower()
        key = number.v2_number if number is not None else ("email", email)
        if number is None and not email:
            return
        merged = self.contacts.setdefault(key, {"lists": [], "full": False})
        values = {k: v for k, v in item.items() if v is not None and k != "contact_lists"}
        if extra and extra.get("opt_in_source"):
            values.setdefault("opt_in_source", extra["opt_in_source"])
        if full or not merged["full"]:
            merged.update(values)
        else:
            for k, v in values.items():
                merged.setdefault(k, v)
        merged["full"] = merged["full"] or full
        numbers = [_v2_number(ref, "lists") for ref in item.get("contact_lists") or []]
        if member_of is not None:
            numbers.append(member_of)
        for number in numbers:  # system lists are statuses on V3; unreadable refs are dropped
            if number is not None and number.form == "v2" and number.v2_number not in merged["lists"]:
                merged["lists"].append(number.v2_number)

    def _add_campaign(self, item, extra):
        number = _v2_number(item.get("id"), "campaigns")
        if number is None or number.form != "v2":
            log.warning("atom: seed: a campaign without a V2 id (%r) was skipped", item.get("id"))
            return
        merged = self.campaigns.setdefault(number.v2_number, {"lists": []})
        merged.update({k: v for k, v in item.items() if v not in (None, "") and k not in ("contact_lists", "urls")})
        merged.update({k: v for k, v in (extra or {}).items() if v})
        for ref in item.get("contact_lists") or []:
            list_number = _v2_number(ref.get("id") if isinstance(ref, dict) else ref, "lists")
            if list_number is not None and list_number.form == "v2" and list_number.v2_number not in merged["lists"]:
                merged["lists"].append(list_number.v2_number)

    # --- writing ------------------------------------------------------------------------------

    def seed(self, from_email):
        contacts, field_keys = self._contacts()
        emails = self._emails(from_email)
        seed = {"contact_lists": self._lists()}
        if field_keys:
            seed["custom_fields"] = [
                dict(mapping.custom_field_definition(key), custom_field_id=_stable_id("custom_field", key))
                for key in field_keys]
        seed["contacts"] = contacts
        seed["emails"] = emails
        return seed

    def _referenced_lists(self):
        numbers = set(self.lists)
        for record in list(self.contacts.values()) + list(self.campaigns.values()):
            numbers.update(record["lists"])
        return sorted(numbers)

    def _lists(self):
        items = []
        taken = set()
        for number in self._referenced_lists():
            record = self.lists.get(number) or {}
            name = record.get("name")
            if name is None:
                name = f"List {number}"
                log.warning("atom: seed: list %s is named by a contact or campaign but described by no "
                            "payload; seeded as %r", number, name)
            if name.lower() in taken:  # V3 list names are unique
                name = f"{name} ({number})"
            taken.add(name.lower())
            item = dict(mapping.legacy_list_to_v3({"name": name}), list_id=_stable_id("list", number), v2_id=number)
            if record.get("updated"):
                item["created_at"] = item["updated_at"] = record["updated"]
            items.append(item)
        return items

    def _contacts(self):
        items, used_keys, emails = [], [], set()
        # contacts with a V2 id first: the emulator numbers the others after the highest
        ordered = sorted(self.contacts.items(), key=lambda pair: isinstance(pair[0], tuple))
        for key, record in ordered:
            email = (record.get("email_address") or "").strip().lower()
            if email and email in emails:
                log.warning("atom: seed: contact %s skipped: %s is already another contact's address",
                            key if not isinstance(key, tuple) else "without id", email)
                continue
            emails.add(email)
            params = {k: v for k, v in record.items() if k in shapes.CONTACT_WRITABLE}
            params.pop("contact_lists", None)
            if not record["full"]:
                _split_feed_name(params)
            status = params.get("status")
            deleted = status == mapping.REMOVED
            if deleted or status == mapping.VISITOR or status == "":
                params.pop("status")
            if record["lists"]:
                params["contact_lists"] = [f"{ids.LEGACY_ORIGIN}/ws/customers/seed/lists/{n}" for n in record["lists"]]
            try:
                plan = mapping.plan_contact_write(params)
            except InvalidInputError as error:
                log.warning("atom: seed: contact %s skipped: %s", key if not isinstance(key, tuple) else key[1], error)
                continue
            field_ids = {k: _stable_id("custom_field", k) for k in plan.custom_keys_to_set}
            used_keys.extend(k for k in plan.custom_keys_to_set if k not in used_keys)
            list_ids = [_stable_id("list", n) for n in record["lists"]] if plan.list_refs is not None else None
            body = plan.finish(field_ids, list_ids)
            if not isinstance(key, tuple):
                body["v2_id"] = key
            _seed_times(body, record, deleted)
            items.append(body)
        return items, used_keys

    def _emails(self, from_email):
        items, taken = [], set()
        for number, record in self.campaigns.items():
            name = (record.get("name") or f"Campaign {number}")[:80]
            if name.lower() in taken:  # V3 campaign names are unique
                name = f"{name[:80 - len(str(number)) - 3]} ({number})"
            taken.add(name.lower())
            status = _CAMPAIGN_STATUS.get(record.get("status") or "Draft")
            if status is None:
                log.warning("atom: seed: campaign %s has status %r; seeded as Draft", number, record.get("status"))
                status = "Draft"
            lists = [_stable_id("list", n) for n in record["lists"]]
            if status == "Scheduled" and not lists:
                status = "Draft"
            activity = {
                "format_type": 1,  # V2-era custom code; V3 converts it and adds the tracking image
                "from_name": (record.get("from_name") or name)[:100],
                "from_email": from_email,
                "reply_to_email": from_email,
                "subject": record.get("subject") or name,
                "html_content": record.get("html_content") or "<html><body></body></html>",
            }
            item = {"name": name, "v2_id": number, "current_status": status, "contact_list_ids": lists,
                    "email_campaign_activities": [activity]}
            when = record.get("last_run_date") or record.get("date")
            if status in ("Done", "Scheduled") and when:
                item["scheduled_date"] = when
            if record.get("date"):
                item["created_at"] = record["date"]
            if record.get("updated"):
                item["updated_at"] = record["updated"]
            if record.get("text_content"):
                activity["document_properties"] = {"text_content": record["text_content"]}
            items.append(item)
        return items


def _split_feed_name(params):
    """Feeds and member lists show "Last, First"; with no separate names, seed them so V3
    reads the same "Last, First" back (mapping.feed_name)."""
    name = params.get("name")
    if name and "first_name" not in params and "last_name" not in params and name.count(", ") == 1:
        last, first = name.split(", ")
        if first and last:
            params["first_name"], params["last_name"] = first, last
            params.pop("name")


def _seed_times(body, record, deleted):
    created = record.get("insert_time") or record.get("opt_in_time")
    updated = record.get("last_update_time") or record.get("updated")
    if created:
        body["created_at"] = created
    if updated:
        body["updated_at"] = updated
    if deleted:
        body["deleted_at"] = updated or created or "2010-01-01T00:00:00.000Z"
    email = body.get("email_address")
    if isinstance(email, dict):
        if record.get("opt_in_time"):
            email["opt_in_date"] = record["opt_in_time"]
        if record.get("confirmed") == "true":
            email["confirm_status"] = "confirmed"
