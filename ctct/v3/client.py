"""The V3 client: one `request()` choke point over a pooled requests.Session.

Every request passes the same steps, in order: pace (rate limiter), authorize, send with a
timeout, log one line, then either return the parsed body or retry / raise a typed error.
"""
import logging
import os
import threading
import time
from urllib.parse import urlencode, urlsplit

import requests
import urllib3
from requests.compat import json as _json

from .._version import __version__
from . import redact
from .auth import Auth, StaticTokenAuth
from .errors import AuthenticationError, TransportError, error_for_response, parse_error_body
from .paging import max_page_size, next_href
from .ratelimit import RateLimiter
from .retry import RetryPolicy, parse_retry_after, should_retry, sleep_for
from .urls import require_secure

DEFAULT_BASE_URL = "https://api.cc.email/v3"
DEFAULT_TIMEOUT = (5.0, 60.0)  # (connect, read) seconds

log = redact.install("ctct")

_UNSET = object()


class V3Client:
    """A V3 API client.

    base_url: defaults to env CTCT_BASE_URL, then https://api.cc.email/v3.
    auth: an `Auth`; or access_token for a fixed bearer token.
    rate_limit: requests per second (None: no pacing); daily_budget: requests per UTC day.
    timeout: seconds, or (connect, read).
    """

    def __init__(self, base_url=None, *, auth=None, access_token=None, rate_limit=4.0,
                 daily_budget=10_000, timeout=DEFAULT_TIMEOUT, retry=None, session=None,
                 user_agent=None, sleep=time.sleep):
        self.base_url = (base_url or os.environ.get("CTCT_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        require_secure(self.base_url, "the V3 API")  # bearer tokens never travel in clear text
        parts = urlsplit(self.base_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._base_path = parts.path.rstrip("/")
        if auth is None and access_token is not None:
            auth = StaticTokenAuth(access_token)
        if auth is not None and not isinstance(auth, Auth):
            raise TypeError("auth must be a ctct.v3.auth.Auth")
        self.auth = auth
        self.limiter = RateLimiter(rate=rate_limit, daily_budget=daily_budget)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.session = session or _session_for(self.base_url)
        # The direct urllib3 path (see `_send`) only when the Session is our own and no proxy
        # applies: everything else about how it sends is then known.
        # (`get_connection_with_tls_context` appeared in requests 2.32.2; older versions simply
        # keep the requests path for everything.)
        self._pool_ready = (session is None
                            and hasattr(requests.adapters.HTTPAdapter, "get_connection_with_tls_context")
                            and not requests.utils.select_proxy(self.base_url, self.session.proxies))
        self._pool = None
        self.session.headers["User-Agent"] = user_agent or f"ctct/{__version__}"
        self.session.headers["Accept"] = "application/json"
        self._sleep = sleep
        self._count_lock = threading.Lock()
        self.request_count = 0  # HTTP attempts sent, retries included

    def __repr__(self):
        return f"V3Client(base_url={self.base_url!r}, auth={self.auth!r})"

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- URLs ---------------------------------------------------------------------------

    def url_for(self, path):
        """Absolute URL for a path relative to base_url, or for an href V3 returned
        (`/v3/contacts?cursor=...`, relative to the host), or an absolute URL."""
        if path.startswith(("http://", "https://")):
            return path
        if self._base_path and (path == self._base_path or path.startswith(self._base_path + "/")):
            return self._origin + path
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def _log_path(self, url):
        path = urlsplit(url).path
        if self._base_path and path.startswith(self._base_path):
            path = path[len(self._base_path):] or "/"
        return path

    # -- the choke point ----------------------------------------------------------------

    def request(self, method, path, *, params=None, json=_UNSET, data=None, files=None,
                headers=None, creates=None, raw=False):
        """Send one V3 request (with retries) and return its parsed JSON body.

        Returns None for an empty body (204), the text for a non-JSON body, or the
        `requests.Response` itself when raw=True. Raises a `CTCTError` subclass on failure.
        creates: whether the request creates something (default: method is POST); such a
            request is not retried when the first attempt may have succeeded.
        """
        method = method.upper()
        url = self.url_for(path)
        log_path = self._log_path(url)
        if creates is None:
            creates = method == "POST"
        extra_headers = dict(headers or {})
        kwargs = {"params": params, "data": data, "files": files, "timeout": self.timeout, "raw": raw}
        if json is not _UNSET:
            kwargs["json"] = json
        attempt = 0
        slept = 0.0
        refreshed = False
        while True:
            attempt += 1
            self.limiter.acquire()
            sent_auth = self.auth.authorization() if self.auth else None
            req_headers = dict(extra_headers)
            if sent_auth:
                req_headers["Authorization"] = sent_auth
            started = time.monotonic()
            with self._count_lock:
                self.request_count += 1
            try:
                response = self._send(method, url, req_headers, kwargs)
            except requests.RequestException as exc:
                elapsed = (time.monotonic() - started) * 1000
                sent = not isinstance(exc, requests.ConnectTimeout) and not _is_connect_refused(exc)
                log.debug("%s %s -> %s in %dms (attempt %d)", method, log_path, type(exc).__name__, elapsed, attempt)
                error = TransportError(
                    f"{type(exc).__name__} talking to {self._origin}", method=method, path=log_path
                )
                if attempt < self.retry.max_attempts and should_retry(
                    status=None, transport_error=True, sent=sent, creates=creates
                ):
                    delay = sleep_for(attempt, self.retry)
                    if slept + delay <= self.retry.max_total_seconds:
                        slept += delay
                        self._sleep(delay)
                        continue
                raise error from None
            elapsed = (time.monotonic() - started) * 1000
            status = response.status_code
            log.debug("%s %s -> %d in %dms (attempt %d)", method, log_path, status, elapsed, attempt)
            if status < 400:
                if raw:
                    return response
                return _body(response)
            body = _body(response)
            if status == 401 and self.auth is not None and not refreshed:
                refreshed = True
                if self.auth.handle_unauthorized(sent_auth):
                    attempt -= 1  # the refresh is not a retry of a failure
                    continue
            error = error_for_response(status, body, method=method, path=log_path)
            if status == 401 and isinstance(error, AuthenticationError) and self.auth is None:
                error.message = "No access token configured (pass access_token= or run `ctct login`)"
            error_key = error.error_keys[0] if error.error_keys else None
            if attempt < self.retry.max_attempts and should_retry(
                status=status, error_key=error_key, creates=creates
            ):
                delay = sleep_for(attempt, self.retry, parse_retry_after(response.headers.get("Retry-After")))
                if slept + delay <= self.retry.max_total_seconds:
                    slept += delay
                    log.debug("%s %s: retrying in %.2fs after HTTP %d", method, log_path, delay, status)
                    self._sleep(delay)
                    continue
            raise error

    def _send(self, method, url, headers, kwargs):
        """Send one attempt; raises a requests exception on a transport failure.

        Plain JSON requests to our own origin go straight to the urllib3 connection pool that
        the Session's adapter would pick: requests' per-call machinery (Request.prepare,
        Session.send, HTTPAdapter.send, build_response, URL re-parsing) costs about as much as
        a whole request on loopback. Uploads (files=/data=), raw responses, other hosts,
        proxies, a caller's own Session and response hooks keep the full requests path."""
        if (self._pool_ready and kwargs.get("files") is None and kwargs.get("data") is None
                and not kwargs.get("raw") and url.startswith(self._origin + "/")
                and not self.session.hooks["response"]):
            return self._send_direct(method, url, headers, kwargs)
        return self._send_with_requests(method, url, headers, kwargs)

    def _prepare(self, method, url, headers, kwargs):
        kwargs = {k: v for k, v in kwargs.items() if k not in ("timeout", "raw")}
        return requests.Request(method, url, headers={**self.session.headers, **headers},
                                hooks=self.session.hooks, **kwargs).prepare()

    def _send_with_requests(self, method, url, headers, kwargs):
        # Prepare and send without Session.request's per-call merging of cookies and
        # environment settings (V3 uses no cookies; the environment was read once in
        # `_session_for`).
        session = self.session
        return session.send(self._prepare(method, url, headers, kwargs), timeout=kwargs["timeout"],
                            proxies=session.proxies, verify=session.verify, cert=session.cert,
                            allow_redirects=True)

    def _connection_pool(self):
        """The urllib3 pool the Session's adapter uses for base_url (same TLS settings);
        fetched again if the pool manager closed it (session closed, or pool evicted)."""
        pool = self._pool
        if pool is None or pool.pool is None:
            session = self.session
            adapter = session.get_adapter(self.base_url)
            probe = requests.Request("GET", self.base_url).prepare()
            pool = adapter.get_connection_with_tls_context(probe, session.verify, proxies={},
                                                           cert=session.cert)
            adapter.cert_verify(pool, self.base_url, session.verify, session.cert)
            self._pool = pool
        return pool

    def _send_direct(self, method, url, headers, kwargs):
        """One request through urllib3, mirroring what requests would send and raise."""
        headers = {**self.session.headers, **headers}
        body = None
        json_body = kwargs.get("json")
        if json_body is not None:  # requests sends no body for json=None too
            try:
                body = _json.dumps(json_body, allow_nan=False).encode("utf-8")
            except ValueError as exc:
                raise requests.exceptions.InvalidJSONError(exc) from None
            if not any(name.lower() == "content-type" for name in headers):
                headers["Content-Type"] = "application/json"
        elif method not in ("GET", "HEAD"):
            headers.setdefault("Content-Length", "0")
        target = url[len(self._origin):]
        query = _encode_params(kwargs.get("params"))
        if query:
            target += ("&" if "?" in target else "?") + query
        target = requests.utils.requote_uri(target)
        try:
            raw = self._connection_pool().urlopen(
                method, target, body=body, headers=headers, redirect=False,
                assert_same_host=False, retries=False, timeout=_urllib3_timeout(kwargs["timeout"]),
                preload_content=True, decode_content=True)
        except urllib3.exceptions.HTTPError as exc:
            raise _requests_error(exc) from None
        except OSError as exc:
            raise requests.ConnectionError(exc) from None
        response = requests.Response()
        response.status_code = raw.status
        response.reason = raw.reason
        response.headers = requests.structures.CaseInsensitiveDict(raw.headers)
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response._content = raw.data
        response.raw = raw
        response.url = self._origin + target
        if response.is_redirect:
            # V3 does not redirect; should a server do so, follow it exactly as requests would.
            session = self.session
            prepared = self._prepare(method, url, headers, kwargs)
            response.request = prepared
            history = [response] + list(session.resolve_redirects(
                response, prepared, timeout=kwargs["timeout"], verify=session.verify,
                cert=session.cert, proxies=session.proxies))
            response = history.pop()
            response.history = history
        return response

    def get(self, path, params=None, **kw):
        return self.request("GET", path, params=params, **kw)

    def post(self, path, json=_UNSET, **kw):
        return self.request("POST", path, json=json, **kw)

    def put(self, path, json=_UNSET, **kw):
        return self.request("PUT", path, json=json, **kw)

    def patch(self, path, json=_UNSET, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # -- pagination ---------------------------------------------------------------------

    def pages(self, path, params=None, *, page_size=_UNSET):
        """Yield each page body of a V3 listing, following `_links.next.href` to the end.

        Asks for the endpoint's largest page unless page_size is given (None: V3's default).
        """
        params = dict(params or {})
        if page_size is _UNSET:
            page_size = max_page_size(path)
        if page_size is not None and "limit" not in params:
            params["limit"] = page_size
        page = self.get(path, params=params)
        while True:
            yield page
            href = next_href(page)
            if not href:
                return
            # the href carries the cursor and every filter; send nothing else
            page = self.get(href)

    def paginate(self, path, items_key, params=None, *, page_size=_UNSET, max_items=None):
        """Yield the items (under `items_key`) of every page of a V3 listing."""
        count = 0
        for page in self.pages(path, params, page_size=page_size):
            for item in (page or {}).get(items_key) or []:
                yield item
                count += 1
                if max_items is not None and count >= max_items:
                    return


def _session_for(base_url):
    """A Session that reads proxy and CA settings from the environment once, here.

    With `trust_env` on, requests re-reads them on every request (a fifth of the cost of a
    small loopback request) and would also apply ~/.netrc credentials over our bearer
    header; the values are the same ones requests would have found."""
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


def _encode_params(params):
    """The query string requests would build for `params` (a dict or pairs): any non-text
    iterable repeats its key, None values are dropped, text is UTF-8. Written out because
    requests' general version takes about three times as long (measured: 33 µs against 12
    µs for a contact lookup's query), paid on every request."""
    if not params:
        return ""
    if isinstance(params, (str, bytes)):
        return params if isinstance(params, str) else params.decode("utf-8")
    pairs = []
    for key, value in (params.items() if hasattr(params, "items") else params):
        single = isinstance(value, (str, bytes)) or not hasattr(value, "__iter__")
        for item in ((value,) if single else value):
            if item is not None:
                pairs.append((key, item))
    return urlencode(pairs)


def _urllib3_timeout(timeout):
    """requests' reading of a timeout: (connect, read), one number for both, or a Timeout."""
    if isinstance(timeout, urllib3.Timeout):
        return timeout
    if isinstance(timeout, tuple):
        connect, read = timeout
        return urllib3.Timeout(connect=connect, read=read)
    return urllib3.Timeout(connect=timeout, read=timeout)


def _requests_error(exc):
    """The requests exception HTTPAdapter.send would raise for a urllib3 error (with
    retries off urllib3 raises the underlying error, not MaxRetryError)."""
    errors = urllib3.exceptions
    if isinstance(exc, errors.ConnectTimeoutError) and not isinstance(exc, errors.NewConnectionError):
        return requests.ConnectTimeout(exc)
    if isinstance(exc, errors.ReadTimeoutError):
        return requests.ReadTimeout(exc)
    if isinstance(exc, errors.SSLError):
        return requests.exceptions.SSLError(exc)
    if isinstance(exc, errors.ProxyError):
        return requests.exceptions.ProxyError(exc)
    if isinstance(exc, errors.InvalidHeader):
        return requests.exceptions.InvalidHeader(exc)
    return requests.ConnectionError(exc)


def _body(response):
    if not response.content:
        return None
    ctype = response.headers.get("Content-Type", "")
    if "json" in ctype:
        try:
            return response.json()
        except ValueError:
            return response.text
    return response.text


def _is_connect_refused(exc):
    # A refused connection never reached the server, so even a create is safe to retry.
    return isinstance(exc, requests.ConnectionError) and "refused" in str(exc).lower()


__all__ = ["V3Client", "DEFAULT_BASE_URL", "parse_error_body"]
