"""parse(render(x)) == x for every kind (property-based), and render writes what the old API
wrote: the Atom default namespace, Constant Contact bodies with their id, edit links."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from ctct import atom
from ctct.legacy import shapes

from .conftest import ATOM_FIXTURES

ATOM = "http://www.w3.org/2005/Atom"
CTCT = "http://ws.constantcontact.com/ns/1.0/"

# Characters XML 1.0 cannot carry are excluded (render refuses them, see the test below).
_XML_ILLEGAL = "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)) + "\ufffe\uffff"
HOSTILE = ["</Name><Status>Removed</Status><Name>", "<![CDATA[x]]>", "]]>", "&amp;", "&lt;tag&gt;",
           "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&xxe;", '"quoted" \'single\'', "a\r\nb\rc", "  padded  "]
text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=_XML_ILLEGAL), max_size=40),
    st.sampled_from(HOSTILE),
)
maybe_text = st.none() | text
users = st.from_regex(r"\A[a-z][a-z0-9_.-]{0,12}\Z")
tokens = st.from_regex(r"\A[A-Za-z0-9,-]{1,16}\Z")


def uri(collection):
    return st.builds(lambda user, token: f"http://api.constantcontact.com/ws/customers/{user}/{collection}/{token}",
                     users, tokens)


def items_of(shape, **special):
    fields = {key: special.get(key, maybe_text) for key in shape}
    return st.fixed_dictionaries(fields)


list_ref = uri("lists")
LIST_SUMMARY = items_of(shapes.LIST_SUMMARY, id=st.none() | uri("lists"))
LIST = items_of(shapes.LIST, id=st.none() | uri("lists"))
MEMBER = items_of(shapes.LIST_MEMBER, id=uri("contacts"))
CONTACT_SUMMARY = items_of(shapes.CONTACT_SUMMARY, id=uri("contacts"))
CONTACT = items_of(shapes.CONTACT, id=st.none() | uri("contacts"), contact_lists=st.lists(list_ref, max_size=3))
CAMPAIGN_SUMMARY = items_of(shapes.CAMPAIGN_SUMMARY, id=uri("campaigns"))
CAMPAIGN = items_of(
    shapes.CAMPAIGN, id=uri("campaigns"),
    contact_lists=st.lists(st.fixed_dictionaries({"id": list_ref}), max_size=3),
    urls=st.lists(items_of(shapes.CAMPAIGN_URL, id=st.none() | uri("campaigns/1/events/urls")), max_size=3),
)
ACTIVITY = items_of(shapes.ACTIVITY, id=uri("activities"),
                    errors=st.lists(items_of(shapes.ACTIVITY_ERROR), max_size=3))
EMAIL = items_of(atom.EMAIL_ADDRESS, id=uri("settings/emailaddresses"))
SERVICE = st.fixed_dictionaries({
    "title": maybe_text, "href": st.none() | st.from_regex(r"\A/ws/customers/[a-z]{1,8}/[a-z/]{1,20}\Z"),
    "accept": st.lists(text, max_size=3), "workspace": maybe_text,
})


def events(owner):
    plain_type = st.sampled_from(["bounces", "forwards", "opens", "optouts", "sends"])
    refs = dict(contact_id=st.none() | uri("contacts"), campaign=st.none() | uri("campaigns"))
    plain = st.builds(
        lambda base, kind, item: dict(item, id=f"{base}/events/{kind}/1"),
        uri(owner), plain_type, items_of(shapes.EVENT, **refs))
    click = st.builds(
        lambda base, item: dict(item, id=f"{base}/events/clicks/1"),
        uri(owner), items_of(shapes.CLICK_EVENT, **refs))
    summary = items_of(atom.EVENTS_SUMMARY, id=uri("events/summary"), **refs)
    options = [plain, click] + ([summary] if owner == "contacts" else [])
    # One event type per feed, as the API served them.
    return st.one_of(*[st.lists(option, max_size=4) for option in options])


FEEDS = {
    "contact_lists": st.lists(LIST_SUMMARY, max_size=4),
    "list_members": st.lists(MEMBER, max_size=4),
    "contacts": st.lists(CONTACT_SUMMARY, max_size=4),
    "campaigns": st.lists(CAMPAIGN_SUMMARY, max_size=4),
    "activities": st.lists(ACTIVITY, max_size=3),
    "email_addresses": st.lists(EMAIL, max_size=3),
    "contact_events": events("contacts"),
    "campaign_events": events("campaigns"),
    "service": st.lists(SERVICE, max_size=4),
}
ENTRIES = {"contact_list": LIST, "contact": CONTACT, "campaign": CAMPAIGN, "activity": ACTIVITY,
           "email_address": EMAIL}
next_links = st.none() | st.from_regex(r"\A/ws/customers/[a-z]{1,8}/[a-z]{1,10}\?next=[a-z0-9-]{1,10}\Z")


def test_every_kind_has_a_strategy():
    assert set(FEEDS) | set(ENTRIES) == set(atom.KINDS)


PROPERTY = settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("kind", sorted(FEEDS))
def test_feed_round_trip(kind):
    @PROPERTY
    @given(items=FEEDS[kind], next_link=next_links)
    def check(items, next_link):
        if kind == "service":
            next_link = None  # a service document has no pages
        parsed = atom.parse(atom.render(kind, items, next=next_link))
        assert (parsed.kind, parsed.items, parsed.next) == (kind, items, next_link)
        assert parsed.warnings == []

    check()


@pytest.mark.parametrize("kind", sorted(ENTRIES))
def test_entry_round_trip(kind):
    @PROPERTY
    @given(item=ENTRIES[kind])
    def check(item):
        parsed = atom.parse(atom.render(kind, [item]))
        assert (parsed.kind, parsed.items, parsed.next) == (kind, [item], None)

    check()


@pytest.mark.parametrize("name", sorted(p.name for p in ATOM_FIXTURES.glob("*.xml")))
def test_every_fixture_round_trips(name):
    parsed = atom.parse((ATOM_FIXTURES / name).read_bytes())
    again = atom.parse(atom.render(parsed.kind, parsed.items, next=parsed.next))
    assert again == parsed and again.warnings == []


def test_injection_in_field_values_is_escaped_and_read_back_verbatim():
    hostile = "</Name><Status>Removed</Status><Name>"
    item = shapes.make(shapes.CONTACT_SUMMARY, id="http://api.constantcontact.com/ws/customers/u/contacts/1",
                       name=hostile, email_address="a@example.com", status="Active")
    data = atom.render("contacts", [item])
    assert hostile.encode() not in data
    assert b"&lt;/Name&gt;&lt;Status&gt;" in data
    root = etree.fromstring(data)
    contact = root.find(f"{{{ATOM}}}entry/{{{ATOM}}}content/{{{CTCT}}}Contact")
    assert [child.tag.split("}")[1] for child in contact] == ["Status", "EmailAddress", "Name"]
    assert atom.parse(data).items == [item]


def test_render_writes_the_old_api_layout():
    item = shapes.make(shapes.LIST, id="http://api.constantcontact.com/ws/customers/joe/lists/7",
                       updated="2009-01-01T00:00:00.000Z", name="News", opt_in_default="false",
                       short_name="News", sort_order="1")
    data = atom.render("contact_list", [item])
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(data)
    assert root.tag == f"{{{ATOM}}}entry" and root.nsmap == {None: ATOM}
    assert root.find(f"{{{ATOM}}}link").attrib == {"href": "/ws/customers/joe/lists/7", "rel": "edit"}
    body = root.find(f"{{{ATOM}}}content/{{{CTCT}}}ContactList")
    assert body.get("id") == item["id"] and body.nsmap[None] == CTCT
    assert root.find(f"{{{ATOM}}}content").get("type") == "application/vnd.ctct+xml"
    assert [child.tag.split("}")[1] for child in body] == ["OptInDefault", "Name", "ShortName", "SortOrder"]


def test_render_feed_with_next_link_and_nested_atom_links():
    contact = atom.parse((ATOM_FIXTURES / "contact_entry.xml").read_bytes()).items[0]
    data = atom.render("contact", [contact])
    assert b'<link xmlns="http://www.w3.org/2005/Atom" href="/ws/customers/joesflowers/lists/3" rel="self"/>' in data
    feed = atom.render("contacts", [], next="/ws/customers/joesflowers/contacts?next=abc")
    root = etree.fromstring(feed)
    assert root.findtext(f"{{{ATOM}}}id") == "http://api.constantcontact.com/ws/customers/joesflowers/contacts"
    assert [link.get("rel") for link in root.findall(f"{{{ATOM}}}link")] == [None, "self", "next", "first"]


def test_create_body_without_id_uses_data_none():
    item = shapes.make(shapes.CONTACT, email_address="new@example.com", contact_lists=[])
    data = atom.render("contact", [item])
    assert b"<id>data:,none</id>" in data and b"rel=\"edit\"" not in data
    assert atom.parse(data).items == [item]


def test_render_accepts_readme_style_list_dicts_and_numbers():
    item = shapes.make(shapes.CONTACT, email_address="x@example.com",
                       contact_lists=[{"id": "http://api.constantcontact.com/ws/customers/u/lists/1"}])
    assert atom.parse(atom.render("contact", item)).items[0]["contact_lists"] == [
        "http://api.constantcontact.com/ws/customers/u/lists/1"]
    summary = shapes.make(shapes.CAMPAIGN, id="http://api.constantcontact.com/ws/customers/u/campaigns/1", sent=3)
    assert atom.parse(atom.render("campaign", [summary])).items[0]["sent"] == "3"


@pytest.mark.parametrize("kind, items, match", [
    ("contacts", [{"id": "x", "nickname": "y"}], "nickname"),
    ("contacts", ["not a dict"], "not a dict"),
    ("contact", [], "exactly one"),
    ("contact", [{}, {}], "exactly one"),
    ("people", [], "unknown kind"),
    ("contacts", [{"name": "bad\x00char"}], "item 0"),
    ("contacts", [{"name": object()}], "item 0"),
])
def test_render_refuses_bad_items_with_atom_error(kind, items, match):
    with pytest.raises(atom.AtomError, match=match):
        atom.render(kind, items)


def test_render_refuses_next_on_an_entry():
    with pytest.raises(atom.AtomError, match="next"):
        atom.render("contact", [{}], next="/x?next=1")
