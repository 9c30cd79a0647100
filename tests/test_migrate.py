"""`ctct migrate-ids` over HTTP against the emulator: CSV, JSON Lines and SQLite targets,
unmapped ids, dry runs, reruns from the cache, and kill -9 at several points followed by a
clean resume (the tool runs as a subprocess for those)."""
import csv
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctct.cli import main
from ctct.emulator import Emulator
from ctct.legacy import ids as legacy_ids
from ctct.migrate.values import BLANK, INVALID, classify
from ctct.v3.errors import InvalidInputError
from ctct.xref_cache import SqliteXrefCache

from .xref_support import CAMPAIGN_V2_BASE, add_lists, campaigns_seed, contacts_seed, v2_to_v3, xref_requests

REPO = Path(__file__).resolve().parent.parent
URI = "http://api.constantcontact.com/ws/customers/joe/{kind}/{id}"
SUMMARY = re.compile(r"summary: read=(\d+) unique=(\d+) mapped=(\d+) unmapped=(\d+) requests=(\d+) seconds=[\d.]+")


@pytest.fixture
def memu():
    """Contacts with V2 ids 1..3000, lists 1..20, campaigns CAMPAIGN_V2_BASE+0..9."""
    seed = {"contacts": contacts_seed(range(1, 3001)),
            "emails": campaigns_seed(range(CAMPAIGN_V2_BASE, CAMPAIGN_V2_BASE + 10))}
    with Emulator(seed=seed) as emulator:
        add_lists(emulator, range(1, 21))
        yield emulator


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    for name in ("CTCT_MIGRATE_CRASH", "CTCT_BASE_URL", "CTCT_ACCESS_TOKEN", "CTCT_REFRESH_TOKEN", "CTCT_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CTCT_CACHE", str(tmp_path / "default-cache.sqlite3"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def migrate_ids(emu, capsys, *args):
    """Run the tool in-process; returns (exit code, stdout, stderr, summary numbers)."""
    code = main(["migrate-ids", *map(str, args), "--base-url", emu.base_url, "--token", emu.access_token,
                 "--rate-limit", "0"])
    out, err = capsys.readouterr()
    return code, out, err, _summary(err)


def _summary(err):
    match = SUMMARY.search(err)
    if not match:
        return None
    return dict(zip(("read", "unique", "mapped", "unmapped", "requests"), map(int, match.groups())))


def tool_process(emu, *args, crash=None, rate_limit="0"):
    """Start the tool as a subprocess (env carries the connection)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), CTCT_BASE_URL=emu.base_url, CTCT_ACCESS_TOKEN=emu.access_token)
    env.pop("CTCT_MIGRATE_CRASH", None)
    if crash:
        env["CTCT_MIGRATE_CRASH"] = crash
    return subprocess.Popen([sys.executable, "-m", "ctct", "migrate-ids", *map(str, args), "--rate-limit", rate_limit],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_tool(emu, *args, crash=None):
    proc = tool_process(emu, *args, crash=crash)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def write_csv(path, header, rows, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def read_csv(path, delimiter=","):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def cached_ids(path, kind="contacts"):
    with SqliteXrefCache(path) as cache:
        return {e.v2_id for _, e in cache.entries(kind=kind)}


# -- CSV ------------------------------------------------------------------------------------------

def test_csv_ids_become_v3_ids_in_the_same_rows_and_order(memu, capsys, tmp_path):
    known = v2_to_v3(memu, "contacts")
    rows = [["a@example.com", "12", "first"], ["b@example.com", URI.format(kind="contacts", id=7), "uri"],
            ["c@example.com", "12", "duplicate"], ["d@example.com", "", "blank"],
            ["e@example.com", known[3], "already V3"], ["f@example.com", "0007", "padded"]]
    write_csv(tmp_path / "in.csv", ["email", "id", "note"], rows)
    code, _, err, summary = migrate_ids(memu, capsys, "contacts", tmp_path / "in.csv", "-o", tmp_path / "out.csv",
                                        "--cache", tmp_path / "c.sqlite3")
    assert code == 0, err
    out = read_csv(tmp_path / "out.csv")
    assert out[0] == ["email", "id", "note"]
    assert [r[1] for r in out[1:]] == [known[12], known[7], known[12], "", known[3], known[7]]
    assert [[r[0], r[2]] for r in out[1:]] == [[r[0], r[2]] for r in rows]
    assert summary == {"read": 5, "unique": 2, "mapped": 2, "unmapped": 0, "requests": 2}  # account + 1 xref
    assert xref_requests(memu, "contacts") == [[12, 7]]
    assert not (tmp_path / "out.csv.unmapped.csv").exists()


def test_unmapped_ids_are_reported_and_refused_unless_allowed(memu, capsys, tmp_path):
    known = v2_to_v3(memu, "contacts")
    write_csv(tmp_path / "in.csv", ["id"], [["5"], ["90001"], ["not-an-id"], ["90001"], ["6"]])
    args = ("contacts", tmp_path / "in.csv", "-o", tmp_path / "out.csv", "--cache", tmp_path / "c.sqlite3")
    code, _, err, summary = migrate_ids(memu, capsys, *args)
    assert code == 1
    assert "--allow-unmapped" in err
    assert not (tmp_path / "out.csv").exists()
    assert summary == {"read": 5, "unique": 3, "mapped": 2, "unmapped": 2, "requests": 2}
    report = read_csv(tmp_path / "out.csv.unmapped.csv")
    assert report[0] == ["input_value", "v2_id", "reason", "count", "first_location"]
    assert report[1][:2] == ["90001", "90001"] and report[1][3:] == ["2", "row 2"]
    assert report[2][0] == "not-an-id" and report[2][1] == "" and report[2][3:] == ["1", "row 3"]

    code, _, err, summary = migrate_ids(memu, capsys, *args, "--allow-unmapped")
    assert code == 0, err
    assert [r[0] for r in read_csv(tmp_path / "out.csv")] == ["id", known[5], "90001", "not-an-id", "90001", known[6]]
    assert summary["requests"] == 0  # the unknown id's negative answer came from the cache
    assert len(xref_requests(memu, "contacts")) == 1


def test_the_cli_batches_at_500_and_dedupes(memu, capsys, tmp_path):
    ids = list(range(1, 502))
    write_csv(tmp_path / "in.csv", ["id"], [[str(v)] for v in ids + ids[:200]])
    code, _, err, summary = migrate_ids(memu, capsys, "contacts", tmp_path / "in.csv", "-o", tmp_path / "out.csv",
                                        "--cache", tmp_path / "c.sqlite3")
    assert code == 0, err
    assert [len(b) for b in xref_requests(memu, "contacts")] == [500, 1]
    assert summary["read"] == 701 and summary["unique"] == 501 and summary["mapped"] == 501


def test_a_rerun_makes_no_request_and_a_migrated_file_stays_as_it_is(memu, capsys, tmp_path):
    write_csv(tmp_path / "in.csv", ["id"], [[str(v)] for v in range(1, 1201)])
    args = ("--cache", tmp_path / "c.sqlite3")
    assert migrate_ids(memu, capsys, "contacts", tmp_path / "in.csv", "-o", tmp_path / "out.csv", *args)[0] == 0
    seen = len(memu.requests)
    code, _, _, summary = migrate_ids(memu, capsys, "contacts", tmp_path / "in.csv", "-o", tmp_path / "again.csv", *args)
    assert code == 0 and summary["requests"] == 0 and len(memu.requests) == seen
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "out.csv").read_bytes()
    # the output fed back in (or OUTPUT == INPUT) is already migrated: nothing changes
    before = (tmp_path / "out.csv").read_bytes()
    code, _, err, summary = migrate_ids(memu, capsys, "contacts", tmp_path / "out.csv", "-o", tmp_path / "out.csv", *args)
    assert code == 0 and "already_v3=1200" in err and "changed=0" in err and summary["requests"] == 0
    assert (tmp_path / "out.csv").read_bytes() == before


def test_semicolon_csv_with_crlf_and_a_named_column_keeps_its_dialect(memu, capsys, tmp_path):
    known = v2_to_v3(memu, "lists")
    (tmp_path / "lists.csv").write_bytes(b"name;list_uri\r\nA;" + URI.format(kind="lists", id=3).encode() +
                                         b"\r\nB;4\r\n")
    code, _, err, _ = migrate_ids(memu, capsys, "lists", tmp_path / "lists.csv", "-o", tmp_path / "out.csv",
                                  "--column", "list_uri", "--cache", tmp_path / "c.sqlite3")
    assert code == 0, err
    assert (tmp_path / "out.csv").read_bytes() == f"name;list_uri\r\nA;{known[3]}\r\nB;{known[4]}\r\n".encode()


def test_a_missing_column_or_input_is_a_usage_error(memu, capsys, tmp_path):
    write_csv(tmp_path / "in.csv", ["email", "contact"], [["a@example.com", "1"]])
    code, _, err, _ = migrate_ids(memu, capsys, "contacts", tmp_path / "in.csv", "-o", tmp_path / "out.csv",
                                  "--cache", tmp_path / "c.sqlite3")
    assert code == 2 and "no column 'id'" in err and "'contact'" in err
    code, _, err, _ = migrate_ids(memu, capsys, "contacts", tmp_path / "nope.csv", "-o", tmp_path / "out.csv")
    assert code == 2 and "not found" in err
    code, _, err, _ = migrate_ids(memu, capsys, "contacts", tmp_path / "in.csv")
    assert code == 2 and "-o OUTPUT" in err
    assert not memu.requests


def test_dry_run_lists_the_changes_and_writes_nothing(memu, capsys, tmp_path):
    known = v2_to_v3(memu, "contacts")
    write_csv(tmp_path / "in.csv", ["id"], [["1"], ["2"], ["77777"]])
    code, out, err, summary = migrate_ids(memu, capsys, "contacts", tmp_path / "in.csv", "-o", tmp_path / "out.csv",
                                          "--cache", tmp_path / "c.sqlite3", "--dry-run")
    assert code == 1  # the real run would stop on the unmapped id
    assert out.splitlines()[:2] == [f"row 1\t1\t{known[1]}", f"row 2\t2\t{known[2]}"]
    assert out.splitlines()[2].startswith("row 3\t77777\tUNMAPPED")
    assert "would change=2" in err and summary["unmapped"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite3", "in.csv"]


# -- JSON Lines -----------------------------------------------------------------------------------

def test_json_lines_by_content_with_a_custom_key(memu, capsys, tmp_path):
    known = v2_to_v3(memu, "contacts")
    lines = ['{"contact": 21, "name": "Ann", "tags": ["a"]}', "", '{"name": "no id here"}',
             '{"contact": "' + URI.format(kind="contacts", id=22) + '", "n": 1}', '{"contact":"' + known[5] + '"}',
             '{"contact": "21"}']
    (tmp_path / "ids.data").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err, summary = migrate_ids(memu, capsys, "contacts", tmp_path / "ids.data", "-o", tmp_path / "out.data",
                                        "--column", "contact", "--cache", tmp_path / "c.sqlite3")
    assert code == 0, err
    out = (tmp_path / "out.data").read_text(encoding="utf-8").split("\n")
    assert json.loads(out[0]) == {"contact": known[21], "name": "Ann", "tags": ["a"]}
    assert out[1:3] == lines[1:3] and out[4] == lines[4]  # untouched lines are copied byte for byte
    assert json.loads(out[3]) == {"contact": known[22], "n": 1}
    assert json.loads(out[5]) == {"contact": known[21]}
    assert summary == {"read": 4, "unique": 2, "mapped": 2, "unmapped": 0, "requests": 2}


def test_campaign_ids_in_jsonl(memu, capsys, tmp_path):
    known = v2_to_v3(memu, "campaigns")
    v2s = [CAMPAIGN_V2_BASE + i for i in range(10)]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps({"id": v}) + "\n" for v in v2s))
    code, _, err, _ = migrate_ids(memu, capsys, "campaigns", tmp_path / "c.jsonl", "-o", tmp_path / "out.jsonl",
                                  "--cache", tmp_path / "c.sqlite3")
    assert code == 0, err
    assert [json.loads(line)["id"] for line in (tmp_path / "out.jsonl").read_text().splitlines()] == \
        [known[v] for v in v2s]
    assert xref_requests(memu, "campaigns") == [v2s]


def test_json_values_python_calls_equal_stay_apart(memu, capsys, tmp_path):
    """1, true, 1.0 and "1" are one dictionary key to Python; only 1 and "1" are V2 ids."""
    known = v2_to_v3(memu, "contacts")
    values = [True, 1, 1.0, "1", 2, True, " 2 ", 2.0, [2]]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps({"id": v}) + "\n" for v in values))
    code, _, err, summary = migrate_ids(memu, capsys, "contacts", tmp_path / "in.jsonl", "-o", tmp_path / "out.jsonl",
                                        "--cache", tmp_path / "c.sqlite3", "--allow-unmapped")
    assert code == 0, err
    out = [json.loads(line)["id"] for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert out == [True, known[1], 1.0, known[1], known[2], True, known[2], 2.0, [2]]
    assert summary == {"read": 9, "unique": 2, "mapped": 2, "unmapped": 4, "requests": 2}
    report = read_csv(tmp_path / "out.jsonl.unmapped.csv")
    assert [(r[0], r[3], r[4]) for r in report[1:]] == [("True", "2", "line 1"), ("1.0", "1", "line 3"),
                                                          ("2.0", "1", "line 8"), ("[2]", "1", "line 9")]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(min_value=-5, max_value=10 ** 20), st.booleans(), st.none(),
                 st.from_regex(r"\A[ \t]*[0-9\u0660-\u0669\uff10-\uff19]{0,21}[ \t\n]*\Z"), st.text(max_size=12),
                 st.integers(min_value=0, max_value=10 ** 21).map(lambda n: URI.format(kind="contacts", id=n))))
def test_classify_reads_every_value_as_the_legacy_parser_does(value):
    """classify's shortcuts for bare numbers and ints agree with ctct.legacy.ids.parse."""
    state, v2, _ = classify(value, "contacts")
    if value is None or (isinstance(value, str) and not value.strip()):
        assert state == BLANK
        return
    try:
        parsed = legacy_ids.parse(value, "contacts")
    except InvalidInputError:
        assert (state, v2) == (INVALID, None)
        return
    assert state == parsed.form and v2 == parsed.v2_number


def test_a_malformed_json_line_is_a_usage_error(memu, capsys, tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"id": 1}\n{"id": \n')
    code, _, err, _ = migrate_ids(memu, capsys, "contacts", tmp_path / "bad.jsonl", "-o", tmp_path / "out.jsonl")
    assert code == 2 and "bad.jsonl:2" in err
    assert not (tmp_path / "out.jsonl").exists()


# -- SQLite in place ------------------------------------------------------------------------------

def _make_table(path, ddl, rows):
    with sqlite3.connect(path) as db:
        db.execute(ddl)
        db.executemany("INSERT INTO members VALUES (?, ?, ?)", rows)
    db.close()


def _table(path, order="rowid"):
    db = sqlite3.connect(path)
    try:
        return db.execute(f"SELECT * FROM members ORDER BY {order}").fetchall()
    finally:
        db.close()


def test_sqlite_column_is_rewritten_in_place(memu, capsys, tmp_path):
    known = v2_to_v3(memu, "contacts")
    db = tmp_path / "app.db"
    rows = [(n, v2, f"note {n}") for n, v2 in enumerate([3, 4, 3, 900, None, 5], start=1)]
    _make_table(db, "CREATE TABLE members (n INTEGER, contact_ref INTEGER, note TEXT)", rows)
    args = ("contacts", "--sqlite", db, "--table", "members", "--column", "contact_ref",
            "--cache", tmp_path / "c.sqlite3")

    code, out, _, _ = migrate_ids(memu, capsys, *args, "--dry-run")
    assert code == 0 and out.splitlines()[0] == f"rowid 1\t3\t{known[3]}"
    assert _table(db) == rows  # a dry run writes nothing

    code, _, err, summary = migrate_ids(memu, capsys, *args)
    assert code == 0, err
    assert _table(db) == [(n, known[v2] if v2 else None, note) for n, v2, note in rows]
    # the dry run's answers went to the cache, so the real run needs no request
    assert summary == {"read": 5, "unique": 4, "mapped": 4, "unmapped": 0, "requests": 0}
    seen = len(memu.requests)
    code, _, err, summary = migrate_ids(memu, capsys, *args)
    assert code == 0 and "changed=0" in err and len(memu.requests) == seen


def test_sqlite_unmapped_ids_leave_the_table_untouched(memu, capsys, tmp_path):
    db = tmp_path / "app.db"
    rows = [(1, "7", "x"), (2, "123456", "y")]
    _make_table(db, "CREATE TABLE members (n INTEGER, cid TEXT, note TEXT)", rows)
    code, _, err, _ = migrate_ids(memu, capsys, "contacts", "--sqlite", db, "--table", "members", "--column", "cid",
                                  "--cache", tmp_path / "c.sqlite3")
    assert code == 1 and _table(db) == rows
    assert read_csv(f"{db}.members.unmapped.csv")[1][:2] == ["123456", "123456"]


def test_sqlite_without_rowid_where_the_id_is_the_key(memu, capsys, tmp_path):
    known = v2_to_v3(memu, "contacts")
    db = tmp_path / "app.db"
    rows = [(v2, 10 + v2, "x") for v2 in range(1, 251)]
    _make_table(db, "CREATE TABLE members (cid TEXT PRIMARY KEY, score INTEGER, note TEXT) WITHOUT ROWID",
                [(str(a), b, c) for a, b, c in rows])
    code, _, err, _ = migrate_ids(memu, capsys, "contacts", "--sqlite", db, "--table", "members", "--column", "cid",
                                  "--batch-rows", "40", "--cache", tmp_path / "c.sqlite3")
    assert code == 0, err
    assert sorted(_table(db, "score")) == sorted((known[v2], score, note) for v2, score, note in rows)


def test_sqlite_columns_that_cannot_hold_v3_ids_are_refused_before_any_request(memu, capsys, tmp_path):
    db = tmp_path / "app.db"
    _make_table(db, "CREATE TABLE members (id INTEGER PRIMARY KEY, b TEXT, c TEXT)", [(1, "a", "b")])
    code, _, err, _ = migrate_ids(memu, capsys, "contacts", "--sqlite", db, "--table", "members", "--column", "id")
    assert code == 2 and "INTEGER PRIMARY KEY" in err
    code, _, err, _ = migrate_ids(memu, capsys, "contacts", "--sqlite", db, "--table", "nope", "--column", "b")
    assert code == 2 and "no table 'nope'" in err
    assert not memu.requests
    if sqlite3.sqlite_version_info < (3, 37):
        return  # STRICT tables arrived in SQLite 3.37
    strict = tmp_path / "strict.db"
    _make_table(strict, "CREATE TABLE members (n INTEGER, cid INTEGER, c TEXT) STRICT", [(1, 8, "z")])
    code, _, err, _ = migrate_ids(memu, capsys, "contacts", "--sqlite", strict, "--table", "members",
                                  "--column", "cid", "--cache", tmp_path / "c.sqlite3")
    assert code == 2 and "nothing of this batch was written" in err
    assert _table(strict) == [(1, 8, "z")]


# -- kill -9 and resume (the tool as a subprocess) ------------------------------------------------

def _expected_csv(known, ids):
    return [["id", "note"]] + [[known[v], f"n{i}"] for i, v in enumerate(ids)]


def test_kill_9_between_xref_batches_then_a_clean_resume(memu, tmp_path):
    known = v2_to_v3(memu, "contacts")
    ids = [v for v in range(1, 2601)] + list(range(1, 400))  # 2600 unique: 6 batches
    write_csv(tmp_path / "in.csv", ["id", "note"], [[str(v), f"n{i}"] for i, v in enumerate(ids)])
    cache = tmp_path / "c.sqlite3"
    args = ("contacts", tmp_path / "in.csv", "-o", tmp_path / "out.csv", "--cache", cache)

    code, _, _ = run_tool(memu, *args, crash="xref-batch:2")
    assert code == -signal.SIGKILL
    assert not (tmp_path / "out.csv").exists()
    first_run = xref_requests(memu, "contacts")
    assert len(first_run) == 2 and cached_ids(cache) == set(first_run[0] + first_run[1])

    code, _, err = run_tool(memu, *args)
    assert code == 0, err
    second_run = xref_requests(memu, "contacts")[2:]
    assert [len(b) for b in second_run] == [500, 500, 500, 100]  # only what was never answered
    assert not set(v for b in second_run for v in b) & set(first_run[0] + first_run[1])
    assert read_csv(tmp_path / "out.csv") == _expected_csv(known, ids)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite3", "in.csv", "out.csv"]


def test_kill_9_while_writing_the_output_in_place_loses_nothing(memu, tmp_path):
    known = v2_to_v3(memu, "contacts")
    ids = list(range(1, 1001))
    write_csv(tmp_path / "data.csv", ["id", "note"], [[str(v), f"n{i}"] for i, v in enumerate(ids)])
    original = (tmp_path / "data.csv").read_bytes()
    args = ("contacts", tmp_path / "data.csv", "-o", tmp_path / "data.csv", "--cache", tmp_path / "c.sqlite3")

    for crash in ("output-rows:600", "before-rename:1"):
        code, _, _ = run_tool(memu, *args, crash=crash)
        assert code == -signal.SIGKILL
        assert (tmp_path / "data.csv").read_bytes() == original  # OUTPUT (here INPUT) is never half-written
    assert len(xref_requests(memu, "contacts")) == 2

    code, _, err = run_tool(memu, *args)
    assert code == 0, err
    assert "requests=0" in err and len(xref_requests(memu, "contacts")) == 2
    assert read_csv(tmp_path / "data.csv") == _expected_csv(known, ids)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite3", "data.csv"]


def test_kill_9_mid_sqlite_rewrite_then_resume(memu, tmp_path):
    known = v2_to_v3(memu, "contacts")
    db = tmp_path / "app.db"
    rows = [(n, (n % 700) + 1, f"note {n}") for n in range(1, 1001)]
    _make_table(db, "CREATE TABLE members (n INTEGER, contact_ref INTEGER, note TEXT)", rows)
    args = ("contacts", "--sqlite", db, "--table", "members", "--column", "contact_ref", "--batch-rows", "100",
            "--cache", tmp_path / "c.sqlite3")

    code, _, _ = run_tool(memu, *args, crash="sqlite-batch:3")
    assert code == -signal.SIGKILL
    halfway = _table(db)
    migrated = [r for r in halfway if isinstance(r[1], str)]
    assert len(halfway) == 1000 and len(migrated) == 300  # three whole batches, nothing torn
    assert all(r[1] == known[old[1]] for r, old in zip(halfway, rows) if isinstance(r[1], str))

    code, _, err = run_tool(memu, *args)
    assert code == 0, err
    assert "requests=0" in err and "already_v3=300" in err and "changed=700" in err
    assert _table(db) == [(n, known[v2], note) for n, v2, note in rows]


def test_kill_9_from_outside_at_an_arbitrary_moment(memu, tmp_path):
    """SIGKILL sent by the test while requests are in flight (paced at 5/s so the run takes
    ~1.4 s); the resume must not ask again for anything the cache holds."""
    known = v2_to_v3(memu, "contacts")
    ids = list(range(1, 3001))
    write_csv(tmp_path / "in.csv", ["id", "note"], [[str(v), f"n{i}"] for i, v in enumerate(ids)])
    cache = tmp_path / "c.sqlite3"
    args = ("contacts", tmp_path / "in.csv", "-o", tmp_path / "out.csv", "--cache", cache)

    proc = tool_process(memu, *args, rate_limit="5")
    deadline = time.monotonic() + 60
    while len(xref_requests(memu, "contacts")) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    answered_before = cached_ids(cache)
    asked_before = {v for b in xref_requests(memu, "contacts") for v in b}
    assert answered_before <= asked_before and len(answered_before) >= 1000
    assert not (tmp_path / "out.csv").exists()

    count_before = len(xref_requests(memu, "contacts"))
    code, _, err = run_tool(memu, *args)
    assert code == 0, err
    asked_after = [v for b in xref_requests(memu, "contacts")[count_before:] for v in b]
    assert not set(asked_after) & answered_before
    assert set(asked_after) | answered_before == set(ids)
    assert read_csv(tmp_path / "out.csv") == _expected_csv(known, ids)


def test_non_utf8_input_is_a_usage_error(memu, capsys, tmp_path):
    (tmp_path / "latin.csv").write_bytes("id,name\n1,Jos\xe9\n".encode("latin-1"))
    code, _, err, _ = migrate_ids(memu, capsys, "contacts", tmp_path / "latin.csv", "-o", tmp_path / "out.csv",
                                  "--cache", tmp_path / "c.sqlite3")
    assert code == 2 and "UTF-8" in err
    assert not (tmp_path / "out.csv").exists()


def test_xref_export_and_import_commands_carry_the_mapping_to_another_cache(memu, capsys, tmp_path):
    known = v2_to_v3(memu, "contacts")
    write_csv(tmp_path / "in.csv", ["id"], [[str(v)] for v in (1, 2, 3, 99999)])
    args = ("contacts", tmp_path / "in.csv", "-o", tmp_path / "out.csv", "--allow-unmapped")
    assert migrate_ids(memu, capsys, *args, "--cache", tmp_path / "a.sqlite3")[0] == 0
    for name in ("mapping.csv", "mapping.json"):
        assert main(["xref-export", str(tmp_path / name), "--cache", str(tmp_path / "a.sqlite3")]) == 0
        assert "4 xref(s) written" in capsys.readouterr().err
    assert main(["xref-export", str(tmp_path / "mapped.csv"), "--cache", str(tmp_path / "a.sqlite3"),
                 "--mapped-only", "--kind", "contacts"]) == 0
    assert len(read_csv(tmp_path / "mapped.csv")) == 4  # header + 3 mapped
    assert main(["xref-import", str(tmp_path / "mapping.json"), "--cache", str(tmp_path / "b.sqlite3")]) == 0
    assert "4 xref(s) loaded" in capsys.readouterr().err

    memu.inject(404, times=10, path="/contacts/contact_id_xrefs")  # the endpoints are gone
    xrefs_before = len(xref_requests(memu, "contacts"))
    code, _, err, summary = migrate_ids(memu, capsys, *args, "--cache", tmp_path / "b.sqlite3", "-o",
                                        tmp_path / "out2.csv")
    assert code == 0, err
    assert len(xref_requests(memu, "contacts")) == xrefs_before
    assert [r[0] for r in read_csv(tmp_path / "out2.csv")] == ["id", known[1], known[2], known[3], "99999"]
    (tmp_path / "broken.csv").write_text("kind,v2_id,v3_id\nfriends,1,x\n")
    assert main(["xref-import", str(tmp_path / "broken.csv"), "--cache", str(tmp_path / "b.sqlite3")]) == 2
    assert "row 2" in capsys.readouterr().err


def test_the_tool_rides_out_429_and_5xx(memu, capsys, tmp_path):
    known = v2_to_v3(memu, "contacts")
    write_csv(tmp_path / "in.csv", ["id"], [[str(v)] for v in range(1, 601)])
    memu.inject(429, times=1, path="/contacts/contact_id_xrefs")
    memu.inject(503, times=1, path="/contacts/contact_id_xrefs")
    code, _, err, summary = migrate_ids(memu, capsys, "contacts", tmp_path / "in.csv", "-o", tmp_path / "out.csv",
                                        "--cache", tmp_path / "c.sqlite3")
    assert code == 0, err
    assert [r.status for r in memu.requests if r.path == "/contacts/contact_id_xrefs"] == [429, 503, 200, 200]
    assert summary["requests"] == 5  # account lookup + 2 batches + 2 retries
    assert [r[0] for r in read_csv(tmp_path / "out.csv")[1:]] == [known[v] for v in range(1, 601)]
