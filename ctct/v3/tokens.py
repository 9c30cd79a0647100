"""Where OAuth2 tokens live between runs: `TokenSet` (one login) and the token stores.

`FileTokenStore` keeps every login in one JSON file, `<config dir>/ctct/tokens.json`
(XDG_CONFIG_HOME honoured, else platformdirs' user config dir), keyed by client id.
The file is written atomically (a private temporary file, fsync, rename) with mode 0600,
and `locked()` holds an exclusive lock shared by every thread and process on the machine,
so exactly one of them refreshes a login at a time and the others read its result.

Users who keep tokens elsewhere (a database, a secrets manager) subclass `TokenStore`.
"""
import contextlib
import json
import logging
import os
import stat
import threading
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .._durable import replace_private_file
from .redact import mask, register_secret

try:  # POSIX: advisory locks shared across processes
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

log = logging.getLogger("ctct")

STORE_FILE_NAME = "tokens.json"
STORE_FORMAT_VERSION = 1
_SECRET_FIELDS = ("access_token", "refresh_token", "client_secret")


@dataclass
class TokenSet:
    """The tokens of one login. Secrets never show in its repr.

    expires_at: epoch seconds when the access token stops working (None: unknown).
    user: who logged in (from the ID token), for display only.
    source_hash: for a login started from CTCT_REFRESH_TOKEN, a hash of that token, so the
        next run with the same env recognises the rotated descendant kept in the store.
    """

    client_id: str
    access_token: str = field(default=None, repr=False)
    refresh_token: str = field(default=None, repr=False)
    expires_at: float = None
    scope: str = ""
    token_type: str = "Bearer"
    auth_url: str = None
    user: str = None
    obtained_at: float = None
    client_secret: str = field(default=None, repr=False)
    source_hash: str = None

    def __post_init__(self):
        for name in _SECRET_FIELDS:
            register_secret(getattr(self, name))

    def __repr__(self):
        return (f"TokenSet(client_id={self.client_id!r}, user={self.user!r}, scope={self.scope!r}, "
                f"expires_at={self.expires_at!r}, access_token={mask(self.access_token)!r}, "
                f"refresh_token={mask(self.refresh_token)!r})")

    @property
    def key(self):
        """The store key: the client id, or for a login started from CTCT_REFRESH_TOKEN the
        client id plus a hash of that token (so it never replaces a `ctct login`)."""
        return f"{self.client_id}@env:{self.source_hash[:16]}" if self.source_hash else self.client_id

    @property
    def scopes(self):
        return self.scope.split() if self.scope else []

    def expires_in(self, now=None):
        """Seconds the access token has left (None when the lifetime is unknown)."""
        if self.expires_at is None:
            return None
        return self.expires_at - (time.time() if now is None else now)

    def with_refresh(self, newer):
        """`newer` (a token response) completed with what a refresh answer may leave out:
        a server that does not rotate returns no refresh token, and scope may be omitted."""
        return replace(
            newer,
            refresh_token=newer.refresh_token or self.refresh_token,
            scope=newer.scope or self.scope,
            user=newer.user or self.user,
            auth_url=newer.auth_url or self.auth_url,
            client_secret=newer.client_secret or self.client_secret,
            source_hash=self.source_hash,
        )

    def to_dict(self):
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    @classmethod
    def from_dict(cls, data):
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if not values.get("client_id"):
            raise ValueError("a stored login has no client_id")
        return cls(**values)


class TokenStore:
    """Interface for keeping logins, one per key (`TokenSet.key`: normally the client id).

    Implement load/save/delete/keys. Override `locked()` with a lock that covers every
    process using the same storage (a row lock, an advisory lock); the default only covers
    the threads of this process, which is enough when one process uses the store.
    """

    def __init__(self):
        self._thread_lock = threading.RLock()

    def load(self, key):
        """The TokenSet stored under key, or None."""
        raise NotImplementedError

    def save(self, tokens):
        """Store `tokens` (a TokenSet) under tokens.key, replacing what was there."""
        raise NotImplementedError

    def delete(self, key):
        """Forget the login under key; True when there was one."""
        raise NotImplementedError

    def keys(self):
        """The keys of every stored login."""
        raise NotImplementedError

    def load_all(self):
        return [t for t in (self.load(k) for k in self.keys()) if t is not None]

    @contextlib.contextmanager
    def locked(self):
        """Hold the store's exclusive lock (re-entrant) around a read-refresh-save."""
        with self._thread_lock:
            yield

    def describe(self):
        """Where the tokens are, for messages."""
        return type(self).__name__


class MemoryTokenStore(TokenStore):
    """Logins kept in this process only (tests, short scripts)."""

    def __init__(self):
        super().__init__()
        self._logins = {}

    def load(self, key):
        data = self._logins.get(key)
        return TokenSet.from_dict(data) if data else None

    def save(self, tokens):
        with self.locked():
            self._logins[tokens.key] = tokens.to_dict()

    def delete(self, key):
        with self.locked():
            return self._logins.pop(key, None) is not None

    def keys(self):
        return list(self._logins)

    def describe(self):
        return "memory"


def default_store_path():
    """`$XDG_CONFIG_HOME/ctct/tokens.json` when XDG_CONFIG_HOME is set (on every platform),
    else platformdirs' user config dir for "ctct"."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    if xdg:
        return Path(xdg) / "ctct" / STORE_FILE_NAME
    try:
        import platformdirs

        base = Path(platformdirs.user_config_dir("ctct", appauthor=False))
    except ImportError:  # platformdirs is a dependency; keep working without it anyway
        base = Path.home() / ".config" / "ctct"
    return base / STORE_FILE_NAME


class _InterProcessLock:
    """One per store file in this process: a re-entrant thread lock plus, for the outermost
    holder, an flock on a side file (the data file itself is replaced on every write, so
    locking it would lock an inode that stops being the store)."""

    _registry = {}
    _registry_lock = threading.Lock()

    @classmethod
    def for_path(cls, lock_path):
        key = str(lock_path)
        with cls._registry_lock:
            lock = cls._registry.get(key)
            if lock is None:
                lock = cls._registry[key] = cls(lock_path)
            return lock

    def __init__(self, lock_path):
        self.lock_path = lock_path
        self._rlock = threading.RLock()
        self._depth = 0
        self._fd = None

    def __enter__(self):
        self._rlock.acquire()
        try:
            if self._depth == 0 and fcntl is not None:
                self.lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self._fd = fd
            self._depth += 1
        except BaseException:
            self._rlock.release()
            raise
        return self

    def __exit__(self, *exc):
        try:
            self._depth -= 1
            if self._depth == 0 and self._fd is not None:
                fd, self._fd = self._fd, None
                try:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                finally:
                    os.close(fd)
        finally:
            self._rlock.release()


class FileTokenStore(TokenStore):
    """Logins in one JSON file, written atomically with mode 0600 (its directory 0700)."""

    def __init__(self, path=None):
        super().__init__()
        self.path = Path(path) if path is not None else default_store_path()
        self._lock = _InterProcessLock.for_path(self.path.with_name(self.path.name + ".lock"))

    def __repr__(self):
        return f"FileTokenStore(path={str(self.path)!r})"

    def describe(self):
        return str(self.path)

    @contextlib.contextmanager
    def locked(self):
        with self._lock:
            yield

    # -- reading (no lock needed: writers replace the file in one rename) ---------------

    def _read(self):
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        self._warn_if_exposed()
        try:
            data = json.loads(text)
        except ValueError:
            raise ValueError(f"the token store {self.path} is not valid JSON; remove it and run `ctct login`") from None
        logins = data.get("logins") if isinstance(data, dict) else None
        return logins if isinstance(logins, dict) else {}

    def _warn_if_exposed(self):
        try:
            mode = stat.S_IMODE(self.path.stat().st_mode)
        except OSError:
            return
        if os.name == "posix" and mode & 0o077:
            log.warning("ctct: the token store %s is readable by other users (mode %o); chmod 600 it",
                        self.path, mode)

    def load(self, key):
        data = self._read().get(key)
        return TokenSet.from_dict(data) if isinstance(data, dict) else None

    def keys(self):
        return list(self._read())

    # -- writing ------------------------------------------------------------------------

    def save(self, tokens):
        with self.locked():
            logins = self._read()
            logins[tokens.key] = tokens.to_dict()
            self._write(logins)

    def delete(self, key):
        with self.locked():
            logins = self._read()
            if key not in logins:
                return False
            del logins[key]
            self._write(logins)
            return True

    def _write(self, logins):
        """Replace the file in one rename (see `replace_private_file`)."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        payload = json.dumps({"version": STORE_FORMAT_VERSION, "logins": logins}, indent=2, sort_keys=True)
        replace_private_file(self.path, payload)


__all__ = ["TokenSet", "TokenStore", "MemoryTokenStore", "FileTokenStore", "default_store_path"]
