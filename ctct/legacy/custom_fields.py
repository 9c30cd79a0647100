"""The V3 custom fields that hold legacy-only contact fields (custom_field1..15, middle_name,
email_type, the display name, state/country codes, sub_postal_code; see mapping.py).

One registry per connection: the account's definitions are read once (GET
/contact_custom_fields, 100 per page), matched to legacy keys by label or name, and a
missing definition is created the first time a value needs it. Later calls cost nothing.
"""
import logging
import threading

from ..v3.errors import ConflictError
from . import mapping

log = logging.getLogger("ctct")

ENDPOINT = "/contact_custom_fields"


class CustomFieldRegistry:
    def __init__(self, client):
        self.client = client
        self._lock = threading.Lock()
        self._ids = None  # legacy key -> custom_field_id
        self._names = {}  # legacy key -> V3 name (for bulk imports: "cf:<name>")
        self._all_ids = set()  # every definition id of the account, legacy or not

    def _load(self):
        ids, names, all_ids = {}, {}, set()
        for definition in self.client.paginate(ENDPOINT, "custom_fields"):
            field_id = definition.get("custom_field_id")
            all_ids.add(field_id)
            key = mapping.legacy_key_for_field(definition)
            # the first definition wins when an account has two spellings of one field
            if key and key not in ids and field_id:
                ids[key] = field_id
                names[key] = definition.get("name")
        self._ids, self._names, self._all_ids = ids, names, all_ids

    def _loaded(self):
        if self._ids is None:
            self._load()
        return self._ids

    def refresh(self):
        with self._lock:
            self._load()

    def keys_by_id(self, needed_ids=()):
        """{custom_field_id: legacy key}. Reloads when one of `needed_ids` (the ids a contact
        carries) is not a definition we know: another client created it meanwhile."""
        with self._lock:
            self._loaded()
            if any(i not in self._all_ids for i in needed_ids):
                self._load()
            return {v: k for k, v in self._ids.items()}

    def ids_for(self, keys, *, create=True):
        """{legacy key: custom_field_id} for `keys`; with create=True a missing definition is
        created (labels in mapping.EXTRA_FIELD_LABELS), otherwise left out."""
        with self._lock:
            self._loaded()
            for key in keys:
                if key in self._ids or not create:
                    continue
                field_id, name = self._create(key)
                self._ids[key], self._names[key] = field_id, name
                self._all_ids.add(field_id)
            return {key: self._ids[key] for key in keys if key in self._ids}

    def names_for(self, keys, *, create=True):
        """{legacy key: V3 custom field name}, for bulk imports' "cf:<name>" columns."""
        self.ids_for(keys, create=create)
        with self._lock:
            return {key: self._names.get(key) for key in keys if self._names.get(key)}

    def _create(self, key):
        body = mapping.custom_field_definition(key)
        try:
            created = self.client.post(ENDPOINT, json=body)
        except ConflictError:
            # created by someone else since we listed: read it back
            self._load()
            if key in self._ids:
                return self._ids[key], self._names.get(key)
            raise
        log.info("ctct: created V3 custom field %r for legacy %s", body["label"], key)
        return created["custom_field_id"], created.get("name")


def registry_for(ctx):
    """The connection's registry (created on first use and kept on the context)."""
    registry = getattr(ctx, "_custom_field_registry", None)
    if registry is None:
        registry = CustomFieldRegistry(ctx.client)
        ctx._custom_field_registry = registry
    return registry
