"""`RefreshingAuth`: an OAuth2 login that keeps itself valid.

The access token is refreshed shortly before it expires, and once after a 401 (then the
V3 client retries the failed request once). One refresh happens at a time: threads share
this object's lock, and processes share the token store's lock. Whoever gets the lock
first re-reads the store: if another thread or process already rotated the tokens, it
takes theirs instead of spending a refresh token that rotation has already killed.
"""
import logging
import threading
import time

from .auth import Auth
from .errors import AuthenticationError
from .oauth import OAuthClient, OAuthError
from .redact import mask, register_secret

log = logging.getLogger("ctct")

DEFAULT_SKEW = 60.0  # refresh this many seconds before expiry (Constant Contact tokens live 24 h)
# Refresh-token failures that mean the login itself is gone (revoked, expired, reused).
_LOGIN_GONE = {"invalid_grant", "invalid_client", "unauthorized_client", "invalid_token"}


def login_command(client_id):
    return f"ctct login --client-id {client_id}" if client_id else "ctct login"


class RefreshingAuth(Auth):
    """Bearer auth from a TokenSet, refreshed automatically.

    store: a TokenStore to re-read before and save after each refresh (None: this object
        is the only holder of the tokens, e.g. an env refresh token with no store).
    oauth: the OAuthClient for refreshes (default: built from the tokens' client id,
        client secret and auth_url).
    skew: refresh this many seconds before expiry (at most a quarter of the token's life).
    clock: epoch seconds (tests inject one to make tokens expire without waiting).
    """

    def __init__(self, tokens, *, store=None, oauth=None, skew=DEFAULT_SKEW, clock=time.time):
        if not tokens.access_token and not tokens.refresh_token:
            raise AuthenticationError(f"no access or refresh token for client {tokens.client_id!r}: "
                                      f"run `{login_command(tokens.client_id)}`")
        self._tokens = tokens
        self._store = store
        self._oauth = oauth
        self._skew = float(skew)
        self._clock = clock
        self._lock = threading.Lock()
        self.refresh_count = 0  # refreshes this object performed (not adopted ones)

    def __repr__(self):
        t = self._tokens
        return (f"RefreshingAuth(client_id={t.client_id!r}, user={t.user!r}, expires_at={t.expires_at!r}, "
                f"access_token={mask(t.access_token)!r}, refresh_token={mask(t.refresh_token)!r})")

    @property
    def client_id(self):
        return self._tokens.client_id

    @property
    def tokens(self):
        """The current TokenSet (its repr masks the tokens)."""
        return self._tokens

    # -- the Auth interface -------------------------------------------------------------

    def authorization(self):
        with self._lock:
            if self._needs_refresh(self._tokens):
                self._refresh(failed_access_token=None)
            return self._header()

    def handle_unauthorized(self, sent_authorization):
        with self._lock:
            if sent_authorization != self._header():
                return True  # another thread refreshed after that request left: just retry
            if not self._tokens.refresh_token and self._store is None:
                raise AuthenticationError(
                    f"the access token for client {self.client_id!r} was refused and there is no refresh "
                    f"token to renew it: run `{login_command(self.client_id)}`", status=401)
            self._refresh(failed_access_token=self._tokens.access_token)
            return True

    def refresh(self):
        """Refresh now (or adopt a newer token another process stored); returns the TokenSet."""
        with self._lock:
            self._refresh(failed_access_token=self._tokens.access_token)
            return self._tokens

    # -- internals ----------------------------------------------------------------------

    def _header(self):
        return f"Bearer {self._tokens.access_token}"

    def _needs_refresh(self, tokens):
        if not tokens.access_token:
            return True
        if tokens.expires_at is None:
            return False  # lifetime unknown (e.g. CTCT_ACCESS_TOKEN): use it until a 401
        return self._clock() >= tokens.expires_at - self._skew_for(tokens)

    def _skew_for(self, tokens):
        # A 60 s margin on a 10 s token would refresh before every call: cap it at a quarter
        # of the token's lifetime.
        if tokens.obtained_at is not None and tokens.expires_at is not None:
            return min(self._skew, max(tokens.expires_at - tokens.obtained_at, 0.0) / 4)
        return self._skew

    def _refresh(self, failed_access_token):
        if self._store is None:
            self._refresh_from(self._tokens)
            return
        with self._store.locked():
            stored = self._load_stored()
            if stored is not None and stored.access_token and stored.access_token not in (
                    self._tokens.access_token, failed_access_token) and not self._needs_refresh(stored):
                # another thread or process refreshed while we waited for the lock
                log.debug("ctct: using the tokens another process refreshed for client %s", self.client_id)
                self._tokens = stored
                return
            # the store holds the newest refresh token (rotation kills every older one)
            base = stored if stored is not None and stored.refresh_token else self._tokens
            self._refresh_from(base)
            self._save()

    def _load_stored(self):
        try:
            return self._store.load(self._tokens.key)
        except (OSError, ValueError) as exc:
            log.warning("ctct: could not read the token store %s (%s); refreshing from memory",
                        self._store.describe(), type(exc).__name__)
            return None

    def _save(self):
        try:
            self._store.save(self._tokens)
        except OSError as exc:
            log.error("ctct: could not save the refreshed tokens to %s (%s); other processes using "
                      "this login will need `%s`", self._store.describe(), exc.strerror or type(exc).__name__,
                      login_command(self.client_id))

    def _oauth_for(self, tokens):
        oauth = self._oauth
        if oauth is None or oauth.client_id != tokens.client_id or (
                tokens.auth_url and oauth.auth_url != tokens.auth_url.rstrip("/")):
            oauth = self._oauth = OAuthClient(tokens.client_id, tokens.client_secret, tokens.auth_url,
                                              clock=self._clock)
        return oauth

    def _refresh_from(self, base):
        if not base.refresh_token:
            raise AuthenticationError(
                f"the access token for client {base.client_id!r} has expired and there is no refresh token "
                f"to renew it: run `{login_command(base.client_id)}`", status=401)
        try:
            fresh = self._oauth_for(base).refresh(base.refresh_token)
        except OAuthError as err:
            if err.error in _LOGIN_GONE:
                raise AuthenticationError(
                    f"the login for client {base.client_id!r} is no longer valid (its refresh token was "
                    f"revoked, expired or already used): run `{login_command(base.client_id)}`",
                    status=err.status, errors=err.errors) from None
            raise
        self._tokens = base.with_refresh(fresh)
        register_secret(self._tokens.refresh_token)
        self.refresh_count += 1
        log.debug("ctct: refreshed the access token for client %s", base.client_id)


__all__ = ["RefreshingAuth", "DEFAULT_SKEW", "login_command"]
