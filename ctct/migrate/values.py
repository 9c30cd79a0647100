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
    # The common forms first, answered as legacy_ids.parse answers them, without its detours
    # (a bare ASCII number of up to 19 digits, a non-negative int); the rest goes through it.
    if type(value) is str:
        text = value.strip()
        if len(text) <= 19 and text.isascii() and text.isdigit():  # "" is no digit string
            return V2, int(text), None
    elif type(value) is int and value >= 0:
        return V2, value, None
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


class Classifier:
    """classify() with a memo by stored value: each distinct value is parsed once, however
    many cells repeat it (a migration reads the values twice: census, then rewrite)."""

    def __init__(self, kind):
        self.kind = kind
        # key: text as itself (the common case, and the cheapest), any other value with its
        # type, so 1, 1.0, True and "1" stay apart -> (state, v2, reason)
        self.memo = {}

    def __call__(self, value):
        key = value if type(value) is str else (type(value), value)
        try:
            known = self.memo.get(key)  # .get, not [key]: most values are new, and a miss must be cheap
        except TypeError:
            return classify(value, self.kind)  # unhashable: a JSON list or object, not an id
        if known is None:
            known = self.memo[key] = classify(value, self.kind)
        return known


class Translator:
    """Maps stored values to their V3 id (None: leave the value as it is).

    classifier: the census's Classifier, whose answers are reused (the rewrite then parses
    nothing it has seen); a value it has not seen is classified here."""

    def __init__(self, kind, mapping, classifier=None):
        self.kind = kind
        self.mapping = mapping  # {v2_number: v3_id} (mapped ids only)
        known = classifier.memo if classifier is not None else {}
        # one dictionary lookup per cell: stored value -> new value (None: unchanged)
        self._memo = {key: (mapping.get(v2) if state == V2 else None) for key, (state, v2, _) in known.items()}

    def __call__(self, value):
        key = value if type(value) is str else (type(value), value)
        try:
            return self._memo[key]
        except KeyError:
            pass
        except TypeError:
            return None  # unhashable (a JSON list or object): not an id anyway
        state, v2, _ = classify(value, self.kind)
        new = self._memo[key] = self.mapping.get(v2) if state == V2 else None
        return new


def display(value):
    """A stored value as one line of text for reports and previews."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
