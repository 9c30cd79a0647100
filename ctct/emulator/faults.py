"""Injected failures and V3's rate limits, as the emulator enforces them."""
import collections
import datetime as _dt
import threading
import time

from .http import ApiError


class FaultInjector:
    """Queued faults: each answers the next N requests whose path starts with a prefix."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []  # [status, remaining, prefix, headers]

    def add(self, status, times=1, path="", headers=None):
        if status != "drop" and not (isinstance(status, int) and 400 <= status <= 599):
            raise ValueError("status must be an HTTP error status (400-599) or 'drop'")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append([status, int(times), path or "", dict(headers or {})])

    def clear(self):
        with self._lock:
            self._faults.clear()

    def take(self, path):
        """(status or "drop", headers) to answer `path` with, consuming one use; None for none."""
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault[2]):
                    fault[1] -= 1
                    if fault[1] == 0:
                        self._faults.remove(fault)
                    return fault[0], fault[3]
        return None


class RateGate:
    """V3's limits: 4 requests per second and 10,000 per UTC day per application key;
    the token endpoint allows 1 per second. Answers 429 with V3's single-object bodies."""

    def __init__(self, enabled=False, per_second=4, daily_limit=10_000, token_per_second=1,
                 clock=time.monotonic):
        self.enabled = enabled
        self.per_second = per_second
        self.daily_limit = daily_limit
        self.token_per_second = token_per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._recent = collections.deque()
        self._recent_token = collections.deque()
        self._day = None
        self._used_today = 0

    def check(self, token_endpoint=False):
        if not self.enabled:
            return
        now = self._clock()
        with self._lock:
            window, limit = ((self._recent_token, self.token_per_second) if token_endpoint
                             else (self._recent, self.per_second))
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                raise ApiError(429, "throttled", "Too Many Requests", single=True)
            if not token_endpoint:
                today = _dt.datetime.now(_dt.timezone.utc).date()
                if today != self._day:
                    self._day, self._used_today = today, 0
                if self._used_today >= self.daily_limit:
                    raise ApiError(429, "quota_exceeded", "Limit Exceeded", single=True)
                self._used_today += 1
            window.append(now)
