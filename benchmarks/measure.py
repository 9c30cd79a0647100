"""Measuring one side (ctct or the official SDK) of one workload against the emulator.

Requests are counted by the emulator (every handled request, so a retry or a hidden extra
call cannot escape the count), time with `time.perf_counter`, with no client-side pacing:
the figure is the library's own cost. The job's CPU time is also taken, with
`time.thread_time` on the thread that runs it: the emulator serves from threads of its own,
so this is the library's work alone, without the server's share of the wall time (and much
less noisy than it). What V3's 4 requests a second would add is shown as
requests / 4.
"""
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

V3_RATE = 4.0  # requests a second per API key


@dataclass
class Side:
    """What one library did for one workload."""

    requests: int = 0  # HTTP requests of the job itself (polls of a bulk activity not included)
    seconds: float = 0.0  # wall time, polls included
    cpu_seconds: float = 0.0  # CPU time of the thread running the job (the client's own work)
    polls: int = 0  # status reads while waiting for a bulk activity (calls)
    poll_requests: int = 0  # the HTTP requests those reads made
    paths: dict = field(default_factory=dict)  # request count per "METHOD /path" (ids folded)
    extra: dict = field(default_factory=dict)  # workload facts (items returned, checks passed)

    @property
    def at_v3_rate(self):
        """Seconds the same requests take at V3's 4 requests/s."""
        return (self.requests + self.poll_requests) / V3_RATE

    def as_dict(self):
        data = asdict(self)
        data["seconds"] = round(self.seconds, 4)
        data["cpu_seconds"] = round(self.cpu_seconds, 4)
        data["at_v3_rate_seconds"] = round(self.at_v3_rate, 2)
        return data


class Meter:
    """Counts the emulator's requests and the wall time of a block:

        meter = Meter(emu)
        with meter.job(side):      # the job's requests and time
            ...
            with meter.polls(side):  # requests made while waiting: counted apart
                ...
    """

    def __init__(self, emu):
        self.emu = emu

    def mark(self):
        return len(self.emu.requests)

    def since(self, mark):
        return self.emu.requests[mark:]

    @contextmanager
    def job(self, side):
        start_mark = self.mark()
        polls_before = side.poll_requests
        started, cpu_started = time.perf_counter(), time.thread_time()
        try:
            yield side
        finally:
            side.seconds += time.perf_counter() - started
            side.cpu_seconds += time.thread_time() - cpu_started
            handled = self.since(start_mark)
            side.requests += len(handled) - (side.poll_requests - polls_before)
            for key, count in count_paths(handled).items():
                side.paths[key] = side.paths.get(key, 0) + count

    @contextmanager
    def polls(self, side):
        start_mark = self.mark()
        try:
            yield
        finally:
            side.poll_requests += len(self.since(start_mark))


def count_paths(requests):
    """{"METHOD /path": count} of recorded emulator requests, ids folded to {id}."""
    counts = {}
    for request in requests:
        key = f"{request.method} {fold_ids(request.path)}"
        counts[key] = counts.get(key, 0) + 1
    return counts


def fold_ids(path):
    """/contacts/0f1e...-... -> /contacts/{id}: one row per endpoint in the path counts."""
    parts = []
    for part in path.split("/"):
        if len(part) >= 16 and any(ch.isdigit() for ch in part) and ("-" in part or part.isalnum()):
            part = "{id}"
        parts.append(part)
    return "/".join(parts)


def ratio(ours, theirs):
    if not theirs:
        return None
    return round(ours / theirs, 3)
