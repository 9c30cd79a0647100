"""A suite of captured V2 payloads seeds the emulator (keeping V2 ids for the xrefs) and reads
back through CTCTConnection with the same values."""
import shutil
import subprocess
import sys

import pytest
import requests

from ctct import CTCTConnection, atom
from ctct.emulator import Emulator

from .conftest import ATOM_FIXTURES

# One V2 account's captured payloads (joesflowers): lists, full contacts, a contacts feed,
# a list members feed, campaigns.
SUITE = [
    "contact_list_entry.xml", "contact_entry.xml", "contact_entry_trailing_quote.xml",
    "contact_entry_two_lists_trailing_quote.xml", "contacts_feed.xml", "list_members_feed.xml",
    "campaigns_feed_no_next.xml", "campaign_entry_custom_draft_stats.xml",
]
FULL_CONTACTS = {22199: "contact_entry.xml", 2: "contact_entry_trailing_quote.xml",
                 4: "contact_entry_two_lists_trailing_quote.xml"}


def read(name):
    return atom.parse((ATOM_FIXTURES / name).read_bytes())


def tail(uri):
    return uri.rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def suite_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("captured")
    for name in SUITE:
        shutil.copy(ATOM_FIXTURES / name, directory / name)
    return directory


@pytest.fixture(scope="module")
def seeded(suite_dir):
    with Emulator(seed=str(suite_dir)) as emu:  # a directory path is read as Atom payloads
        conn = CTCTConnection("client-id", "joesflowers", emu.access_token, base_url=emu.base_url,
                              rate_limit=None, strict=True)
        yield emu, conn


def v3_list_id(emu, v2):
    return emu.store.contact_lists.by_v2[v2]


@pytest.mark.parametrize("v2", sorted(FULL_CONTACTS))
def test_full_contacts_read_back_field_for_field(seeded, v2):
    emu, conn = seeded
    expected = read(FULL_CONTACTS[v2]).items[0]
    got = conn.get_contact(contact_id_number=v2)  # the V2 number resolves through the xref
    assert tail(got["id"]) == emu.store.contacts.by_v2[v2]
    assert sorted(tail(ref) for ref in got["contact_lists"]) == sorted(
        v3_list_id(emu, int(tail(ref))) for ref in expected["contact_lists"])
    same = {k: v for k, v in expected.items() if k not in ("id", "contact_lists")}
    assert {k: got[k] for k in same} == same


def test_contact_summaries_read_back(seeded):
    _, conn = seeded
    got = {c["email_address"]: c for c in conn.get_contacts()}
    for expected in read("contacts_feed.xml").items:
        summary = got[expected["email_address"]]
        for key in ("status", "email_type", "name", "opt_in_time", "opt_in_source"):
            assert summary[key] == expected[key], key


def test_list_and_its_members_read_back(seeded):
    emu, conn = seeded
    expected = read("contact_list_entry.xml").items[0]
    got = conn.get_contact_list(1)
    assert (got["name"], got["updated"]) == (expected["name"], expected["updated"])
    assert tail(got["id"]) == v3_list_id(emu, 1)
    members = {(m["email_address"], m["name"]) for m in conn.get_contact_list_members(1)}
    assert {(m["email_address"], m["name"]) for m in read("list_members_feed.xml").items} <= members
    # memberships from the full contact entries too
    assert {"jon@example.com", "fred@example.com"} <= {email for email, _ in members}
    # lists named by contacts and campaigns but described by no payload exist, with their V2 ids
    assert {2, 3} <= set(emu.store.contact_lists.by_v2)


def test_campaigns_read_back(seeded):
    emu, conn = seeded
    expected = read("campaigns_feed_no_next.xml").items + read("campaign_entry_custom_draft_stats.xml").items
    got = {c["name"]: c for c in conn.get_campaigns()}
    for campaign in expected:
        summary = got[campaign["name"]]
        assert (summary["status"], summary["date"], summary["updated"]) == (
            campaign["status"], campaign["date"], campaign["updated"])
        assert tail(summary["id"]) == emu.store.emails.by_v2[int(tail(campaign["id"]))]
    draft = read("campaign_entry_custom_draft_stats.xml").items[0]
    full = conn.get_campaign(1100545398420)
    assert (full["name"], full["status"], full["date"]) == (draft["name"], draft["status"], draft["date"])
    assert [tail(ref["id"]) for ref in full["contact_lists"]] == [v3_list_id(emu, 2)]


def test_to_seed_keeps_one_v2_account(tmp_path, caplog):
    for name in ("contact_lists_feed.xml", "contact_lists_feed_page1.xml", "list_members_feed_large.xml",
                 "contacts_feed_minimal.xml", "activities_feed.xml"):
        shutil.copy(ATOM_FIXTURES / name, tmp_path / name)
    (tmp_path / "notes.xml").write_bytes(b"not atom")
    seed = atom.to_seed(tmp_path)  # recordkick has the most objects
    assert [l["name"] for l in seed["contact_lists"]] == ["General Interest", "Clients"]  # no system lists
    assert len(seed["contacts"]) == 50 and seed["emails"] == []
    member = next(c for c in seed["contacts"] if c["v2_id"] == 51)
    assert (member["first_name"], member["last_name"]) == ("Mike", "Donnelly")  # "Donnelly, Mike"
    assert member["list_memberships"] == [seed["contact_lists"][1]["list_id"]]
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "seeding recordkick, skipping username" in messages
    assert "activities payloads are not seeded" in messages and "notes.xml" in messages

    other = atom.to_seed(tmp_path, username="username")
    assert [l["name"] for l in other["contact_lists"]] == ["General Interest", "Recent Signups"]
    assert [c["email_address"]["address"] for c in other["contacts"]] == ["jdoe@acme.company.com", "jschmoe@company.com"]
    with Emulator(seed=other) as emu:
        assert sorted(emu.store.contacts.by_v2) == [1, 2]


def test_to_seed_refuses_a_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError):
        atom.to_seed(tmp_path / "nope")


def test_ctct_serve_seeds_from_a_directory(suite_dir):
    process = subprocess.Popen([sys.executable, "-m", "ctct", "serve", "--port", "0", "--no-rate-limit",
                                "--seed", str(suite_dir)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    try:
        settings = dict(process.stdout.readline().strip().split("=", 1) for _ in range(2))
        response = requests.get(f"{settings['CTCT_BASE_URL']}/contacts", timeout=10,
                                headers={"Authorization": f"Bearer {settings['CTCT_ACCESS_TOKEN']}"})
        assert response.status_code == 200
        assert "joe@example.com" in {c["email_address"]["address"] for c in response.json()["contacts"]}
    finally:
        process.terminate()
        process.wait(timeout=10)
