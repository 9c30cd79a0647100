"""get_campaign_events / get_contact_events over HTTP against the emulator: the demo seed's
sent campaign (tracking data of every kind) and a larger seed for paging."""
import logging

import pytest

from .conftest import make_client
from ctct.emulator import Emulator
from ctct.legacy import campaigns, events, shapes
from ctct.legacy.context import LegacyContext
from ctct.v3.errors import InvalidInputError, NotFoundError

SENT_V2 = 1100000000003
DRAFT_V2 = 1100000000001
BASE = "http://api.constantcontact.com/ws/customers/joe/"
NON_CLICK_TYPES = [shapes.EVENTS_BOUNCES, shapes.EVENTS_FORWARDS, shapes.EVENTS_OPENS,
                   shapes.EVENTS_OPT_OUTS, shapes.EVENTS_SENDS]
ALL_TYPES = NON_CLICK_TYPES + [shapes.EVENTS_CLICKS]


@pytest.fixture
def demo(demo_emu):
    client = make_client(demo_emu)
    yield demo_emu, client
    client.close()


def fresh(client, strict=True):
    return LegacyContext(client, "joe", strict=strict)


def sent_campaign(client):
    """(campaign_id, primary activity id) of the demo's sent campaign, read from V3."""
    xref = client.get("/emails/campaign_id_xrefs", params={"v2_email_campaign_ids": SENT_V2})["xrefs"][0]
    return xref["campaign_id"], xref["campaign_activity_id"]


def report(client, activity_id, kind):
    return list(client.paginate(f"/reports/email_reports/{activity_id}/tracking/{kind}", "tracking_activities"))


def counted(client, func, *args, **kwargs):
    before = client.request_count
    result = func(*args, **kwargs)
    return result, client.request_count - before


# -- campaign events --------------------------------------------------------------------------

@pytest.mark.parametrize("event_type", NON_CLICK_TYPES)
def test_campaign_events_match_the_v3_tracking_report(demo, event_type):
    _, client = demo
    campaign_id, activity_id = sent_campaign(client)
    rows = report(client, activity_id, shapes.EVENT_PATHS[event_type])
    assert rows, "the demo has events of every kind"
    result, requests = counted(client, events.get_campaign_events, fresh(client), campaign_id, event_type)
    assert requests == 2  # the campaign (for its primary activity) and one report page
    assert len(result) == len(rows)
    assert len({e["id"] for e in result}) == len(result)  # ids are unique
    for event, row in zip(result, rows):
        assert tuple(event) == shapes.EVENT
        assert event["campaign"] == BASE + "campaigns/" + campaign_id
        assert event["contact_id"] == BASE + "contacts/" + row["contact_id"]
        assert event["contact_email_address"] == row["email_address"]
        assert event["event_time"] == event["updated"]
        assert event["event_time"].endswith("Z") and len(event["event_time"]) == 24
        assert event["id"].startswith(f"{BASE}campaigns/{campaign_id}/events/{shapes.EVENT_PATHS[event_type]}/"
                                      f"{row['contact_id']},")
        # the id ends with the event's time in epoch ms (a repeat adds ",2")
        stamp = str(events.timestamps.epoch_ms(row["created_time"]))
        assert f",{stamp}" in event["id"] and events.timestamps.epoch_ms(event["event_time"]) == int(stamp)


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_each_event_time_is_parsed_once(demo, monkeypatch, event_type):
    """Event lists are thousands of rows: each distinct time is read once, for both the
    dates and the id of every event at that time (a campaign's sends share one)."""
    _, client = demo
    campaign_id, activity_id = sent_campaign(client)
    rows = report(client, activity_id, shapes.EVENT_PATHS[event_type])
    ctx = fresh(client)
    events.get_campaign_events(ctx, campaign_id, event_type)  # the campaign read, which parses dates
    parsed = []
    for name in ("parse", "_parse_legacy_form"):
        original = getattr(events.timestamps, name)
        monkeypatch.setattr(events.timestamps, name, lambda value, _f=original: parsed.append(value) or _f(value))
    result = events.get_campaign_events(ctx, campaign_id, event_type)
    count = sum(len(g["events"]) for g in result) if event_type == shapes.EVENTS_CLICKS else len(result)
    assert count == len(rows) and len(parsed) == len({row["created_time"] for row in rows})


def test_campaign_event_ids_are_stable(demo):
    _, client = demo
    campaign_id, _ = sent_campaign(client)
    first = events.get_campaign_events(fresh(client), campaign_id, shapes.EVENTS_OPENS)
    again = events.get_campaign_events(fresh(client), campaign_id, shapes.EVENTS_OPENS)
    assert [e["id"] for e in first] == [e["id"] for e in again]


def test_campaign_events_accept_every_id_form(demo):
    _, client = demo
    campaign_id, _ = sent_campaign(client)
    expected = events.get_campaign_events(fresh(client), campaign_id, shapes.EVENTS_SENDS)
    for form in (SENT_V2, str(SENT_V2), BASE + f"campaigns/{SENT_V2}", campaign_id, BASE + "campaigns/" + campaign_id):
        ctx = fresh(client)
        result, requests = counted(client, events.get_campaign_events, ctx, form, shapes.EVENTS_SENDS)
        assert result == expected, form
        # a V2 id costs the xref lookup, which also names the primary activity; a V3 id the campaign
        assert requests == 2, form
        again, requests = counted(client, events.get_campaign_events, ctx, form, shapes.EVENTS_SENDS)
        assert again == expected and requests == 1, form  # the activity id is remembered


def test_click_events_keep_the_per_url_grouping(demo):
    _, client = demo
    campaign_id, activity_id = sent_campaign(client)
    ctx = fresh(client)
    groups, requests = counted(client, events.get_campaign_events, ctx, campaign_id, shapes.EVENTS_CLICKS)
    assert requests == 3  # the campaign, the links report, one page of the clicks report
    urls = campaigns.get_campaign(ctx, campaign_id)["urls"]
    assert [(g["id"], g["value"], g["clicks"]) for g in groups] == [(u["id"], u["value"], u["clicks"]) for u in urls]
    rows = report(client, activity_id, "clicks")
    assert sum(len(g["events"]) for g in groups) == len(rows)
    by_url = {}
    for row in rows:
        by_url.setdefault(row["url_id"], []).append(row)
    for group in groups:
        assert tuple(group) == shapes.CLICK_URL_GROUP
        assert isinstance(group["value"], str) and group["value"].startswith("https://")
        url_id = group["id"].rsplit("/", 1)[1]
        assert [e["contact_id"].rsplit("/", 1)[1] for e in group["events"]] == [
            r["contact_id"] for r in by_url.get(url_id, [])]
        for event in group["events"]:
            assert tuple(event) == shapes.EVENT
            assert event["id"].startswith(group["id"] + "/")
            assert event["campaign"] == BASE + "campaigns/" + campaign_id


def test_draft_campaign_has_no_events(demo):
    _, client = demo
    for event_type in ALL_TYPES:
        assert events.get_campaign_events(fresh(client), DRAFT_V2, event_type) == []


@pytest.mark.parametrize("bad", [6, -1, None, True, "opens", 1.5])
def test_unknown_event_type_is_invalid_before_any_request(demo, bad, caplog):
    emu, client = demo
    before = len(emu.requests)
    with pytest.raises(InvalidInputError):
        events.get_campaign_events(fresh(client), SENT_V2, bad)
    with pytest.raises(InvalidInputError):
        events.get_contact_events(fresh(client), bad, email="someone@example.com")
    lenient = fresh(client, strict=False)
    with caplog.at_level(logging.WARNING, logger="ctct"):
        assert lenient.call("get_campaign_events", None, events.get_campaign_events, SENT_V2, bad) is None
        assert lenient.call("get_contact_events", None, events.get_contact_events, bad, "a@example.com") is None
    assert "unknown event type" in caplog.text
    assert len(emu.requests) == before


def test_unknown_campaign_gives_none_or_not_found(demo):
    _, client = demo
    with pytest.raises(NotFoundError):
        events.get_campaign_events(fresh(client), 1234, shapes.EVENTS_SENDS)
    lenient = fresh(client, strict=False)
    assert lenient.call("get_campaign_events", None, events.get_campaign_events,
                        "9a4c6d43-0000-4000-8000-000000000000", shapes.EVENTS_SENDS) is None


# -- contact events ---------------------------------------------------------------------------

def contact_with(client, activity_id, kind):
    """(contact_id, email) of a contact with at least one event of `kind`."""
    row = report(client, activity_id, kind)[0]
    return row["contact_id"], row["email_address"]


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_contact_events_by_email_match_the_campaign_reports(demo, event_type):
    _, client = demo
    campaign_id, activity_id = sent_campaign(client)
    kind = shapes.EVENT_PATHS[event_type]
    contact_id, email = contact_with(client, activity_id, kind)
    expected_rows = [r for r in report(client, activity_id, kind) if r["contact_id"] == contact_id]
    result, requests = counted(client, events.get_contact_events, fresh(client), event_type, email=email)
    # the email lookup, one page, the campaign of the activity (+ the clicks report for link_url)
    assert requests == (4 if event_type == shapes.EVENTS_CLICKS else 3)
    assert len(result) == len(expected_rows) > 0
    shape = shapes.CLICK_EVENT if event_type == shapes.EVENTS_CLICKS else shapes.EVENT
    for event in result:
        assert tuple(event) == shape
        assert event["contact_id"] == BASE + "contacts/" + contact_id
        assert event["contact_email_address"] == email
        assert event["campaign"] == BASE + "campaigns/" + campaign_id
        assert event["id"].startswith(f"{BASE}contacts/{contact_id}/events/{kind}/{campaign_id},")
    assert sorted(e["event_time"] for e in result) == sorted(
        events.timestamps.legacy(r["created_time"]) for r in expected_rows)
    if event_type == shapes.EVENTS_CLICKS:
        for event in result:
            assert isinstance(event["link_url"], str)  # the 2009 client returned a tuple
        assert sorted((e["event_time"], e["link_url"]) for e in result) == sorted(
            (events.timestamps.legacy(r["created_time"]), r["link_url"]) for r in expected_rows)


def test_contact_events_accept_every_contact_id_form(demo):
    _, client = demo
    _, activity_id = sent_campaign(client)
    contact_id, email = contact_with(client, activity_id, "opens")
    xrefs = client.get("/contacts/contact_id_xrefs", params={"sequence_ids": ",".join(
        str(n) for n in range(1, 251))})["xrefs"]
    v2_number = next(int(x["sequence_id"]) for x in xrefs if x["contact_id"] == contact_id)
    expected = events.get_contact_events(fresh(client), shapes.EVENTS_OPENS, email=email)
    # (the xref for a V2 id,) the report page, the contact (its address), the campaign of the activity
    forms = [(v2_number, 4), (str(v2_number), 4), (BASE + f"contacts/{v2_number}", 4),
             (contact_id, 3), (BASE + "contacts/" + contact_id, 3)]
    for form, cost in forms:
        result, requests = counted(client, events.get_contact_events, fresh(client), shapes.EVENTS_OPENS,
                                   contact_id_number=form)
        assert result == expected, form
        assert requests == cost, form
    # the id wins over the email when both are given, as in the 2009 client
    other_email = report(client, activity_id, "sends")[-1]["email_address"]
    assert events.get_contact_events(fresh(client), shapes.EVENTS_OPENS, email=other_email,
                                     contact_id_number=contact_id) == expected


def test_contact_without_events_costs_two_requests(demo):
    _, client = demo
    contact = client.get("/contacts", params={"limit": 500})["contacts"]
    _, activity_id = sent_campaign(client)
    sent = {r["contact_id"] for r in report(client, activity_id, "sends")}
    quiet = next(c for c in contact if c["contact_id"] not in sent)
    result, requests = counted(client, events.get_contact_events, fresh(client), shapes.EVENTS_SENDS,
                               email=quiet["email_address"]["address"])
    assert result == [] and requests == 2


def test_contact_events_bad_input(demo, caplog):
    emu, client = demo
    before = len(emu.requests)
    for kwargs in ({}, {"email": "not-an-email"}, {"email": ""}, {"contact_id_number": "nope"}):
        with pytest.raises(InvalidInputError):
            events.get_contact_events(fresh(client), shapes.EVENTS_OPENS, **kwargs)
    assert len(emu.requests) == before  # rejected before any request
    with pytest.raises(NotFoundError):
        events.get_contact_events(fresh(client), shapes.EVENTS_OPENS, email="nobody@nowhere.example.com")
    lenient = fresh(client, strict=False)
    with caplog.at_level(logging.WARNING, logger="ctct"):
        assert lenient.call("get_contact_events", None, events.get_contact_events, shapes.EVENTS_OPENS,
                            "nobody@nowhere.example.com") is None
    assert "nobody@nowhere.example.com" in caplog.text


# -- paging ----------------------------------------------------------------------------------

def big_seed(recipients=520, opens=105):
    """One sent campaign with more sends than a report page (500) and one contact with more
    opens than a contact report page (100), two of them at the same instant."""
    addresses = [f"reader{n}@example.com" for n in range(recipients)]
    tracking = [{"type": "em_sends", "email_address": a, "created_time": "2024-03-01T10:00:00.000Z"}
                for a in addresses]
    tracking += [{"type": "em_opens", "email_address": addresses[0],
                  "created_time": f"2024-03-{2 + n // 60:02d}T{(n % 60) // 4 + 1:02d}:{(n * 7) % 60:02d}:00.000Z"}
                 for n in range(opens - 1)]
    tracking.append(dict(tracking[-1]))  # the same open reported twice
    return {
        "contact_lists": [{"name": "Readers"}],
        "contacts": [{"email_address": {"address": a, "permission_to_send": "implicit"},
                      "list_memberships": ["Readers"]} for a in addresses],
        "emails": [{
            "v2_id": 1100000000777, "name": "Big send", "current_status": "Done",
            "scheduled_date": "2024-03-01T10:00:00.000Z", "contact_list_ids": ["Readers"],
            "email_campaign_activities": [{
                "format_type": 5, "from_name": "Joe", "from_email": "owner@example.com",
                "reply_to_email": "owner@example.com", "subject": "Hello",
                "html_content": "<html><body>[[trackingImage]]<a href=\"https://example.com/a\">a</a></body></html>"}],
            "tracking": tracking,
        }],
    }


def test_every_page_is_read():
    with Emulator(seed=big_seed()) as emu, make_client(emu) as client:
        ctx = fresh(client)
        sends, requests = counted(client, events.get_campaign_events, ctx, 1100000000777, shapes.EVENTS_SENDS)
        assert len(sends) == 520 and requests == 1 + 2  # xref, two pages of 500
        pages = [r for r in emu.requests if r.path.endswith("/tracking/sends")]
        assert pages[0].query.get("limit") == "500"
        opens, requests = counted(client, events.get_contact_events, ctx, shapes.EVENTS_OPENS,
                                  email="reader0@example.com")
        assert len(opens) == 105
        assert requests == 1 + 2  # the email lookup, two pages of 100 (the campaign is known)
        assert [r for r in emu.requests if r.path.endswith("/activity_details")][0].query.get("limit") == "100"
        ids = [e["id"] for e in opens]
        assert len(set(ids)) == len(ids)
        twice = [i for i in ids if i.split(",")[1] == "2"]
        assert len(twice) == 1  # the repeated open is numbered 2, as the 2009 ids counted


# -- through CTCTConnection ----------------------------------------------------------------------

def test_readme_event_calls_through_the_connection(demo_emu):
    from ctct import CTCTConnection

    with CTCTConnection("api-key", "joe", demo_emu.access_token, base_url=demo_emu.base_url,
                        rate_limit=None) as conn:
        bounces = conn.get_campaign_events(str(SENT_V2), CTCTConnection.EVENTS_BOUNCES)
        sends = conn.get_campaign_events(str(SENT_V2), CTCTConnection.EVENTS_SENDS)
        assert bounces and len(sends) > len(bounces)
        assert len(conn.get_campaign_events(str(SENT_V2), CTCTConnection.EVENTS_OUT_OUTS)) == len(
            conn.get_campaign_events(str(SENT_V2), CTCTConnection.EVENTS_OPT_OUTS))
        clicks = conn.get_campaign_events(str(SENT_V2), CTCTConnection.EVENTS_CLICKS)
        assert [g["value"] for g in clicks] == [u["value"] for u in conn.get_campaign(str(SENT_V2))["urls"]]
        bounced = bounces[0]
        assert conn.get_contact_events(event_type=CTCTConnection.EVENTS_BOUNCES,
                                       contact_id_number=bounced["contact_id"])[0]["campaign"] == bounced["campaign"]
        opens = conn.get_contact_events(event_type=CTCTConnection.EVENTS_OPENS,
                                        email=sends[0]["contact_email_address"])
        assert isinstance(opens, list)
        assert conn.get_contact_events(event_type=9, email="a@example.com") is None
        assert conn.get_campaigns(type=CTCTConnection.CAMPAIGNS_SENT)[0]["id"] == bounced["campaign"]


@pytest.mark.parametrize("v3, legacy", [
    ("2019-04-25T11:08:00.000Z", "2019-04-25T11:08:00.000Z"),
    ("2017-04-02T04:08:00+00:00", "2017-04-02T04:08:00.000Z"),
    ("2024-12-02T15:00:00-05:00", "2024-12-02T20:00:00.000Z"),
    ("2024-12-02T15:00:00.1234567Z", "2024-12-02T15:00:00.123Z"),
    ("2024-12-02T15:00:00", "2024-12-02T15:00:00.000Z"),
    (None, None),
    ("2024-12-02T15:00:00.5Z", "2024-12-02T15:00:00.500Z"),
    ("2024-13-02T15:00:00.000Z", "2024-13-02T15:00:00.000Z"),  # the legacy spelling, not a date: kept
    (None, None),
    ("not a time", "not a time"),
])
def test_timestamps_read_as_the_2009_api_wrote_them(v3, legacy):
    timestamps = events.timestamps
    assert timestamps.legacy(v3) == legacy
    moment = timestamps.parse(v3)
    expected_ms = None if moment is None else int(moment.timestamp() * 1000)
    assert timestamps.epoch_ms(v3) == expected_ms
    assert timestamps.legacy_and_epoch_ms(v3) == (legacy, expected_ms)
    if moment is not None:
        assert timestamps.parse(legacy) == moment.replace(microsecond=moment.microsecond // 1000 * 1000)
