"""The email tracking log: the one store of events every campaign figure is derived from.

`store.extra["tracking"]` maps a campaign activity id to its events, oldest first:
    {contact_id, email_address, first_name, last_name, tracking_activity_type, created_time,
     url_id?, link_url?, bounce_code?, opt_out_reason?, device_type?}
Stats, the links report, the tracking reports and the contact reports all read these lists
through an `ActivityIndex`, so a campaign's send count is, by construction, its sends report.

Indexes are derived data: they live outside the (JSON-able) store, are extended as events are
appended, and are rebuilt whenever the store's data was replaced (reset, state load).
"""
import bisect
import re
import weakref
from collections import Counter

TRACKING_KEY = "tracking"
LINKS_KEY = "email_links"
NEXT_URL_ID_KEY = "email_next_url_id"
FIRST_URL_ID = 1100400000001  # V3's url_ids are 13-digit numbers ("1100407204171")

SENDS, OPENS, CLICKS, BOUNCES, FORWARDS, OPTOUTS, ABUSE = (
    "em_sends", "em_opens", "em_clicks", "em_bounces", "em_forwards", "em_optouts", "em_abuse")
EVENT_TYPES = (SENDS, OPENS, CLICKS, BOUNCES, FORWARDS, OPTOUTS, ABUSE)

# bounce_code -> the suffix of its per-activity stat (em_bounces_<suffix>)
BOUNCE_CODES = {"B": "nonexistent_address", "D": "undeliverable", "F": "mailbox_full",
                "S": "suspended", "V": "vacation", "X": "other", "Z": "blocked"}
DEVICE_TYPES = ("computer", "mobile", "tablet", "other")  # anything else counts as "none"

_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


# -- the stored log -------------------------------------------------------------------------

def log(store):
    return store.extra.setdefault(TRACKING_KEY, {})


def events_of(store, campaign_activity_id):
    return log(store).get(campaign_activity_id, [])


def record(store, campaign_activity_id, new_events):
    """Add events to an activity's log, keeping it ordered by created_time."""
    if not new_events:
        return
    stored = log(store).setdefault(campaign_activity_id, [])
    incoming = sorted(new_events, key=_event_time)
    if stored and _event_time(incoming[0]) < _event_time(stored[-1]):
        # Out-of-order (seeded history): re-sort in place, so positions change; drop the index.
        stored.extend(incoming)
        stored.sort(key=_event_time)
        _cache(store).activities.pop(campaign_activity_id, None)
    else:
        stored.extend(incoming)


def _event_time(event):
    return event["created_time"]


# -- links ------------------------------------------------------------------------------------

def links_in_html(html):
    """The distinct link URLs of an email body, in order (tracking placeholders excluded)."""
    seen = []
    for url in _HREF.findall(html or ""):
        url = url.strip()
        if url.lower().startswith(("http://", "https://")) and url not in seen:
            seen.append(url)
    return seen


def links_of(store, campaign_activity_id):
    """[{url_id, link_url}] registered for an activity (when it was sent, or when clicked)."""
    return store.extra.get(LINKS_KEY, {}).get(campaign_activity_id, [])


def url_id_for(store, campaign_activity_id, link_url):
    """The activity's url_id for `link_url`, registering the link if it is new."""
    links = store.extra.setdefault(LINKS_KEY, {}).setdefault(campaign_activity_id, [])
    for link in links:
        if link["link_url"] == link_url:
            return link["url_id"]
    url_id = str(store.extra.get(NEXT_URL_ID_KEY, FIRST_URL_ID))
    store.extra[NEXT_URL_ID_KEY] = int(url_id) + 1
    links.append({"url_id": url_id, "link_url": link_url})
    return url_id


# -- indexes ----------------------------------------------------------------------------------

class ActivityIndex:
    """Positions and unique-contact counts of one activity's events, by type."""

    def __init__(self, source):
        self.source = source  # the stored list this index describes
        self.synced = 0
        self.positions = {t: [] for t in EVENT_TYPES}  # ascending positions in `source`
        self.per_contact = {t: Counter() for t in EVENT_TYPES}  # contact_id -> event count
        self.devices = {OPENS: Counter(), CLICKS: Counter()}
        self.url_positions = {}  # url_id -> positions
        self.url_contacts = {}  # url_id -> {contact_id}
        self.bounce_contacts = {code: set() for code in BOUNCE_CODES}
        self.bounce_positions = {code: [] for code in BOUNCE_CODES}
        self.by_contact = {}  # contact_id -> positions
        self.last_open = {}  # contact_id -> position of the contact's latest open
        self.first_send = {}  # contact_id -> position of the contact's first send
        self._derived = {}

    def sync(self):
        source = self.source
        for pos in range(self.synced, len(source)):
            self._add(pos, source[pos])
        if self.synced != len(source):
            self.synced = len(source)
            self._derived.clear()
        return self

    def _add(self, pos, event):
        kind = event["tracking_activity_type"]
        contact_id = event["contact_id"]
        if kind not in self.positions:
            return
        self.positions[kind].append(pos)
        self.per_contact[kind][contact_id] += 1
        self.by_contact.setdefault(contact_id, []).append(pos)
        if kind in self.devices:
            device = event.get("device_type")
            self.devices[kind][device if device in DEVICE_TYPES else "none"] += 1
        if kind == OPENS:
            self.last_open[contact_id] = pos
        elif kind == SENDS:
            self.first_send.setdefault(contact_id, pos)
        elif kind == CLICKS:
            url_id = event.get("url_id")
            self.url_positions.setdefault(url_id, []).append(pos)
            self.url_contacts.setdefault(url_id, set()).add(contact_id)
        elif kind == BOUNCES and event.get("bounce_code") in self.bounce_contacts:
            self.bounce_contacts[event["bounce_code"]].add(contact_id)
            self.bounce_positions[event["bounce_code"]].append(pos)

    def unique(self, kind):
        return len(self.per_contact[kind])

    def unique_open_positions(self):
        """Each opener's latest open (V3's unique_opens), ascending."""
        if "unique_opens" not in self._derived:
            self._derived["unique_opens"] = sorted(self.last_open.values())
        return self._derived["unique_opens"]

    def did_not_open_positions(self):
        """The send of each recipient who neither opened nor bounced, ascending."""
        if "didnotopens" not in self._derived:
            opened, bounced = self.per_contact[OPENS], self.per_contact[BOUNCES]
            self._derived["didnotopens"] = sorted(
                pos for cid, pos in self.first_send.items() if cid not in opened and cid not in bounced)
        return self._derived["didnotopens"]

    def contacts_sent(self):
        return self.per_contact[SENDS]


class _Cache:
    def __init__(self, extra):
        self.extra = extra
        self.activities = {}


_CACHES = weakref.WeakKeyDictionary()  # AccountStore -> _Cache


def _cache(store):
    cache = _CACHES.get(store)
    if cache is None or cache.extra is not store.extra:  # reset or state load replaced the data
        cache = _CACHES[store] = _Cache(store.extra)
    return cache


def index(store, campaign_activity_id):
    """The up-to-date index of an activity's events."""
    source = log(store).get(campaign_activity_id)
    if source is None:  # nothing recorded yet: an empty index, not cached (a read adds nothing)
        return ActivityIndex([])
    cache = _cache(store)
    idx = cache.activities.get(campaign_activity_id)
    if idx is None or idx.source is not source or idx.synced > len(source):
        idx = cache.activities[campaign_activity_id] = ActivityIndex(source)
    return idx.sync()


def activity_ids_with_events(store):
    return [caid for caid, events in log(store).items() if events]


# -- figures ----------------------------------------------------------------------------------

def email_stats(indexes):
    """(V3's StatsEmail, {event type: unique contacts}) for one or more activity indexes (a
    campaign's primary email and resends). `em_*` count unique recipients, `em_*_all` every
    event, as V3 defines them."""
    if len(indexes) == 1:  # the usual case: no need to merge contact sets
        counts = {kind: len(indexes[0].per_contact[kind]) for kind in EVENT_TYPES}
    else:
        merged = {kind: set() for kind in EVENT_TYPES}
        for idx in indexes:
            for kind in EVENT_TYPES:
                merged[kind].update(idx.per_contact[kind])
        counts = {kind: len(contacts) for kind, contacts in merged.items()}
    all_opens, all_clicks = Counter(), Counter()
    for idx in indexes:
        all_opens.update(idx.devices[OPENS])
        all_clicks.update(idx.devices[CLICKS])
    sends, opens, bounces = counts[SENDS], counts[OPENS], counts[BOUNCES]
    stats = {
        "em_bounces": bounces,
        "em_clicks": counts[CLICKS],
        "em_clicks_all": sum(all_clicks.values()),
    }
    for device in DEVICE_TYPES + ("none",):
        stats[f"em_clicks_all_{device}"] = all_clicks[device]
    stats["em_forwards"] = counts[FORWARDS]
    stats["em_not_opened"] = max(0, sends - opens - bounces)
    stats["em_opens"] = opens
    stats["em_opens_all"] = sum(all_opens.values())
    for device in DEVICE_TYPES + ("none",):
        stats[f"em_opens_all_{device}"] = all_opens[device]
    stats["em_optouts"] = counts[OPTOUTS]
    stats["em_sends"] = sends
    return stats, counts


def activity_stats(idx):
    """V3's StatsEmailActivity: StatsEmail plus spam complaints and the bounce breakdown."""
    stats, _ = email_stats([idx])
    stats["em_abuse"] = idx.unique(ABUSE)
    for code, suffix in BOUNCE_CODES.items():
        stats[f"em_bounces_{suffix}"] = len(idx.bounce_contacts[code])
    return stats


def percents(stats):
    """V3's PercentsEmail, from a StatsEmail."""
    sends, bounces = stats["em_sends"], stats["em_bounces"]
    delivered = sends - bounces
    opens_all, clicks_all = stats["em_opens_all"], stats["em_clicks_all"]

    def pct(part, whole):
        return round(100.0 * part / whole, 1) if whole > 0 else 0.0

    return {
        "bounce": pct(bounces, sends),
        "click": pct(stats["em_clicks"], stats["em_opens"]),
        "desktop_click": pct(stats["em_clicks_all_computer"], clicks_all),
        "desktop_open": pct(stats["em_opens_all_computer"], opens_all),
        "did_not_open": pct(stats["em_not_opened"], delivered),
        "mobile_click": pct(stats["em_clicks_all_mobile"] + stats["em_clicks_all_tablet"], clicks_all),
        "mobile_open": pct(stats["em_opens_all_mobile"] + stats["em_opens_all_tablet"], opens_all),
        "open": pct(stats["em_opens"], delivered),
        "unsubscribe": pct(stats["em_optouts"], delivered),
    }


def last_event_time(idx, kind=SENDS):
    positions = idx.positions[kind]
    return idx.source[positions[-1]]["created_time"] if positions else None


def descending_page(positions, limit, start_position=None):
    """Up to `limit` positions, newest first, starting at `start_position` (inclusive) or the
    newest; returns (page, next_start_position or None)."""
    if start_position is None:
        top = len(positions) - 1
    else:
        top = bisect.bisect_right(positions, start_position) - 1
    bottom = max(-1, top - limit)
    page = [positions[i] for i in range(top, bottom, -1)]
    return page, (positions[bottom] if bottom >= 0 else None)
