"""verify_credentials: is the connection's V3 credential good? (one GET /account/summary)"""
import re

from ..v3.errors import AuthenticationError
from .errors import InvalidUsernameException

# The 2009 client's rule: a username of at least 6 of a-zA-Z0-9 . - _ @
USERNAME_PATTERN = re.compile(r"^[\w.@-]{6,}$", re.ASCII)
INVALID_USERNAME_MESSAGE = (
    "This user name contains characters that are no longer supported. "
    "Please log in to constantcontact.com and update your user name."
)


def verify_credentials(ctx):
    """True when V3 accepts the token. When it does not (401), False, or, as before,
    InvalidUsernameException when the username breaks the old username rule. Other
    failures (network, 5xx) follow the strict/lenient convention."""
    try:
        ctx.client.get("/account/summary")
    except AuthenticationError:
        if USERNAME_PATTERN.match(str(ctx.username or "")):
            return False
        raise InvalidUsernameException(INVALID_USERNAME_MESSAGE)
    return True
