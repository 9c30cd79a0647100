"""When to retry a V3 request and how long to wait: two small pure functions and their policy."""
import random
from dataclasses import dataclass

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter.

    `max_attempts` counts the first try; `max_total_seconds` caps the time spent sleeping
    between attempts, so a call never hangs for minutes on an outage.
    """

    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 16.0
    max_total_seconds: float = 60.0
    max_retry_after: float = 120.0


def should_retry(*, status, error_key=None, transport_error=False, sent=True, creates=False):
    """Whether a failed attempt may be tried again.

    status: the HTTP status, or None when no answer came back.
    error_key: V3's error_key for a 429 (`throttled` is retried, `quota_exceeded` never:
        it lasts until midnight UTC).
    transport_error: the connection failed or timed out.
    sent: whether the request may have reached the server (False for a refused connect).
    creates: a request that creates something (a non-idempotent POST). It is retried only
        when the server certainly did not act on it: a throttled 429, a 503, or a connect
        that never happened. A timeout or a 500 after sending may have created the object.
    """
    if transport_error:
        return not (creates and sent)
    if status == 429:
        return error_key in (None, "throttled")
    if status not in RETRYABLE_STATUSES:
        return False
    if creates:
        return status == 503
    return True


def sleep_for(attempt, policy, retry_after=None, rng=random.random):
    """Seconds to wait before retry number `attempt` (1 = the first retry).

    A server's Retry-After wins (capped by the policy); otherwise full jitter over an
    exponentially growing window, so many clients do not retry in lockstep.
    """
    if retry_after is not None:
        return min(max(0.0, retry_after), policy.max_retry_after)
    window = min(policy.backoff_cap, policy.backoff_base * (2 ** (attempt - 1)))
    return window / 2 + rng() * window / 2


def parse_retry_after(value, now=None):
    """Retry-After as seconds: delta-seconds or an HTTP date. None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime
    import datetime as _dt

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    now = now or _dt.datetime.now(_dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())
