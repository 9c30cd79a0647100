"""The event-driven reader under both `parse()` and `iterparse()`.

lxml's iterparse reports only the elements that matter at the top (entries, and the feed's
id and links); each entry becomes a legacy dict as soon as it ends and is then cleared along
with its already-read siblings, so memory stays flat however many entries a feed has.
"""
from lxml import etree

from . import detect, names, read
from .errors import AtomError
from .names import local
from .safety import PARSER_OPTIONS, PROLOG_WINDOW, check_prolog

_EVENT_TAGS = ("{*}feed", "{*}entry", "{*}service", "{*}id", "{*}link")
_ROOTS = ("feed", "entry", "service")


class Source:
    """A binary reader that counts what it served, so a syntax error can be told apart from
    a payload cut short (the error then sits on the last line of the input)."""

    def __init__(self, stream, head=b""):
        self._stream = stream
        self._head = head
        self.newlines = 0
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
        self.newlines += chunk.count(b"\n")
        return chunk

    @property
    def last_line(self):
        return self.newlines + 1


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
        line = self.error.position[0] if self.error.position else 0
        return line >= self.source.last_line - 1

    def items(self):
        events = etree.iterparse(self.source, events=("end",), tag=_EVENT_TAGS,
                                 recover=self.recover, **PARSER_OPTIONS)
        try:
            for _, element in events:
                parent = element.getparent()
                if self.root is None:
                    self._on_root(element.getroottree().getroot())
                if parent is None:
                    self.root_done = True
                    if self.root_name == "entry":
                        item = self._entry(element)
                        if item is not None:
                            yield item
                    continue
                if parent is not self.root or self.root_name != "feed":
                    continue
                name = local(element.tag)
                if name == "entry":
                    item = self._entry(element)
                    element.clear()
                    while element.getprevious() is not None:
                        del parent[0]
                    if item is not None:
                        yield item
                elif name == "id" and self.feed_id is None:
                    self.feed_id = read.clean_uri(element.text or "")
                elif name == "link":
                    self._feed_link(element)
        except etree.XMLSyntaxError as error:
            self.error = error
            if not self.root_done:
                return
        root = self.root if self.root is not None else events.root
        if root is None:
            return
        if self.root is None:
            self._on_root(root)
        self.root_done = True
        if self.root_name == "service":
            yield from self._service(root)
        elif self.root_name == "feed" and self.kind is None:
            self.kind = detect.kind_of_uri(self.feed_id) or next(
                (k for k in map(detect.kind_of_uri, self.self_links) if k), None)
            if self.kind is None:
                raise AtomError("an empty feed names no known collection; pass kind= to read it",
                                position=(root.sourceline, None))

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
