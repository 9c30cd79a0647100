"""V2 -> V3 id resolution through V3's xref endpoints.

    resolver = XrefResolver(client)                          # in-memory, for one connection
    resolver = XrefResolver(client, cache="~/xref.sqlite3")  # persistent (or cache=default_cache_path())
    resolver.resolve("contacts", [22199, "22200"])           # {22199: "<uuid>", 22200: None}
    result = resolver.resolve_many("lists", ids)             # .mapping, .unmapped, .requests
    resolver.export_mapping("mapping.csv")                   # keep it after the endpoints are gone

Ids are deduplicated, looked up in the cache, and only the missing ones are asked for, in
batches of each endpoint's maximum (500 contacts or lists, 50 campaigns), in the cache's key
order; each answered batch is committed to the cache before the next is sent. An id V3 does not know maps to None and is
remembered as unmapped (`recheck_unmapped=True` asks again); nothing is dropped or guessed.

The cache is keyed by account: the API root plus the account's `encoded_account_id` (asked
once per credential from /account/summary and remembered under a one-way hash of the
credential), or the `account=` the caller names. A resolver with no cache= keeps its answers
in memory for its own client only, and never asks who the account is.
"""
import logging
import threading
import time
from typing import Dict, List, NamedTuple

from .legacy import ids as legacy_ids
from .v3.errors import InvalidInputError, NotFoundError, PermissionDeniedError, ServerError
from .xref_cache import (KINDS, MemoryXrefCache, XrefCacheError, XrefEntry, default_cache_path,
                         open_cache, token_key)

log = logging.getLogger("ctct")

# kind: (endpoint, query parameter, batch size, V2 key in each xref, V3 key in each xref)
XREF_ENDPOINTS = {
    "contacts": ("/contacts/contact_id_xrefs", "sequence_ids", 500, "sequence_id", "contact_id"),
    "lists": ("/contact_lists/list_id_xrefs", "sequence_ids", 500, "sequence_id", "list_id"),
    "campaigns": ("/emails/campaign_id_xrefs", "v2_email_campaign_ids", 50, "v2_email_campaign_id", "campaign_id"),
}


def batch_size(kind):
    """The most ids one xref request of this kind may carry."""
    return XREF_ENDPOINTS[_kind(kind)][2]


class XrefResult(NamedTuple):
    """The answer for many ids: every distinct id given, in first-seen order."""

    kind: str
    entries: Dict[int, XrefEntry]
    requests: int  # xref requests this call sent
    from_cache: int  # ids answered by the cache

    @property
    def mapping(self):
        """{v2_id: v3_id or None}."""
        return {v2: e.v3_id for v2, e in self.entries.items()}

    # (v3_id tested directly rather than through XrefEntry.mapped: 80,000 property calls a run)
    @property
    def mapped(self):
        return {v2: e.v3_id for v2, e in self.entries.items() if e.v3_id is not None}

    @property
    def unmapped(self) -> List[int]:
        return [v2 for v2, e in self.entries.items() if e.v3_id is None]


class XrefResolver:
    """Maps V2 ids to V3 ids per kind ("contacts", "lists", "campaigns").

    client: a V3Client. cache: None (memory), a path to a SQLite file, or a cache object
    (`ctct.xref_cache.SqliteXrefCache`). account: a name for the account the client talks
    to (skips the /account/summary lookup a persistent cache otherwise makes once per
    credential).
    """

    def __init__(self, client, cache=None, *, account=None):
        self.client = client
        self._private_memory = cache is None
        self._owns_cache = not hasattr(cache, "put")  # opened here from None or a path
        self.cache = open_cache(cache)
        self._account_name = account
        self._account = None
        self._account_lock = threading.Lock()
        self._fetch_locks = {kind: threading.Lock() for kind in XREF_ENDPOINTS}
        self._fetched = dict.fromkeys(XREF_ENDPOINTS, 0)  # batches stored per kind (under its fetch lock)
        self._count_lock = threading.Lock()
        self.requests = 0  # xref requests sent over this resolver's life

    def __repr__(self):
        return f"XrefResolver(client={self.client!r}, cache={self.cache!r})"

    # -- the account the cache entries belong to ---------------------------------------

    @property
    def account(self):
        """The cache key of the account this resolver's client talks to."""
        with self._account_lock:
            if self._account is None:
                self._account = self._find_account()
            return self._account

    def _find_account(self):
        base = self.client.base_url
        if self._account_name:
            return f"{base}#{self._account_name}"
        if self._private_memory:
            return base  # one client, one account: nothing to tell apart
        auth = getattr(self.client, "auth", None)
        key = token_key(base, auth.authorization() if auth is not None else None)
        known = self.cache.account_for(key)
        if known:
            return known
        try:
            summary = self.client.get("/account/summary") or {}
            encoded = summary.get("encoded_account_id") if isinstance(summary, dict) else None
        except (PermissionDeniedError, NotFoundError) as err:
            log.warning("ctct: cannot tell which account this token belongs to (%s); the xref cache "
                        "keeps this token's answers apart (name the account with account= or --account "
                        "to share them across tokens)", err)
            encoded = None
        scope = f"{base}#{encoded}" if encoded else f"{base}#token:{key[:16]}"
        self.cache.remember_account(key, scope)
        return scope

    # -- resolving ------------------------------------------------------------------------

    def resolve_many(self, kind, v2_ids, *, recheck_unmapped=False, progress=None):
        """Resolve many ids at once (ints, digit strings or legacy URIs ending in a V2
        number); returns an XrefResult. progress(n) is called after each answered batch
        with the number of ids it carried."""
        kind = _kind(kind)
        wanted = _distinct_v2_ids(kind, v2_ids)
        if not wanted:
            return XrefResult(kind, {}, 0, 0)
        account = self.account
        fetched_before = self._fetched[kind]
        known = _usable(self.cache.get(account, kind, wanted), recheck_unmapped)
        from_cache = len(known)
        sent = 0
        missing = [v for v in wanted if v not in known]
        if missing:
            # One fetcher per kind at a time: a thread that waited here finds in the cache what
            # the previous one fetched, instead of asking V3 twice. (Nothing to look for again
            # when no batch was stored since our lookup.)
            with self._fetch_locks[kind]:
                if self._fetched[kind] != fetched_before:
                    fresh = _usable(self.cache.get(account, kind, missing), recheck_unmapped)
                    known.update(fresh)
                    from_cache += len(fresh)
                    missing = [v for v in missing if v not in known]
                # In the cache's key order (text), so each answered batch is stored on a few
                # neighbouring B-tree pages: 5x less cache time than first-seen order.
                missing.sort(key=str)
                size = batch_size(kind)
                for start in range(0, len(missing), size):
                    chunk = missing[start:start + size]
                    entries = self._fetch(kind, chunk)
                    sent += 1
                    self.cache.put(account, entries)  # committed before the next request
                    self._fetched[kind] += 1
                    known.update((e.v2_id, e) for e in entries)
                    if progress is not None:
                        progress(len(chunk))
        return XrefResult(kind, {v: known[v] for v in wanted}, sent, from_cache)

    def pending(self, kind, v2_ids, *, recheck_unmapped=False):
        """The distinct ids of `v2_ids` the cache cannot answer (what resolving would ask V3)."""
        kind = _kind(kind)
        wanted = _distinct_v2_ids(kind, v2_ids)
        if not wanted:
            return []
        known = _usable(self.cache.get(self.account, kind, wanted), recheck_unmapped)
        return [v for v in wanted if v not in known]

    def resolve(self, kind, v2_ids, **kw):
        """{v2_id: v3_id or None} for every id given (ints or digit strings)."""
        return self.resolve_many(kind, v2_ids, **kw).mapping

    def resolve_one(self, kind, v2_id):
        result = self.resolve_many(kind, [v2_id])
        return next(iter(result.entries.values())).v3_id

    def campaign_activity_ids(self, v2_ids):
        """{v2 campaign id: its primary_email campaign_activity_id or None}."""
        result = self.resolve_many("campaigns", v2_ids)
        return {v2: e.campaign_activity_id for v2, e in result.entries.items()}

    def forget_unmapped(self, kind=None):
        """Forget the ids V3 did not know, so the next resolve asks for them again."""
        return self.cache.forget_unmapped(self.account, None if kind is None else _kind(kind))

    def _fetch(self, kind, chunk):
        endpoint, param, _, v2_key, v3_key = XREF_ENDPOINTS[kind]
        try:
            # a ready query string: commas stay literal (as the spec's csv format shows them)
            # instead of %2C, which keeps 500-id URLs short and cheap to build
            body = self.client.get(endpoint, params=f"{param}={','.join(str(v) for v in chunk)}")
        except NotFoundError as err:
            raise NotFoundError(
                f"{endpoint} answered 404: Constant Contact may have removed the xref endpoints; "
                "resolve from a saved mapping instead (XrefResolver.import_mapping / ctct xref-import)",
                status=err.status, method=err.method, path=err.path, errors=err.errors) from None
        finally:
            with self._count_lock:
                self.requests += 1
        xrefs = body.get("xrefs") if isinstance(body, dict) else None
        if not isinstance(xrefs, list):
            raise ServerError(f"{endpoint} answered without an xrefs list", status=200, method="GET", path=endpoint)
        asked = set(chunk)
        now = time.time()
        found = {}
        for xref in xrefs:
            try:
                v2 = int(str(xref.get(v2_key)).strip())  # V3 may zero-pad: "0016633325"
            except (AttributeError, ValueError):
                continue
            v3 = xref.get(v3_key)
            if v2 in asked and v3:
                found[v2] = XrefEntry(kind, v2, v3, xref.get("campaign_activity_id"), now)
        return [found.get(v2) or XrefEntry(kind, v2, None, None, now) for v2 in chunk]

    # -- keeping the mapping ------------------------------------------------------------

    def export_mapping(self, dest, *, format=None, kind=None, include_unmapped=True):
        """Write this account's whole mapping to a CSV or JSON file (path or file object);
        returns the number of entries written."""
        from .xref_mapping import export_mapping

        return export_mapping(self.cache, dest, format=format, account=self.account,
                              kind=None if kind is None else _kind(kind), include_unmapped=include_unmapped)

    def import_mapping(self, src, *, format=None):
        """Load a mapping written by export_mapping into this account's cache; returns the
        number of entries read. Rows naming another account are refused."""
        from .xref_mapping import import_mapping

        return import_mapping(self.cache, src, format=format, account=self.account)

    def close(self):
        """Close the cache if this resolver opened it (from a path); a cache object passed in
        stays open for its owner."""
        if self._owns_cache:
            self.cache.close()


def _kind(kind):
    if kind not in XREF_ENDPOINTS:
        raise InvalidInputError(f"unknown xref kind {kind!r}; expected one of {', '.join(KINDS)}")
    return kind


def _distinct_v2_ids(kind, values):
    """The V2 numbers among `values`, each once, in first-seen order."""
    seen = {}
    for value in values:
        if type(value) is int and value >= 0:
            seen.setdefault(value, None)  # what parse() makes of it, without the detour (bool excluded)
            continue
        parsed = legacy_ids.parse(value, kind)
        if parsed.form != "v2":
            raise InvalidInputError(f"{value!r} is not a V2 {kind[:-1]} id")
        seen.setdefault(parsed.v2_number, None)
    return list(seen)


def _usable(entries, recheck_unmapped):
    if recheck_unmapped:
        return {v2: e for v2, e in entries.items() if e.mapped}
    return entries


__all__ = ["XrefResolver", "XrefResult", "XrefEntry", "XREF_ENDPOINTS", "batch_size", "default_cache_path",
           "MemoryXrefCache", "XrefCacheError"]
