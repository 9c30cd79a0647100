"""V2 -> V3 id resolution through V3's xref endpoints.

Minimal in-memory version (issue #6 adds the persistent SQLite cache, export/import and the
`ctct migrate-ids` tool on top of the same interface).
"""
import threading

# kind: (endpoint, query parameter, batch size, V2 key in each xref, V3 key in each xref)
XREF_ENDPOINTS = {
    "contacts": ("/contacts/contact_id_xrefs", "sequence_ids", 500, "sequence_id", "contact_id"),
    "lists": ("/contact_lists/list_id_xrefs", "sequence_ids", 500, "sequence_id", "list_id"),
    "campaigns": ("/emails/campaign_id_xrefs", "v2_email_campaign_ids", 50, "v2_email_campaign_id", "campaign_id"),
}


class XrefResolver:
    """Maps V2 ids (ints) to V3 ids per kind: deduplicated, batched at each endpoint's
    maximum, remembered for the life of the object. Unknown ids map to None."""

    def __init__(self, client):
        self.client = client
        self._lock = threading.Lock()
        self._known = {kind: {} for kind in XREF_ENDPOINTS}

    def resolve(self, kind, v2_ids):
        """{v2_id: v3_id or None} for every id given (ints or digit strings)."""
        endpoint, param, batch, v2_key, v3_key = XREF_ENDPOINTS[kind]
        wanted = []
        seen = set()
        for raw in v2_ids:
            v2 = int(raw)
            if v2 not in seen:
                seen.add(v2)
                wanted.append(v2)
        with self._lock:
            known = self._known[kind]
            missing = [v for v in wanted if v not in known]
        for start in range(0, len(missing), batch):
            chunk = missing[start:start + batch]
            body = self.client.get(endpoint, params={param: ",".join(str(v) for v in chunk)})
            found = {int(x[v2_key]): x[v3_key] for x in (body or {}).get("xrefs", []) if x.get(v3_key)}
            with self._lock:
                for v in chunk:
                    known[v] = found.get(v)
        with self._lock:
            return {v: known.get(v) for v in wanted}

    def resolve_one(self, kind, v2_id):
        return self.resolve(kind, [v2_id])[int(v2_id)]
