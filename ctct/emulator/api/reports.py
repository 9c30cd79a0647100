"""Emulated V3 area: email and contact reports, all read from the one tracking log.

    GET /reports/stats/email_campaigns/{campaign_ids}
    GET /reports/stats/email_campaign_activities/{campaign_activity_ids}
    GET /reports/summary_reports/email_campaign_summaries
    GET /reports/email_reports/{campaign_activity_id}/links
    GET /reports/email_reports/{campaign_activity_id}/tracking/{sends|opens|unique_opens|
        didnotopens|clicks|forwards|optouts|bounces}
    GET /reports/contact_reports/{contact_id}/activity_details | activity_summary | open_and_click_rates

Every figure comes from `ctct.emulator.tracking`, so the stats, the links report and the
tracking reports of a campaign always agree.
"""
import datetime as _dt
import heapq
from urllib.parse import unquote

from .. import isotime, tracking
from ..http import bad_request, not_found
from ..paging import next_href
from ..store import decode_cursor
from .emails import UUID_RE, campaign_route

MAX_CAMPAIGN_IDS = 150
MAX_ACTIVITY_IDS = 10
STATS_NOT_FOUND_KEY = "reportingsvc.not_found.invalid_path_param.{}."
REPORTABLE_ROLES = ("primary_email", "resend")
CONTACT_ACTIVITY_TYPES = ("em_sends", "em_opens", "em_clicks", "em_bounces", "em_optouts", "em_forwards",
                          "p_contact_open", "p_contact_click", "p_contact_add", "p_contact_update")
MAX_SUMMARY_ACTIVITIES = 200
MAX_RATES_WINDOW = _dt.timedelta(days=5 * 366)

# report name -> (event type it reads, tracking_activity_type it shows, extra row fields)
TRACKING_REPORTS = {
    "sends": (tracking.SENDS, "em_sends", ()),
    "opens": (tracking.OPENS, "em_opens", ("device_type",)),
    "unique_opens": (tracking.OPENS, "em_opens", ("device_type",)),
    "didnotopens": (tracking.SENDS, "em_didnotopens", ()),
    "clicks": (tracking.CLICKS, "em_clicks", ("device_type", "url_id", "link_url")),
    "forwards": (tracking.FORWARDS, "em_forwards", ()),
    "optouts": (tracking.OPTOUTS, "em_optouts", ("opt_out_reason",)),
    "bounces": (tracking.BOUNCES, "em_bounces", ("bounce_code",)),
}


def _now():
    return isotime.format_utc(isotime.now())


def _id_list(request, param, maximum):
    raw = unquote(request.params[param])
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if not ids:
        raise bad_request(f"{param} must list at least one id.")
    if len(ids) > maximum:
        raise bad_request(f"{param} may list at most {maximum} ids.")
    malformed = [i for i in ids if not UUID_RE.match(i)]
    if malformed:  # V3: one malformed id fails the whole request
        raise not_found(f"{param}: {malformed[0]} is not a valid id.")
    return list(dict.fromkeys(ids))


def _stats_error(param, message):
    return {"error_key": STATS_NOT_FOUND_KEY.format(param), "error_message": message}


def reportable_activities(store, campaign):
    out = []
    for ref in campaign.get("campaign_activities", []):
        if ref["role"] in REPORTABLE_ROLES:
            activity = store.campaign_activities.get(ref["campaign_activity_id"])
            if activity is not None:
                out.append(activity)
    return out


def campaign_indexes(store, campaign):
    """Indexes of the campaign's sent activities (primary email and resends)."""
    indexes = [tracking.index(store, a["campaign_activity_id"]) for a in reportable_activities(store, campaign)]
    return [idx for idx in indexes if idx.positions[tracking.SENDS]]


# -- stats ------------------------------------------------------------------------------------

@campaign_route("GET", "/reports/stats/email_campaigns/{campaign_ids}")
def campaign_stats(request):
    store = request.state
    results, errors = [], []
    for campaign_id in _id_list(request, "campaign_ids", MAX_CAMPAIGN_IDS):
        campaign = store.emails.get(campaign_id)
        indexes = campaign_indexes(store, campaign) if campaign is not None else []
        if not indexes:
            errors.append(_stats_error("campaign_ids", f"Could not find campaign stats for campaign_id {campaign_id}."))
            continue
        stats, _ = tracking.email_stats(indexes)
        results.append({"campaign_id": campaign_id, "stats": stats, "percents": tracking.percents(stats),
                        "last_refresh_time": _now()})
    return {"results": results, "errors": errors}


@campaign_route("GET", "/reports/stats/email_campaign_activities/{campaign_activity_ids}")
def activity_stats(request):
    store = request.state
    results, errors = [], []
    for caid in _id_list(request, "campaign_activity_ids", MAX_ACTIVITY_IDS):
        activity = store.campaign_activities.get(caid)
        idx = tracking.index(store, caid) if activity is not None else None
        if idx is None or activity["role"] not in REPORTABLE_ROLES or not idx.positions[tracking.SENDS]:
            errors.append(_stats_error("campaign_activity_ids",
                                       f"Could not find campaign activity stats for campaign_activity_id {caid}."))
            continue
        results.append({"campaign_id": activity["campaign_id"], "campaign_activity_id": caid,
                        "stats": tracking.activity_stats(idx), "last_refresh_time": _now()})
    return {"results": results, "errors": errors}


@campaign_route("GET", "/reports/summary_reports/email_campaign_summaries")
def campaign_summaries(request):
    store = request.state
    limit, offset = _limit_and_offset(request, default=50, maximum=500)
    sent = []
    for campaign in store.emails.values():
        indexes = campaign_indexes(store, campaign)
        if indexes:
            last_sent = max(tracking.last_event_time(idx) for idx in indexes)
            sent.append((last_sent, campaign, indexes))
    sent.sort(key=lambda item: item[0], reverse=True)
    page = sent[offset:offset + limit]
    summaries, totals = [], {"sends": 0, "opens": 0, "clicks": 0, "bounces": 0, "optouts": 0, "not_opened": 0}
    for last_sent, campaign, indexes in page:
        stats, counts = tracking.email_stats(indexes)
        unique = {"sends": stats["em_sends"], "opens": stats["em_opens"], "clicks": stats["em_clicks"],
                  "forwards": stats["em_forwards"], "optouts": stats["em_optouts"],
                  "abuse": counts[tracking.ABUSE], "bounces": stats["em_bounces"],
                  "not_opened": stats["em_not_opened"]}
        for key in totals:
            totals[key] += unique[key]
        summaries.append({"campaign_id": campaign["campaign_id"], "campaign_type": campaign.get("type"),
                          "last_sent_date": last_sent, "unique_counts": unique})
    delivered = totals["sends"] - totals["bounces"]
    body = {"bulk_email_campaign_summaries": summaries, "aggregate_percents": {
        "click": _pct(totals["clicks"], totals["opens"]), "open": _pct(totals["opens"], delivered),
        "did_not_open": _pct(totals["not_opened"], delivered), "bounce": _pct(totals["bounces"], totals["sends"]),
        "unsubscribe": _pct(totals["optouts"], delivered)}}
    if offset + limit < len(sent):
        body["_links"] = {"next": {"href": next_href(request, limit, offset + limit)}}
    return body


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole > 0 else 0.0


def _limit_and_offset(request, *, default, maximum):
    cursor = request.arg("cursor")
    if cursor:
        decoded = decode_cursor(cursor)
        if decoded is None:
            raise bad_request("The cursor is invalid.")
        return decoded
    return request.int_arg("limit", default, minimum=1, maximum=maximum), 0


# -- email reports ----------------------------------------------------------------------------

def _reportable_activity(request):
    caid = request.params["campaign_activity_id"]
    activity = request.state.campaign_activities.get(caid)
    if activity is None:
        raise not_found(f"Email campaign activity {caid} was not found.")
    if activity["role"] not in REPORTABLE_ROLES:
        raise bad_request(f"Reports cover primary_email and resend campaign activities; {caid} is "
                          f"{activity['role']}.")
    return activity


@campaign_route("GET", "/reports/email_reports/{campaign_activity_id}/links")
def links_report(request):
    activity = _reportable_activity(request)
    include_unclicked = request.bool_arg("no_clicks", False)
    caid = activity["campaign_activity_id"]
    idx = tracking.index(request.state, caid)
    counts = []
    for link in tracking.links_of(request.state, caid):
        unique_clicks = len(idx.url_contacts.get(link["url_id"], ()))
        if unique_clicks or include_unclicked:
            counts.append({"link_url": link["link_url"], "url_id": link["url_id"], "unique_clicks": unique_clicks})
    return {"campaign_activity_id": caid, "link_click_counts": counts}


def _tracking_report(name):
    kind, shown_type, extra_fields = TRACKING_REPORTS[name]

    def handler(request):
        activity = _reportable_activity(request)
        store = request.state
        idx = tracking.index(store, activity["campaign_activity_id"])
        positions = _report_positions(request, name, kind, idx)
        limit, start = _tracking_cursor(request)
        page, next_position = tracking.descending_page(positions, limit, start)
        rows = [_tracking_row(store, activity, idx.source[pos], shown_type, extra_fields, name) for pos in page]
        links = {}
        if next_position is not None:
            links["next"] = {"href": next_href(request, limit, next_position)}
        return {"tracking_activities": rows, "_links": links}

    handler.__name__ = f"tracking_{name}"
    handler.__doc__ = f"GET .../tracking/{name}: newest first, paged by _links.next.href."
    return handler


def _report_positions(request, name, kind, idx):
    if name == "unique_opens":
        return idx.unique_open_positions()
    if name == "didnotopens":
        return idx.did_not_open_positions()
    if name == "bounces":
        codes = request.args("bounce_code")
        bad = [c for c in codes if c not in tracking.BOUNCE_CODES]
        if bad:
            raise bad_request(f"bounce_code {bad[0]} is not one of {', '.join(tracking.BOUNCE_CODES)}.")
        if codes:
            return list(heapq.merge(*(idx.bounce_positions[c] for c in dict.fromkeys(codes))))
    if name == "clicks" and request.arg("url_id") not in (None, ""):
        url_id = request.int_arg("url_id", None)
        return idx.url_positions.get(str(url_id), [])
    return idx.positions[kind]


def _tracking_cursor(request):
    """(limit, start position) for a tracking page; `limit` is 1-500, default 500."""
    cursor = request.arg("cursor")
    if cursor:
        decoded = decode_cursor(cursor)
        if decoded is None:
            raise bad_request("The cursor is invalid.")
        return decoded
    return request.int_arg("limit", 500, minimum=1, maximum=500), None


def _tracking_row(store, activity, event, shown_type, extra_fields, name):
    row = {"contact_id": event["contact_id"], "campaign_activity_id": activity["campaign_activity_id"],
           "tracking_activity_type": shown_type, "email_address": event.get("email_address") or ""}
    for key in ("first_name", "last_name") + tuple(extra_fields):
        if event.get(key) is not None:
            row[key] = event[key]
    contact = store.contacts.get(event["contact_id"])
    if name == "bounces":
        row["current_email_address"] = ((contact or {}).get("email_address") or {}).get("address") or row["email_address"]
    row["created_time"] = event["created_time"]
    if contact is not None and contact.get("deleted_at"):
        row["deleted_at"] = contact["deleted_at"][:10]
    return row


for _name in TRACKING_REPORTS:
    campaign_route("GET", f"/reports/email_reports/{{campaign_activity_id}}/tracking/{_name}")(_tracking_report(_name))


# -- contact reports --------------------------------------------------------------------------

def _contact(request):
    contact = request.state.contacts.get(request.params["contact_id"])
    if contact is None:
        raise not_found(f"Contact {request.params['contact_id']} was not found.")
    return contact


def contact_events(store, contact_id):
    """[(activity id, event)] of one contact across every campaign activity."""
    out = []
    for caid in tracking.activity_ids_with_events(store):
        idx = tracking.index(store, caid)
        for pos in idx.by_contact.get(contact_id, ()):
            out.append((caid, idx.source[pos]))
    return out


def _activity_types(request):
    listed = request.arg("tracking_activities_list")
    typed = request.query.get("tracking_activity_type")
    if listed is not None and typed is not None:
        raise bad_request("tracking_activities_list and tracking_activity_type are mutually exclusive; use one.")
    if listed is None and typed is None:
        raise bad_request("One of tracking_activities_list or tracking_activity_type is required.")
    names = request.args("tracking_activities_list" if listed is not None else "tracking_activity_type")
    if not names:
        raise bad_request("List at least one tracking activity type.")
    bad = [n for n in names if n not in CONTACT_ACTIVITY_TYPES]
    if bad:
        raise bad_request(f"{bad[0]} is not a tracking activity type; use {', '.join(CONTACT_ACTIVITY_TYPES)}.")
    return set(names)


@campaign_route("GET", "/reports/contact_reports/{contact_id}/activity_details")
def contact_activity_details(request):
    store = request.state
    contact = _contact(request)
    types = _activity_types(request)
    with_names = request.bool_arg("include_campaign_activity_names", True)
    limit, offset = _limit_and_offset(request, default=100, maximum=100)
    events = [(caid, e) for caid, e in contact_events(store, contact["contact_id"])
              if e["tracking_activity_type"] in types]
    events.sort(key=lambda item: (item[1]["created_time"], item[0]), reverse=True)
    rows = []
    for caid, event in events[offset:offset + limit]:
        row = {"contact_id": contact["contact_id"], "campaign_activity_id": caid,
               "created_time": event["created_time"], "tracking_activity_type": event["tracking_activity_type"]}
        if with_names:
            row["campaign_activity_name"] = _activity_name(store, caid)
        rows.append(row)
    body = {"tracking_activities": rows, "_links": {}}
    if offset + limit < len(events):
        body["_links"] = {"next": {"href": next_href(request, limit, offset + limit)}}
    return body


def _activity_name(store, caid):
    activity = store.campaign_activities.get(caid) or {}
    campaign = store.emails.get(activity.get("campaign_id")) or {}
    return campaign.get("name") or activity.get("subject") or ""


def _date_window(request):
    bounds = []
    for name in ("start", "end"):
        raw = request.arg(name)
        if raw is None or raw == "":
            raise bad_request(f"{name} is required (an ISO-8601 date-time).")
        value = isotime.parse(raw)
        if value is None:
            raise bad_request(f"{name} must be an ISO-8601 date-time, e.g. 2019-01-01T00:00:00-0500.")
        bounds.append(value)
    if bounds[1] < bounds[0]:
        raise bad_request("end must not be before start.")
    return bounds


def _per_activity_counts(store, contact_id, start, end):
    """{activity id: {type: count, "last_send": time}} for activities sent to the contact in [start, end]."""
    low, high = isotime.format_utc(start), isotime.format_utc(end)
    summary = {}
    for caid, event in contact_events(store, contact_id):
        counts = summary.setdefault(caid, {"last_send": None})
        kind = event["tracking_activity_type"]
        counts[kind] = counts.get(kind, 0) + 1
        if kind == tracking.SENDS and (counts["last_send"] is None or event["created_time"] > counts["last_send"]):
            counts["last_send"] = event["created_time"]
    return {caid: c for caid, c in summary.items() if c["last_send"] and low <= c["last_send"] <= high}


@campaign_route("GET", "/reports/contact_reports/{contact_id}/activity_summary")
def contact_activity_summary(request):
    contact = _contact(request)
    start, end = _date_window(request)
    summary = _per_activity_counts(request.state, contact["contact_id"], start, end)
    rows = [{"campaign_activity_id": caid, "start_on": c["last_send"], "em_bounces": c.get(tracking.BOUNCES, 0),
             "em_clicks": c.get(tracking.CLICKS, 0), "em_forwards": c.get(tracking.FORWARDS, 0),
             "em_opens": c.get(tracking.OPENS, 0), "em_sends": c.get(tracking.SENDS, 0),
             "em_unsubscribes": c.get(tracking.OPTOUTS, 0)}
            for caid, c in summary.items()]
    rows.sort(key=lambda row: (row["start_on"], row["campaign_activity_id"]), reverse=True)
    return {"contact_id": contact["contact_id"], "campaign_activities": rows[:MAX_SUMMARY_ACTIVITIES]}


@campaign_route("GET", "/reports/contact_reports/{contact_id}/open_and_click_rates")
def contact_open_and_click_rates(request):
    contact = _contact(request)
    start, end = _date_window(request)
    if end - start > MAX_RATES_WINDOW:
        raise bad_request("The start to end window may cover at most 5 years.")
    summary = _per_activity_counts(request.state, contact["contact_id"], start, end)
    count = len(summary)
    opened = sum(1 for c in summary.values() if c.get(tracking.OPENS))
    clicked = sum(1 for c in summary.values() if c.get(tracking.CLICKS))
    return {"contact_id": contact["contact_id"], "included_activities_count": count,
            "average_open_rate": round(opened / count, 4) if count else 0.0,
            "average_click_rate": round(clicked / count, 4) if count else 0.0}


__all__ = ["contact_events", "reportable_activities", "campaign_indexes"]
