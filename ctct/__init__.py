"""ctct: the 2009 Constant Contact `CTCTConnection` API, running on Constant Contact V3.

The heavy parts (the connection and its adapters, the Atom codec) load on first use, so
`import ctct` stays cheap for scripts and CLIs.
"""
import importlib

from ._version import __version__
from .v3.errors import (
    AuthenticationError,
    ConflictError,
    CTCTError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitedError,
    ServerError,
    TransportError,
    ValidationError,
)
from .legacy.errors import InvalidUsernameException

_LAZY = {
    "CTCTConnection": ("ctct.connection", "CTCTConnection"),
    "V3Client": ("ctct.v3.client", "V3Client"),
    "atom": ("ctct.atom", None),
}

__all__ = [
    "__version__", "CTCTConnection", "InvalidUsernameException", "V3Client", "atom",
    "CTCTError", "AuthenticationError", "PermissionDeniedError", "NotFoundError",
    "ConflictError", "ValidationError", "InvalidInputError", "RateLimitedError",
    "QuotaExceededError", "ServerError", "TransportError",
]


def __getattr__(name):
    if name in _LAZY:
        module_name, attr = _LAZY[name]
        module = importlib.import_module(module_name)
        value = module if attr is None else getattr(module, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ctct' has no attribute {name!r}")
