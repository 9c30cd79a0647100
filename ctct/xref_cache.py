"""Where the V2 -> V3 id mapping is kept: in memory, or in a SQLite file that outlives the
xref endpoints.

Every entry is keyed by (account, kind, V2 id), so two accounts sharing one cache file never
mix. An entry either maps the V2 id (v3_id set) or records that V3 did not know it (v3_id
None): negative answers are kept too, so a rerun does not ask again (`forget_unmapped` makes
the next resolve ask again).

The SQLite cache is the migration's journal: each answered batch is committed before the next
request, so a process killed at any moment loses at most the batch in flight. It runs in WAL
mode with a busy timeout, one connection per thread (and per process after a fork), so threads
and processes can share one file.

Speed: the resolver asks for missing ids in the primary key's order (v2_id as text), and
put/get sort their rows the same way, so one batch of 500 ids lands on a few neighbouring
B-tree pages. In random order each commit rewrote hundreds of pages into the WAL (0.9 s of
commits for 100,000 ids, against 0.04 s in key order).
"""
import hashlib
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import NamedTuple, Optional

from .v3.errors import CTCTError

KINDS = ("contacts", "lists", "campaigns")
CACHE_ENV = "CTCT_CACHE"
SCHEMA_VERSION = "1"
_LOOKUP_CHUNK = 500  # ids per SELECT ... IN (...): well under SQLite's variable limit


class XrefCacheError(CTCTError):
    """The cache file cannot be opened or used (not a database, unwritable, ...)."""

    default_message = "The xref cache cannot be used"


class XrefEntry(NamedTuple):
    """What is known about one V2 id: its V3 id, or None when V3 does not know it."""

    kind: str
    v2_id: int
    v3_id: Optional[str]
    campaign_activity_id: Optional[str] = None  # campaigns only: the primary_email activity
    checked_at: float = 0.0  # when V3 answered (epoch seconds)

    @property
    def mapped(self):
        return self.v3_id is not None


def default_cache_path():
    """env CTCT_CACHE, else <user cache dir>/ctct/xref.sqlite3."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("ctct", appauthor=False)) / "xref.sqlite3"


def token_key(base_url, authorization):
    """A one-way key for (API root, credential), so the account behind a token can be
    remembered without storing the token."""
    digest = hashlib.sha256(f"{base_url}\n{authorization or ''}".encode("utf-8")).hexdigest()
    return digest[:40]


def _check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"unknown xref kind {kind!r}; expected one of {', '.join(KINDS)}")


class MemoryXrefCache:
    """The cache for one process's lifetime (what XrefResolver uses without a cache=)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}  # (account, kind) -> {v2_id: XrefEntry}
        self._accounts = {}

    def get(self, account, kind, v2_ids):
        _check_kind(kind)
        with self._lock:
            known = self._entries.get((account, kind), {})
            return {v2: known[v2] for v2 in v2_ids if v2 in known}

    def put(self, account, entries):
        with self._lock:
            for entry in entries:
                _check_kind(entry.kind)
                self._entries.setdefault((account, entry.kind), {})[entry.v2_id] = entry

    def forget_unmapped(self, account, kind=None):
        removed = 0
        with self._lock:
            for (acct, k), known in self._entries.items():
                if acct == account and (kind is None or k == kind):
                    for v2 in [v for v, e in known.items() if not e.mapped]:
                        del known[v2]
                        removed += 1
        return removed

    def entries(self, account=None, kind=None):
        """(account, XrefEntry) for every entry, optionally of one account and kind."""
        with self._lock:
            items = [(acct, k, dict(known)) for (acct, k), known in self._entries.items()]
        for acct, k, known in sorted(items, key=lambda i: (i[0], KINDS.index(i[1]))):
            if (account is None or acct == account) and (kind is None or k == kind):
                for v2 in sorted(known):
                    yield acct, known[v2]

    def count(self, account=None, kind=None):
        return sum(1 for _ in self.entries(account, kind))

    def account_for(self, key):
        with self._lock:
            return self._accounts.get(key)

    def remember_account(self, key, account):
        with self._lock:
            self._accounts[key] = account

    def close(self):
        pass


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS xrefs (
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    v2_id TEXT NOT NULL,            -- decimal digits: V2 ids may exceed SQLite's integer range
    v3_id TEXT,                     -- NULL: V3 answered without this id (unmapped)
    campaign_activity_id TEXT,
    checked_at REAL NOT NULL,
    PRIMARY KEY (account, kind, v2_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accounts (
    token_key TEXT PRIMARY KEY,     -- sha256 of (API root, credential), never the credential
    account TEXT NOT NULL,
    seen_at REAL NOT NULL
);
"""


class SqliteXrefCache:
    """A persistent cache in one SQLite file, shared safely by threads and processes."""

    def __init__(self, path=None, *, timeout=30.0):
        self.path = Path(path).expanduser() if path is not None else default_cache_path()
        self.timeout = timeout
        self._local = threading.local()
        self._all = []
        self._all_lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise XrefCacheError(f"cannot create the cache directory {self.path.parent}: {exc.strerror}") from None
        self._init_schema()

    def __repr__(self):
        return f"SqliteXrefCache({str(self.path)!r})"

    # -- connections --------------------------------------------------------------------

    def _db(self):
        db = getattr(self._local, "db", None)
        if db is not None and self._local.pid == os.getpid():
            return db
        try:
            db = sqlite3.connect(str(self.path), timeout=self.timeout, isolation_level=None)
            db.execute("PRAGMA busy_timeout = %d" % int(self.timeout * 1000))
            mode = self._enable_wal(db)
            if str(mode).lower() != "wal":
                raise XrefCacheError(f"the cache {self.path} cannot use WAL mode (got {mode})")
            # Durability: in WAL mode, synchronous=NORMAL makes COMMIT append to the WAL without
            # an fsync. A committed transaction is then in the OS page cache, so it survives any
            # crash of this process, kill -9 included; that is what resuming a migration needs
            # (no request asked twice). Only an OS crash or power loss can drop the last commits,
            # and those ids would simply be asked again. FULL would fsync on every batch.
            db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            raise XrefCacheError(f"cannot open the cache {self.path}: {exc}") from None
        self._local.db, self._local.pid = db, os.getpid()
        with self._all_lock:
            self._all.append(db)
        return db

    def _enable_wal(self, db):
        """PRAGMA journal_mode = WAL, waiting out other processes doing the same.

        Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is
        locked" at once, without the busy timeout, while another connection holds a lock
        (processes opening a new cache together): retry until the timeout instead."""
        deadline = time.monotonic() + self.timeout
        delay = 0.002
        while True:
            try:
                return db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    def _write(self):
        return _WriteTransaction(self)

    def _init_schema(self):
        with self._write() as db:
            # statement by statement: executescript() would commit our transaction early
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            elif row[0] != SCHEMA_VERSION:
                raise XrefCacheError(f"the cache {self.path} has schema version {row[0]}; "
                                     f"this ctct reads version {SCHEMA_VERSION}")

    def close(self):
        with self._all_lock:
            for db in self._all:
                try:
                    db.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
        self._local = threading.local()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- entries ------------------------------------------------------------------------

    def get(self, account, kind, v2_ids):
        _check_kind(kind)
        # key order: each IN (...) chunk then reads neighbouring pages of the primary key
        wanted = sorted({str(v) for v in v2_ids})
        found = {}
        db = self._db()
        make = tuple.__new__  # XrefEntry without the keyword-aware __new__ (80,000 rows a run)
        for start in range(0, len(wanted), _LOOKUP_CHUNK):
            chunk = wanted[start:start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._read(db, f"SELECT v2_id, v3_id, campaign_activity_id, checked_at FROM xrefs "
                                  f"WHERE account = ? AND kind = ? AND v2_id IN ({marks})",
                              [account, kind, *chunk])
            for v2, v3, activity, checked in rows:
                number = int(v2)
                found[number] = make(XrefEntry, (kind, number, v3, activity, checked))
        return found

    def put(self, account, entries):
        rows = []
        for entry in entries:
            _check_kind(entry.kind)
            rows.append((account, entry.kind, str(entry.v2_id), entry.v3_id, entry.campaign_activity_id,
                         entry.checked_at or time.time()))
        if not rows:
            return
        rows.sort(key=_row_key)  # key order: the batch touches a few neighbouring pages, not hundreds
        with self._write() as db:
            # A positive answer is never replaced by a negative one: V3 keeps xrefs of deleted
            # objects, so a later "unknown" would be a transient gap, not news.
            db.executemany(
                "INSERT INTO xrefs (account, kind, v2_id, v3_id, campaign_activity_id, checked_at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (account, kind, v2_id) DO UPDATE SET "
                "v3_id = COALESCE(excluded.v3_id, xrefs.v3_id), "
                "campaign_activity_id = COALESCE(excluded.campaign_activity_id, xrefs.campaign_activity_id), "
                "checked_at = excluded.checked_at",
                rows,
            )

    def forget_unmapped(self, account, kind=None):
        with self._write() as db:
            if kind is None:
                cur = db.execute("DELETE FROM xrefs WHERE account = ? AND v3_id IS NULL", (account,))
            else:
                _check_kind(kind)
                cur = db.execute("DELETE FROM xrefs WHERE account = ? AND kind = ? AND v3_id IS NULL",
                                 (account, kind))
            return cur.rowcount

    def entries(self, account=None, kind=None):
        """(account, XrefEntry) for every entry, optionally of one account and kind."""
        if kind is not None:
            _check_kind(kind)
        clauses, params = [], []
        if account is not None:
            clauses.append("account = ?")
            params.append(account)
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._read(self._db(), "SELECT account, kind, v2_id, v3_id, campaign_activity_id, checked_at "
                                      f"FROM xrefs{where}", params)
        rows.sort(key=lambda r: (r[0], KINDS.index(r[1]) if r[1] in KINDS else 99, int(r[2])))
        for acct, k, v2, v3, activity, checked in rows:
            yield acct, XrefEntry(k, int(v2), v3, activity, checked)

    def count(self, account=None, kind=None):
        return sum(1 for _ in self.entries(account, kind))

    def account_for(self, key):
        rows = self._read(self._db(), "SELECT account FROM accounts WHERE token_key = ?", [key])
        return rows[0][0] if rows else None

    def remember_account(self, key, account):
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO accounts (token_key, account, seen_at) VALUES (?, ?, ?)",
                       (key, account, time.time()))

    def _read(self, db, sql, params):
        try:
            return db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise XrefCacheError(f"reading the cache {self.path} failed: {exc}") from None


def _row_key(row):
    return row[1], row[2]  # (kind, v2_id text): the primary key's order within one account


class _WriteTransaction:
    """BEGIN IMMEDIATE ... COMMIT on the calling thread's connection (rollback on error).

    IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout
    instead of failing halfway with SQLITE_BUSY."""

    def __init__(self, cache):
        self.cache = cache

    def __enter__(self):
        self.db = self.cache._db()
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise XrefCacheError(f"cannot write the cache {self.cache.path}: {exc}") from None
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self.db.execute("COMMIT")
                return False
            except sqlite3.DatabaseError as err:
                self.db.execute("ROLLBACK")
                raise XrefCacheError(f"cannot write the cache {self.cache.path}: {err}") from None
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        if isinstance(exc, sqlite3.DatabaseError):
            raise XrefCacheError(f"cannot write the cache {self.cache.path}: {exc}") from None
        return False


def open_cache(cache):
    """A cache object from what a caller passed: None (memory), a cache, or a path."""
    if cache is None:
        return MemoryXrefCache()
    if isinstance(cache, (MemoryXrefCache, SqliteXrefCache)):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return SqliteXrefCache(cache)
    if all(hasattr(cache, name) for name in ("get", "put", "forget_unmapped", "entries")):
        return cache  # a caller's own store with the same interface
    raise TypeError("cache must be None, a path, or an xref cache object")
