"""Warnings about what was tolerated while reading a payload.

Each distinct problem is logged once per payload, at WARNING on logging.getLogger("ctct") (so
the project's redaction filter applies and callers configure it like every other ctct log),
and kept on the result's `.warnings` for callers that want to inspect or print them.
"""
import logging

log = logging.getLogger("ctct")


class Notes:
    """Distinct warnings of one read. A buffered instance logs only on `flush()`, so a read
    attempt that is abandoned for a more tolerant one leaves no trace in the log."""

    def __init__(self, source_name=None, live=False):
        self.source_name = source_name
        self.live = live
        self.messages = []
        self._seen = set()
        self._logged = 0

    def warn(self, key, message):
        """Record `message` unless a note with the same `key` was recorded already."""
        if key in self._seen:
            return
        self._seen.add(key)
        self.messages.append(message)
        if self.live:
            self.flush()

    def flush(self):
        where = f"{self.source_name}: " if self.source_name else ""
        for message in self.messages[self._logged:]:
            log.warning("atom: %s%s", where, message)
        self._logged = len(self.messages)
