"""Hostile XML: entity bombs, external entities (files and the network), oversized and
over-deep input are refused fast, before anything is expanded, fetched or held in memory."""
import http.server
import io
import threading
import time
import tracemalloc

import pytest

from ctct import atom

FEED_START = b'<feed xmlns="http://www.w3.org/2005/Atom"><id>http://api.constantcontact.com/ws/customers/u/contacts</id>'
ENTRY = (b'<entry><id>http://api.constantcontact.com/ws/customers/u/contacts/1</id>'
         b'<content type="application/vnd.ctct+xml"><Contact xmlns="http://ws.constantcontact.com/ns/1.0/">'
         b'<Name>%s</Name><EmailAddress>a@example.com</EmailAddress></Contact></content></entry>')


def feed(doctype=b"", name=b"x"):
    return b"<?xml version='1.0'?>\n" + doctype + b"\n" + FEED_START + ENTRY % name + b"</feed>"


BILLION_LAUGHS = feed(b"""<!DOCTYPE feed [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>""", b"&lol9;")

QUADRATIC = feed(b'<!DOCTYPE feed [<!ENTITY a "' + b"A" * 50_000 + b'">]>', b"&a;" * 50_000)
XXE_FILE = feed(b'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;")
PARAMETER_ENTITY = feed(b'<!DOCTYPE feed [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>')


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, QUADRATIC, XXE_FILE, PARAMETER_ENTITY],
                         ids=["billion-laughs", "quadratic-blowup", "xxe-file", "parameter-entity"])
def test_entity_declarations_are_refused_fast_in_bounded_memory(payload):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(atom.AtomError, match="DOCTYPE") as caught:
            atom.parse(payload)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 5  # a sanity bound, not a benchmark: expansion would take minutes
    assert peak < 10 * len(payload) + 1_000_000
    assert caught.value.line == 2  # where the DOCTYPE starts
    with pytest.raises(atom.AtomError, match="DOCTYPE"):
        list(atom.iterparse(io.BytesIO(payload)))


def test_utf16_encoded_bomb_is_refused_too():
    payload = BILLION_LAUGHS.decode("utf-8").replace("<?xml version='1.0'?>", "<?xml version='1.0' encoding='UTF-16'?>")
    with pytest.raises(atom.AtomError, match="DOCTYPE"):
        atom.parse(payload.encode("utf-16"))


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        self.hits.append(self.path)
        body = b'<!ENTITY stolen "from the network">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def dtd_server():
    _CountingHandler.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _CountingHandler.hits
    finally:
        server.shutdown()
        server.server_close()


def test_external_dtd_and_network_entities_are_never_fetched(dtd_server):
    base, hits = dtd_server
    payloads = [
        feed(f'<!DOCTYPE feed SYSTEM "{base}/evil.dtd">'.encode(), b"&stolen;"),
        feed(f'<!DOCTYPE feed [<!ENTITY net SYSTEM "{base}/net">]>'.encode(), b"&net;"),
        feed(f'<!DOCTYPE feed PUBLIC "-//X//EN" "{base}/public.dtd">'.encode()),
    ]
    for payload in payloads:
        with pytest.raises(atom.AtomError):
            atom.parse(payload)
        with pytest.raises(atom.AtomError):
            list(atom.iterparse(io.BytesIO(payload)))
    # The tolerant paths never reach the network either: an undeclared entity is repaired as text.
    assert atom.parse(feed(b"", b"&stolen;")).items[0]["name"] == "&stolen;"
    assert hits == []


def test_a_bare_doctype_is_harmless_and_allowed():
    parsed = atom.parse(feed(b"<!DOCTYPE feed>"))
    assert parsed.kind == "contacts" and parsed.items[0]["name"] == "x"


def test_xinclude_is_not_processed():
    name = b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
    item = atom.parse(feed(b"", name)).items[0]
    assert item["name"] == ""  # the element is there, nothing was included


def test_parse_refuses_oversized_input_before_reading_it():
    payload = feed(b"", b"y" * 5000)
    with pytest.raises(atom.AtomError, match="limit") as caught:
        atom.parse(payload, max_bytes=1000)
    assert caught.value.kind is None
    assert atom.parse(payload, max_bytes=None).items[0]["name"] == "y" * 5000
    with pytest.raises(atom.AtomError, match="limit"):
        atom.parse(payload.decode(), kind="contacts", max_bytes=1000)
    assert atom.MAX_PARSE_BYTES == 100 * 1024 * 1024


class _EndlessPayload(io.RawIOBase):
    """A 1 GB feed whose first entry's <Name> never ends, produced on demand."""

    def __init__(self, total=1 << 30):
        self.head = FEED_START + ENTRY.split(b"%s")[0]
        self.total = total
        self.served = 0

    def readable(self):
        return True

    def read(self, size=-1):
        size = 65536 if size is None or size < 0 else size
        if self.served >= self.total:
            return b""
        if self.served < len(self.head):
            chunk = self.head[self.served:self.served + size]
        else:
            chunk = b"z" * min(size, self.total - self.served)
        self.served += len(chunk)
        return chunk


def test_a_1gb_payload_fails_fast_in_bounded_memory():
    stream = _EndlessPayload()
    tracemalloc.start()
    try:
        with pytest.raises(atom.AtomError) as caught:
            list(atom.iterparse(stream, kind="contacts"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # libxml2 stops a text node at 10 MB without huge_tree; nothing near 1 GB was read or kept.
    assert stream.served < 64 * 1024 * 1024
    assert peak < 64 * 1024 * 1024
    assert caught.value.kind == "contacts" and caught.value.line == 1


def test_over_deep_nesting_is_refused():
    deep = FEED_START + b"<entry>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</entry></feed>"
    with pytest.raises(atom.AtomError):
        atom.parse(deep, kind="contacts")
