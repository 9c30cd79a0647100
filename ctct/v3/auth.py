"""Authentication objects the V3 client calls before each request and after a 401.

The OAuth2 flows and token store (issue #7) plug in here by subclassing `Auth`.
"""
import threading

from .redact import mask, register_secret


class Auth:
    """Interface: give the Authorization header; optionally recover from a 401."""

    def authorization(self):
        """The Authorization header value for the next request (may refresh first)."""
        raise NotImplementedError

    def handle_unauthorized(self, sent_authorization):
        """Called once after a 401. Return True when a fresh credential is ready and the
        request should be retried once. `sent_authorization` is the header that failed, so
        a refresh done meanwhile by another thread is reused rather than repeated."""
        return False


class StaticTokenAuth(Auth):
    """A fixed bearer token (from the caller or CTCT_ACCESS_TOKEN)."""

    def __init__(self, token):
        self._token = token
        self._lock = threading.Lock()
        register_secret(token)

    def authorization(self):
        return f"Bearer {self._token}" if self._token else None

    def __repr__(self):
        return f"StaticTokenAuth(token={mask(self._token)!r})"
