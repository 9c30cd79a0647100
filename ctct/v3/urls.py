"""URL rules shared by the transport and the OAuth flows."""
from urllib.parse import urlsplit

from .errors import InvalidInputError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def require_secure(url, what="an OAuth endpoint"):
    """`url` when it is HTTPS, or HTTP on loopback; InvalidInputError otherwise, because
    tokens and secrets must never cross a network in clear text."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return url
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(f"{what} URL must be an https:// URL, got {url!r}")
    raise InvalidInputError(
        f"refusing to use {what} at {parts.scheme}://{parts.netloc}: it must use HTTPS "
        "(plain http is allowed only on loopback: 127.0.0.1, localhost, ::1)"
    )
