"""`iterparse()`: the legacy dicts of a feed one entry at a time, in flat memory.

The strict event-driven reader (stream.py) streams the file. A feed cut short keeps its
complete entries and junk after the root is ignored, as in parse(). Damage in the middle is
only found when the stream reaches it: the entries before it have been given already, so the
payload is read again with parse()'s repairs (when the source can be re-read and is not over
`max_repair_bytes`) and only the entries not yet given follow.
"""
import io
import os

from .errors import AtomError
from .load import MAX_PARSE_BYTES, check_kind, note_late_error, parse, refuse_limits
from .notes import Notes
from .stream import FeedReading, open_source


class AtomStream:
    """What `iterparse()` returns: iterate it for the legacy dicts, one entry at a time.
    `.kind` is known from the first item on, `.next` once the feed's links were read (they
    come before the entries in V2 feeds), `.warnings` grows as problems are met."""

    def __init__(self, source, kind=None, *, max_repair_bytes=MAX_PARSE_BYTES, source_name=None):
        check_kind(kind)
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
            refuse_limits(reading.error, self.kind)
            if reading.root_done:
                note_late_error(self._notes, reading.error)
                return
            if reading.truncated and reading.root_name == "feed" and reading.detect_empty_kind():
                self._notes.warn(("truncated",), f"the feed is cut short ({reading.error}); "
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
