"""ISO-8601 parsing and formatting the way V3 writes timestamps (UTC, milliseconds, "Z").

V3 accepts dates like `2022-05-17`, `2022-05-17T16:37:59.091Z` and `2019-01-01T00:00:00-0500`;
Python 3.9's `fromisoformat` reads none of the last two, so this module parses them itself.
"""
import datetime as _dt
import re

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$"
)


def parse(text):
    """An aware UTC datetime for an ISO-8601 date or date-time string; None when it is not one.

    A date alone means midnight UTC; a time without an offset is taken as UTC.
    """
    if not isinstance(text, str):
        return None
    m = _ISO.match(text.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, fraction, offset = m.groups()
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        value = _dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                             int(second or 0), micro, tzinfo=_dt.timezone.utc)
    except ValueError:
        return None
    if offset and offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        delta = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        value = value - sign * delta
    return value


def format_utc(value):
    """V3's timestamp form: `2024-03-05T14:00:00.000Z`."""
    value = value.astimezone(_dt.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def normalize(text):
    """`text` rewritten in V3's form (so stored timestamps sort as strings); None if invalid."""
    value = parse(text)
    return format_utc(value) if value is not None else None


def now():
    return _dt.datetime.now(_dt.timezone.utc)
