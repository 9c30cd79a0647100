"""The contact methods of CTCTConnection, over HTTP against the emulator."""
import copy
import logging

import pytest

from ctct import InvalidInputError, NotFoundError
from ctct.emulator import Emulator
from ctct.legacy import shapes
from ctct.legacy.refs import ListRef
from .legacy_support import CONTACT_V2, LIST_V2, ORIGIN, Counter, connect, id_forms, v3_id
from .legacy_support import conn, seeded  # noqa: F401  (fixtures)

EVERY_FIELD = {
    "email_address": "joe@example.com",
    "email_type": "Text",
    "name": "Customer Joe",
    "first_name": "Joe",
    "middle_name": "Q",
    "last_name": "Smith",
    "job_title": "Florist",
    "company_name": "Joe's Flowers",
    "home_phone": "978-555-4444",
    "work_phone": "617-555-0000",
    "addr1": "1 Main St",
    "addr2": "Suite 5",
    "addr3": "Building C",
    "city": "Waltham",
    "state_code": "MA",
    "state_name": "Massachusetts",
    "country_code": "us",
    "country_name": "United States",
    "postal_code": "02154",
    "sub_postal_code": "1781",
    "note": "Prefers tulips",
    "status": "Active",
    "opt_in_source": "ACTION_BY_CONTACT",
    **{key: f"value {n}" for n, key in enumerate(shapes.CUSTOM_FIELD_KEYS, 1)},
}


def list_uri(emu, v2):
    return f"{ORIGIN}/lists/{v3_id(emu, 'lists', v2)}"


# -- create + get: every field back ---------------------------------------------------------------

def test_every_legacy_field_set_by_create_contact_comes_back_from_get_contact(seeded, conn):
    params = dict(EVERY_FIELD, contact_lists=[list_uri(seeded, 1), list_uri(seeded, 2)])
    before = copy.deepcopy(params)
    assert conn.create_contact(params) is True
    assert params == before
    for contact in (conn.get_contact(email="joe@example.com"),
                    conn.get_contact(contact_id_number=conn.get_contacts(email="joe@example.com")[0]["id"])):
        assert tuple(contact) == shapes.CONTACT
        for key, value in EVERY_FIELD.items():
            if key != "opt_in_source":  # not a get_contact key; read back through get_contacts
                assert contact[key] == value, key
        assert sorted(contact["contact_lists"]) == sorted([list_uri(seeded, 1), list_uri(seeded, 2)])
        assert contact["id"].startswith(f"{ORIGIN}/contacts/")
        assert contact["confirmed"] == "false" and contact["insert_time"] and contact["last_update_time"]
    assert conn.get_contacts(email="joe@example.com")[0]["opt_in_source"] == "ACTION_BY_CONTACT"


def test_every_field_lands_on_its_v3_home(seeded, conn):
    assert conn.create_contact(dict(EVERY_FIELD)) is True
    stored = next(c for c in seeded.state()["contacts"] if c["email_address"]["address"] == "joe@example.com")
    assert (stored["first_name"], stored["last_name"], stored["job_title"], stored["company_name"]) == (
        "Joe", "Smith", "Florist", "Joe's Flowers")
    assert stored["email_address"]["permission_to_send"] == "explicit"  # Active, opted in by the contact
    assert stored["create_source"] == "Contact"
    assert {(p["kind"], p["phone_number"]) for p in stored["phone_numbers"]} == {
        ("home", "978-555-4444"), ("work", "617-555-0000")}
    (address,) = stored["street_addresses"]
    assert address["street"] == "1 Main St\nSuite 5\nBuilding C"
    assert (address["city"], address["state"], address["postal_code"], address["country"]) == (
        "Waltham", "Massachusetts", "02154", "United States")
    assert [n["content"] for n in stored["notes"]] == ["Prefers tulips"]
    labels = {f["custom_field_id"]: f["label"] for f in seeded.state()["custom_fields"]}
    values = {labels[e["custom_field_id"]]: e["value"] for e in stored["custom_fields"]}
    assert values["CustomField1"] == "value 1" and values["CustomField15"] == "value 15"
    assert values["Middle Name"] == "Q" and values["Email Type"] == "Text" and values["Display Name"] == "Customer Joe"
    assert values["State Code"] == "MA" and values["Country Code"] == "us" and values["Sub Postal Code"] == "1781"


@pytest.mark.parametrize("given,expected", [
    ({"state_code": "MA"}, {"state_code": "MA", "state_name": ""}),
    ({"state_name": "Massachusetts"}, {"state_code": "", "state_name": "Massachusetts"}),
    ({"country_code": "ca"}, {"country_code": "ca", "country_name": ""}),
    ({"country_name": "Canada"}, {"country_code": "", "country_name": "Canada"}),
    ({"addr2": "Suite 5"}, {"addr1": "", "addr2": "Suite 5", "addr3": ""}),
    ({"name": "joe"}, {"name": "joe", "first_name": "joe", "last_name": ""}),
    ({"name": "Joe Smith"}, {"name": "Joe Smith", "first_name": "Joe", "last_name": "Smith"}),
    ({"name": "Smith, Joe"}, {"name": "Smith, Joe", "first_name": "", "last_name": ""}),
    ({"first_name": "Jo", "last_name": "Ann"}, {"name": "Jo Ann"}),
    ({}, {"email_type": "HTML", "status": "Active", "name": ""}),
    ({"status": "Unconfirmed"}, {"status": "Unconfirmed"}),
    ({"status": "Do Not Mail"}, {"status": "Do Not Mail"}),
])
def test_partial_contacts_come_back_as_given(conn, given, expected):
    assert conn.create_contact(dict(given, email_address="part@example.com")) is True
    contact = conn.get_contact(email="part@example.com")
    for key, value in expected.items():
        assert contact[key] == value, key


@pytest.mark.parametrize("form", range(5))
def test_contact_lists_accept_every_list_id_form_and_dicts(seeded, conn, form):
    _, value = id_forms(seeded, "lists", 2)[form]
    params = {"email_address": "forms@example.com", "contact_lists": [value, {"id": list_uri(seeded, 1)}]}
    assert conn.create_contact(params) is True
    assert sorted(conn.get_contact(email="forms@example.com")["contact_lists"]) == sorted(
        [list_uri(seeded, 1), list_uri(seeded, 2)])


def test_contact_lists_are_strings_and_dicts_at_once(seeded, conn):
    contact = conn.get_contact(email="jon@example.com")
    for ref in contact["contact_lists"]:
        assert isinstance(ref, str) and isinstance(ref, ListRef)
        assert ref["id"] == ref and ref.startswith(f"{ORIGIN}/lists/")  # 2009 README and 2009 code
        assert ref[ref.rindex("/") + 1:] in {v3_id(seeded, "lists", 1), v3_id(seeded, "lists", 2)}


def test_v2_list_numbers_cost_one_batched_xref_request(seeded, conn):
    with Counter(seeded) as counted:
        assert conn.create_contact({"email_address": "v2@example.com", "contact_lists": [1, "2", f"{ORIGIN}/lists/3"]})
    # the persistent id cache first learns which account the token belongs to (once per token)
    assert counted.paths() == [("GET", "/account/summary"), ("GET", "/contact_lists/list_id_xrefs"),
                               ("POST", "/contacts")]


# -- reading --------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", range(5))
def test_get_contact_accepts_every_id_form(seeded, conn, form):
    label, value = id_forms(seeded, "contacts", 22199)[form]
    contact = conn.get_contact(contact_id_number=value)
    assert contact["email_address"] == "jon@example.com", label
    assert contact["id"] == f"{ORIGIN}/contacts/{v3_id(seeded, 'contacts', 22199)}"
    assert contact["name"] == "Jon Smith" and contact["job_title"] == "Florist"


def test_get_contact_by_email_is_one_request(seeded, conn):
    with Counter(seeded) as counted:
        contact = conn.get_contact(email="JON@example.com")
    assert contact["first_name"] == "Jon"
    assert len(counted) == 1
    query = counted.requests[0].query
    assert query["email"] == "JON@example.com" and set(query["include"].split(",")) >= {
        "custom_fields", "list_memberships", "phone_numbers", "street_addresses", "notes"}
    # with custom fields: the connection reads their definitions once, then 1 request again
    conn.create_contact(dict(EVERY_FIELD))
    conn.get_contact(email="joe@example.com")
    with Counter(seeded) as counted:
        assert conn.get_contact(email="joe@example.com")["custom_field9"] == "value 9"
    assert len(counted) == 1


def test_get_contact_prefers_the_id_when_both_are_given(seeded, conn):
    contact = conn.get_contact(email="mary@example.com", contact_id_number=22199)
    assert contact["email_address"] == "jon@example.com"


def test_native_v3_data_reads_sensibly(seeded, conn):
    contact = conn.get_contact(email="jon@example.com")
    assert contact["home_phone"] == "" and contact["work_phone"] == ""  # the seed has a mobile phone only
    assert (contact["addr1"], contact["city"]) == ("1 Work Way", "Boston")  # its only address is a work one
    assert conn.get_contact(email="mary@example.com")["status"] == "Unconfirmed"


@pytest.fixture(scope="module")
def big():
    """1,200 contacts."""
    with Emulator(seed={"contacts": [{"email_address": f"c{n:04d}@example.com", "first_name": f"F{n}",
                                      "last_name": f"L{n}"} for n in range(1200)]}) as emulator:
        yield emulator


def test_get_contacts_of_1200_contacts_is_3_requests(big):
    with connect(big) as conn, Counter(big) as counted:
        contacts = conn.get_contacts()
    assert len(contacts) == 1200 and len(counted) == 3
    assert all(r.query.get("limit") == "500" for r in counted.requests[:1])
    first = contacts[0]
    assert tuple(first) == shapes.CONTACT_SUMMARY
    assert first["email_address"] == "c0000@example.com" and first["name"] == "L0, F0"  # V2's feed form
    assert (first["status"], first["email_type"], first["opt_in_source"]) == ("Active", "HTML", "ACTION_BY_CUSTOMER")


@pytest.mark.parametrize("emails,requests", [
    (["c0001@example.com"], 1),
    (["c0001@example.com", "C1100@EXAMPLE.COM", "nobody@example.com"], 3),  # one per address
    ([f"c{n:04d}@example.com" for n in range(10)], 1),  # all on the first page
    ([f"c{n:04d}@example.com" for n in range(0, 1200, 100)], 3),  # reading every page is cheaper
    ([f"c{n:04d}@example.com" for n in range(8)] + ["c1150@example.com", "x@example.com"], 3),
])
def test_query_contacts_minimises_requests(big, emails, requests):
    with connect(big) as conn, Counter(big) as counted:
        found = conn.query_contacts(emails)
    expected = [e.lower() for e in emails if e.lower() != "nobody@example.com" and e != "x@example.com"]
    assert [c["email_address"] for c in found] == expected  # in the order asked, unknown ones left out
    assert len(counted) == requests


def test_query_contacts_of_a_few_unknown_addresses_after_a_full_first_page(big):
    emails = ["c0001@example.com"] + [f"nobody{n}@example.com" for n in range(5)]
    with connect(big) as conn, Counter(big) as counted:
        found = conn.query_contacts(emails)
    assert [c["email_address"] for c in found] == ["c0001@example.com"]
    assert len(counted) == 3  # the first page, then the 2 remaining pages (cheaper than 5 lookups)


def test_get_contacts_by_email(seeded, conn):
    (found,) = conn.get_contacts(email="mary@example.com")
    assert found["status"] == "Unconfirmed" and found["name"] == "Mary"
    assert conn.get_contacts(email="nobody@example.com") == []


# -- update: read, merge, write ---------------------------------------------------------------

def test_update_keeps_every_field_and_membership_it_was_not_given(seeded, conn):
    params = dict(EVERY_FIELD, contact_lists=[list_uri(seeded, 1), list_uri(seeded, 2)])
    conn.create_contact(params)
    contact_id = conn.get_contact(email="joe@example.com")["id"]
    v3 = contact_id.rsplit("/", 1)[-1]
    # data only V3 has: a mobile phone, a second address, a non-legacy custom field, a birthday
    raw = conn.client.get(f"/contacts/{v3}", params={"include": "custom_fields,phone_numbers,street_addresses,notes,list_memberships"})
    field = conn.client.post("/contact_custom_fields", json={"label": "Favorite Flower", "type": "string"})
    raw_body = {k: raw[k] for k in ("email_address", "first_name", "last_name", "job_title", "company_name")}
    raw_body["email_address"] = {"address": "joe@example.com"}
    conn.client.put(f"/contacts/{v3}", json=dict(
        raw_body, update_source="Account", birthday_month=5, birthday_day=17,
        phone_numbers=[{"kind": p["kind"], "phone_number": p["phone_number"]} for p in raw["phone_numbers"]]
        + [{"kind": "mobile", "phone_number": "555-0199"}],
        street_addresses=[{k: a[k] for k in ("kind", "street", "city", "state", "postal_code", "country")}
                          for a in raw["street_addresses"]] + [{"kind": "work", "street": "9 Work Rd"}],
        custom_fields=[{"custom_field_id": e["custom_field_id"], "value": e["value"]} for e in raw["custom_fields"]]
        + [{"custom_field_id": field["custom_field_id"], "value": "Tulip"}]))

    update = {"name": "joey", "home_phone": "9783334545", "city": "New York"}
    before = copy.deepcopy(update)
    with Counter(seeded) as counted:
        assert conn.update_contact(update, contact_id_number=contact_id) is True
    assert update == before
    assert [m for m, _ in counted.paths()] == ["GET", "GET", "PUT"]  # contact, its custom field ids (new one), PUT

    contact = conn.get_contact(contact_id_number=contact_id)
    for key, value in EVERY_FIELD.items():
        expected = {"name": "joey", "home_phone": "9783334545", "city": "New York"}.get(key, value)
        if key != "opt_in_source":
            assert contact[key] == expected, key
    assert sorted(contact["contact_lists"]) == sorted([list_uri(seeded, 1), list_uri(seeded, 2)])
    after = conn.client.get(f"/contacts/{v3}", params={"include": "custom_fields,phone_numbers,street_addresses"})
    assert after["birthday_month"] == 5 and after["birthday_day"] == 17
    assert ("mobile", "555-0199") in {(p["kind"], p["phone_number"]) for p in after["phone_numbers"]}
    assert "9 Work Rd" in [a.get("street") for a in after["street_addresses"]]
    assert {"custom_field_id": field["custom_field_id"], "value": "Tulip"} in [
        {"custom_field_id": e["custom_field_id"], "value": e["value"]} for e in after["custom_fields"]]


def test_update_of_a_core_field_costs_two_requests_and_keeps_the_custom_fields(seeded):
    # A fresh connection has not read the custom field definitions yet: a write that
    # mentions no custom-backed key must not need them, and must keep every custom field.
    setup = connect(seeded)
    setup.create_contact(EVERY_FIELD)
    contact_id = setup.get_contact(email="joe@example.com")["id"]
    v3 = contact_id.rsplit("/", 1)[-1]
    stored = setup.client.get(f"/contacts/{v3}", params={"include": "custom_fields"})["custom_fields"]
    assert stored  # the contact carries custom fields (middle name, display name, ...)

    fresh = connect(seeded)
    with Counter(seeded) as counted:
        assert fresh.update_contact({"job_title": "Gardener", "home_phone": "978-555-0001"}, email="joe@example.com") is True
    assert [m for m, _ in counted.paths()] == ["GET", "PUT"]

    after = setup.client.get(f"/contacts/{v3}", params={"include": "custom_fields"})
    assert sorted(after["custom_fields"], key=lambda e: e["custom_field_id"]) == \
        sorted(stored, key=lambda e: e["custom_field_id"])
    contact = fresh.get_contact(email="joe@example.com")
    expected = dict(EVERY_FIELD, job_title="Gardener", home_phone="978-555-0001")
    assert {key: contact[key] for key in expected if key != "opt_in_source"} == \
        {key: value for key, value in expected.items() if key != "opt_in_source"}


def test_update_by_email_with_contact_lists_replaces_the_memberships(seeded, conn):
    assert conn.update_contact({"contact_lists": [3]}, email="jon@example.com") is True
    assert conn.get_contact(email="jon@example.com")["contact_lists"] == [list_uri(seeded, 3)]
    assert conn.update_contact({"job_title": "Owner"}, email="jon@example.com") is True
    assert conn.get_contact(email="jon@example.com")["contact_lists"] == [list_uri(seeded, 3)]


def test_update_clears_a_field_given_as_empty(conn):
    conn.create_contact(dict(EVERY_FIELD))
    assert conn.update_contact({"custom_field3": "", "work_phone": None, "note": ""}, email="joe@example.com")
    contact = conn.get_contact(email="joe@example.com")
    assert (contact["custom_field3"], contact["work_phone"], contact["note"]) == ("", "", "")
    assert contact["custom_field4"] == "value 4" and contact["home_phone"] == "978-555-4444"


def test_a_dict_read_by_get_contact_can_be_written_back(conn):
    contact = conn.get_contact(email="jon@example.com")
    contact["company_name"] = "Jon & Co"
    assert conn.update_contact(contact, email="jon@example.com") is True
    again = conn.get_contact(email="jon@example.com")
    assert again["company_name"] == "Jon & Co"
    assert {k: v for k, v in again.items() if k not in ("company_name", "updated", "last_update_time")} == {
        k: v for k, v in contact.items() if k not in ("company_name", "updated", "last_update_time")}


@pytest.mark.parametrize("form", range(5))
def test_update_contact_accepts_every_id_form(seeded, conn, form):
    _, value = id_forms(seeded, "contacts", 22200)[form]
    assert conn.update_contact({"last_name": f"Jones{form}"}, contact_id_number=value) is True
    assert conn.get_contact(email="mary@example.com")["name"] == f"Mary Jones{form}"


# -- delete ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", range(5))
def test_delete_contact_unsubscribes_by_every_id_form(seeded, conn, form):
    _, value = id_forms(seeded, "contacts", 22199)[form]
    assert conn.delete_contact(contact_id_number=value) is True
    contact = conn.get_contact(email="jon@example.com")
    assert contact["status"] == "Do Not Mail"
    assert len(contact["contact_lists"]) == 2 and contact["job_title"] == "Florist"  # nothing else changed


def test_delete_contact_by_email_and_hard_delete(seeded, conn):
    with Counter(seeded) as counted:
        assert conn.delete_contact(email="mary@example.com") is True
    assert counted.paths()[-1][0] == "PUT" and len(counted) == 2
    with Counter(seeded) as counted:
        assert conn.delete_contact(email="mary@example.com") is True  # already Do Not Mail
    assert len(counted) == 1
    assert conn.delete_contact(contact_id_number=22199, hard=True) is True
    assert conn.get_contact(email="jon@example.com")["status"] == "Removed"
    assert [c["status"] for c in conn.get_contacts() if c["email_address"] == "jon@example.com"] == ["Removed"]


# -- failures: lenient and strict -------------------------------------------------------------------

BAD_CALLS = [
    ("create_contact", lambda c: c.create_contact({"email_address": "not-an-email"})),
    ("create_contact", lambda c: c.create_contact({"first_name": "No email"})),
    ("create_contact", lambda c: c.create_contact({"email_address": "a@example.com", "favourite": "x"})),
    ("create_contact", lambda c: c.create_contact(["email_address", "a@example.com"])),
    ("create_contact", lambda c: c.create_contact({"email_address": "a@example.com", "contact_lists": ["lists/x y"]})),
    ("create_contact", lambda c: c.create_contact({"email_address": "a@example.com", "contact_lists": "1"})),
    ("create_contact", lambda c: c.create_contact({"email_address": "a@example.com", "status": "Removed"})),
    ("create_contact", lambda c: c.create_contact({"email_address": "a@example.com", "status": "Sleeping"})),
    ("create_contact", lambda c: c.create_contact({"email_address": "a@example.com", "email_type": "PDF"})),
    ("create_contact", lambda c: c.create_contact({"email_address": "a@example.com", "first_name": "x" * 51})),
    ("create_contact", lambda c: c.create_contact({"email_address": "a@example.com", "custom_field1": "x" * 256})),
    ("create_contact", lambda c: c.create_contact({"email_address": "a@example.com", "home_phone": {"n": 1}})),
    ("create_contact", lambda c: c.create_contact({"email_address": "a@example.com", "addr1": "two\nlines"})),
    ("get_contact", lambda c: c.get_contact(email="not-an-email")),
    ("get_contact", lambda c: c.get_contact()),
    ("get_contact", lambda c: c.get_contact(contact_id_number="12ab")),
    ("get_contact", lambda c: c.get_contact(contact_id_number=f"{ORIGIN}/lists/1")),
    ("get_contacts", lambda c: c.get_contacts(email="bad@")),
    ("query_contacts", lambda c: c.query_contacts(["a@example.com", "bad"])),
    ("query_contacts", lambda c: c.query_contacts(None)),
    ("update_contact", lambda c: c.update_contact({"colour": "red"}, email="jon@example.com")),
    ("update_contact", lambda c: c.update_contact({"email_address": None}, email="jon@example.com")),
    ("update_contact", lambda c: c.update_contact({"city": "x"})),
    ("delete_contact", lambda c: c.delete_contact()),
    ("delete_contact", lambda c: c.delete_contact(contact_id_number=-1)),
]


@pytest.mark.parametrize("name,call", BAD_CALLS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD_CALLS)])
def test_bad_input_gets_the_legacy_value_and_a_reason_without_any_request(seeded, name, call, caplog):
    with connect(seeded) as lenient, Counter(seeded) as counted:
        with caplog.at_level(logging.WARNING, logger="ctct"):
            result = call(lenient)
    assert result in (None, False)
    assert f"{name} failed" in caplog.text
    assert len(counted) == 0
    with connect(seeded, strict=True) as strict:
        with pytest.raises(InvalidInputError):
            call(strict)


def test_an_unknown_list_fails_before_anything_is_written(seeded, conn):
    with Counter(seeded) as counted:
        assert conn.create_contact({"email_address": "a@example.com", "custom_field1": "x", "contact_lists": [99]}) is False
    # no custom field created, no contact
    assert counted.paths() == [("GET", "/account/summary"), ("GET", "/contact_lists/list_id_xrefs")]


def test_a_contact_over_v3s_limits_is_refused_before_writing(seeded, conn):
    v3 = v3_id(seeded, "contacts", 22199)
    conn.client.put(f"/contacts/{v3}", json={"email_address": {"address": "jon@example.com"}, "update_source": "Account",
                                             "phone_numbers": [{"kind": "mobile", "phone_number": "1"},
                                                               {"kind": "other", "phone_number": "2"},
                                                               {"kind": "home", "phone_number": "3"}]})
    with Counter(seeded) as counted:
        assert conn.update_contact({"work_phone": "4"}, contact_id_number=v3) is False
    assert [m for m, _ in counted.paths()] == ["GET"]


def test_not_found_and_conflicts(seeded, conn, caplog):
    with caplog.at_level(logging.WARNING, logger="ctct"):
        assert conn.get_contact(email="nobody@example.com") is None
        assert conn.get_contact(contact_id_number=99999) is None
        assert conn.update_contact({"city": "x"}, email="nobody@example.com") is False
        assert conn.create_contact({"email_address": "jon@example.com"}) is False
    assert "409" in caplog.text
    with connect(seeded, strict=True) as strict:
        with pytest.raises(NotFoundError):
            strict.get_contact(email="nobody@example.com")
        with pytest.raises(NotFoundError):
            strict.delete_contact(contact_id_number=99999)


def test_the_seeded_v2_ids_are_the_ones_the_tests_use(seeded):
    assert set(CONTACT_V2.values()) <= set(seeded.store.contacts.by_v2)
    assert set(LIST_V2.values()) <= set(seeded.store.contact_lists.by_v2)


# -- legacy dicts as emulator seeds (what the Atom tools use) --------------------------------------

ATOM_CONTACTS = ["contact_entry.xml", "contact_entry_two_lists_trailing_quote.xml", "contact_entry_docs_minimal.xml",
                 "contact_entry_no_lists_trailing_quote.xml"]


def test_atom_contacts_seeded_through_the_mapping_read_back_unchanged():
    from ctct import atom
    from ctct.legacy import mapping

    from .conftest import ATOM_FIXTURES

    contacts = []
    for name in ATOM_CONTACTS:
        contacts += atom.parse((ATOM_FIXTURES / name).read_bytes()).items
    contacts = list({c["id"]: c for c in contacts}.values())  # two fixtures hold the same contact
    seed = {"custom_fields": mapping.custom_field_seed(),
            "contact_lists": [{"name": f"List {n}", "v2_id": n} for n in (1, 2, 3)],
            "contacts": [mapping.legacy_contact_to_seed(c) for c in contacts]}
    with Emulator(seed=seed) as emu, connect(emu) as conn:
        for contact in contacts:
            back = conn.get_contact(contact_id_number=contact["id"])  # a V2 URI, through the xref
            for key, value in contact.items():
                if key not in ("id", "contact_lists", "confirmed") and value is not None:  # None: not in the payload
                    assert back[key] == value, (contact["id"], key)
            v2_lists = sorted(int(ref.rsplit("/", 1)[-1]) for ref in contact["contact_lists"])
            assert sorted(back["contact_lists"]) == sorted(list_uri(emu, n) for n in v2_lists)
