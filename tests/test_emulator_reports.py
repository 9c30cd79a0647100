"""The emulator's email and contact reports over HTTP. On the demo seed every figure must agree:
stats == tracking report counts == links sums == send history == contact reports."""
from collections import Counter

import pytest
import requests

from ctct.v3.errors import NotFoundError, ValidationError

from .conftest import make_client

UNKNOWN = "00000000-0000-4000-8000-000000000000"
KINDS = ("sends", "opens", "unique_opens", "didnotopens", "clicks", "forwards", "optouts", "bounces")


@pytest.fixture(scope="module")
def demo():
    """One demo account shared by the read-only tests of this module."""
    from ctct.emulator import Emulator

    with Emulator(seed="demo") as emulator:
        with make_client(emulator) as client:
            campaigns = {c["name"]: c for c in client.paginate("/emails", "campaigns")}
            sent = next(c for c in campaigns.values() if c["current_status"] == "Done")
            full = client.get(f"/emails/{sent['campaign_id']}")
            activity_id = next(a["campaign_activity_id"] for a in full["campaign_activities"]
                               if a["role"] == "primary_email")
            yield emulator, client, sent["campaign_id"], activity_id


def report(client, activity_id, kind, **params):
    return list(client.paginate(f"/reports/email_reports/{activity_id}/tracking/{kind}", "tracking_activities",
                                params=params))


def test_stats_agree_with_every_tracking_report_and_the_links_report(demo):
    _, client, campaign_id, activity_id = demo
    body = client.get(f"/reports/stats/email_campaigns/{campaign_id}")
    assert body["errors"] == []
    [result] = body["results"]
    stats = result["stats"]
    rows = {kind: report(client, activity_id, kind) for kind in KINDS}
    unique = {kind: {r["contact_id"] for r in rows[kind]} for kind in KINDS}

    assert stats["em_sends"] == len(rows["sends"]) == len(unique["sends"]) > 100
    assert stats["em_opens"] == len(unique["opens"]) == len(rows["unique_opens"]) > 0
    assert stats["em_opens_all"] == len(rows["opens"]) > stats["em_opens"]
    assert stats["em_clicks"] == len(unique["clicks"]) > 0
    assert stats["em_clicks_all"] == len(rows["clicks"])
    assert stats["em_bounces"] == len(rows["bounces"]) > 0
    assert stats["em_forwards"] == len(unique["forwards"]) > 0
    assert stats["em_optouts"] == len(rows["optouts"]) > 0
    assert stats["em_not_opened"] == len(rows["didnotopens"]) == \
        stats["em_sends"] - stats["em_opens"] - stats["em_bounces"]
    assert sum(stats[f"em_opens_all_{d}"] for d in ("computer", "mobile", "tablet", "other", "none")) == \
        stats["em_opens_all"]
    assert sum(stats[f"em_clicks_all_{d}"] for d in ("computer", "mobile", "tablet", "other", "none")) == \
        stats["em_clicks_all"]

    links = client.get(f"/reports/email_reports/{activity_id}/links")
    assert links["campaign_activity_id"] == activity_id
    clicked_pairs = {(r["contact_id"], r["url_id"]) for r in rows["clicks"]}
    assert sum(link["unique_clicks"] for link in links["link_click_counts"]) == len(clicked_pairs)
    assert len(links["link_click_counts"]) >= 3
    for link in links["link_click_counts"]:
        by_url = report(client, activity_id, "clicks", url_id=link["url_id"])
        assert {r["link_url"] for r in by_url} == {link["link_url"]}
        assert len({r["contact_id"] for r in by_url}) == link["unique_clicks"]

    history = client.get(f"/emails/activities/{activity_id}/send_history")
    assert sum(h["count"] for h in history) == stats["em_sends"]
    assert result["percents"]["open"] == round(100.0 * stats["em_opens"] / (stats["em_sends"] - stats["em_bounces"]), 1)


def test_activity_stats_and_summaries_match_the_campaign_stats(demo):
    _, client, campaign_id, activity_id = demo
    stats = client.get(f"/reports/stats/email_campaigns/{campaign_id}")["results"][0]["stats"]
    [activity] = client.get(f"/reports/stats/email_campaign_activities/{activity_id}")["results"]
    assert activity["campaign_id"] == campaign_id
    assert {k: v for k, v in activity["stats"].items() if k in stats} == stats
    assert activity["stats"]["em_abuse"] == 1
    breakdown = ("blocked", "mailbox_full", "nonexistent_address", "other", "suspended", "undeliverable", "vacation")
    assert sum(activity["stats"][f"em_bounces_{b}"] for b in breakdown) == stats["em_bounces"]
    assert all(activity["stats"][f"em_bounces_{b}"] > 0 for b in breakdown)
    summaries = client.get("/reports/summary_reports/email_campaign_summaries")["bulk_email_campaign_summaries"]
    [summary] = summaries  # only the sent campaign has been sent
    assert summary["campaign_id"] == campaign_id
    assert summary["unique_counts"] == {
        "sends": stats["em_sends"], "opens": stats["em_opens"], "clicks": stats["em_clicks"],
        "forwards": stats["em_forwards"], "optouts": stats["em_optouts"], "abuse": 1,
        "bounces": stats["em_bounces"], "not_opened": stats["em_not_opened"]}


def test_tracking_rows_have_the_spec_fields_newest_first(demo):
    _, client, _, activity_id = demo
    required = {"contact_id", "campaign_activity_id", "tracking_activity_type", "email_address", "created_time"}
    extra = {"clicks": {"url_id", "link_url"}, "bounces": {"bounce_code", "current_email_address"}}
    types = {"unique_opens": "em_opens", "didnotopens": "em_didnotopens"}
    for kind in KINDS:
        rows = report(client, activity_id, kind)
        assert rows, kind
        for row in rows:
            assert required | extra.get(kind, set()) <= set(row), (kind, row)
            assert row["tracking_activity_type"] == types.get(kind, f"em_{kind}")
            assert row["campaign_activity_id"] == activity_id
        times = [r["created_time"] for r in rows]
        assert times == sorted(times, reverse=True), kind
    assert any(r.get("opt_out_reason") for r in report(client, activity_id, "optouts"))
    assert any("device_type" in r for r in report(client, activity_id, "opens"))
    deleted = [r for r in report(client, activity_id, "sends") if "deleted_at" in r]
    assert deleted and all(len(r["deleted_at"]) == 10 for r in deleted)  # a date, as the spec says


def test_tracking_pages_follow_the_cursor_with_limit(demo):
    emu, client, _, activity_id = demo
    everything = report(client, activity_id, "sends")
    first = client.get(f"/reports/email_reports/{activity_id}/tracking/sends", params={"limit": 7})
    assert len(first["tracking_activities"]) == 7
    href = first["_links"]["next"]["href"]
    assert href.startswith(f"/v3/reports/email_reports/{activity_id}/tracking/sends?") and "cursor=" in href
    paged = list(client.paginate(f"/reports/email_reports/{activity_id}/tracking/sends", "tracking_activities",
                                 page_size=7))
    assert paged == everything
    last = client.get(f"/reports/email_reports/{activity_id}/tracking/sends", params={"limit": 500})
    assert last["_links"] == {} and len(last["tracking_activities"]) == len(everything)


def test_bounce_code_filter_is_repeatable(demo):
    emu, client, _, activity_id = demo
    response = requests.get(f"{emu.base_url}/reports/email_reports/{activity_id}/tracking/bounces",
                            params=[("bounce_code", "B"), ("bounce_code", "Z")],
                            headers={"Authorization": f"Bearer {emu.access_token}"}, timeout=5)
    codes = Counter(r["bounce_code"] for r in response.json()["tracking_activities"])
    everything = Counter(r["bounce_code"] for r in report(client, activity_id, "bounces"))
    assert set(codes) == {"B", "Z"} and codes["B"] == everything["B"] and codes["Z"] == everything["Z"]


def test_contact_reports_agree_with_the_campaign_reports(demo):
    _, client, _, activity_id = demo
    clicks = report(client, activity_id, "clicks")
    contact_id = Counter(r["contact_id"] for r in clicks).most_common(1)[0][0]
    mine = {kind: [r for r in report(client, activity_id, kind) if r["contact_id"] == contact_id]
            for kind in ("sends", "opens", "clicks", "bounces", "forwards", "optouts")}
    details = list(client.paginate(f"/reports/contact_reports/{contact_id}/activity_details", "tracking_activities",
                                   params={"tracking_activities_list": "em_sends,em_opens,em_clicks,em_bounces,"
                                                                       "em_forwards,em_optouts"}))
    assert Counter(d["tracking_activity_type"] for d in details) == \
        Counter({f"em_{k}": len(v) for k, v in mine.items() if v})
    times = [d["created_time"] for d in details]
    assert times == sorted(times, reverse=True)
    assert {d["campaign_activity_name"] for d in details} == {"Holiday Bouquets 2024"}
    only_clicks = client.get(f"/reports/contact_reports/{contact_id}/activity_details",
                             params=[("tracking_activity_type", "em_clicks"),
                                     ("include_campaign_activity_names", "false")])["tracking_activities"]
    assert len(only_clicks) == len(mine["clicks"]) and all("campaign_activity_name" not in d for d in only_clicks)

    summary = client.get(f"/reports/contact_reports/{contact_id}/activity_summary",
                         params={"start": "2024-01-01T00:00:00-0500", "end": "2025-01-01T00:00:00Z"})
    assert summary["contact_id"] == contact_id
    [row] = summary["campaign_activities"]
    assert row["campaign_activity_id"] == activity_id
    assert (row["em_sends"], row["em_opens"], row["em_clicks"], row["em_unsubscribes"]) == \
        (len(mine["sends"]), len(mine["opens"]), len(mine["clicks"]), len(mine["optouts"]))
    empty = client.get(f"/reports/contact_reports/{contact_id}/activity_summary",
                       params={"start": "2019-01-01", "end": "2020-01-01"})
    assert empty["campaign_activities"] == []
    rates = client.get(f"/reports/contact_reports/{contact_id}/open_and_click_rates",
                       params={"start": "2024-01-01", "end": "2025-01-01"})
    assert rates == {"contact_id": contact_id, "included_activities_count": 1,
                     "average_open_rate": 1.0, "average_click_rate": 1.0}


def test_contact_activity_details_pages(demo):
    _, client, _, activity_id = demo
    opens = report(client, activity_id, "opens")
    contact_id = Counter(r["contact_id"] for r in opens).most_common(1)[0][0]
    path = f"/reports/contact_reports/{contact_id}/activity_details"
    params = {"tracking_activities_list": "em_sends,em_opens,em_clicks"}
    everything = client.get(path, params=params)["tracking_activities"]
    assert len(everything) >= 3
    paged = list(client.paginate(path, "tracking_activities", params=params, page_size=1))
    assert paged == everything


# -- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("limit", ["0", "501", "ten"])
def test_tracking_limit_is_1_to_500(demo, limit):
    _, client, _, activity_id = demo
    with pytest.raises(ValidationError):
        client.get(f"/reports/email_reports/{activity_id}/tracking/opens", params={"limit": limit})


@pytest.mark.parametrize("params", [
    {},  # one of the two is required
    {"tracking_activities_list": "em_sends", "tracking_activity_type": "em_opens"},  # mutually exclusive
    {"tracking_activities_list": "em_jumps"},
    {"tracking_activities_list": "em_sends", "limit": "101"},
    {"tracking_activities_list": "em_sends", "limit": "0"},
    {"tracking_activities_list": "em_sends", "include_campaign_activity_names": "maybe"},
])
def test_bad_contact_activity_details_queries(demo, params):
    _, client, _, activity_id = demo
    contact_id = report(client, activity_id, "sends")[0]["contact_id"]
    with pytest.raises(ValidationError):
        client.get(f"/reports/contact_reports/{contact_id}/activity_details", params=params)


@pytest.mark.parametrize("params", [{}, {"start": "2024-01-01"}, {"start": "soon", "end": "2025-01-01"},
                                    {"start": "2025-01-01", "end": "2024-01-01"}])
def test_bad_activity_summary_windows(demo, params):
    _, client, _, activity_id = demo
    contact_id = report(client, activity_id, "sends")[0]["contact_id"]
    with pytest.raises(ValidationError):
        client.get(f"/reports/contact_reports/{contact_id}/activity_summary", params=params)


def test_bad_filters_and_unknown_ids(demo):
    _, client, campaign_id, activity_id = demo
    with pytest.raises(ValidationError):
        client.get(f"/reports/email_reports/{activity_id}/tracking/bounces", params={"bounce_code": "Q"})
    with pytest.raises(ValidationError):
        client.get(f"/reports/email_reports/{activity_id}/tracking/clicks", params={"url_id": "abc"})
    with pytest.raises(ValidationError):
        client.get(f"/reports/email_reports/{activity_id}/links", params={"no_clicks": "perhaps"})
    for path in (f"/reports/email_reports/{UNKNOWN}/links", f"/reports/email_reports/{UNKNOWN}/tracking/sends",
                 f"/reports/contact_reports/{UNKNOWN}/activity_details?tracking_activities_list=em_sends",
                 f"/reports/contact_reports/{UNKNOWN}/activity_summary?start=2024-01-01&end=2025-01-01",
                 "/reports/stats/email_campaigns/not-a-uuid"):
        with pytest.raises(NotFoundError):
            client.get(path)
    with pytest.raises(ValidationError):
        client.get("/reports/stats/email_campaigns/" + ",".join([campaign_id] * 151))
    with pytest.raises(ValidationError):
        client.get("/reports/stats/email_campaign_activities/" + ",".join([activity_id] * 11))


def test_unknown_and_unsent_campaigns_are_stats_errors(demo):
    _, client, campaign_id, _ = demo
    draft = next(c for c in client.get("/emails")["campaigns"] if c["current_status"] == "Draft")
    body = client.get(f"/reports/stats/email_campaigns/{campaign_id},{UNKNOWN},{draft['campaign_id']}")
    assert [r["campaign_id"] for r in body["results"]] == [campaign_id]
    assert len(body["errors"]) == 2
    assert all(e["error_key"] == "reportingsvc.not_found.invalid_path_param.campaign_ids." for e in body["errors"])


def test_permalink_activities_have_no_reports(demo):
    _, client, campaign_id, _ = demo
    campaign = client.get(f"/emails/{campaign_id}")
    permalink = next(a["campaign_activity_id"] for a in campaign["campaign_activities"] if a["role"] == "permalink")
    with pytest.raises(ValidationError):
        client.get(f"/reports/email_reports/{permalink}/links")


# -- on a fresh account -----------------------------------------------------------------------

def test_reports_follow_a_live_send(client):
    list_id = client.post("/contact_lists", json={"name": "Live"})["list_id"]
    for i in range(3):
        client.post("/contacts", json={"email_address": {"address": f"live{i}@example.com"}, "create_source": "Account",
                                       "list_memberships": [list_id]})
    body = {"name": "Live", "email_campaign_activities": [{
        "format_type": 5, "from_name": "Joe", "from_email": "owner@example.com", "reply_to_email": "owner@example.com",
        "subject": "Live", "html_content": '<html><body>[[trackingImage]]<a href="https://example.com/x">x</a></body></html>'}]}
    campaign = client.post("/emails", json=body)
    activity_id = campaign["campaign_activities"][0]["campaign_activity_id"]
    assert client.get(f"/reports/stats/email_campaigns/{campaign['campaign_id']}")["results"] == []
    activity = client.get(f"/emails/activities/{activity_id}")
    client.put(f"/emails/activities/{activity_id}", json=dict(activity, contact_list_ids=[list_id]))
    client.post(f"/emails/activities/{activity_id}/schedules", json={"scheduled_date": "0"})
    stats = client.get(f"/reports/stats/email_campaigns/{campaign['campaign_id']}")["results"][0]["stats"]
    assert stats["em_sends"] == 3 and stats["em_opens"] == 0
    assert len(report(client, activity_id, "didnotopens")) == 3
    links = client.get(f"/reports/email_reports/{activity_id}/links", params={"no_clicks": "true"})
    assert [(l["link_url"], l["unique_clicks"]) for l in links["link_click_counts"]] == [("https://example.com/x", 0)]
    assert client.get(f"/reports/email_reports/{activity_id}/links")["link_click_counts"] == []
    contact_id = report(client, activity_id, "sends")[0]["contact_id"]
    details = client.get(f"/reports/contact_reports/{contact_id}/activity_details",
                         params={"tracking_activity_type": "em_sends"})["tracking_activities"]
    assert [d["tracking_activity_type"] for d in details] == ["em_sends"]
