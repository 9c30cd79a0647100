"""The emulated authorization server (Constant Contact's is an Okta one at
https://authz.constantcontact.com/oauth2/default/v1); served under `emu.auth_url`.

- GET  /authorize         approves at once: 302 to redirect_uri with `code` and `state`
- POST /token             authorization_code (PKCE S256 and/or client secret over HTTP
                          Basic; codes are single-use and expire in 5 minutes),
                          refresh_token (rotating: a used refresh token is refused with
                          invalid_grant), and the device_code grant
- POST /device/authorize  the device flow: the first poll answers authorization_pending,
                          the next (at least `interval` later) gets the tokens; polling
                          faster answers slow_down
- POST /revoke            RFC 7009; revoking a refresh token kills its whole grant
- GET  /device            the verification page (approves the code, like the first poll)

Clients: any client id is accepted (with any secret) until one is registered with
`auth_server(emu).register_client(...)`; from then on only registered clients are,
with their secret and redirect URIs checked. Access tokens come from
`Emulator.issue_access_token`, so every V3 route accepts them for `token_ttl` seconds.
Only the token endpoint counts against the rate limit (1/s, when the emulator's
rate_limit is on), as on Constant Contact.
"""
import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import weakref
from urllib.parse import urlencode, urlsplit

from ..http import OAUTH, Response, route

CODE_TTL = 300  # authorization codes: single use, 5 minutes
DEVICE_CODE_TTL = 600
DEFAULT_DEVICE_INTERVAL = 1  # seconds between device polls (Constant Contact says 5; tests want less)
SLOW_DOWN_INCREMENT = 5
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
KNOWN_SCOPES = frozenset({"account_read", "account_update", "contact_data", "campaign_data", "offline_access",
                          "billing_data", "openid", "profile", "email"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels: no words by accident
_REUSED_REFRESH = "unknown, invalid, or expired refresh token"  # Constant Contact's wording


class OAuthProblem(Exception):
    """An OAuth error answer: {"error", "error_description"} (RFC 6749 5.2)."""

    def __init__(self, error, description, status=400, basic_challenge=False):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.basic_challenge = basic_challenge

    def response(self):
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        if self.basic_challenge:
            headers["WWW-Authenticate"] = 'Basic realm="ctct-emulator"'
        return Response(self.status, {"error": self.error, "error_description": self.description}, headers=headers)


class AuthServer:
    """One emulator's authorization-server state: clients, codes, refresh tokens, devices."""

    def __init__(self):
        self.lock = threading.RLock()
        self.clients = {}  # client_id -> {"secret", "redirect_uris"}; empty: accept any client
        self.codes = {}
        self.refresh_tokens = {}
        self.devices = {}
        self.families = {}  # grant family -> access tokens issued in it
        self.issued = []  # one {"grant_type", "client_id"} per successful token answer (for tests)
        self.device_interval = DEFAULT_DEVICE_INTERVAL
        self.clock = time.time  # codes' and device codes' clock (tests may inject one)

    def register_client(self, client_id, secret=None, redirect_uris=None):
        """Accept only registered clients from now on. secret: a confidential client's
        secret (None: a public client, which must use PKCE). redirect_uris: the allowed
        redirect URIs (None: any https or loopback URI); a loopback URI matches any port."""
        with self.lock:
            self.clients[client_id] = {"secret": secret, "redirect_uris": list(redirect_uris or [])}

    def snapshot(self):
        """What outlives a restart (`Emulator.save`): registered clients, refresh tokens and
        grant families. Codes and device codes live minutes and are not kept."""
        with self.lock:
            return {
                "clients": {cid: dict(c) for cid, c in self.clients.items()},
                "refresh_tokens": {token: dict(r) for token, r in self.refresh_tokens.items()},
                "families": {family: sorted(tokens) for family, tokens in self.families.items()},
            }

    def restore(self, snapshot):
        """Take back what `snapshot` returned."""
        with self.lock:
            self.clients.update({cid: dict(c) for cid, c in (snapshot.get("clients") or {}).items()})
            self.refresh_tokens.update({t: dict(r) for t, r in (snapshot.get("refresh_tokens") or {}).items()})
            for family, tokens in (snapshot.get("families") or {}).items():
                self.families.setdefault(family, set()).update(tokens)

    def grants(self, grant_type=None):
        """How many token answers were given (for one grant type, or all)."""
        with self.lock:
            return sum(1 for g in self.issued if grant_type in (None, g["grant_type"]))


_SERVERS = weakref.WeakKeyDictionary()
_SERVERS_LOCK = threading.Lock()


def auth_server(emulator):
    """The AuthServer state of `emulator` (created on first use)."""
    with _SERVERS_LOCK:
        server = _SERVERS.get(emulator)
        if server is None:
            server = _SERVERS[emulator] = AuthServer()
        return server


# -- helpers ---------------------------------------------------------------------------------

def _page(status, message):
    html = f"<!doctype html><title>ctct emulator</title><p>{_escape(message)}</p>"
    return Response(status, html, content_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _redirect(uri, params):
    separator = "&" if urlsplit(uri).query else "?"
    return Response(302, None, headers={"Location": uri + separator + urlencode(params),
                                        "Cache-Control": "no-store"})


def _first(values):
    return {k: v[0] for k, v in values.items() if v}


def _is_allowed_redirect(uri):
    parts = urlsplit(uri)
    if parts.fragment or not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)


def _redirect_registered(uri, registered):
    if not registered:
        return True
    parts = urlsplit(uri)
    for allowed in registered:
        a = urlsplit(allowed)
        if uri == allowed:
            return True
        # RFC 8252 7.3: a loopback redirect may use any port
        if (parts.hostname in LOOPBACK_HOSTS and a.hostname == parts.hostname and a.scheme == parts.scheme
                and a.path == parts.path):
            return True
    return False


def _scope(raw):
    scopes = list(dict.fromkeys((raw or "").replace("+", " ").split()))
    if not scopes:
        raise OAuthProblem("invalid_scope", "The authorization request must ask for at least one scope.")
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        raise OAuthProblem("invalid_scope", f"Unknown scope(s): {' '.join(unknown)}.")
    return " ".join(scopes)


def _known_client(server, client_id):
    """The registry entry for client_id ({} for any client when nothing is registered)."""
    if not server.clients:
        return {}
    entry = server.clients.get(client_id)
    if entry is None:
        raise OAuthProblem("invalid_client", "Client authentication failed: unknown client.", 401)
    return entry


def _client_auth(server, request, form):
    """(client_id, authenticated_with_secret) from HTTP Basic or the form (RFC 6749 2.3)."""
    header = request.headers.get("Authorization") or ""
    basic_id = basic_secret = None
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            raise OAuthProblem("invalid_client", "Client authentication must use HTTP Basic.", 401, True)
        try:
            basic_id, _, basic_secret = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            raise OAuthProblem("invalid_client", "Malformed HTTP Basic credentials.", 401, True) from None
    form_id = form.get("client_id")
    if basic_id and form_id and basic_id != form_id:
        raise OAuthProblem("invalid_request", "client_id differs from the HTTP Basic client.")
    client_id = basic_id or form_id
    secret = (basic_secret if basic_id else form.get("client_secret")) or None  # "id:" carries no secret
    if not client_id:
        raise OAuthProblem("invalid_client", "Client authentication failed: no client_id.", 401, bool(header))
    entry = _known_client(server, client_id)
    if entry.get("secret") is not None:
        if not secret or not hmac.compare_digest(secret.encode(), entry["secret"].encode()):
            raise OAuthProblem("invalid_client", "Client authentication failed.", 401, bool(header))
    return client_id, bool(secret)


def _form(request):
    if request.content_type != "application/x-www-form-urlencoded":
        raise OAuthProblem("invalid_request", "The body must be application/x-www-form-urlencoded.")
    return _first(request.form())


def _jwt(claims):
    """An unsigned JWT-shaped ID token: clients here only read it to show who logged in."""
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _issue(request, server, grant_type, client_id, scope, family):
    emulator = request.emulator
    access, lifetime = emulator.issue_access_token(client_id=client_id, scope=scope, family=family)
    account = request.state.account
    now = int(time.time())
    body = {"access_token": access, "token_type": "Bearer", "expires_in": lifetime, "scope": scope,
            "id_token": _jwt({"iss": emulator.auth_url, "aud": client_id, "iat": now, "exp": now + int(lifetime),
                              "sub": account.get("encoded_account_id"),
                              "preferred_username": account.get("contact_email"),
                              "name": " ".join(filter(None, (account.get("first_name"), account.get("last_name"))))})}
    if "offline_access" in scope.split():
        refresh = "emr_" + secrets.token_urlsafe(32)
        server.refresh_tokens[refresh] = {"client_id": client_id, "scope": scope, "family": family,
                                          "used": False, "revoked": False}
        body["refresh_token"] = refresh
    server.families.setdefault(family, set()).add(access)
    server.issued.append({"grant_type": grant_type, "client_id": client_id})
    return Response(200, body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _revoke_family(request, server, family):
    for record in server.refresh_tokens.values():
        if record["family"] == family:
            record["revoked"] = True
    for access in server.families.pop(family, set()):
        request.emulator.revoke_access_token(access)


# -- /authorize ------------------------------------------------------------------------------

@route("GET", "/authorize", router=OAUTH, auth=False, rate_limited=False)
def authorize(request):
    server = auth_server(request.emulator)
    q = {k: request.arg(k) for k in ("client_id", "redirect_uri", "response_type", "scope", "state",
                                      "code_challenge", "code_challenge_method")}
    # errors about the client or redirect URI are shown, never redirected (RFC 6749 4.1.2.1)
    if not q["client_id"]:
        return _page(400, "client_id is required.")
    if server.clients and q["client_id"] not in server.clients:
        return _page(400, "Unknown client_id.")
    entry = server.clients.get(q["client_id"], {})
    redirect_uri = q["redirect_uri"]
    if not redirect_uri or not _is_allowed_redirect(redirect_uri):
        return _page(400, "redirect_uri must be an https URL (or http on loopback).")
    if not _redirect_registered(redirect_uri, entry.get("redirect_uris")):
        return _page(400, "redirect_uri is not registered for this client.")

    def fail(error, description):
        params = {"error": error, "error_description": description}
        if q["state"] is not None:
            params["state"] = q["state"]
        return _redirect(redirect_uri, params)

    if q["response_type"] != "code":
        return fail("unsupported_response_type", "response_type must be code.")
    try:
        scope = _scope(q["scope"])
    except OAuthProblem as problem:
        return fail(problem.error, problem.description)
    challenge = q["code_challenge"]
    if challenge is not None:
        if q["code_challenge_method"] != "S256":
            return fail("invalid_request", "code_challenge_method must be S256.")
        if not _CHALLENGE.match(challenge):
            return fail("invalid_request", "code_challenge must be 43 base64url characters (S256).")
    elif entry and entry.get("secret") is None:
        return fail("invalid_request", "PKCE (code_challenge) is required for a public client.")
    code = secrets.token_urlsafe(32)
    with server.lock:
        server.codes[code] = {"client_id": q["client_id"], "redirect_uri": redirect_uri, "scope": scope,
                              "challenge": challenge, "expires_at": server.clock() + CODE_TTL,
                              "used": False, "family": secrets.token_hex(8)}
    params = {"code": code}
    if q["state"] is not None:
        params["state"] = q["state"]
    return _redirect(redirect_uri, params)


# -- /token ----------------------------------------------------------------------------------

@route("POST", "/token", router=OAUTH, auth=False, rate_limited=True)
def token(request):
    server = auth_server(request.emulator)
    try:
        form = _form(request)
        with server.lock:
            client_id, with_secret = _client_auth(server, request, form)
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                return _grant_code(request, server, form, client_id, with_secret)
            if grant_type == "refresh_token":
                return _grant_refresh(request, server, form, client_id)
            if grant_type == DEVICE_GRANT:
                return _grant_device(request, server, form, client_id)
            raise OAuthProblem("unsupported_grant_type", f"Unsupported grant_type {grant_type!r}.")
    except OAuthProblem as problem:
        return problem.response()


def _grant_code(request, server, form, client_id, with_secret):
    code = form.get("code")
    record = server.codes.get(code) if code else None
    if record is None:
        raise OAuthProblem("invalid_grant", "The authorization code is invalid or has expired.")
    if record["used"]:
        # a replayed code: kill what it gave (RFC 6749 4.1.2)
        _revoke_family(request, server, record["family"])
        raise OAuthProblem("invalid_grant", "The authorization code has already been used.")
    if record["expires_at"] <= server.clock():
        raise OAuthProblem("invalid_grant", "The authorization code is invalid or has expired.")
    if record["client_id"] != client_id:
        raise OAuthProblem("invalid_grant", "The authorization code was issued to another client.")
    if form.get("redirect_uri") != record["redirect_uri"]:
        raise OAuthProblem("invalid_grant", "redirect_uri does not match the authorization request.")
    verifier = form.get("code_verifier")
    if record["challenge"] is not None:
        if not verifier:
            raise OAuthProblem("invalid_request", "code_verifier is required (PKCE).")
        if not _VERIFIER.match(verifier):
            raise OAuthProblem("invalid_request", "code_verifier must be 43-128 unreserved characters.")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
        if not hmac.compare_digest(digest, record["challenge"]):
            raise OAuthProblem("invalid_grant", "PKCE verification failed: code_verifier does not match the code_challenge.")
    elif not with_secret:
        raise OAuthProblem("invalid_client", "Client authentication failed: a client secret or PKCE is required.", 401)
    record["used"] = True
    return _issue(request, server, "authorization_code", client_id, record["scope"], record["family"])


def _grant_refresh(request, server, form, client_id):
    refresh = form.get("refresh_token")
    record = server.refresh_tokens.get(refresh) if refresh else None
    if record is None or record["used"] or record["revoked"] or record["client_id"] != client_id:
        raise OAuthProblem("invalid_grant", _REUSED_REFRESH)
    scope = record["scope"]
    if form.get("scope"):
        asked = _scope(form["scope"])
        if not set(asked.split()) <= set(scope.split()):
            raise OAuthProblem("invalid_scope", "A refresh cannot widen the granted scope.")
        scope = asked
    # rotation: "generating a new set of tokens causes all previous refresh tokens to expire"
    for other in server.refresh_tokens.values():
        if other["family"] == record["family"]:
            other["used"] = True
    return _issue(request, server, "refresh_token", client_id, scope, record["family"])


def _grant_device(request, server, form, client_id):
    device_code = form.get("device_code")
    record = server.devices.get(device_code) if device_code else None
    if record is None or record["client_id"] != client_id or record["used"]:
        raise OAuthProblem("invalid_grant", "The device code is invalid.")
    now = server.clock()
    if record["expires_at"] <= now:
        raise OAuthProblem("expired_token", "The device code has expired.")
    last, record["last_poll"] = record["last_poll"], now
    if last is not None and now - last < record["interval"]:
        record["interval"] += SLOW_DOWN_INCREMENT
        raise OAuthProblem("slow_down", f"Polling too fast: wait {record['interval']} seconds between polls.")
    if not record["approved"]:
        record["approved"] = True  # the emulated user approves right after the first poll
        raise OAuthProblem("authorization_pending", "The user has not yet approved the request.")
    record["used"] = True
    return _issue(request, server, DEVICE_GRANT, client_id, record["scope"], secrets.token_hex(8))


# -- the device flow -------------------------------------------------------------------------

@route("POST", "/device/authorize", router=OAUTH, auth=False, rate_limited=False)
def device_authorize(request):
    server = auth_server(request.emulator)
    try:
        form = _form(request)
        with server.lock:
            client_id, _ = _client_auth(server, request, form)
            scope = _scope(form.get("scope"))
            device_code = secrets.token_urlsafe(32)
            user_code = "-".join("".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(4)) for _ in range(2))
            interval = server.device_interval
            server.devices[device_code] = {"client_id": client_id, "scope": scope, "user_code": user_code,
                                           "expires_at": server.clock() + DEVICE_CODE_TTL, "interval": interval,
                                           "approved": False, "used": False, "last_poll": None}
    except OAuthProblem as problem:
        return problem.response()
    verification_uri = request.emulator.auth_url + "/device"
    return {"device_code": device_code, "user_code": user_code, "verification_uri": verification_uri,
            "verification_uri_complete": verification_uri + "?" + urlencode({"user_code": user_code}),
            "expires_in": DEVICE_CODE_TTL, "interval": interval}


@route("GET", "/device", router=OAUTH, auth=False, rate_limited=False)
def device_page(request):
    server = auth_server(request.emulator)
    user_code = (request.arg("user_code") or "").strip().upper()
    if not user_code:
        return _page(200, "Enter the code shown by your device: add ?user_code=XXXX-XXXX to this URL.")
    with server.lock:
        for record in server.devices.values():
            if record["user_code"] == user_code and not record["used"]:
                record["approved"] = True
                return _page(200, "Device approved. You can return to your device.")
    return _page(400, "Unknown or expired code.")


# -- /revoke ---------------------------------------------------------------------------------

@route("POST", "/revoke", router=OAUTH, auth=False, rate_limited=False)
def revoke(request):
    server = auth_server(request.emulator)
    try:
        form = _form(request)
        with server.lock:
            client_id, _ = _client_auth(server, request, form)
            value = form.get("token")
            if not value:
                raise OAuthProblem("invalid_request", "token is required.")
            record = server.refresh_tokens.get(value)
            if record is not None:
                if record["client_id"] == client_id:
                    _revoke_family(request, server, record["family"])
            else:
                access = request.emulator.tokens.get(value)
                if access is not None and access.get("client_id") == client_id:
                    request.emulator.revoke_access_token(value)
    except OAuthProblem as problem:
        return problem.response()
    # RFC 7009 2.2: 200 whether or not the token was known
    return Response(200, None, headers={"Cache-Control": "no-store"})
