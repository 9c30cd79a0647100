"""ctct.atom reads every captured V2 payload into the legacy dicts (expectations written from
the XML by hand), and tells the kinds apart."""
import logging

import pytest

from ctct import atom
from ctct.legacy import shapes
from ctct.legacy.refs import ListRef

from .conftest import ATOM_FIXTURES

JOE = "http://api.constantcontact.com/ws/customers/joesflowers"
USER = "http://api.constantcontact.com/ws/customers/username"
KICK = "http://api.constantcontact.com/ws/customers/recordkick"

CONTACT_TEXT_KEYS = [k for k in shapes.CONTACT if k not in ("id", "updated", "contact_lists")]


def fixture(name):
    return (ATOM_FIXTURES / name).read_bytes()


def parse(name, **kw):
    return atom.parse(fixture(name), **kw)


def full_contact(id, updated, contact_lists, **values):
    """A get_contact dict of a full V2 entry: every element present, empty unless given."""
    item = {key: "" for key in CONTACT_TEXT_KEYS}
    item.update(values)
    return shapes.make(shapes.CONTACT, id=id, updated=updated, contact_lists=contact_lists,
                       **{k: item[k] for k in CONTACT_TEXT_KEYS})


def partial_contact(id, updated, contact_lists=(), **values):
    """A contact dict of a create/update body or a docs sample: absent elements are None."""
    return shapes.make(shapes.CONTACT, id=id, updated=updated, contact_lists=list(contact_lists), **values)


# --- every fixture: kind, next, count --------------------------------------------------------

EXPECTED_SHAPE = {
    "activities_feed.xml": ("activities", None, 1),
    "activity_entry.xml": ("activity", None, 1),
    "campaign_entry.xml": ("campaign", None, 1),
    "campaign_entry_custom_draft_stats.xml": ("campaign", None, 1),
    "campaign_entry_sent_urls_doc_artifacts.xml": ("campaign", None, 1),
    "campaign_entry_unescaped_content.xml": ("campaign", None, 1),
    "campaign_events_bounces_feed_page1.xml": (
        "campaign_events", "/ws/customers/username/campaigns/1/events/bounces?next=6", 1),
    "campaign_events_bounces_feed_page2.xml": ("campaign_events", None, 1),
    "campaign_events_sends_feed_doc_artifacts.xml": ("campaign_events", None, 1),
    "campaign_events_service_document.xml": ("service", None, 5),
    "campaigns_feed.xml": ("campaigns", "/ws/customers/username/campaigns?next=2", 2),
    "campaigns_feed_empty.xml": ("campaigns", None, 0),
    "campaigns_feed_no_next.xml": ("campaigns", None, 3),
    "contact_create_entry.xml": ("contact", None, 1),
    "contact_entry.xml": ("contact", None, 1),
    "contact_entry_docs_minimal.xml": ("contact", None, 1),
    "contact_entry_no_lists_trailing_quote.xml": ("contact", None, 1),
    "contact_entry_trailing_quote.xml": ("contact", None, 1),
    "contact_entry_two_lists_trailing_quote.xml": ("contact", None, 1),
    "contact_events_sends_feed.xml": ("contact_events", None, 1),
    "contact_events_summary_feed.xml": ("contact_events", None, 2),
    "contact_list_entry.xml": ("contact_list", None, 1),
    "contact_list_entry_new.xml": ("contact_list", None, 1),
    "contact_list_entry_no_atom_ns.xml": ("contact_list", None, 1),
    "contact_list_entry_no_ns.xml": ("contact_list", None, 1),
    "contact_lists_feed.xml": ("contact_lists", None, 5),
    "contact_lists_feed_page1.xml": ("contact_lists", "/ws/customers/username/lists?next=6", 2),
    "contact_lists_feed_page2.xml": ("contact_lists", None, 1),
    "contact_remove_from_all_lists_entry.xml": ("contact", None, 1),
    "contact_update_entry.xml": ("contact", None, 1),
    "contacts_feed.xml": ("contacts", None, 2),
    "contacts_feed_minimal.xml": ("contacts", None, 2),
    "contacts_feed_paged.xml": ("contacts", "/ws/customers/joesflowers/contacts?next=g24umerp-fymhqg", 2),
    "contacts_search_by_email_feed.xml": ("contacts", None, 1),
    "contacts_search_by_emails_feed.xml": ("contacts", None, 2),
    "contacts_search_feed_typo.xml": ("contacts", None, 1),
    "list_members_feed.xml": ("list_members", None, 3),
    "list_members_feed_large.xml": ("list_members", None, 50),
    "service_document.xml": ("service", None, 2),
    "settings_emailaddress_entry.xml": ("email_address", None, 1),
    "settings_emailaddresses_feed.xml": ("email_addresses", None, 2),
}


def test_every_xml_fixture_is_covered():
    assert sorted(p.name for p in ATOM_FIXTURES.glob("*.xml")) == sorted(EXPECTED_SHAPE)


@pytest.mark.parametrize("name", sorted(EXPECTED_SHAPE))
def test_fixture_kind_next_and_count(name):
    kind, next_link, count = EXPECTED_SHAPE[name]
    parsed = parse(name)
    assert (parsed.kind, parsed.next, len(parsed.items)) == (kind, next_link, count)
    assert parsed.kind in atom.KINDS
    for item in parsed.items:
        if kind == "service":
            assert tuple(item) == ("title", "href", "accept", "workspace")
        elif kind not in ("contact_events", "campaign_events"):
            assert tuple(item) == {
                "contact_lists": shapes.LIST_SUMMARY, "contact_list": shapes.LIST,
                "list_members": shapes.LIST_MEMBER, "contacts": shapes.CONTACT_SUMMARY,
                "contact": shapes.CONTACT, "campaigns": shapes.CAMPAIGN_SUMMARY,
                "campaign": shapes.CAMPAIGN, "activities": shapes.ACTIVITY, "activity": shapes.ACTIVITY,
                "email_addresses": atom.EMAIL_ADDRESS, "email_address": atom.EMAIL_ADDRESS,
            }[kind]


def test_str_input_reads_like_bytes():
    data = fixture("contacts_feed.xml")
    assert atom.parse(data.decode("utf-8")) == atom.parse(data)


# --- contact lists -------------------------------------------------------------------------------

def test_contact_lists_feed_keeps_system_lists():
    assert parse("contact_lists_feed.xml").items == [
        {"id": f"{KICK}/lists/active", "name": "Active", "updated": "2009-07-07T23:30:17.388Z"},
        {"id": f"{KICK}/lists/do-not-mail", "name": "Do Not Mail", "updated": "2009-07-07T23:30:17.388Z"},
        {"id": f"{KICK}/lists/removed", "name": "Removed", "updated": "2009-07-07T23:30:17.388Z"},
        {"id": f"{KICK}/lists/1", "name": "General Interest", "updated": "2009-07-07T23:30:17.389Z"},
        {"id": f"{KICK}/lists/2", "name": "Clients", "updated": "2009-07-07T23:30:17.389Z"},
    ]


def test_contact_lists_pages():
    assert parse("contact_lists_feed_page1.xml").items == [
        {"id": f"{USER}/lists/1", "name": "General Interest", "updated": "2008-04-16T13:07:14.057Z"},
        {"id": f"{USER}/lists/2", "name": "Recent Signups", "updated": "2008-04-16T13:07:14.061Z"},
    ]
    assert parse("contact_lists_feed_page2.xml").items == [
        {"id": f"{USER}/lists/3", "name": "Miscellaneous", "updated": "2008-04-16T13:07:14.070Z"},
    ]


@pytest.mark.parametrize("name, expected", [
    ("contact_list_entry.xml", {"id": f"{JOE}/lists/1", "updated": "2008-04-16T18:39:35.710Z",
                                "name": "General Interest", "opt_in_default": "false",
                                "short_name": "General Interest", "sort_order": "1"}),
    ("contact_list_entry_new.xml", {"id": f"{JOE}/lists/15", "updated": "2008-04-16T15:28:09.757Z",
                                    "name": "Test list 5", "opt_in_default": "false",
                                    "short_name": "Test list 5", "sort_order": "1"}),
    ("contact_list_entry_no_atom_ns.xml", {"id": f"{USER}/lists/1", "updated": "2008-04-16T13:07:14.057Z",
                                           "name": "General Interest", "opt_in_default": "false",
                                           "short_name": "General Interest", "sort_order": "1"}),
    ("contact_list_entry_no_ns.xml", {"id": f"{KICK}/lists/1", "updated": "2009-07-07T23:49:09.032Z",
                                      "name": "General Interest", "opt_in_default": "true",
                                      "short_name": "General Interest", "sort_order": "1"}),
])
def test_contact_list_entries(name, expected):
    parsed = parse(name)
    assert parsed.items == [expected]
    assert list(parsed.items[0]) == list(shapes.LIST)


def test_namespace_quirks_warn(caplog):
    with caplog.at_level(logging.WARNING, logger="ctct"):
        no_atom = parse("contact_list_entry_no_atom_ns.xml")
        no_ctct = parse("contact_list_entry_no_ns.xml")
    assert any("no namespace" in w for w in no_atom.warnings)
    assert any("not in the Constant Contact namespace" in w for w in no_ctct.warnings)
    assert sum("atom:" in r.getMessage() for r in caplog.records) >= 2


# --- list members --------------------------------------------------------------------------------

def test_list_members():
    assert parse("list_members_feed.xml").items == [
        {"id": f"{JOE}/contacts/26", "name": "", "email_address": "ssg@sg.cc", "updated": "2009-05-14T18:23:26.692Z"},
        {"id": f"{JOE}/contacts/25", "name": "ss", "email_address": "sg23@sg.cc", "updated": "2009-05-14T18:23:26.693Z"},
        {"id": f"{JOE}/contacts/24", "name": "MAss", "email_address": "sgddd@sg.cc", "updated": "2009-05-14T18:23:26.694Z"},
    ]
    assert parse("list_members_feed.xml").feed_id == f"{JOE}/lists/1/members"


def test_large_list_members_feed():
    items = parse("list_members_feed_large.xml").items
    assert items[0] == {"id": f"{KICK}/contacts/51", "name": "Donnelly, Mike",
                        "email_address": "winston_stiedemann@mcdermottrobel.uk", "updated": "2009-07-09T20:56:20.868Z"}
    assert items[-1]["name"] == "Larson, Caterina"
    assert len({item["id"] for item in items}) == 50


# --- contacts ------------------------------------------------------------------------------------

def test_contacts_feed_summaries():
    assert parse("contacts_feed.xml").items == [
        {"id": f"{JOE}/contacts/2", "status": "Active", "email_address": "jon@example.com", "email_type": "HTML",
         "name": "smith, jon", "opt_in_time": "2010-04-21T18:35:34.066Z", "opt_in_source": "ACTION_BY_CUSTOMER",
         "updated": "2010-04-22T00:09:06.017Z"},
        {"id": f"{JOE}/contacts/1", "status": "Active", "email_address": "my@example.com", "email_type": "HTML",
         "name": "Doe, Marvin", "opt_in_time": "2010-04-14T22:09:42.950Z", "opt_in_source": "ACTION_BY_CUSTOMER",
         "updated": "2010-04-22T00:09:06.017Z"},
    ]


def test_contacts_minimal_and_typo_feeds():
    minimal = parse("contacts_feed_minimal.xml").items
    assert minimal[1] == shapes.make(shapes.CONTACT_SUMMARY, id=f"{USER}/contacts/2", email_address="jschmoe@company.com",
                                     name="Joe Schmoe", updated="2008-04-16T13:07:15.201Z")
    typo = parse("contacts_search_feed_typo.xml")
    assert typo.items == [shapes.make(shapes.CONTACT_SUMMARY, id=f"{USER}/contacts/1", email_address="jdoe@acme.company.com",
                                      name="John Doe", updated="2008-04-16T13:07:14.057Z")]
    assert typo.warnings == []  # the stray "[" text is well-formed


def test_contacts_paged_feed_with_wrapped_ids():
    parsed = parse("contacts_feed_paged.xml")
    assert [item["id"] for item in parsed.items] == [f"{JOE}/contacts/21930", f"{JOE}/contacts/21929"]
    assert parsed.items[0]["opt_in_source"] == "ACTION_BY_CONTACT"
    assert any("wrapped" in w for w in parsed.warnings)


def test_contacts_search_feeds():
    one = parse("contacts_search_by_email_feed.xml").items
    two = parse("contacts_search_by_emails_feed.xml").items
    assert one[0] == two[0]
    assert [c["email_address"] for c in two] == ["jon@example.com", "my@example.com"]
    assert two[1]["id"] == f"{JOE}/contacts/3"


def test_full_contact_entry():
    parsed = parse("contact_entry.xml")
    assert parsed.items == [full_contact(
        f"{JOE}/contacts/22199", "2009-11-20T20:41:19.243Z", [f"{JOE}/lists/3"],
        status="Active", email_address="joe@example.com", email_type="HTML", name="Customer Joe",
        first_name="Joe", last_name="Smith", state_code="MA", state_name="Massachusetts", country_code="us",
        country_name="United States", postal_code="02154", sub_postal_code="1781", confirmed="false",
        insert_time="2009-11-20T20:41:06.593Z", last_update_time="2009-11-20T20:41:19.243Z",
    )]
    assert any("wrapped" in w for w in parsed.warnings)  # the body's id attribute


def test_contact_lists_work_as_strings_and_as_dicts():
    contact = parse("contact_entry_two_lists_trailing_quote.xml").items[0]
    refs = contact["contact_lists"]
    assert refs == [f"{JOE}/lists/1", f"{JOE}/lists/2"]  # the 2009 code's strings
    assert all(isinstance(ref, ListRef) for ref in refs)
    assert [ref["id"] for ref in refs] == [f"{JOE}/lists/1", f"{JOE}/lists/2"]  # the README's dicts
    assert refs[0][refs[0].rindex("/") + 1:] == "1"


@pytest.mark.parametrize("name, expected_id, lists, email, first", [
    ("contact_entry_trailing_quote.xml", f"{JOE}/contacts/2", [f"{JOE}/lists/1"], "jon@example.com", "jon"),
    ("contact_entry_no_lists_trailing_quote.xml", f"{JOE}/contacts/2", [], "jon@example.com", "jon"),
    ("contact_entry_two_lists_trailing_quote.xml", f"{JOE}/contacts/4", [f"{JOE}/lists/1", f"{JOE}/lists/2"],
     "fred@example.com", "fred"),
])
def test_trailing_quote_contacts_read_with_a_warning(name, expected_id, lists, email, first):
    parsed = parse(name)
    assert parsed.items == [full_contact(
        expected_id, "2010-04-21T18:35:34.279Z", lists, status="Active", email_address=email, email_type="HTML",
        name=f"{first} smith", first_name=first, last_name="smith", confirmed="false",
        insert_time="2010-04-21T18:35:34.066Z", last_update_time="2010-04-21T18:35:34.279Z",
    )]
    assert any("after the root element" in w for w in parsed.warnings)


def test_docs_minimal_contact_with_duplicate_ids():
    parsed = parse("contact_entry_docs_minimal.xml")
    assert parsed.items == [partial_contact(
        f"{USER}/contacts/1", "2008-04-16T13:07:13.453Z", name="John Doe", first_name="John", last_name="Doe",
        company_name="Acme Corp", work_phone="555-555-1234", addr1="123 Any St", state_code="MA",
        state_name="Massachusetts", postal_code="01234", email_address="jdoe@acme.company.com",
    )]
    assert any("more than one atom:id" in w for w in parsed.warnings)
    assert any("more than one atom:updated" in w for w in parsed.warnings)


def test_contact_request_bodies():
    create = parse("contact_create_entry.xml").items[0]
    assert create == partial_contact(
        None, "2008-07-23T14:21:06.407Z", [f"{JOE[:-12]}/geeksquad/joesflowers/lists/1"],
        email_address="test_100@example.com", first_name="First", last_name="Last")
    update = parse("contact_update_entry.xml").items[0]
    assert update == partial_contact(
        f"{JOE}/contacts/1454", "2008-07-23T14:21:06.407Z", [f"{JOE}/lists/1"],
        email_address="test101@example.com", first_name="First", last_name="Last")
    remove = parse("contact_remove_from_all_lists_entry.xml").items[0]
    assert remove == partial_contact(f"{JOE}/contacts/1454", "2008-07-23T14:21:06.407Z", [])


# --- campaigns -----------------------------------------------------------------------------------

def test_campaigns_feeds():
    assert parse("campaigns_feed.xml").items == [
        {"id": f"{USER}/campaigns/1100546096289", "name": "Spring Campaign", "status": "Sent",
         "date": "2009-10-19T18:34:53.105Z", "updated": "2009-10-19T18:34:53.105Z"},
        {"id": f"{USER}/campaigns/1100546028219", "name": "Fall Campaign", "status": "Draft",
         "date": "2009-10-16T13:55:48.369Z", "updated": "2009-10-16T13:55:48.369Z"},
    ]
    no_next = parse("campaigns_feed_no_next.xml").items
    assert [(c["name"], c["status"]) for c in no_next] == [
        ("Nationwide 221111", "Sent"), ("Nationwide 211111", "Sent"),
        ("Brighton Email - Yaa, Cranial Osteopathy, Blackstock", "Draft")]


def test_empty_campaigns_feed_is_told_by_its_id():
    parsed = parse("campaigns_feed_empty.xml")
    assert (parsed.kind, parsed.items, parsed.next) == ("campaigns", [], None)


def test_campaign_entry_uses_the_body_id_over_the_collection_uri():
    parsed = parse("campaign_entry.xml")
    assert parsed.items == [shapes.make(
        shapes.CAMPAIGN, id=f"{USER}/campaigns/1", updated="2009-10-19T18:34:53.105Z", status="Draft",
        name="API Test Email", date="2009-10-19T18:34:53.105Z", contact_lists=[{"id": f"{USER}/lists/1"}], urls=[])]
    assert any("collection" in w for w in parsed.warnings)


def test_campaign_with_unescaped_content():
    item = parse("campaign_entry_unescaped_content.xml").items[0]
    assert item == shapes.make(
        shapes.CAMPAIGN, id=f"{JOE}/campaigns/1100546096289", updated="2009-10-19T18:34:53.105Z", status="Draft",
        name="API Test Email", date="2009-10-19T18:34:53.105Z", contact_lists=[{"id": f"{JOE}/lists/1"}], urls=[])


def test_custom_draft_campaign_with_stats_and_a_spaced_namespace():
    parsed = parse("campaign_entry_custom_draft_stats.xml")
    assert parsed.items == [shapes.make(
        shapes.CAMPAIGN, id=f"{JOE}/campaigns/1100545398420", updated="2009-10-01T18:42:56.939Z", status="Draft",
        name="joesflowers custom campaign HTML", date="2009-10-01T18:42:56.939Z",
        last_edit_date="2009-10-01T18:43:40.656Z", last_run_date="2009-10-01T18:43:40.656Z",
        sent="0", opens="0", clicks="0", bounces="0", forwards="0", opt_outs="0", spam_reports="0",
        contact_lists=[{"id": f"{JOE}/lists/2"}], urls=[])]
    assert any("namespace ' http://www.w3.org/2005/Atom'" in w for w in parsed.warnings)


def test_sent_campaign_with_doc_residue_and_lowercase_value():
    parsed = parse("campaign_entry_sent_urls_doc_artifacts.xml")
    assert parsed.items == [shapes.make(
        shapes.CAMPAIGN, id=f"{JOE}/campaigns/1102414826616", updated="2009-01-18T14:00:04.681Z", status="Sent",
        name="Copy of Jen R5 Deployment", date="2009-01-18T14:00:04.681Z",
        last_edit_date="2009-01-17T13:53:12.932Z", last_run_date="2009-01-18T14:00:04.676Z",
        sent="1", opens="1", clicks="1", bounces="0", forwards="0", opt_outs="0", spam_reports="0",
        contact_lists=[{"id": f"{JOE}/lists/41"}],
        urls=[{"id": f"{JOE}/campaigns/1102414826616/events/urls/10113016...", "value": "http://www.bestbuy.com",
               "clicks": "1"}])]
    assert any("documentation" in w for w in parsed.warnings)
    assert any("<value> read as <Value>" in w for w in parsed.warnings)


# --- events --------------------------------------------------------------------------------------

def test_campaign_bounce_events_pages():
    page1 = parse("campaign_events_bounces_feed_page1.xml")
    assert page1.items == [{
        "id": f"{USER}/campaigns/1/events/bounces/1", "updated": "2008-08-05T16:50:04.534Z",
        "event_time": "2008-08-05T16:50:04.534Z", "contact_id": f"{USER}/contacts/1",
        "contact_email_address": "joeschmoe@example.net", "campaign": f"{USER}/campaigns/1"}]
    page2 = parse("campaign_events_bounces_feed_page2.xml")
    assert page2.items[0]["contact_email_address"] == "ianjones@example.net"
    assert page2.items[0]["event_time"] == "2008-08-06T17:40:02.123Z"
    assert page2.next is None


def test_campaign_sends_with_doc_residue_and_an_unclosed_title():
    parsed = parse("campaign_events_sends_feed_doc_artifacts.xml")
    assert parsed.items == [{
        "id": f"{JOE}/campaigns/1100544653344/events/sends/1122907...", "updated": "2008-08-05T16:50:04.534Z",
        "event_time": "2008-08-05T16:50:04.534Z", "contact_id": f"{JOE}/contacts/1",
        "contact_email_address": "ianjones@example.net", "campaign": f"{JOE}/campaigns/1122907878323"}]
    assert any("recover mode" in w for w in parsed.warnings)


def test_contact_send_events():
    parsed = parse("contact_events_sends_feed.xml")
    assert parsed.items == [shapes.make(
        shapes.EVENT, id=f"{JOE}/contacts/281/events/sends/1122907878323,1,1217955004534",
        updated="2008-08-05T16:50:04.534Z", event_time="2008-08-05T16:50:04.534Z",
        contact_id=f"{JOE}/contacts/1", contact_email_address="ianjones@example.net",
        campaign=f"{JOE}/campaigns/1122907878323")]


def test_contact_events_summary():
    parsed = parse("contact_events_summary_feed.xml")
    assert parsed.kind == "contact_events"
    assert parsed.items == [
        dict(shapes.make(shapes.EVENT, id=f"{JOE}/events/summary/1100552708599", updated="2010-01-13T18:09:49.744Z",
                         contact_id=f"{JOE}/contacts/53", contact_email_address="customer1@example.com",
                         campaign=f"{JOE}/campaigns/1100552708599"),
             campaign_name="Jan 08 2010", opens="2", clicks="1", forwards="0"),
        dict(shapes.make(shapes.EVENT, id=f"{JOE}/events/summary/1100552526522", updated="2010-01-13T18:09:49.749Z",
                         contact_id=f"{JOE}/contacts/53", contact_email_address="customer1@example.com",
                         campaign=f"{JOE}/campaigns/1100552526522"),
             campaign_name="Jan 04 2010", opens="1", clicks="0", forwards="0"),
    ]
    assert tuple(parsed.items[0]) == atom.EVENTS_SUMMARY


def test_click_events_carry_link_url_as_a_string():
    # No public repository kept a ClickEvent feed; this one follows the other event feeds.
    data = f"""<feed xmlns="http://www.w3.org/2005/Atom">
      <id>{JOE}/contacts/7/events/clicks</id>
      <entry><id>{JOE}/contacts/7/events/clicks/1</id><updated>2009-01-01T00:00:00.000Z</updated>
        <content type="application/vnd.ctct+xml">
          <ClickEvent xmlns="http://ws.constantcontact.com/ns/1.0/" id="{JOE}/contacts/7/events/clicks/1">
            <Contact id="{JOE}/contacts/7"><EmailAddress>a@example.com</EmailAddress></Contact>
            <Campaign id="{JOE}/campaigns/9"/>
            <EventTime>2009-01-01T00:00:00.000Z</EventTime>
            <LinkUrl>http://example.com/?a=1&amp;b=2</LinkUrl>
          </ClickEvent></content></entry></feed>"""
    parsed = atom.parse(data)
    assert parsed.kind == "contact_events"
    assert parsed.items[0]["link_url"] == "http://example.com/?a=1&b=2"
    assert tuple(parsed.items[0]) == shapes.CLICK_EVENT


def test_optout_event_spellings_and_forced_kind():
    template = """<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:x</id>
      <content type="application/vnd.ctct+xml"><{0} xmlns="http://ws.constantcontact.com/ns/1.0/">
      <EventTime>t</EventTime></{0}></content></entry></feed>"""
    for element in ("OptOutEvent", "OptoutEvent"):
        assert atom.parse(template.format(element)).kind == "campaign_events"  # nothing says contact
        forced = atom.parse(template.format(element), kind="contact_events")
        assert forced.kind == "contact_events" and forced.items[0]["event_time"] == "t"


# --- activities, service documents, account e-mail addresses ----------------------------------

ERRORS = [
    {"line_number": "3", "email_address": "test2@test.com", "message": 'Unknown US/Canadian state/prov "Test2"'},
    {"line_number": "4", "email_address": "test3@test.com", "message": 'Unknown US/Canadian state/prov "Test3"'},
]


def test_activities_feed_and_entry():
    assert parse("activities_feed.xml").items == [{
        "id": f"{USER}/activities/a07e1ffaxjxffmvj6qd", "updated": "2008-04-29T19:30:15.637Z",
        "type": "ADD_CONTACT_DETAIL", "status": "COMPLETE", "errors": ERRORS, "file_name": "",
        "transaction_count": "1", "run_start_time": "2008-06-25T15:48:01.615Z",
        "run_finish_time": "2008-06-25T15:48:03.040Z", "insert_time": "2008-06-25T15:47:37.199Z"}]
    assert parse("activity_entry.xml").items == [{
        "id": f"{USER}/activities/activityname", "updated": "2008-04-29T19:36:10.948Z",
        "type": "ADD_CONTACT_DETAIL", "status": "COMPLETE", "errors": ERRORS, "file_name": "",
        "transaction_count": "1", "run_start_time": "2008-04-29T19:36:08.894Z",
        "run_finish_time": "2008-04-29T19:36:10.948Z", "insert_time": "2008-04-29T19:35:54.923Z"}]


def test_service_documents():
    assert parse("service_document.xml").items == [
        {"title": "Contact Lists", "href": "/ws/customers/joesflowers/lists",
         "accept": ["application/atom+xml; type=entry"], "workspace": "Constant Contact Web Services Customer Workspace"},
        {"title": "Bulk Activity", "href": "/ws/customers/joesflowers/activities",
         "accept": ["application/x-www-form-urlencoded", "multipart/form-data"],
         "workspace": "Constant Contact Web Services Customer Workspace"},
    ]
    events = parse("campaign_events_service_document.xml").items
    assert [c["href"].rsplit("/", 1)[1] for c in events] == ["bounces", "forwards", "opens", "optouts", "sends"]
    assert events[3]["title"] == "Opt-out Events for Customer: joesflowers, Campaign id: : 1100544815515"


def test_account_email_addresses():
    feed = parse("settings_emailaddresses_feed.xml").items
    assert feed == [
        {"id": f"{JOE}/settings/emailaddresses/1", "updated": "2009-05-21T17:44:04.609Z",
         "email_address": "joesflowers@example.com", "status": "Verified", "verified_time": "2009-05-21T17:44:04.609Z"},
        {"id": f"{JOE}/settings/emailaddresses/2", "updated": "2009-09-02T13:27:36.552Z",
         "email_address": "joesflowers2@example.com", "status": "Pending", "verified_time": None},
    ]
    assert parse("settings_emailaddress_entry.xml").items == feed[:1]


# --- forcing and refusing kinds ----------------------------------------------------------------

def test_kind_can_be_forced():
    parsed = parse("contacts_feed.xml", kind="contact")
    assert parsed.kind == "contact"
    assert parsed.items[0]["email_address"] == "jon@example.com" and tuple(parsed.items[0]) == shapes.CONTACT
    assert parse("campaigns_feed_empty.xml", kind="campaigns").items == []


def test_a_forced_kind_that_does_not_fit_is_an_error():
    with pytest.raises(atom.AtomError) as caught:
        parse("contacts_feed.xml", kind="campaigns")
    assert caught.value.kind == "campaigns" and caught.value.line is not None
    with pytest.raises(atom.AtomError):
        parse("service_document.xml", kind="contacts")
    with pytest.raises(atom.AtomError):
        parse("contacts_feed.xml", kind="service")
    with pytest.raises(atom.AtomError, match="unknown kind"):
        parse("contacts_feed.xml", kind="people")


def test_non_atom_documents_are_refused():
    with pytest.raises(atom.AtomError, match="rss"):
        atom.parse(b"<rss version='2.0'><channel/></rss>")
    with pytest.raises(atom.AtomError, match="no Constant Contact content"):
        atom.parse(b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>x</id></entry></feed>")
    with pytest.raises(atom.AtomError, match="names no known collection"):
        atom.parse(b"<feed xmlns='http://www.w3.org/2005/Atom'><id>urn:blog</id></feed>")
    with pytest.raises(TypeError):
        atom.parse(12)
