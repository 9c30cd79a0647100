"""Finding credentials for a connection: explicit token, then env, then the token store.

Minimal version; issue #7 adds the token store, refresh and `ctct login`.
"""
import os

from .auth import StaticTokenAuth
from .errors import AuthenticationError

LOGIN_HINT = "No usable Constant Contact V3 credentials: run `ctct login` (or pass access_token=, or set CTCT_ACCESS_TOKEN)"


def find_auth(*, client_id=None, access_token=None, auth_url=None):
    """An Auth for a connection, or AuthenticationError telling the user to run `ctct login`."""
    token = access_token or os.environ.get("CTCT_ACCESS_TOKEN")
    if token:
        return StaticTokenAuth(token)
    raise AuthenticationError(LOGIN_HINT)
