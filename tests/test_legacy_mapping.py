"""The pure legacy <-> V3 translations (ctct/legacy/mapping.py) and ListRef (refs.py)."""
import copy
import json
import pickle

import pytest
from hypothesis import given, settings, strategies as st

from ctct import InvalidInputError
from ctct.legacy import mapping, shapes
from ctct.legacy.refs import ListRef

FIELD_IDS = {key: f"cf-{key}" for key in mapping.EXTRA_FIELD_KEYS}
FIELD_KEYS = {v: k for k, v in FIELD_IDS.items()}


def stored(body, contact_id="c-1"):
    """What V3 would answer for a POST/PUT body (enough of it for the read side)."""
    contact = copy.deepcopy(body)
    contact["contact_id"] = contact_id
    source = contact.pop("create_source", None) or contact.pop("update_source", None)
    contact["email_address"] = dict(contact["email_address"], opt_in_source=source)
    return contact


def roundtrip(params, base=None):
    body = mapping.legacy_contact_to_v3(params, FIELD_IDS, ["L1"] if params.get("contact_lists") else None,
                                        base=base, field_keys=FIELD_KEYS)
    merged = dict(base or {}, **stored(body))
    return mapping.v3_contact_to_legacy(merged, FIELD_KEYS), body


@pytest.mark.parametrize("word,permission", [("Active", "implicit"), ("Unconfirmed", "pending_confirmation"),
                                             ("Do Not Mail", "unsubscribed"), ("DO_NOT_MAIL", "unsubscribed"),
                                             ("do-not-mail", "unsubscribed"), ("OPTOUT", "unsubscribed"),
                                             ("ACTIVE", "implicit")])
def test_status_words_to_permission(word, permission):
    assert mapping.permission_for_status(mapping.parse_status_word(word)) == permission


@pytest.mark.parametrize("contact,word", [
    ({"email_address": {"permission_to_send": "implicit"}}, "Active"),
    ({"email_address": {"permission_to_send": "explicit"}}, "Active"),
    ({"email_address": {"permission_to_send": "temp_hold"}}, "Active"),
    ({"email_address": {"permission_to_send": "pending_confirmation"}}, "Unconfirmed"),
    ({"email_address": {"permission_to_send": "unsubscribed"}}, "Do Not Mail"),
    ({"email_address": {"permission_to_send": "not_set"}}, "Visitor"),
    ({"email_address": {"permission_to_send": "implicit"}, "deleted_at": "2024-01-01T00:00:00Z"}, "Removed"),
])
def test_status_words_from_v3(contact, word):
    assert mapping.legacy_status(contact) == word


def test_removed_and_unknown_status_words_are_refused():
    with pytest.raises(InvalidInputError, match="hard=True"):
        mapping.permission_for_status(mapping.parse_status_word("Removed"))
    with pytest.raises(InvalidInputError):
        mapping.parse_status_word("Sleeping")


def test_opt_in_sources_both_spellings():
    assert mapping.source_for_opt_in("ACTION_BY_CUSTOMER") == mapping.source_for_opt_in("ACTION_BY_OWNER") == "Account"
    assert mapping.source_for_opt_in("ACTION_BY_CONTACT") == mapping.source_for_opt_in("ACTION_BY_VISITOR") == "Contact"
    assert mapping.legacy_opt_in_source({"create_source": "Contact"}) == "ACTION_BY_CONTACT"


def test_every_writable_field_survives_a_roundtrip():
    params = {key: f"v {key}" for key in shapes.CONTACT_WRITABLE if key not in ("contact_lists", "status", "opt_in_source")}
    params.update(email_address="joe@example.com", email_type="Text", status="Unconfirmed",
                  opt_in_source="ACTION_BY_CONTACT", contact_lists=["1"])
    back, body = roundtrip(params)
    for key in params:
        if key not in ("contact_lists", "opt_in_source"):
            assert back[key] == params[key], key
    assert back["contact_lists"] == ["L1"]
    assert body["create_source"] == "Contact"
    assert len(body["custom_fields"]) <= mapping.MAX_CUSTOM_FIELDS


def test_the_callers_dict_is_never_changed():
    params = {"email_address": "a@example.com", "name": "A B", "contact_lists": [1, 2]}
    before = copy.deepcopy(params)
    mapping.legacy_contact_to_v3(params, FIELD_IDS, ["x", "y"])
    assert params == before


def test_update_plan_keeps_unmentioned_v3_data():
    base = {"contact_id": "c-1", "email_address": {"address": "a@example.com", "permission_to_send": "explicit"},
            "first_name": "Ann", "last_name": "Lee", "birthday_month": 3, "birthday_day": 9, "anniversary": "2001-05-05",
            "phone_numbers": [{"phone_number_id": "p", "kind": "mobile", "phone_number": "1"}],
            "street_addresses": [{"kind": "work", "street": "9 Rd", "city": "Lynn"}],
            "custom_fields": [{"custom_field_id": "other", "value": "kept"}, {"custom_field_id": "cf-custom_field2", "value": "old"}],
            "notes": [{"note_id": "n1", "content": "first", "created_at": "2020-01-01T00:00:00Z"}]}
    body = mapping.legacy_contact_to_v3({"custom_field2": "new", "home_phone": "2", "note": "second"}, FIELD_IDS,
                                        base=base, field_keys=FIELD_KEYS)
    assert body["first_name"] == "Ann" and body["birthday_month"] == 3 and body["anniversary"] == "2001-05-05"
    assert body["email_address"] == {"address": "a@example.com", "permission_to_send": "explicit"}
    assert body["update_source"] == "Account"
    assert body["phone_numbers"] == [{"kind": "mobile", "phone_number": "1"}, {"kind": "home", "phone_number": "2"}]
    assert "street_addresses" not in body  # untouched subresources are left out: V3 keeps them
    assert {"custom_field_id": "other", "value": "kept"} in body["custom_fields"]
    assert {"custom_field_id": "cf-custom_field2", "value": "new"} in body["custom_fields"]
    assert [n["content"] for n in body["notes"]] == ["second", "first"]


@pytest.mark.parametrize("name,first,last,custom", [
    ("joe", "joe", None, None),
    ("Joe Smith", "Joe", "Smith", None),
    ("Mary Ann van Dyke", "Mary", "Ann van Dyke", None),
    ("Smith, Joe", None, None, "Smith, Joe"),
    ("two  spaces", None, None, "two  spaces"),
])
def test_a_display_name_splits_only_when_lossless(name, first, last, custom):
    body = mapping.legacy_contact_to_v3({"email_address": "a@example.com", "name": name}, FIELD_IDS)
    assert body.get("first_name") == first and body.get("last_name") == last
    values = {e["custom_field_id"]: e["value"] for e in body.get("custom_fields", [])}
    assert values.get("cf-name") == custom
    assert mapping.v3_contact_to_legacy(stored(body), FIELD_KEYS)["name"] == name


def test_a_name_given_with_first_and_last_names_is_kept_apart():
    back, _ = roundtrip({"email_address": "a@example.com", "name": "Customer Joe", "first_name": "Joe", "last_name": "Smith"})
    assert (back["name"], back["first_name"], back["last_name"]) == ("Customer Joe", "Joe", "Smith")


def test_feed_names_are_last_comma_first():
    contact = {"contact_id": "c", "first_name": "Jon", "last_name": "Smith", "email_address": {"address": "j@x.io"}}
    assert mapping.v3_contact_to_summary(contact)["name"] == "Smith, Jon"
    assert mapping.v3_contact_to_member(contact)["name"] == "Smith, Jon"
    assert mapping.v3_contact_to_member(dict(contact, first_name=None))["name"] == "Smith"
    assert mapping.v3_contact_to_member(dict(contact, first_name=None, last_name=None))["name"] == ""


def test_native_v3_addresses_read_codes_from_two_letter_values():
    contact = {"contact_id": "c", "email_address": {"address": "a@x.io"},
               "street_addresses": [{"kind": "home", "street": "1 A St", "state": "MA", "country": "United States"}]}
    legacy = mapping.v3_contact_to_legacy(contact)
    assert (legacy["state_code"], legacy["state_name"]) == ("MA", "MA")
    assert (legacy["country_code"], legacy["country_name"]) == ("", "United States")


def test_timestamps_are_written_as_the_old_api_did():
    contact = {"contact_id": "c", "email_address": {"address": "a@x.io"}, "updated_at": "2024-05-01T10:00:00+00:00",
               "created_at": "2024-05-01T09:00:00Z"}
    legacy = mapping.v3_contact_to_legacy(contact)
    assert legacy["updated"] == "2024-05-01T10:00:00.000Z" and legacy["insert_time"] == "2024-05-01T09:00:00.000Z"


@pytest.mark.parametrize("params", [
    {"email_address": "a@example.com", "first_name": "x" * 51},
    {"email_address": "a@example.com", "note": "x" * 2001},
    {"email_address": "a@example.com", "addr1": "x" * 200, "addr2": "y" * 60},
    {"email_address": "a@example.com", "postal_code": "9" * 51},
    {"email_address": "a@" + "x" * 80 + ".com"},
    {"email_address": "a@example.com", "contact_lists": [str(n) for n in range(51)]},
    {"email_address": "a@example.com", "middle_name": True},
])
def test_v3_limits_are_checked_before_any_write(params):
    with pytest.raises(InvalidInputError):
        mapping.plan_contact_write(params)


def test_list_mapping_and_validation():
    v3 = {"list_id": "L", "name": "News", "updated_at": "2024-01-02T03:04:05Z", "favorite": True, "description": "d"}
    assert mapping.v3_list_to_legacy(v3) == {"id": "L", "updated": "2024-01-02T03:04:05.000Z", "name": "News",
                                             "opt_in_default": "false", "short_name": "News", "sort_order": "99"}
    assert mapping.legacy_list_to_v3({"name": "Renamed", "sort_order": "3"}, base=v3) == {
        "name": "Renamed", "description": "d", "favorite": True}
    with pytest.raises(InvalidInputError):
        mapping.validate_list_params({"name": "x", "colour": "red"})
    assert mapping.system_list("do-not-mail")["name"] == "Do Not Mail"


def test_listref_is_a_string_and_a_mapping():
    uri = "http://api.constantcontact.com/ws/customers/joe/lists/7f3c"
    ref = ListRef(uri)
    assert ref == uri and isinstance(ref, str) and hash(ref) == hash(uri)
    assert ref["id"] == uri and ref.get("id") == uri and ref.get("name") is None
    assert ref[ref.rindex("/") + 1:] == "7f3c" and ref[-4:] == "7f3c" and ref.split("/")[-1] == "7f3c"
    with pytest.raises(KeyError):
        ref["name"]
    named = ListRef(uri, name="News")
    assert named["name"] == "News" and dict(named.items()) == {"id": uri, "name": "News"}
    assert json.dumps([named]) == json.dumps([uri])
    assert pickle.loads(pickle.dumps(named)).name == "News" and copy.deepcopy(named).name == "News"
    assert "lists" in ref  # substring search still works


_values = st.one_of(st.none(), st.text(max_size=60), st.integers(), st.booleans(), st.floats(allow_nan=False),
                    st.lists(st.one_of(st.integers(), st.text(max_size=10)), max_size=3),
                    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2))
_keys = st.one_of(st.sampled_from(shapes.CONTACT_WRITABLE + mapping.READ_ONLY_KEYS), st.text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(params=st.one_of(st.dictionaries(_keys, _values, max_size=8), _values),
       base=st.sampled_from([None, {"contact_id": "c", "email_address": {"address": "b@example.com"},
                                    "custom_fields": [{"custom_field_id": "cf-name", "value": "B"}]}]))
def test_any_input_is_planned_or_refused_with_invalid_input_error(params, base):
    try:
        plan = mapping.plan_contact_write(params, base, FIELD_KEYS)
    except InvalidInputError:
        return
    body = plan.finish(FIELD_IDS, ["L"] * len(plan.list_refs or []) if plan.list_refs is not None else None)
    assert body["email_address"]["address"]
