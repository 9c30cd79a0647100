"""Client-side pacing: V3 allows 4 requests a second and 10,000 a day per application.

A well-behaved program should never meet a 429 caused by its own burst, so every request
first takes a token here.
"""
import datetime as _dt
import logging
import threading
import time

from .errors import QuotaExceededError

log = logging.getLogger("ctct")


class RateLimiter:
    """Token bucket (thread-safe) plus a daily budget that resets at 00:00 UTC.

    rate: requests per second, or None for no pacing.
    burst: bucket size; 1 keeps requests evenly spaced, as V3 counts per second.
    daily_budget: requests allowed per UTC day, or None for no budget.
    warn_at: fraction of the budget after which a WARNING is logged (once a day).
    margin: seconds added to each interval, so arrival jitter on the network never makes
        the server see five requests inside one second at 4/s.
    """

    def __init__(self, rate=4.0, burst=1, daily_budget=10_000, warn_at=0.9,
                 clock=time.monotonic, sleep=time.sleep, today=None, margin=0.01):
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive or None")
        self.rate = None if rate is None else 1.0 / (1.0 / rate + margin)
        self.burst = max(1, int(burst))
        self.daily_budget = daily_budget
        self.warn_at = warn_at
        self._clock = clock
        self._sleep = sleep
        self._today = today or (lambda: _dt.datetime.now(_dt.timezone.utc).date())
        self._lock = threading.Lock()
        self._tokens = float(self.burst)
        self._last = clock()
        self._day = self._today()
        self._used_today = 0
        self._warned = False

    @property
    def used_today(self):
        with self._lock:
            self._roll_day()
            return self._used_today

    def _roll_day(self):
        day = self._today()
        if day != self._day:
            self._day, self._used_today, self._warned = day, 0, False

    def _take_budget(self):
        self._roll_day()
        if self.daily_budget is None:
            return
        if self._used_today >= self.daily_budget:
            raise QuotaExceededError(
                f"ctct's daily budget of {self.daily_budget} requests is spent "
                "(V3 allows 10,000 a day); it resets at 00:00 UTC"
            )
        self._used_today += 1
        if not self._warned and self._used_today >= self.warn_at * self.daily_budget:
            self._warned = True
            log.warning("ctct: %d of the %d daily V3 requests used; the budget resets at 00:00 UTC",
                        self._used_today, self.daily_budget)

    def acquire(self):
        """Block until a request may be sent; raise QuotaExceededError past the daily budget."""
        with self._lock:
            self._take_budget()
            if self.rate is None:
                return
            # Reserve a token under the lock, then sleep outside it only for our own slot:
            # threads queue in order and each waits its share, never spinning.
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
