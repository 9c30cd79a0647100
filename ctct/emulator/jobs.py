"""Bulk activities as asynchronous jobs, advanced deterministically instead of by threads.

V3 answers `POST /activities/<kind>` with 201 and an activity in state `initialized`; the
work happens later, and the client polls `GET /activities/{id}` until `completed`. The
emulator reproduces that without background threads, so tests are deterministic:

* each read of an activity (`GET /activities/{id}`, or `GET /activities` for every pending
  one) advances it one step: initialized -> processing (partial `percent_done`) -> ...
  -> completed after `Emulator.activity_steps` reads (default 2; 0 completes at once);
* the change to the account is applied when the job completes, never half-way;
* jobs complete in the order they were queued (a job completes its predecessors first);
* before any other request (contacts, lists, campaigns, ...) every pending job runs to
  completion (`settle_jobs`), so whatever a client reads is consistent with what it queued,
  like moto's managed state.

A job kind is a `JobKind` registered with `register_kind`: `initial_status(payload)` (the
counts shown while initialized), `progress_status(store, payload, fraction)` (while
processing) and `run(store, payload) -> JobResult` (does the work). The area module
`ctct.emulator.api.activities` defines and registers the kinds.

Stored activity objects are V3 activities plus a private record in `_private` (kept by
state snapshots, never rendered): {"kind", "payload", "reads"}; `_kind` mirrors the kind.
The queue of pending activity ids (oldest first) is `store.extra["activity_queue"]`.
"""
import logging
from dataclasses import dataclass, field

from .http import ApiError
from .isotime import parse as parse_time  # noqa: F401  (part of this module's interface)
from .store import AFTER_RESTORE, new_id, now_iso

log = logging.getLogger("ctct")

DEFAULT_STEPS = 2  # reads of an activity until it completes (Emulator.activity_steps)
MAX_QUEUED = 1_000  # V3: "You exceeded 1,000 queued activities for this user account"
QUEUE_KEY = "activity_queue"

PENDING_STATES = ("initialized", "processing")
FINAL_STATES = ("completed", "cancelled", "failed", "timed_out")
STATES = PENDING_STATES + FINAL_STATES

# Request paths that only look at activities: they advance jobs themselves (step by step)
# instead of settling the whole queue first.
_ACTIVITY_PATHS = ("/activities", "/contact_exports")


@dataclass
class JobResult:
    status: dict
    errors: list = field(default_factory=list)
    state: str = "completed"
    output: object = None  # what the job produced (an export's CSV), handed to JobKind.keep_output


@dataclass
class JobKind:
    name: str
    run: object  # (store, payload) -> JobResult
    initial_status: object = None  # (payload) -> dict
    progress_status: object = None  # (store, payload, fraction) -> dict
    status_keys: tuple = ()  # the status counts V3 shows for this kind
    results_link: object = None  # (activity) -> href once completed, e.g. the export file
    keep_output: object = None  # (store, activity, output) -> None, stores a completed job's output


KINDS = {}


def register_kind(kind):
    KINDS[kind.name] = kind
    return kind


class QueueFull(ApiError):
    def __init__(self):
        super().__init__(429, "too_many_requests",
                         "Too many requests. You exceeded 1,000 queued activities for this user account.",
                         single=True)


# -- creating -------------------------------------------------------------------------------


def queue_of(store):
    return store.extra.setdefault(QUEUE_KEY, [])


def create_activity(store, kind, payload, *, emulator=None):
    """Queue a validated job of `kind` and return its stored activity (state `initialized`).

    `emulator`: when given and its `activity_steps` is 0, the job completes before returning.
    Raises ApiError 429 when 1,000 activities are already queued.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown activity kind: {kind}")
    queue = queue_of(store)
    if len(queue) >= MAX_QUEUED:
        raise QueueFull()
    now = now_iso()
    spec = KINDS[kind]
    activity = {
        "activity_id": new_id(),
        "state": "initialized",
        "created_at": now,
        "updated_at": now,
        "percent_done": 0,
        "activity_errors": [],
        "status": dict(spec.initial_status(payload)) if spec.initial_status else {},
        "_kind": kind,
        "_private": {"kind": kind, "payload": payload, "reads": 0},
    }
    store.activities.add(activity)
    queue.append(activity["activity_id"])
    if emulator is not None and steps_of(emulator) <= 0:
        complete(store, activity)
    return activity


def steps_of(emulator):
    return int(getattr(emulator, "activity_steps", DEFAULT_STEPS))


# -- advancing ------------------------------------------------------------------------------


def advance(store, activity, steps):
    """One read's worth of progress for a pending activity."""
    if activity["state"] not in PENDING_STATES:
        return
    private = activity["_private"]
    private["reads"] = private.get("reads", 0) + 1
    if private["reads"] >= steps:
        complete(store, activity)
        return
    spec = KINDS[private["kind"]]
    fraction = private["reads"] / steps
    now = now_iso()
    activity["state"] = "processing"
    activity.setdefault("started_at", now)
    activity["updated_at"] = now
    activity["percent_done"] = int(100 * fraction)
    if spec.progress_status is not None:
        activity["status"] = spec.progress_status(store, private["payload"], fraction)


def complete(store, activity):
    """Run the job (after every job queued before it) and record its outcome."""
    queue = queue_of(store)
    activity_id = activity["activity_id"]
    while queue and queue[0] != activity_id:
        earlier = store.activities.get(queue[0])
        if earlier is None:
            queue.pop(0)
            continue
        _run(store, earlier)
    if activity["state"] in PENDING_STATES:
        _run(store, activity)


def _run(store, activity):
    private = activity["_private"]
    spec = KINDS.get(private.get("kind"))
    now = now_iso()
    activity.setdefault("started_at", now)
    try:
        if spec is None:
            raise RuntimeError(f"unknown activity kind {private.get('kind')!r}")
        result = spec.run(store, private.get("payload") or {})
    except ApiError as err:
        result = JobResult(status=dict(activity.get("status") or {}), errors=[err.error_message], state="failed")
    except Exception as err:  # a bug must fail the job, not the request that settled it
        log.exception("emulator activity %s failed", activity["activity_id"])
        result = JobResult(status=dict(activity.get("status") or {}),
                           errors=[f"Internal error: {type(err).__name__}"], state="failed")
    activity["state"] = result.state
    activity["status"] = result.status
    activity["activity_errors"] = list(result.errors)
    activity["percent_done"] = 100
    activity["completed_at"] = activity["updated_at"] = now_iso()
    if spec is not None and spec.keep_output is not None and result.state == "completed":
        spec.keep_output(store, activity, result.output)
    # the payload of a finished job is no longer needed (an import's rows can be large)
    private["payload"] = None
    try:
        queue_of(store).remove(activity["activity_id"])
    except ValueError:
        pass


def settle_jobs(request):
    """Run every pending job to completion, unless the request is about activities.

    Called by the emulator under the store lock before each request's handler.
    """
    store = request.state
    queue = store.extra.get(QUEUE_KEY)
    if not queue:
        return
    if request.path.startswith(_ACTIVITY_PATHS):
        return
    settle_all(store)


def settle_all(store):
    queue = queue_of(store)
    while queue:
        activity = store.activities.get(queue[0])
        if activity is None:
            queue.pop(0)
            continue
        complete(store, activity)


# -- rendering ------------------------------------------------------------------------------


def render_activity(activity, api_root="/v3"):
    """The V3 response body of a stored activity."""
    kind = KINDS.get(activity.get("_kind") or (activity.get("_private") or {}).get("kind"))
    body = {"activity_id": activity["activity_id"], "state": activity["state"]}
    for key in ("started_at", "completed_at", "created_at", "updated_at", "source_file_name"):
        if activity.get(key) is not None:
            body[key] = activity[key]
    body["percent_done"] = int(activity.get("percent_done") or 0)
    body["activity_errors"] = [str(e) for e in activity.get("activity_errors") or []]
    status = activity.get("status") or {}
    if kind is not None and kind.status_keys:
        status = {k: int(status.get(k) or 0) for k in kind.status_keys}
    body["status"] = dict(status)
    links = {"self": {"href": f"{api_root}/activities/{activity['activity_id']}"}}
    if kind is not None and kind.results_link is not None and activity["state"] == "completed":
        href = kind.results_link(activity)
        if href:
            links["results"] = {"href": api_root + href}
    body["_links"] = links
    return body


# -- state snapshots ------------------------------------------------------------------------


def _rebuild_after_restore(store):
    """Re-derive `_kind` and the pending queue from the restored activities."""
    pending = []
    for activity in store.activities.values():
        private = activity.setdefault("_private", {})
        if activity.get("_kind") is None and private.get("kind"):
            activity["_kind"] = private["kind"]
        if activity.get("state") in PENDING_STATES and private.get("payload") is not None:
            pending.append(activity["activity_id"])
    store.extra[QUEUE_KEY] = pending


AFTER_RESTORE.append(_rebuild_after_restore)


__all__ = [
    "JobKind", "JobResult", "KINDS", "register_kind", "create_activity", "advance", "complete",
    "settle_jobs", "settle_all", "render_activity", "steps_of", "queue_of", "DEFAULT_STEPS",
    "MAX_QUEUED", "STATES", "PENDING_STATES", "FINAL_STATES", "parse_time",
]
