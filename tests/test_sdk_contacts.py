"""The official V3 Python SDK (`constant-contact-api-client`, a test-only dependency) against the
emulator: contact lists, contacts and custom fields, each response deserialized by the SDK's own
models without error."""
import datetime as _dt

import pytest

sdk = pytest.importorskip("constant_contact_api_client")

from constant_contact_api_client.exceptions import ApiException  # noqa: E402
from constant_contact_api_client.models.create_contact_request import CreateContactRequest  # noqa: E402
from constant_contact_api_client.models.create_contact_request_email_address import (  # noqa: E402
    CreateContactRequestEmailAddress,
)
from constant_contact_api_client.models.create_custom_fields_request import CreateCustomFieldsRequest  # noqa: E402
from constant_contact_api_client.models.create_or_update_contact_request import CreateOrUpdateContactRequest  # noqa: E402
from constant_contact_api_client.models.create_or_update_contact_request_custom_fields_inner import (  # noqa: E402
    CreateOrUpdateContactRequestCustomFieldsInner,
)
from constant_contact_api_client.models.get_contact_by_id200_response_custom_fields_inner import (  # noqa: E402
    GetContactById200ResponseCustomFieldsInner,
)
from constant_contact_api_client.models.get_contact_by_id200_response_notes_inner import (  # noqa: E402
    GetContactById200ResponseNotesInner,
)
from constant_contact_api_client.models.update_contact_request import UpdateContactRequest  # noqa: E402
from constant_contact_api_client.models.update_contact_request_email_address import (  # noqa: E402
    UpdateContactRequestEmailAddress,
)
from constant_contact_api_client.models.update_contact_request_phone_numbers_inner import (  # noqa: E402
    UpdateContactRequestPhoneNumbersInner,
)
from constant_contact_api_client.models.update_contact_request_street_addresses_inner import (  # noqa: E402
    UpdateContactRequestStreetAddressesInner,
)
from constant_contact_api_client.models.update_custom_field_request import UpdateCustomFieldRequest  # noqa: E402
from constant_contact_api_client.models.update_list_request import UpdateListRequest  # noqa: E402

EVERYTHING = "custom_fields,list_memberships,phone_numbers,street_addresses,taggings,notes"


@pytest.fixture
def api_client(emu):
    config = sdk.Configuration(host=emu.base_url, access_token=emu.access_token)
    with sdk.ApiClient(config) as client:
        yield client


@pytest.fixture
def lists_api(api_client):
    return sdk.ContactListsApi(api_client)


@pytest.fixture
def contacts_api(api_client):
    return sdk.ContactsApi(api_client)


@pytest.fixture
def fields_api(api_client):
    return sdk.ContactsCustomFieldsApi(api_client)


def test_sdk_contact_lists(lists_api, contacts_api):
    created = lists_api.create_list(UpdateListRequest(name="SDK list", description="made by the SDK", favorite=True))
    assert created.list_id and created.favorite is True and isinstance(created.created_at, _dt.datetime)
    other = lists_api.create_list(UpdateListRequest(name="SDK other"))
    got = lists_api.get_list(created.list_id, include_membership_count="all")
    assert got.name == "SDK list" and got.membership_count == 0
    updated = lists_api.update_list(created.list_id, UpdateListRequest(name="SDK renamed"))
    assert updated.name == "SDK renamed" and updated.favorite is False

    contacts_api.create_contact(CreateContactRequest(
        email_address=CreateContactRequestEmailAddress(address="member@example.com"), create_source="Account",
        list_memberships=[created.list_id]))
    every = lists_api.get_all_lists(limit=1, include_count=True, include_membership_count="active")
    assert every.lists_count == 2 and len(every.lists) == 1
    assert every.lists[0].membership_count == 1
    assert every.links.next.href.startswith("/v3/contact_lists?")
    assert lists_api.get_all_lists(name="SDK other").lists[0].list_id == other.list_id

    with pytest.raises(ApiException) as caught:
        lists_api.create_list(UpdateListRequest(name="sdk OTHER"))
    assert caught.value.status == 409

    activity = lists_api.delete_list(other.list_id)
    assert activity.activity_id and activity.links.var_self.href.endswith(activity.activity_id)
    with pytest.raises(ApiException) as caught:
        lists_api.get_list(other.list_id)
    assert caught.value.status == 404


def test_sdk_custom_fields(fields_api):
    created = fields_api.create_custom_fields(CreateCustomFieldsRequest(label="Shoe size", type="string"))
    assert created.name == "Shoe_size" and created.type == "string"
    dated = fields_api.create_custom_fields(CreateCustomFieldsRequest(label="Renewal", type="date"))
    assert dated.version == 2
    assert fields_api.get_custom_field(created.custom_field_id).label == "Shoe size"
    page = fields_api.get_all_custom_fields(limit=1)
    assert len(page.custom_fields) == 1 and page.links.next.href
    everything = fields_api.get_all_custom_fields()
    assert [f.label for f in everything.custom_fields] == ["Shoe size", "Renewal"]
    updated = fields_api.update_custom_field(created.custom_field_id, UpdateCustomFieldRequest(label="Shoe width"))
    assert updated.name == "Shoe_width" and isinstance(updated.updated_at, _dt.datetime)
    assert fields_api.delete_custom_field(dated.custom_field_id) is None
    with pytest.raises(ApiException) as caught:
        fields_api.get_custom_field(dated.custom_field_id)
    assert caught.value.status == 404


def test_sdk_contacts(contacts_api, lists_api, fields_api):
    list_id = lists_api.create_list(UpdateListRequest(name="Customers")).list_id
    field_id = fields_api.create_custom_fields(CreateCustomFieldsRequest(label="Fruit", type="string")).custom_field_id
    created = contacts_api.create_contact(CreateContactRequest(
        email_address=CreateContactRequestEmailAddress(address="dlang@example.com", permission_to_send="explicit"),
        first_name="Debora", last_name="Lang", job_title="Musician", company_name="Acme Corp.",
        create_source="Account", birthday_month=11, birthday_day=24, anniversary="2006-11-15",
        custom_fields=[GetContactById200ResponseCustomFieldsInner(custom_field_id=field_id, value="kiwi")],
        phone_numbers=[UpdateContactRequestPhoneNumbersInner(phone_number="+1-555-555-5555", kind="home")],
        street_addresses=[UpdateContactRequestStreetAddressesInner(kind="home", street="1 Main St", city="Chicago",
                                                                   state="IL", postal_code="60609", country="US")],
        list_memberships=[list_id], taggings=["fa85f64e-5717-4562-b3fc-2c963f66afa6"],
        notes=[GetContactById200ResponseNotesInner(content="Met at the fair",
                                                   created_at=_dt.datetime(2024, 1, 2, tzinfo=_dt.timezone.utc))]))
    assert created.contact_id and created.email_address.permission_to_send == "explicit"
    assert created.phone_numbers[0].phone_number_id and created.notes[0].note_id
    assert created.notes[0].created_at == _dt.datetime(2024, 1, 2, tzinfo=_dt.timezone.utc)

    got = contacts_api.get_contact_by_id(created.contact_id, include=EVERYTHING)
    assert got.list_memberships == [list_id] and got.custom_fields[0].value == "kiwi"
    assert got.street_addresses[0].city == "Chicago" and isinstance(got.created_at, _dt.datetime)

    updated = contacts_api.update_contact(created.contact_id, UpdateContactRequest(
        update_source="Contact", first_name="Deb",
        email_address=UpdateContactRequestEmailAddress(address="dlang@example.com", permission_to_send="unsubscribed",
                                                       opt_out_reason="Moved away")))
    assert updated.first_name == "Deb" and updated.last_name is None
    assert updated.email_address.opt_out_source == "Contact" and updated.list_memberships == [list_id]

    second = contacts_api.create_or_update_contact(CreateOrUpdateContactRequest(
        email_address="jake@example.com", first_name="Jake", list_memberships=[list_id],
        custom_fields=[CreateOrUpdateContactRequestCustomFieldsInner(custom_field_id=field_id, value="pear")]))
    assert second.action == "created"
    again = contacts_api.create_or_update_contact(CreateOrUpdateContactRequest(
        email_address="jake@example.com", last_name="Dodge", list_memberships=[list_id]))
    assert again.action == "updated" and again.contact_id == second.contact_id

    page = contacts_api.get_all_contacts(limit=1, include_count=True, include="list_memberships,custom_fields")
    assert page.contacts_count == 2 and len(page.contacts) == 1 and page.links.next.href
    assert contacts_api.get_all_contacts(email="jake@example.com").contacts[0].last_name == "Dodge"
    assert len(contacts_api.get_all_contacts(lists=list_id, status="all").contacts) == 2
    recent = contacts_api.get_all_contacts(updated_after=_dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc))
    assert len(recent.contacts) == 2
    counts = contacts_api.get_contact_counts(include="new_subscriber")
    assert counts.total == 2 and counts.unsubscribed == 1 and counts.explicit == 1

    assert contacts_api.delete_contact(second.contact_id) is None
    deleted = contacts_api.get_contact_by_id(second.contact_id)
    assert isinstance(deleted.deleted_at, _dt.date)
    assert [c.contact_id for c in contacts_api.get_all_contacts(status="deleted").contacts] == [second.contact_id]

    with pytest.raises(ApiException) as caught:
        contacts_api.create_contact(CreateContactRequest(
            email_address=CreateContactRequestEmailAddress(address="JAKE@example.com"), create_source="Account"))
    assert caught.value.status == 409


def test_sdk_contact_and_list_xrefs(emu, lists_api, contacts_api):
    emu.seed({"contact_lists": [{"name": "Old list", "v2_id": 12}],
              "contacts": [{"email_address": {"address": "old@example.com"}, "create_source": "Account",
                            "v2_id": 22199}]})
    state = emu.state()
    contacts = contacts_api.get_contact_id_xrefs("22199,99999")
    assert [(x.sequence_id, x.contact_id) for x in contacts.xrefs] == [("22199", state["contacts"][0]["contact_id"])]
    lists = lists_api.get_list_id_xrefs("12")
    assert [(x.sequence_id, x.list_id) for x in lists.xrefs] == [("12", state["contact_lists"][0]["list_id"])]
