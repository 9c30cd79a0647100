"""Legacy dicts -> V2 Atom, built as an lxml tree (values are always escaped by the
serializer, never pasted into markup).

Documents look like the old API's: the Atom namespace as the default one, each body in the
Constant Contact namespace with its `id` attribute, nested Atom links redeclaring the Atom
namespace, ids as `http://api.constantcontact.com/...` URIs with edit links relative to the
host, and `data:,none` as the id of an item that has none yet (a create body).
"""
import datetime as _dt
import re
from urllib.parse import urlsplit

from lxml import etree

from . import detect, names
from .errors import AtomError

_BASE = re.compile(r"^(https?://[^/]+/ws/customers/[^/?#]+)/")
_PATH_BASE = re.compile(r"^(/ws/customers/[^/?#]+)/")
_EVENT_PATH = re.compile(r"/events/([a-z]+)/")
_LAST_SEGMENT = re.compile(r"/([^/?#]+)/?$")

A = "{%s}" % names.ATOM
C = "{%s}" % names.CTCT
P = "{%s}" % names.APP


def render(kind, items, next=None, *, feed_id=None, username=None):
    """Bytes of the V2 Atom document holding `items` (legacy dicts) as a payload of `kind`.
    Entry kinds (contact, contact_list, campaign, activity, email_address) take exactly one
    item and give an <entry>; the others give a <feed> (with a rel="next" link when `next` is
    given). `feed_id` and `username` override what is otherwise derived from the items' ids."""
    if kind not in names.KINDS:
        raise AtomError(f"unknown kind {kind!r}; expected one of {', '.join(names.KINDS)}", kind=kind)
    if isinstance(items, dict):
        items = [items]
    elif isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise AtomError(f"items must be a list of dicts, not {type(items).__name__}", kind=kind)
    items = list(items)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise AtomError(f"item {index} is a {type(item).__name__}, not a dict", kind=kind)
    writer = _Writer(kind, items, next, feed_id, username)
    try:
        root = writer.document()
    except (TypeError, ValueError) as error:  # lxml refuses characters XML cannot hold
        if isinstance(error, AtomError):
            raise
        raise AtomError(f"{writer.where}: {error}", kind=kind) from None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class _Writer:
    def __init__(self, kind, items, next, feed_id, username):
        self.kind = kind
        self.items = items
        self.next = next
        self.feed_id = feed_id
        self.base = self._base(username)
        self.where = "the document"

    # --- documents ------------------------------------------------------------------------

    def document(self):
        if self.kind == "service":
            return self._service()
        if self.kind in names.ENTRY_KINDS:
            if len(self.items) != 1:
                raise AtomError(f"a {self.kind} entry holds exactly one item, got {len(self.items)}", kind=self.kind)
            if self.next is not None:
                raise AtomError("an entry has no next link; render a feed kind instead", kind=self.kind)
            return self._entry(None, 0, self.items[0])
        return self._feed()

    def _feed(self):
        feed = etree.Element(A + "feed", nsmap={None: names.ATOM})
        feed_id = self._feed_id()
        _text(feed, A + "id", feed_id)
        _text(feed, A + "title", self._feed_title(), type="text")
        etree.SubElement(feed, A + "link", href=_path(feed_id))
        etree.SubElement(feed, A + "link", href=_path(feed_id), rel="self")
        author = etree.SubElement(feed, A + "author")
        _text(author, A + "name", self.username)
        _text(feed, A + "updated", self._feed_updated())
        if self.next is not None:
            etree.SubElement(feed, A + "link", href=_string(self.next, "next"), rel="next")
        etree.SubElement(feed, A + "link", href=_path(feed_id), rel="first")
        for index, item in enumerate(self.items):
            self._entry(feed, index, item)
        return feed

    def _entry(self, feed, index, item):
        self.where = f"item {index}"
        body_name, shape = self._body_of(item)
        unknown = set(item) - set(shape)
        if unknown:
            raise AtomError(f"item {index} has keys that are not part of a {self.kind} item: {sorted(unknown)}",
                            kind=self.kind)
        if feed is None:
            entry = etree.Element(A + "entry", nsmap={None: names.ATOM})
        else:
            entry = etree.SubElement(feed, A + "entry")
        item_id = _string(item.get("id"), "id")
        if item_id and _is_http(item_id):
            etree.SubElement(entry, A + "link", href=_path(item_id), rel="edit")
        _text(entry, A + "id", item_id if item_id is not None else names.NO_ID)
        _text(entry, A + "title", self._entry_title(body_name, item), type="text")
        _text(entry, A + "updated", item.get("updated"), key="updated")
        author = etree.SubElement(entry, A + "author")
        _text(author, A + "name", "Constant Contact")
        content = etree.SubElement(entry, A + "content", type=names.CONTENT_TYPE)
        body = etree.SubElement(content, C + body_name, nsmap={None: names.CTCT})
        if item_id is not None:
            body.set("id", item_id)
        BODY_WRITERS[self._writer_key()](body, item)
        return entry

    def _service(self):
        service = etree.Element(P + "service", nsmap={None: names.APP, "atom": names.ATOM})
        workspace = None
        current = object()
        for index, item in enumerate(self.items):
            self.where = f"item {index}"
            unknown = set(item) - set(names.SERVICE_COLLECTION)
            if unknown:
                raise AtomError(f"item {index} has keys that are not part of a service collection: "
                                f"{sorted(unknown)}", kind=self.kind)
            if workspace is None or item.get("workspace") != current:
                current = item.get("workspace")
                workspace = etree.SubElement(service, P + "workspace")
                _text(workspace, A + "title", current, type="text", key="workspace")
            collection = etree.SubElement(workspace, P + "collection")
            if item.get("href") is not None:
                collection.set("href", _string(item["href"], "href"))
            _text(collection, A + "title", item.get("title"), type="text", key="title")
            accept = item.get("accept") or []
            if isinstance(accept, str):
                accept = [accept]
            for value in accept:
                _text(collection, P + "accept", value, key="accept")
        return service

    # --- naming ---------------------------------------------------------------------------

    def _writer_key(self):
        return "events" if self.kind in names.EVENT_KINDS else self.kind

    def _body_of(self, item):
        if self.kind not in names.EVENT_KINDS:
            return names.KIND_BODY[self.kind], names.KIND_SHAPE[self.kind]
        if "opens" in item or "campaign_name" in item:
            return names.SUMMARY_ELEMENT, names.EVENTS_SUMMARY
        if "link_url" in item:
            return names.CLICK_ELEMENT, names.event_shape(names.CLICK_ELEMENT)
        element = _event_element(item.get("id"))
        return element, names.event_shape(element)

    def _base(self, username):
        if username:
            self.username = username
            return f"{names.ORIGIN}/ws/customers/{username}"
        candidates = [item.get(key) for item in self.items[:1] for key in ("id", "contact_id", "campaign", "href")]
        candidates += [self.feed_id, self.next]
        for uri in candidates:
            if not isinstance(uri, str):
                continue
            match = _BASE.match(uri)
            if match:
                self.username = match.group(1).rsplit("/", 1)[1]
                return match.group(1)
            match = _PATH_BASE.match(uri)
            if match:
                self.username = match.group(1).rsplit("/", 1)[1]
                return names.ORIGIN + match.group(1)
        self.username = "username"
        return f"{names.ORIGIN}/ws/customers/username"

    def _feed_id(self):
        if self.feed_id:
            return self.feed_id
        if isinstance(self.next, str) and detect.kind_of_uri(self.next) == self.kind:
            path = urlsplit(self.next).path
            return names.ORIGIN + path if path.startswith("/") else f"{self.base}/{path}"
        first = self.items[0] if self.items else {}
        if self.kind == "list_members":
            return f"{self.base}/lists/0/members"
        if self.kind in names.EVENT_KINDS:
            body_name, _ = self._body_of(first)
            event_path = "summary" if body_name == names.SUMMARY_ELEMENT else _event_path(body_name)
            if self.kind == "contact_events":
                owner = _segment(first.get("contact_id")) or "0"
                return f"{self.base}/contacts/{owner}/events/{event_path}"
            owner = _segment(first.get("campaign")) or "0"
            return f"{self.base}/campaigns/{owner}/events/{event_path}"
        return f"{self.base}/{names.KIND_COLLECTION[self.kind]}"

    def _feed_title(self):
        user = self.username
        if self.kind in names.EVENT_KINDS:
            return f"Events for Customer: {user}"
        return {
            "contact_lists": f"Contact Lists for Customer: {user}",
            "list_members": f"Contacts for Customer: {user}",
            "contacts": f"Contacts for Customer: {user}",
            "campaigns": f"Campaigns for customer: {user}",
            "activities": "Bulk Activity",
            "email_addresses": "",
        }.get(self.kind, "")

    def _feed_updated(self):
        stamps = [item.get("updated") for item in self.items if isinstance(item.get("updated"), str)]
        if stamps:
            return max(stamps)
        return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def _entry_title(self, body_name, item):
        if body_name in ("Contact", "ContactListMember"):
            email = item.get("email_address")
            return f"Contact: {email}" if isinstance(email, str) else "Contact"
        if body_name in ("ContactList", "Campaign"):
            name = item.get("name")
            return name if isinstance(name, str) else ""
        if body_name == "Email":
            email = item.get("email_address")
            return email if isinstance(email, str) else ""
        if self.kind in names.EVENT_KINDS:
            return f"{body_name} for Customer: {self.username}"
        return ""


# --- bodies -----------------------------------------------------------------------------------

def _write_texts(body, item, fields):
    for key, element in fields:
        _text(body, C + element, item.get(key), key=key)


def _list_refs(body, refs, key):
    if refs is None:
        return
    container = etree.SubElement(body, C + "ContactLists")
    for ref in _as_list(refs, key):
        uri = ref.get("id") if isinstance(ref, dict) else ref
        element = etree.SubElement(container, C + "ContactList")
        if uri is not None:
            uri = _string(uri, key)
            element.set("id", uri)
            _self_link(element, uri)


def _self_link(parent, uri):
    if uri and _is_http(uri):
        etree.SubElement(parent, A + "link", nsmap={None: names.ATOM}, href=_path(uri), rel="self")


def write_texts_of(kind):
    fields = names.TEXT_FIELDS[kind]
    return lambda body, item: _write_texts(body, item, fields)


def write_contact(body, item):
    _write_texts(body, item, names.TEXT_FIELDS["contact"])
    _list_refs(body, item.get("contact_lists"), "contact_lists")
    _write_texts(body, item, names.TEXT_FIELDS["contact_tail"])


def write_campaign(body, item):
    _write_texts(body, item, names.TEXT_FIELDS["campaign"])
    urls = item.get("urls")
    if urls:
        container = etree.SubElement(body, C + "Urls")
        for url in _as_list(urls, "urls"):
            if not isinstance(url, dict):
                raise TypeError(f"urls holds a {type(url).__name__}, not a dict")
            element = etree.SubElement(container, C + "Url")
            if url.get("id") is not None:
                element.set("id", _string(url["id"], "urls"))
            _write_texts(element, url, names.URL_FIELDS)
    lists = item.get("contact_lists")
    if lists:
        _list_refs(body, lists, "contact_lists")


def write_activity(body, item):
    _write_texts(body, item, names.TEXT_FIELDS["activity_head"])
    errors = item.get("errors")
    if errors:
        if isinstance(errors, str):  # the 2009 get_activities() gave the element's text
            errors = []
        container = etree.SubElement(body, C + "Errors")
        for error in _as_list(errors, "errors"):
            if not isinstance(error, dict):
                raise TypeError(f"errors holds a {type(error).__name__}, not a dict")
            _write_texts(etree.SubElement(container, C + "Error"), error, names.TEXT_FIELDS["activity_error"])
    _write_texts(body, item, names.TEXT_FIELDS["activity_tail"])


def write_event(body, item):
    contact_id, email = item.get("contact_id"), item.get("contact_email_address")
    if contact_id is not None or email is not None:
        contact = etree.SubElement(body, C + "Contact")
        if contact_id is not None:
            contact.set("id", _string(contact_id, "contact_id"))
        _text(contact, C + "EmailAddress", email, key="contact_email_address")
        _self_link(contact, contact_id)
    campaign_id, campaign_name = item.get("campaign"), item.get("campaign_name")
    if campaign_id is not None or campaign_name is not None:
        campaign = etree.SubElement(body, C + "Campaign")
        if campaign_id is not None:
            campaign.set("id", _string(campaign_id, "campaign"))
        _self_link(campaign, campaign_id)
        _text(campaign, C + "Name", campaign_name, key="campaign_name")
    _text(body, C + "EventTime", item.get("event_time"), key="event_time")
    if body.tag == C + names.SUMMARY_ELEMENT:
        _write_texts(body, item, names.TEXT_FIELDS["summary_counts"])
    elif "link_url" in item:
        _text(body, C + "LinkUrl", item.get("link_url"), key="link_url")


BODY_WRITERS = {
    "contact_lists": write_texts_of("contact_lists"),
    "contact_list": write_texts_of("contact_list"),
    "list_members": write_texts_of("list_members"),
    "contacts": write_texts_of("contacts"),
    "contact": write_contact,
    "campaigns": write_texts_of("campaigns"),
    "campaign": write_campaign,
    "activities": write_activity,
    "activity": write_activity,
    "email_addresses": write_texts_of("email_address"),
    "email_address": write_texts_of("email_address"),
    "events": write_event,
}


# --- values -----------------------------------------------------------------------------------

def _text(parent, tag, value, key=None, **attributes):
    if value is None:
        return None
    element = etree.SubElement(parent, tag, **attributes)
    element.text = _string(value, key or tag)
    return element


def _string(value, key):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise TypeError(f"{key} is a {type(value).__name__}; Atom fields hold text")


def _as_list(value, key):
    if isinstance(value, (list, tuple)):
        return value
    raise TypeError(f"{key} must be a list, not a {type(value).__name__}")


def _is_http(uri):
    return isinstance(uri, str) and (uri.startswith("http://") or uri.startswith("https://"))


def _path(uri):
    """The host-relative path the old API wrote in edit and self links."""
    if not _is_http(uri):
        return uri or ""
    parts = urlsplit(uri)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _segment(uri):
    match = _LAST_SEGMENT.search(uri) if isinstance(uri, str) else None
    return match.group(1) if match else None


def _event_element(item_id):
    match = _EVENT_PATH.search(item_id) if isinstance(item_id, str) else None
    element = names.EVENT_ELEMENT_BY_PATH.get(match.group(1)) if match else None
    return element or names.EVENT_ELEMENT_BY_PATH["sends"]


def _event_path(body_name):
    for path, element in names.EVENT_ELEMENT_BY_PATH.items():
        if element == body_name:
            return path
    return "sends"
