"""The event-driven reader under both `parse()` and `iterparse()`.

lxml's iterparse reports only the elements that matter at the top (entries, and the feed's
id and links); each entry becomes a legacy dict as soon as it ends and is then cleared along
with its already-read siblings, so memory stays flat however many entries a feed has.
"""
import re

from lxml import etree

from . import detect, names, read
from .errors import AtomError
from .names import local
from .safety import PARSER_OPTIONS, PROLOG_WINDOW, check_prolog, make_parser

_EVENT_TAGS = ("{*}feed", "{*}entry", "{*}service", "{*}id", "{*}link")
_ROOTS = ("feed", "entry", "service")


class SyntaxProblem:
    """What stopped libxml2: code, message and position. The exception lxml raises can carry
    a generic message at (0, 0) (seen with resolve_entities=False); its error log then has
    the real error: the last fatal one (a strict parse stops at its first, and the log can
    still hold entries of earlier parses)."""

    def __init__(self, error):
        entry = None
        if not error.position or error.position == (0, 0):
            for logged in getattr(error, "error_log", None) or ():
                if logged.level_name == "FATAL":
                    entry = logged
        if entry is not None:
            self.code, message, self.line, self.column = entry.type, entry.message, entry.line, entry.column
        else:
            position = error.position or (None, None)
            self.code, message, (self.line, self.column) = error.code, error.msg, position
        self.message = re.sub(r", line \d+, column \d+\s*$", "", (message or "").strip())

    @property
    def position(self):
        return (self.line, self.column) if self.line else None

    def __str__(self):
        return f"line {self.line}, column {self.column}: {self.message}"


_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))


class Source:
    """A binary reader that tracks where the input ends (last line, its length in characters),
    so a syntax error at the very end (a payload cut short) can be told from damage inside."""

    def __init__(self, stream, head=b""):
        self._stream = stream
        self._head = head
        self.newlines = 0
        self.last_line_chars = 0
        self.eof = False

    def read(self, size=-1):
        if self._head:
            chunk, self._head = self._head, b""
            if size is not None and 0 <= size < len(chunk):
                chunk, self._head = chunk[:size], chunk[size:]
        else:
            chunk = self._stream.read(size)
            if isinstance(chunk, str):  # a text-mode file: hand lxml UTF-8 bytes
                chunk = chunk.encode("utf-8")
        if not chunk:
            self.eof = True
            return b""
        breaks = chunk.count(b"\n")
        tail = chunk[chunk.rfind(b"\n") + 1:] if breaks else chunk
        characters = len(tail.translate(None, _UTF8_CONTINUATION))
        self.last_line_chars = characters if breaks else self.last_line_chars + characters
        self.newlines += breaks
        return chunk

    @property
    def last_line(self):
        return self.newlines + 1

    def at_end(self, line, column):
        """Whether (line, column) is the end of everything read."""
        return self.eof and line == self.last_line and (column or 0) >= self.last_line_chars


def open_source(stream, kind):
    """Wrap a binary stream, refusing a dangerous prolog before any parsing."""
    head = stream.read(PROLOG_WINDOW)
    if isinstance(head, str):
        head = head.encode("utf-8")
    check_prolog(head, kind)
    return Source(stream, head)


class FeedReading:
    """One pass over a payload. Iterate `items()`; afterwards `.error` holds the syntax error
    that stopped it (if any), and `.kind`, `.next`, `.root_done`, `.truncated` what was seen."""

    def __init__(self, source, kind, notes, recover=False, observe=None):
        self.source = source
        self.observe = observe  # observe(view, kind) -> extra data kept in .extras per item
        self.extras = []
        self.kind = kind
        self.forced = kind is not None
        self.notes = notes
        self.recover = recover
        self.next = None
        self.root = None
        self.root_name = None
        self.feed_id = None
        self.self_links = []
        self.root_done = False
        self.entries = 0
        self.error = None

    @property
    def truncated(self):
        if self.error is None or self.root_done or not self.source.eof:
            return False
        return self.source.at_end(self.error.line, self.error.column)

    def items(self):
        """The legacy dicts, streamed. In recover mode the whole payload is parsed into one
        tree first: lxml's recover mode repairs far more in a full parse than in the
        incremental one iterparse uses (which gives up at the first error)."""
        if self.recover:
            yield from self._recovered_items()
            return
        events = etree.iterparse(self.source, events=("end",), tag=_EVENT_TAGS, **PARSER_OPTIONS)
        try:
            for _, element in events:
                parent = element.getparent()
                item = self._visit(element, parent)
                if parent is not None and parent is self.root and self.root_name == "feed":
                    # flat memory: drop each read entry and everything before it
                    element.clear()
                    while element.getprevious() is not None:
                        del parent[0]
                if item is not None:
                    yield item
        except etree.XMLSyntaxError as error:
            self.error = SyntaxProblem(error)
            if not self.root_done:
                return
        yield from self._finish(self.root if self.root is not None else events.root)

    def _recovered_items(self):
        data = b"".join(iter(lambda: self.source.read(1 << 20), b""))
        parser = make_parser(recover=True)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as error:
            self.error = SyntaxProblem(error)
            return
        if root is None:
            return
        for child in root:
            if local(child.tag) in ("entry", "id", "link"):
                item = self._visit(child, root)
                if item is not None:
                    yield item
        item = self._visit(root, None)
        if item is not None:
            yield item
        yield from self._finish(root)

    def _visit(self, element, parent):
        """Handle one element the reader cares about; the item of an entry, else None."""
        if self.root is None:
            self._on_root(element.getroottree().getroot())
        if parent is None:
            self.root_done = True
            return self._entry(element) if self.root_name == "entry" else None
        if parent is not self.root or self.root_name != "feed":
            return None  # ids and links inside entries, atom:source, ...
        name = local(element.tag)
        if name == "entry":
            return self._entry(element)
        if name == "id" and self.feed_id is None:
            self.feed_id = read.clean_uri(element.text or "")
        elif name == "link":
            self._feed_link(element)
        return None

    def _finish(self, root):
        if root is None:
            return
        if self.root is None:
            self._on_root(root)
        self.root_done = True
        if self.root_name == "service":
            yield from self._service(root)
        elif self.root_name == "feed" and not self.detect_empty_kind():
            raise AtomError("an empty feed names no known collection; pass kind= to read it",
                            position=(root.sourceline, None))

    def detect_empty_kind(self):
        """The kind of a feed that gave no entry to tell it by: its id or self links say.
        Returns the kind (also kept in .kind), or None."""
        if self.kind is None:
            self.kind = detect.kind_of_uri(self.feed_id) or next(
                (k for k in map(detect.kind_of_uri, self.self_links) if k), None)
        return self.kind

    # --- pieces ---------------------------------------------------------------------------

    def _on_root(self, root):
        self.root = root
        self.root_name = name = local(root.tag)
        if name not in _ROOTS:
            raise AtomError(f"<{name}> is not an Atom feed, entry or service document",
                            kind=self.kind, position=(root.sourceline, None))
        expected = names.APP if name == "service" else names.ATOM
        namespace = names.namespace(root.tag)
        if namespace != expected:
            what = "no namespace" if not namespace else f"namespace {namespace!r}"
            self.notes.warn(("root-ns",), f"<{name}> has {what}; read as {expected}")
        if self.forced:
            if (name == "service") != (self.kind == "service"):
                raise AtomError(f"a <{name}> document cannot be read as {self.kind}",
                                kind=self.kind, position=(root.sourceline, None))

    def _feed_link(self, element):
        rel = element.get("rel")
        href = element.get("href")
        if rel == "next" and self.next is None:
            self.next = (href or "").strip()
        elif rel in (None, "self", "first", "current") and href:
            self.self_links.append(href)

    def _entry(self, element):
        view = read.EntryView(element, self.notes)
        body = view.body
        position = (element.sourceline, None)
        if body is None:
            if self.kind is None and self.entries == 0:
                raise AtomError("the entry holds no Constant Contact content", position=position)
            self.notes.warn(("no-body",), "an entry without content was skipped")
            return None
        if body.name and names.namespace(body.element.tag) != names.CTCT:
            self.notes.warn(("body-ns",), f"<{body.name}> is not in the Constant Contact namespace; read by name")
        if self.kind is None:
            uris = (self.feed_id, read.clean_uri(view.atom_id), body.element.get("id"))
            self.kind = detect.kind_of_body(body.name, self.root_name == "feed", uris)
            if self.kind is None:
                raise AtomError(f"<{body.name}> is not a Constant Contact element", position=position)
        elif not read.body_fits(self.kind, body.name):
            if self.entries == 0 and self.forced:
                raise AtomError(f"the payload holds <{body.name}> entries, not {self.kind}",
                                kind=self.kind, position=position)
            self.notes.warn(("misfit", body.name), f"a <{body.name}> entry in a {self.kind} payload was skipped")
            return None
        self.entries += 1
        item = read.ENTRY_READERS[self.kind](view, self.notes)
        if self.observe is not None:
            self.extras.append(self.observe(view, self.kind))
        return item

    def _service(self, root):
        if self.kind not in (None, "service"):
            raise AtomError(f"a service document cannot be read as {self.kind}", kind=self.kind)
        self.kind = "service"
        yield from read.read_service(root, self.notes)
