"""`ListRef`: a contact's list membership that works both ways the 2009 client was used.

The 2009 code returned a contact's `contact_lists` as list URIs (plain strings), while its
README iterates them as dicts (`for list in contact['contact_lists']: print(list['id'])`).
Code of both kinds exists, so each item ctct returns is a `ListRef`: a `str` (the legacy list
URI, so comparing, slicing after the last '/', joining, JSON-encoding and using it as an id
all behave as before) that also answers the mapping lookups `ref['id']` (the URI itself) and,
when the name is known, `ref['name']`.

    >>> ref = ListRef("http://api.constantcontact.com/ws/customers/joe/lists/7f3c...", name="News")
    >>> ref == "http://api.constantcontact.com/ws/customers/joe/lists/7f3c..."
    True
    >>> ref["id"] is not None, ref[-4:], ref.get("name")
    (True, 'c...', 'News')

Integer and slice indexes keep their `str` meaning; only string keys are mapping lookups.
"""


class ListRef(str):
    """A list URI (`str`) that can also be read as `{'id': uri, 'name': name}`."""

    def __new__(cls, uri, name=None):
        ref = super().__new__(cls, uri)
        ref.name = name
        return ref

    @property
    def id(self):
        return str(self)

    def keys(self):
        return ("id", "name") if self.name is not None else ("id",)

    def _as_dict(self):
        return {key: (str(self) if key == "id" else self.name) for key in self.keys()}

    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                return self._as_dict()[key]
            except KeyError:
                raise KeyError(key) from None
        return super().__getitem__(key)

    def get(self, key, default=None):
        return self._as_dict().get(key, default)

    def items(self):
        return self._as_dict().items()

    def values(self):
        return self._as_dict().values()

    def __contains__(self, item):
        # `'id' in ref` reads as a dict; any other text keeps substring semantics.
        if item in ("id", "name"):
            return item in self.keys()
        return super().__contains__(item)

    def __repr__(self):
        return f"ListRef({str(self)!r}" + (f", name={self.name!r})" if self.name is not None else ")")

    def __reduce__(self):
        return (ListRef, (str(self), self.name))


def list_ref_id(item):
    """The id inside anything a caller may pass as a list reference: a ListRef or other
    string, an int, or a dict with an 'id' key (as get_campaign's contact_lists)."""
    if isinstance(item, dict):
        return item.get("id")
    return item
