"""The emulator's request/response objects, V3 error answers, and the route table.

Area modules (`ctct.emulator.api.*`) declare their endpoints with `@route(...)`; the server
matches a request against the table and calls the handler with a `Request`.
"""
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs


class ApiError(Exception):
    """An error answer in V3's format.

    V3 answers most errors with a JSON list of {error_key, error_message}; 401 and 429 (and
    the OAuth server) answer a single object. `single=True` selects the object form.
    """

    def __init__(self, status, error_key, error_message, *, single=False, body=None):
        super().__init__(error_message)
        self.status = status
        self.error_key = error_key
        self.error_message = error_message
        self.single = single
        self.body = body

    def payload(self):
        if self.body is not None:
            return self.body
        obj = {"error_key": self.error_key, "error_message": self.error_message}
        return obj if self.single else [obj]


def bad_request(message, key="api.validation.error"):
    return ApiError(400, key, message)


def not_found(message="The requested resource was not found.", key="api.not_found"):
    return ApiError(404, key, message)


def conflict(message, key="api.conflict"):
    return ApiError(409, key, message)


STANDARD_ERRORS = {
    401: ("unauthorized", "Unauthorized", True),
    403: ("forbidden", "Forbidden request. You lack the necessary scopes, you lack the necessary user privileges, or the application is deactivated.", False),
    404: ("api.not_found", "The requested resource was not found.", False),
    405: ("api.method_not_allowed", "Unsupported method used.", False),
    415: ("api.unsupported_media_type", "Unsupported Media Type", False),
    429: ("throttled", "Too Many Requests", True),
    500: ("server.error", "There was a problem with our internal service.", False),
    502: ("server.bad_gateway", "Bad gateway.", False),
    503: ("server.unavailable", "Our internal service is temporarily unavailable.", False),
    504: ("server.timeout", "Gateway timeout.", False),
}


def standard_error(status):
    key, message, single = STANDARD_ERRORS.get(status, ("api.error", "Error.", False))
    return ApiError(status, key, message, single=single)


@dataclass
class Response:
    status: int = 200
    body: object = None  # JSON-able, or bytes/str with content_type set
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)

    def encode(self):
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str) and not self.content_type.startswith("application/json"):
            return self.body.encode("utf-8")
        return json.dumps(self.body, separators=(",", ":")).encode("utf-8")


class Request:
    """What a handler sees: method, path (relative to the API root), query, headers, body."""

    def __init__(self, emulator, method, path, query_string, headers, body):
        self.emulator = emulator
        self.state = emulator.store
        self.method = method
        self.path = path
        self.query_string = query_string or ""
        self.query = parse_qs(self.query_string, keep_blank_values=True)
        self.headers = headers
        self.body = body or b""
        self.params = {}
        self.token = None  # the bearer token's record, set by the server for V3 routes

    def arg(self, name, default=None):
        """One query value (the first), or default."""
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name):
        """Every value of a repeatable or comma-separated query parameter."""
        out = []
        for value in self.query.get(name, []):
            out.extend(v for v in value.split(",") if v != "")
        return out

    def int_arg(self, name, default, *, minimum=None, maximum=None):
        raw = self.arg(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f"{name} must be an integer.") from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise bad_request(f"{name} must be between {minimum} and {maximum}.")
        return value

    def bool_arg(self, name, default=False):
        raw = self.arg(name)
        if raw is None:
            return default
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise bad_request(f"{name} must be true or false.")

    @property
    def content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def json(self, *, required=True):
        """The JSON body; 415 unless sent as application/json, 400 when malformed."""
        if not self.body:
            if required:
                raise bad_request("A request body is required.", "api.validation.error")
            return None
        if self.content_type != "application/json":
            raise standard_error(415)
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise bad_request("The request body is malformed JSON.", "api.malformed_json") from None

    def json_object(self):
        body = self.json()
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.")
        return body

    def form(self):
        """An application/x-www-form-urlencoded body as a dict of lists."""
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)


@dataclass
class Route:
    method: str
    pattern: str
    handler: object
    auth: bool = True  # needs a V3 bearer token
    rate_limited: bool = True
    regex: object = None
    specificity: tuple = ()


class Router:
    def __init__(self):
        self.routes = []

    def add(self, method, pattern, handler, *, auth=True, rate_limited=True):
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"
        segments = pattern.strip("/").split("/")
        # literal segments win over placeholders: /contacts/contact_id_xrefs before /contacts/{id}
        specificity = tuple(1 if s.startswith("{") else 0 for s in segments)
        self.routes.append(Route(method, pattern, handler, auth, rate_limited, re.compile(regex), specificity))
        self.routes.sort(key=lambda r: (len(r.specificity), r.specificity))

    def match(self, method, path):
        """(route, params) for the request; (None, allowed_methods) when nothing matches."""
        allowed = set()
        for route in self.routes:
            m = route.regex.match(path)
            if m:
                if route.method == method:
                    return route, m.groupdict()
                allowed.add(route.method)
        return None, allowed


API = Router()  # routes under the V3 root (/v3)
OAUTH = Router()  # routes under the authorization server root


def route(method, pattern, *, router=None, auth=True, rate_limited=True):
    """Declare a handler: `@route("GET", "/contacts/{contact_id}")`."""

    def register(handler):
        (router or API).add(method, pattern, handler, auth=auth, rate_limited=rate_limited)
        return handler

    return register


__all__ = [
    "ApiError", "Request", "Response", "Router", "API", "OAUTH", "route", "bad_request",
    "not_found", "conflict", "standard_error",
]
