"""Legacy id forms: V2 numbers, legacy URIs, V3 ids, and the URIs ctct returns.

The old API named everything by URI (`http://api.constantcontact.com/ws/customers/joe/
contacts/22199`). ctct returns the same URI form with the V3 id as the last segment, so code
that slices after the last '/' keeps working, and accepts any of:
  - a V2 number: 22199 or "22199" (resolved through the xref endpoints),
  - a legacy URI ending in a V2 number or in a V3 id,
  - a bare V3 id (a UUID).
"""
import re
from dataclasses import dataclass

from ..v3.errors import InvalidInputError

LEGACY_ORIGIN = "http://api.constantcontact.com"
KINDS = ("contacts", "lists", "campaigns", "activities")
SYSTEM_LISTS = ("active", "do-not-mail", "removed")

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_V2_NUMBER = re.compile(r"^\d{1,19}$")
_URI = re.compile(r"^https?://[^/]+/ws/customers/[^/]+/(?P<kind>[a-z]+)/(?P<tail>[^/?#]+)/?$", re.IGNORECASE)


@dataclass(frozen=True)
class LegacyId:
    kind: str
    value: str  # the V2 number (as a string), the V3 id, or a system list name
    form: str  # "v2", "v3" or "system"

    @property
    def v2_number(self):
        return int(self.value) if self.form == "v2" else None


def legacy_uri(username, kind, v3_id):
    """The legacy URI ctct returns for a V3 object."""
    return f"{LEGACY_ORIGIN}/ws/customers/{username}/{kind}/{v3_id}"


def parse(value, kind):
    """Classify an id a legacy caller passed; InvalidInputError when it is none of the forms."""
    if kind not in KINDS:
        raise ValueError(f"unknown id kind {kind!r}")
    if isinstance(value, bool) or value is None:
        raise InvalidInputError(f"a {kind[:-1]} id is required, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise InvalidInputError(f"malformed {kind[:-1]} id {value!r}")
        return LegacyId(kind, str(value), "v2")
    if not isinstance(value, str):
        raise InvalidInputError(f"malformed {kind[:-1]} id {value!r}")
    text = value.strip()
    match = _URI.match(text)
    if match:
        if match.group("kind").lower() != kind:
            raise InvalidInputError(f"{value!r} is a {match.group('kind')} URI, not a {kind[:-1]} id")
        text = match.group("tail")
    if _V2_NUMBER.match(text):
        return LegacyId(kind, str(int(text)), "v2")
    if _UUID.match(text):
        return LegacyId(kind, text.lower(), "v3")
    if kind == "lists" and text.lower() in SYSTEM_LISTS:
        return LegacyId(kind, text.lower(), "system")
    if kind == "activities" and re.match(r"^[A-Za-z0-9_-]{6,64}$", text):
        return LegacyId(kind, text, "v3")  # V3 activity ids are UUIDs; tolerate other opaque ids
    raise InvalidInputError(f"malformed {kind[:-1]} id {value!r}")
