"""The error family every ctct call raises: one root, one class per V3 failure kind.

Errors carry what a caller needs to act (HTTP status, method, path, V3's parsed
error body) and nothing secret: request headers are never kept, and the path is
stored without its query string.
"""


class CTCTError(Exception):
    """Root of every error ctct raises."""

    default_message = "Constant Contact request failed"

    def __init__(self, message=None, *, status=None, method=None, path=None, errors=None):
        self.status = status
        self.method = method
        self.path = path
        self.errors = list(errors or [])
        self.message = message or self._message_from_errors() or self.default_message
        super().__init__(self.message)

    def _message_from_errors(self):
        texts = [e.get("error_message") or e.get("error_key") for e in self.errors if isinstance(e, dict)]
        return "; ".join(t for t in texts if t)

    @property
    def error_keys(self):
        return [e.get("error_key") for e in self.errors if isinstance(e, dict)]

    def __str__(self):
        where = " ".join(p for p in (self.method, self.path) if p)
        status = f"HTTP {self.status} " if self.status is not None else ""
        prefix = f"{status}{where}: " if (status or where) else ""
        return f"{prefix}{self.message}"

    def __repr__(self):
        return f"{type(self).__name__}(status={self.status!r}, method={self.method!r}, path={self.path!r}, errors={self.errors!r})"


class AuthenticationError(CTCTError):
    default_message = "The access token is missing, invalid or expired (run `ctct login`)"


class PermissionDeniedError(CTCTError):
    default_message = "Forbidden: the token lacks a scope or the user a privilege"


class NotFoundError(CTCTError):
    default_message = "The requested resource was not found"


class ConflictError(CTCTError):
    default_message = "Conflict with an existing resource"


class ValidationError(CTCTError):
    default_message = "The request was rejected as invalid"


class RateLimitedError(CTCTError):
    """A 429. `kind` is "throttled" (per second), "quota_exceeded" (per day) or another V3 key."""

    default_message = "Too many requests"

    def __init__(self, message=None, *, kind=None, **kw):
        super().__init__(message, **kw)
        self.kind = kind or (self.error_keys[0] if self.error_keys else "throttled")

    @property
    def throttled(self):
        return self.kind == "throttled"

    @property
    def quota_exceeded(self):
        return self.kind == "quota_exceeded"


class QuotaExceededError(RateLimitedError):
    """The daily request budget is spent; it resets at 00:00 UTC, so retrying now is useless."""

    default_message = "Daily request quota exceeded; it resets at 00:00 UTC"

    def __init__(self, message=None, **kw):
        kw.setdefault("kind", "quota_exceeded")
        super().__init__(message, **kw)


class ServerError(CTCTError):
    default_message = "Constant Contact had an internal error"


class TransportError(CTCTError):
    """The request never got an HTTP answer (connection refused, reset, timeout)."""

    default_message = "Could not reach the Constant Contact API"


class InvalidInputError(ValidationError):
    """Bad input caught on our side, before any request (strict mode raises it)."""


def parse_error_body(body):
    """V3 answers errors as a list of {error_key, error_message}, or one such object (401, 429)."""
    if isinstance(body, list):
        return [e for e in body if isinstance(e, dict)]
    if isinstance(body, dict):
        if "error_key" in body or "error_message" in body:
            return [body]
        if "error" in body:  # the OAuth server's {error, error_description}
            return [{"error_key": body.get("error"), "error_message": body.get("error_description") or body.get("error")}]
        nested = body.get("errors")
        if isinstance(nested, list):
            return [e for e in nested if isinstance(e, dict)]
    return []


_BY_STATUS = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    415: ValidationError,
    422: ValidationError,
}


def error_for_response(status, body, *, method, path):
    """Build the typed error for an HTTP failure answer."""
    errors = parse_error_body(body)
    kw = dict(status=status, method=method, path=path, errors=errors)
    if status == 429:
        keys = [e.get("error_key") for e in errors]
        if "quota_exceeded" in keys:
            return QuotaExceededError(
                "Daily request quota exceeded (V3 allows 10,000 requests a day); it resets at 00:00 UTC", **kw
            )
        return RateLimitedError(kind=keys[0] if keys and keys[0] else "throttled", **kw)
    if status >= 500:
        return ServerError(**kw)
    cls = _BY_STATUS.get(status, CTCTError)
    return cls(**kw)
