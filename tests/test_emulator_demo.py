"""The "demo" seed: what it holds, that it uses every contact field, that its sent campaign's
figures agree, and that it is the same on every run."""
import datetime as _dt
import json
from collections import Counter

from ctct.emulator.demo import demo_seed


def everything(client, path, key, **params):
    return list(client.paginate(path, key, params=params))


def test_demo_seed_is_deterministic_for_a_given_day():
    day = _dt.date(2025, 6, 1)
    assert json.dumps(demo_seed(day), sort_keys=True) == json.dumps(demo_seed(day), sort_keys=True)
    other = demo_seed(_dt.date(2025, 6, 2))
    # only what V3 measures from "now" moves: the scheduled date and the recent activities
    assert other["contacts"] == demo_seed(day)["contacts"]
    assert other["emails"][2] == demo_seed(day)["emails"][2]
    assert other["emails"][1]["scheduled_date"] == "2025-06-16T14:00:00.000Z"


def test_demo_account_holds_lists_contacts_fields_campaigns_and_activities(demo_emu):
    from .conftest import make_client

    with make_client(demo_emu) as client:
        lists = everything(client, "/contact_lists", "lists")
        assert len(lists) == 4 and all(l["name"] and "description" in l for l in lists)
        assert len(everything(client, "/contact_custom_fields", "custom_fields")) == 3
        contacts = everything(client, "/contacts", "contacts", status="all")
        assert len(contacts) == 250
        campaigns = everything(client, "/emails", "campaigns")
        assert Counter(c["current_status"] for c in campaigns) == {"Draft": 1, "Scheduled": 1, "Done": 1}
        activities = client.get("/activities")["activities"]
        assert len(activities) == 3 and {a["state"] for a in activities} == {"completed"}
        state = demo_emu.state()
        assert all(isinstance(c["v2_id"], int) for c in state["contacts"])
        assert sorted(l["v2_id"] for l in state["contact_lists"]) == [1, 2, 3, 4]
        assert all(len(str(c["v2_id"])) == 13 for c in state["emails"])


def test_demo_contacts_use_every_contact_field(demo_emu):
    from .conftest import make_client

    with make_client(demo_emu) as client:
        contacts = everything(client, "/contacts", "contacts", status="all",
                              include="custom_fields,list_memberships,phone_numbers,street_addresses,notes,"
                                      "sms_channel,taggings")
    used = {key for contact in contacts for key, value in contact.items() if value}
    assert {"first_name", "last_name", "job_title", "company_name", "birthday_month", "birthday_day",
            "anniversary", "custom_fields", "list_memberships", "phone_numbers", "street_addresses", "notes",
            "sms_channel", "deleted_at", "create_source", "created_at", "updated_at"} <= used
    assert {p["kind"] for c in contacts for p in c.get("phone_numbers", [])} == {"home", "work", "mobile"}
    assert {a["kind"] for c in contacts for a in c.get("street_addresses", [])} == {"home", "work"}
    assert len({f["custom_field_id"] for c in contacts for f in c.get("custom_fields", [])}) == 3
    permissions = Counter(c["email_address"]["permission_to_send"] for c in contacts)
    assert permissions["unsubscribed"] >= 5 and permissions["pending_confirmation"] >= 5
    assert permissions["explicit"] and permissions["implicit"]
    assert sum(1 for c in contacts if c.get("deleted_at")) >= 2


def test_the_sent_campaign_went_to_a_list_from_a_confirmed_address(demo_emu):
    from .conftest import make_client

    with make_client(demo_emu) as client:
        sent = next(c for c in client.get("/emails")["campaigns"] if c["current_status"] == "Done")
        campaign = client.get(f"/emails/{sent['campaign_id']}")
        activity_id = campaign["campaign_activities"][0]["campaign_activity_id"]
        activity = client.get(f"/emails/activities/{activity_id}", params={"include": "html_content,permalink_url"})
        confirmed = {e["email_address"] for e in client.get("/account/emails", params={"confirm_status": "CONFIRMED"})}
        assert activity["from_email"] in confirmed and activity["reply_to_email"] in confirmed
        assert activity["contact_list_ids"] and activity["permalink_url"]
        assert activity["html_content"].count("<a href=") >= 4
        sends = everything(client, f"/reports/email_reports/{activity_id}/tracking/sends", "tracking_activities")
        [newsletter] = activity["contact_list_ids"]
        members = {c["contact_id"] for c in everything(client, "/contacts", "contacts", lists=newsletter)
                   if c["email_address"]["permission_to_send"] in ("explicit", "implicit")}
        sent_to = {s["contact_id"] for s in sends}
        assert members <= sent_to  # every mailable member was sent it (plus those who left since)
        stats = client.get(f"/reports/stats/email_campaigns/{sent['campaign_id']}")["results"][0]["stats"]
        assert stats["em_sends"] == len(sends)
        for key in ("em_opens", "em_clicks", "em_bounces", "em_forwards", "em_optouts"):
            assert stats[key] > 0, key
        links = client.get(f"/reports/email_reports/{activity_id}/links")["link_click_counts"]
        assert len([link for link in links if link["unique_clicks"]]) >= 3


def test_the_scheduled_campaign_waits_and_the_draft_has_no_schedule(demo_emu):
    from .conftest import make_client

    with make_client(demo_emu) as client:
        by_status = {c["current_status"]: c for c in client.get("/emails")["campaigns"]}
        scheduled = client.get(f"/emails/{by_status['Scheduled']['campaign_id']}")
        activity_id = scheduled["campaign_activities"][0]["campaign_activity_id"]
        [schedule] = client.get(f"/emails/activities/{activity_id}/schedules")
        when = _dt.datetime.strptime(schedule["scheduled_date"], "%Y-%m-%dT%H:%M:%S.%fZ")
        now = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
        assert when > now + _dt.timedelta(days=13)
        assert len(client.get(f"/emails/activities/{activity_id}")["contact_list_ids"]) == 2
        draft = client.get(f"/emails/{by_status['Draft']['campaign_id']}")
        draft_activity = draft["campaign_activities"][0]["campaign_activity_id"]
        assert client.get(f"/emails/activities/{draft_activity}/schedules") == []
        assert client.get(f"/reports/stats/email_campaigns/{draft['campaign_id']}")["results"] == []


def test_demo_state_survives_save_and_load(tmp_path, demo_emu):
    from ctct.emulator import Emulator

    from .conftest import make_client

    path = tmp_path / "state.json"
    demo_emu.save(path)
    with make_client(demo_emu) as client:
        sent = next(c for c in client.get("/emails")["campaigns"] if c["current_status"] == "Done")
        before = client.get(f"/reports/stats/email_campaigns/{sent['campaign_id']}")["results"][0]["stats"]
    with Emulator(state_file=path) as again:
        with make_client(again) as client:
            after = client.get(f"/reports/stats/email_campaigns/{sent['campaign_id']}")["results"][0]["stats"]
            assert after == before
            scheduled = next(c for c in client.get("/emails")["campaigns"] if c["current_status"] == "Scheduled")
            activity_id = client.get(f"/emails/{scheduled['campaign_id']}")["campaign_activities"][0][
                "campaign_activity_id"]
            assert len(client.get(f"/emails/activities/{activity_id}/schedules")) == 1
