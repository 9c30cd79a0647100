"""Derived indexes over contacts and lists, so listings cost time in proportion to the page.

`ContactIndex` keeps, for the account's contacts collection:
- `emails`: lower-cased address -> contact_id (deleted contacts included: addresses stay unique);
- `by_status`: status key -> sorted collection positions, where the key is "deleted" for a
  deleted contact and its `permission_to_send` otherwise;
- `members`: list_id -> sorted positions of the contacts on that list;
- `list_status`: list_id -> {status key: count} (membership counts without a scan).
`NameIndex` maps lower-cased names to ids for lists and custom fields (names are unique).

Indexes are attributes of the AccountStore (they hold sets and positions, not JSON) and are
tied to the Collection object they were built from: `AccountStore.reset()` and `restore()`
create new collections, so a stale index is noticed and rebuilt on next use; an AFTER_RESTORE
hook also rebuilds them eagerly after a state load.

Every change to a stored contact goes through `ContactIndex.replace(old, new)` (contacts are
replaced, never edited in place, so a response being encoded never sees a half-made change).
"""
import bisect
import heapq

from .store import AFTER_RESTORE

DELETED = "deleted"
# "active" contacts are the mailable ones (V3: include_membership_count=active "count only
# active (mailable) contacts")
MAILABLE = ("explicit", "implicit", "pending_confirmation")
STATUS_KEYS = ("explicit", "implicit", "not_set", "pending_confirmation", "temp_hold", "unsubscribed", DELETED)


def status_key(contact):
    if contact.get("deleted_at"):
        return DELETED
    email = contact.get("email_address") or {}
    return email.get("permission_to_send") or "not_set"


def _insert(positions, pos):
    if not positions or positions[-1] < pos:  # the common case: a new contact goes last
        positions.append(pos)
    else:
        i = bisect.bisect_left(positions, pos)
        if i == len(positions) or positions[i] != pos:
            positions.insert(i, pos)


def _discard(positions, pos):
    i = bisect.bisect_left(positions, pos)
    if i < len(positions) and positions[i] == pos:
        del positions[i]


class ContactIndex:
    def __init__(self, contacts):
        self.owner = contacts
        self.emails = {}
        self.by_status = {key: [] for key in STATUS_KEYS}
        self.members = {}
        self.list_status = {}
        for contact in contacts.values():
            self._index(contact)

    # -- maintenance ---------------------------------------------------------------------

    def _index(self, contact):
        pos = self.owner.position_of(contact["contact_id"])
        address = (contact.get("email_address") or {}).get("address")
        if address:
            self.emails[address.lower()] = contact["contact_id"]
        key = status_key(contact)
        _insert(self.by_status.setdefault(key, []), pos)
        for list_id in contact.get("list_memberships") or ():
            _insert(self.members.setdefault(list_id, []), pos)
            counts = self.list_status.setdefault(list_id, {})
            counts[key] = counts.get(key, 0) + 1

    def _unindex(self, contact):
        pos = self.owner.position_of(contact["contact_id"])
        address = (contact.get("email_address") or {}).get("address")
        if address and self.emails.get(address.lower()) == contact["contact_id"]:
            del self.emails[address.lower()]
        key = status_key(contact)
        _discard(self.by_status.get(key, []), pos)
        for list_id in contact.get("list_memberships") or ():
            _discard(self.members.get(list_id, []), pos)
            counts = self.list_status.get(list_id)
            if counts and counts.get(key):
                counts[key] -= 1

    def add(self, contact, v2_id=None):
        """Store a new contact and index it."""
        self.owner.add(contact, v2_id)
        self._index(contact)
        return contact

    def replace(self, old, new):
        """Swap a stored contact for its new version (same contact_id and position)."""
        self._unindex(old)
        self.owner.add(new, old.get("_v2_id"))
        self._index(new)
        return new

    def forget_list(self, list_id):
        self.members.pop(list_id, None)
        self.list_status.pop(list_id, None)

    # -- queries -------------------------------------------------------------------------

    def contact_at(self, pos):
        for _, obj in self.owner.iter_from(pos):
            return obj
        return None

    def member_ids(self, list_id):
        return [self.contact_at(pos)["contact_id"] for pos in self.members.get(list_id, ())]

    def membership_count(self, list_id, active_only=False):
        if not active_only:
            return len(self.members.get(list_id, ()))
        counts = self.list_status.get(list_id, {})
        return sum(counts.get(key, 0) for key in MAILABLE)

    def status_count(self, keys):
        return sum(len(self.by_status.get(key, ())) for key in keys)

    def view(self, position_lists):
        """A collection-like view (for `page_of`) over the union of sorted position lists."""
        return PositionsView(self, position_lists)


class PositionsView:
    """`iter_from(position)` over the contacts at the given sorted positions, in order."""

    def __init__(self, index, position_lists):
        self.index = index
        self.position_lists = [p for p in position_lists if p]

    def iter_from(self, position=0):
        if not self.position_lists:
            return
        starts = [_tail(lst, bisect.bisect_left(lst, position)) for lst in self.position_lists]
        merged = starts[0] if len(starts) == 1 else heapq.merge(*starts)
        previous = None
        by_id, order = self.index.owner.by_id, self.index.owner._order
        for pos in merged:
            if pos == previous:
                continue
            previous = pos
            contact_id = order[pos]
            if contact_id is not None:
                yield pos, by_id[contact_id]


def _tail(positions, start):
    """positions[start:] without copying the list."""
    return (positions[i] for i in range(start, len(positions)))


class SingleView:
    """`iter_from` over zero or one object of a collection (an email or name lookup)."""

    def __init__(self, collection, obj):
        self.collection = collection
        self.obj = obj

    def iter_from(self, position=0):
        if self.obj is not None:
            pos = self.collection.position_of(self.obj[self.collection.id_key])
            if pos is not None and pos >= position:
                yield pos, self.obj


class NameIndex:
    """Lower-cased `name_key` -> id for a collection whose names are unique."""

    def __init__(self, collection, name_key):
        self.owner = collection
        self.name_key = name_key
        self.ids = {}
        for obj in collection.values():
            self.set(obj)

    def set(self, obj, old_name=None):
        if old_name is not None:
            self.discard(old_name, obj[self.owner.id_key])
        self.ids[obj[self.name_key].lower()] = obj[self.owner.id_key]

    def discard(self, name, obj_id):
        if self.ids.get(name.lower()) == obj_id:
            del self.ids[name.lower()]

    def find(self, name):
        return self.ids.get(name.lower()) if isinstance(name, str) else None


def _current(store, attribute, collection, build):
    """The index kept on `store` under `attribute`, rebuilt when its collection was replaced
    (a reset or a state load swaps the collection objects)."""
    index = getattr(store, attribute, None)
    if index is None or index.owner is not collection:
        index = build(collection)
        setattr(store, attribute, index)
    return index


def contact_index(store):
    return _current(store, "_contact_index", store.contacts, ContactIndex)


def list_names(store):
    return _current(store, "_list_name_index", store.contact_lists, lambda c: NameIndex(c, "name"))


def custom_field_names(store):
    return _current(store, "_custom_field_name_index", store.custom_fields, lambda c: NameIndex(c, "name"))


def rebuild(store):
    """Rebuild every index from the stored objects (after a state load)."""
    store._contact_index = ContactIndex(store.contacts)
    store._list_name_index = NameIndex(store.contact_lists, "name")
    store._custom_field_name_index = NameIndex(store.custom_fields, "name")


AFTER_RESTORE.append(rebuild)
