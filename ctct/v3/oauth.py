"""OAuth2 against Constant Contact's authorization server (or the emulator's).

Flows: authorization code with PKCE and a one-shot loopback redirect listener (`ctct login`),
the device authorization flow (`ctct login --device`), the authorization code with a client
secret (server-side apps), refresh with rotating refresh tokens, and revocation (RFC 7009).

The server base comes from the caller, else env CTCT_AUTH_URL, else Constant Contact's.
Every endpoint must be HTTPS unless it is on loopback. Every token, code and secret this
module sees is registered with `redact` so no log line, repr or error shows it.
"""
import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import requests

from .errors import AuthenticationError, InvalidInputError, TransportError
from .redact import mask, redact, register_secret
from .tokens import TokenSet
from .urls import LOOPBACK_HOSTS, require_secure  # noqa: F401  (re-exported)

log = logging.getLogger("ctct")

DEFAULT_AUTH_URL = "https://authz.constantcontact.com/oauth2/default/v1"
# What the legacy methods need (contacts, lists, campaigns, reports, account details),
# plus offline_access, without which Constant Contact gives no refresh token.
DEFAULT_SCOPES = ("account_read", "account_update", "contact_data", "campaign_data", "offline_access")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_TIMEOUT = (5.0, 30.0)
# The token endpoint allows one request a second: wait that long on a 429, a few times.
TOKEN_RATE_RETRIES = 3
SLOW_DOWN_INCREMENT = 5.0  # RFC 8628 3.5: each slow_down adds 5 seconds to the interval


class OAuthError(AuthenticationError):
    """The authorization server refused (`error` is its OAuth error code, e.g.
    "invalid_grant"), or a flow could not complete (state mismatch, timeout)."""

    def __init__(self, error, description=None, *, status=None, path=None):
        self.error = error
        self.description = redact(description) if description else None
        text = f"{error}: {self.description}" if self.description else error
        super().__init__(f"authorization server: {text}", status=status, method="POST" if status else None,
                         path=path, errors=[{"error_key": error, "error_message": self.description or error}])


def resolve_auth_url(auth_url=None):
    """The authorization server base to use: the argument, env CTCT_AUTH_URL, or Constant Contact's."""
    url = (auth_url or os.environ.get("CTCT_AUTH_URL") or DEFAULT_AUTH_URL).rstrip("/")
    return require_secure(url, "the authorization server")


def is_loopback(url):
    host = urlsplit(url).hostname
    return host in LOOPBACK_HOSTS if host else False


def scope_string(scope):
    """A space-separated scope from a string or an iterable of scopes (None: the defaults)."""
    if scope is None:
        scope = DEFAULT_SCOPES
    if isinstance(scope, str):
        scope = scope.replace(",", " ").split()
    return " ".join(dict.fromkeys(s for s in scope if s))


# -- PKCE and state -------------------------------------------------------------------------

def pkce_pair():
    """(code_verifier, code_challenge) for S256 (RFC 7636): 64 random URL-safe characters
    and the unpadded base64url SHA-256 of them."""
    verifier = secrets.token_urlsafe(48)
    register_secret(verifier)
    return verifier, pkce_challenge(verifier)


def pkce_challenge(verifier):
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state():
    return secrets.token_urlsafe(24)


def jwt_claims(token):
    """The claims of a JWT, unverified (for display only), or {} when it is not one."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except Exception:
        return {}
    return data if isinstance(data, dict) else {}


def user_from_tokens(id_token=None, access_token=None):
    """Who logged in, for `ctct token`: the ID token's (else the access token's) user claims."""
    for token in (id_token, access_token):
        claims = jwt_claims(token) if token else {}
        for name in ("preferred_username", "email", "name", "sub"):
            if isinstance(claims.get(name), str) and claims[name]:
                return claims[name]
    return None


# -- device flow ----------------------------------------------------------------------------

@dataclass
class DeviceAuthorization:
    """The device authorization response (RFC 8628 3.2). Show `verification_uri` and
    `user_code` to the user, then poll with `OAuthClient.poll_device`."""

    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    verification_uri_complete: str = None
    expires_in: float = 600
    interval: float = 5
    started: float = 0.0  # the poller's clock when the authorization began


# -- the loopback redirect listener ---------------------------------------------------------

_DONE_PAGE = (b"<!doctype html><title>ctct</title><p>ctct: authorization received. "
              b"You can close this window and return to the terminal.</p>")
_FAILED_PAGE = (b"<!doctype html><title>ctct</title><p>ctct: the authorization did not complete. "
                b"See the terminal for details.</p>")


class LoopbackListener:
    """A one-shot HTTP receiver for the authorization redirect, on http://127.0.0.1:<port>/callback.

    It answers exactly one request to its path (any other path gets 404, e.g. a browser's
    favicon request) and then stops listening. Use as a context manager.
    """

    def __init__(self, host="127.0.0.1", port=0, path="/callback"):
        # imported here: only an interactive login needs a server, every connection
        # imports this module
        from http.server import BaseHTTPRequestHandler, HTTPServer

        self.path = path
        self.result = None
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # the query holds the code: never log it
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path != listener.path or listener.result is not None:
                    self._reply(404, b"not found")
                    return
                params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                register_secret(params.get("code"))
                listener.result = params
                ok = "code" in params and "error" not in params
                self._reply(200 if ok else 400, _DONE_PAGE if ok else _FAILED_PAGE)

            def _reply(self, status, body):
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

        self._server = HTTPServer((host, port), Handler)
        self.port = self._server.server_address[1]
        shown_host = f"[{host}]" if ":" in host else host
        self.redirect_uri = f"http://{shown_host}:{self.port}{path}"

    def wait(self, timeout=300.0, clock=time.monotonic):
        """The redirect's query parameters (a dict), once it arrives; OAuthError on timeout."""
        deadline = clock() + timeout
        while self.result is None:
            remaining = deadline - clock()
            if remaining <= 0:
                raise OAuthError("timeout", f"no authorization redirect arrived within {timeout:g} seconds")
            self._server.timeout = min(remaining, 0.5)
            self._server.handle_request()
        return self.result

    def close(self):
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# -- the client -----------------------------------------------------------------------------

class OAuthClient:
    """Talks to one authorization server on behalf of one application (client id).

    client_secret: for confidential (server-side) apps; sent as HTTP Basic, as Constant
    Contact documents. Without it the client is public and authenticates with PKCE.
    clock: epoch seconds, for the tokens' expires_at (tests inject one).
    """

    def __init__(self, client_id, client_secret=None, auth_url=None, *, session=None,
                 timeout=DEFAULT_TIMEOUT, clock=time.time, sleep=time.sleep):
        if not client_id or not isinstance(client_id, str):
            raise InvalidInputError("an OAuth client id (the application's API key) is required")
        self.client_id = client_id
        self.client_secret = client_secret or None
        register_secret(self.client_secret)
        self.auth_url = resolve_auth_url(auth_url)
        self.session = session or requests.Session()
        self.timeout = timeout
        self._clock = clock
        self._sleep = sleep
        self._path = urlsplit(self.auth_url).path

    def __repr__(self):
        return (f"OAuthClient(client_id={self.client_id!r}, auth_url={self.auth_url!r}, "
                f"client_secret={mask(self.client_secret)!r})")

    def endpoint(self, name):
        return f"{self.auth_url}/{name}"

    # -- authorization code (PKCE or client secret) -------------------------------------

    def authorization_url(self, redirect_uri, *, scope=None, state, code_challenge=None):
        """The URL the user opens to approve access."""
        query = {"client_id": self.client_id, "redirect_uri": redirect_uri, "response_type": "code",
                 "scope": scope_string(scope), "state": state}
        if code_challenge:
            query.update(code_challenge=code_challenge, code_challenge_method="S256")
        return self.endpoint("authorize") + "?" + urlencode(query, quote_via=quote)

    def exchange_code(self, code, redirect_uri, *, code_verifier=None):
        """Trade an authorization code for tokens (PKCE verifier and/or client secret)."""
        register_secret(code)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if code_verifier:
            form["code_verifier"] = code_verifier
        elif not self.client_secret:
            raise InvalidInputError("an authorization code exchange needs a PKCE code_verifier or a client secret")
        return self._token_request(form)

    def login_with_browser(self, *, scope=None, announce=print, open_browser=False, timeout=300.0,
                           port=0, use_pkce=True):
        """The interactive authorization-code flow: listen on loopback, show (and maybe
        open) the authorization URL, wait for the redirect, check state, exchange the code."""
        verifier, challenge = pkce_pair() if use_pkce else (None, None)
        if not use_pkce and not self.client_secret:
            raise InvalidInputError("without PKCE the authorization code flow needs a client secret")
        state = new_state()
        with LoopbackListener(port=port) as listener:
            url = self.authorization_url(listener.redirect_uri, scope=scope, state=state, code_challenge=challenge)
            announce(url)
            if open_browser:
                _open_browser(url)
            params = listener.wait(timeout)
        return self.finish_redirect(params, state, listener.redirect_uri, verifier)

    def finish_redirect(self, params, expected_state, redirect_uri, code_verifier=None):
        """Check a redirect's parameters (state first) and exchange its code."""
        received = params.get("state") or ""
        if not hmac.compare_digest(received.encode(), expected_state.encode()):
            raise OAuthError("state_mismatch", "the redirect's state does not match the login this process "
                             "started; ignoring it (possible cross-site request forgery)")
        if params.get("error"):
            raise OAuthError(params["error"], params.get("error_description"))
        code = params.get("code")
        if not code:
            raise OAuthError("invalid_request", "the redirect carried no authorization code")
        return self.exchange_code(code, redirect_uri, code_verifier=code_verifier)

    # -- device flow --------------------------------------------------------------------

    def start_device_flow(self, scope=None, clock=time.monotonic):
        body = self._post("device/authorize", {"scope": scope_string(scope)}, authenticate=False)
        try:
            device = DeviceAuthorization(
                device_code=body["device_code"], user_code=body["user_code"],
                verification_uri=body["verification_uri"],
                verification_uri_complete=body.get("verification_uri_complete"),
                expires_in=float(body.get("expires_in") or 600), interval=float(body.get("interval") or 5),
                started=clock(),
            )
        except (KeyError, TypeError, ValueError):
            raise OAuthError("invalid_response", "the device authorization answer lacks required fields") from None
        register_secret(device.device_code)
        return device

    def poll_device(self, device, *, sleep=None, clock=time.monotonic):
        """Poll the token endpoint at the server's interval until the user approves
        (authorization_pending: keep waiting; slow_down: wait 5 s longer from now on)."""
        sleep = sleep or self._sleep
        interval = max(float(device.interval), 0.0)
        deadline = device.started + device.expires_in
        while True:
            sleep(interval)
            if clock() >= deadline:
                raise OAuthError("expired_token", "the device code expired before the authorization was approved")
            try:
                return self._token_request({"grant_type": DEVICE_GRANT, "device_code": device.device_code},
                                           authenticate=False)
            except OAuthError as err:
                if err.error == "authorization_pending":
                    continue
                if err.error == "slow_down":
                    interval += SLOW_DOWN_INCREMENT
                    log.debug("device flow: slow_down, polling every %.1fs", interval)
                    continue
                raise

    # -- refresh and revoke -------------------------------------------------------------

    def refresh(self, refresh_token, scope=None):
        """New tokens for a refresh token. With rotation the old refresh token is dead
        once this returns: the caller must keep the new one."""
        register_secret(refresh_token)
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        if scope:
            form["scope"] = scope_string(scope)
        return self._token_request(form)

    def revoke(self, token, token_type_hint=None):
        """Revoke a refresh or access token (RFC 7009: unknown tokens also succeed)."""
        register_secret(token)
        form = {"token": token}
        if token_type_hint:
            form["token_type_hint"] = token_type_hint
        self._post("revoke", form)

    # -- HTTP ---------------------------------------------------------------------------

    def _token_request(self, form, authenticate=True):
        body = self._post("token", form, authenticate=authenticate)
        return self._tokens_from(body)

    def _tokens_from(self, body):
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise OAuthError("invalid_response", "the token endpoint answered without an access token")
        token_type = body.get("token_type") or "Bearer"
        if token_type.lower() != "bearer":
            raise OAuthError("invalid_response", f"unsupported token type {token_type!r}")
        for name in ("access_token", "refresh_token", "id_token"):
            register_secret(body.get(name))
        now = self._clock()
        expires_in = body.get("expires_in")
        try:
            expires_at = now + float(expires_in) if expires_in is not None else None
        except (TypeError, ValueError):
            expires_at = None
        return TokenSet(
            client_id=self.client_id, access_token=body["access_token"], refresh_token=body.get("refresh_token"),
            expires_at=expires_at, scope=body.get("scope") or "", token_type="Bearer", auth_url=self.auth_url,
            user=user_from_tokens(body.get("id_token"), body["access_token"]), obtained_at=now,
            client_secret=self.client_secret,
        )

    def _post(self, name, form, authenticate=True):
        """POST a form to an endpoint; the parsed JSON answer, or OAuthError / TransportError.

        Client authentication: HTTP Basic with the secret when there is one, else the
        client id in the form (a public client). Retries only what the server did not
        process: a refused connection, and 429/503 (the token endpoint allows 1 request/s).
        """
        url = self.endpoint(name)
        form = dict(form)
        auth = None
        if authenticate and self.client_secret:
            auth = (self.client_id, self.client_secret)
        else:
            form["client_id"] = self.client_id
        grant = form.get("grant_type", "")
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                response = self.session.post(url, data=form, auth=auth, timeout=self.timeout,
                                             headers={"Accept": "application/json"}, allow_redirects=False)
            except requests.RequestException as exc:
                never_sent = isinstance(exc, requests.ConnectTimeout) or (
                    isinstance(exc, requests.ConnectionError) and "refused" in str(exc).lower())
                log.debug("POST %s/%s -> %s (attempt %d)", self._path, name, type(exc).__name__, attempt)
                if never_sent and attempt < TOKEN_RATE_RETRIES:
                    self._sleep(0.25 * attempt)
                    continue
                raise TransportError(f"{type(exc).__name__} talking to the authorization server "
                                     f"{urlsplit(url).netloc}", method="POST", path=f"{self._path}/{name}") from None
            status = response.status_code
            log.debug("POST %s/%s %s-> %d in %dms (attempt %d)", self._path, name,
                      f"[{grant.rsplit(':', 1)[-1]}] " if grant else "", status,
                      (time.monotonic() - started) * 1000, attempt)
            if status in (429, 503) and attempt < TOKEN_RATE_RETRIES:
                self._sleep(_retry_delay(response))
                continue
            body = _json_or_none(response)
            if status >= 400:
                raise _error_from(status, body, f"{self._path}/{name}")
            return body if body is not None else {}


def _retry_delay(response):
    try:
        return min(max(float(response.headers.get("Retry-After", 1.0)), 1.0), 10.0)
    except ValueError:
        return 1.0


def _json_or_none(response):
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _error_from(status, body, path):
    if isinstance(body, dict):
        error = body.get("error") or body.get("error_key") or body.get("errorCode")
        description = body.get("error_description") or body.get("error_message") or body.get("errorSummary")
    else:
        error, description = None, None
    return OAuthError(error or f"http_{status}", description or f"HTTP {status}", status=status, path=path)


def _open_browser(url):
    # On a Linux box without a display, webbrowser would start a text browser that takes over
    # the terminal: there, the printed URL is the way (or `--device`).
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        import webbrowser

        return webbrowser.open(url, new=1, autoraise=True)
    except Exception:  # no browser here: the printed URL is enough
        return False


__all__ = [
    "OAuthClient", "OAuthError", "DeviceAuthorization", "LoopbackListener", "DEFAULT_AUTH_URL",
    "DEFAULT_SCOPES", "pkce_pair", "pkce_challenge", "new_state", "require_secure", "resolve_auth_url",
    "scope_string", "user_from_tokens", "jwt_claims",
]
