"""The emulator's contacts (`/contacts`, `/contacts/{id}`, `/contacts/sign_up_form`), over HTTP."""
import pytest

from ctct.emulator import Emulator
from ctct.emulator.api import contacts as contacts_area
from ctct.v3.errors import CTCTError, ConflictError, NotFoundError, ValidationError

from .conftest import make_client

UNKNOWN_ID = "1b3f4a52-0000-4000-8000-000000000000"
VALIDATION = "contacts.api.validation.error"


def make_list(client, name):
    return client.post("/contact_lists", json={"name": name})["list_id"]


def make_field(client, label, kind="string"):
    return client.post("/contact_custom_fields", json={"label": label, "type": kind})["custom_field_id"]


def make_contact(client, address, **body):
    body.setdefault("create_source", "Account")
    return client.post("/contacts", json={"email_address": {"address": address}, **body})


def messages(err):
    return [e["error_message"] for e in err.errors]


@pytest.fixture
def full_body(client):
    list_id = make_list(client, "Customers")
    field_id = make_field(client, "Favorite fruit")
    return {
        "email_address": {"address": "dlang@example.com", "permission_to_send": "explicit"},
        "first_name": "Debora", "last_name": "Lang", "job_title": "Musician", "company_name": "Acme Corp.",
        "birthday_month": 11, "birthday_day": 24, "anniversary": "2006-11-15", "create_source": "Account",
        "custom_fields": [{"custom_field_id": field_id, "value": "kiwi"}],
        "phone_numbers": [{"phone_number": "+1-555-555-5555", "kind": "home"}],
        "street_addresses": [{"kind": "home", "street": "123 Kashmir Valley Road", "city": "Chicago",
                              "state": "Illinois", "postal_code": "60609", "country": "United States"}],
        "list_memberships": [list_id],
        "taggings": ["fa85f64e-5717-4562-b3fc-2c963f66afa6"],
        "notes": [{"content": "Met at the fair"}],
    }


# -- POST /contacts ---------------------------------------------------------------------------

def test_post_stores_every_field_and_answers_201(client, emu, full_body):
    created = client.post("/contacts", json=full_body)
    assert emu.requests[-1].status == 201
    assert created["first_name"] == "Debora" and created["birthday_month"] == 11
    email = created["email_address"]
    assert email["address"] == "dlang@example.com" and email["permission_to_send"] == "explicit"
    assert email["opt_in_source"] == "Account" and email["opt_in_date"]
    assert created["create_source"] == created["update_source"] == "Account"
    assert created["phone_numbers"][0]["phone_number_id"] and created["phone_numbers"][0]["kind"] == "home"
    assert created["street_addresses"][0]["street_address_id"]
    assert created["notes"][0]["note_id"] and created["notes"][0]["content"] == "Met at the fair"
    assert created["list_memberships"] == full_body["list_memberships"]
    assert created["custom_fields"] == full_body["custom_fields"]
    assert created["taggings"] == full_body["taggings"]
    everything = "custom_fields,list_memberships,phone_numbers,street_addresses,taggings,notes"
    assert client.get(f"/contacts/{created['contact_id']}", params={"include": everything}) == created


def test_post_defaults_permission_to_implicit(client):
    created = make_contact(client, "a@example.com", first_name="A")
    assert created["email_address"]["permission_to_send"] == "implicit"


def test_contact_without_email_needs_a_name(client):
    assert client.post("/contacts", json={"first_name": "Only", "create_source": "Contact"})["first_name"] == "Only"
    with pytest.raises(ValidationError) as caught:
        client.post("/contacts", json={"create_source": "Contact"})
    assert "At least one of" in messages(caught.value)[0]


def test_missing_create_source_uses_v3_wording(client):
    with pytest.raises(ValidationError) as caught:
        client.post("/contacts", json={"email_address": {"address": "a@example.com"}})
    assert caught.value.errors == [{"error_key": VALIDATION,
                                    "error_message": "create_source is missing, create_source does not have a valid value"}]


def _too_many(n, item):
    return [dict(item, phone_number=f"555-000{i}") if "phone_number" in item else item for i in range(n)]


BAD_BODIES = [
    ({"email_address": {"address": "not-an-email"}}, "email_address.address is not a valid email address"),
    ({"email_address": {"address": "x" * 70 + "@example.com"}}, "email_address.address exceeds the maximum length of 80"),
    ({"email_address": {}}, "email_address.address is missing"),
    ({"email_address": "a@example.com"}, "email_address must be an object"),
    ({"email_address": {"address": "a@example.com", "permission_to_send": "yes"}},
     "email_address.permission_to_send does not have a valid value"),
    ({"email_address": {"address": "a@example.com", "verified": True}}, "email_address.verified is not a permitted property"),
    ({"first_name": "x" * 51}, "first_name exceeds the maximum length of 50"),
    ({"company_name": 7}, "company_name does not have a valid value"),
    ({"first_name": "A", "birthday_month": 3}, "birthday_month and birthday_day must be used together"),
    ({"first_name": "A", "birthday_month": 13, "birthday_day": 1}, "birthday_month must be between 1 and 12"),
    ({"first_name": "A", "birthday_month": 2, "birthday_day": 32}, "birthday_day must be between 1 and 31"),
    ({"first_name": "A", "anniversary": "2006-02-30"}, "anniversary does not have a valid value"),
    ({"first_name": "A", "anniversary": "15.11.2006"}, "anniversary does not have a valid value"),
    ({"first_name": "A", "phone_numbers": [{"phone_number": f"555-000{i}"} for i in range(4)]},
     "phone_numbers exceeds the maximum of 3 items"),
    ({"first_name": "A", "phone_numbers": [{"phone_number": "555", "kind": "fax"}]},
     "phone_numbers[0].kind does not have a valid value"),
    ({"first_name": "A", "phone_numbers": [{"phone_number": "5" * 26}]},
     "phone_numbers[0].phone_number exceeds the maximum length of 25"),
    ({"first_name": "A", "street_addresses": [{"kind": "home"}] * 4}, "street_addresses exceeds the maximum of 3 items"),
    ({"first_name": "A", "street_addresses": [{"city": "Boston"}]},
     "street_addresses[0].kind is missing, street_addresses[0].kind does not have a valid value"),
    ({"first_name": "A", "street_addresses": [{"kind": "home", "city": "c" * 51}]},
     "street_addresses[0].city exceeds the maximum length of 50"),
    ({"first_name": "A", "custom_fields": [{"custom_field_id": UNKNOWN_ID, "value": "v"}]},
     f"custom_fields[0].custom_field_id {UNKNOWN_ID} does not exist"),
    ({"first_name": "A", "custom_fields": [{"custom_field_id": UNKNOWN_ID}] * 26},
     "custom_fields exceeds the maximum of 25 items"),
    ({"first_name": "A", "list_memberships": [UNKNOWN_ID]}, f"The contact list {UNKNOWN_ID} does not exist."),
    ({"first_name": "A", "list_memberships": [UNKNOWN_ID] * 51}, "list_memberships exceeds the maximum of 50 items"),
    ({"first_name": "A", "list_memberships": "abc"}, "list_memberships must be an array"),
    ({"first_name": "A", "taggings": ["tag"]}, "taggings[0] does not have a valid value"),
    ({"first_name": "A", "notes": [{"content": "n" * 2001}]}, "notes[0].content exceeds the maximum length of 2000"),
    ({"first_name": "A", "nickname": "Al"}, "nickname is not a permitted property"),
]


@pytest.mark.parametrize("body, message", BAD_BODIES, ids=[m for _, m in BAD_BODIES])
def test_post_rejects_bad_input_without_changing_anything(client, emu, body, message):
    before = emu.state()
    with pytest.raises(ValidationError) as caught:
        client.post("/contacts", json={"create_source": "Account", **body})
    assert caught.value.status == 400
    assert all(key == VALIDATION for key in caught.value.error_keys)
    assert message in messages(caught.value)
    assert emu.state() == before


def test_malformed_json_wrong_content_type_and_non_object(client, emu):
    before = emu.state()
    with pytest.raises(ValidationError) as caught:
        client.request("POST", "/contacts", data=b"{oops", headers={"Content-Type": "application/json"})
    assert caught.value.status == 400
    with pytest.raises(ValidationError) as caught:
        client.request("POST", "/contacts", data=b"email=a@example.com",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert caught.value.status == 415
    with pytest.raises(ValidationError):
        client.post("/contacts", json=[{"first_name": "A", "create_source": "Account"}])
    assert emu.state() == before


def test_existing_address_is_409_naming_the_contact(client, emu):
    first = make_contact(client, "Dup@Example.com")
    before = emu.state()
    with pytest.raises(ConflictError) as caught:
        make_contact(client, "dup@example.com")
    assert caught.value.errors == [{"error_key": "contacts.api.conflict",
                                    "error_message": f"Email already exists for contact {first['contact_id']}"}]
    assert emu.state() == before
    client.delete(f"/contacts/{first['contact_id']}")
    with pytest.raises(ConflictError):  # deleted contacts keep their address
        make_contact(client, "dup@example.com")


# -- GET /contacts/{id} -----------------------------------------------------------------------

def test_get_returns_subresources_only_when_included(client, full_body):
    created = client.post("/contacts", json=full_body)
    plain = client.get(f"/contacts/{created['contact_id']}")
    assert not set(plain) & set(contacts_area.INCLUDES)
    some = client.get(f"/contacts/{created['contact_id']}", params={"include": "phone_numbers,notes"})
    assert set(some) & set(contacts_area.INCLUDES) == {"phone_numbers", "notes"}
    with pytest.raises(ValidationError) as caught:
        client.get(f"/contacts/{created['contact_id']}", params={"include": "friends"})
    assert messages(caught.value) == ["include does not have a valid value"]


def test_unknown_and_malformed_contact_ids(client):
    with pytest.raises(NotFoundError) as caught:
        client.get(f"/contacts/{UNKNOWN_ID}")
    assert caught.value.error_keys == ["contacts.api.not_found"]
    with pytest.raises(NotFoundError) as caught:
        client.get("/contacts/12345")
    assert messages(caught.value) == ["contact_id is in an invalid format."]
    for method in ("PUT", "DELETE"):
        with pytest.raises(NotFoundError):
            client.request(method, f"/contacts/{UNKNOWN_ID}", json={"update_source": "Account"})


# -- PUT /contacts/{id} -----------------------------------------------------------------------

def test_put_overwrites_core_fields_and_keeps_omitted_subresources(client, full_body):
    created = client.post("/contacts", json=full_body)
    updated = client.put(f"/contacts/{created['contact_id']}",
                         json={"update_source": "Contact", "first_name": "Deb",
                               "phone_numbers": [{"phone_number": "555-0101", "kind": "work"}]})
    for gone in ("last_name", "job_title", "company_name", "birthday_month", "birthday_day", "anniversary"):
        assert gone not in updated
    assert updated["first_name"] == "Deb" and updated["update_source"] == "Contact"
    assert updated["create_source"] == "Account" and updated["created_at"] == created["created_at"]
    assert updated["email_address"]["address"] == "dlang@example.com"
    assert [p["phone_number"] for p in updated["phone_numbers"]] == ["555-0101"]
    for kept in ("custom_fields", "street_addresses", "list_memberships", "taggings", "notes"):
        assert updated[kept] == created[kept]


def test_put_can_clear_a_subresource_with_an_empty_array(client, full_body):
    created = client.post("/contacts", json=full_body)
    updated = client.put(f"/contacts/{created['contact_id']}", json={"update_source": "Account", "list_memberships": []})
    assert updated["list_memberships"] == []
    assert client.get("/contacts", params={"lists": full_body["list_memberships"][0]})["contacts"] == []


def test_put_round_trips_a_get_response(client, full_body):
    created = client.post("/contacts", json=full_body)
    got = client.get(f"/contacts/{created['contact_id']}", params={"include": "phone_numbers,street_addresses"})
    body = dict(got, update_source="Account", job_title="Drummer")
    assert client.put(f"/contacts/{created['contact_id']}", json=body)["job_title"] == "Drummer"


def test_put_requires_update_source_and_validates(client, emu, full_body):
    created = client.post("/contacts", json=full_body)
    before = emu.state()
    with pytest.raises(ValidationError) as caught:
        client.put(f"/contacts/{created['contact_id']}", json={"first_name": "X"})
    assert messages(caught.value) == ["update_source is missing, update_source does not have a valid value"]
    with pytest.raises(ValidationError):
        client.put(f"/contacts/{created['contact_id']}", json={"update_source": "Account", "create_source": "Account",
                                                               "hobby": "chess"})
    assert emu.state() == before


def test_put_changing_to_a_taken_address_is_409(client, emu):
    make_contact(client, "taken@example.com")
    other = make_contact(client, "mine@example.com")
    before = emu.state()
    with pytest.raises(ConflictError):
        client.put(f"/contacts/{other['contact_id']}",
                   json={"update_source": "Account", "email_address": {"address": "TAKEN@example.com"}})
    assert emu.state() == before
    renamed = client.put(f"/contacts/{other['contact_id']}",
                         json={"update_source": "Account", "email_address": {"address": "new@example.com"}})
    assert renamed["email_address"]["address"] == "new@example.com"
    assert make_contact(client, "mine@example.com")  # the old address is free again


def test_unsubscribe_and_the_accounts_limits_on_resubscribing(client):
    created = make_contact(client, "u@example.com")
    path = f"/contacts/{created['contact_id']}"
    unsub = client.put(path, json={"update_source": "Contact", "email_address": {
        "address": "u@example.com", "permission_to_send": "unsubscribed", "opt_out_reason": "Too many emails"}})
    email = unsub["email_address"]
    assert email["permission_to_send"] == "unsubscribed" and email["opt_out_source"] == "Contact"
    assert email["opt_out_reason"] == "Too many emails" and email["opt_out_date"]
    again = client.put(path, json={"update_source": "Account", "email_address": {
        "address": "u@example.com", "permission_to_send": "explicit"}})
    assert again["email_address"]["permission_to_send"] == "unsubscribed"
    by_contact = client.put(path, json={"update_source": "Contact", "email_address": {
        "address": "u@example.com", "permission_to_send": "explicit"}})
    assert by_contact["email_address"]["permission_to_send"] == "explicit"
    assert "opt_out_source" not in by_contact["email_address"]


# -- DELETE and revival -----------------------------------------------------------------------

def test_delete_is_soft_and_put_revives(client, full_body):
    created = client.post("/contacts", json=full_body)
    path = f"/contacts/{created['contact_id']}"
    response = client.delete(path, raw=True)
    assert response.status_code == 204 and response.content == b""
    deleted = client.get(path, params={"include": "list_memberships"})
    assert len(deleted["deleted_at"]) == 10  # a date, as V3's schema says
    assert deleted["email_address"]["opt_out_source"] == "Account" and deleted["email_address"]["opt_out_date"]
    assert deleted["list_memberships"] == []
    assert client.get("/contacts")["contacts"] == []
    assert [c["contact_id"] for c in client.get("/contacts", params={"status": "deleted"})["contacts"]] == [created["contact_id"]]
    assert len(client.get("/contacts", params={"status": "all"})["contacts"]) == 1
    assert client.delete(path) is None  # deleting again changes nothing
    revived = client.put(path, json={"update_source": "Account", "first_name": "Back",
                                     "list_memberships": full_body["list_memberships"]})
    assert "deleted_at" not in revived and "opt_out_source" not in revived["email_address"]
    assert revived["email_address"]["permission_to_send"] == "explicit"
    assert [c["contact_id"] for c in client.get("/contacts", params={"lists": full_body["list_memberships"][0]})["contacts"]] \
        == [created["contact_id"]]


# -- GET /contacts ----------------------------------------------------------------------------

def test_filters_email_lists_status_and_include(client):
    red, blue = make_list(client, "Red"), make_list(client, "Blue")
    a = make_contact(client, "a@example.com", list_memberships=[red])
    b = make_contact(client, "b@example.com", list_memberships=[blue])
    c = make_contact(client, "c@example.com", list_memberships=[red, blue])
    d = client.post("/contacts", json={"email_address": {"address": "d@example.com", "permission_to_send": "unsubscribed"},
                                       "create_source": "Account"})

    def ids(**params):
        return [x["contact_id"] for x in client.get("/contacts", params=params)["contacts"]]

    assert ids() == [a["contact_id"], b["contact_id"], c["contact_id"], d["contact_id"]]
    assert ids(email="B@EXAMPLE.COM") == [b["contact_id"]]
    assert ids(email="nobody@example.com") == []
    assert ids(lists=red) == [a["contact_id"], c["contact_id"]]
    assert ids(lists=f"{red},{blue}") == [a["contact_id"], b["contact_id"], c["contact_id"]]
    assert ids(lists=UNKNOWN_ID) == []
    assert ids(status="unsubscribed") == [d["contact_id"]]
    assert ids(status="active") == [a["contact_id"], b["contact_id"], c["contact_id"]]
    assert ids(status="implicit,unsubscribed", lists=red) == [a["contact_id"], c["contact_id"]]
    page = client.get("/contacts", params={"include": "list_memberships", "lists": blue, "include_count": "true"})
    assert [x["list_memberships"] for x in page["contacts"]] == [[blue], [red, blue]]
    assert page["contacts_count"] == 2
    assert client.get("/contacts", params={"include_count": "true", "status": "all"})["contacts_count"] == 4


@pytest.mark.parametrize("params, message", [
    ({"limit": "0"}, "limit must be between 1 and 500"),
    ({"limit": "501"}, "limit must be between 1 and 500"),
    ({"limit": "many"}, "limit does not have a valid value"),
    ({"status": "happy"}, "status does not have a valid value"),
    ({"include": "everything"}, "include does not have a valid value"),
    ({"include_count": "yes"}, "include_count does not have a valid value"),
    ({"updated_after": "last tuesday"}, "updated_after does not have a valid value"),
    ({"lists": ",".join([UNKNOWN_ID] * 26)}, "lists must not contain more than 25 list ids"),
    ({"sms_status": "loud"}, "sms_status does not have a valid value"),
    ({"cursor": "not-a-cursor"}, "The cursor is invalid."),
])
def test_bad_query_parameters_are_400(client, params, message):
    with pytest.raises(ValidationError) as caught:
        client.get("/contacts", params=params)
    assert messages(caught.value) == [message]


def test_segments_are_not_emulated(client):
    with pytest.raises(NotFoundError):
        client.get("/contacts", params={"segment_id": "14"})


def test_date_filters_compare_timestamps():
    seed = {"contacts": [
        {"email_address": "old@example.com", "created_at": "2020-01-01T00:00:00Z", "updated_at": "2021-06-01T00:00:00Z"},
        {"email_address": "mid@example.com", "created_at": "2022-03-01T12:00:00+02:00", "updated_at": "2022-03-01T10:00:00Z"},
        {"email_address": "new@example.com", "created_at": "2024-01-01T00:00:00.500Z", "updated_at": "2024-01-02T00:00:00Z"},
    ]}
    with Emulator(seed=seed) as emu, make_client(emu) as client:
        def addresses(**params):
            return [c["email_address"]["address"] for c in client.get("/contacts", params=params)["contacts"]]

        assert addresses(created_after="2021-01-01") == ["mid@example.com", "new@example.com"]
        assert addresses(created_before="2022-03-01T10:00:00.001Z") == ["old@example.com", "mid@example.com"]
        assert addresses(updated_after="2022-01-01T00:00:00Z", updated_before="2023-01-01T00:00:00Z") == ["mid@example.com"]
        assert client.get("/contacts", params={"created_after": "2022-01-01", "include_count": "true"})["contacts_count"] == 2


def test_pages_follow_cursors_with_filters_kept(client, emu):
    emu.seed({"contact_lists": [{"name": "Even"}],
              "contacts": [{"email_address": f"p{i}@example.com", "list_memberships": ["Even"] if i % 2 == 0 else []}
                           for i in range(23)]})
    even = emu.state()["contact_lists"][0]["list_id"]
    first = client.get("/contacts", params={"limit": 5, "lists": even})
    assert len(first["contacts"]) == 5
    assert f"lists={even}" in first["_links"]["next"]["href"]
    seen = []
    for page in client.pages("/contacts", params={"limit": 5, "lists": even}, page_size=None):
        seen.extend(c["email_address"]["address"] for c in page["contacts"])
    assert seen == [f"p{i}@example.com" for i in range(0, 23, 2)]


def test_5000_contact_seed_pages_at_500():
    seed = {"contact_lists": [{"name": "All", "v2_id": 1}],
            "contacts": [{"email_address": {"address": f"c{i:04d}@example.com"}, "first_name": f"C{i}",
                          "list_v2_ids": [1] if i % 5 == 0 else [], "v2_id": 1000 + i} for i in range(5000)]}
    with Emulator(seed=seed) as emu, make_client(emu) as client:
        pages = list(client.pages("/contacts", params={"include_count": "true"}, page_size=500))
        assert len(pages) == 10 and all(len(p["contacts"]) == 500 for p in pages)
        assert pages[0]["contacts_count"] == 5000
        addresses = [c["email_address"]["address"] for p in pages for c in p["contacts"]]
        assert addresses == [f"c{i:04d}@example.com" for i in range(5000)]
        members = list(client.paginate("/contacts", "contacts", params={"lists": emu.state()["contact_lists"][0]["list_id"]}))
        assert len(members) == 1000
        assert len(emu.requests) == 10 + 2


# -- sign_up_form -----------------------------------------------------------------------------

def test_sign_up_form_creates_then_updates_partially(client, emu):
    red, blue = make_list(client, "Red"), make_list(client, "Blue")
    fruit, color = make_field(client, "Fruit"), make_field(client, "Color")
    created = client.post("/contacts/sign_up_form", json={
        "email_address": "jake@example.com", "first_name": "Jake", "last_name": "Dodge", "list_memberships": [red],
        "custom_fields": [{"custom_field_id": fruit, "value": "kiwi"}], "phone_number": "555-1212",
        "street_address": {"kind": "home", "city": "Boston"}})
    assert emu.requests[-1].status == 201 and created["action"] == "created"
    contact = client.get(f"/contacts/{created['contact_id']}", params={"include": "list_memberships,custom_fields,phone_numbers"})
    assert contact["email_address"]["permission_to_send"] == "explicit"
    assert contact["email_address"]["opt_in_source"] == "Contact" and contact["create_source"] == "Contact"
    assert contact["phone_numbers"][0]["phone_number"] == "555-1212"

    updated = client.post("/contacts/sign_up_form", json={
        "email_address": "JAKE@example.com", "last_name": "Dodger", "list_memberships": [blue, red],
        "custom_fields": [{"custom_field_id": fruit, "value": "pear"}, {"custom_field_id": color, "value": "red"}]})
    assert emu.requests[-1].status == 200
    assert updated == {"contact_id": created["contact_id"], "action": "updated"}
    contact = client.get(f"/contacts/{created['contact_id']}", params={"include": "list_memberships,custom_fields"})
    assert contact["first_name"] == "Jake" and contact["last_name"] == "Dodger"
    assert contact["list_memberships"] == [red, blue]
    assert {f["custom_field_id"]: f["value"] for f in contact["custom_fields"]} == {fruit: "pear", color: "red"}


def test_sign_up_form_revives_and_reopts_in(client):
    red = make_list(client, "Red")
    created = client.post("/contacts", json={"email_address": {"address": "r@example.com", "permission_to_send": "unsubscribed"},
                                             "create_source": "Account"})
    client.delete(f"/contacts/{created['contact_id']}")
    again = client.post("/contacts/sign_up_form", json={"email_address": "r@example.com", "list_memberships": [red]})
    assert again["action"] == "updated" and again["contact_id"] == created["contact_id"]
    contact = client.get(f"/contacts/{created['contact_id']}", params={"include": "list_memberships"})
    assert "deleted_at" not in contact and contact["list_memberships"] == [red]
    assert contact["email_address"]["permission_to_send"] == "explicit"


@pytest.mark.parametrize("body, status, message", [
    ({"email_address": "a@example.com"}, 400, "list_memberships is missing"),
    ({"email_address": "a@example.com", "list_memberships": []}, 400, "list_memberships must contain at least 1 item"),
    ({"list_memberships": ["LIST"]}, 400, "email_address is missing"),
    ({"email_address": "x" * 40 + "@example.com", "list_memberships": ["LIST"]}, 400,
     "email_address exceeds the maximum length of 50"),
    ({"email_address": "nope", "list_memberships": ["LIST"]}, 400, "email_address is not a valid email address"),
    ({"email_address": "a@example.com", "list_memberships": ["LIST"], "phone_numbers": []}, 400,
     "phone_numbers is not a permitted property"),
    ({"email_address": "a@example.com", "list_memberships": ["LIST"], "street_address": {"city": "X"}}, 400,
     "street_address.kind is missing, street_address.kind does not have a valid value"),
    ({"email_address": "a@example.com", "list_memberships": [UNKNOWN_ID]}, 404,
     f"The contact list {UNKNOWN_ID} does not exist."),
])
def test_sign_up_form_rejects_bad_input(client, emu, body, status, message):
    list_id = make_list(client, "Existing")
    body = {k: ([list_id if i == "LIST" else i for i in val] if k == "list_memberships" else val) for k, val in body.items()}
    before = emu.state()
    with pytest.raises(CTCTError) as caught:
        client.post("/contacts/sign_up_form", json=body)
    assert caught.value.status == status and message in messages(caught.value)
    assert emu.state() == before


# -- counts -----------------------------------------------------------------------------------

def test_counts(client):
    make_contact(client, "i@example.com")
    client.post("/contacts", json={"email_address": {"address": "e@example.com", "permission_to_send": "explicit"},
                                   "create_source": "Contact"})
    gone = make_contact(client, "g@example.com")
    client.delete(f"/contacts/{gone['contact_id']}")
    counts = client.get("/contacts/counts", params={"include": "new_subscriber"})
    assert counts == {"total": 2, "explicit": 1, "implicit": 1, "pending": 0, "unsubscribed": 0, "new_subscriber": 2}


# -- helpers other areas call -----------------------------------------------------------------

def test_helpers_for_bulk_activities(emu, client):
    red, blue = make_list(client, "Red"), make_list(client, "Blue")
    store = emu.store
    with store.lock:
        contact, created = contacts_area.upsert_contact(
            store, {"email_address": "bulk@example.com", "first_name": "B",
                    "phone_numbers": [{"phone_number": "555-1", "kind": "work"}]}, [red])
        assert created and contact["email_address"]["permission_to_send"] == "implicit"
        again, created = contacts_area.upsert_contact(store, {"email_address": "BULK@example.com", "last_name": "L"}, [blue])
        assert not created and again["first_name"] == "B" and again["list_memberships"] == [red, blue]
        assert contacts_area.find_by_email(store, " Bulk@Example.com ")["contact_id"] == contact["contact_id"]
        assert contacts_area.list_member_ids(store, red) == [contact["contact_id"]]
        contacts_area.set_memberships(store, contact["contact_id"], add=[UNKNOWN_ID], remove=[red])
        assert contacts_area.list_member_ids(store, red) == []
        assert store.contacts.get(contact["contact_id"])["list_memberships"] == [blue]
        rendered = contacts_area.render_contact(store.contacts.get(contact["contact_id"]), ["phone_numbers"])
        assert [p["kind"] for p in rendered["phone_numbers"]] == ["work"] and "list_memberships" not in rendered
        contacts_area.delete_contact(store, contact["contact_id"])
        assert contacts_area.list_member_ids(store, blue) == []
        assert contacts_area.set_memberships(store, contact["contact_id"], add=[red])["list_memberships"] == []
        with pytest.raises(Exception) as caught:
            contacts_area.upsert_contact(store, {"email_address": "bad"})
        assert getattr(caught.value, "status", None) == 400


def test_set_memberships_refuses_a_51st_list(emu, client):
    emu.seed({"contact_lists": [{"name": f"L{i}"} for i in range(51)]})
    list_ids = [l["list_id"] for l in emu.state()["contact_lists"]]
    contact = make_contact(client, "many@example.com", list_memberships=list_ids[:50])
    with emu.store.lock:
        with pytest.raises(Exception) as caught:
            contacts_area.set_memberships(emu.store, contact["contact_id"], add=list_ids[50:])
        assert caught.value.status == 400
    assert len(client.get(f"/contacts/{contact['contact_id']}", params={"include": "list_memberships"})["list_memberships"]) == 50


# -- state: snapshots, restore and reset ------------------------------------------------------

def test_indexes_survive_save_and_load(tmp_path):
    state_file = tmp_path / "account.json"
    with Emulator(state_file=state_file) as emu, make_client(emu) as client:
        red = make_list(client, "Red")
        kept = make_contact(client, "kept@example.com", list_memberships=[red])
    with Emulator(state_file=state_file) as emu, make_client(emu) as client:
        assert [c["contact_id"] for c in client.get("/contacts", params={"lists": red})["contacts"]] == [kept["contact_id"]]
        with pytest.raises(ConflictError):
            make_contact(client, "KEPT@example.com")
        assert client.get("/contact_lists", params={"name": "red", "include_membership_count": "all"})["lists"][0]["membership_count"] == 1
        assert emu.state()["contacts"][0]["v2_id"] == 1


def test_reset_clears_the_indexes(emu, client):
    red = make_list(client, "Red")
    make_contact(client, "again@example.com", list_memberships=[red])
    emu.reset()
    assert client.get("/contacts", params={"lists": red})["contacts"] == []
    assert make_contact(client, "again@example.com")["email_address"]["address"] == "again@example.com"
    assert make_list(client, "Red")


# -- seeding ----------------------------------------------------------------------------------

def test_seed_references_lists_and_fields_by_name_and_v2_id():
    seed = {
        "custom_fields": [{"label": "Shoe size", "type": "string"}],
        "contact_lists": [{"name": "VIP", "v2_id": 7}, {"name": "News"}],
        "contacts": [
            {"email_address": {"address": "s@example.com", "permission_to_send": "explicit",
                               "opt_in_source": "Contact", "opt_in_date": "2019-05-01T00:00:00Z"},
             "first_name": "S", "list_memberships": ["News"], "list_v2_ids": [7],
             "custom_fields": [{"name": "Shoe_size", "value": "42"}], "v2_id": 99,
             "contact_id": "5a6b7c8d-0000-4000-8000-000000000001"},
            {"email_address": "gone@example.com", "deleted_at": "2023-02-03T04:05:06Z"},
        ]}
    with Emulator(seed=seed) as emu, make_client(emu) as client:
        got = client.get("/contacts/5a6b7c8d-0000-4000-8000-000000000001", params={"include": "list_memberships,custom_fields"})
        names = {l["list_id"]: l["name"] for l in client.get("/contact_lists")["lists"]}
        assert sorted(names[i] for i in got["list_memberships"]) == ["News", "VIP"]
        assert got["custom_fields"][0]["value"] == "42"
        assert got["email_address"]["opt_in_source"] == "Contact"
        assert got["email_address"]["opt_in_date"] == "2019-05-01T00:00:00.000Z"
        deleted = client.get("/contacts", params={"status": "deleted"})["contacts"]
        assert [c["deleted_at"] for c in deleted] == ["2023-02-03"]
        assert [c["v2_id"] for c in emu.state()["contacts"]] == [99, 100]


@pytest.mark.parametrize("contact", [
    {"email_address": "bad"},
    {"email_address": "a@example.com", "list_memberships": ["No such list"]},
    {"email_address": "a@example.com", "list_v2_ids": [5]},
    {"email_address": "a@example.com", "custom_fields": [{"name": "Nope", "value": "x"}]},
    {"email_address": "a@example.com", "created_at": "soon"},
])
def test_bad_seed_contacts_raise_value_error(contact):
    with pytest.raises(ValueError, match="contacts\\[0\\]"):
        Emulator(seed={"contacts": [contact]})
