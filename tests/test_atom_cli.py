"""`ctct atom2json` and `ctct json2atom`: archives to JSON and back."""
import io
import json
import subprocess
import sys

import pytest

from ctct import atom
from ctct.cli import main

from .conftest import ATOM_FIXTURES


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_atom2json_one_file(capsys, caplog):
    path = ATOM_FIXTURES / "contacts_feed_paged.xml"
    status, out, err = run(capsys, "atom2json", str(path))
    document = json.loads(out)
    assert status == 0
    assert document["file"] == str(path) and document["kind"] == "contacts"
    assert document["next"] == "/ws/customers/joesflowers/contacts?next=g24umerp-fymhqg"
    assert document["items"] == atom.parse(path.read_bytes()).items
    assert document["warnings"] and err == ""
    # ... and is logged on "ctct" (Python prints it on stderr when logging is not set up)
    assert any(f"{path}: an id wrapped" in r.getMessage() for r in caplog.records)


def test_atom2json_several_files_and_a_bad_one(capsys, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<feed")
    good = [ATOM_FIXTURES / "contact_list_entry.xml", ATOM_FIXTURES / "service_document.xml"]
    status, out, err = run(capsys, "atom2json", str(good[0]), str(bad), str(good[1]), str(tmp_path / "missing.xml"))
    documents = json.loads(out)
    assert status == 1
    assert [d["kind"] for d in documents] == ["contact_list", "service"]
    assert f"{bad}: Atom payload" in err and "line 1" in err and "missing.xml" in err


def test_atom2json_lines_streams_items(capsys):
    path = ATOM_FIXTURES / "list_members_feed_large.xml"
    status, out, _ = run(capsys, "atom2json", "--lines", "--kind", "list_members", str(path))
    lines = out.splitlines()
    assert status == 0 and len(lines) == 50
    assert json.loads(lines[0])["email_address"] == "winston_stiedemann@mcdermottrobel.uk"


def test_json2atom_round_trips_atom2json_output(capsys, tmp_path):
    path = ATOM_FIXTURES / "contact_lists_feed_page1.xml"
    run(capsys, "atom2json", str(path))
    json_file = tmp_path / "lists.json"
    status, out, _ = run(capsys, "atom2json", str(path))
    json_file.write_text(out)
    status = main(["json2atom", "contact_lists", str(json_file), "-o", str(tmp_path / "out.xml")])
    assert status == 0
    again = atom.parse((tmp_path / "out.xml").read_bytes())
    assert again == atom.parse(path.read_bytes())
    assert again.next == "/ws/customers/username/lists?next=6"


def test_json2atom_takes_a_plain_list_or_a_single_item(capsys, tmp_path, monkeypatch):
    item = atom.parse((ATOM_FIXTURES / "contact_entry.xml").read_bytes()).items[0]
    (tmp_path / "one.json").write_text(json.dumps(item))
    status = main(["json2atom", "contact", str(tmp_path / "one.json")])
    out = capsys.readouterr().out
    assert status == 0 and atom.parse(out).items == [item]
    summaries = atom.parse((ATOM_FIXTURES / "contacts_feed.xml").read_bytes()).items
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(summaries).encode())))
    status = main(["json2atom", "contacts", "-", "--next", "/ws/customers/joesflowers/contacts?next=2"])
    parsed = atom.parse(capsys.readouterr().out)
    assert status == 0 and parsed.next == "/ws/customers/joesflowers/contacts?next=2"
    assert parsed.items == summaries


@pytest.mark.parametrize("content, kind, code, message", [
    ("not json", "contacts", 2, "not JSON"),
    ('{"kind": "campaigns", "items": []}', "contacts", 2, "campaigns items"),
    ('[{"bogus": 1}]', "contacts", 1, "bogus"),
    ("42", "contacts", 1, "list of dicts"),
    ("[]", "people", 1, "unknown kind"),
])
def test_json2atom_errors(capsys, tmp_path, content, kind, code, message):
    source = tmp_path / "in.json"
    source.write_text(content)
    status, out, err = run(capsys, "json2atom", kind, str(source))
    assert status == code and out == "" and message in err


def test_console_entry_point_runs():
    path = ATOM_FIXTURES / "campaigns_feed.xml"
    done = subprocess.run([sys.executable, "-m", "ctct", "atom2json", "--indent", "0", str(path)],
                          capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(done.stdout)["kind"] == "campaigns"
