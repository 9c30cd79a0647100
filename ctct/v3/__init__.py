"""The V3 transport: client, auth, errors, paging, retries, rate limiting.

The error family loads with the package; the client (and with it `requests`, most of the
import cost) loads when `V3Client` or `DEFAULT_BASE_URL` is first used, so code that only
catches ctct's errors does not pay for the HTTP stack.
"""
from .errors import *  # noqa: F401,F403  (the error family is part of this package's face)
from .errors import CTCTError

_FROM_CLIENT = ("DEFAULT_BASE_URL", "V3Client")


def __getattr__(name):
    if name in _FROM_CLIENT:
        from . import client

        value = getattr(client, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ctct.v3' has no attribute {name!r}")
