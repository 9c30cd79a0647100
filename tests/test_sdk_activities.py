"""The official V3 Python SDK (`constant-contact-api-client`, a test-only dependency) against the
emulator: every bulk activity endpoint and the activity reads deserialize without error."""
import pytest

sdk = pytest.importorskip("constant_contact_api_client")

from constant_contact_api_client.models.create_delete_activity_request import CreateDeleteActivityRequest  # noqa: E402
from constant_contact_api_client.models.create_export_activity_request import CreateExportActivityRequest  # noqa: E402
from constant_contact_api_client.models.create_import_json_activity_request import CreateImportJSONActivityRequest  # noqa: E402
from constant_contact_api_client.models.create_import_json_activity_request_import_data_inner import (  # noqa: E402
    CreateImportJSONActivityRequestImportDataInner as ImportRow,
)
from constant_contact_api_client.models.create_list_add_activity_request import CreateListAddActivityRequest  # noqa: E402
from constant_contact_api_client.models.create_list_add_activity_request_source import (  # noqa: E402
    CreateListAddActivityRequestSource,
)
from constant_contact_api_client.models.create_list_delete_activity_request import CreateListDeleteActivityRequest  # noqa: E402
from constant_contact_api_client.models.create_list_remove_activity_request import CreateListRemoveActivityRequest  # noqa: E402
from constant_contact_api_client.models.create_list_remove_activity_request_source import (  # noqa: E402
    CreateListRemoveActivityRequestSource,
)

from .conftest import make_client  # noqa: E402


@pytest.fixture
def bulk(emu):
    config = sdk.Configuration(host=emu.base_url, access_token=emu.access_token)
    with sdk.ApiClient(config) as api_client:
        yield sdk.BulkActivitiesApi(api_client)


@pytest.fixture
def setup(emu):
    """Two lists and a custom field named `custom_field_name` (the only `cf:` key the SDK's
    import row model can carry), made with ctct's own client."""
    with make_client(emu) as client:
        lists = [client.post("/contact_lists", json={"name": n})["list_id"] for n in ("SDK A", "SDK B")]
        field = client.post("/contact_custom_fields", json={"label": "custom field name", "type": "string"})
        yield client, lists, field


def poll(bulk, activity_id, reads=5):
    for _ in range(reads):
        activity = bulk.get_activity_by_id(activity_id)
        if activity.state not in ("initialized", "processing"):
            return activity
    return activity


def test_sdk_json_import_and_activity_reads(bulk, setup):
    client, lists, field = setup
    row = ImportRow(email="sdk1@example.com", first_name="Sam", last_name="Dee", home_phone="555-0100",
                    street="1 SDK Way", street2="Suite 9", city="Austin", birthday_month=2, birthday_day=3,
                    anniversary="2001-02-03")
    row.cfcustom_field_name = "blue" if field["name"] == "custom_field_name" else None
    bad = ImportRow(email="not-an-email")
    created = bulk.create_import_json_activity(CreateImportJSONActivityRequest(import_data=[row, bad], list_ids=lists[:1]))
    assert created.state == "initialized" and created.activity_id
    done = poll(bulk, created.activity_id)
    assert done.state == "completed" and done.percent_done == 100
    assert done.status.person_count == 2 and done.status.correctable_count == 1
    assert len(done.activity_errors) == 1
    assert done.links.var_self.href.endswith(created.activity_id)
    contact = client.get("/contacts", params={"email": "sdk1@example.com", "include": "custom_fields"})["contacts"][0]
    assert contact["first_name"] == "Sam"
    if field["name"] == "custom_field_name":
        assert contact["custom_fields"][0]["value"] == "blue"

    everything = bulk.get_all_activities(limit=10)
    assert [a.activity_id for a in everything.activities] == [created.activity_id]
    assert bulk.get_all_activities(state="completed").activities[0].status.items_total_count == 3


def test_sdk_file_import(bulk, setup, tmp_path):
    client, lists, _ = setup
    path = tmp_path / "people.csv"
    path.write_text("email,first_name\nfile1@example.com,Fi\nfile2@example.com,Le\n", encoding="utf-8")
    created = bulk.create_csv_import_activity(file=str(path), list_ids=",".join(lists))
    assert created.state == "initialized" and created.source_file_name == "people.csv"
    done = poll(bulk, created.activity_id)
    assert done.state == "completed" and done.status.person_count == 2
    member = client.get("/contacts", params={"email": "file2@example.com", "include": "list_memberships"})["contacts"][0]
    assert sorted(member["list_memberships"]) == sorted(lists)


def test_sdk_membership_delete_and_export_activities(bulk, setup):
    client, lists, _ = setup
    ids = [client.post("/contacts", json={"email_address": {"address": f"s{i}@example.com", "permission_to_send": "implicit"},
                                          "create_source": "Account"})["contact_id"] for i in range(3)]

    added = bulk.create_list_add_activity(CreateListAddActivityRequest(
        source=CreateListAddActivityRequestSource(contact_ids=ids), list_ids=lists))
    added = poll(bulk, added.activity_id)
    assert added.state == "completed" and added.status.items_completed_count == 3

    # the SDK's remove models carry the spec's `maxItems: 0` mistake (see tests/spec/SOURCES.md),
    # so the request is built without validation, as a user of the SDK has to
    source = CreateListRemoveActivityRequestSource.model_construct(list_ids=[lists[1]], all_active_contacts=False)
    removal = CreateListRemoveActivityRequest.model_construct(source=source, list_ids=[lists[1]], exclude=None)
    removed = bulk.create_list_remove_activity(removal)
    assert removed.state == "initialized"
    assert poll(bulk, removed.activity_id).status.list_count == 1

    export = bulk.create_export_activity(CreateExportActivityRequest(list_ids=[lists[0]], fields=["email_address", "first_name"]))
    assert export.state == "initialized"
    export = poll(bulk, export.activity_id)
    assert export.state == "completed" and export.status.items_total_count == 3
    file_id = export.links.results.href.rsplit("/", 1)[-1]
    text = bulk.get_csv_export_file(file_id)
    assert text.splitlines()[0] == "email_address,first_name" and len(text.splitlines()) == 4

    deleted = bulk.create_delete_activity(CreateDeleteActivityRequest(contact_ids=ids[:1]))
    assert poll(bulk, deleted.activity_id).status.items_completed_count == 1

    gone = bulk.create_list_delete_activity(CreateListDeleteActivityRequest(list_ids=[lists[1]]))
    assert gone.state == "initialized"
    assert poll(bulk, gone.activity_id).status.list_count == 1
    assert [item["list_id"] for item in client.get("/contact_lists")["lists"]] == [lists[0]]

    every = bulk.get_all_activities(limit=500)
    assert len(every.activities) == 5 and all(a.state == "completed" for a in every.activities)
