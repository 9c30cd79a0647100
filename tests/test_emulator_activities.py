"""Bulk activities over HTTP: each POST, the state progression, the real account changes,
bad rows in activity_errors, limits and rejected requests (which change nothing)."""
import csv
import io
import json

import pytest
import requests

from ctct.emulator import Emulator
from ctct.v3.errors import CTCTError

from .conftest import make_client

# -- helpers ----------------------------------------------------------------------------------


def new_list(client, name):
    return client.post("/contact_lists", json={"name": name})["list_id"]


def new_custom_field(client, label):
    return client.post("/contact_custom_fields", json={"label": label, "type": "string"})


def new_contact(client, email, lists=(), **fields):
    body = {"email_address": {"address": email, "permission_to_send": "implicit"},
            "create_source": "Account", "list_memberships": list(lists), **fields}
    return client.post("/contacts", json=body)["contact_id"]


def contact_by_email(client, email, include="custom_fields,phone_numbers,street_addresses,list_memberships"):
    found = client.get("/contacts", params={"email": email, "include": include, "status": "all"})["contacts"]
    return found[0] if found else None


def finish(client, activity, reads=5):
    """Poll an activity until it is no longer pending; returns the last body."""
    body = activity
    for _ in range(reads):
        if body["state"] not in ("initialized", "processing"):
            return body
        body = client.get(f"/activities/{activity['activity_id']}")
    return body


def raw(emu, method, path, **kw):
    """A plain requests call (for bodies the client would not send)."""
    headers = {"Authorization": f"Bearer {emu.access_token}", **kw.pop("headers", {})}
    return requests.request(method, emu.base_url + path, headers=headers, timeout=30, **kw)


def activities_of(client):
    return client.get("/activities", params={"limit": 500})["activities"]


def upload(emu, text, list_ids, filename="contacts.csv", **extra):
    data = {"list_ids": ",".join(list_ids), **extra}
    return raw(emu, "POST", "/activities/contacts_file_import",
               files={"file": (filename, text.encode("utf-8"), "text/csv")}, data=data)


@pytest.fixture
def customers(client):
    return new_list(client, "Customers")


# -- contacts_json_import ---------------------------------------------------------------------


def test_json_import_steps_through_states_and_imports_every_column(emu, client, customers):
    field = new_custom_field(client, "Shoe Size")
    row = {
        "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace",
        "job_title": "Analyst", "company_name": "Engines Ltd", "birthday_month": 12, "birthday_day": 10,
        "anniversary": "6/15/2015",
        "home_phone": "555-0101", "work_phone": "555-0102", "mobile_phone": "555-0103",
        "street": "1 Main St", "street2": "Apt 4", "city": "Boston", "state": "MA", "zip": "02101",
        "country": "United States",
        "work_street": "9 Office Rd", "work_street2": "Floor 3", "work_city": "Cambridge", "work_state": "MA",
        "work_zip": "02139", "work_country": "United States",
        "other_street": "5 Lake Ave", "other_city": "Toronto", "other_state": "ON", "other_zip": "M5H",
        "other_country": "Canada",
        f"cf:{field['name']}": "42",
    }
    created = client.post("/activities/contacts_json_import", json={"import_data": [row], "list_ids": [customers]})
    assert created["state"] == "initialized"
    assert created["_links"]["self"]["href"] == f"/v3/activities/{created['activity_id']}"
    assert created["status"]["items_total_count"] == 2 and created["status"]["person_count"] == 1

    processing = client.get(f"/activities/{created['activity_id']}")
    assert processing["state"] == "processing" and 0 < processing["percent_done"] < 100
    assert "started_at" in processing and "completed_at" not in processing
    done = client.get(f"/activities/{created['activity_id']}")
    assert done["state"] == "completed" and done["percent_done"] == 100
    assert done["activity_errors"] == []
    assert done["status"] == {"items_total_count": 2, "person_count": 1, "error_count": 0,
                              "correctable_count": 0, "cannot_add_to_list_count": 0}

    contact = contact_by_email(client, "ada@example.com")
    assert contact["first_name"] == "Ada" and contact["last_name"] == "Lovelace"
    assert contact["job_title"] == "Analyst" and contact["company_name"] == "Engines Ltd"
    assert (contact["birthday_month"], contact["birthday_day"]) == (12, 10)
    assert contact["anniversary"] == "2015-06-15"
    assert contact["email_address"]["permission_to_send"] == "implicit"
    assert contact["email_address"]["opt_in_source"] == "Account"
    assert contact["list_memberships"] == [customers]
    phones = {p["kind"]: p["phone_number"] for p in contact["phone_numbers"]}
    assert phones == {"home": "555-0101", "work": "555-0102", "mobile": "555-0103"}
    addresses = {a["kind"]: a for a in contact["street_addresses"]}
    assert addresses["home"]["street"] == "1 Main St Apt 4"
    assert addresses["home"]["postal_code"] == "02101" and addresses["home"]["country"] == "United States"
    assert addresses["work"]["street"] == "9 Office Rd Floor 3" and addresses["work"]["city"] == "Cambridge"
    assert addresses["other"]["country"] == "Canada"
    assert contact["custom_fields"] == [{"custom_field_id": field["custom_field_id"], "value": "42"}]


def test_json_import_default_phone_kind_and_home_country_spelling(emu, client, customers):
    emu.activity_steps = 0
    rows = [{"email": "b@example.com", "phone": "555-0200", "home_street": "2 Elm", "home country": "Canada"}]
    done = client.post("/activities/contacts_json_import", json={"import_data": rows, "list_ids": [customers]})
    assert done["state"] == "completed"
    contact = contact_by_email(client, "b@example.com")
    assert [(p["kind"], p["phone_number"]) for p in contact["phone_numbers"]] == [("other", "555-0200")]
    assert contact["street_addresses"][0]["kind"] == "home"
    assert contact["street_addresses"][0]["country"] == "Canada"


def test_json_import_updates_existing_contacts_partially_and_appends_lists(emu, client, customers):
    vip = new_list(client, "VIP")
    contact_id = new_contact(client, "grace@example.com", [customers], first_name="Grace", last_name="Hopper")
    created = client.post("/activities/contacts_json_import", json={
        "import_data": [{"email": "GRACE@example.com", "job_title": "Admiral"}], "list_ids": [vip]})
    done = finish(client, created)
    assert done["state"] == "completed" and done["status"]["error_count"] == 0
    contact = contact_by_email(client, "grace@example.com")
    assert contact["contact_id"] == contact_id
    assert (contact["first_name"], contact["last_name"], contact["job_title"]) == ("Grace", "Hopper", "Admiral")
    assert sorted(contact["list_memberships"]) == sorted([customers, vip])


def test_json_import_reports_bad_rows_and_imports_good_ones(emu, client, customers):
    new_custom_field(client, "Color")
    rows = [
        {"email": "good1@example.com", "first_name": "One"},
        {"email": "not-an-email", "first_name": "Bad"},
        {"first_name": "No Email"},
        {"email": "cf@example.com", "cf:no_such_field": "x"},
        {"email": "long@example.com", "first_name": "x" * 51},
        {"email": "good2@example.com", "cf:color": "red"},
    ]
    done = finish(client, client.post("/activities/contacts_json_import",
                                      json={"import_data": rows, "list_ids": [customers]}))
    assert done["state"] == "completed"
    assert done["status"] == {"items_total_count": 7, "person_count": 6, "error_count": 2,
                              "correctable_count": 2, "cannot_add_to_list_count": 0}
    errors = done["activity_errors"]
    assert len(errors) == 4
    assert errors[0].startswith("Line 3 (import_data[1]):") and "not-an-email" in errors[0]
    assert errors[1].startswith("Line 4 (import_data[2]):") and "missing email" in errors[1]
    assert errors[2].startswith("Line 5 (import_data[3]):") and "no_such_field" in errors[2]
    assert errors[3].startswith("Line 6 (import_data[4]):") and "first_name" in errors[3]
    assert contact_by_email(client, "good1@example.com")["list_memberships"] == [customers]
    assert contact_by_email(client, "good2@example.com")["custom_fields"][0]["value"] == "red"
    for email in ("cf@example.com", "long@example.com"):
        assert contact_by_email(client, email) is None


def test_unsubscribed_contacts_are_updated_but_not_added_to_lists(emu, client, customers):
    contact_id = client.post("/contacts", json={
        "email_address": {"address": "gone@example.com", "permission_to_send": "unsubscribed"},
        "create_source": "Account"})["contact_id"]
    emu.activity_steps = 0
    done = client.post("/activities/contacts_json_import", json={
        "import_data": [{"email": "gone@example.com", "first_name": "Gone"}], "list_ids": [customers]})
    assert done["status"]["cannot_add_to_list_count"] == 1
    contact = client.get(f"/contacts/{contact_id}", params={"include": "list_memberships"})
    assert contact["first_name"] == "Gone" and contact.get("list_memberships", []) == []


def test_other_requests_settle_pending_jobs_first(emu, client, customers):
    created = client.post("/activities/contacts_json_import",
                          json={"import_data": [{"email": "s@example.com"}], "list_ids": [customers]})
    assert created["state"] == "initialized"
    # a contacts read runs every pending job to completion before it answers
    assert contact_by_email(client, "s@example.com") is not None
    assert client.get(f"/activities/{created['activity_id']}")["state"] == "completed"


def test_activity_steps_are_configurable(emu, client, customers):
    emu.activity_steps = 3
    created = client.post("/activities/list_delete", json={"list_ids": [customers]})
    seen = [client.get(f"/activities/{created['activity_id']}") for _ in range(3)]
    assert [(a["state"], a["percent_done"]) for a in seen] == [("processing", 33), ("processing", 66), ("completed", 100)]
    emu.activity_steps = 0
    other = new_list(client, "Other")
    assert client.post("/activities/list_delete", json={"list_ids": [other]})["state"] == "completed"


def test_jobs_complete_in_queue_order(emu, client, customers):
    contact_id = new_contact(client, "q@example.com")
    first = client.post("/activities/add_list_memberships",
                        json={"source": {"contact_ids": [contact_id]}, "list_ids": [customers]})
    second = client.post("/activities/contact_exports", json={"list_ids": [customers], "fields": ["email_address"]})
    # reading the second to completion completes the first before it
    finish(client, second)
    assert client.get(f"/activities/{first['activity_id']}")["state"] == "completed"
    text = client.get(f"/contact_exports/{second['activity_id']}")
    assert text.splitlines() == ["email_address", "q@example.com"]


# -- contacts_file_import ---------------------------------------------------------------------


def test_file_import_with_line_numbers_for_bad_rows(emu, client, customers):
    new_custom_field(client, "Plan")
    text = ("Email,First_Name,last_name,phone,street,street2,city,birthday_month,birthday_day,anniversary,cf:Plan\n"
            "f1@example.com,Fay,One,555-0001,3 Oak St,Unit 2,Salem,4,1,2020-01-31,gold\n"
            "broken@,Bad,Row,,,,,,,,\n"
            "\n"
            "f2@example.com,Fred,Two,,,,,13,1,,\n"
            "f3@example.com,Flo,Three,,,,,,,,\n")
    response = upload(emu, text, [customers], filename="spring.csv")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["state"] == "initialized" and created["source_file_name"] == "spring.csv"
    done = finish(client, created)
    assert done["state"] == "completed" and done["source_file_name"] == "spring.csv"
    assert done["status"]["items_total_count"] == 5 and done["status"]["person_count"] == 4
    assert done["status"]["correctable_count"] == 2 and done["status"]["error_count"] == 0
    assert [e.split(":")[0] for e in done["activity_errors"]] == ["Line 3", "Line 5"]
    assert "birthday" in done["activity_errors"][1]
    fay = contact_by_email(client, "f1@example.com")
    assert (fay["first_name"], fay["last_name"], fay["birthday_month"], fay["anniversary"]) == ("Fay", "One", 4, "2020-01-31")
    assert fay["phone_numbers"][0]["phone_number"] == "555-0001"
    assert fay["street_addresses"][0]["street"] == "3 Oak St Unit 2"
    assert fay["custom_fields"][0]["value"] == "gold"
    assert contact_by_email(client, "f3@example.com")["list_memberships"] == [customers]
    assert contact_by_email(client, "f2@example.com") is None


def test_file_import_rejections_change_nothing(emu, client, customers):
    good = "email\nr@example.com\n"
    # a JSON body where multipart is required
    as_json = raw(emu, "POST", "/activities/contacts_file_import", json={"list_ids": [customers]})
    assert as_json.status_code == 415
    assert upload(emu, good, [customers], filename="contacts.txt").status_code == 415
    no_lists = raw(emu, "POST", "/activities/contacts_file_import",
                   files={"file": ("c.csv", good.encode(), "text/csv")})
    assert no_lists.status_code == 400 and "list_ids" in no_lists.json()[0]["error_message"]
    no_file = raw(emu, "POST", "/activities/contacts_file_import", files={"list_ids": (None, customers)})
    assert no_file.status_code == 400
    assert upload(emu, "first_name\nAl\n", [customers]).status_code == 400  # no email column
    assert upload(emu, good, ["no-such-list"]).status_code == 404
    assert upload(emu, good, [customers], sms_permission_to_send="maybe").status_code == 400
    broken = raw(emu, "POST", "/activities/contacts_file_import", data=b"--x\r\nnot a part",
                 headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert broken.status_code == 400
    assert activities_of(client) == []
    assert contact_by_email(client, "r@example.com") is None


def test_file_import_ignores_lines_past_40000(emu, client, customers):
    emu.activity_steps = 0
    lines = ["email"] + [f"u{i}@example.com" for i in range(40_002)]
    response = upload(emu, "\n".join(lines) + "\n", [customers])
    assert response.status_code == 201
    done = response.json()
    assert done["status"]["person_count"] == 39_999
    assert "40,001" in done["activity_errors"][0]
    assert contact_by_email(client, "u39998@example.com") is not None
    assert contact_by_email(client, "u39999@example.com") is None


# -- list memberships ---------------------------------------------------------------------------


def test_add_and_remove_list_memberships(emu, client, customers):
    vip = new_list(client, "VIP")
    ids = [new_contact(client, f"m{i}@example.com", [customers]) for i in range(4)]
    added = finish(client, client.post("/activities/add_list_memberships", json={
        "source": {"contact_ids": ids[:2]}, "list_ids": [vip]}))
    assert added["state"] == "completed"
    assert added["status"] == {"items_total_count": 2, "items_completed_count": 2, "list_count": 1}
    members = client.get("/contacts", params={"lists": vip})["contacts"]
    assert sorted(c["contact_id"] for c in members) == sorted(ids[:2])

    # every member of Customers except one onto VIP
    finish(client, client.post("/activities/add_list_memberships", json={
        "source": {"list_ids": [customers]}, "exclude": {"contact_ids": [ids[3]]}, "list_ids": [vip]}))
    members = client.get("/contacts", params={"lists": vip})["contacts"]
    assert sorted(c["contact_id"] for c in members) == sorted(ids[:3])

    # clear VIP (V2's CLEAR_CONTACTS_FROM_LISTS)
    removed = finish(client, client.post("/activities/remove_list_memberships", json={
        "source": {"list_ids": [vip]}, "list_ids": [vip]}))
    assert removed["status"] == {"items_total_count": 3, "items_completed_count": 3, "list_count": 1}
    assert client.get("/contacts", params={"lists": vip})["contacts"] == []
    assert len(client.get("/contacts", params={"lists": customers})["contacts"]) == 4


def test_all_active_contacts_and_unknown_contact_ids(emu, client, customers):
    vip = new_list(client, "VIP")
    ids = [new_contact(client, f"a{i}@example.com") for i in range(3)]
    done = finish(client, client.post("/activities/add_list_memberships", json={
        "source": {"all_active_contacts": True}, "list_ids": [vip, customers]}))
    assert done["status"] == {"items_total_count": 3, "items_completed_count": 3, "list_count": 2}
    missing = "00000000-0000-4000-8000-000000000000"
    done = finish(client, client.post("/activities/remove_list_memberships", json={
        "source": {"contact_ids": [ids[0], missing]}, "list_ids": [vip]}))
    assert done["status"]["items_completed_count"] == 1
    assert done["activity_errors"] == [f"contact_id {missing} was not found."]
    assert client.get(f"/contacts/{ids[0]}", params={"include": "list_memberships"})["list_memberships"] == [customers]


@pytest.mark.parametrize("path", ["/activities/add_list_memberships", "/activities/remove_list_memberships"])
def test_membership_limits_and_bad_bodies(emu, client, customers, path):
    many = [f"00000000-0000-4000-8000-{i:012d}" for i in range(501)]
    bodies = [
        {"source": {"contact_ids": many}, "list_ids": [customers]},  # > 500 contacts
        {"source": {"contact_ids": many[:1]}, "list_ids": [customers] * 1 + many[:50]},  # > 50 lists
        {"source": {"list_ids": many[:51]}, "list_ids": [customers]},
        {"source": {}, "list_ids": [customers]},
        {"source": {"contact_ids": many[:1], "all_active_contacts": True}, "list_ids": [customers]},
        {"source": {"contact_ids": many[:1]}},
        {"source": {"contact_ids": many[:1]}, "list_ids": [customers], "colour": "red"},
        {"source": {"contact_ids": many[:1]}, "exclude": {"contact_ids": many[:1]}, "list_ids": [customers]},
        {"source": {"segment_id": 7}, "list_ids": [customers]},
    ]
    for body in bodies:
        response = raw(emu, "POST", path, json=body)
        assert response.status_code == 400, body
        assert response.json()[0]["error_key"]
    # lists that do not exist: 404 where V3 documents one (remove), 400 otherwise (add)
    unknown = raw(emu, "POST", path, json={"source": {"contact_ids": many[:1]}, "list_ids": ["no-such-list"]})
    assert unknown.status_code == (404 if "remove" in path else 400)
    duplicates = raw(emu, "POST", path, json={"source": {"contact_ids": many[:1] * 501}, "list_ids": [customers]})
    assert duplicates.status_code == 400  # maxItems counts the ids as sent
    assert activities_of(client) == []


# -- contact_delete and list_delete -------------------------------------------------------------


def test_contact_delete_by_ids_and_by_lists(emu, client, customers):
    other = new_list(client, "Other")
    a = new_contact(client, "d1@example.com")
    b = new_contact(client, "d2@example.com", [other])
    c = new_contact(client, "d3@example.com", [other])
    keep = new_contact(client, "keep@example.com")
    by_ids = finish(client, client.post("/activities/contact_delete", json={"contact_ids": [a]}))
    assert by_ids["status"] == {"items_total_count": 1, "items_completed_count": 1, "list_count": 0}
    by_lists = finish(client, client.post("/activities/contact_delete", json={"list_ids": [other]}))
    assert by_lists["status"] == {"items_total_count": 2, "items_completed_count": 2, "list_count": 1}
    deleted = {x["contact_id"] for x in client.get("/contacts", params={"status": "deleted"})["contacts"]}
    assert deleted == {a, b, c}
    assert [x["contact_id"] for x in client.get("/contacts")["contacts"]] == [keep]


def test_contact_delete_rejections(emu, client, customers):
    many = [f"00000000-0000-4000-8000-{i:012d}" for i in range(501)]
    for body in ({"contact_ids": many}, {"list_ids": many[:51]}, {}, {"contact_ids": many[:1], "list_ids": [customers]},
                 {"contact_ids": "abc"}, {"contact_ids": [1, 2]}):
        assert raw(emu, "POST", "/activities/contact_delete", json=body).status_code == 400, body
    assert activities_of(client) == []


def test_list_delete(emu, client, customers):
    other = new_list(client, "Other")
    contact_id = new_contact(client, "l@example.com", [customers, other])
    done = finish(client, client.post("/activities/list_delete", json={"list_ids": [customers]}))
    assert done["state"] == "completed" and done["status"] == {"list_count": 1}
    with pytest.raises(CTCTError) as err:
        client.get(f"/contact_lists/{customers}")
    assert err.value.status == 404
    contact = client.get(f"/contacts/{contact_id}", params={"include": "list_memberships"})
    assert contact["list_memberships"] == [other]
    too_many = [f"00000000-0000-4000-8000-{i:012d}" for i in range(101)]
    assert raw(emu, "POST", "/activities/list_delete", json={"list_ids": too_many}).status_code == 400
    assert raw(emu, "POST", "/activities/list_delete", json={"list_ids": []}).status_code == 400


# -- contact_exports ------------------------------------------------------------------------------


def test_contact_export_csv(emu, client, customers):
    new_custom_field(client, "Tier")
    emu.activity_steps = 0
    client.post("/activities/contacts_json_import", json={"list_ids": [customers], "import_data": [
        {"email": "e1@example.com", "first_name": "Eve", "last_name": "One", "cf:tier": "gold", "city": "Oslo"},
        {"email": "e2@example.com", "first_name": "Ed", "last_name": "Two"},
    ]})
    new_contact(client, "outside@example.com")
    emu.activity_steps = 2
    created = client.post("/activities/contact_exports", json={
        "list_ids": [customers], "fields": ["email_address", "first_name", "city", "cf:tier", "email_optin_source",
                                            "email_lists"]})
    assert created["state"] == "initialized" and "results" not in created["_links"]
    with pytest.raises(CTCTError) as err:
        client.get(f"/contact_exports/{created['activity_id']}")
    assert err.value.status == 404
    done = finish(client, created)
    assert done["status"] == {"items_total_count": 2, "items_completed_count": 2}
    href = done["_links"]["results"]["href"]
    assert href == f"/v3/contact_exports/{created['activity_id']}"
    response = client.request("GET", href, raw=True)
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == [
        {"email_address": "e1@example.com", "first_name": "Eve", "city": "Oslo", "cf:tier": "gold",
         "email_optin_source": "Account", "email_lists": "Customers"},
        {"email_address": "e2@example.com", "first_name": "Ed", "city": "", "cf:tier": "",
         "email_optin_source": "Account", "email_lists": "Customers"},
    ]


def test_contact_export_defaults_and_filters(emu, client, customers):
    emu.activity_steps = 0
    a = new_contact(client, "x1@example.com", first_name="Xa")
    new_contact(client, "x2@example.com")
    client.post("/contacts", json={"email_address": {"address": "x3@example.com", "permission_to_send": "unsubscribed"},
                                   "create_source": "Account"})
    everyone = client.post("/activities/contact_exports", json={})
    text = client.get(f"/contact_exports/{everyone['activity_id']}")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[0] == "email_address" and "first_name" in header and "created_at" in header
    assert len(rows) == 3
    unsubscribed = client.post("/activities/contact_exports", json={"status": "unsubscribed", "fields": ["email_address"]})
    assert client.get(f"/contact_exports/{unsubscribed['activity_id']}").split() == ["email_address", "x3@example.com"]
    chosen = client.post("/activities/contact_exports", json={"contact_ids": [a], "fields": ["first_name"]})
    assert client.get(f"/contact_exports/{chosen['activity_id']}").split() == ["first_name", "Xa"]


def test_contact_export_rejections(emu, client, customers):
    many = [f"00000000-0000-4000-8000-{i:012d}" for i in range(501)]
    for body in ({"fields": ["email_optin_date"]}, {"fields": ["no_such_field"]}, {"fields": ["cf:nope"]},
                 {"contact_ids": many}, {"list_ids": many[:51]}, {"contact_ids": many[:1], "list_ids": [customers]},
                 {"status": "sleeping"}, {"tag_ids": many[:1], "status": "active"}, {"fields": []}, {"extra": 1}, [],
                 {"segment_id": 3}):
        assert raw(emu, "POST", "/activities/contact_exports", json=body).status_code == 400, body
    assert raw(emu, "POST", "/activities/contact_exports").status_code == 400  # the body is required
    assert raw(emu, "POST", "/activities/contact_exports", json={"list_ids": many[:1]}).status_code == 404
    assert raw(emu, "GET", "/contact_exports/00000000-0000-4000-8000-000000000000").status_code == 404
    assert activities_of(client) == []


# -- reading activities ---------------------------------------------------------------------------


def test_activity_collection_paging_and_state_filter(emu, client, customers):
    created = [client.post("/activities/contact_exports", json={"fields": ["email_address"]}) for _ in range(3)]
    # listing is a read too: each listing advances every pending activity one step
    first = client.get("/activities", params={"limit": 2})
    assert [a["state"] for a in first["activities"]] == ["processing", "processing"]
    assert "next" in first["_links"]
    rest = client.request("GET", first["_links"]["next"]["href"])
    assert [a["activity_id"] for a in first["activities"] + rest["activities"]] == [a["activity_id"] for a in created]
    assert "_links" not in rest
    assert client.get("/activities", params={"state": "processing"})["activities"] == []
    completed = client.get("/activities", params={"state": "completed"})["activities"]
    assert len(completed) == 3
    for bad in ({"limit": 0}, {"limit": 501}, {"state": "initialized"}, {"state": "sleeping"}, {"limit": "x"},
                {"limit": ""}):
        assert raw(emu, "GET", "/activities", params=bad).status_code == 400, bad
    missing = raw(emu, "GET", "/activities/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404


def test_malformed_and_wrongly_typed_bodies_change_nothing(emu, client, customers):
    path = "/activities/contacts_json_import"
    malformed = raw(emu, "POST", path, data=b'{"import_data": [', headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400
    as_text = raw(emu, "POST", path, data=json.dumps({"import_data": [{"email": "t@example.com"}], "list_ids": [customers]}),
                  headers={"Content-Type": "text/plain"})
    assert as_text.status_code == 415
    rows = [{"email": "t@example.com"}]
    for body in ({"import_data": rows}, {"list_ids": [customers]}, {"import_data": [], "list_ids": [customers]},
                 {"import_data": rows, "list_ids": []},
                 {"import_data": ["t@example.com"], "list_ids": [customers]},
                 {"import_data": rows, "list_ids": [customers], "unknown": True},
                 {"import_data": rows, "list_ids": [customers], "sms_permission_to_send": "yes"}, [rows]):
        assert raw(emu, "POST", path, json=body).status_code == 400, body
    unknown_list = raw(emu, "POST", path, json={"import_data": rows, "list_ids": ["nope"]})
    assert unknown_list.status_code == 400 and "nope" in unknown_list.json()[0]["error_message"]
    assert activities_of(client) == []
    assert contact_by_email(client, "t@example.com") is None


def test_json_import_row_limit(emu, client, customers):
    rows = [{"email": f"r{i}@e.co"} for i in range(40_001)]
    response = raw(emu, "POST", "/activities/contacts_json_import", json={"import_data": rows, "list_ids": [customers]})
    assert response.status_code == 400 and "40,000" in response.json()[0]["error_message"]
    assert activities_of(client) == []


def test_json_import_past_4_mb_imports_the_first_4_mb(emu, client, customers):
    emu.activity_steps = 0
    long = "x" * 250
    rows = [{"email": f"big{i}@example.com", "street": long, "street2": long, "work_street": long,
             "work_street2": long, "other_street": long, "other_street2": long} for i in range(3_500)]
    body = json.dumps({"import_data": rows, "list_ids": [customers]})
    assert len(body) > 4 * 1024 * 1024
    done = raw(emu, "POST", "/activities/contacts_json_import", data=body,
               headers={"Content-Type": "application/json"}).json()
    assert done["state"] == "completed"
    kept = done["status"]["person_count"]
    assert 2_500 < kept < 3_500
    assert done["activity_errors"] == [
        f"import_data[{kept}] and the {3_500 - kept:,} contacts after it were not imported: "
        f"the request exceeds the 4 MB limit."]
    assert contact_by_email(client, f"big{kept - 1}@example.com") is not None
    assert contact_by_email(client, f"big{kept}@example.com") is None


def test_more_than_1000_queued_activities_is_429():
    seed_queue = [{"kind": "contact_delete", "request": {"contact_ids": ["00000000-0000-4000-8000-000000000000"]}}] * 1000
    with Emulator(seed={"activities": seed_queue}) as full, make_client(full) as client:
        response = raw(full, "POST", "/activities/contact_exports", json={})
        assert response.status_code == 429
        assert response.json()["error_message"].startswith("Too many requests")
        client.get("/contacts")  # settles the queue
        assert client.post("/activities/contact_exports", json={})["state"] == "initialized"


# -- seeds and saved state --------------------------------------------------------------------------


def test_seeded_finished_activities(tmp_path):
    seed = {"activities": [
        {"kind": "contacts_file_import", "state": "completed", "source_file_name": "old.csv",
         "created_at": "2020-01-01T00:00:00.000Z",
         "status": {"items_total_count": 3, "person_count": 2, "error_count": 0, "correctable_count": 1,
                    "cannot_add_to_list_count": 0},
         "activity_errors": ["Line 3: invalid email address 'x@'"], "v2_id": 41},
        {"kind": "contact_exports", "state": "completed", "csv": "email_address\r\nz@example.com\r\n",
         "status": {"items_total_count": 1, "items_completed_count": 1}},
    ]}
    with Emulator(seed=seed) as emu, make_client(emu) as client:
        listed = client.get("/activities")["activities"]
        assert len(listed) == 1  # the 2020 import is older than the 10 days V3 lists
        export = listed[0]
        assert client.get(export["_links"]["results"]["href"].replace("/v3", "", 1)).split() == ["email_address", "z@example.com"]
        snapshot = emu.state()["activities"]
        old = next(a for a in snapshot if a["state"] == "completed" and a.get("source_file_name") == "old.csv")
        assert old["v2_id"] == 41
        detail = client.get(f"/activities/{old['activity_id']}")
        assert detail["activity_errors"] == ["Line 3: invalid email address 'x@'"]
        assert detail["status"]["correctable_count"] == 1
    with pytest.raises(ValueError):
        Emulator(seed={"activities": [{"kind": "nonsense"}]})
    with pytest.raises(ValueError):
        Emulator(seed={"activities": [{"kind": "list_delete", "state": "processing"}]})


def test_pending_activity_survives_a_state_file(tmp_path, emu, client, customers):
    created = client.post("/activities/contacts_json_import",
                          json={"import_data": [{"email": "p@example.com"}], "list_ids": [customers]})
    path = tmp_path / "state.json"
    emu.save(path)
    with Emulator(state_file=path) as again, make_client(again) as other:
        assert other.get(f"/activities/{created['activity_id']}")["state"] == "processing"
        assert contact_by_email(other, "p@example.com")["list_memberships"] == [customers]
        assert other.get(f"/activities/{created['activity_id']}")["state"] == "completed"


# -- real bodies against the spec's response schemas ----------------------------------------------


def test_real_activity_bodies_match_the_spec_in_every_state(emu, client, customers):
    jsonschema = pytest.importorskip("jsonschema")
    from .conftest import SPEC_DIR

    spec = json.loads((SPEC_DIR / "v3-swagger.json").read_text(encoding="utf-8"))

    def check(path, method, status, body):
        schema = dict(spec["paths"][path][method]["responses"][str(status)]["schema"], definitions=spec["definitions"])
        jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(body)

    contact_id = new_contact(client, "schema@example.com", [customers])
    other = new_list(client, "Other")
    posted = [
        ("/activities/contacts_json_import", {"import_data": [{"email": "j@example.com"}, {"email": "bad"}],
                                              "list_ids": [customers]}),
        ("/activities/add_list_memberships", {"source": {"contact_ids": [contact_id]}, "list_ids": [other]}),
        ("/activities/remove_list_memberships", {"source": {"list_ids": [other]}, "list_ids": [other]}),
        ("/activities/contact_exports", {"list_ids": [customers]}),
        ("/activities/contact_delete", {"contact_ids": [contact_id]}),
        ("/activities/list_delete", {"list_ids": [other]}),
    ]
    ids = []
    for path, body in posted:
        created = client.post(path, json=body)
        check(path, "post", 201, created)
        ids.append(created["activity_id"])
    upload_response = upload(emu, "email\nfile@example.com\n", [customers])
    check("/activities/contacts_file_import", "post", 201, upload_response.json())
    ids.append(upload_response.json()["activity_id"])
    states = set()
    for _ in range(2):  # processing, then completed
        for activity_id in ids:
            body = client.get(f"/activities/{activity_id}")
            check("/activities/{activity_id}", "get", 200, body)
            states.add(body["state"])
        check("/activities", "get", 200, client.get("/activities", params={"limit": 3}))
    assert states == {"processing", "completed"}
    listing = client.get("/activities", params={"state": "completed"})
    check("/activities", "get", 200, listing)
    assert len(listing["activities"]) == len(ids)
