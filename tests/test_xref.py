"""The xref endpoints of the emulator, and the resolver with its caches, over HTTP."""
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from ctct.emulator import Emulator
from ctct.legacy.context import LegacyContext
from ctct.v3.errors import InvalidInputError, NotFoundError
from ctct.xref import XrefResolver, batch_size
from ctct.xref_cache import SqliteXrefCache, XrefCacheError, default_cache_path

from .conftest import SPEC_DIR, make_client
from .xref_support import CAMPAIGN_V2_BASE, add_lists, campaigns_seed, contacts_seed, v2_to_v3, xref_requests

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def xemu():
    """Contacts 1..1200, lists 1..600, campaigns CAMPAIGN_V2_BASE+0..59, all with V2 ids."""
    seed = {"contacts": contacts_seed(range(1, 1201)),
            "emails": campaigns_seed(range(CAMPAIGN_V2_BASE, CAMPAIGN_V2_BASE + 60))}
    with Emulator(seed=seed) as emulator:
        add_lists(emulator, range(1, 601))
        yield emulator


@pytest.fixture
def xclient(xemu):
    with make_client(xemu) as c:
        yield c


def _get(emu, path, **params):
    return requests.get(emu.base_url + path, params=params, headers={"Authorization": f"Bearer {emu.access_token}"})


# -- the emulator's endpoints -----------------------------------------------------------------

def _spec_properties(name):
    spec = json.loads((SPEC_DIR / "v3-swagger.json").read_text())
    item = spec["definitions"][name]["properties"]["xrefs"]["items"]["$ref"].rsplit("/", 1)[1]
    return set(spec["definitions"][item]["properties"])


def test_contact_xrefs_answer_sorted_strings_and_skip_unknown_ids(xemu):
    known = v2_to_v3(xemu, "contacts")
    response = _get(xemu, "/contacts/contact_id_xrefs", sequence_ids="12,3,99999,7,3")
    assert response.status_code == 200
    xrefs = response.json()["xrefs"]
    assert xrefs == [{"sequence_id": "3", "contact_id": known[3]}, {"sequence_id": "7", "contact_id": known[7]},
                     {"sequence_id": "12", "contact_id": known[12]}]
    assert set(xrefs[0]) == _spec_properties("ContactXrefs")


def test_list_xrefs_answer_like_the_spec(xemu):
    known = v2_to_v3(xemu, "lists")
    xrefs = _get(xemu, "/contact_lists/list_id_xrefs", sequence_ids="600,1,601").json()["xrefs"]
    assert xrefs == [{"sequence_id": "1", "list_id": known[1]}, {"sequence_id": "600", "list_id": known[600]}]
    assert set(xrefs[0]) == _spec_properties("ListXrefs")


def test_campaign_xrefs_give_the_campaign_and_its_primary_email_activity(xemu):
    v2 = CAMPAIGN_V2_BASE + 5
    campaign = xemu.store.emails.get(v2_to_v3(xemu, "campaigns")[v2])
    primary = [a for a in campaign["campaign_activities"] if a["role"] == "primary_email"][0]
    xrefs = _get(xemu, "/emails/campaign_id_xrefs", v2_email_campaign_ids=f"{v2},42").json()["xrefs"]
    assert xrefs == [{"v2_email_campaign_id": str(v2), "campaign_id": campaign["campaign_id"],
                      "campaign_activity_id": primary["campaign_activity_id"]}]
    assert set(xrefs[0]) == _spec_properties("CrossReferenceResponse")


@pytest.mark.parametrize("path,param,maximum", [
    ("/contacts/contact_id_xrefs", "sequence_ids", 500),
    ("/contact_lists/list_id_xrefs", "sequence_ids", 500),
    ("/emails/campaign_id_xrefs", "v2_email_campaign_ids", 50),
])
def test_xref_endpoints_take_at_most_their_maximum(xemu, path, param, maximum):
    at_max = ",".join(str(CAMPAIGN_V2_BASE + i if "emails" in path else i + 1) for i in range(maximum))
    assert _get(xemu, path, **{param: at_max}).status_code == 200
    over = _get(xemu, path, **{param: at_max + ",9"})
    assert over.status_code == 400
    assert over.json()[0]["error_key"].startswith("api.validation")
    assert _get(xemu, path).status_code == 400
    assert _get(xemu, path, **{param: "12,abc"}).status_code == 400


# -- resolver: batching, dedupe, unknown ids --------------------------------------------------

@pytest.mark.parametrize("kind,count,expected_requests", [
    ("contacts", 500, 1), ("contacts", 501, 2), ("lists", 500, 1), ("lists", 501, 2),
    ("campaigns", 50, 1), ("campaigns", 51, 2),
])
def test_resolver_batches_at_each_endpoints_maximum(xemu, xclient, kind, count, expected_requests):
    first = CAMPAIGN_V2_BASE if kind == "campaigns" else 1
    ids = list(range(first, first + count))
    result = XrefResolver(xclient).resolve_many(kind, ids)
    sent = xref_requests(xemu, kind)
    assert len(sent) == expected_requests == result.requests
    assert [len(batch) for batch in sent] == [batch_size(kind)] * (expected_requests - 1) + [
        count - batch_size(kind) * (expected_requests - 1)]
    known = v2_to_v3(xemu, kind)
    assert result.mapping == {v2: known.get(v2) for v2 in ids}


def test_resolver_dedupes_every_form_of_one_id(xemu, xclient):
    uri = "http://api.constantcontact.com/ws/customers/joe/contacts/7"
    result = XrefResolver(xclient).resolve_many("contacts", [7, "7", " 7 ", uri, "007", 8, 7])
    assert xref_requests(xemu, "contacts") == [[7, 8]]
    assert list(result.mapping) == [7, 8]


def test_missing_ids_are_asked_once_each_in_the_caches_key_order(xemu, xclient, tmp_path):
    ids = list(range(1, 1201))
    random.Random(3).shuffle(ids)
    resolver = XrefResolver(xclient, cache=tmp_path / "xref.sqlite3", account="acct")
    early = ids[:300]
    resolver.resolve_many("contacts", early)
    result = resolver.resolve_many("contacts", ids + early)
    sent = xref_requests(xemu, "contacts")
    # text order is the cache's primary-key order: each batch is stored on neighbouring pages
    assert sent[0] == sorted(early, key=str)
    assert [v for batch in sent[1:] for v in batch] == sorted(set(ids) - set(early), key=str)
    assert [len(batch) for batch in sent] == [300, 500, 400]
    assert list(result.mapping) == ids  # the answer keeps the caller's first-seen order
    assert result.from_cache == 300 and result.requests == 2
    known = v2_to_v3(xemu, "contacts")
    assert result.mapping == {v2: known[v2] for v2 in ids}
    resolver.close()


def test_unknown_ids_are_reported_cached_and_can_be_rechecked(xemu, xclient):
    resolver = XrefResolver(xclient)
    result = resolver.resolve_many("contacts", [1, 5000, 2, 5001])
    assert result.unmapped == [5000, 5001]
    assert result.mapping[5000] is None and result.mapping[1] == v2_to_v3(xemu, "contacts")[1]
    assert resolver.resolve_one("contacts", 5000) is None
    assert len(xref_requests(xemu, "contacts")) == 1  # the negative answer was remembered

    xemu.seed({"contacts": contacts_seed([5000])})
    again = resolver.resolve_many("contacts", [1, 5000, 5001], recheck_unmapped=True)
    assert xref_requests(xemu, "contacts")[-1] == [5000, 5001]  # only the unknown ones are asked again
    assert again.unmapped == [5001]
    assert again.mapping[5000] == v2_to_v3(xemu, "contacts")[5000]


def test_campaign_activity_ids_come_with_the_campaign(xemu, xclient):
    resolver = XrefResolver(xclient)
    v2 = CAMPAIGN_V2_BASE + 1
    activity = resolver.campaign_activity_ids([v2, 77])
    campaign = xemu.store.emails.get(resolver.resolve_one("campaigns", v2))
    assert activity == {v2: campaign["campaign_activities"][0]["campaign_activity_id"], 77: None}
    assert len(xref_requests(xemu, "campaigns")) == 1


def test_bad_ids_and_kinds_are_typed_errors(xemu, xclient):
    resolver = XrefResolver(xclient)
    with pytest.raises(InvalidInputError):
        resolver.resolve("contacts", ["abc"])
    for not_an_id in (True, -3, 2.0):  # bool is an int to Python, not to V2
        with pytest.raises(InvalidInputError):
            resolver.resolve("contacts", [1, not_an_id])
    assert not xref_requests(xemu, "contacts")
    with pytest.raises(InvalidInputError):
        resolver.resolve("contacts", ["0b3c3a36-0d4c-11ee-9c6e-fa163e6b01c1"])  # already a V3 id
    with pytest.raises(InvalidInputError):
        resolver.resolve("activities", [1])


def test_retries_through_429_and_5xx(xemu, xclient):
    xemu.inject(429, times=1, path="/contacts/contact_id_xrefs")
    xemu.inject(503, times=1, path="/contacts/contact_id_xrefs")
    result = XrefResolver(xclient).resolve_many("contacts", range(1, 11))
    assert len(result.mapped) == 10
    assert [r.status for r in xemu.requests if r.path == "/contacts/contact_id_xrefs"] == [429, 503, 200]


def test_a_removed_endpoint_is_an_error_not_a_negative_answer(xemu, xclient, tmp_path):
    xemu.inject(404, times=1, path="/contacts/contact_id_xrefs")
    resolver = XrefResolver(xclient, cache=tmp_path / "c.sqlite3")
    with pytest.raises(NotFoundError, match="removed the xref endpoints"):
        resolver.resolve("contacts", [1, 2])
    assert resolver.cache.count() == 0
    assert resolver.resolve("contacts", [1, 2]) == {v: v2_to_v3(xemu, "contacts")[v] for v in (1, 2)}


def test_the_legacy_context_still_builds_its_own_in_memory_resolver(xemu, xclient):
    ctx = LegacyContext(xclient, "joe")
    assert ctx.v3_id("contacts", 9) == v2_to_v3(xemu, "contacts")[9]
    assert ctx.v3_id("contacts", "http://api.constantcontact.com/ws/customers/joe/contacts/9") == \
        v2_to_v3(xemu, "contacts")[9]
    assert len(xref_requests(xemu, "contacts")) == 1
    assert not [r for r in xemu.requests if r.path == "/account/summary"]  # memory cache: no account lookup


# -- the persistent cache -------------------------------------------------------------------

def test_a_rerun_is_answered_from_the_sqlite_cache_with_no_request(xemu, tmp_path):
    path = tmp_path / "xref.sqlite3"
    ids = list(range(1, 1101)) + [9001]
    with make_client(xemu) as c1:
        first = XrefResolver(c1, cache=path).resolve_many("contacts", ids)
    assert first.requests == 3
    seen = len(xemu.requests)
    with make_client(xemu) as c2:
        resolver = XrefResolver(c2, cache=path)
        second = resolver.resolve_many("contacts", reversed(ids))
        assert c2.request_count == 0
    assert len(xemu.requests) == seen
    assert second.requests == 0 and second.from_cache == len(ids)
    assert second.mapping == first.mapping and second.unmapped == [9001]
    resolver.close()


def test_the_cache_keeps_two_accounts_apart(tmp_path):
    path = tmp_path / "xref.sqlite3"
    with Emulator(seed={"contacts": contacts_seed([1, 2])}) as one, \
            Emulator(seed={"contacts": contacts_seed([1, 2])}) as two:
        with make_client(one) as c1, make_client(two) as c2:
            r1 = XrefResolver(c1, cache=path)
            r2 = XrefResolver(c2, cache=path)
            assert r1.resolve("contacts", [1, 2]) == {v: v2_to_v3(one, "contacts")[v] for v in (1, 2)}
            assert r2.resolve("contacts", [1, 2]) == {v: v2_to_v3(two, "contacts")[v] for v in (1, 2)}
            assert r1.account != r2.account
            # named accounts are apart too, even on one API root
            r3 = XrefResolver(c1, cache=path, account="other")
            r3.resolve("contacts", [1])
            assert len(xref_requests(one, "contacts")) == 2
            # the account behind a token is asked once, then remembered in the cache
            XrefResolver(c1, cache=path).resolve("contacts", [1, 2])
            assert len([r for r in one.requests if r.path == "/account/summary"]) == 1
            for r in (r1, r2, r3):
                r.close()


def test_export_and_import_keep_the_mapping_after_the_endpoints_are_gone(xemu, xclient, tmp_path):
    source = XrefResolver(xclient, cache=tmp_path / "a.sqlite3")
    source.resolve("contacts", [1, 2, 7777])
    source.resolve("campaigns", [CAMPAIGN_V2_BASE, CAMPAIGN_V2_BASE + 1])
    for name in ("mapping.csv", "mapping.json"):
        assert source.export_mapping(tmp_path / name) == 5
    text = (tmp_path / "mapping.csv").read_text()
    assert text.splitlines()[0] == "account,kind,v2_id,v3_id,campaign_activity_id,checked_at"
    assert json.loads((tmp_path / "mapping.json").read_text())["xrefs"][0]["v2_id"] == "1"

    for name in ("mapping.csv", "mapping.json"):
        fresh = XrefResolver(xclient, cache=tmp_path / f"b-{name}.sqlite3")
        assert fresh.import_mapping(tmp_path / name) == 5
        xemu.inject(404, times=100, path="/contacts/contact_id_xrefs")  # the endpoints are gone
        xemu.inject(404, times=100, path="/emails/campaign_id_xrefs")
        assert fresh.resolve("contacts", [1, 2, 7777]) == source.resolve("contacts", [1, 2, 7777])
        assert fresh.campaign_activity_ids([CAMPAIGN_V2_BASE]) == source.campaign_activity_ids([CAMPAIGN_V2_BASE])
        xemu.faults.clear()
        fresh.close()

    other = XrefResolver(xclient, cache=tmp_path / "c.sqlite3", account="someone-else")
    with pytest.raises(InvalidInputError, match="belongs to account"):
        other.import_mapping(tmp_path / "mapping.csv")
    source.close()
    other.close()


def test_threads_share_one_cache_and_never_ask_twice(xemu, xclient, tmp_path):
    resolver = XrefResolver(xclient, cache=tmp_path / "xref.sqlite3")
    results, errors = [], []

    def work(offset):
        try:
            results.append(resolver.resolve("contacts", range(1 + offset * 100, 1001 + offset * 100)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    asked = [v for batch in xref_requests(xemu, "contacts") for v in batch]
    assert len(asked) == len(set(asked)) == 1500  # every id asked exactly once across threads
    known = v2_to_v3(xemu, "contacts")
    for mapping in results:
        assert all(v3 == known.get(v2) for v2, v3 in mapping.items())
    resolver.close()


def test_processes_share_one_cache_file(xemu, tmp_path):
    path = tmp_path / "xref.sqlite3"
    script = ("import sys; from ctct.v3 import V3Client; from ctct.xref import XrefResolver; "
              "c = V3Client(sys.argv[1], access_token=sys.argv[2], rate_limit=None); "
              "start = int(sys.argv[4]); "
              "r = XrefResolver(c, cache=sys.argv[3], account='acct'); "
              "[r.resolve('contacts', range(start + i, start + i + 50)) for i in range(0, 400, 50)]")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, "-c", script, xemu.base_url, xemu.access_token, str(path), str(start)],
                              env=env) for start in (1, 201)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    with SqliteXrefCache(path) as cache:
        entries = {e.v2_id: e.v3_id for _, e in cache.entries(kind="contacts")}
    known = v2_to_v3(xemu, "contacts")
    assert entries == {v2: known[v2] for v2 in range(1, 601)}
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_new_cache_opens_while_another_process_holds_the_file(tmp_path):
    """Processes creating one cache together: while one holds a write lock on the new file,
    SQLite refuses another's switch to WAL at once (no busy timeout); opening waits instead."""
    path = tmp_path / "xref.sqlite3"
    holder = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # what a process that is still creating the file holds
    release = threading.Timer(0.3, holder.execute, ("COMMIT",))
    release.start()
    try:
        with SqliteXrefCache(path, timeout=10) as cache:
            assert cache.count() == 0
    finally:
        release.join()
        holder.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_cache_path_defaults_per_user_and_follows_ctct_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("CTCT_CACHE", raising=False)
    assert default_cache_path().parts[-2:] == ("ctct", "xref.sqlite3")
    monkeypatch.setenv("CTCT_CACHE", str(tmp_path / "elsewhere.db"))
    assert default_cache_path() == tmp_path / "elsewhere.db"


def test_a_file_that_is_not_a_cache_is_a_clear_error(tmp_path):
    bogus = tmp_path / "not-a-db.sqlite3"
    bogus.write_bytes(b"this is not SQLite at all, just text" * 100)
    with pytest.raises(XrefCacheError, match="not-a-db"):
        SqliteXrefCache(bogus)
