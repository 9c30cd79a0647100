"""V3 timestamps in the form the 2009 API used.

V3 writes ISO-8601 in several spellings ("2019-04-25T11:08:00.000Z",
"2017-04-02T04:08:00+00:00", with or without fractions). The Atom API always wrote UTC with
milliseconds and a "Z" ("2009-10-19T18:34:53.105Z"), and code that slices or compares those
strings keeps working only if ctct writes them the same way.
"""
from datetime import datetime, timezone


def parse(value):
    """A timezone-aware datetime for a V3 timestamp, or None when it is empty or unreadable."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python < 3.11 accepts only 3 or 6 fraction digits: pad or cut to 6.
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        text = f"{head}.{(digits + '000000')[:6]}{rest}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def legacy(value):
    """'YYYY-MM-DDTHH:MM:SS.mmmZ' (UTC) for a V3 timestamp (or a datetime); None stays None
    and text that is not a timestamp is returned unchanged rather than lost."""
    moment = parse(value)
    if moment is None:
        return value if value else None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def epoch_ms(value):
    """Milliseconds since the epoch (the old API's event ids ended in one), or None."""
    moment = parse(value)
    return None if moment is None else int(moment.timestamp() * 1000)
