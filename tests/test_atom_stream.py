"""atom.iterparse: the same dicts as parse(), one entry at a time, in flat memory."""
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ctct import atom

from .atom_support import FeedStream, feed_bytes
from .conftest import ATOM_FIXTURES

REPO = Path(__file__).resolve().parent.parent
FIXTURES = sorted(p.name for p in ATOM_FIXTURES.glob("*.xml"))


@pytest.mark.parametrize("name", FIXTURES)
def test_iterparse_gives_what_parse_gives(name):
    path = ATOM_FIXTURES / name
    parsed = atom.parse(path.read_bytes())
    stream = atom.iterparse(path)
    items = list(stream)
    assert (stream.kind, items, stream.next) == (parsed.kind, parsed.items, parsed.next)
    assert stream.warnings == parsed.warnings


def test_iterparse_accepts_str_paths_bytes_and_files():
    path = ATOM_FIXTURES / "contacts_feed.xml"
    expected = atom.parse(path.read_bytes()).items
    assert list(atom.iterparse(str(path))) == expected
    assert list(atom.iterparse(path.read_bytes())) == expected
    with open(path, "rb") as binary:
        assert list(atom.iterparse(binary)) == expected
    with open(path, encoding="utf-8") as text:
        assert list(atom.iterparse(text)) == expected
    with pytest.raises(TypeError):
        atom.iterparse(42)


def test_kind_and_next_are_known_as_soon_as_the_first_item_is():
    stream = atom.iterparse(FeedStream(3))
    first = next(stream)
    assert stream.kind == "contacts" and stream.next == "/ws/customers/joesflowers/contacts?next=page2"
    assert first["email_address"] == "user1@example.com"
    assert [item["id"].rsplit("/", 1)[1] for item in stream] == ["2", "3"]


def test_forced_kind_and_warnings_while_streaming(caplog):
    data = (ATOM_FIXTURES / "contact_entry_trailing_quote.xml").read_bytes()
    stream = atom.iterparse(io.BytesIO(data), kind="contacts")
    items = list(stream)
    assert stream.kind == "contacts" and items[0]["email_address"] == "jon@example.com"
    assert any("after the root element" in w for w in stream.warnings)
    assert any("after the root element" in r.getMessage() for r in caplog.records)


def test_a_truncated_stream_yields_its_complete_entries():
    data = feed_bytes(10)[:-3000]
    stream = atom.iterparse(io.BytesIO(data))
    items = list(stream)
    assert 5 <= len(items) < 10
    assert [int(item["id"].rsplit("/", 1)[1]) for item in items] == list(range(1, len(items) + 1))
    assert any("cut short" in w for w in stream.warnings)


def test_damage_mid_stream_is_reread_tolerantly_without_repeating_items():
    damaged = feed_bytes(6).replace(b"Smith, User 4", b"Smith&nbsp;User 4")
    stream = atom.iterparse(io.BytesIO(damaged))
    items = list(stream)
    assert [item["name"] for item in items][2:5] == ["Smith, User 3", "Smith\u00a0User 4", "Smith, User 5"]
    assert len(items) == 6
    assert any("entities" in w for w in stream.warnings)


class _OneWay(io.RawIOBase):
    def __init__(self, data):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def seekable(self):
        return False

    def readinto(self, buffer):
        chunk = self._data.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)


def test_damage_in_a_stream_that_cannot_be_reread_is_an_atom_error_with_position():
    damaged = feed_bytes(6).replace(b"Smith, User 4", b"Smith &nbsp; User 4")
    stream = atom.iterparse(_OneWay(damaged))
    seen = []
    with pytest.raises(atom.AtomError) as caught:
        for item in stream:
            seen.append(item)
    assert len(seen) == 3  # the entries before the damage were given
    assert caught.value.kind == "contacts" and caught.value.line > 1


_MEMORY_PROBE = """
import json, resource, sys
sys.path.insert(0, {repo!r})
from ctct import atom
from tests.atom_support import FeedStream
count = 0
for item in atom.iterparse(FeedStream({entries})):
    count += 1
print(json.dumps({{"count": count, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def _stream_in_subprocess(entries):
    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE.format(repo=str(REPO), entries=entries)],
                         capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout)


def test_memory_stays_flat_with_the_number_of_entries():
    small = _stream_in_subprocess(2_000)
    large = _stream_in_subprocess(60_000)  # ~55 MB of XML; a kept tree would take over 100 MB
    assert (small["count"], large["count"]) == (2_000, 60_000)
    assert large["maxrss_kb"] - small["maxrss_kb"] < 20_000


def test_damaged_files_over_the_repair_limit_are_refused_with_position(tmp_path):
    path = tmp_path / "damaged.xml"
    path.write_bytes(feed_bytes(20).replace(b"Smith, User 4", b"Smith &nbsp; User 4"))
    stream = atom.iterparse(path, max_repair_bytes=1000)
    with pytest.raises(atom.AtomError, match="not repaired") as caught:
        list(stream)
    assert caught.value.line > 1
