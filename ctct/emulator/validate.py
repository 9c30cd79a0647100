"""Input checks for the contact areas (contacts, lists, custom fields), answering like V3.

V3 validates a whole body and answers one 400 whose JSON list names every problem
(`[{"error_key": "contacts.api.validation.error", "error_message": "..."}]`). `Problems`
collects messages while a handler reads its input; `raise_if_any()` turns them into that
answer before anything is written, so a rejected request never changes the account.

Unknown properties: the V3 schemas don't set `additionalProperties: false`, but V3 validates
bodies against its own models and answers 400 for a body that "does not conform to the
expected schema" (developer guide, 400 responses). The emulator follows that: a property the
request schema doesn't name is a 400. Read-only properties of the resource's response (ids,
timestamps) are accepted and ignored, so a client may send back what a GET gave it.
"""
import datetime as _dt
import re

from .http import ApiError

ERROR_KEY = "contacts.api.validation.error"

_EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$")
# V3's anniversary formats: MM/DD/YYYY, M/D/YYYY, YYYY/MM/DD, YYYY/M/D, YYYY-MM-DD, YYYY-M-D,
# MM-DD-YYYY, M-D-YYYY.
_DATE_FORMS = (
    (re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{4})$"), (1, 3, 4)),  # month, day, year groups
    (re.compile(r"^(\d{4})([/-])(\d{1,2})\2(\d{1,2})$"), (3, 4, 1)),
)


class Problems:
    """Validation messages gathered while reading one request."""

    def __init__(self, key=ERROR_KEY):
        self.key = key
        self.messages = []

    def __bool__(self):
        return bool(self.messages)

    def add(self, message):
        if message not in self.messages:
            self.messages.append(message)

    def raise_if_any(self):
        if self.messages:
            raise invalid(self.messages, self.key)


def invalid(messages, key=ERROR_KEY):
    """A 400 in V3's list form, one entry per message."""
    if isinstance(messages, str):
        messages = [messages]
    body = [{"error_key": key, "error_message": m} for m in messages]
    return ApiError(400, key, messages[0], body=body)


# -- body checks: each reads body[name], records problems, and returns the clean value --------

def reject_unknown(problems, body, allowed, read_only=(), where=""):
    """Record every property of `body` that is neither allowed nor a read-only one."""
    for name in body:
        if name not in allowed and name not in read_only:
            problems.add(f"{where}{name} is not a permitted property")


def is_object(problems, value, where):
    if not isinstance(value, dict):
        problems.add(f"{where} must be an object")
        return False
    return True


def text(problems, body, name, max_length=None, *, required=False, where="", allow_blank=True):
    """A string property (None when absent or null)."""
    value = body.get(name)
    label = where + name
    if value is None:
        if required:
            problems.add(f"{label} is missing")
        return None
    if not isinstance(value, str):
        problems.add(f"{label} does not have a valid value")
        return None
    if not allow_blank and not value.strip():
        problems.add(f"{label} must not be blank")
        return None
    if max_length is not None and len(value) > max_length:
        problems.add(f"{label} exceeds the maximum length of {max_length}")
        return None
    return value


def choice(problems, body, name, choices, *, required=False, where=""):
    """A property that must be one of `choices`."""
    value = body.get(name)
    label = where + name
    if value is None:
        if required:
            # V3's wording for a missing create_source: "create_source is missing, create_source
            # does not have a valid value"
            problems.add(f"{label} is missing, {label} does not have a valid value")
        return None
    if value not in choices:
        problems.add(f"{label} does not have a valid value")
        return None
    return value


def integer(problems, body, name, minimum=None, maximum=None, *, where=""):
    value = body.get(name)
    label = where + name
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(f"{label} does not have a valid value")
        return None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        problems.add(f"{label} must be between {minimum} and {maximum}")
        return None
    return value


def boolean(problems, body, name, *, where=""):
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        problems.add(f"{where}{name} does not have a valid value")
        return None
    return value


def array(problems, body, name, max_items, *, min_items=0, where=""):
    """A list property (None when absent or null)."""
    value = body.get(name)
    label = where + name
    if value is None:
        return None
    if not isinstance(value, list):
        problems.add(f"{label} must be an array")
        return None
    if len(value) > max_items:
        problems.add(f"{label} exceeds the maximum of {max_items} items")
        return None
    if len(value) < min_items:
        problems.add(f"{label} must contain at least {min_items} item{'s' if min_items > 1 else ''}")
        return None
    return value


# -- formats --------------------------------------------------------------------------------

def is_email(value):
    return isinstance(value, str) and len(value) <= 254 and _EMAIL_RE.match(value) is not None


def is_uuid(value):
    return isinstance(value, str) and _UUID_RE.match(value) is not None


def is_calendar_date(value):
    """True for a real date in one of V3's anniversary formats."""
    if not isinstance(value, str):
        return False
    for pattern, (month_g, day_g, year_g) in _DATE_FORMS:
        m = pattern.match(value)
        if m:
            try:
                _dt.date(int(m.group(year_g)), int(m.group(month_g)), int(m.group(day_g)))
                return True
            except ValueError:
                return False
    return False


def canonical_timestamp(value):
    """An ISO-8601 date or date-time as V3's UTC form `YYYY-MM-DDTHH:MM:SS.mmmZ`, or None.

    Every stored timestamp uses that one form, so filters compare strings."""
    if not isinstance(value, str):
        return None
    m = _TIMESTAMP_RE.match(value.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = m.groups()
    try:
        moment = _dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                              int(second or 0), int((fraction or "0")[:6].ljust(6, "0")))
        if sign:
            offset = _dt.timedelta(hours=int(off_h), minutes=int(off_m))
            moment = moment - offset if sign == "+" else moment + offset
    except (ValueError, OverflowError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# -- query parameters -------------------------------------------------------------------------

def int_param(request, name, default, minimum, maximum):
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"{name} does not have a valid value") from None
    if value < minimum or value > maximum:
        raise invalid(f"{name} must be between {minimum} and {maximum}")
    return value


def bool_param(request, name, default=False):
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    if raw.lower() == "true":
        return True
    if raw.lower() == "false":
        return False
    raise invalid(f"{name} does not have a valid value")


def enum_param(request, name, choices):
    """One value of a query parameter that must be among `choices`, or None."""
    raw = request.arg(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise invalid(f"{name} does not have a valid value")
    return raw


def csv_param(request, name, choices=None):
    """Every value of a comma-separated (or repeated) query parameter, checked against choices."""
    values = [v.strip() for v in request.args(name) if v.strip()]
    if choices is not None:
        for value in values:
            if value not in choices:
                raise invalid(f"{name} does not have a valid value")
    return values


def timestamp_param(request, name):
    raw = request.arg(name)
    if raw is None or raw == "":
        return None
    value = canonical_timestamp(raw)
    if value is None:
        raise invalid(f"{name} does not have a valid value")
    return value
