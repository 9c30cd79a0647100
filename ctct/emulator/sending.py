"""Campaign statuses, schedules and sends: what happens when a campaign activity goes out.

A send turns the activity's contact lists into one `em_sends` tracking event per eligible
recipient (members who are not deleted or unsubscribed and were not sent it before), so the
reports read the very events the send produced. Scheduled sends run lazily: every email and
report request first runs the sends whose date has passed (`run_due`).
"""
import secrets

from . import isotime, tracking
from .contact_index import MAILABLE

SCHEDULES_KEY = "email_schedules"  # {campaign_activity_id: {scheduled_date, previous_status}}
HISTORY_KEY = "email_send_history"  # {campaign_activity_id: [EmailSendHistory item]}

# activity status (upper case, V3's activity spelling) -> campaign status (mixed case)
CAMPAIGN_STATUS = {"DRAFT": "Draft", "SCHEDULED": "Scheduled", "EXECUTING": "Executing",
                   "DONE": "Done", "ERROR": "Error", "REMOVED": "Removed"}
ACTIVITY_STATUS = {v: k for k, v in CAMPAIGN_STATUS.items()}

SCHEDULABLE = ("DRAFT", "DONE", "ERROR")
NO_ELIGIBLE_CONTACTS = 12  # V3 send_history reason_code: sent to nobody


def schedules(store):
    return store.extra.setdefault(SCHEDULES_KEY, {})


def send_history(store, campaign_activity_id):
    return store.extra.get(HISTORY_KEY, {}).get(campaign_activity_id, [])


def set_status(store, activity, status, when=None):
    """Move a primary_email activity (and its campaign and permalink) to `status`."""
    when = when or isotime.format_utc(isotime.now())
    campaign = store.emails.get(activity["campaign_id"])
    for ref in (campaign or {}).get("campaign_activities", [activity]):
        sibling = store.campaign_activities.get(ref["campaign_activity_id"])
        if sibling is not None and sibling["role"] in ("primary_email", "permalink"):
            sibling["current_status"] = status
    activity["current_status"] = status
    if campaign is not None:
        campaign["current_status"] = CAMPAIGN_STATUS[status]
        campaign["updated_at"] = when


def schedule(store, activity, scheduled_date):
    """Hold the activity until `scheduled_date` (V3 form); run_due sends it then."""
    schedules(store)[activity["campaign_activity_id"]] = {
        "scheduled_date": scheduled_date, "previous_status": activity["current_status"]}
    set_status(store, activity, "SCHEDULED")


def unschedule(store, activity):
    entry = schedules(store).pop(activity["campaign_activity_id"], None)
    previous = (entry or {}).get("previous_status") or "DRAFT"
    set_status(store, activity, previous)


def scheduled_date(store, activity):
    entry = schedules(store).get(activity["campaign_activity_id"])
    return entry["scheduled_date"] if entry else None


def run_due(store, now=None):
    """Send every scheduled activity whose date has come (at its scheduled date)."""
    pending = store.extra.get(SCHEDULES_KEY)
    if not pending:
        return
    now = now or isotime.format_utc(isotime.now())
    for caid, entry in sorted(pending.items(), key=lambda item: item[1]["scheduled_date"]):
        if entry["scheduled_date"] <= now:
            del pending[caid]
            activity = store.campaign_activities.get(caid)
            if activity is not None and activity["current_status"] == "SCHEDULED":
                send(store, activity, entry["scheduled_date"])


def eligible(contact):
    """Whether V3 would send to this contact: not deleted, with an address it may mail
    (explicit, implicit or pending_confirmation; not unsubscribed, temp_hold or not_set)."""
    if contact is None or contact.get("deleted_at"):
        return False
    email = contact.get("email_address") or {}
    return bool(email.get("address")) and email.get("permission_to_send") in MAILABLE


def recipients(store, activity):
    """Contacts the activity would go to now, in list order, without those already sent it."""
    from .api.contacts import list_member_ids  # the contacts area owns list membership

    already = tracking.index(store, activity["campaign_activity_id"]).contacts_sent()
    seen = set()
    out = []
    for list_id in activity.get("contact_list_ids") or []:
        if list_id not in store.contact_lists:
            continue
        for contact_id in list_member_ids(store, list_id):
            if contact_id in seen or contact_id in already:
                continue
            seen.add(contact_id)
            contact = store.contacts.get(contact_id)
            if eligible(contact):
                out.append(contact)
    return out


def contact_event(contact, kind, created_time, **fields):
    """A tracking event for `contact` in the stored shape."""
    event = {
        "contact_id": contact["contact_id"],
        "email_address": (contact.get("email_address") or {}).get("address"),
        "first_name": contact.get("first_name"),
        "last_name": contact.get("last_name"),
        "tracking_activity_type": kind,
        "created_time": created_time,
    }
    event.update({k: v for k, v in fields.items() if v is not None})
    return event


def send(store, activity, when):
    """Send the activity at `when` (V3 timestamp) to its lists' eligible members."""
    contacts = recipients(store, activity)
    tracking.record(store, activity["campaign_activity_id"],
                    [contact_event(c, tracking.SENDS, when) for c in contacts])
    finish_send(store, activity, when, len(contacts))
    return len(contacts)


def finish_send(store, activity, when, count):
    """What follows the sends: the links get url_ids, a send_history entry, status DONE."""
    caid = activity["campaign_activity_id"]
    for url in tracking.links_in_html(activity.get("html_content")):
        tracking.url_id_for(store, caid, url)
    history = store.extra.setdefault(HISTORY_KEY, {}).setdefault(caid, [])
    history.append({
        "send_id": len(history) + 1,
        "contact_list_ids": list(activity.get("contact_list_ids") or []),
        "segment_ids": list(activity.get("segment_ids") or []),
        "count": count,
        "run_date": when,
        "send_status": "COMPLETED",
        "reason_code": 0 if count else NO_ELIGIBLE_CONTACTS,
    })
    if not activity.get("permalink_url"):
        activity["permalink_url"] = "https://conta.cc/" + secrets.token_urlsafe(6)[:7]
    set_status(store, activity, "DONE", when=when)
