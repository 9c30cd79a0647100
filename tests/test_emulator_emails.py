"""The emulator's email campaigns over HTTP: create, list, rename, delete, activities,
schedules and sends, with V3's validation and no state change on bad input."""
import datetime as _dt

import pytest
import requests

from ctct.v3.errors import ConflictError, NotFoundError, ValidationError

from .conftest import make_client

SENDER = "owner@example.com"  # the emulator account's confirmed address
HTML = ('<html><body>[[trackingImage]]<a href="https://example.com/one">One</a>'
        '<a href="https://example.com/two">Two</a></body></html>')


def campaign_body(name="Spring News", **activity):
    fields = {"format_type": 5, "from_name": "Joe", "from_email": SENDER, "reply_to_email": SENDER,
              "subject": "Hello", "html_content": HTML}
    fields.update(activity)
    return {"name": name, "email_campaign_activities": [fields]}


def primary_id(campaign):
    return next(a["campaign_activity_id"] for a in campaign["campaign_activities"] if a["role"] == "primary_email")


def make_list_with_members(client, name, addresses):
    list_id = client.post("/contact_lists", json={"name": name})["list_id"]
    ids = []
    for address in addresses:
        contact = client.post("/contacts", json={"email_address": {"address": address, "permission_to_send": "implicit"},
                                                 "first_name": address.split("@")[0].title(),
                                                 "create_source": "Account", "list_memberships": [list_id]})
        ids.append(contact["contact_id"])
    return list_id, ids


def set_lists(client, activity_id, list_ids):
    activity = client.get(f"/emails/activities/{activity_id}")
    activity["contact_list_ids"] = list_ids
    return client.put(f"/emails/activities/{activity_id}", json=activity)


def raw(emu, method, path, **kw):
    headers = kw.pop("headers", {})
    headers.setdefault("Authorization", f"Bearer {emu.access_token}")
    return requests.request(method, emu.base_url + path, headers=headers, timeout=5, **kw)


# -- campaigns ------------------------------------------------------------------------------

def test_post_creates_a_draft_with_primary_and_permalink_activities(client):
    campaign = client.request("POST", "/emails", json=campaign_body(), raw=True)
    assert campaign.status_code == 200  # V3 answers 200 here, not 201
    body = campaign.json()
    assert body["name"] == "Spring News"
    assert body["current_status"] == "Draft"
    assert body["type"] == "NEWSLETTER" and body["type_code"] == 10
    assert [a["role"] for a in body["campaign_activities"]] == ["primary_email", "permalink"]
    activity = client.get(f"/emails/activities/{primary_id(body)}")
    assert activity["current_status"] == "DRAFT"
    assert activity["campaign_id"] == body["campaign_id"]
    assert activity["format_type"] == 5 and activity["from_email"] == SENDER
    assert "html_content" not in activity  # only with include=html_content


def test_campaign_has_a_13_digit_v2_id_and_its_xref_names_the_primary_activity(emu, client):
    campaign = client.post("/emails", json=campaign_body())
    stored = next(c for c in emu.state()["emails"] if c["campaign_id"] == campaign["campaign_id"])
    assert len(str(stored["v2_id"])) == 13
    xrefs = client.get("/emails/campaign_id_xrefs", params={"v2_email_campaign_ids": str(stored["v2_id"])})
    assert xrefs["xrefs"] == [{"v2_email_campaign_id": str(stored["v2_id"]), "campaign_id": campaign["campaign_id"],
                               "campaign_activity_id": primary_id(campaign)}]


def test_list_pages_with_cursor_and_filters_on_updated_at(client):
    ids = [client.post("/emails", json=campaign_body(f"Campaign {i}"))["campaign_id"] for i in range(5)]
    first = client.get("/emails", params={"limit": 2})
    assert [c["campaign_id"] for c in first["campaigns"]] == ids[:2]
    assert "campaign_activities" not in first["campaigns"][0]
    assert [c["campaign_id"] for c in client.paginate("/emails", "campaigns", page_size=2)] == ids
    assert client.get("/emails", params={"after_date": "2099-01-01T00:00:00Z"})["campaigns"] == []
    assert len(client.get("/emails", params={"before_date": "2099-01-01T00:00:00Z"})["campaigns"]) == 5


@pytest.mark.parametrize("limit", ["0", "501", "x"])
def test_list_rejects_a_bad_limit(client, limit):
    with pytest.raises(ValidationError):
        client.get("/emails", params={"limit": limit})


def test_list_rejects_a_bad_date(client):
    with pytest.raises(ValidationError):
        client.get("/emails", params={"after_date": "yesterday"})


def test_patch_renames_and_a_duplicate_name_conflicts(client):
    one = client.post("/emails", json=campaign_body("One"))
    client.post("/emails", json=campaign_body("Two"))
    renamed = client.patch(f"/emails/{one['campaign_id']}", json={"name": "Uno"})
    assert renamed["name"] == "Uno"
    with pytest.raises(ConflictError):
        client.patch(f"/emails/{one['campaign_id']}", json={"name": "Two"})
    assert client.get(f"/emails/{one['campaign_id']}")["name"] == "Uno"


def test_delete_answers_204_and_leaves_a_removed_campaign(client):
    campaign = client.post("/emails", json=campaign_body())
    response = client.request("DELETE", f"/emails/{campaign['campaign_id']}", raw=True)
    assert response.status_code == 204 and response.content == b""
    assert client.get(f"/emails/{campaign['campaign_id']}")["current_status"] == "Removed"
    listed = client.get("/emails")["campaigns"]
    assert [c["current_status"] for c in listed] == ["Removed"]  # GET /emails includes deleted ones
    with pytest.raises(NotFoundError):
        client.get(f"/emails/activities/{primary_id(campaign)}")  # REMOVED activities are gone
    with pytest.raises(ValidationError):
        client.patch(f"/emails/{campaign['campaign_id']}", json={"name": "Back"})


def test_unknown_campaign_and_activity_ids_answer_404(client):
    unknown = "00000000-0000-4000-8000-000000000000"
    for call in (lambda: client.get(f"/emails/{unknown}"),
                 lambda: client.patch(f"/emails/{unknown}", json={"name": "x"}),
                 lambda: client.delete(f"/emails/{unknown}"),
                 lambda: client.get(f"/emails/activities/{unknown}"),
                 lambda: client.get(f"/emails/activities/{unknown}/schedules")):
        with pytest.raises(NotFoundError):
            call()


# -- bad input: answered like V3, nothing stored -----------------------------------------------

BAD_BODIES = {
    "unconfirmed from_email": campaign_body(from_email="stranger@example.com"),
    "unconfirmed reply_to_email": campaign_body(reply_to_email="stranger@example.com"),
    "no tracking image": campaign_body(html_content="<html><body>Hi</body></html>"),
    "name too long": campaign_body("x" * 81),
    "missing name": {"email_campaign_activities": campaign_body()["email_campaign_activities"]},
    "missing subject": {"name": "No subject", "email_campaign_activities": [
        {k: v for k, v in campaign_body()["email_campaign_activities"][0].items() if k != "subject"}]},
    "unknown field": dict(campaign_body(), colour="red"),
    "unknown activity field": campaign_body(contact_list_ids=[]),
    "two activities": {"name": "Two", "email_campaign_activities": campaign_body()["email_campaign_activities"] * 2},
    "drag-and-drop format": campaign_body(format_type=3),
    "from_name too long": campaign_body(from_name="x" * 101),
    "footer without country": campaign_body(physical_address_in_footer={"address_line1": "1 Main",
                                                                        "organization_name": "Joe"}),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_campaign_bodies_answer_400_and_store_nothing(emu, case):
    response = raw(emu, "POST", "/emails", json=BAD_BODIES[case])
    assert response.status_code == 400, response.text
    errors = response.json()
    assert isinstance(errors, list) and errors[0]["error_key"] and errors[0]["error_message"]
    assert emu.state()["emails"] == [] and emu.state()["campaign_activities"] == []


def test_duplicate_name_answers_409_and_stores_nothing_more(emu, client):
    client.post("/emails", json=campaign_body("Same"))
    with pytest.raises(ConflictError):
        client.post("/emails", json=campaign_body("same"))
    assert len(emu.state()["emails"]) == 1


def test_malformed_json_and_wrong_content_type(emu):
    malformed = raw(emu, "POST", "/emails", data=b'{"name": ', headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400
    wrong_type = raw(emu, "POST", "/emails", data=b"name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert wrong_type.status_code == 415
    assert emu.state()["emails"] == []


def test_legacy_format_1_is_converted_to_custom_code(client):
    campaign = client.post("/emails", json=campaign_body(format_type=1, html_content="<html><body>Old</body></html>"))
    activity = client.get(f"/emails/activities/{primary_id(campaign)}", params={"include": "html_content"})
    assert activity["format_type"] == 5
    assert "[[trackingImage]]" in activity["html_content"]


# -- activities -----------------------------------------------------------------------------

def test_activity_include_and_put_keeps_omitted_subresources(client):
    list_id = client.post("/contact_lists", json={"name": "Readers"})["list_id"]
    campaign = client.post("/emails", json=campaign_body(preheader="Short"))
    activity_id = primary_id(campaign)
    full = client.get(f"/emails/activities/{activity_id}",
                      params={"include": "html_content,physical_address_in_footer,document_properties"})
    assert full["html_content"] == HTML
    assert full["physical_address_in_footer"]["organization_name"]
    assert full["document_properties"]["letter_format"] == "HTML"
    put = {"from_name": "Joan", "from_email": SENDER, "reply_to_email": SENDER, "subject": "New subject",
           "contact_list_ids": [list_id], "current_status": "DONE", "role": "permalink",
           "document_properties": {"text_content": "Plain"}}  # read-only ones are ignored
    updated = client.put(f"/emails/activities/{activity_id}", json=put)
    assert updated["subject"] == "New subject" and updated["from_name"] == "Joan"
    assert updated["contact_list_ids"] == [list_id]
    assert updated["current_status"] == "DRAFT" and updated["role"] == "primary_email"
    assert updated["html_content"] == HTML  # omitted subresource kept
    assert updated["document_properties"] == {"letter_format": "HTML", "text_content": "Plain"}
    assert "preheader" not in updated  # a PUT overwrites the plain properties it omits


@pytest.mark.parametrize("change", [
    {"from_email": "stranger@example.com"},
    {"subject": None},
    {"contact_list_ids": ["00000000-0000-4000-8000-000000000000"]},
    {"segment_ids": [5]},
    {"html_content": "<html><body>no image</body></html>"},
    {"colour": "red"},
])
def test_bad_activity_put_answers_400_and_changes_nothing(client, change):
    campaign = client.post("/emails", json=campaign_body())
    activity_id = primary_id(campaign)
    before = client.get(f"/emails/activities/{activity_id}", params={"include": "html_content"})
    body = dict(before, **change)
    body = {k: v for k, v in body.items() if v is not None}
    with pytest.raises(ValidationError):
        client.put(f"/emails/activities/{activity_id}", json=body)
    assert client.get(f"/emails/activities/{activity_id}", params={"include": "html_content"}) == before


def test_bad_include_and_permalink_put_are_rejected(client):
    campaign = client.post("/emails", json=campaign_body())
    with pytest.raises(ValidationError):
        client.get(f"/emails/activities/{primary_id(campaign)}", params={"include": "everything"})
    permalink = next(a["campaign_activity_id"] for a in campaign["campaign_activities"] if a["role"] == "permalink")
    body = client.get(f"/emails/activities/{permalink}")
    with pytest.raises(ValidationError):
        client.put(f"/emails/activities/{permalink}", json=body)


# -- schedules and sends --------------------------------------------------------------------

def test_send_now_sends_to_list_members_and_reports_agree(client):
    list_id, member_ids = make_list_with_members(client, "Readers", [f"r{i}@example.com" for i in range(7)])
    client.post("/contacts", json={"email_address": {"address": "outsider@example.com"}, "create_source": "Account"})
    campaign = client.post("/emails", json=campaign_body())
    activity_id = primary_id(campaign)
    set_lists(client, activity_id, [list_id])
    response = client.request("POST", f"/emails/activities/{activity_id}/schedules",
                              json={"scheduled_date": "0"}, raw=True)
    assert response.status_code == 201 and response.json() == []
    assert client.get(f"/emails/{campaign['campaign_id']}")["current_status"] == "Done"
    assert client.get(f"/emails/activities/{activity_id}")["current_status"] == "DONE"
    assert client.get(f"/emails/activities/{activity_id}/schedules") == []
    sends = list(client.paginate(f"/reports/email_reports/{activity_id}/tracking/sends", "tracking_activities",
                                 page_size=3))
    assert sorted(s["contact_id"] for s in sends) == sorted(member_ids)
    assert {s["tracking_activity_type"] for s in sends} == {"em_sends"}
    stats = client.get(f"/reports/stats/email_campaigns/{campaign['campaign_id']}")["results"][0]["stats"]
    assert stats["em_sends"] == 7 and stats["em_not_opened"] == 7
    history = client.get(f"/emails/activities/{activity_id}/send_history")
    assert [(h["send_id"], h["count"], h["send_status"], h["contact_list_ids"]) for h in history] == \
        [(1, 7, "COMPLETED", [list_id])]


def test_resending_a_done_activity_goes_only_to_new_members(client):
    list_id, _ = make_list_with_members(client, "Readers", ["a@example.com", "b@example.com"])
    campaign = client.post("/emails", json=campaign_body())
    activity_id = primary_id(campaign)
    set_lists(client, activity_id, [list_id])
    client.post(f"/emails/activities/{activity_id}/schedules", json={"scheduled_date": "0"})
    client.post("/contacts", json={"email_address": {"address": "c@example.com"}, "create_source": "Account",
                                   "list_memberships": [list_id]})
    client.post(f"/emails/activities/{activity_id}/schedules", json={"scheduled_date": "0"})
    sends = client.get(f"/reports/email_reports/{activity_id}/tracking/sends")["tracking_activities"]
    assert sorted(s["email_address"] for s in sends) == ["a@example.com", "b@example.com", "c@example.com"]
    assert [h["count"] for h in client.get(f"/emails/activities/{activity_id}/send_history")] == [2, 1]


def test_unsubscribed_and_deleted_members_are_not_sent(client):
    list_id, (keep, gone, _) = make_list_with_members(client, "Readers", ["k@example.com", "g@example.com",
                                                                          "u@example.com"])
    client.delete(f"/contacts/{gone}")
    client.post("/contacts", json={"email_address": {"address": "x@example.com", "permission_to_send": "unsubscribed"},
                                   "create_source": "Account", "list_memberships": [list_id]})
    campaign = client.post("/emails", json=campaign_body())
    set_lists(client, primary_id(campaign), [list_id])
    client.post(f"/emails/activities/{primary_id(campaign)}/schedules", json={"scheduled_date": "0"})
    sends = client.get(f"/reports/email_reports/{primary_id(campaign)}/tracking/sends")["tracking_activities"]
    assert sorted(s["email_address"] for s in sends) == ["k@example.com", "u@example.com"]


def test_schedule_unschedule_and_a_due_schedule_sends(emu, client):
    list_id, _ = make_list_with_members(client, "Readers", ["a@example.com"])
    campaign = client.post("/emails", json=campaign_body())
    activity_id = primary_id(campaign)
    set_lists(client, activity_id, [list_id])
    later = (_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert client.post(f"/emails/activities/{activity_id}/schedules", json={"scheduled_date": later}) == \
        [{"scheduled_date": later}]
    assert client.get(f"/emails/{campaign['campaign_id']}")["current_status"] == "Scheduled"
    assert client.get(f"/emails/activities/{activity_id}/schedules") == [{"scheduled_date": later}]
    with pytest.raises(ValidationError):  # cannot delete a scheduled campaign
        client.delete(f"/emails/{campaign['campaign_id']}")
    with pytest.raises(ValidationError):  # cannot edit or re-schedule a SCHEDULED activity
        client.post(f"/emails/activities/{activity_id}/schedules", json={"scheduled_date": later})
    assert client.request("DELETE", f"/emails/activities/{activity_id}/schedules", raw=True).status_code == 204
    assert client.get(f"/emails/{campaign['campaign_id']}")["current_status"] == "Draft"
    assert client.get(f"/emails/activities/{activity_id}/schedules") == []
    with pytest.raises(ValidationError):  # nothing to unschedule any more
        client.delete(f"/emails/activities/{activity_id}/schedules")
    # a date already past sends at once, at that date
    past = "2024-05-17T16:37:59.091Z"
    assert client.post(f"/emails/activities/{activity_id}/schedules", json={"scheduled_date": past}) == \
        [{"scheduled_date": past}]
    sends = client.get(f"/reports/email_reports/{activity_id}/tracking/sends")["tracking_activities"]
    assert [s["created_time"] for s in sends] == [past]
    assert client.get(f"/emails/{campaign['campaign_id']}")["current_status"] == "Done"


def test_a_scheduled_send_runs_once_its_date_has_passed(emu, client):
    from ctct.emulator import sending

    list_id, _ = make_list_with_members(client, "Readers", ["a@example.com", "b@example.com"])
    campaign = client.post("/emails", json=campaign_body())
    activity_id = primary_id(campaign)
    set_lists(client, activity_id, [list_id])
    client.post(f"/emails/activities/{activity_id}/schedules", json={"scheduled_date": "2999-01-01"})
    assert client.get(f"/reports/email_reports/{activity_id}/tracking/sends")["tracking_activities"] == []
    with emu.store.lock:  # time passes: move the schedule into the past
        sending.schedules(emu.store)[activity_id]["scheduled_date"] = "2020-01-01T00:00:00.000Z"
    assert client.get(f"/emails/{campaign['campaign_id']}")["current_status"] == "Done"
    assert len(client.get(f"/reports/email_reports/{activity_id}/tracking/sends")["tracking_activities"]) == 2


@pytest.mark.parametrize("body", [{}, {"scheduled_date": "next tuesday"}, {"scheduled_date": 0},
                                  {"scheduled_date": "0", "extra": 1}])
def test_bad_schedule_bodies_answer_400(client, body):
    list_id, _ = make_list_with_members(client, "Readers", ["a@example.com"])
    campaign = client.post("/emails", json=campaign_body())
    set_lists(client, primary_id(campaign), [list_id])
    with pytest.raises(ValidationError):
        client.post(f"/emails/activities/{primary_id(campaign)}/schedules", json=body)
    assert client.get(f"/emails/{campaign['campaign_id']}")["current_status"] == "Draft"


def test_scheduling_needs_recipients_and_a_primary_email(client):
    campaign = client.post("/emails", json=campaign_body())
    with pytest.raises(ValidationError):
        client.post(f"/emails/activities/{primary_id(campaign)}/schedules", json={"scheduled_date": "0"})
    permalink = next(a["campaign_activity_id"] for a in campaign["campaign_activities"] if a["role"] == "permalink")
    with pytest.raises(ValidationError):
        client.post(f"/emails/activities/{permalink}/schedules", json={"scheduled_date": "0"})
    assert client.get(f"/emails/{campaign['campaign_id']}")["current_status"] == "Draft"


def test_preview_and_test_send(client):
    campaign = client.post("/emails", json=campaign_body())
    preview = client.get(f"/emails/activities/{primary_id(campaign)}/previews")
    assert "[[trackingImage]]" not in preview["preview_html_content"]
    assert preview["subject"] == "Hello"
    response = client.request("POST", f"/emails/activities/{primary_id(campaign)}/tests",
                              json={"email_addresses": ["qa@example.com"]}, raw=True)
    assert response.status_code == 204
    with pytest.raises(ValidationError):
        client.post(f"/emails/activities/{primary_id(campaign)}/tests", json={"email_addresses": ["nope"]})


# -- seeding --------------------------------------------------------------------------------

def test_seed_loads_campaigns_in_every_status_with_tracking():
    from ctct.emulator import Emulator

    seed = {
        "contact_lists": [{"name": "Readers", "v2_id": 9}],
        "contacts": [{"email_address": {"address": f"p{i}@example.com"}, "first_name": f"P{i}",
                      "list_memberships": ["Readers"]} for i in range(4)],
        "emails": [
            dict(campaign_body("Draft one"), v2_id=1100000000042),
            dict(campaign_body("Later"), current_status="Scheduled", scheduled_date="2999-05-01T10:00:00Z",
                 contact_list_ids=[9]),
            dict(campaign_body("Sent"), current_status="Done", scheduled_date="2024-03-01T12:00:00Z",
                 contact_list_ids=["Readers"], tracking=[
                     {"type": "em_opens", "email_address": "p1@example.com", "created_time": "2024-03-01T13:00:00Z",
                      "device_type": "mobile"},
                     {"type": "clicks", "email_address": "p1@example.com", "created_time": "2024-03-01T13:01:00Z",
                      "link_url": "https://example.com/two"},
                     {"type": "em_bounces", "email_address": "p2@example.com", "created_time": "2024-03-01T12:05:00Z",
                      "bounce_code": "F"},
                 ]),
        ],
    }
    with Emulator(seed=seed) as emu:
        client = make_client(emu)
        campaigns = {c["name"]: c for c in client.get("/emails")["campaigns"]}
        assert {n: c["current_status"] for n, c in campaigns.items()} == \
            {"Draft one": "Draft", "Later": "Scheduled", "Sent": "Done"}
        assert any(c["v2_id"] == 1100000000042 for c in emu.state()["emails"])
        later = client.get(f"/emails/{campaigns['Later']['campaign_id']}")
        assert client.get(f"/emails/activities/{primary_id(later)}/schedules") == \
            [{"scheduled_date": "2999-05-01T10:00:00.000Z"}]
        sent = client.get(f"/emails/{campaigns['Sent']['campaign_id']}")
        stats = client.get(f"/reports/stats/email_campaigns/{sent['campaign_id']}")["results"][0]["stats"]
        assert (stats["em_sends"], stats["em_opens"], stats["em_clicks"], stats["em_bounces"]) == (4, 1, 1, 1)
        assert stats["em_opens_all_mobile"] == 1
        links = client.get(f"/reports/email_reports/{primary_id(sent)}/links", params={"no_clicks": "true"})
        assert [(l["link_url"], l["unique_clicks"]) for l in links["link_click_counts"]] == \
            [("https://example.com/one", 0), ("https://example.com/two", 1)]


@pytest.mark.parametrize("bad", [
    {"current_status": "Scheduled"},  # no scheduled_date
    {"current_status": "Draft", "tracking": [{"type": "em_opens", "email_address": "p0@example.com"}]},
    {"current_status": "Done", "tracking": [{"type": "em_opens", "email_address": "nobody@example.com"}]},
    {"current_status": "Done", "tracking": [{"type": "em_jumps", "email_address": "p0@example.com"}]},
    {"current_status": "Done", "contact_list_ids": ["No such list"]},
    {"current_status": "Sent"},
    {"colour": "red"},
])
def test_bad_email_seeds_fail_with_a_clear_error(bad):
    from ctct.emulator import Emulator

    seed = {"contact_lists": [{"name": "Readers"}],
            "contacts": [{"email_address": {"address": "p0@example.com"}, "list_memberships": ["Readers"]}],
            "emails": [{**campaign_body("Bad"), "contact_list_ids": ["Readers"], **bad}]}
    with pytest.raises(ValueError, match=r"emails\[0\]"):
        Emulator(seed=seed)
