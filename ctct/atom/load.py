"""`parse()` and `iterparse()`: the reading pipeline around the event-driven reader.

A payload is read strictly first. A feed that ends early (truncated) or carries junk after
its root keeps every complete entry. Anything else that is not well-formed is repaired at
the text level (repair.py) and read strictly again, and as a last resort read in lxml's
recover mode. Each tolerance is reported as a warning; input nothing can be read from raises
one AtomError naming the kind and the position of the first error.
"""
import io
import os
import re

from lxml import etree

from . import names, repair
from .errors import AtomError
from .notes import Notes
from .safety import MAX_PARSE_BYTES, check_prolog, check_size, PROLOG_WINDOW
from .stream import FeedReading, Source, open_source


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


def _check_kind(kind):
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
            _note_late_error(self.notes, reading.error)
            return True
        if reading.truncated and reading.root_name == "feed" and reading.detect_empty_kind():
            self.notes.warn(("truncated",), f"the feed is cut short ({_where(reading.error)}); "
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


def _refuse_limits(error, kind):
    if error is not None and error.code in LIMIT_ERRORS:
        raise AtomError(f"the payload exceeds the parser's safety limits: {error.message}", kind=kind,
                        position=error.position)


def _note_late_error(notes, error):
    """An error reported once the root element was complete: either junk after it, or an
    error libxml2 tolerates while parsing (a namespace URI that is not one) and reports late."""
    if error.code == XML_ERR_DOCUMENT_END:
        notes.warn(("trailing",), f"ignored text after the root element ({_where(error)})")
    else:
        notes.warn(("late", error.message), f"tolerated an XML error ({_where(error)})")


def _where(error):
    return str(error)


def parse(data, kind=None, *, max_bytes=MAX_PARSE_BYTES, source_name=None):
    """Read a V2 Atom payload (bytes or str) into a `Parsed` result. `kind` forces the kind
    (one of atom.KINDS); by default it is told from the payload. Payloads over `max_bytes`
    are refused before reading (None: no limit; iterparse() streams big feeds)."""
    return read_payload(data, kind, max_bytes=max_bytes, source_name=source_name)


def read_payload(data, kind=None, *, max_bytes=MAX_PARSE_BYTES, source_name=None, observe=None):
    """parse(), plus an `observe(view, kind)` hook whose results land in `.extras`."""
    _check_kind(kind)
    if isinstance(data, (bytes, bytearray, memoryview, str)):
        check_size(len(data), max_bytes, kind)  # before any copy (a str is at least 1 byte a character)
    raw = _as_bytes(data)
    check_size(len(raw), max_bytes, kind)
    check_prolog(raw[:PROLOG_WINDOW], kind)
    if not raw.strip():
        raise AtomError("the payload is empty", kind=kind)
    first = _Attempt(raw, kind, False, source_name, observe)
    _refuse_limits(first.error, kind or first.reading.kind)
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
        recovered = f"read in recover mode after: {_where(last_error)}; content may be incomplete"
        return third.result(list(repairs) + [recovered])
    error = first.error
    raise AtomError(error.message, kind=kind or first.reading.kind, position=error.position)


class AtomStream:
    """What `iterparse()` returns: iterate it for the legacy dicts, one entry at a time.
    `.kind` is known from the first item on, `.next` once the feed's links were read (they
    come before the entries in V2 feeds), `.warnings` grows as problems are met."""

    def __init__(self, source, kind=None, *, max_repair_bytes=MAX_PARSE_BYTES, source_name=None):
        _check_kind(kind)
        if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)) and not hasattr(source, "read"):
            raise TypeError(f"atom.iterparse() takes a path, bytes or a binary file, not {type(source).__name__}")
        self.kind = kind
        self.next = None
        self._source = source
        self._max_repair_bytes = max_repair_bytes
        self._notes = Notes(source_name or _name_of(source), live=True)
        self._iterator = self._items()

    @property
    def warnings(self):
        return self._notes.messages

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._iterator)

    def _items(self):
        stream, close, restart = _open(self._source)
        try:
            reading = FeedReading(open_source(stream, self.kind), self.kind, self._notes)
            count = 0
            for item in reading.items():
                self.kind, self.next = reading.kind, reading.next
                count += 1
                yield item
            self.kind, self.next = reading.kind, reading.next
            if reading.error is None:
                return
            _refuse_limits(reading.error, self.kind)
            if reading.root_done:
                _note_late_error(self._notes, reading.error)
                return
            if reading.truncated and reading.root_name == "feed" and reading.detect_empty_kind():
                self._notes.warn(("truncated",), f"the feed is cut short ({_where(reading.error)}); "
                                                 f"its {count} complete entries were read")
                return
            if restart is None:
                raise AtomError(reading.error.message, kind=self.kind, position=reading.error.position)
            # Damage mid-document: read again tolerantly and skip what was already given.
            yield from self._reread(restart, count, reading.error)
        finally:
            close()

    def _reread(self, restart, already, error):
        stream = restart()
        head = stream.read(self._max_repair_bytes + 1)
        if isinstance(head, str):
            head = head.encode("utf-8")
        if len(head) > self._max_repair_bytes:
            raise AtomError(f"{error.message}; payloads over {self._max_repair_bytes} bytes are not repaired "
                            "(read it with atom.parse(data, max_bytes=None))", kind=self.kind, position=error.position)
        parsed = parse(head, self.kind, max_bytes=None, source_name=self._notes.source_name)
        for message in parsed.warnings:
            self._notes.warn(message, message)
        self.kind, self.next = parsed.kind, parsed.next
        yield from parsed.items[already:]


def _name_of(source):
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return getattr(source, "name", None) if isinstance(getattr(source, "name", None), str) else None


def _open(source):
    """(binary stream, close(), restart() or None) for a path, bytes or a file object."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        stream = open(path, "rb")
        opened = [stream]

        def restart():
            again = open(path, "rb")
            opened.append(again)
            return again

        return stream, lambda: [s.close() for s in opened], restart
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return io.BytesIO(data), lambda: None, lambda: io.BytesIO(data)
    if hasattr(source, "read"):
        restart = None
        try:
            if source.seekable():
                start = source.tell()

                def restart():
                    source.seek(start)
                    return source
        except (AttributeError, OSError):
            restart = None
        return source, lambda: None, restart
    raise TypeError(f"atom.iterparse() takes a path, bytes or a binary file, not {type(source).__name__}")


def iterparse(source, kind=None, *, max_repair_bytes=MAX_PARSE_BYTES, source_name=None):
    """Stream the legacy dicts of a feed (a path, bytes or a binary file object) one entry at
    a time, in memory that does not grow with the number of entries."""
    return AtomStream(source, kind, max_repair_bytes=max_repair_bytes, source_name=source_name)
