"""get_campaign_events / get_contact_events: V3 tracking reports read as the 2009 events.

Campaign events come from the email tracking reports of the campaign's primary_email
activity (`/reports/email_reports/{campaign_activity_id}/tracking/{type}`, 500 a page);
contact events from the contact activity report
(`/reports/contact_reports/{contact_id}/activity_details?tracking_activities_list=em_{type}`,
100 a page). Each event is a dict with exactly the legacy keys:
- id: a stable legacy-style URI. V3 events have no id, so it is built from what identifies
  the event: `.../campaigns/{campaign_id}/events/{type}/{contact_id},{epoch ms}` (clicks:
  `.../campaigns/{campaign_id}/events/urls/{url_id}/{contact_id},{epoch ms}`) and, as the
  2009 API did, `.../contacts/{contact_id}/events/{type}/{campaign_id},{n},{epoch ms}`. A
  second event with the same parts gets ",2", ",3"... appended.
- updated, event_time: the event's time (legacy format); contact_id, campaign: legacy URIs
  with V3 ids (the campaign named exactly as get_campaigns names it).
- contact events of type EVENTS_CLICKS also carry link_url, a string.
Campaign click events keep the legacy grouping: one dict per URL of the campaign
({'events', 'id', 'value', 'clicks'}), built from the links report plus one pass over the
clicks report instead of one report per URL.
"""
import re

from ..v3.errors import NotFoundError
from . import ids, shapes, timestamps
from .campaigns import campaign_of_activity, fetch_links, resolve_primary_activity, url_uri

# legacy EVENTS_* value -> V3 tracking report name (also the legacy URI path segment)
TRACKING = dict(shapes.EVENT_PATHS)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def get_campaign_events(ctx, campaign_id_number, event_type):
    kind = _event_path(ctx, event_type)
    campaign_id, activity_id = resolve_primary_activity(ctx, campaign_id_number)
    campaign_uri = ctx.uri("campaigns", campaign_id)
    if not activity_id:  # a campaign without a primary email has never been sent
        return []
    rows = ctx.client.paginate(f"/reports/email_reports/{activity_id}/tracking/{kind}",
                               "tracking_activities")
    event = _CampaignEvents(ctx, campaign_uri)
    if event_type != shapes.EVENTS_CLICKS:
        kind_uri = f"{campaign_uri}/events/{kind}/"
        return [event(row, kind_uri) for row in rows]
    # clicks: every URL of the campaign, each with the click events on it
    def new_group(url_id, link):
        uri = url_uri(campaign_uri, url_id)
        return {"link": link, "events": [], "id": uri, "prefix": uri + "/"}

    groups = {}
    for link in fetch_links(ctx, activity_id):
        url_id = str(link.get("url_id"))
        groups[url_id] = new_group(url_id, link)
    for row in rows:
        url_id = str(row.get("url_id"))
        group = groups.get(url_id)
        if group is None:  # a link the links report did not list: keep its clicks all the same
            group = groups[url_id] = new_group(url_id, {"url_id": url_id, "link_url": row.get("link_url")})
        group["events"].append(event(row, group["prefix"]))
    result = []
    for group in groups.values():
        link = group["link"]
        clicks = link.get("unique_clicks")
        result.append(shapes.make(
            shapes.CLICK_URL_GROUP,
            events=group["events"],
            id=group["id"],
            value=link.get("link_url"),
            clicks=str(clicks) if clicks is not None else str(len(group["events"])),
        ))
    return result


def get_contact_events(ctx, event_type, email=None, contact_id_number=None):
    kind = _event_path(ctx, event_type)
    if contact_id_number in (None, "") and not email:
        ctx.invalid("get_contact_events needs email= or contact_id_number=")
    known_email = None
    if contact_id_number not in (None, ""):  # the id wins when both are given, as before
        contact_id = ctx.v3_id("contacts", contact_id_number)
    else:
        if not isinstance(email, str) or not _EMAIL.match(email.strip()):
            ctx.invalid(f"invalid email address {email!r}")
        contact_id, known_email = _contact_by_email(ctx, email.strip())
    contact_uri = ctx.uri("contacts", contact_id)
    rows = list(ctx.client.paginate(
        f"/reports/contact_reports/{contact_id}/activity_details",
        "tracking_activities",
        params={"tracking_activities_list": f"em_{kind}", "include_campaign_activity_names": "false"},
    ))
    if not rows:
        return []
    if known_email is None:
        contact = ctx.client.get(f"/contacts/{contact_id}") or {}
        known_email = (contact.get("email_address") or {}).get("address")
    links = _ClickLinks(ctx, contact_id) if event_type == shapes.EVENTS_CLICKS else None
    event_ids = _EventIds()
    events = []
    for row in rows:
        campaign_id = campaign_of_activity(ctx, row.get("campaign_activity_id"))
        campaign_uri = ctx.uri("campaigns", campaign_id)
        when, stamp = timestamps.legacy_and_epoch_ms(row.get("created_time"))
        event_id = event_ids.make(f"{contact_uri}/events/{kind}/{campaign_id}", stamp, counter_always=True)
        values = dict(
            id=event_id,
            updated=when,
            event_time=when,
            contact_id=contact_uri,
            contact_email_address=row.get("email_address") or known_email,
            campaign=campaign_uri,
        )
        if links is None:
            events.append(shapes.make(shapes.EVENT, **values))
        else:
            events.append(shapes.make(shapes.CLICK_EVENT, link_url=links.url_for(row), **values))
    return events


# -- helpers -------------------------------------------------------------------------------

def _event_path(ctx, event_type):
    if isinstance(event_type, str) and event_type.strip().isdigit():
        event_type = int(event_type)
    if isinstance(event_type, bool) or event_type not in TRACKING:
        ctx.invalid(f"unknown event type {event_type!r} (use CTCTConnection.EVENTS_BOUNCES.."
                    "EVENTS_SENDS, 0..5)")
    return TRACKING[event_type]


class _CampaignEvents:
    """Builds one answer's campaign events (a report can hold tens of thousands, so what is
    the same for all of them, the URI prefixes, is worked out once)."""

    def __init__(self, ctx, campaign_uri):
        self._campaign_uri = campaign_uri
        self._contacts_uri = ids.legacy_uri(ctx.username, "contacts", "")  # ".../contacts/"
        self._ids = _EventIds()
        self._times = {}  # created_time -> (legacy time, epoch ms): a send's events share one

    def __call__(self, row, id_prefix):
        """The event for one tracking row; its id is `{id_prefix}{contact_id},{epoch ms}`."""
        contact_id = row.get("contact_id")
        created = row.get("created_time")
        times = self._times.get(created) if isinstance(created, str) else None
        if times is None:
            times = timestamps.legacy_and_epoch_ms(created)
            if isinstance(created, str):
                self._times[created] = times
        when, stamp = times
        return {  # exactly shapes.EVENT, in its order (tests hold the two together)
            "id": self._ids.make(f"{id_prefix}{contact_id}", stamp),
            "updated": when,
            "event_time": when,
            "contact_id": f"{self._contacts_uri}{contact_id}" if contact_id else None,
            "contact_email_address": row.get("email_address"),
            "campaign": self._campaign_uri,
        }


def _contact_by_email(ctx, email):
    """(contact_id, address) for an email address: one request, deleted contacts included
    (their events are still reported)."""
    body = ctx.client.get("/contacts", params={"email": email, "status": "all"}) or {}
    for contact in body.get("contacts") or []:
        address = (contact.get("email_address") or {}).get("address") or ""
        if address.lower() == email.lower():
            return contact["contact_id"], address
    raise NotFoundError(f"no contact with email address {email}", status=404, method="GET",
                        path="/contacts")


class _EventIds:
    """Legacy event URIs, unique within one answer: `{base},{epoch ms}` and, for a repeat,
    `,2`, `,3`... (`counter_always`: the 2009 contact form `{base},{n},{epoch ms}`)."""

    def __init__(self):
        self._seen = {}

    def make(self, base, stamp, counter_always=False):
        """The URI for an event at `stamp` (epoch ms, None when the time is unreadable)."""
        stamp = "" if stamp is None else stamp
        first = f"{base},{stamp}"  # also the key: one count per (base, time)
        n = self._seen.get(first, 0) + 1
        self._seen[first] = n
        if counter_always:
            return f"{base},{n},{stamp}"
        return first if n == 1 else f"{first},{n}"


class _ClickLinks:
    """link_url for a contact's click events. V3's contact activity report leaves it out (its
    spec lists no link fields), so when a row has none, the campaign activity's clicks
    report is read once per activity and each of the contact's clicks there supplies the
    link of the row with the same time (each click used once, so two clicks in the same
    minute get their two links)."""

    def __init__(self, ctx, contact_id):
        self.ctx = ctx
        self.contact_id = contact_id
        self._unused = {}

    def url_for(self, row):
        if row.get("link_url"):
            return str(row["link_url"])
        activity_id = row.get("campaign_activity_id")
        clicks = self._unused.get(activity_id)
        if clicks is None:  # [(time, click)], each click's time parsed once
            clicks = [
                (timestamps.parse(click.get("created_time")), click) for click in self.ctx.client.paginate(
                    f"/reports/email_reports/{activity_id}/tracking/clicks", "tracking_activities")
                if click.get("contact_id") == self.contact_id
            ]
            self._unused[activity_id] = clicks
        when = timestamps.parse(row.get("created_time"))
        for index, (clicked_at, click) in enumerate(clicks):
            if row.get("url_id") and str(click.get("url_id")) != str(row.get("url_id")):
                continue
            if clicked_at == when:
                return clicks.pop(index)[1].get("link_url")
        return None
