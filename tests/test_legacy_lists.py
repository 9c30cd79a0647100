"""The list methods of CTCTConnection, over HTTP against the emulator."""
import copy
import logging

import pytest

from ctct import InvalidInputError, NotFoundError
from ctct.legacy import shapes
from .legacy_support import LIST_V2, ORIGIN, Counter, connect, id_forms, v3_id
from .legacy_support import conn, seeded  # noqa: F401  (fixtures)


def test_get_contact_lists_returns_every_list_in_the_summary_shape(seeded, conn):
    with Counter(seeded) as counted:
        lists = conn.get_contact_lists()
    assert [tuple(lst) for lst in lists] == [shapes.LIST_SUMMARY] * 3
    assert {lst["name"] for lst in lists} == set(LIST_V2)
    for lst in lists:
        assert lst["id"] == f"{ORIGIN}/lists/{v3_id(seeded, 'lists', LIST_V2[lst['name']])}"
        assert lst["updated"].endswith("Z") and len(lst["updated"]) == 24  # 2009-11-20T20:41:19.243Z
    assert counted.paths() == [("GET", "/contact_lists")]
    assert counted.requests[0].query["limit"] == "1000"


def test_get_contact_lists_reads_every_page(seeded, conn):
    seeded.seed({"contact_lists": [{"name": f"Bulk {n}"} for n in range(1000)]})
    with Counter(seeded) as counted:
        lists = conn.get_contact_lists()
    assert len(lists) == 1003
    assert len(counted) == 2  # 1,000 per page


def test_get_contact_lists_leaves_out_the_do_not_include_names(seeded, conn):
    conn.create_contact_list("Do Not Mail")
    assert "Do Not Mail" not in [lst["name"] for lst in conn.get_contact_lists()]
    conn.DO_NOT_INCLUDE_LISTS = []  # the 2009 attribute still steers it
    assert "Do Not Mail" in [lst["name"] for lst in conn.get_contact_lists()]


def test_get_contact_lists_path_is_accepted_and_every_list_still_returned(conn):
    assert len(conn.get_contact_lists(path="/lists?next=6")) == 3


@pytest.mark.parametrize("form", range(5))
def test_get_contact_list_accepts_every_id_form(seeded, conn, form):
    label, value = id_forms(seeded, "lists", 1)[form]
    result = conn.get_contact_list(value)
    assert tuple(result) == shapes.LIST
    assert result["id"] == f"{ORIGIN}/lists/{v3_id(seeded, 'lists', 1)}", label
    assert result["name"] == "General Interest"
    # derived values (V3 has no home for them), documented in mapping.py
    assert (result["opt_in_default"], result["short_name"], result["sort_order"]) == ("false", "General Interest", "99")


def test_v2_list_numbers_are_resolved_once_per_connection(seeded, conn):
    with Counter(seeded) as counted:
        conn.get_contact_list(1)
        conn.get_contact_list("1")
        conn.get_contact_list(f"{ORIGIN}/lists/1")
    assert counted.paths().count(("GET", "/contact_lists/list_id_xrefs")) == 1
    assert counted.paths().count(("GET", "/account/summary")) == 1  # the id cache's account key
    assert len(counted) == 5


def test_v2_ids_stay_resolved_for_later_connections_through_the_persistent_cache(seeded, conn):
    from ctct import CTCTConnection

    conn.get_contact_list(1)
    later = CTCTConnection("key", "joe", seeded.access_token, base_url=seeded.base_url, rate_limit=None)
    with Counter(seeded) as counted:
        assert later.get_contact_list(1)["name"] == conn.get_contact_list(1)["name"]
    assert ("GET", "/contact_lists/list_id_xrefs") not in counted.paths()
    assert ("GET", "/account/summary") not in counted.paths()


@pytest.mark.parametrize("key,name", [("active", "Active"), ("do-not-mail", "Do Not Mail"), ("removed", "Removed")])
def test_system_lists_are_answered_without_a_request(seeded, conn, key, name):
    with Counter(seeded) as counted:
        result = conn.get_contact_list(f"{ORIGIN}/lists/{key}")
    assert result["id"] == f"{ORIGIN}/lists/{key}"
    assert result["name"] == result["short_name"] == name
    assert len(counted) == 0


@pytest.mark.parametrize("form", range(5))
def test_get_contact_list_members_accepts_every_id_form(seeded, conn, form):
    _, value = id_forms(seeded, "lists", 2)[form]
    members = conn.get_contact_list_members(value)
    assert sorted(m["email_address"] for m in members) == ["jon@example.com", "mary@example.com"]
    jon = next(m for m in members if m["email_address"] == "jon@example.com")
    assert tuple(jon) == shapes.LIST_MEMBER
    assert jon["name"] == "Smith, Jon"  # as V2's member feeds wrote it
    assert jon["id"] == f"{ORIGIN}/contacts/{v3_id(seeded, 'contacts', 22199)}"
    assert next(m for m in members if m["email_address"] == "mary@example.com")["name"] == "Mary"


def test_members_are_read_500_per_request(seeded, conn):
    list_id = v3_id(seeded, "lists", 3)
    seeded.seed({"contacts": [{"email_address": f"m{n}@example.com", "list_memberships": [list_id]}
                              for n in range(1001)]})
    with Counter(seeded) as counted:
        members = conn.get_contact_list_members(list_id)
    assert len(members) == 1001
    assert len(counted) == 3
    assert counted.requests[0].query["lists"] == list_id and counted.requests[0].query["limit"] == "500"


def test_members_of_a_v2_members_path(seeded, conn):
    members = conn.get_contact_list_members(path="/ws/customers/joesflowers/lists/1/members")
    assert [m["email_address"] for m in members] == ["jon@example.com"]


@pytest.mark.parametrize("key,expected", [("active", ["jon@example.com"]),
                                          ("do-not-mail", ["gone@example.com"]),
                                          ("removed", ["deleted@example.com"])])
def test_system_list_members_are_the_contacts_with_that_status(seeded, conn, key, expected):
    conn.create_contact({"email_address": "gone@example.com"})
    conn.delete_contact(email="gone@example.com")  # Do Not Mail
    conn.create_contact({"email_address": "deleted@example.com"})
    conn.delete_contact(email="deleted@example.com", hard=True)
    members = conn.get_contact_list_members(key)
    assert sorted(m["email_address"] for m in members) == expected


def test_create_contact_list(seeded, conn):
    assert conn.create_contact_list("My New List") is True
    assert "My New List" in [lst["name"] for lst in conn.get_contact_lists()]


def test_create_contact_list_twice_is_false_and_logged(seeded, conn, caplog):
    with caplog.at_level(logging.WARNING, logger="ctct"):
        assert conn.create_contact_list("General Interest") is False
    assert "create_contact_list failed" in caplog.text and "409" in caplog.text


@pytest.mark.parametrize("form", range(5))
def test_update_contact_list_accepts_every_id_form(seeded, conn, form):
    _, value = id_forms(seeded, "lists", 1)[form]
    assert conn.update_contact_list({"name": f"Renamed {form}"}, value) is True
    assert conn.get_contact_list(v3_id(seeded, "lists", 1))["name"] == f"Renamed {form}"


def test_update_contact_list_keeps_what_it_was_not_given_and_never_changes_the_callers_dict(seeded, conn):
    list_id = v3_id(seeded, "lists", 1)
    conn.client.put(f"/contact_lists/{list_id}", json={"name": "General Interest", "description": "Kept",
                                                        "favorite": True})
    params = {"name": "New List Name", "opt_in_default": "true", "sort_order": "3"}
    before = copy.deepcopy(params)
    with Counter(seeded) as counted:
        assert conn.update_contact_list(params, list_id) is True
    assert params == before
    assert counted.paths() == [("GET", f"/contact_lists/{list_id}"), ("PUT", f"/contact_lists/{list_id}")]
    stored = conn.client.get(f"/contact_lists/{list_id}")
    assert (stored["name"], stored["description"], stored["favorite"]) == ("New List Name", "Kept", True)


def test_update_contact_list_accepts_a_dict_read_back(seeded, conn):
    contact_list = conn.get_contact_list(1)
    contact_list["name"] = "From get_contact_list"
    assert conn.update_contact_list(contact_list, 1) is True
    assert conn.get_contact_list(1)["name"] == "From get_contact_list"


@pytest.mark.parametrize("form", range(5))
def test_delete_contact_list_accepts_every_id_form(seeded, conn, form):
    _, value = id_forms(seeded, "lists", 3)[form]
    with Counter(seeded) as counted:
        assert conn.delete_contact_list(value) is True
    assert counted.requests[-1].method == "DELETE" and counted.requests[-1].status == 202


def test_delete_contact_list_of_an_unknown_list_is_false(conn):
    assert conn.delete_contact_list("00000000-0000-4000-8000-000000000000") is False


@pytest.mark.parametrize("call", [
    lambda c: c.get_contact_list("not an id"),
    lambda c: c.get_contact_list(None),
    lambda c: c.get_contact_list(f"{ORIGIN}/contacts/1"),
    lambda c: c.get_contact_list_members([1]),
    lambda c: c.create_contact_list(""),
    lambda c: c.create_contact_list(42),
    lambda c: c.update_contact_list("name", 1),
    lambda c: c.update_contact_list({"colour": "red"}, 1),
    lambda c: c.update_contact_list({"name": ""}, 1),
    lambda c: c.update_contact_list({"name": "x"}, "active"),
    lambda c: c.delete_contact_list("do-not-mail"),
    lambda c: c.delete_contact_list(1.5),
])
def test_bad_input_is_the_legacy_value_with_a_reason_or_invalid_input_error(seeded, call, caplog):
    with connect(seeded) as lenient, Counter(seeded) as counted:
        with caplog.at_level(logging.WARNING, logger="ctct"):
            result = call(lenient)
    assert result in (None, False)
    assert caplog.records and caplog.records[-1].levelno == logging.WARNING
    assert len(counted) == 0  # rejected before any request
    with connect(seeded, strict=True) as strict:
        with pytest.raises(InvalidInputError):
            call(strict)


def test_strict_mode_raises_v3_errors(seeded):
    with connect(seeded, strict=True) as strict:
        with pytest.raises(NotFoundError):
            strict.get_contact_list("00000000-0000-4000-8000-000000000000")
        with pytest.raises(NotFoundError):
            strict.get_contact_list(999)  # a V2 number V3 does not know
