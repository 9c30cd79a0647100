"""The V3 transport over real HTTP against the emulator: paging, errors, retries, pacing, redaction."""
import http.server
import json
import logging
import socket
import subprocess
import sys
import threading

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ctct
from ctct.emulator import Emulator
from ctct.v3 import V3Client
from ctct.v3.errors import (
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
from ctct.v3.ratelimit import RateLimiter
from ctct.v3.retry import RetryPolicy, parse_retry_after, should_retry, sleep_for

from .conftest import make_client


class RecordingSleep:
    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)


# -- pagination ---------------------------------------------------------------------------


def test_paginate_follows_cursor_to_the_end_with_the_largest_page():
    seed = {"contact_lists": [{"name": f"List {n:04d}"} for n in range(2345)]}
    with Emulator(seed=seed) as emu, make_client(emu) as client:
        names = [item["name"] for item in client.paginate("/contact_lists", "lists")]
        assert names == [f"List {n:04d}" for n in range(2345)]
        list_calls = [r for r in emu.requests if r.path == "/contact_lists"]
        assert len(list_calls) == 3  # ceil(2345 / 1000)
        assert list_calls[0].query["limit"] == "1000"
        assert client.request_count == 3


def test_paginate_max_items_stops_early(emu, client):
    emu.seed({"contact_lists": [{"name": f"L{n}"} for n in range(30)]})
    got = list(client.paginate("/contact_lists", "lists", page_size=10, max_items=15))
    assert len(got) == 15
    assert len(emu.requests) == 2


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, cls",
    [
        (400, ValidationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (415, ValidationError),
        (500, ServerError),
    ],
)
def test_each_status_raises_its_error_class(emu, status, cls):
    with make_client(emu, retry=RetryPolicy(max_attempts=1)) as client:
        emu.inject(status, path="/account")
        with pytest.raises(cls) as info:
            client.get("/account/summary")
    err = info.value
    assert isinstance(err, CTCTError)
    assert (err.status, err.method, err.path) == (status, "GET", "/account/summary")
    assert err.errors and all("error_key" in e for e in err.errors)


def test_unknown_token_is_authentication_error_with_single_object_body(emu):
    with V3Client(emu.base_url, access_token="not-a-real-token", rate_limit=None) as client:
        with pytest.raises(AuthenticationError) as info:
            client.get("/account/summary")
    assert info.value.status == 401
    assert info.value.errors == [{"error_key": "unauthorized", "error_message": "Unauthorized"}]
    assert "not-a-real-token" not in str(info.value) + repr(info.value)


def test_not_found_route_carries_v3_list_body(client):
    with pytest.raises(NotFoundError) as info:
        client.get("/no/such/thing")
    assert info.value.errors[0]["error_key"] == "api.not_found"


def test_throttled_429_is_retried_then_succeeds(emu):
    sleep = RecordingSleep()
    with make_client(emu, sleep=sleep) as client:
        emu.inject(429, times=2, path="/account")
        assert client.get("/account/summary")["organization_name"]
        assert client.request_count == 3
        assert len(sleep.calls) == 2


def test_quota_exceeded_is_raised_at_once_not_retried():
    with Emulator(rate_limit=True, daily_limit=1) as emu, make_client(emu) as client:
        client.get("/account/summary")
        with pytest.raises(QuotaExceededError) as info:
            client.get("/account/summary")
        assert info.value.quota_exceeded and not info.value.throttled
        assert "00:00 UTC" in str(info.value)
        assert client.request_count == 2


def test_throttled_429_exhausting_retries_raises_rate_limited(emu):
    with make_client(emu, retry=RetryPolicy(max_attempts=3, backoff_base=0.001), sleep=RecordingSleep()) as client:
        emu.inject(429, times=5, path="/account")
        with pytest.raises(RateLimitedError) as info:
            client.get("/account/summary")
    assert info.value.throttled and not isinstance(info.value, QuotaExceededError)
    assert client.request_count == 3


def test_retry_after_header_is_honoured(emu):
    sleep = RecordingSleep()
    with make_client(emu, sleep=sleep) as client:
        emu.inject(503, times=1, path="/account", retry_after=2)
        client.get("/account/summary")
    assert sleep.calls == [2.0]


def test_server_errors_retry_with_backoff_then_give_up(emu):
    sleep = RecordingSleep()
    policy = RetryPolicy(max_attempts=4, backoff_base=0.001, backoff_cap=0.01)
    with make_client(emu, retry=policy, sleep=sleep) as client:
        emu.inject(500, times=10, path="/account")
        with pytest.raises(ServerError):
            client.get("/account/summary")
    assert client.request_count == 4
    assert len(sleep.calls) == 3


def test_retry_gives_up_when_total_sleep_budget_is_spent(emu):
    sleep = RecordingSleep()
    policy = RetryPolicy(max_attempts=10, max_total_seconds=3)
    with make_client(emu, retry=policy, sleep=sleep) as client:
        emu.inject(503, times=10, path="/account", retry_after=2)
        with pytest.raises(ServerError):
            client.get("/account/summary")
    assert sleep.calls == [2.0]  # a second 2 s wait would pass the 3 s budget


def test_create_is_not_retried_after_a_500_that_may_have_succeeded(emu):
    with make_client(emu, sleep=RecordingSleep()) as client:
        emu.inject(500, times=1, path="/contact_lists")
        with pytest.raises(ServerError):
            client.post("/contact_lists", json={"name": "Once"})
        assert client.request_count == 1


def test_create_is_retried_after_throttling_which_means_not_processed(emu):
    with make_client(emu, sleep=RecordingSleep()) as client:
        emu.inject(429, times=1, path="/contact_lists")
        created = client.post("/contact_lists", json={"name": "Twice asked, once made"})
        assert created["name"] == "Twice asked, once made"
        assert client.request_count == 2
        lists = list(client.paginate("/contact_lists", "lists"))
        assert [x["name"] for x in lists] == ["Twice asked, once made"]


def test_dropped_connection_is_a_transport_error_retried_for_reads(emu):
    sleep = RecordingSleep()
    with make_client(emu, sleep=sleep) as client:
        emu.inject("drop", times=1, path="/account")
        assert client.get("/account/summary")["organization_name"]
        assert client.request_count == 2


def test_connection_refused_is_transport_error():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    policy = RetryPolicy(max_attempts=2, backoff_base=0.001)
    with V3Client(f"http://127.0.0.1:{port}/v3", access_token="t0ken-value", rate_limit=None,
                  retry=policy, sleep=RecordingSleep()) as client:
        with pytest.raises(TransportError) as info:
            client.get("/account/summary")
    assert info.value.status is None and info.value.path == "/account/summary"


def test_read_timeout_is_transport_error():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    accepted = []
    stop = threading.Event()

    def accept_and_say_nothing():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_say_nothing, daemon=True)
    thread.start()
    try:
        with V3Client(f"http://127.0.0.1:{port}/v3", access_token="t0ken-value", rate_limit=None,
                      timeout=(1, 0.2), retry=RetryPolicy(max_attempts=2, backoff_base=0.001),
                      sleep=RecordingSleep()) as client:
            with pytest.raises(TransportError) as info:
                client.get("/account/summary")
            assert "ReadTimeout" in str(info.value)
            assert client.request_count == 2
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


def test_default_base_url_and_env_override(monkeypatch):
    monkeypatch.delenv("CTCT_BASE_URL", raising=False)
    assert V3Client().base_url == "https://api.cc.email/v3"
    monkeypatch.setenv("CTCT_BASE_URL", "http://127.0.0.1:9/v3/")
    assert V3Client().base_url == "http://127.0.0.1:9/v3"
    with pytest.raises(InvalidInputError):
        V3Client("ftp://example.com")


def test_plain_http_is_refused_off_loopback():
    with pytest.raises(InvalidInputError) as info:
        V3Client("http://api.example.com/v3", access_token="t0ken-value")
    assert "HTTPS" in str(info.value)
    assert V3Client("http://localhost:9/v3").base_url == "http://localhost:9/v3"


class RecordingServer:
    """A tiny loopback HTTP server that records each request's path and headers; a path
    starting /moved answers 307 to the same path without the prefix."""

    def __init__(self):
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append((self.path, dict(self.headers)))
                if self.path.startswith("/v3/moved/"):
                    self.send_response(307)
                    self.send_header("Location", self.path.replace("/moved", "", 1))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                payload = json.dumps({"path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v3"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recording_server():
    server = RecordingServer()
    yield server
    server.close()


def test_user_agent_names_ctct_and_its_version(recording_server):
    with V3Client(recording_server.base_url, access_token="t0ken-value", rate_limit=None) as client:
        client.get("/account/summary")
    (path, headers), = recording_server.seen
    assert path == "/v3/account/summary"
    assert headers["User-Agent"] == f"ctct/{ctct.__version__}"
    assert headers["Authorization"] == "Bearer t0ken-value"


def test_a_redirect_is_followed_with_its_query_and_bearer(recording_server):
    with V3Client(recording_server.base_url, access_token="t0ken-value", rate_limit=None) as client:
        body = client.get("/moved/contacts", params={"email": "a b@example.com", "limit": [1, 2]})
    assert body == {"path": "/v3/contacts?email=a+b%40example.com&limit=1&limit=2"}
    assert [path for path, _ in recording_server.seen] == [
        "/v3/moved/contacts?email=a+b%40example.com&limit=1&limit=2", body["path"]]
    assert recording_server.seen[1][1]["Authorization"] == "Bearer t0ken-value"


_QUERY_VALUES = st.one_of(st.none(), st.text(max_size=12), st.integers(), st.booleans(),
                          st.lists(st.one_of(st.none(), st.text(max_size=6), st.integers()), max_size=3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.text(min_size=1, max_size=8), _QUERY_VALUES, max_size=4))
def test_the_query_string_is_the_one_requests_would_send(recording_server, params):
    # ctct builds query strings itself on its direct path; they must match requests' byte
    # for byte (None dropped, lists repeating the key, UTF-8 percent-encoding).
    recording_server.seen.clear()
    with V3Client(recording_server.base_url, access_token="t0ken-value", rate_limit=None) as client:
        client.get("/account/summary", params=params)
    expected = requests.Request("GET", f"{recording_server.base_url}/account/summary", params=params).prepare()
    assert [path for path, _ in recording_server.seen] == [expected.path_url]


# -- retry policy (pure functions) ---------------------------------------------------------


def test_should_retry_rules():
    assert should_retry(status=429, error_key="throttled")
    assert not should_retry(status=429, error_key="quota_exceeded")
    assert should_retry(status=502) and should_retry(status=504)
    assert not should_retry(status=400) and not should_retry(status=404)
    assert not should_retry(status=500, creates=True)
    assert should_retry(status=503, creates=True)
    assert should_retry(status=None, transport_error=True, sent=False, creates=True)
    assert not should_retry(status=None, transport_error=True, sent=True, creates=True)


def test_backoff_grows_with_jitter_and_is_capped():
    policy = RetryPolicy(backoff_base=1, backoff_cap=8)
    assert sleep_for(1, policy, rng=lambda: 0) == 0.5
    assert sleep_for(1, policy, rng=lambda: 1) == 1
    assert sleep_for(3, policy, rng=lambda: 1) == 4
    assert sleep_for(10, policy, rng=lambda: 1) == 8
    assert sleep_for(1, policy, retry_after=1000) == policy.max_retry_after
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None


# -- rate limiting ------------------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.lock = threading.Lock()

    def monotonic(self):
        with self.lock:
            return self.now

    def sleep(self, seconds):
        with self.lock:
            self.now += seconds


def test_limiter_spaces_a_burst_of_40_calls_at_4_per_second():
    clock = FakeClock()
    limiter = RateLimiter(rate=4.0, clock=clock.monotonic, sleep=clock.sleep, daily_budget=None, margin=0)
    granted = []
    for _ in range(40):
        limiter.acquire()
        granted.append(clock.monotonic())
    # the first call is free (bucket of 1), every later one waits its 0.25 s slot
    gaps = [b - a for a, b in zip(granted, granted[1:])]
    assert granted[0] == 0 and all(g == pytest.approx(0.25) for g in gaps)
    assert clock.now == pytest.approx(39 / 4.0)


def test_limiter_is_thread_safe_under_a_burst_of_40_calls_from_8_threads():
    import time

    limiter = RateLimiter(rate=200.0, daily_budget=None, margin=0)
    granted = []
    lock = threading.Lock()

    def worker():
        for _ in range(5):
            limiter.acquire()
            with lock:
                granted.append(time.monotonic())

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 40
    # sleeping never returns early: 40 slots at 200/s cannot finish before 39 intervals
    assert max(granted) - started >= 39 / 200.0 - 1e-3


def test_limiter_margin_keeps_each_interval_above_the_nominal_one():
    clock = FakeClock()
    limiter = RateLimiter(rate=4.0, clock=clock.monotonic, sleep=clock.sleep, daily_budget=None)
    for _ in range(5):
        limiter.acquire()
    assert clock.now == pytest.approx(4 * 0.26)


def test_paced_client_never_meets_a_429_from_its_own_burst():
    with Emulator(rate_limit=True) as emu:
        with V3Client(emu.base_url, access_token=emu.access_token, rate_limit=4.0) as client:
            threads = [threading.Thread(target=client.get, args=("/account/summary",)) for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert [r.status for r in emu.requests] == [200] * 6


def test_unpaced_burst_meets_the_emulators_throttle():
    with Emulator(rate_limit=True) as emu:
        with make_client(emu, retry=RetryPolicy(max_attempts=1)) as client:
            statuses = []
            for _ in range(6):
                try:
                    client.get("/account/summary")
                    statuses.append(200)
                except RateLimitedError as err:
                    assert err.throttled
                    statuses.append(429)
        assert 429 in statuses


def test_daily_budget_warns_then_raises(caplog):
    limiter = RateLimiter(rate=None, daily_budget=10, warn_at=0.8)
    with caplog.at_level(logging.WARNING, logger="ctct"):
        for _ in range(10):
            limiter.acquire()
    assert sum("daily V3 requests used" in r.getMessage() for r in caplog.records) == 1
    with pytest.raises(QuotaExceededError):
        limiter.acquire()


def test_daily_budget_resets_at_utc_midnight():
    import datetime as dt

    day = [dt.date(2026, 1, 1)]
    limiter = RateLimiter(rate=None, daily_budget=1, today=lambda: day[0])
    limiter.acquire()
    with pytest.raises(QuotaExceededError):
        limiter.acquire()
    day[0] = dt.date(2026, 1, 2)
    limiter.acquire()
    assert limiter.used_today == 1


# -- secrets ------------------------------------------------------------------------------


def test_tokens_never_appear_in_logs_reprs_or_errors(emu, caplog):
    secret = emu.access_token
    with caplog.at_level(logging.DEBUG):
        with make_client(emu, retry=RetryPolicy(max_attempts=1)) as client:
            client.get("/account/summary")
            emu.inject(404, path="/account")
            with pytest.raises(NotFoundError) as info:
                client.get("/account/summary")
            logging.getLogger("ctct").info("header was Bearer %s and token=%s", secret, secret)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /account/summary -> 200" in text and "(attempt 1)" in text
    assert secret not in text
    for shown in (repr(client), repr(client.auth), str(info.value), repr(info.value), repr(vars(info.value))):
        assert secret not in shown


# -- import cost ---------------------------------------------------------------------------

def test_importing_ctct_or_its_errors_does_not_load_the_http_stack():
    # `import ctct` (and catching its errors) stays cheap: requests, most of the import
    # cost, loads with the client on first use, and the client is there when asked for.
    script = ("import sys, ctct, ctct.v3; from ctct.v3 import NotFoundError; "
              "assert 'requests' not in sys.modules, 'requests loaded'; "
              "from ctct.v3 import V3Client, DEFAULT_BASE_URL; "
              "assert 'requests' in sys.modules and DEFAULT_BASE_URL.startswith('https://'); "
              "assert ctct.V3Client is V3Client and issubclass(NotFoundError, ctct.CTCTError)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
