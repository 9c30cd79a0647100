"""What a stored id value is, and what it becomes.

A cell may hold a V2 number (22199, "22199"), a legacy URI ending in one, a V3 id already
(left alone, so a rerun over a migrated file changes nothing), nothing (blank), or something
that is no id of this kind (invalid: reported, never guessed).
"""
from ..legacy import ids as legacy_ids
from ..v3.errors import InvalidInputError

BLANK, V2, V3, INVALID = "blank", "v2", "v3", "invalid"


def classify(value, kind):
    """(state, v2_number or None, reason or None) for one stored value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return BLANK, None, None
    try:
        parsed = legacy_ids.parse(value, kind)
    except InvalidInputError as err:
        return INVALID, None, err.message
    if parsed.form == "v2":
        return V2, parsed.v2_number, None
    if parsed.form == "v3":
        return V3, None, None
    return INVALID, None, f"{parsed.value!r} is a V2 system list; V3 has no list for it"


class Translator:
    """Maps stored values to their V3 id (None: leave the value as it is)."""

    def __init__(self, kind, mapping):
        self.kind = kind
        self.mapping = mapping  # {v2_number: v3_id} (mapped ids only)
        self._memo = {}

    def __call__(self, value):
        key = (type(value), value)
        try:
            return self._memo[key]
        except (KeyError, TypeError):
            pass
        state, v2, _ = classify(value, self.kind)
        new = self.mapping.get(v2) if state == V2 else None
        try:
            self._memo[key] = new
        except TypeError:
            pass  # unhashable (a JSON list or object): not an id anyway
        return new


def display(value):
    """A stored value as one line of text for reports and previews."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
