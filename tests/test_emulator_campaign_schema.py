"""Schema conformance of real 2xx answers from the email campaign and report endpoints.

The shared harness (test_emulator_schema.py) fuzzes these paths, but random ids only find 404s;
here every operation is called on the demo account's real campaigns, activities and contacts,
and schemathesis checks the status code, content type and body against V3's Swagger 2.0.
"""
import pytest

pytest.importorskip("schemathesis")

from .conftest import make_client  # noqa: E402
from .test_emulator_schema import CONFORMANCE, auth, positive  # noqa: E402

SENDER = "owner@example.com"


@pytest.fixture(scope="module")
def demo():
    from ctct.emulator import Emulator

    with Emulator(seed="demo") as emulator:
        with make_client(emulator) as client:
            by_status = {c["current_status"]: c["campaign_id"] for c in client.get("/emails")["campaigns"]}
            activities = {status: client.get(f"/emails/{cid}")["campaign_activities"][0]["campaign_activity_id"]
                          for status, cid in by_status.items()}
            clicks = client.get(f"/reports/email_reports/{activities['Done']}/tracking/clicks")
            ids = {"campaigns": by_status, "activities": activities,
                   "contact": clicks["tracking_activities"][0]["contact_id"],
                   "url_id": clicks["tracking_activities"][0]["url_id"],
                   "list": client.get("/contact_lists")["lists"][0]["list_id"]}
        yield emulator, ids


def calls(ids):
    """(method, path, path parameters, query, body) in an order that ends by deleting a campaign."""
    draft, scheduled, sent = (ids["campaigns"][s] for s in ("Draft", "Scheduled", "Done"))
    draft_a, scheduled_a, sent_a = (ids["activities"][s] for s in ("Draft", "Scheduled", "Done"))
    contact = ids["contact"]
    email = "/emails/activities/{campaign_activity_id}"
    tracking = "/reports/email_reports/{campaign_activity_id}/tracking/"
    everything = "physical_address_in_footer,permalink_url,html_content,document_properties"
    put_body = {"from_name": "Joe", "from_email": SENDER, "reply_to_email": SENDER, "subject": "Edited",
                "contact_list_ids": [ids["list"]], "preheader": "p",
                "document_properties": {"text_content": "Plain text", "greeting_name_type": "F"},
                "physical_address_in_footer": {"address_line1": "1 Main St", "country_code": "CA",
                                               "organization_name": "Joe", "state_non_us_name": "Ontario"}}
    new_campaign = {"name": "Schema check", "email_campaign_activities": [{
        "format_type": 5, "from_name": "Joe", "from_email": SENDER, "reply_to_email": SENDER, "subject": "Hi",
        "html_content": "<html><body>[[trackingImage]]</body></html>"}]}
    out = [
        ("GET", "/emails", {}, {"limit": 2}, None),
        ("GET", "/emails", {}, {"after_date": "2020-01-01T00:00:00.000Z", "before_date": "2100-01-01T00:00:00Z"}, None),
        ("POST", "/emails", {}, {}, new_campaign),
        ("GET", "/emails/{campaign_id}", {"campaign_id": sent}, {}, None),
        ("PATCH", "/emails/{campaign_id}", {"campaign_id": draft}, {}, {"name": "Renamed draft"}),
        ("GET", email, {"campaign_activity_id": sent_a}, {"include": everything}, None),
        ("GET", email, {"campaign_activity_id": draft_a}, {}, None),
        ("PUT", email, {"campaign_activity_id": draft_a}, {}, put_body),
        ("GET", email + "/schedules", {"campaign_activity_id": scheduled_a}, {}, None),
        ("GET", email + "/schedules", {"campaign_activity_id": draft_a}, {}, None),
        ("POST", email + "/schedules", {"campaign_activity_id": draft_a}, {},
         {"scheduled_date": "2999-05-17T16:37:59.091Z"}),
        ("DELETE", email + "/schedules", {"campaign_activity_id": draft_a}, {}, None),
        ("GET", email + "/send_history", {"campaign_activity_id": sent_a}, {}, None),
        ("GET", email + "/previews", {"campaign_activity_id": sent_a}, {}, None),
        ("POST", email + "/tests", {"campaign_activity_id": draft_a}, {},
         {"email_addresses": ["qa@example.com"], "personal_message": "Looks good?"}),
        ("GET", "/reports/stats/email_campaigns/{campaign_ids}", {"campaign_ids": f"{sent},{draft}"}, {}, None),
        ("GET", "/reports/stats/email_campaign_activities/{campaign_activity_ids}",
         {"campaign_activity_ids": sent_a}, {}, None),
        ("GET", "/reports/summary_reports/email_campaign_summaries", {}, {"limit": "5"}, None),
        ("GET", "/reports/email_reports/{campaign_activity_id}/links", {"campaign_activity_id": sent_a},
         {"no_clicks": "true"}, None),
        ("GET", tracking + "clicks", {"campaign_activity_id": sent_a}, {"url_id": ids["url_id"], "limit": "3"}, None),
        ("GET", tracking + "bounces", {"campaign_activity_id": sent_a}, {"bounce_code": ["B", "F"]}, None),
        ("GET", "/reports/contact_reports/{contact_id}/activity_details", {"contact_id": contact},
         {"tracking_activities_list": "em_sends,em_opens,em_clicks", "limit": "2"}, None),
        ("GET", "/reports/contact_reports/{contact_id}/activity_details", {"contact_id": contact},
         {"tracking_activity_type": ["em_clicks"], "include_campaign_activity_names": "false"}, None),
        ("GET", "/reports/contact_reports/{contact_id}/activity_summary", {"contact_id": contact},
         {"start": "2024-01-01T00:00:00-0500", "end": "2025-01-01T00:00:00-0500"}, None),
        ("GET", "/reports/contact_reports/{contact_id}/open_and_click_rates", {"contact_id": contact},
         {"start": "2024-01-01T00:00:00-0500", "end": "2025-01-01T00:00:00-0500"}, None),
        ("DELETE", "/emails/{campaign_id}", {"campaign_id": draft}, {}, None),
        ("GET", "/emails/{campaign_id}", {"campaign_id": draft}, {}, None),
    ]
    for kind in ("sends", "opens", "unique_opens", "didnotopens", "forwards", "optouts"):
        out.insert(-2, ("GET", tracking + kind, {"campaign_activity_id": sent_a}, {"limit": "4"}, None))
    out.insert(-2, ("POST", email + "/schedules", {"campaign_activity_id": sent_a}, {},
                    {"scheduled_date": "2000-01-01T00:00:00Z"}))  # a past date: sent at once
    return out


def test_every_campaign_and_report_answer_conforms(demo):
    emu, ids = demo
    seen = set()
    for method, path, path_parameters, query, body in calls(ids):
        operation = positive[path][method]
        kwargs = {"path_parameters": path_parameters, "query": query}
        if body is not None:
            kwargs.update(body=body, media_type="application/json")
        response = operation.Case(**kwargs).call_and_validate(base_url=emu.base_url, headers=auth(emu),
                                                              checks=CONFORMANCE)
        assert 200 <= response.status_code < 300, (method, path, response.status_code, response.text)
        seen.add(path)
    from .test_emulator_schema import EMULATED_PATHS

    mine = {p for p in EMULATED_PATHS if p.startswith(("/emails", "/reports"))}
    assert mine <= seen  # every campaign and report path is exercised on real objects
