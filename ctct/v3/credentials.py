"""Finding credentials for a connection: explicit token, then env, then the token store.

Order (issue #7):
1. an explicit access token (the caller's `access_token=`, or the legacy password argument);
2. env: CTCT_ACCESS_TOKEN and/or CTCT_REFRESH_TOKEN, with CTCT_CLIENT_ID / CTCT_CLIENT_SECRET;
3. the token store's login for the client id (the legacy api_key, else CTCT_CLIENT_ID;
   with neither, the only stored login).
When none is usable, AuthenticationError tells the user to run `ctct login`.

With rotating refresh tokens an env refresh token works once; so the rotated descendants
of a CTCT_REFRESH_TOKEN are kept in the store under their own key, and the next run with
the same env value continues from them.
"""
import hashlib
import os

from .auth import StaticTokenAuth
from .errors import AuthenticationError
from .oauth import resolve_auth_url
from .refreshing_auth import RefreshingAuth, login_command
from .tokens import FileTokenStore, TokenSet

LOGIN_HINT = "No usable Constant Contact V3 credentials: run `ctct login` (or pass access_token=, or set CTCT_ACCESS_TOKEN)"


def find_auth(*, client_id=None, access_token=None, auth_url=None, store=None, client_secret=None,
              refresh_token=None, skew=None):
    """An Auth for a connection, or AuthenticationError telling the user to run `ctct login`.

    client_id: the application's client id (the legacy api_key).
    access_token: an explicit token; used as is (no refresh).
    auth_url: the authorization server for env refresh tokens (default CTCT_AUTH_URL, then
        Constant Contact's); a stored login refreshes with the server that issued it.
    store: a TokenStore (default: the FileTokenStore in the user's config dir).
    refresh_token / client_secret: explicit alternatives to CTCT_REFRESH_TOKEN / CTCT_CLIENT_SECRET.
    """
    if access_token:
        return StaticTokenAuth(access_token)
    env = os.environ
    options = {} if skew is None else {"skew": skew}

    env_refresh = refresh_token or env.get("CTCT_REFRESH_TOKEN")
    env_access = env.get("CTCT_ACCESS_TOKEN")
    if env_refresh:
        return _from_env_refresh_token(env_refresh, env_access, client_id=env.get("CTCT_CLIENT_ID") or client_id,
                                       client_secret=client_secret or env.get("CTCT_CLIENT_SECRET"),
                                       auth_url=auth_url, store=store, options=options)
    if env_access:
        return StaticTokenAuth(env_access)

    store = store if store is not None else FileTokenStore()
    tokens = _stored_login(store, client_id or env.get("CTCT_CLIENT_ID"))
    if not tokens.auth_url:
        tokens.auth_url = resolve_auth_url(auth_url)
    if not tokens.client_secret:
        tokens.client_secret = client_secret or env_secret_for(tokens.client_id)
    if not tokens.refresh_token and (not tokens.access_token or _expired(tokens)):
        raise AuthenticationError(
            f"the stored login for client {tokens.client_id!r} has expired and has no refresh token: "
            f"run `{login_command(tokens.client_id)}`")
    return RefreshingAuth(tokens, store=store, **options)


def env_secret_for(client_id):
    """CTCT_CLIENT_SECRET, unless CTCT_CLIENT_ID names another application: a public (PKCE)
    client sending some other app's secret would be refused."""
    env_client = os.environ.get("CTCT_CLIENT_ID")
    if env_client and env_client != client_id:
        return None
    return os.environ.get("CTCT_CLIENT_SECRET") or None


def _stored_login(store, client_id):
    try:
        if client_id:
            tokens = store.load(client_id)
            if tokens is None:
                raise AuthenticationError(
                    f"No usable Constant Contact V3 credentials for client {client_id!r}: run "
                    f"`{login_command(client_id)}` (or pass access_token=, or set CTCT_ACCESS_TOKEN)")
            return tokens
        logins = [t for t in store.load_all() if not t.source_hash]
    except (OSError, ValueError) as exc:
        raise AuthenticationError(f"could not read the token store {store.describe()} ({exc}): "
                                  "run `ctct login`") from None
    if len(logins) == 1:
        return logins[0]
    if not logins:
        raise AuthenticationError(LOGIN_HINT)
    ids = ", ".join(sorted(t.client_id for t in logins))
    raise AuthenticationError(f"several logins are stored ({ids}): pass the client id (api_key) or set CTCT_CLIENT_ID")


def _from_env_refresh_token(refresh_token, access_token, *, client_id, client_secret, auth_url, store, options):
    if not client_id:
        raise AuthenticationError("CTCT_REFRESH_TOKEN needs the application's client id: set CTCT_CLIENT_ID "
                                  "(or pass the api_key)")
    source_hash = hashlib.sha256(refresh_token.encode("utf-8")).hexdigest()
    seed = TokenSet(client_id=client_id, access_token=access_token or None, refresh_token=refresh_token,
                    auth_url=resolve_auth_url(auth_url), client_secret=client_secret, source_hash=source_hash)
    if store is None:
        store = FileTokenStore()
    try:
        descendant = store.load(seed.key)
    except (OSError, ValueError):
        descendant = None
    if descendant is not None:
        # an earlier run already rotated this env token: continue from the newest one
        if client_secret:
            descendant.client_secret = client_secret
        return RefreshingAuth(descendant, store=store, **options)
    return RefreshingAuth(seed, store=store, **options)


def _expired(tokens):
    remaining = tokens.expires_in()
    return remaining is not None and remaining <= 0
