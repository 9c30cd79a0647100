"""One Atom entry (or a service document) -> legacy dicts.

Elements are found by local name within the structure the old API wrote (entry > content >
body > field), so payloads with missing, misspelt or misplaced namespaces still read; the
first occurrence of a field wins, as with the 2009 client's `findtext`. A field present but
empty reads as "", a missing one as None.
"""
from ..legacy.refs import ListRef
from . import names
from .names import local


def clean_uri(value, notes=None):
    """A URI with the whitespace the docs' copies wrapped into it removed."""
    if value is None:
        return None
    cleaned = "".join(value.split())
    if notes is not None and cleaned != value.strip():
        notes.warn(("wrapped-id",), f"an id wrapped across lines was joined: {cleaned}")
    return cleaned


def _is_http(uri):
    return uri.startswith("http://") or uri.startswith("https://")


class Body:
    """The children of a V2 body element by local name."""

    __slots__ = ("element", "name", "children", "notes", "_folded")

    def __init__(self, element, notes):
        self.element = element
        self.name = local(element.tag)
        self.notes = notes
        self._folded = None
        children = {}
        for child in element:
            name = local(child.tag)
            if name is not None and name not in children:
                children[name] = child
        self.children = children

    def child(self, name):
        found = self.children.get(name)
        if found is None and self.children:
            found = self._case_insensitive(name)
        return found

    def _case_insensitive(self, name):
        # The docs' copies spell some elements in other cases (<value>, <URLS>).
        if self._folded is None:
            self._folded = {}
            for actual, element in self.children.items():
                self._folded.setdefault(actual.lower(), (actual, element))
        actual, element = self._folded.get(name.lower(), (None, None))
        if element is not None:
            self.notes.warn(("case", actual, name), f"<{actual}> read as <{name}>")
        return element

    def text(self, name):
        found = self.child(name)
        return None if found is None else (found.text or "")

    def id(self):
        return clean_uri(self.element.get("id"), self.notes)


class EntryView:
    """What a reader needs of an atom:entry: its id, updated and the V2 body."""

    __slots__ = ("element", "atom_id", "updated", "body")

    def __init__(self, entry, notes):
        self.element = entry
        self.atom_id = self.updated = None
        content = None
        for child in entry:
            name = local(child.tag)
            if name == "id":
                if self.atom_id is None:
                    self.atom_id = child.text or ""
                else:
                    notes.warn(("dup", "id"), "an entry has more than one atom:id; the first one is used")
            elif name == "updated":
                if self.updated is None:
                    self.updated = child.text or ""
                else:
                    notes.warn(("dup", "updated"), "an entry has more than one atom:updated; the first one is used")
            elif name == "content" and content is None:
                content = child
        if content is None:
            content = self._nested(entry, "content", notes)
            if self.updated is None and content is not None:
                nested_updated = self._nested(entry, "updated", notes)
                if nested_updated is not None:
                    self.updated = nested_updated.text or ""
        self.body = _body_of(content, notes) if content is not None else None

    @staticmethod
    def _nested(entry, name, notes):
        # In a recovered tree an unclosed element (the docs' truncated <title>) can swallow
        # the rest of the entry; look below it, but never inside atom:source.
        for element in entry.iter("{*}" + name):
            if element.getparent() is entry:
                continue
            if any(local(a.tag) == "source" for a in element.iterancestors()):
                continue
            notes.warn(("nested", name), f"<{name}> found nested inside another entry element")
            return element
        return None

    def resource_id(self, notes):
        """The item's id: atom:id, unless the payload left it missing, garbled, or set to the
        collection URI (the docs' campaign and event entries do), where the body's id is."""
        atom_id = clean_uri(self.atom_id)
        body_id = self.body.id() if self.body is not None else None
        if atom_id == names.NO_ID:  # a create body: no resource yet
            return body_id or None
        if not atom_id:
            if body_id:
                notes.warn(("id-missing",), "an entry has no atom:id; the body's id attribute is used")
            return body_id or None
        if body_id and body_id != atom_id:
            if not _is_http(atom_id):
                notes.warn(("id-garbled",), f"an entry's atom:id {atom_id!r} is not a URI; the body's id is used")
                return body_id
            if body_id.startswith(atom_id.rstrip("/") + "/"):
                notes.warn(("id-collection",),
                           "an entry's atom:id is its collection's URI; the body's id attribute is used")
                return body_id
        return atom_id


def _body_of(content, notes):
    for child in content:
        if isinstance(child.tag, str):
            return Body(child, notes)
    text = (content.text or "").strip()
    if text.startswith("<"):
        return _escaped_body(text, notes)
    return None


def _escaped_body(text, notes):
    # Some writers escaped the V2 XML inside <content>; read it with the same safe parser.
    from lxml import etree

    from .safety import check_prolog, make_parser

    data = text.encode("utf-8")
    try:
        check_prolog(data[:4096], None)
        element = etree.fromstring(data, make_parser())
    except Exception:  # noqa: BLE001 - unreadable escaped content is just "no body"
        return None
    notes.warn(("escaped-body",), "an entry's content holds escaped XML; it was parsed as the body")
    return Body(element, notes)


# --- one function per kind: (EntryView, notes) -> legacy dict --------------------------------

def _texts(body, fields, out):
    for key, element in fields:
        out[key] = body.text(element)


def _base(view, notes):
    return {"id": view.resource_id(notes), "updated": view.updated}


def _plain_reader(kind):
    """The reader of a kind whose body is only text fields (lists, members, contact summaries)."""

    def read(view, notes):
        item = _base(view, notes)
        _texts(view.body, names.TEXT_FIELDS[kind], item)
        return _ordered(item, kind)

    read.__name__ = f"read_{kind}"
    return read


def read_contact(view, notes):
    body = view.body
    item = _base(view, notes)
    _texts(body, names.TEXT_FIELDS["contact"], item)
    # ListRef: a str (the 2009 return) that also answers ref["id"] (the README's usage)
    item["contact_lists"] = [ListRef(ref) if ref is not None else None for ref in _list_ids(body, notes)]
    _texts(body, names.TEXT_FIELDS["contact_tail"], item)
    return _ordered(item, "contact")


def _list_ids(body, notes):
    lists = body.child("ContactLists")
    if lists is None:
        return []
    return [clean_uri(el.get("id"), notes) for el in lists if local(el.tag) == "ContactList"]


def read_campaign_summary(view, notes):
    item = _base(view, notes)
    _texts(view.body, names.TEXT_FIELDS["campaigns"], item)
    return _ordered(item, "campaigns")


def read_campaign(view, notes):
    body = view.body
    item = _base(view, notes)
    _texts(body, names.TEXT_FIELDS["campaign"], item)
    item["contact_lists"] = [{"id": ref} for ref in _list_ids(body, notes)]
    urls = []
    urls_element = body.child("Urls")
    if urls_element is not None:
        for url in urls_element:
            if local(url.tag) != "Url":
                continue
            url_body = Body(url, notes)
            entry = {"id": url_body.id()}
            _texts(url_body, names.URL_FIELDS, entry)
            urls.append(entry)
    item["urls"] = urls
    return _ordered(item, "campaign")


def read_activity(view, notes):
    body = view.body
    item = _base(view, notes)
    _texts(body, names.TEXT_FIELDS["activity_head"], item)
    errors = []
    errors_element = body.child("Errors")
    if errors_element is not None:
        for error in errors_element:
            if local(error.tag) == "Error":
                entry = {}
                _texts(Body(error, notes), names.TEXT_FIELDS["activity_error"], entry)
                errors.append(entry)
    item["errors"] = errors
    _texts(body, names.TEXT_FIELDS["activity_tail"], item)
    return _ordered(item, "activity")


def read_email_address(view, notes):
    item = _base(view, notes)
    _texts(view.body, names.TEXT_FIELDS["email_address"], item)
    return _ordered(item, "email_address")


def read_event(view, notes):
    body = view.body
    item = _base(view, notes)
    contact = body.child("Contact")
    campaign = body.child("Campaign")
    contact_body = Body(contact, notes) if contact is not None else None
    campaign_body = Body(campaign, notes) if campaign is not None else None
    item["event_time"] = body.text("EventTime")
    item["contact_id"] = contact_body.id() if contact_body else None
    item["contact_email_address"] = contact_body.text("EmailAddress") if contact_body else None
    item["campaign"] = campaign_body.id() if campaign_body else None
    if body.name == names.SUMMARY_ELEMENT:
        item["campaign_name"] = campaign_body.text("Name") if campaign_body else None
        _texts(body, names.TEXT_FIELDS["summary_counts"], item)
    elif body.name == names.CLICK_ELEMENT:
        item["link_url"] = body.text("LinkUrl")
    shape = names.event_shape(body.name)
    return {key: item.get(key) for key in shape}


def _ordered(item, kind):
    return {key: item.get(key) for key in names.KIND_SHAPE[kind]}


ENTRY_READERS = {
    "contact_lists": _plain_reader("contact_lists"),
    "contact_list": _plain_reader("contact_list"),
    "list_members": _plain_reader("list_members"),
    "contacts": _plain_reader("contacts"),
    "contact": read_contact,
    "campaigns": read_campaign_summary,
    "campaign": read_campaign,
    "activities": read_activity,
    "activity": read_activity,
    "email_addresses": read_email_address,
    "email_address": read_email_address,
    "contact_events": read_event,
    "campaign_events": read_event,
}


def body_fits(kind, body_name):
    """Whether a body element of that name belongs in a payload of `kind`."""
    if kind in names.EVENT_KINDS:
        return body_name in names.EVENT_ELEMENT_NAMES or body_name == names.SUMMARY_ELEMENT
    return names.KIND_BODY.get(kind) == body_name


# --- the service document ---------------------------------------------------------------------

def read_service(root, notes):
    """A service document -> one dict per collection: {title, href, accept, workspace}."""
    items = []
    for workspace in root:
        if local(workspace.tag) != "workspace":
            continue
        workspace_title = None
        for child in workspace:
            name = local(child.tag)
            if name == "title" and workspace_title is None:
                workspace_title = child.text or ""
            elif name == "collection":
                title = None
                accept = []
                for part in child:
                    part_name = local(part.tag)
                    if part_name == "title" and title is None:
                        title = part.text or ""
                    elif part_name == "accept":
                        accept.append(part.text or "")
                items.append({"title": title, "href": clean_uri(child.get("href"), notes),
                              "accept": accept, "workspace": workspace_title})
    return items
