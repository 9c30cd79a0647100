"""get_campaigns / get_campaign over HTTP against the demo emulator (3 campaigns: a draft, a
scheduled one and one sent with tracking data)."""
import logging
import re
import uuid

import pytest

from .conftest import make_client
from ctct.legacy import campaigns, shapes
from ctct.legacy.context import LegacyContext
from ctct.v3.errors import InvalidInputError, NotFoundError

SENT_V2 = 1100000000003
DRAFT_V2 = 1100000000001
SCHEDULED_V2 = 1100000000002
URI = "http://api.constantcontact.com/ws/customers/joe/campaigns/"


@pytest.fixture
def demo(demo_emu):
    client = make_client(demo_emu)
    yield demo_emu, client, LegacyContext(client, "joe", strict=True)
    client.close()


def v3_campaign_ids(client):
    """{V2 id: V3 campaign_id} read straight from V3."""
    xrefs = client.get("/emails/campaign_id_xrefs",
                       params={"v2_email_campaign_ids": f"{DRAFT_V2},{SCHEDULED_V2},{SENT_V2}"})["xrefs"]
    return {int(x["v2_email_campaign_id"]): x["campaign_id"] for x in xrefs}


def endpoints(requests):
    """The paths of recorded requests with their ids as {id}."""
    return [re.sub(r"/[0-9a-f-]{36}(,[0-9a-f-]{36})*", "/{id}", r.path) for r in requests]


def counted(client, func, *args):
    before = client.request_count
    result = func(*args)
    return result, client.request_count - before


def test_get_campaigns_lists_every_campaign_with_legacy_keys_and_words(demo):
    emu, client, ctx = demo
    ids = v3_campaign_ids(client)
    result, requests = counted(client, campaigns.get_campaigns, ctx, shapes.CAMPAIGNS_ALL)
    assert requests == 1
    assert emu.requests[-1].path == "/emails" and emu.requests[-1].query.get("limit") == "500"
    by_id = {c["id"]: c for c in result}
    assert set(by_id) == {URI + ids[n] for n in (DRAFT_V2, SCHEDULED_V2, SENT_V2)}
    for campaign in result:
        assert tuple(campaign) == shapes.CAMPAIGN_SUMMARY
    assert by_id[URI + ids[DRAFT_V2]]["status"] == "Draft"
    assert by_id[URI + ids[SCHEDULED_V2]]["status"] == "Scheduled"
    sent = by_id[URI + ids[SENT_V2]]
    assert sent["status"] == "Sent"
    assert sent["name"] == "Holiday Bouquets 2024"
    assert sent["date"] == sent["updated"] == "2024-12-02T15:00:00.000Z"


@pytest.mark.parametrize("kind, expected", [
    (shapes.CAMPAIGNS_DRAFT, {DRAFT_V2}),
    (shapes.CAMPAIGNS_SCHEDULED, {SCHEDULED_V2}),
    (shapes.CAMPAIGNS_SENT, {SENT_V2}),
    (shapes.CAMPAIGNS_RUNNING, set()),
    (None, {DRAFT_V2, SCHEDULED_V2, SENT_V2}),
    ("3", {SENT_V2}),
])
def test_get_campaigns_filters_by_type(demo, kind, expected):
    _, client, ctx = demo
    ids = v3_campaign_ids(client)
    result = campaigns.get_campaigns(ctx, kind)
    assert {c["id"] for c in result} == {URI + ids[n] for n in expected}


def test_removed_campaigns_are_not_listed(demo):
    _, client, ctx = demo
    ids = v3_campaign_ids(client)
    client.delete(f"/emails/{ids[DRAFT_V2]}")
    assert client.get(f"/emails/{ids[DRAFT_V2]}")["current_status"] == "Removed"
    listed = {c["id"] for c in campaigns.get_campaigns(ctx, shapes.CAMPAIGNS_ALL)}
    assert listed == {URI + ids[SCHEDULED_V2], URI + ids[SENT_V2]}


@pytest.mark.parametrize("bad", [5, -1, True, "sent", 2.0])
def test_unknown_campaign_type_is_invalid_input(demo, bad, caplog):
    emu, client, ctx = demo
    before = len(emu.requests)
    with pytest.raises(InvalidInputError):
        campaigns.get_campaigns(ctx, bad)
    lenient = LegacyContext(client, "joe")
    with caplog.at_level(logging.WARNING, logger="ctct"):
        assert lenient.call("get_campaigns", None, campaigns.get_campaigns, bad) is None
    assert "unknown campaign type" in caplog.text
    assert len(emu.requests) == before  # rejected before any request


def id_forms(v2, v3):
    return [v2, str(v2), URI + str(v2), v3, URI + v3]


def test_get_campaign_sent_fills_counters_lists_and_urls(demo):
    emu, client, ctx = demo
    ids = v3_campaign_ids(client)
    campaign_id = ids[SENT_V2]
    start = len(emu.requests)
    campaign, requests = counted(client, campaigns.get_campaign, ctx, campaign_id)
    assert requests == 4  # campaign, activity stats (every counter), links, send history
    assert endpoints(emu.requests[start:]) == [
        "/emails/{id}", "/reports/stats/email_campaign_activities/{id}", "/reports/email_reports/{id}/links",
        "/emails/activities/{id}/send_history"]
    assert tuple(campaign) == shapes.CAMPAIGN
    assert campaign["id"] == URI + campaign_id
    assert (campaign["status"], campaign["name"]) == ("Sent", "Holiday Bouquets 2024")
    assert campaign["last_run_date"] == "2024-12-02T15:00:00.000Z"
    assert campaign["date"] == campaign["updated"] == campaign["last_edit_date"]

    # the counters agree with what V3's reports say, as strings (as the 2009 client returned)
    activity_id = next(a["campaign_activity_id"] for a in client.get(f"/emails/{campaign_id}")["campaign_activities"]
                       if a["role"] == "primary_email")
    def report_len(kind):
        return len(list(client.paginate(f"/reports/email_reports/{activity_id}/tracking/{kind}",
                                         "tracking_activities")))
    sends = report_len("sends")
    assert campaign["sent"] == str(sends) and sends > 0
    # one sent activity: its stats are the campaign's (every counter the campaign report has)
    stats = client.get(f"/reports/stats/email_campaigns/{campaign_id}")["results"][0]["stats"]
    activity_stats = client.get(f"/reports/stats/email_campaign_activities/{activity_id}")["results"][0]["stats"]
    for key, v3_key in campaigns.STAT_KEYS[:-1]:
        assert campaign[key] == str(stats[v3_key]) == str(activity_stats[v3_key]), key
    assert campaign["spam_reports"] == str(activity_stats["em_abuse"])
    assert {key: campaign[key] for key, _ in campaigns.STAT_KEYS} == {
        "sent": "168", "opens": "93", "clicks": "45", "bounces": "9", "forwards": "11", "opt_outs": "3",
        "spam_reports": "1"}  # the demo's figures
    assert campaign["bounces"] == str(len({r["contact_id"] for r in client.paginate(
        f"/reports/email_reports/{activity_id}/tracking/bounces", "tracking_activities")}))
    assert campaign["spam_reports"] == "1"  # the demo's one complaint

    newsletter = next(item["list_id"] for item in client.get("/contact_lists")["lists"]
                      if item["name"] == "Newsletter Subscribers")
    assert campaign["contact_lists"] == [
        {"id": f"http://api.constantcontact.com/ws/customers/joe/lists/{newsletter}"}]

    links = client.get(f"/reports/email_reports/{activity_id}/links", params={"no_clicks": "true"})
    expected_urls = [{"id": f"{URI}{campaign_id}/events/urls/{link['url_id']}", "value": link["link_url"],
                      "clicks": str(link["unique_clicks"])} for link in links["link_click_counts"]]
    assert campaign["urls"] == expected_urls
    assert [u["value"] for u in campaign["urls"]] == [
        "https://joesflowers.example.com/holiday", "https://joesflowers.example.com/shop/wreaths",
        "https://joesflowers.example.com/shop/centerpieces", "https://joesflowers.example.com/visit"]


def add_resend(emu, campaign_id, sent=True):
    """Give a sent campaign a resend activity, as V3 has them (the emulator has no resend
    endpoint): sent to the primary's non-openers, one of whom opens it and reports it as spam
    and also opens the primary late, so unique counts differ from the activities' sums."""
    from ctct.emulator import sending, tracking
    from ctct.emulator.store import new_id

    store = emu.store
    with store.lock:
        campaign = store.emails.get(campaign_id)
        primary_id = next(r["campaign_activity_id"] for r in campaign["campaign_activities"]
                          if r["role"] == "primary_email")
        resend_id = new_id()
        store.campaign_activities.add(dict(store.campaign_activities.get(primary_id),
                                           campaign_activity_id=resend_id, role="resend"))
        campaign["campaign_activities"].append({"campaign_activity_id": resend_id, "role": "resend"})
        if sent:
            index = tracking.index(store, primary_id)
            opened = set(index.per_contact[tracking.OPENS])
            targets = [store.contacts.get(c) for c in index.per_contact[tracking.SENDS] if c not in opened]
            tracking.record(store, resend_id, [sending.contact_event(c, tracking.SENDS, "2024-12-05T15:00:00.000Z")
                                               for c in targets])
            tracking.record(store, resend_id, [
                sending.contact_event(targets[0], tracking.OPENS, "2024-12-05T16:00:00.000Z"),
                sending.contact_event(targets[0], tracking.ABUSE, "2024-12-05T16:05:00.000Z")])
            tracking.record(store, primary_id, [
                sending.contact_event(targets[0], tracking.OPENS, "2024-12-05T17:00:00.000Z")])
    return primary_id, resend_id


def test_get_campaign_with_a_sent_resend_counts_unique_recipients(demo):
    """A resend goes to contacts the primary was sent to: the activities' stats summed would
    count them twice, so the counters are the campaign report's; the spam count, which that
    report lacks, is the activities' sum."""
    emu, client, ctx = demo
    campaign_id = v3_campaign_ids(client)[SENT_V2]
    primary_id, resend_id = add_resend(emu, campaign_id)
    start = len(emu.requests)
    campaign, requests = counted(client, campaigns.get_campaign, ctx, campaign_id)
    assert requests == 5  # campaign, activity stats, campaign stats, links, send history
    assert endpoints(emu.requests[start:])[:3] == [
        "/emails/{id}", "/reports/stats/email_campaign_activities/{id}", "/reports/stats/email_campaigns/{id}"]
    stats = client.get(f"/reports/stats/email_campaigns/{campaign_id}")["results"][0]["stats"]
    per_activity = [r["stats"] for r in client.get(
        f"/reports/stats/email_campaign_activities/{primary_id},{resend_id}")["results"]]
    assert len(per_activity) == 2
    for key, v3_key in campaigns.STAT_KEYS[:-1]:
        assert campaign[key] == str(stats[v3_key]), key
    assert campaign["spam_reports"] == str(sum(s["em_abuse"] for s in per_activity)) == "2"
    assert (campaign["sent"], campaign["opens"]) == ("168", "94")  # not 243 and 95, the sums
    assert sum(s["em_sends"] for s in per_activity) > int(campaign["sent"])


def test_get_campaign_with_an_unsent_resend_reads_only_the_activity_stats(demo):
    emu, client, ctx = demo
    campaign_id = v3_campaign_ids(client)[SENT_V2]
    before = campaigns.get_campaign(ctx, campaign_id)
    _, resend_id = add_resend(emu, campaign_id, sent=False)
    assert client.get(f"/reports/stats/email_campaign_activities/{resend_id}")["errors"]  # no stats yet
    campaign, requests = counted(client, campaigns.get_campaign, ctx, campaign_id)
    assert requests == 4 and campaign == before


def test_get_campaign_draft_and_scheduled_cost_two_requests(demo):
    _, client, ctx = demo
    ids = v3_campaign_ids(client)
    lists = {item["name"]: item["list_id"] for item in client.get("/contact_lists")["lists"]}
    draft, requests = counted(client, campaigns.get_campaign, ctx, ids[DRAFT_V2])
    assert requests == 2  # the campaign and its primary activity
    assert draft["status"] == "Draft" and draft["last_run_date"] is None
    assert {k: draft[k] for k, _ in campaigns.STAT_KEYS} == {k: "0" for k, _ in campaigns.STAT_KEYS}
    assert draft["urls"] == []
    assert draft["contact_lists"] == [
        {"id": f"http://api.constantcontact.com/ws/customers/joe/lists/{lists['Newsletter Subscribers']}"}]
    scheduled, requests = counted(client, campaigns.get_campaign, ctx, ids[SCHEDULED_V2])
    assert requests == 2
    assert scheduled["status"] == "Scheduled"
    assert {item["id"].rsplit("/", 1)[1] for item in scheduled["contact_lists"]} == {
        lists["Newsletter Subscribers"], lists["VIP Customers"]}


def test_get_campaign_accepts_every_id_form(demo):
    _, client, ctx = demo
    ids = v3_campaign_ids(client)
    expected = campaigns.get_campaign(ctx, ids[SENT_V2])
    fresh = LegacyContext(client, "joe", strict=True)  # nothing cached yet
    for form in id_forms(SENT_V2, ids[SENT_V2]):
        result, requests = counted(client, campaigns.get_campaign, fresh, form)
        assert result == expected, form
        assert result["id"] == URI + ids[SENT_V2]
        first_v2 = form == SENT_V2
        assert requests == (5 if first_v2 else 4), form  # the xref lookup happens once


def test_one_campaign_id_everywhere(demo):
    _, client, ctx = demo
    listed = {c["name"]: c["id"] for c in campaigns.get_campaigns(ctx, shapes.CAMPAIGNS_ALL)}
    for name, campaign_uri in listed.items():
        assert campaigns.get_campaign(ctx, campaign_uri)["id"] == campaign_uri
        assert campaigns.get_campaign(ctx, campaign_uri.rsplit("/", 1)[1])["id"] == campaign_uri


def test_unknown_campaign_is_not_found_or_none(demo, caplog):
    _, client, ctx = demo
    with pytest.raises(NotFoundError):
        campaigns.get_campaign(ctx, str(uuid.uuid4()))
    with pytest.raises(NotFoundError):
        campaigns.get_campaign(ctx, 1234567)  # a V2 number V3 does not know
    lenient = LegacyContext(client, "joe")
    with caplog.at_level(logging.WARNING, logger="ctct"):
        assert lenient.call("get_campaign", None, campaigns.get_campaign, str(uuid.uuid4())) is None
        assert lenient.call("get_campaign", None, campaigns.get_campaign, "not an id") is None
    assert "get_campaign failed" in caplog.text


def test_campaign_urls_of_a_list_uri_belong_to_the_contact_lists_kind(demo):
    _, client, ctx = demo
    with pytest.raises(InvalidInputError):
        campaigns.get_campaign(ctx, "http://api.constantcontact.com/ws/customers/joe/lists/1")


# -- through CTCTConnection ----------------------------------------------------------------------

def connect(emu, **kw):
    from ctct import CTCTConnection

    return CTCTConnection("api-key", "joe", emu.access_token, base_url=emu.base_url, rate_limit=None, **kw)


def test_readme_campaign_calls_through_the_connection(demo_emu, caplog):
    from ctct import CTCTConnection

    with connect(demo_emu) as conn:
        sent = conn.get_campaigns(type=CTCTConnection.CAMPAIGNS_SENT)
        assert [c["name"] for c in sent] == ["Holiday Bouquets 2024"]
        assert len(conn.get_campaigns()) == 3
        campaign = conn.get_campaign(campaign_id_number=str(SENT_V2))
        assert campaign["id"] == sent[0]["id"]
        assert campaign["name"] == "Holiday Bouquets 2024"
        assert all(lst["id"].startswith("http://api.constantcontact.com/ws/customers/joe/lists/")
                   for lst in campaign["contact_lists"])
        assert [int(url["clicks"]) for url in campaign["urls"]]
        with caplog.at_level(logging.WARNING, logger="ctct"):
            assert conn.get_campaigns(type=42) is None
            assert conn.get_campaign(campaign_id_number="1") is None
        assert "get_campaigns failed" in caplog.text and "get_campaign failed" in caplog.text
    with connect(demo_emu, strict=True) as conn:
        with pytest.raises(InvalidInputError):
            conn.get_campaigns(type=42)
        with pytest.raises(NotFoundError):
            conn.get_campaign("1")
