"""get_activities / get_activity / create_activity over HTTP against the demo emulator: every
legacy activity type end to end (the account really changes), split jobs, bad input."""
import csv
import io
import json
import logging
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import make_client
from ctct.legacy import activities, activity_import, shapes
from ctct.legacy.context import LegacyContext
from ctct.v3.errors import InvalidInputError

BASE = "http://api.constantcontact.com/ws/customers/joe/"
NEWSLETTER_V2, VIP_V2, WEDDING_V2 = 1, 2, 3  # the demo's list V2 ids
REMOVE_TYPE = "REMOVE_CONTACTS_FROM_LISTS"


@pytest.fixture
def demo(demo_emu):
    client = make_client(demo_emu)
    yield demo_emu, client, LegacyContext(client, "joe", strict=True)
    client.close()


def list_ids(client):
    return {item["name"]: item["list_id"] for item in client.get("/contact_lists")["lists"]}


def members(client, list_id):
    return {c["email_address"]["address"] for c in client.paginate("/contacts", "contacts", {"lists": list_id})}


def contact(client, email):
    found = client.get("/contacts", params={"email": email, "include": "custom_fields,list_memberships,"
                                                                       "phone_numbers,street_addresses"})
    return found["contacts"][0] if found["contacts"] else None


def finish(ctx, activity_id, tries=10):
    """Poll get_activity until the activity is done, as a 2009 script would."""
    for _ in range(tries):
        activity = activities.get_activity(ctx, activity_id)
        if activity["status"] in ("COMPLETE", "ERROR"):
            return activity
    raise AssertionError(f"{activity_id} did not finish: {activity}")


def posts(emu, start):
    return [r for r in emu.requests[start:] if r.method == "POST"]


def counted(client, func, *args, **kwargs):
    before = client.request_count
    result = func(*args, **kwargs)
    return result, client.request_count - before


# -- reading --------------------------------------------------------------------------------

def test_get_activities_reads_the_demo_activities(demo):
    emu, client, ctx = demo
    result, requests = counted(client, activities.get_activities, ctx)
    assert requests == 1 and emu.requests[-1].query.get("limit") == "500"
    assert len(result) == 3
    for activity in result:
        assert tuple(activity) == shapes.ACTIVITY
        assert activity["id"].startswith(BASE + "activities/")
        assert activity["status"] == "COMPLETE"
        assert activity["insert_time"].endswith("Z")
    by_type = {a["type"]: a for a in result}
    assert set(by_type) == {"ADD_CONTACTS", "EXPORT_CONTACTS", None}  # a membership change has no legacy type
    imported = by_type["ADD_CONTACTS"]
    assert imported["transaction_count"] == "40"
    assert imported["errors"] == [{"line_number": "17", "email_address": None,
                                   "message": "Line 17: email address 'ava.adams@' is not valid"}]
    export = by_type["EXPORT_CONTACTS"]
    assert export["file_name"].startswith(client.base_url) and "/contact_exports/" in export["file_name"]
    assert "email_address" in client.get(export["file_name"])  # the file can be fetched


def test_get_activity_matches_the_listing_for_each_id_form(demo):
    _, client, ctx = demo
    for listed in activities.get_activities(ctx):
        v3_id = listed["id"].rsplit("/", 1)[1]
        for form in (listed["id"], v3_id):
            result, requests = counted(client, activities.get_activity, ctx, form)
            assert result == listed and requests == 1
    with pytest.raises(InvalidInputError):  # V3 has no xref for activities
        activities.get_activity(ctx, 12)
    with pytest.raises(InvalidInputError):
        activities.get_activity(ctx, BASE + "activities/12")
    lenient = LegacyContext(client, "joe")
    assert lenient.call("get_activity", None, activities.get_activity, str(uuid.uuid4())) is None


# -- adds ------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["v2 int", "v2 str", "uri v2", "v3", "uri v3"])
def test_sv_add_with_the_readme_flat_rows_for_each_list_id_form(demo, form):
    emu, client, ctx = demo
    ids = list_ids(client)
    wedding = ids["Wedding Leads"]
    ref = {"v2 int": WEDDING_V2, "v2 str": str(WEDDING_V2), "uri v2": f"{BASE}lists/{WEDDING_V2}",
           "v3": wedding, "uri v3": f"{BASE}lists/{wedding}"}[form]
    data = {"columns": ["EMAIL ADDRESS", "FIRST NAME"], "rows": ["num1@email.com", "Joe", "num2@email.com", "Jane"]}
    start = len(emu.requests)
    activity_id = activities.create_activity(ctx, "SV_ADD", [ref], data)
    assert activity_id.startswith(BASE + "activities/")
    assert [r.path for r in posts(emu, start)] == ["/activities/contacts_json_import"]
    done = finish(ctx, activity_id)
    assert (done["status"], done["type"], done["errors"], done["transaction_count"]) == ("COMPLETE", "SV_ADD", [], "2")
    assert {"num1@email.com", "num2@email.com"} <= members(client, wedding)
    assert contact(client, "num2@email.com")["first_name"] == "Jane"


def test_add_contacts_maps_every_legacy_column(demo):
    _, client, ctx = demo
    ids = list_ids(client)
    columns = ["Email Address", "First Name", "Middle Name", "Last Name", "Job Title", "Company Name",
               "Home Phone", "Work Phone", "Address Line 1", "Address Line 2", "Address Line 3", "City",
               "State", "Country", "Zip/Postal Code", "Sub Zip/Postal Code", "Email Type",
               "CUSTOM FIELD 1", "custom_field15"]
    row = ["full@example.com", "Fiona", "M", "Field", "Chef", "Bistro", "555-0101", "555-0202", "1 Main St",
           "Suite 2", "Floor 3", "Boston", "MA", "US", "02108", "1234", "text", "blue", "last one"]
    activity_id = activities.create_activity(
        ctx, "ADD_CONTACTS", [f"{BASE}lists/{NEWSLETTER_V2}", ids["VIP Customers"]], {"columns": columns, "rows": [row]})
    assert finish(ctx, activity_id)["errors"] == []
    stored = contact(client, "full@example.com")
    assert (stored["first_name"], stored["last_name"], stored["job_title"], stored["company_name"]) == (
        "Fiona", "Field", "Chef", "Bistro")
    assert {p["kind"]: p["phone_number"] for p in stored["phone_numbers"]} == {"home": "555-0101", "work": "555-0202"}
    address = stored["street_addresses"][0]
    assert address["street"] == "1 Main St\nSuite 2\nFloor 3"
    assert (address["city"], address["state"], address["postal_code"], address["country"]) == ("Boston", "MA", "02108", "US")
    labels = {f["custom_field_id"]: f["label"] for f in client.paginate("/contact_custom_fields", "custom_fields")}
    custom = {labels[c["custom_field_id"]]: c["value"] for c in stored["custom_fields"]}
    assert custom == {"Middle Name": "M", "Sub Postal Code": "1234", "Email Type": "Text", "State Code": "MA",
                      "Country Code": "US", "CustomField1": "blue", "CustomField15": "last one"}
    assert set(stored["list_memberships"]) == {ids["Newsletter Subscribers"], ids["VIP Customers"]}


def test_add_contact_detail_takes_csv_text_and_rows_as_csv_lines(demo):
    _, client, ctx = demo
    ids = list_ids(client)
    first = activities.create_activity(ctx, "ADD_CONTACT_DETAIL", [ids["VIP Customers"]],
                                       "Email Address,First Name,Last Name\ncsv1@example.com, Fred, Test\n")
    second = activities.create_activity(ctx, "add_contacts", ids["VIP Customers"],
                                        {"columns": "EMAIL ADDRESS,LAST NAME", "rows": ['csv2@example.com,"Smith, Jr"']})
    for activity_id in (first, second):
        assert finish(ctx, activity_id)["status"] == "COMPLETE"
    assert (contact(client, "csv1@example.com")["first_name"], contact(client, "csv1@example.com")["last_name"]) == (
        "Fred", "Test")
    assert contact(client, "csv2@example.com")["last_name"] == "Smith, Jr"


def test_a_large_add_is_split_and_reads_back_as_one_activity(demo, monkeypatch):
    emu, client, ctx = demo
    monkeypatch.setattr(activity_import, "MAX_IMPORT_ROWS", 3)
    wedding = list_ids(client)["Wedding Leads"]
    rows = [[f"split{n}@example.com", f"Name{n}"] for n in range(8)]
    rows[4][1] = "X" * 60  # too long for V3: an error of the second part, line 6 of the caller's data
    start = len(emu.requests)
    activity_id = activities.create_activity(ctx, "SV_ADD", [wedding], {"columns": ["EMAIL ADDRESS", "FIRST NAME"],
                                                                       "rows": rows})
    parts = posts(emu, start)
    assert len(parts) == 3  # 3 + 3 + 2 rows
    done = finish(ctx, activity_id)
    assert done["status"] == "COMPLETE" and done["transaction_count"] == "8"
    assert len(done["errors"]) == 1
    error = done["errors"][0]
    assert (error["line_number"], error["email_address"]) == ("6", "split4@example.com")
    assert "first_name" in error["message"]
    assert {f"split{n}@example.com" for n in range(8) if n != 4} <= members(client, wedding)
    listed = [a for a in activities.get_activities(ctx) if a["type"] == "SV_ADD"]
    assert [a["id"] for a in listed] == [activity_id]  # the later parts are folded into the first
    assert listed[0]["transaction_count"] == "8"
    other = LegacyContext(client, "joe", strict=True)  # another connection sees three imports
    assert len([a for a in activities.get_activities(other) if a["type"] == "ADD_CONTACTS"]) == 4


def test_an_add_over_the_size_limit_is_split(demo, monkeypatch):
    emu, client, ctx = demo
    monkeypatch.setattr(activity_import, "MAX_IMPORT_BYTES", 400)
    rows = [[f"big{n}@example.com", "Y" * 40] for n in range(10)]
    start = len(emu.requests)
    activity_id = activities.create_activity(ctx, "SV_ADD", [VIP_V2], {"columns": ["EMAIL ADDRESS", "LAST NAME"],
                                                                      "rows": rows})
    bodies = posts(emu, start)
    assert len(bodies) > 1
    assert finish(ctx, activity_id)["transaction_count"] == "10"


def _chunks_row_by_row(rows, list_ids):
    """The plain rule json_chunks must follow: rows in order, a new request when the next
    row would reach the row or byte limit (each row's JSON + 2 for the ', ' between)."""
    envelope = len(json.dumps({"import_data": [], "list_ids": list_ids}))
    chunks, start, used, current = [], 0, envelope, []
    for index, row in enumerate(rows):
        size = len(json.dumps(row)) + 2
        if current and (len(current) >= activity_import.MAX_IMPORT_ROWS
                        or used + size >= activity_import.MAX_IMPORT_BYTES):
            chunks.append((start, current))
            start, used, current = index, envelope, []
        current.append(row)
        used += size
    return chunks + ([(start, current)] if current else [])


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({"email": st.integers(0, 10**9).map("p{}@example.com".format),
                                            "last_name": st.text(max_size=60)}), max_size=40),
       max_rows=st.sampled_from([1, 3, 7, 40_000]), max_bytes=st.sampled_from([400, 1_000, 5_000, 4_000_000]))
def test_json_chunks_follow_the_row_by_row_rule(rows, max_rows, max_bytes):
    # json_chunks measures a whole request's worth of rows at once when it can; the
    # requests it plans must be exactly those of the row-by-row rule.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(activity_import, "MAX_IMPORT_ROWS", max_rows)
        patch.setattr(activity_import, "MAX_IMPORT_BYTES", max_bytes)
        envelope = len(json.dumps({"import_data": [], "list_ids": ["l1"]}))
        if any(envelope + len(json.dumps(row)) + 2 >= max_bytes for row in rows):
            with pytest.raises(activity_import.DataError):
                activity_import.json_chunks(rows, ["l1"])
        else:
            assert activity_import.json_chunks(rows, ["l1"]) == _chunks_row_by_row(rows, ["l1"])


@pytest.mark.slow
def test_v3_limits_split_real_sized_adds():
    """At V3's real limits: 40,001 contacts make two imports, and so does 4.4 MB of data;
    nothing is dropped (V3 would silently drop rows past 4 MB)."""
    from ctct.emulator import Emulator

    with Emulator(seed={"contact_lists": [{"name": "All", "v2_id": 1}]}) as emu, make_client(emu) as client:
        emu.activity_steps = 0
        ctx = LegacyContext(client, "joe", strict=True)
        start = len(emu.requests)
        many = activities.create_activity(ctx, "SV_ADD", [1], {"columns": ["EMAIL ADDRESS"],
                                                             "rows": [f"p{n}@example.com" for n in range(40_001)]})
        assert [r.path for r in posts(emu, start)] == ["/activities/contacts_json_import"] * 2
        done = activities.get_activity(ctx, many)
        assert (done["status"], done["transaction_count"], done["errors"]) == ("COMPLETE", "40001", [])

        columns = ["EMAIL ADDRESS"] + [f"CUSTOM FIELD {n}" for n in range(1, 6)]
        rows = [[f"big{n}@example.com"] + [f"{n:06d}" + "v" * 240] * 5 for n in range(3_400)]
        start = len(emu.requests)
        large = activities.create_activity(ctx, "SV_ADD", [1], {"columns": columns, "rows": rows})
        imports = [r for r in posts(emu, start) if r.path == "/activities/contacts_json_import"]
        assert len(imports) == 2
        done = activities.get_activity(ctx, large)
        assert (done["status"], done["transaction_count"], done["errors"]) == ("COMPLETE", "3400", [])

        # an unknown list: the first 40,000-row request is refused, so nothing is written
        unknown = str(uuid.uuid4())
        contacts_before = client.get("/contacts", params={"limit": 1, "include_count": "true"})["contacts_count"]
        start = len(emu.requests)
        with pytest.raises(InvalidInputError, match=f"unknown list\\(s\\): {unknown}"):
            activities.create_activity(ctx, "SV_ADD", [1, unknown], {"columns": ["EMAIL ADDRESS"],
                                                                    "rows": [f"q{n}@example.com" for n in range(40_001)]})
        assert [(r.path, r.status) for r in posts(emu, start)] == [("/activities/contacts_json_import", 400)]
        assert client.get("/contacts", params={"limit": 1, "include_count": "true"})["contacts_count"] == contacts_before


def test_add_from_a_csv_file(demo, tmp_path):
    emu, client, ctx = demo
    vip = list_ids(client)["VIP Customers"]
    path = tmp_path / "new_contacts.csv"
    path.write_text("Email Address,First Name,Custom Field 2\r\nfile1@example.com,Ann,a\r\nfile2@example.com,Bo,\r\n")
    start = len(emu.requests)
    activity_id = activities.create_activity(ctx, "ADD_CONTACTS", [VIP_V2], filename=str(path))
    assert [r.path for r in posts(emu, start)][-1] == "/activities/contacts_file_import"
    done = finish(ctx, activity_id)
    assert (done["status"], done["file_name"], done["transaction_count"]) == ("COMPLETE", "new_contacts.csv", "2")
    assert {"file1@example.com", "file2@example.com"} <= members(client, vip)
    assert contact(client, "file1@example.com")["first_name"] == "Ann"


# -- removals --------------------------------------------------------------------------------

def test_remove_contacts_from_lists(demo):
    emu, client, ctx = demo
    ids = list_ids(client)
    newsletter = ids["Newsletter Subscribers"]
    before = sorted(members(client, newsletter))
    leaving = before[:3]
    outsider = "not.a.member@example.com"
    data = {"columns": ["EMAIL ADDRESS"], "rows": [leaving[0], outsider, leaving[1].upper(), leaving[2]]}
    start = len(emu.requests)
    activity_id, requests = counted(client, activities.create_activity, ctx, "REMOVE_CONTACTS_FROM_LISTS",
                                    [f"{BASE}lists/{NEWSLETTER_V2}"], data)
    # list xref, one page of the list's members, one removal (V3 itself refuses unknown lists)
    assert requests == 3 and len(posts(emu, start)) == 1
    done = finish(ctx, activity_id)
    assert (done["status"], done["type"]) == ("COMPLETE", "REMOVE_CONTACTS_FROM_LISTS")
    assert done["errors"] == [{"line_number": "3", "email_address": outsider,
                               "message": activities.NOT_A_MEMBER}]
    assert members(client, newsletter) == set(before) - set(leaving)
    assert contact(client, leaving[0]) is not None  # removed from the list, not deleted


def test_removing_one_address_looks_it_up(demo):
    _, client, ctx = demo
    vip = list_ids(client)["VIP Customers"]
    leaving = sorted(members(client, vip))[0]
    activity_id, requests = counted(client, activities.create_activity, ctx, "REMOVE_CONTACTS_FROM_LISTS",
                                    [vip], {"columns": ["Email"], "rows": [leaving]})
    assert requests == 2  # the address, the removal
    finish(ctx, activity_id)
    assert leaving not in members(client, vip)


def test_removal_from_a_long_list_switches_to_lookups_when_cheaper():
    """2 addresses on a 1,600-member list: after the first page of members, 3 more pages
    would cost more than looking the 2 remaining addresses up."""
    from ctct.emulator import Emulator

    addresses = [f"m{n:04d}@example.com" for n in range(1_600)]
    seed = {"contact_lists": [{"name": "Long", "v2_id": 1}],
            "contacts": [{"email_address": {"address": a, "permission_to_send": "implicit"},
                          "list_memberships": ["Long"]} for a in addresses]}
    with Emulator(seed=seed) as emu, make_client(emu) as client:
        ctx = LegacyContext(client, "joe", strict=True)
        listed = [c["email_address"]["address"] for c in client.paginate("/contacts", "contacts")]
        first_page, late = listed[:500], listed[-2:]
        leaving = [first_page[0]] + late
        activity_id, requests = counted(client, activities.create_activity, ctx, REMOVE_TYPE, [1],
                                        {"columns": ["EMAIL ADDRESS"], "rows": leaving})
        # list xref, one page of members, two lookups, the removal
        assert requests == 5
        assert finish(ctx, activity_id)["errors"] == []
        assert members(client, client.get("/contact_lists")["lists"][0]["list_id"]) == set(addresses) - set(leaving)


def test_removal_batches_of_500_read_back_as_one(demo, monkeypatch, tmp_path):
    emu, client, ctx = demo
    monkeypatch.setattr(activities, "REMOVE_BATCH", 4)
    newsletter = list_ids(client)["Newsletter Subscribers"]
    leaving = sorted(members(client, newsletter))[:10]
    path = tmp_path / "leaving.txt"
    path.write_text("\n".join(leaving) + "\n")  # bare addresses, no column row
    start = len(emu.requests)
    activity_id = activities.create_activity(ctx, "REMOVE_CONTACTS_FROM_LISTS", [newsletter], filename=path)
    assert len(posts(emu, start)) == 3
    done = finish(ctx, activity_id)
    assert done["status"] == "COMPLETE" and done["transaction_count"] == "10"
    assert not set(leaving) & members(client, newsletter)


def test_clear_contacts_from_lists(demo):
    emu, client, ctx = demo
    ids = list_ids(client)
    wedding, events_list = ids["Wedding Leads"], ids["Event Invitees"]
    assert members(client, wedding) and members(client, events_list)
    untouched = members(client, ids["VIP Customers"])
    lists = [f"{BASE}lists/{WEDDING_V2}", f"{BASE}lists/{events_list}", f"{BASE}lists/{WEDDING_V2}"]  # as the README
    start = len(emu.requests)
    activity_id = activities.create_activity(ctx, "CLEAR_CONTACTS_FROM_LISTS", lists)
    assert len(posts(emu, start)) == 1
    done = finish(ctx, activity_id)
    assert (done["status"], done["type"]) == ("COMPLETE", "CLEAR_CONTACTS_FROM_LISTS")
    assert members(client, wedding) == set() and members(client, events_list) == set()
    assert members(client, ids["VIP Customers"]) == untouched


# -- exports ---------------------------------------------------------------------------------

def read_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_export_contacts_as_in_the_readme(demo):
    _, client, ctx = demo
    vip = list_ids(client)["VIP Customers"]
    lists = {"list_id": f"{BASE}lists/{VIP_V2}"}
    activity_id = activities.create_activity(ctx, "EXPORT_CONTACTS", lists, {"columns": ["First Name", "Last Name"]})
    done = finish(ctx, activity_id)
    assert (done["status"], done["type"]) == ("COMPLETE", "EXPORT_CONTACTS")
    rows = read_csv(client.get(done["file_name"]))
    assert set(rows[0]) == {"email_address", "first_name", "last_name", "email_optin_date",
                            "email_optin_source", "email_lists"}
    assert {r["email_address"] for r in rows} == members(client, vip)


def test_export_options_and_system_lists(demo):
    _, client, ctx = demo
    options = {"fileType": "TXT", "exportOptDate": "false", "exportOptSource": False, "exportListName": "false",
               "sortBy": "DATE_DESC", "columns": ["EMAIL ADDRESS", "COMPANY NAME", "HOME PHONE", "CITY", "NOTE"]}
    activity_id = activities.create_activity(ctx, "EXPORT_CONTACTS", ["active"], options)
    rows = read_csv(client.get(finish(ctx, activity_id)["file_name"]))
    assert list(rows[0]) == ["email_address", "company_name", "phone_number", "city", "notes"]
    active = {c["email_address"]["address"] for c in client.paginate("/contacts", "contacts", {"status": "active"})}
    assert {r["email_address"] for r in rows} == active


# -- bad input -------------------------------------------------------------------------------

BAD_CALLS = [
    ("unknown type", ("MAKE_COFFEE", [1], {"columns": ["EMAIL ADDRESS"], "rows": ["a@example.com"]})),
    ("type not text", (None, [1], {"columns": ["EMAIL ADDRESS"], "rows": ["a@example.com"]})),
    ("row too short", ("SV_ADD", [1], {"columns": ["EMAIL ADDRESS", "FIRST NAME"], "rows": [["a@example.com", "A"], ["b@example.com"]]})),
    ("flat rows not whole", ("SV_ADD", [1], {"columns": ["EMAIL ADDRESS", "FIRST NAME"], "rows": ["a@example.com", "A", "b@example.com"]})),
    ("row without email", ("SV_ADD", [1], {"columns": ["EMAIL ADDRESS", "FIRST NAME"], "rows": [["a@example.com", "A"], ["", "B"]]})),
    ("invalid email", ("ADD_CONTACTS", [1], {"columns": ["EMAIL ADDRESS"], "rows": ["a@example.com", "nope"]})),
    ("no email column", ("SV_ADD", [1], {"columns": ["FIRST NAME"], "rows": ["A"]})),
    ("unknown column", ("SV_ADD", [1], {"columns": ["EMAIL ADDRESS", "SHOE SIZE"], "rows": ["a@example.com", "9"]})),
    ("note column", ("SV_ADD", [1], {"columns": ["EMAIL ADDRESS", "NOTE"], "rows": ["a@example.com", "hi"]})),
    ("bad email type", ("SV_ADD", [1], {"columns": ["EMAIL ADDRESS", "EMAIL TYPE"], "rows": ["a@example.com", "pdf"]})),
    ("no data", ("SV_ADD", [1], None)),
    ("no rows", ("SV_ADD", [1], {"columns": ["EMAIL ADDRESS"], "rows": []})),
    ("no lists", ("SV_ADD", [], {"columns": ["EMAIL ADDRESS"], "rows": ["a@example.com"]})),
    ("malformed list", ("SV_ADD", ["lists/x y"], {"columns": ["EMAIL ADDRESS"], "rows": ["a@example.com"]})),
    ("system list to add", ("SV_ADD", ["active"], {"columns": ["EMAIL ADDRESS"], "rows": ["a@example.com"]})),
    ("clear with data", ("CLEAR_CONTACTS_FROM_LISTS", [1], {"columns": ["EMAIL ADDRESS"], "rows": ["a@example.com"]})),
    ("export option", ("EXPORT_CONTACTS", [1], {"fileType": "XLS"})),
    ("export unknown option", ("EXPORT_CONTACTS", [1], {"colums": ["FIRST NAME"]})),
    ("export column", ("EXPORT_CONTACTS", [1], {"columns": ["SHOE SIZE"]})),
    ("too many lists", ("CLEAR_CONTACTS_FROM_LISTS", [str(uuid.uuid4()) for _ in range(51)], None)),
]


@pytest.mark.parametrize("name, args", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_input_is_refused_before_any_request(demo, name, args, caplog):
    emu, client, ctx = demo
    start = len(emu.requests)
    with pytest.raises(InvalidInputError):
        activities.create_activity(ctx, *args)
    lenient = LegacyContext(client, "joe")
    with caplog.at_level(logging.WARNING, logger="ctct"):
        assert lenient.call("create_activity", None, activities.create_activity, *args) is None
    assert "create_activity failed" in caplog.text
    assert emu.requests[start:] == []


def account_state(client):
    """What a refused activity must leave alone: the activities, every contact with its lists
    and custom fields, and the custom field definitions."""
    return (sorted(a["activity_id"] for a in client.paginate("/activities", "activities")),
            sorted((c["email_address"]["address"], sorted(c.get("list_memberships") or []),
                    sorted(f["custom_field_id"] for f in c.get("custom_fields") or []))
                   for c in client.paginate("/contacts", "contacts",
                                            {"include": "list_memberships,custom_fields", "status": "all"})),
            sorted(f["custom_field_id"] for f in client.paginate("/contact_custom_fields", "custom_fields")))


@pytest.mark.parametrize("ref", [99, f"{BASE}lists/99"])
def test_unknown_v2_list_is_refused_by_the_xref_before_any_post(demo, ref):
    emu, client, ctx = demo
    start = len(emu.requests)
    with pytest.raises(InvalidInputError, match="unknown list"):
        activities.create_activity(ctx, "SV_ADD", [VIP_V2, ref], {"columns": ["EMAIL ADDRESS"], "rows": ["z@example.com"]})
    assert posts(emu, start) == []
    assert contact(client, "z@example.com") is None


UNKNOWN = "0b7e6a52-1d55-4c4e-9f1a-6f0c2f3a9d10"  # a well-formed V3 list id the account lacks


def unknown_list_calls(tmp_path, member):
    """(type, data, filename) per case; `member` is on the VIP list."""
    path = tmp_path / "add.csv"
    path.write_text("Email Address,First Name\r\nfile.z@example.com,Zed\r\n")
    return {
        "SV_ADD": ("SV_ADD", {"columns": ["EMAIL ADDRESS"], "rows": ["z@example.com"]}, None),
        "ADD_CONTACTS file": ("ADD_CONTACTS", None, str(path)),
        "REMOVE": (REMOVE_TYPE, {"columns": ["EMAIL ADDRESS"], "rows": [member]}, None),
        "REMOVE no member": (REMOVE_TYPE, {"columns": ["EMAIL ADDRESS"], "rows": ["ghost@example.com"]}, None),
        "CLEAR": ("CLEAR_CONTACTS_FROM_LISTS", None, None),
        "EXPORT": ("EXPORT_CONTACTS", {"columns": ["FIRST NAME"]}, None),
    }


@pytest.mark.parametrize("case", ["SV_ADD", "ADD_CONTACTS file", "REMOVE", "REMOVE no member", "CLEAR", "EXPORT"])
@pytest.mark.parametrize("lists", ["only unknown", "known and unknown"])
def test_unknown_v3_list_is_refused_by_v3_and_nothing_is_written(demo, tmp_path, case, lists, caplog):
    """No list listing before the activity request: V3 refuses the unknown list on that
    request (400/404) before queueing anything; ctct then names the list."""
    emu, client, ctx = demo
    vip = list_ids(client)["VIP Customers"]
    kind, data, filename = unknown_list_calls(tmp_path, sorted(members(client, vip))[0])[case]
    refs = [UNKNOWN] if lists == "only unknown" else [vip, f"{BASE}lists/{UNKNOWN}"]
    before = account_state(client)
    start = len(emu.requests)
    with pytest.raises(InvalidInputError, match=f"unknown list\\(s\\): .*{UNKNOWN}.*nothing was written"):
        activities.create_activity(ctx, kind, refs, data, filename)
    refused = posts(emu, start)
    assert all(r.status in (400, 404) for r in refused)  # V3 refused the request: nothing queued
    # the activity request is what finds the unknown list; a removal none of whose addresses
    # is a member (of an unknown list: none is) fails before it
    no_member = case == "REMOVE no member" or (case == "REMOVE" and lists == "only unknown")
    assert len(refused) == (0 if no_member else 1)
    lenient = LegacyContext(client, "joe")
    with caplog.at_level(logging.WARNING, logger="ctct"):
        assert lenient.call("create_activity", None, activities.create_activity, kind, refs, data, filename) is None
    assert "create_activity failed" in caplog.text and f"unknown list(s): " in caplog.text
    assert account_state(client) == before


def test_unknown_list_refuses_the_first_part_of_a_split_import(demo, monkeypatch, caplog):
    emu, client, ctx = demo
    monkeypatch.setattr(activity_import, "MAX_IMPORT_ROWS", 3)
    rows = [f"split.z{n}@example.com" for n in range(8)]  # three imports: 3 + 3 + 2 rows
    before = account_state(client)
    start = len(emu.requests)
    lenient = LegacyContext(client, "joe")
    with caplog.at_level(logging.WARNING, logger="ctct"):
        assert lenient.call("create_activity", None, activities.create_activity, "SV_ADD",
                            [list_ids(client)["VIP Customers"], UNKNOWN],
                            {"columns": ["EMAIL ADDRESS"], "rows": rows}) is None
    assert [(r.path, r.status) for r in posts(emu, start)] == [("/activities/contacts_json_import", 400)]
    assert "unknown list(s): " + UNKNOWN in caplog.text and "stopped after" not in caplog.text
    assert account_state(client) == before
    assert activities.get_activities(lenient) == activities.get_activities(ctx)  # nothing remembered either


def test_lists_are_checked_before_creating_custom_fields_for_an_import(demo):
    """The one pre-check left: an import that needs a new custom field definition checks its
    lists first, so an unknown list does not leave the definition behind."""
    emu, client, ctx = demo
    before = account_state(client)
    start = len(emu.requests)
    with pytest.raises(InvalidInputError, match="unknown list"):
        activities.create_activity(ctx, "SV_ADD", [UNKNOWN], {"columns": ["EMAIL ADDRESS", "CUSTOM FIELD 9"],
                                                             "rows": ["z@example.com", "nine"]})
    assert posts(emu, start) == []
    assert account_state(client) == before


def test_adds_cost_only_their_imports(demo):
    """No list listing on the way: a V3-id import is its one request; with a custom field
    whose definition exists, the definitions read (once per connection) is added."""
    emu, client, ctx = demo
    vip = list_ids(client)["VIP Customers"]
    fresh = LegacyContext(client, "joe", strict=True)
    activity_id, requests = counted(client, activities.create_activity, fresh, "SV_ADD", [vip],
                                    {"columns": ["EMAIL ADDRESS"], "rows": ["cheap@example.com"]})
    assert requests == 1 and finish(fresh, activity_id)["status"] == "COMPLETE"
    activities.create_activity(fresh, "SV_ADD", [vip], {"columns": ["EMAIL ADDRESS", "CUSTOM FIELD 4"],
                                                        "rows": ["cf.first@example.com", "x"]})
    again = LegacyContext(client, "joe", strict=True)
    start = len(emu.requests)
    _, requests = counted(client, activities.create_activity, again, "SV_ADD", [vip],
                          {"columns": ["EMAIL ADDRESS", "CUSTOM FIELD 4"], "rows": ["cf.second@example.com", "y"]})
    assert requests == 2  # the definitions read, the import
    assert [r.path for r in emu.requests[start:]] == ["/contact_custom_fields", "/activities/contacts_json_import"]


def test_removal_with_no_member_fails_without_writing(demo):
    emu, client, ctx = demo
    start = len(emu.requests)
    lenient = LegacyContext(client, "joe")
    data = {"columns": ["EMAIL ADDRESS"], "rows": ["ghost1@example.com", "ghost2@example.com"]}
    assert lenient.call("create_activity", None, activities.create_activity, REMOVE_TYPE, [VIP_V2], data) is None
    assert posts(emu, start) == []



# -- through CTCTConnection ----------------------------------------------------------------------

def connect(emu, **kw):
    from ctct import CTCTConnection

    return CTCTConnection("api-key", "joe", emu.access_token, base_url=emu.base_url, rate_limit=None, **kw)


def poll(conn, activity_id, tries=10):
    for _ in range(tries):
        activity = conn.get_activity(activity_id_number=activity_id)
        if activity["status"] == "COMPLETE":
            return activity
    raise AssertionError(activity)


def test_readme_activity_calls_through_the_connection(demo_emu):
    with connect(demo_emu) as conn:
        # "Creating an Add Contacts / Remove Contacts Activity", as written in the README
        lists = [f"{BASE}lists/1", f"{BASE}lists/2"]
        data = {"columns": ["EMAIL ADDRESS", "FIRST NAME"], "rows": ["num1@email.com", "Joe"]}
        activity_id = conn.create_activity(type="SV_ADD", lists=lists, data=data)
        assert poll(conn, activity_id)["type"] == "SV_ADD"
        joe = conn.get_contact(email="num1@email.com")
        assert joe["first_name"] == "Joe"
        assert {lst["id"].rsplit("/", 1)[1] for lst in joe["contact_lists"]} == {
            v for k, v in list_ids(conn.client).items() if k in ("Newsletter Subscribers", "VIP Customers")}
        removal = conn.create_activity(type="REMOVE_CONTACTS_FROM_LISTS", lists=[lists[1]],
                                       data={"columns": ["EMAIL ADDRESS"], "rows": ["num1@email.com"]})
        poll(conn, removal)
        assert len(conn.get_contact(email="num1@email.com")["contact_lists"]) == 1
        # "Creating a Clear Contacts Activity" (the README names the same list twice)
        clear = conn.create_activity(type="CLEAR_CONTACTS_FROM_LISTS", lists=[f"{BASE}lists/3", f"{BASE}lists/3"])
        poll(conn, clear)
        assert conn.get_contact_list_members(3) == []
        # "Creating a Export Contacts Activity"
        export = conn.create_activity(type="EXPORT_CONTACTS", lists={"list_id": f"{BASE}lists/2"},
                                      data={"columns": ["First Name", "Last Name"]})
        assert poll(conn, export)["file_name"]
        listed = {a["id"]: a for a in conn.get_activities()}
        assert {activity_id, removal, clear, export} <= set(listed)
        assert [listed[i]["type"] for i in (activity_id, removal, clear, export)] == [
            "SV_ADD", "REMOVE_CONTACTS_FROM_LISTS", "CLEAR_CONTACTS_FROM_LISTS", "EXPORT_CONTACTS"]
        assert conn.create_activity(type="SV_ADD", lists=lists, data={"columns": ["EMAIL ADDRESS"],
                                                                    "rows": [["a@example.com", "extra"]]}) is None
    with connect(demo_emu, strict=True) as conn:
        with pytest.raises(InvalidInputError):
            conn.create_activity("ADD", [1])


def test_bulk_added_contacts_read_back_like_created_ones(demo_emu):
    with connect(demo_emu, strict=True) as conn:
        columns = ["EMAIL ADDRESS", "FIRST NAME", "MIDDLE NAME", "LAST NAME", "ADDRESS LINE 1", "ADDRESS LINE 2",
                   "CITY", "STATE", "COUNTRY", "POSTAL CODE", "SUB POSTAL CODE", "EMAIL TYPE", "CUSTOM FIELD 3",
                   "NAME"]
        row = ["bulk@example.com", "Bea", "Q", "Bulk", "2 Elm St", "Apt 4", "Waltham", "MA", "US", "02451", "1234",
               "Text", "gold", "Bea Bulk"]
        poll(conn, conn.create_activity("ADD_CONTACTS", [VIP_V2], {"columns": columns, "rows": [row]}))
        bulk = conn.get_contact(email="bulk@example.com")
        expected = {"first_name": "Bea", "middle_name": "Q", "last_name": "Bulk", "addr1": "2 Elm St",
                    "addr2": "Apt 4", "city": "Waltham", "state_code": "MA", "country_code": "US",
                    "postal_code": "02451", "sub_postal_code": "1234", "email_type": "Text",
                    "custom_field3": "gold", "name": "Bea Bulk"}
        assert {key: bulk[key] for key in expected} == expected
        # and an export can name the custom field the import created
        export = conn.create_activity("EXPORT_CONTACTS", [VIP_V2], {"columns": ["CUSTOM FIELD 3"],
                                                                  "exportOptDate": "false", "exportOptSource": "false",
                                                                  "exportListName": "false"})
        rows = read_csv(conn.client.get(poll(conn, export)["file_name"]))
        assert [r for r in rows if r["email_address"] == "bulk@example.com"][0][list(rows[0])[1]] == "gold"
        assert list(rows[0])[1].startswith("cf:")


# -- reading V3's error strings ------------------------------------------------------------------

def test_v3_error_strings_map_back_to_the_callers_lines():
    from ctct.legacy.activity_status import parse_errors
    from ctct.legacy.memory import ActivityRecord

    record = ActivityRecord("SV_ADD", ["a", "b"], line_offsets=[2, 40002],
                            emails=[f"r{n}@example.com" for n in range(40010)],
                            lines={"0f5e1c2a-1111-4222-8333-444455556666": 9})
    second_part = parse_errors(["Line 4 (import_data[2]): 'first_name' is longer than 50 characters",
                                "Line 3: invalid email address 'x@'",
                                {"message": "contact_id 0f5e1c2a-1111-4222-8333-444455556666 was not found."},
                                "Something without a place"], 40002, record)
    assert [(e["line_number"], e["email_address"]) for e in second_part] == [
        ("40004", "r40002@example.com"), ("40003", "r40001@example.com"), ("9", "r7@example.com"), (None, None)]
    assert second_part[3]["message"] == "Something without a place"
    # without a record (another connection's activity) lines are V3's own
    assert parse_errors(["Line 17: bounced for ava@example.com"])[0] == {
        "line_number": "17", "email_address": "ava@example.com", "message": "Line 17: bounced for ava@example.com"}
