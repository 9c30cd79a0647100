"""The official V3 Python SDK (`constant-contact-api-client`, a test-only dependency) against the
emulator: email campaigns, their activities and schedules, and every email and contact report,
with each response deserializing into the SDK's models without error."""
import pytest

sdk = pytest.importorskip("constant_contact_api_client")

from constant_contact_api_client.models.create_email_campaign_request import CreateEmailCampaignRequest  # noqa: E402
from constant_contact_api_client.models.create_email_campaign_request_email_campaign_activities_inner import (  # noqa: E402
    CreateEmailCampaignRequestEmailCampaignActivitiesInner as ActivityInput,
)
from constant_contact_api_client.models.patch_email_campaign_name_request import PatchEmailCampaignNameRequest  # noqa: E402
from constant_contact_api_client.models.schedule_email_campaign_activity_request import (  # noqa: E402
    ScheduleEmailCampaignActivityRequest,
)

from .conftest import make_client  # noqa: E402

SENDER = "owner@example.com"
KINDS = ("sends", "opens", "unique_opens", "didnotopens", "clicks", "forwards", "optouts", "bounces")


def sdk_apis(emulator):
    config = sdk.Configuration(host=emulator.base_url, access_token=emulator.access_token)
    client = sdk.ApiClient(config)
    return client, {
        "campaigns": sdk.EmailCampaignsApi(client),
        "scheduling": sdk.EmailSchedulingApi(client),
        "reports": sdk.EmailReportingApi(client),
        "contacts": sdk.ContactsReportingApi(client),
    }


@pytest.fixture
def apis(emu):
    client, apis = sdk_apis(emu)
    with client:
        yield apis


@pytest.fixture(scope="module")
def demo_apis():
    from ctct.emulator import Emulator

    with Emulator(seed="demo") as emulator:
        client, apis = sdk_apis(emulator)
        with client, make_client(emulator) as ours:
            sent = next(c for c in ours.get("/emails")["campaigns"] if c["current_status"] == "Done")
            activity_id = ours.get(f"/emails/{sent['campaign_id']}")["campaign_activities"][0]["campaign_activity_id"]
            yield apis, ours, sent["campaign_id"], activity_id


def test_sdk_campaign_lifecycle(emu, apis):
    campaigns, scheduling = apis["campaigns"], apis["scheduling"]
    with make_client(emu) as ours:
        list_id = ours.post("/contact_lists", json={"name": "SDK readers"})["list_id"]
        for i in range(3):
            ours.post("/contacts", json={"email_address": {"address": f"sdk{i}@example.com"},
                                         "create_source": "Account", "list_memberships": [list_id]})
    request = CreateEmailCampaignRequest(name="SDK campaign", email_campaign_activities=[ActivityInput(
        format_type=5, from_name="Joe", from_email=SENDER, reply_to_email=SENDER, subject="From the SDK",
        preheader="Hi", html_content='<html><body>[[trackingImage]]<a href="https://example.com/sdk">go</a></body></html>')])
    created = campaigns.create_email_campaign(request)
    assert created.current_status == "Draft" and len(created.campaign_activities) == 2
    primary = next(a.campaign_activity_id for a in created.campaign_activities if a.role == "primary_email")

    fetched = campaigns.get_email_campaign_by_id(created.campaign_id)
    assert fetched.name == "SDK campaign"
    page = campaigns.get_all_email_campaigns(limit=10)
    assert [c.campaign_id for c in page.campaigns] == [created.campaign_id]
    renamed = campaigns.patch_email_campaign_name(created.campaign_id, PatchEmailCampaignNameRequest(name="SDK renamed"))
    assert renamed.name == "SDK renamed"

    activity = campaigns.get_email_campaign_activity(primary, include="html_content,physical_address_in_footer,"
                                                                     "permalink_url,document_properties")
    assert activity.html_content and activity.physical_address_in_footer.organization_name
    activity.contact_list_ids = [list_id]
    activity.subject = "Edited by the SDK"
    updated = campaigns.update_email_campaign_activity(primary, activity)
    assert updated.contact_list_ids == [list_id] and updated.subject == "Edited by the SDK"

    xrefs = campaigns.get_email_campaign_xrefs(str(emu.state()["emails"][0]["v2_id"]))
    assert xrefs.xrefs[0].campaign_activity_id == primary

    assert scheduling.get_email_campaign_activity_schedule(primary) == []
    scheduled = scheduling.schedule_email_campaign_activity(
        primary, ScheduleEmailCampaignActivityRequest(scheduled_date="2999-05-17T16:37:59.091Z"))
    assert scheduled[0].scheduled_date.year == 2999
    assert scheduling.get_email_campaign_activity_schedule(primary)[0].scheduled_date.year == 2999
    scheduling.unschedule_email_campaign_activity(primary)
    assert campaigns.get_email_campaign_by_id(created.campaign_id).current_status == "Draft"

    preview = scheduling.get_email_campaign_activity_preview(primary)
    assert preview.subject == "Edited by the SDK"

    # "0" (send now) is no date-time, so the SDK's model cannot carry it: post it with its raw client
    with make_client(emu) as ours:
        assert ours.post(f"/emails/activities/{primary}/schedules", json={"scheduled_date": "0"}) == []
    history = scheduling.get_email_campaign_activity_send_history(primary)
    assert history[0].count == 3 and history[0].send_status == "COMPLETED"
    sends = apis["reports"].get_email_sends_report(primary)
    assert len(sends.tracking_activities) == 3

    campaigns.delete_email_campaign(created.campaign_id)
    assert campaigns.get_email_campaign_by_id(created.campaign_id).current_status == "Removed"


def test_sdk_errors_surface_as_api_exceptions(apis):
    with pytest.raises(sdk.ApiException) as caught:
        apis["campaigns"].get_email_campaign_by_id("00000000-0000-4000-8000-000000000000")
    assert caught.value.status == 404
    request = CreateEmailCampaignRequest(name="Bad sender", email_campaign_activities=[ActivityInput(
        format_type=5, from_name="Joe", from_email="stranger@example.com", reply_to_email=SENDER, subject="x",
        html_content="<html><body>[[trackingImage]]</body></html>")])
    with pytest.raises(sdk.ApiException) as caught:
        apis["campaigns"].create_email_campaign(request)
    assert caught.value.status == 400


def test_sdk_campaign_stats_links_and_summaries(demo_apis):
    apis, _, campaign_id, activity_id = demo_apis
    reports = apis["reports"]
    stats = reports.get_email_stats_report(campaign_id)
    assert stats.results[0].stats.em_sends > 100 and stats.results[0].percents.open > 0
    activity_stats = reports.get_email_campaign_activity_report(activity_id)
    assert activity_stats.results[0].stats.em_abuse == 1
    summaries = reports.get_email_campaign_report(limit="10")
    assert summaries.bulk_email_campaign_summaries[0].unique_counts.sends == stats.results[0].stats.em_sends
    links = reports.get_campaign_activity_link_report(activity_id, no_clicks=True)
    assert sum(l.unique_clicks for l in links.link_click_counts) > 0


def test_sdk_every_tracking_report(demo_apis):
    apis, ours, _, activity_id = demo_apis
    reports = apis["reports"]
    calls = {
        "sends": reports.get_email_sends_report,
        "opens": reports.get_email_opens_report,
        "unique_opens": reports.get_unique_opens_report,
        "didnotopens": reports.get_did_not_opens_report,
        "clicks": reports.get_clicks_report,
        "forwards": reports.get_forwards_report,
        "optouts": reports.get_optouts_report,
        "bounces": reports.get_bounces_report,
    }
    for kind, call in calls.items():
        page = call(activity_id, limit="500")
        ours_page = ours.get(f"/reports/email_reports/{activity_id}/tracking/{kind}", params={"limit": 500})
        assert len(page.tracking_activities) == len(ours_page["tracking_activities"]) > 0, kind
    small = reports.get_email_sends_report(activity_id, limit="5")
    assert len(small.tracking_activities) == 5 and small.links.next.href
    only_full = reports.get_bounces_report(activity_id, bounce_code=["F"])
    assert {b.bounce_code for b in only_full.tracking_activities} == {"F"}
    url_id = reports.get_clicks_report(activity_id).tracking_activities[0].url_id
    by_link = reports.get_clicks_report(activity_id, url_id=int(url_id))
    assert {c.url_id for c in by_link.tracking_activities} == {url_id}


def test_sdk_contact_reports(demo_apis):
    apis, _, _, activity_id = demo_apis
    contacts = apis["contacts"]
    clicker = apis["reports"].get_clicks_report(activity_id).tracking_activities[0].contact_id
    details = contacts.get_contact_tracking_report(clicker, tracking_activities_list=["em_sends", "em_opens", "em_clicks"])
    assert {d.tracking_activity_type for d in details.tracking_activities} == {"em_sends", "em_opens", "em_clicks"}
    typed = contacts.get_contact_tracking_report(clicker, tracking_activity_type=["em_clicks"],
                                                 include_campaign_activity_names=False, limit="2")
    assert typed.tracking_activities and all(d.campaign_activity_name is None for d in typed.tracking_activities)
    summary = contacts.get_contact_tracking_count_report(clicker, start="2024-01-01T00:00:00-0500",
                                                         end="2025-01-01T00:00:00-0500")
    assert summary.campaign_activities[0].em_clicks >= 1
    rates = contacts.get_contact_open_click_rate_report(clicker, start="2024-01-01T00:00:00-0500",
                                                        end="2025-01-01T00:00:00-0500")
    assert rates.included_activities_count == 1 and rates.average_click_rate == 1.0
