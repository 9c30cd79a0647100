"""The emulator's contact lists (`/contact_lists`), driven over HTTP with the V3 client."""
import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from ctct.emulator import Emulator
from ctct.emulator.api import lists as lists_area
from ctct.v3.errors import ConflictError, NotFoundError, ValidationError

from .conftest import make_client


def new_list(client, name="Customers", **extra):
    return client.post("/contact_lists", json={"name": name, **extra})


def new_contact(client, address, lists=(), permission="implicit"):
    return client.post("/contacts", json={
        "email_address": {"address": address, "permission_to_send": permission},
        "create_source": "Account", "list_memberships": list(lists)})


def assert_v3_errors(err, status, key="contacts.api.validation.error"):
    assert err.status == status
    assert err.errors and all(e["error_key"] == key for e in err.errors)
    return [e["error_message"] for e in err.errors]


# -- create and read ------------------------------------------------------------------------

def test_post_creates_list_with_v3_fields(client, emu):
    created = new_list(client, "Customers", description="Repeat buyers", favorite=True)
    assert set(created) == {"list_id", "name", "description", "favorite", "created_at", "updated_at"}
    assert created["name"] == "Customers" and created["favorite"] is True
    assert client.get(f"/contact_lists/{created['list_id']}") == created
    assert emu.requests[0].status == 201
    assert emu.state()["contact_lists"][0]["v2_id"] == 1


def test_favorite_defaults_to_false_and_name_is_trimmed(client):
    created = new_list(client, "  Padded  ")
    assert created["favorite"] is False and created["name"] == "Padded"
    assert "description" not in created


@pytest.mark.parametrize("body, message", [
    ({}, "name is missing"),
    ({"name": ""}, "name must not be blank"),
    ({"name": "x" * 256}, "name exceeds the maximum length of 255"),
    ({"name": 5}, "name does not have a valid value"),
    ({"name": "ok", "favorite": "yes"}, "favorite does not have a valid value"),
    ({"name": "ok", "colour": "red"}, "colour is not a permitted property"),
])
def test_post_rejects_bad_bodies_like_v3(client, emu, body, message):
    before = emu.state()
    with pytest.raises(ValidationError) as caught:
        client.post("/contact_lists", json=body)
    assert message in assert_v3_errors(caught.value, 400)
    assert emu.state() == before


def test_post_reports_every_problem_at_once(client):
    with pytest.raises(ValidationError) as caught:
        client.post("/contact_lists", json={"favorite": 1, "extra": True})
    assert len(caught.value.errors) == 3


def test_read_only_properties_from_a_get_are_accepted(client):
    created = new_list(client, "Round trip")
    copy = dict(created, name="Round trip 2")
    updated = client.put(f"/contact_lists/{created['list_id']}", json=copy)
    assert updated["name"] == "Round trip 2"


def test_malformed_json_and_wrong_content_type(client, emu):
    before = emu.state()
    with pytest.raises(ValidationError) as caught:
        client.request("POST", "/contact_lists", data=b'{"name": ', headers={"Content-Type": "application/json"})
    assert caught.value.status == 400
    with pytest.raises(ValidationError) as caught:
        client.request("POST", "/contact_lists", data=b'{"name": "x"}', headers={"Content-Type": "text/plain"})
    assert caught.value.status == 415
    with pytest.raises(ValidationError):
        client.post("/contact_lists", json=["not", "an", "object"])
    assert emu.state() == before


def test_duplicate_name_is_409_regardless_of_case(client, emu):
    new_list(client, "Customers")
    before = emu.state()
    with pytest.raises(ConflictError) as caught:
        new_list(client, "CUSTOMERS")
    assert caught.value.status == 409
    assert caught.value.error_keys == ["contacts.api.conflict"]
    assert emu.state() == before


def test_unknown_and_malformed_ids_are_404(client):
    with pytest.raises(NotFoundError):
        client.get("/contact_lists/1b3f4a52-0000-4000-8000-000000000000")
    with pytest.raises(NotFoundError) as caught:
        client.get("/contact_lists/not-a-uuid")
    assert "invalid format" in caught.value.errors[0]["error_message"]


# -- update ---------------------------------------------------------------------------------

def test_put_overwrites_every_property(client):
    created = new_list(client, "Old", description="text", favorite=True)
    updated = client.put(f"/contact_lists/{created['list_id']}", json={"name": "New"})
    assert updated["name"] == "New" and updated["favorite"] is False and "description" not in updated
    assert updated["created_at"] == created["created_at"]
    assert updated["updated_at"] >= created["updated_at"]
    assert client.get(f"/contact_lists/{created['list_id']}")["name"] == "New"


def test_put_keeps_its_name_and_rejects_another_lists_name(client, emu):
    first = new_list(client, "First")
    new_list(client, "Second")
    client.put(f"/contact_lists/{first['list_id']}", json={"name": "first", "favorite": True})
    before = emu.state()
    with pytest.raises(ValidationError):
        client.put(f"/contact_lists/{first['list_id']}", json={"name": "second"})
    assert emu.state() == before


def test_put_on_unknown_list_is_404(client):
    with pytest.raises(NotFoundError):
        client.put("/contact_lists/1b3f4a52-0000-4000-8000-000000000000", json={"name": "x"})


def test_renamed_list_frees_its_old_name(client):
    created = new_list(client, "Alpha")
    client.put(f"/contact_lists/{created['list_id']}", json={"name": "Beta"})
    assert new_list(client, "Alpha")["name"] == "Alpha"


# -- listing --------------------------------------------------------------------------------

def test_listing_pages_with_cursors_and_counts(client):
    ids = [new_list(client, f"List {i}")["list_id"] for i in range(7)]
    first = client.get("/contact_lists", params={"limit": 3, "include_count": "true"})
    assert [l["list_id"] for l in first["lists"]] == ids[:3]
    assert first["lists_count"] == 7
    href = first["_links"]["next"]["href"]
    assert href.startswith("/v3/contact_lists?")
    cursor = parse_qs(urlsplit(href).query)["cursor"][0]
    assert base64.urlsafe_b64decode(cursor + "==").decode().startswith("limit=3&next=")
    seen = []
    for page in client.pages("/contact_lists", params={"limit": 3}, page_size=None):
        seen.extend(l["list_id"] for l in page["lists"])
    assert seen == ids
    last = client.get(href)
    assert "_links" not in client.get(last["_links"]["next"]["href"])


def test_default_page_is_50_and_limit_bounds(client, emu):
    emu.seed({"contact_lists": [{"name": f"L{i}"} for i in range(51)]})
    page = client.get("/contact_lists")
    assert len(page["lists"]) == 50 and "_links" in page
    assert len(client.get("/contact_lists", params={"limit": 1000})["lists"]) == 51
    for bad in ("0", "1001", "ten"):
        with pytest.raises(ValidationError) as caught:
            client.get("/contact_lists", params={"limit": bad})
        assert_v3_errors(caught.value, 400)


def test_name_filter_matches_the_full_name(client):
    new_list(client, "Top tier")
    new_list(client, "Top")
    found = client.get("/contact_lists", params={"name": "top tier", "include_count": "true"})
    assert [l["name"] for l in found["lists"]] == ["Top tier"] and found["lists_count"] == 1
    assert client.get("/contact_lists", params={"name": "nothing"})["lists"] == []


def test_membership_counts_all_and_active(client):
    lst = new_list(client, "Members")
    other = new_list(client, "Empty")
    new_contact(client, "a@example.com", [lst["list_id"]])
    new_contact(client, "b@example.com", [lst["list_id"]], permission="unsubscribed")
    gone = new_contact(client, "c@example.com", [lst["list_id"]])
    client.delete(f"/contacts/{gone['contact_id']}")
    counts = {l["name"]: l["membership_count"]
              for l in client.get("/contact_lists", params={"include_membership_count": "all"})["lists"]}
    assert counts == {"Members": 2, "Empty": 0}
    active = client.get(f"/contact_lists/{lst['list_id']}", params={"include_membership_count": "active"})
    assert active["membership_count"] == 1
    assert "membership_count" not in client.get(f"/contact_lists/{other['list_id']}")
    with pytest.raises(ValidationError) as caught:
        client.get("/contact_lists", params={"include_membership_count": "some"})
    assert caught.value.errors[0]["error_message"] == "include_membership_count does not have a valid value"


def test_status_and_channel_filters(client):
    new_list(client, "Kept")
    assert len(client.get("/contact_lists", params={"status": "all"})["lists"]) == 1
    assert len(client.get("/contact_lists", params={"status": "active"})["lists"]) == 1
    assert client.get("/contact_lists", params={"status": "deleted"})["lists"] == []
    assert client.get("/contact_lists", params={"channel_type": "sms"})["lists"] == []
    for name, value in (("status", "gone"), ("channel_type", "fax"), ("include_count", "maybe")):
        with pytest.raises(ValidationError):
            client.get("/contact_lists", params={name: value})


# -- delete ---------------------------------------------------------------------------------

def test_delete_answers_202_with_an_activity_and_removes_memberships(client):
    keep = new_list(client, "Keep")
    doomed = new_list(client, "Doomed")
    contact = new_contact(client, "member@example.com", [keep["list_id"], doomed["list_id"]])
    response = client.delete(f"/contact_lists/{doomed['list_id']}", raw=True)
    assert response.status_code == 202
    activity = response.json()
    assert activity["activity_id"] and activity["state"] in ("initialized", "processing", "completed")
    assert response.headers["Location"] == activity["_links"]["self"]["href"]
    assert activity["_links"]["self"]["href"] == f"/v3/activities/{activity['activity_id']}"
    with pytest.raises(NotFoundError):
        client.get(f"/contact_lists/{doomed['list_id']}")
    got = client.get(f"/contacts/{contact['contact_id']}", params={"include": "list_memberships"})
    assert got["list_memberships"] == [keep["list_id"]]
    assert client.get("/contacts", params={"lists": doomed["list_id"]})["contacts"] == []
    # the name is free again
    assert new_list(client, "Doomed")["name"] == "Doomed"


def test_delete_unknown_list_is_404(client):
    with pytest.raises(NotFoundError):
        client.delete("/contact_lists/1b3f4a52-0000-4000-8000-000000000000")


def test_delete_list_helper(emu, client):
    lst = new_list(client, "Helper")
    new_contact(client, "h@example.com", [lst["list_id"]])
    with emu.store.lock:
        assert lists_area.delete_list(emu.store, lst["list_id"]) is True
        assert lists_area.delete_list(emu.store, lst["list_id"]) is False
    assert emu.state()["contacts"][0]["list_memberships"] == []


# -- seeding --------------------------------------------------------------------------------

def test_seed_lists_with_ids_v2_ids_and_timestamps():
    seed = {"contact_lists": [
        {"name": "Seeded", "list_id": "0c1d2e3f-0000-4000-8000-00000000000a", "v2_id": 42,
         "created_at": "2020-01-02T03:04:05Z", "favorite": True},
        {"name": "Next"},
    ]}
    with Emulator(seed=seed) as emu, make_client(emu) as client:
        got = client.get("/contact_lists/0c1d2e3f-0000-4000-8000-00000000000a")
        assert got["created_at"] == "2020-01-02T03:04:05.000Z" and got["favorite"] is True
        assert [l["v2_id"] for l in emu.state()["contact_lists"]] == [42, 43]


@pytest.mark.parametrize("item", [{"name": ""}, {"name": "a", "bogus": 1}, {"name": "a", "list_id": "nope"},
                                  {"name": "a", "created_at": "yesterday"}])
def test_bad_seed_items_raise_value_error(item):
    with pytest.raises(ValueError, match="contact_lists\\[0\\]"):
        Emulator(seed={"contact_lists": [item]})
