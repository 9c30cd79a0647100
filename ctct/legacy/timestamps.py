"""V3 timestamps in the form the 2009 API used.

V3 writes ISO-8601 in several spellings ("2019-04-25T11:08:00.000Z",
"2017-04-02T04:08:00+00:00", with or without fractions). The Atom API always wrote UTC with
milliseconds and a "Z" ("2009-10-19T18:34:53.105Z"), and code that slices or compares those
strings keeps working only if ctct writes them the same way.

Event lists run these once per event (thousands per report), so a value is parsed once
(`legacy_and_epoch_ms` gives both forms an event needs), and V3's usual spelling, which is
already the legacy one, takes a short path.
"""
import re
from datetime import datetime, timezone

_FRACTION = re.compile(r"\.(\d*)")
# UTC with milliseconds and "Z": V3's usual spelling and exactly the legacy one
_LEGACY_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")


def parse(value):
    """A timezone-aware datetime for a V3 timestamp, or None when it is empty or unreadable."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if not value or not isinstance(value, str):
        return None
    if _LEGACY_FORM.fullmatch(value):
        return _parse_legacy_form(value)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python < 3.11 accepts only 3 or 6 fraction digits: pad or cut to 6.
    if "." in text:
        text = _FRACTION.sub(_six_digits, text, count=1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _six_digits(match):
    return "." + (match.group(1) + "000000")[:6]


def _parse_legacy_form(text):
    try:
        return datetime.fromisoformat(text[:-1] + "+00:00")  # 3 fraction digits: any Python 3
    except ValueError:  # e.g. month 13
        return None


def legacy(value):
    """'YYYY-MM-DDTHH:MM:SS.mmmZ' (UTC) for a V3 timestamp (or a datetime); None stays None
    and text that is not a timestamp is returned unchanged rather than lost."""
    if isinstance(value, str) and _LEGACY_FORM.fullmatch(value):
        return value  # already the legacy form (and returned as is even when not a real date)
    return _legacy_of(parse(value), value)


def epoch_ms(value):
    """Milliseconds since the epoch (the old API's event ids ended in one), or None."""
    return _epoch_ms_of(parse(value))


def legacy_and_epoch_ms(value):
    """(legacy(value), epoch_ms(value)) from one parse."""
    if isinstance(value, str) and _LEGACY_FORM.fullmatch(value):
        return value, _epoch_ms_of(_parse_legacy_form(value))
    moment = parse(value)
    return _legacy_of(moment, value), _epoch_ms_of(moment)


def _legacy_of(moment, value):
    if moment is None:
        return value if value else None
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
            f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z")


def _epoch_ms_of(moment):
    return None if moment is None else int(moment.timestamp() * 1000)
