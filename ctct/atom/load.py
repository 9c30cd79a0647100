"""`parse()`: the reading pipeline around the event-driven reader (stream.py).

A payload is read strictly first. A feed that ends early (truncated) or carries junk after
its root keeps every complete entry. Anything else that is not well-formed is repaired at
the text level (repair.py) and read strictly again, and as a last resort read in lxml's
recover mode. Each tolerance is reported as a warning; input nothing can be read from raises
one AtomError naming the kind and the position of the first error.
"""
import io

from lxml import etree

from . import names, repair
from .errors import AtomError
from .notes import Notes
from .safety import MAX_PARSE_BYTES, check_prolog, check_size, PROLOG_WINDOW
from .stream import FeedReading, Source


class Parsed:
    """What `parse()` returns: `.kind`, `.items` (legacy dicts), `.next` (the rel="next"
    href or None) and `.warnings` (what was tolerated, also logged)."""

    __slots__ = ("kind", "items", "next", "warnings", "feed_id", "extras")

    def __init__(self, kind, items, next=None, warnings=(), feed_id=None, extras=None):
        self.kind = kind
        self.items = items
        self.next = next
        self.warnings = list(warnings)
        self.feed_id = feed_id  # the feed's atom:id (None for an entry or a service document)
        self.extras = extras  # per item, what an `observe` hook collected (internal use)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __eq__(self, other):
        if not isinstance(other, Parsed):
            return NotImplemented
        return (self.kind, self.items, self.next) == (other.kind, other.items, other.next)

    def __repr__(self):
        return f"Parsed(kind={self.kind!r}, items=<{len(self.items)}>, next={self.next!r})"

    def as_dict(self):
        return {"kind": self.kind, "next": self.next, "items": self.items, "warnings": self.warnings}


def check_kind(kind):
    if kind is not None and kind not in names.KINDS:
        raise AtomError(f"unknown kind {kind!r}; expected one of {', '.join(names.KINDS)}", kind=kind)


def _as_bytes(data):
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, str):
        # A str is already decoded: whatever encoding its declaration names no longer applies.
        return repair.encode(data.lstrip("\ufeff"))
    raise TypeError(f"atom.parse() takes bytes or str, not {type(data).__name__}")


class _Attempt:
    """One read of the whole payload (strict or recovering) and how it ended."""

    def __init__(self, data, kind, recover, source_name, observe=None):
        self.notes = Notes(source_name)
        self.reading = FeedReading(Source(io.BytesIO(data)), kind, self.notes, recover=recover, observe=observe)
        self.items = list(self.reading.items())

    @property
    def error(self):
        return self.reading.error

    @property
    def usable(self):
        reading = self.reading
        if reading.error is None:
            return True
        if reading.root_done:
            note_late_error(self.notes, reading.error)
            return True
        if reading.truncated and reading.root_name == "feed" and reading.detect_empty_kind():
            self.notes.warn(("truncated",), f"the feed is cut short ({reading.error}); "
                                            f"its {len(self.items)} complete entries were read")
            return True
        return False

    def result(self, extra_notes=()):
        notes = Notes(self.notes.source_name)
        for message in list(extra_notes) + self.notes.messages:
            notes.warn(message, message)
        notes.flush()
        reading = self.reading
        return Parsed(reading.kind, self.items, reading.next, notes.messages, feed_id=reading.feed_id,
                      extras=reading.extras if reading.observe is not None else None)


XML_ERR_DOCUMENT_END = 5  # libxml2: "Extra content at the end of the document"
# libxml2's safety limits (depth, text node and name sizes without huge_tree): input that hits
# them is refused outright, never repaired or recovered.
LIMIT_ERRORS = frozenset(
    getattr(etree.ErrorTypes, name) for name in ("ERR_RESOURCE_LIMIT", "ERR_NAME_TOO_LONG")
    if hasattr(etree.ErrorTypes, name))


def refuse_limits(error, kind):
    if error is not None and error.code in LIMIT_ERRORS:
        raise AtomError(f"the payload exceeds the parser's safety limits: {error.message}", kind=kind,
                        position=error.position)


def note_late_error(notes, error):
    """An error reported once the root element was complete: either junk after it, or an
    error libxml2 tolerates while parsing (a namespace URI that is not one) and reports late."""
    if error.code == XML_ERR_DOCUMENT_END:
        notes.warn(("trailing",), f"ignored text after the root element ({error})")
    else:
        notes.warn(("late", error.message), f"tolerated an XML error ({error})")


def parse(data, kind=None, *, max_bytes=MAX_PARSE_BYTES, source_name=None):
    """Read a V2 Atom payload (bytes or str) into a `Parsed` result. `kind` forces the kind
    (one of atom.KINDS); by default it is told from the payload. Payloads over `max_bytes`
    are refused before reading (None: no limit; iterparse() streams big feeds)."""
    return read_payload(data, kind, max_bytes=max_bytes, source_name=source_name)


def read_payload(data, kind=None, *, max_bytes=MAX_PARSE_BYTES, source_name=None, observe=None):
    """parse(), plus an `observe(view, kind)` hook whose results land in `.extras`."""
    check_kind(kind)
    if isinstance(data, (bytes, bytearray, memoryview, str)):
        check_size(len(data), max_bytes, kind)  # before any copy (a str is at least 1 byte a character)
    raw = _as_bytes(data)
    check_size(len(raw), max_bytes, kind)
    check_prolog(raw[:PROLOG_WINDOW], kind)
    if not raw.strip():
        raise AtomError("the payload is empty", kind=kind)
    first = _Attempt(raw, kind, False, source_name, observe)
    refuse_limits(first.error, kind or first.reading.kind)
    if first.usable:
        return first.result()
    repaired, repairs = repair.repair(raw)
    last_error = first.error
    if repaired != raw:
        second = _Attempt(repaired, kind, False, source_name, observe)
        if second.usable:
            return second.result(repairs)
        last_error = second.error
    try:
        third = _Attempt(repaired, kind, True, source_name, observe)
    except AtomError:
        third = None  # recovery found no payload either: report the original error
    if (third is not None and third.reading.root is not None and third.reading.kind is not None
            and (third.items or first.reading.root is not None)):
        recovered = f"read in recover mode after: {last_error}; content may be incomplete"
        return third.result(list(repairs) + [recovered])
    error = first.error
    raise AtomError(error.message, kind=kind or first.reading.kind, position=error.position)
