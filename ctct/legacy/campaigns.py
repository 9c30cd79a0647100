"""get_campaigns / get_campaign: V3 email campaigns read as the 2009 Campaign dicts.

A legacy campaign is, on V3, an EmailCampaign (`/emails/{campaign_id}`: name, status,
dates) plus its `primary_email` campaign activity (the lists it goes to), the stats reports
(the counters) and the activity's links report (the per-URL clicks). One id names it
everywhere: the V3 `campaign_id`, returned in the legacy URI form
`.../campaigns/{campaign_id}`.

Field mapping (documented for the README):
- status: Draft -> "Draft", Executing -> "Running", Done -> "Sent", Scheduled -> "Scheduled";
  other V3 words (Error) pass through; Removed campaigns are never listed.
- date, updated: the campaign's `updated_at`. The 2009 feeds carried the same instant in both
  (sending a campaign updated it), and V3 has no cheaper per-campaign send date.
- last_edit_date: `updated_at`; last_run_date: the latest `run_date` of the primary
  activity's send history (None when it was never sent).
- sent, opens, clicks, bounces, forwards, opt_outs, spam_reports: the campaign's em_sends,
  em_opens, em_clicks, em_bounces, em_forwards, em_optouts and em_abuse, as strings as the
  old client returned them ("0" for a campaign that was never sent). They are read from the
  activity stats report of the campaign's sent activities (primary email and resends, one
  request), which carries every counter, em_abuse included. With one sent activity (the
  usual case) its stats are the campaign's. Once a resend was sent too, the counters are
  unique recipients across the activities (a resend goes to contacts the primary was sent
  to), so summing would count them twice: they come from the campaign stats report (one more
  request), which has no em_abuse; that one is summed from the activities' stats.
- contact_lists: [{'id': list URI}] the lists it was sent to (send history), or for an unsent
  campaign the lists its primary activity targets.
- urls: [{'id': '.../campaigns/{campaign_id}/events/urls/{url_id}', 'value': link URL,
  'clicks': unique clicks as a string}] from the links report, unclicked links included.

Requests: get_campaigns makes one per 500 campaigns. get_campaign makes 2 for a campaign
that was never sent (the campaign, its primary activity) and 4 for a sent one (the campaign,
activity stats, links, send history), 5 once a resend was sent too (+ campaign stats); a V2
id adds one xref lookup the first time.
"""
from . import shapes, timestamps
from .memory import memory_for

V3_STATUSES = {
    shapes.CAMPAIGNS_DRAFT: "Draft",
    shapes.CAMPAIGNS_RUNNING: "Executing",
    shapes.CAMPAIGNS_SENT: "Done",
    shapes.CAMPAIGNS_SCHEDULED: "Scheduled",
}
LEGACY_STATUS = {"Draft": "Draft", "Executing": "Running", "Done": "Sent", "Scheduled": "Scheduled"}
HIDDEN_STATUSES = ("Removed",)
# Only these have been (or are being) sent, so only these have reports worth a request.
SENT_STATUSES = ("Done", "Executing")
# the campaign activities V3 reports on (a permalink is never sent)
REPORTED_ROLES = ("primary_email", "resend")

# legacy key -> V3 stats key
STAT_KEYS = (
    ("sent", "em_sends"),
    ("opens", "em_opens"),
    ("clicks", "em_clicks"),
    ("bounces", "em_bounces"),
    ("forwards", "em_forwards"),
    ("opt_outs", "em_optouts"),
    ("spam_reports", "em_abuse"),
)


def get_campaigns(ctx, type=shapes.CAMPAIGNS_ALL):
    """Every campaign of the given CAMPAIGNS_* type (all pages, Removed ones left out)."""
    wanted = _wanted_status(ctx, type)
    campaigns = []
    for campaign in ctx.client.paginate("/emails", "campaigns"):
        status = campaign.get("current_status")
        if status in HIDDEN_STATUSES or (wanted is not None and status != wanted):
            continue
        updated = timestamps.legacy(campaign.get("updated_at"))
        campaigns.append(shapes.make(
            shapes.CAMPAIGN_SUMMARY,
            id=ctx.uri("campaigns", campaign.get("campaign_id")),
            name=campaign.get("name"),
            status=legacy_status(status),
            date=updated,
            updated=updated,
        ))
    return campaigns


def get_campaign(ctx, campaign_id_number):
    """One campaign with its counters, lists and per-URL clicks."""
    campaign = load_campaign(ctx, campaign_id_number)
    campaign_id = campaign["campaign_id"]
    status = campaign.get("current_status")
    primary = primary_activity_id(ctx, campaign)
    campaign_uri = ctx.uri("campaigns", campaign_id)

    counts = {key: "0" for key, _ in STAT_KEYS}
    urls = []
    list_ids = []
    last_run = None
    if status in SENT_STATUSES and primary:
        counts = _stats(ctx, campaign)
        urls = [
            shapes.make(shapes.CAMPAIGN_URL, id=url_uri(campaign_uri, link.get("url_id")),
                        value=link.get("link_url"), clicks=_count(link.get("unique_clicks")))
            for link in fetch_links(ctx, primary)
        ]
        history = ctx.client.get(f"/emails/activities/{primary}/send_history") or []
        for send in history if isinstance(history, list) else []:
            for list_id in send.get("contact_list_ids") or []:
                if list_id not in list_ids:
                    list_ids.append(list_id)
            run = timestamps.parse(send.get("run_date"))
            if run and (last_run is None or run > last_run):
                last_run = run
    if not list_ids and primary:
        # never sent (or no send recorded yet): the lists it is set up to go to
        activity = ctx.client.get(f"/emails/activities/{primary}") or {}
        list_ids = list(activity.get("contact_list_ids") or [])

    updated = timestamps.legacy(campaign.get("updated_at"))
    return shapes.make(
        shapes.CAMPAIGN,
        id=campaign_uri,
        updated=updated,
        status=legacy_status(status),
        name=campaign.get("name"),
        date=updated,
        last_edit_date=updated,
        last_run_date=timestamps.legacy(last_run),
        contact_lists=[{"id": ctx.uri("lists", list_id)} for list_id in list_ids],
        urls=urls,
        **counts,
    )


# -- shared with events.py ------------------------------------------------------------------

def load_campaign(ctx, value):
    """The V3 EmailCampaign for any accepted campaign id form (and remember its activities)."""
    campaign_id = ctx.v3_id("campaigns", value)
    campaign = ctx.client.get(f"/emails/{campaign_id}") or {}
    campaign.setdefault("campaign_id", campaign_id)
    memory_for(ctx).remember_campaign(campaign)
    return campaign


def primary_activity_id(ctx, campaign):
    for ref in campaign.get("campaign_activities") or []:
        if ref.get("role") == "primary_email":
            return ref.get("campaign_activity_id")
    return None


def resolve_primary_activity(ctx, value):
    """(campaign_id, primary_email campaign_activity_id) for any campaign id form; the
    campaign is read once per connection (the pair never changes)."""
    campaign_id = ctx.v3_id("campaigns", value)
    memory = memory_for(ctx)
    with memory.lock:
        known = memory.primary_activity.get(campaign_id)
    if known:
        return campaign_id, known
    parsed = ctx.parse(value, "campaigns")
    lookup = getattr(ctx.resolver, "campaign_activity_ids", None)
    if parsed.form == "v2" and lookup is not None:
        # the xref that gave the campaign id also named its primary activity (cached)
        known = lookup([parsed.v2_number]).get(parsed.v2_number)
        if known:
            with memory.lock:
                memory.primary_activity[campaign_id] = known
                memory.campaign_of_activity[known] = campaign_id
            return campaign_id, known
    campaign = load_campaign(ctx, campaign_id)
    return campaign_id, primary_activity_id(ctx, campaign)


def campaign_of_activity(ctx, campaign_activity_id):
    """The campaign_id a campaign activity belongs to (one request per activity per
    connection, none when its campaign was already read)."""
    memory = memory_for(ctx)
    with memory.lock:
        known = memory.campaign_of_activity.get(campaign_activity_id)
    if known:
        return known
    activity = ctx.client.get(f"/emails/activities/{campaign_activity_id}") or {}
    campaign_id = activity.get("campaign_id")
    if campaign_id:
        with memory.lock:
            memory.campaign_of_activity[campaign_activity_id] = campaign_id
    return campaign_id


def fetch_links(ctx, campaign_activity_id):
    """The links report's rows, unclicked links included."""
    body = ctx.client.get(f"/reports/email_reports/{campaign_activity_id}/links",
                          params={"no_clicks": "true"}) or {}
    return body.get("link_click_counts") or []


def url_uri(campaign_uri, url_id):
    return f"{campaign_uri}/events/urls/{url_id}"


def legacy_status(v3_status):
    return LEGACY_STATUS.get(v3_status, v3_status)


# -- helpers -------------------------------------------------------------------------------

def _wanted_status(ctx, value):
    """The V3 status a CAMPAIGNS_* value selects (None: every status)."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not (
        shapes.CAMPAIGNS_ALL <= value <= shapes.CAMPAIGNS_SCHEDULED
    ):
        ctx.invalid(f"unknown campaign type {value!r} (use CTCTConnection.CAMPAIGNS_ALL.."
                    "CAMPAIGNS_SCHEDULED, 0..4)")
    return V3_STATUSES.get(value)


def _stats(ctx, campaign):
    """The legacy counters of a campaign, from the stats of its sent activities (one request
    for all of them). V3 reports no stats for an activity with no sends yet (an error entry):
    with none sent, the counters read "0". With exactly one sent activity its stats are the
    campaign's, em_abuse included. With more (a resend was sent), the unique-recipient
    counters come from the campaign stats report, and em_abuse, which that report lacks, is
    the activities' sum."""
    activity_ids = [ref.get("campaign_activity_id") for ref in campaign.get("campaign_activities") or []
                    if ref.get("role") in REPORTED_ROLES and ref.get("campaign_activity_id")]
    per_activity = ctx.client.get(f"/reports/stats/email_campaign_activities/{','.join(activity_ids)}") or {}
    sent = [dict(result.get("stats") or {}) for result in per_activity.get("results") or []]
    if not sent:
        return {key: "0" for key, _ in STAT_KEYS}
    if len(sent) == 1:
        stats = sent[0]
    else:
        stats = _campaign_stats(ctx, campaign["campaign_id"])
        if stats is None:
            return {key: "0" for key, _ in STAT_KEYS}
        if "em_abuse" not in stats:
            abuse = [s.get("em_abuse") for s in sent if isinstance(s.get("em_abuse"), int)]
            stats["em_abuse"] = sum(abuse)
    return {key: _count(stats.get(v3_key, 0)) for key, v3_key in STAT_KEYS}


def _campaign_stats(ctx, campaign_id):
    """The campaign stats report's counters (unique recipients over all its activities), or
    None when V3 has none."""
    body = ctx.client.get(f"/reports/stats/email_campaigns/{campaign_id}") or {}
    for result in body.get("results") or []:
        if result.get("campaign_id") in (campaign_id, None):
            return dict(result.get("stats") or {})
    return None


def _count(value):
    return None if value is None else str(value)
