"""The emulator's contact custom fields (`/contact_custom_fields`), over HTTP."""
import pytest

from ctct.emulator import Emulator
from ctct.v3.errors import ConflictError, NotFoundError, ValidationError

from .conftest import make_client

UNKNOWN_ID = "1b3f4a52-0000-4000-8000-000000000000"


def make_field(client, label, kind="string", **extra):
    return client.post("/contact_custom_fields", json={"label": label, "type": kind, **extra})


def test_post_derives_the_name_from_the_label(client, emu):
    field = make_field(client, "Vehicle make and model year")
    assert emu.requests[-1].status == 201
    assert field["name"] == "Vehicle_make_and_model_year" and field["type"] == "string"
    assert set(field) == {"custom_field_id", "label", "name", "type", "created_at", "updated_at"}
    assert client.get(f"/contact_custom_fields/{field['custom_field_id']}") == field


def test_date_fields_carry_a_version(client):
    assert make_field(client, "Renewal", "date")["version"] == 2
    assert make_field(client, "Legacy date", "date", version=1)["version"] == 1


@pytest.mark.parametrize("body, message", [
    ({"type": "string"}, "label is missing"),
    ({"label": "  ", "type": "string"}, "label must not be blank"),
    ({"label": "x" * 51, "type": "string"}, "label exceeds the maximum length of 50"),
    ({"label": "Size"}, "type is missing, type does not have a valid value"),
    ({"label": "Size", "type": "number"}, "type does not have a valid value"),
    ({"label": "Size", "type": "string", "version": 2}, "version is only allowed for date custom fields"),
    ({"label": "Size", "type": "string", "choices": [{"choice_label": "S"}]},
     "choices are only allowed for single_select and multi_select custom fields"),
    ({"label": "Size", "type": "string", "metadata": {"colour": "red"}}, "metadata.colour is not a permitted property"),
    ({"label": "Size", "type": "string", "default": "M"}, "default is not a permitted property"),
])
def test_post_rejects_bad_bodies(client, emu, body, message):
    before = emu.state()
    with pytest.raises(ValidationError) as caught:
        client.post("/contact_custom_fields", json=body)
    assert caught.value.error_keys[0] == "contacts.api.validation.error"
    assert message in [e["error_message"] for e in caught.value.errors]
    assert emu.state() == before


def test_malformed_json_and_content_type(client, emu):
    before = emu.state()
    with pytest.raises(ValidationError) as caught:
        client.request("POST", "/contact_custom_fields", data=b"{", headers={"Content-Type": "application/json"})
    assert caught.value.status == 400
    with pytest.raises(ValidationError) as caught:
        client.request("POST", "/contact_custom_fields", data=b"label=x", headers={"Content-Type": "text/csv"})
    assert caught.value.status == 415
    assert emu.state() == before


def test_duplicate_names_are_409(client, emu):
    make_field(client, "Shoe size")
    before = emu.state()
    with pytest.raises(ConflictError) as caught:
        make_field(client, "shoe  SIZE")  # the same name once blanks become underscores
    assert caught.value.error_keys == ["contacts.api.conflict"]
    assert emu.state() == before


def test_an_account_holds_at_most_100(client, emu):
    emu.seed({"custom_fields": [{"label": f"Field {i}", "type": "string"} for i in range(100)]})
    with pytest.raises(ValidationError) as caught:
        make_field(client, "One too many")
    assert "at most 100" in caught.value.errors[0]["error_message"]


def test_listing_pages_and_limits(client, emu):
    emu.seed({"custom_fields": [{"label": f"Field {i}", "type": "string"} for i in range(60)]})
    first = client.get("/contact_custom_fields")
    assert len(first["custom_fields"]) == 50 and first["_links"]["next"]["href"].startswith("/v3/contact_custom_fields?")
    second = client.get(first["_links"]["next"]["href"])
    assert len(second["custom_fields"]) == 10 and "_links" not in second
    labels = [f["label"] for p in client.pages("/contact_custom_fields", page_size=25) for f in p["custom_fields"]]
    assert labels == [f"Field {i}" for i in range(60)]
    for bad in ("0", "101"):
        with pytest.raises(ValidationError):
            client.get("/contact_custom_fields", params={"limit": bad})


def test_put_relabels_and_renames(client, emu):
    field = make_field(client, "Fav color")
    path = f"/contact_custom_fields/{field['custom_field_id']}"
    updated = client.put(path, json={"label": "Favorite colour"})
    assert updated["label"] == "Favorite colour" and updated["name"] == "Favorite_colour"
    assert updated["created_at"] == field["created_at"] and updated["type"] == "string"
    # a GET body sent back is accepted (type unchanged)
    assert client.put(path, json=dict(client.get(path), label="Colour"))["name"] == "Colour"
    make_field(client, "Other")
    before = emu.state()
    for body in ({}, {"label": "Other"}, {"label": "Colour", "type": "date"}, {"label": "x", "extra": 1}):
        with pytest.raises(ValidationError):
            client.put(path, json=body)
    assert emu.state() == before
    assert make_field(client, "Fav color")  # the first name is free again


def test_delete_removes_values_from_contacts(client):
    keep = make_field(client, "Keep")
    drop = make_field(client, "Drop")
    contact = client.post("/contacts", json={
        "email_address": {"address": "cf@example.com"}, "create_source": "Account",
        "custom_fields": [{"custom_field_id": keep["custom_field_id"], "value": "1"},
                          {"custom_field_id": drop["custom_field_id"], "value": "2"}]})
    response = client.delete(f"/contact_custom_fields/{drop['custom_field_id']}", raw=True)
    assert response.status_code == 204
    with pytest.raises(NotFoundError):
        client.get(f"/contact_custom_fields/{drop['custom_field_id']}")
    got = client.get(f"/contacts/{contact['contact_id']}", params={"include": "custom_fields"})
    assert got["custom_fields"] == [{"custom_field_id": keep["custom_field_id"], "value": "1"}]
    assert make_field(client, "Drop")["name"] == "Drop"


def test_unknown_ids_are_404(client):
    for method in ("GET", "PUT", "DELETE"):
        with pytest.raises(NotFoundError):
            client.request(method, f"/contact_custom_fields/{UNKNOWN_ID}", json={"label": "x"})


def test_date_field_values_on_contacts_must_be_dates(client):
    renewal = make_field(client, "Renewal", "date")
    body = {"email_address": {"address": "d@example.com"}, "create_source": "Account",
            "custom_fields": [{"custom_field_id": renewal["custom_field_id"], "value": "someday"}]}
    with pytest.raises(ValidationError):
        client.post("/contacts", json=body)
    body["custom_fields"][0]["value"] = "12/31/2025"
    assert client.post("/contacts", json=body)["custom_fields"][0]["value"] == "12/31/2025"


def test_seeded_fields_keep_ids_and_survive_a_state_load(tmp_path):
    seed = {"custom_fields": [{"label": "Member level", "type": "string",
                               "custom_field_id": "9e8d7c6b-0000-4000-8000-000000000001",
                               "created_at": "2021-05-05T05:05:05Z"}]}
    state_file = tmp_path / "state.json"
    with Emulator(seed=seed, state_file=state_file) as emu, make_client(emu) as client:
        got = client.get("/contact_custom_fields/9e8d7c6b-0000-4000-8000-000000000001")
        assert got["name"] == "Member_level" and got["created_at"] == "2021-05-05T05:05:05.000Z"
    with Emulator(state_file=state_file) as emu, make_client(emu) as client:
        with pytest.raises(ConflictError):
            make_field(client, "member level")
    with pytest.raises(ValueError, match="custom_fields\\[0\\]"):
        Emulator(seed={"custom_fields": [{"label": "No type"}]})
