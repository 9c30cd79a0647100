"""A testing hook that kills the migration with SIGKILL at a chosen point.

Resumability is only believable when a kill -9 can land anywhere; this makes the landing
deterministic for tests. Set CTCT_MIGRATE_CRASH="<point>:<n>" to SIGKILL the process the n-th
time it passes <point>:
    xref-batch     after an answered xref batch is committed to the cache
    output-rows    after writing n rows of the temporary output (before the rename)
    before-rename  just before the output replaces OUTPUT
    sqlite-batch   after a batch of in-place row updates is committed
Unset (the normal case), it costs one dictionary lookup per point.
"""
import os
import signal

CRASH_ENV = "CTCT_MIGRATE_CRASH"


class CrashPoints:
    def __init__(self, spec=None):
        spec = os.environ.get(CRASH_ENV, "") if spec is None else spec
        self._at = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            point, _, count = part.partition(":")
            self._at[point] = int(count or 1)
        self._seen = {}

    def __bool__(self):
        return bool(self._at)

    def passed(self, point, times=1):
        """Record passing `point` (`times` times); die when its count is reached."""
        if point not in self._at:
            return
        seen = self._seen.get(point, 0) + times
        self._seen[point] = seen
        if seen >= self._at[point]:
            die()


def die():
    """End the process the way kill -9 does: no cleanup, no flushing, no finally blocks."""
    kill = getattr(signal, "SIGKILL", None)
    if kill is not None:
        os.kill(os.getpid(), kill)
    os._exit(137)  # platforms without SIGKILL
