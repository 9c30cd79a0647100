"""The account store: every object the emulated account holds, with the indexes listings need.

Objects are plain dicts in V3's response shape (plus private keys starting with "_", never
sent). Each kind lives in a `Collection` that keeps insertion order, a position index (so a
cursor resumes in O(1)), and the V2 sequence id index the xref endpoints read.

One re-entrant lock guards the whole account: handlers take it for their read-modify-write,
so concurrent requests see consistent state.
"""
import base64
import datetime as _dt
import threading
import uuid


# Area modules register functions here that rebuild their derived indexes after `restore()`.
AFTER_RESTORE = []


def now_iso():
    """V3's timestamp format: ISO-8601 UTC with milliseconds and Z."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_id():
    return str(uuid.uuid4())


class Collection:
    """Objects of one kind, by id, in insertion order, with V2 sequence ids."""

    def __init__(self, id_key, first_v2_id=1):
        self.id_key = id_key
        self.by_id = {}
        self._order = []  # ids, None where deleted (tombstones keep positions stable)
        self._pos = {}
        self.by_v2 = {}
        self.next_v2 = first_v2_id

    def __len__(self):
        return len(self.by_id)

    def __contains__(self, obj_id):
        return obj_id in self.by_id

    def get(self, obj_id):
        return self.by_id.get(obj_id)

    def add(self, obj, v2_id=None):
        """Store `obj` (keyed by obj[id_key]) with a V2 sequence id (given or the next free)."""
        obj_id = obj[self.id_key]
        if v2_id is None:
            v2_id = self.next_v2
        v2_id = int(v2_id)
        if v2_id in self.by_v2 and self.by_v2[v2_id] != obj_id:
            raise ValueError(f"v2_id {v2_id} is already used")
        self.next_v2 = max(self.next_v2, v2_id + 1)
        obj["_v2_id"] = v2_id
        self.by_v2[v2_id] = obj_id
        if obj_id not in self._pos:
            self._pos[obj_id] = len(self._order)
            self._order.append(obj_id)
        self.by_id[obj_id] = obj
        return obj

    def remove(self, obj_id):
        obj = self.by_id.pop(obj_id, None)
        if obj is None:
            return None
        self.by_v2.pop(obj.get("_v2_id"), None)
        pos = self._pos.pop(obj_id)
        self._order[pos] = None
        return obj

    def values(self):
        return list(self.by_id.values())

    def iter_from(self, position=0):
        """(position, obj) from `position` on, in insertion order."""
        order = self._order
        for pos in range(position, len(order)):
            obj_id = order[pos]
            if obj_id is not None:
                yield pos, self.by_id[obj_id]

    def position_of(self, obj_id):
        return self._pos.get(obj_id)


def encode_cursor(limit, position):
    """V3's cursor is base64 of `limit=N&next=...`; ours carries the next position."""
    return base64.urlsafe_b64encode(f"limit={limit}&next={position}".encode()).decode()


def decode_cursor(cursor):
    """(limit, position) from a cursor, or None when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
        parts = dict(p.split("=", 1) for p in text.split("&"))
        return int(parts["limit"]), int(parts["next"])
    except Exception:
        return None


class AccountStore:
    """All state of one emulated account."""

    KINDS = {
        # kind: (id key, first V2 sequence id). Campaign ids in V2 were 13-digit numbers.
        "contact_lists": ("list_id", 1),
        "contacts": ("contact_id", 1),
        "custom_fields": ("custom_field_id", 1),
        "emails": ("campaign_id", 1100000000001),
        "campaign_activities": ("campaign_activity_id", 1),
        "activities": ("activity_id", 1),
        "exports": ("file_export_id", 1),
    }

    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            for kind, (id_key, first) in self.KINDS.items():
                setattr(self, kind, Collection(id_key, first))
            self.account = default_account()
            # area modules keep extra indexes and data here (e.g. emails by address, tracking)
            self.extra = {}

    def collection(self, kind):
        return getattr(self, kind)

    def snapshot(self):
        """A JSON-able copy of the account; each object shows its `v2_id`."""
        with self.lock:
            out = {"account": dict(self.account)}
            for kind in self.KINDS:
                items = []
                for obj in self.collection(kind).values():
                    item = {k: v for k, v in obj.items() if not k.startswith("_") or k == "_private"}
                    item["v2_id"] = obj.get("_v2_id")
                    items.append(_copy(item))
                out[kind] = items
            out["extra"] = _copy(self.extra)
            return out

    def restore(self, snapshot):
        """Load what `snapshot()` produced."""
        with self.lock:
            self.reset()
            self.account = dict(snapshot.get("account") or default_account())
            for kind in self.KINDS:
                coll = self.collection(kind)
                for item in snapshot.get(kind) or []:
                    obj = _copy(item)
                    v2_id = obj.pop("v2_id", None)
                    coll.add(obj, v2_id)
            self.extra = _copy(snapshot.get("extra") or {})
            for rebuild in AFTER_RESTORE:
                rebuild(self)


def default_account():
    return {
        "contact_email": "owner@example.com",
        "contact_phone": "555-0100",
        "country_code": "US",
        # unique per account, as on V3: caches keyed by account never mix two emulators
        "encoded_account_id": "a07e" + uuid.uuid4().hex[:8],
        "first_name": "Joe",
        "last_name": "Flowers",
        "organization_name": "Joe's Flowers",
        "organization_phone": "555-0100",
        "state_code": "MA",
        "time_zone_id": "US/Eastern",
        "website": "https://example.com",
        "physical_address": {
            "address_line1": "1 Main St",
            "city": "Waltham",
            "state_code": "MA",
            "postal_code": "02451",
            "country_code": "US",
        },
        "_emails": [
            {"email_address": "owner@example.com", "email_id": 1, "confirm_status": "CONFIRMED",
             "confirm_time": "2020-01-01T00:00:00.000Z", "confirm_source_type": "SITE_OWNER",
             "roles": ["CONTACT", "REPLY_TO", "BILLING"], "pending_roles": []},
        ],
    }


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, set):
        return sorted(value)
    return value
