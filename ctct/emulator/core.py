"""`Emulator`: a stateful V3 account served on loopback, for tests and regression suites."""
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .._durable import replace_private_file
from . import api  # noqa: F401  (importing the area modules registers their routes)
from .faults import FaultInjector, RateGate
from .http import API, OAUTH, ApiError, Request, Response, standard_error
from .jobs import DEFAULT_STEPS as DEFAULT_ACTIVITY_STEPS, settle_jobs
from .seeding import apply_seed, load_seed
from .server import EmulatorHTTPServer, run_handler
from .store import AccountStore

API_ROOT = "/v3"
AUTH_ROOT = "/oauth2/default/v1"
# the key of a saved state file that holds the tokens, beside the account's collections
AUTH_STATE_KEY = "emulator_auth"


@dataclass
class RecordedRequest:
    method: str
    path: str  # relative to base_url for V3 calls ("/contacts"); from the host root otherwise
    query: dict = field(default_factory=dict)
    status: int = 0


class Emulator:
    """A V3 account on http://127.0.0.1:<port>/v3.

    seed: None, "demo", a path to a JSON file, or a dict with any of `contact_lists`,
        `contacts`, `emails` (V3 request bodies, each may carry "v2_id").
    rate_limit: enforce V3's limits (4 requests/s, 10,000/day; the token endpoint 1/s).
    token_ttl: lifetime in seconds of the access tokens the OAuth endpoints issue
        (None: 86,400 s, V3's fixed lifetime). `access_token` never expires.
    """

    def __init__(self, seed=None, rate_limit=False, token_ttl=None, *, host="127.0.0.1", port=0,
                 access_token=None, state_file=None, daily_limit=10_000):
        self.host = host
        self.port = port
        self.token_ttl = token_ttl
        self.store = AccountStore()
        self.access_token = access_token or "emu_" + secrets.token_urlsafe(24)
        self._access_token_given = access_token is not None
        self.api_root = API_ROOT
        self.auth_root = AUTH_ROOT
        self._tokens_lock = threading.Lock()
        # token -> {"client_id", "scope", "expires_at" (epoch seconds or None), ...}
        self.tokens = {self.access_token: {"client_id": None, "scope": "account_read account_update contact_data campaign_data offline_access", "expires_at": None}}
        self.requests = []
        self._requests_lock = threading.Lock()
        self.faults = FaultInjector()
        self.rate_gate = RateGate(enabled=bool(rate_limit), daily_limit=daily_limit)
        self.state_file = Path(state_file) if state_file else None
        # reads of a bulk activity until it completes (0: activities complete when posted)
        self.activity_steps = DEFAULT_ACTIVITY_STEPS
        self._server = None
        self._thread = None
        if self.state_file and self.state_file.exists():
            self.load(self.state_file)
        elif seed is not None:
            self.seed(seed)

    # -- lifecycle ----------------------------------------------------------------------

    def start(self):
        if self._server is not None:
            return self
        self._server = EmulatorHTTPServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="ctct-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None
        if self.state_file:
            self.save(self.state_file)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def origin(self):
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self):
        return self.origin + API_ROOT

    @property
    def auth_url(self):
        return self.origin + AUTH_ROOT

    # -- state --------------------------------------------------------------------------

    def state(self):
        """A JSON-able snapshot of the account; each object shows its `v2_id`."""
        return self.store.snapshot()

    def seed(self, seed):
        apply_seed(self.store, load_seed(seed))

    def reset(self):
        self.store.reset()
        with self._requests_lock:
            self.requests.clear()

    def save(self, path):
        """Write the account and what authenticates against it (the fixed access token,
        issued tokens that have not expired, the OAuth server's refresh tokens and clients),
        so a restarted emulator keeps serving the same clients. The file holds tokens: it
        is written readable by its owner only."""
        data = self.state()
        data[AUTH_STATE_KEY] = self._auth_snapshot()
        replace_private_file(path, json.dumps(data))

    def load(self, path):
        """Load what `save` wrote (a file without the auth part, as older versions wrote,
        loads the account alone)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        auth = data.pop(AUTH_STATE_KEY, None)
        self.store.restore(data)
        if auth:
            self._restore_auth(auth)

    def _auth_snapshot(self):
        from .api.oauth import auth_server

        now = time.time()
        with self._tokens_lock:
            tokens = {token: dict(record) for token, record in self.tokens.items() if _alive(record, now)}
        return {"access_token": self.access_token, "tokens": tokens, "oauth": auth_server(self).snapshot()}

    def _restore_auth(self, auth):
        from .api.oauth import auth_server

        now = time.time()
        saved_fixed = auth.get("access_token")
        with self._tokens_lock:
            for token, record in (auth.get("tokens") or {}).items():
                if _alive(record, now):
                    self.tokens.setdefault(token, dict(record))
            if not self._access_token_given and saved_fixed in self.tokens and saved_fixed != self.access_token:
                # the restarted emulator answers to the token it printed last time
                self.tokens.pop(self.access_token, None)
                self.access_token = saved_fixed
        auth_server(self).restore(auth.get("oauth") or {})

    # -- tokens -------------------------------------------------------------------------

    def issue_access_token(self, client_id=None, scope="", ttl=None, **claims):
        """Mint an access token every V3 route accepts until it expires or is revoked."""
        token = "emu_" + secrets.token_urlsafe(32)
        ttl = self.token_ttl if ttl is None else ttl
        lifetime = 86_400 if ttl is None else ttl
        with self._tokens_lock:
            self.tokens[token] = {"client_id": client_id, "scope": scope,
                                  "expires_at": time.time() + lifetime, **claims}
        return token, lifetime

    def revoke_access_token(self, token):
        with self._tokens_lock:
            return self.tokens.pop(token, None) is not None

    def check_bearer(self, headers):
        """The token record for a request's bearer token; ApiError 401 otherwise."""
        header = headers.get("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise standard_error(401)
        with self._tokens_lock:
            record = self.tokens.get(token.strip())
        if record is None or not _alive(record, time.time()):
            raise standard_error(401)
        return record

    # -- faults -------------------------------------------------------------------------

    def inject(self, status, times=1, path="", retry_after=None):
        """The next `times` requests whose path (relative to base_url) starts with `path`
        answer `status` with V3's body for it; status "drop" closes the connection instead.
        retry_after: send a Retry-After header (V3 never does; for testing clients that honour it)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.faults.add(status, times, path, headers)

    # -- dispatch -----------------------------------------------------------------------

    def _record(self, method, path, request_query, status):
        with self._requests_lock:
            self.requests.append(RecordedRequest(method, path, request_query, status))

    def dispatch(self, method, raw_path, query_string, headers, body):
        """Handle one request; returns a Response, or None to drop the connection."""
        if raw_path == API_ROOT or raw_path.startswith(API_ROOT + "/"):
            router, path, record_path = API, raw_path[len(API_ROOT):] or "/", None
        elif raw_path.startswith(AUTH_ROOT + "/"):
            router, path, record_path = OAUTH, raw_path[len(AUTH_ROOT):], raw_path
        else:
            router, path, record_path = None, raw_path, raw_path
        record_path = record_path or path
        request = Request(self, method, path, query_string, headers, body)
        flat_query = {k: (v[0] if len(v) == 1 else v) for k, v in request.query.items()}

        fault = self.faults.take(record_path if router is not API else path)
        if fault is not None:
            status, fault_headers = fault
            if status == "drop":
                self._record(method, record_path, flat_query, 0)
                return None
            response = Response(status, standard_error(status).payload(), headers=fault_headers)
            self._record(method, record_path, flat_query, status)
            return response

        response = self._route(router, method, path, request)
        self._record(method, record_path, flat_query, response.status)
        return response

    def _route(self, router, method, path, request):
        if router is None:
            return Response(404, standard_error(404).payload())
        route, params = router.match(method, path)
        if route is None:
            err = standard_error(405 if params else 404)
            return Response(err.status, err.payload(), headers={"Allow": ", ".join(sorted(params))} if params else {})
        try:
            if route.auth:
                request.token = self.check_bearer(request.headers)
            if route.rate_limited:
                self.rate_gate.check(token_endpoint=(router is OAUTH))
        except ApiError as err:
            return Response(err.status, err.payload())
        request.params = params
        with self.store.lock:
            settle_jobs(request)  # pending bulk activities complete before other requests see the account
            return run_handler(route, request)


def _alive(token_record, now):
    """Whether an access token record has not expired at `now` (None: it never expires)."""
    expires_at = token_record.get("expires_at")
    return expires_at is None or expires_at > now
