"""The legacy dict shapes, defined once.

Each tuple is the exact key set (in the 2009 client's order) of the dicts a legacy
`CTCTConnection` method returns. The adapters build their results with `make()` and the
Atom codec reads and writes the same shapes, so the two can never drift apart.
"""

LIST_SUMMARY = ("id", "name", "updated")  # get_contact_lists
LIST = ("id", "updated", "name", "opt_in_default", "short_name", "sort_order")  # get_contact_list
LIST_MEMBER = ("id", "name", "email_address", "updated")  # get_contact_list_members

CONTACT_SUMMARY = (  # get_contacts, query_contacts
    "id", "status", "email_address", "email_type", "name", "opt_in_time", "opt_in_source", "updated",
)

CUSTOM_FIELD_KEYS = tuple(f"custom_field{n}" for n in range(1, 16))

CONTACT = (  # get_contact
    "id", "updated", "status", "email_address", "email_type", "name", "first_name", "middle_name",
    "last_name", "job_title", "company_name", "home_phone", "work_phone", "addr1", "addr2", "addr3",
    "city", "state_code", "state_name", "country_code", "country_name", "postal_code",
    "sub_postal_code", "note",
) + CUSTOM_FIELD_KEYS + ("contact_lists", "confirmed", "insert_time", "last_update_time")

# Keys a caller may set through create_contact / update_contact.
CONTACT_WRITABLE = (
    "email_address", "email_type", "name", "first_name", "middle_name", "last_name", "job_title",
    "company_name", "home_phone", "work_phone", "addr1", "addr2", "addr3", "city", "state_code",
    "state_name", "country_code", "country_name", "postal_code", "sub_postal_code", "note",
) + CUSTOM_FIELD_KEYS + ("contact_lists", "opt_in_source", "status")

EVENT = ("id", "updated", "event_time", "contact_id", "contact_email_address", "campaign")
CLICK_EVENT = EVENT + ("link_url",)
CLICK_URL_GROUP = ("events", "id", "value", "clicks")  # get_campaign_events(..., EVENTS_CLICKS)

CAMPAIGN_SUMMARY = ("id", "name", "status", "date", "updated")  # get_campaigns
CAMPAIGN_URL = ("id", "value", "clicks")
CAMPAIGN = (  # get_campaign
    "id", "updated", "status", "name", "date", "last_edit_date", "last_run_date", "sent", "opens",
    "clicks", "bounces", "forwards", "opt_outs", "spam_reports", "contact_lists", "urls",
)

ACTIVITY_ERROR = ("line_number", "email_address", "message")
ACTIVITY = (  # get_activities, get_activity
    "id", "updated", "type", "status", "errors", "file_name", "transaction_count", "run_start_time",
    "run_finish_time", "insert_time",
)


def make(shape, **values):
    """A dict with exactly the keys of `shape` (missing ones None). Unknown keys are a bug."""
    unknown = set(values) - set(shape)
    if unknown:
        raise KeyError(f"not part of this legacy shape: {sorted(unknown)}")
    return {key: values.get(key) for key in shape}


# The legacy event-type enum (CTCTConnection.EVENTS_*) and campaign-type enum (CAMPAIGNS_*).
EVENTS_BOUNCES, EVENTS_CLICKS, EVENTS_FORWARDS, EVENTS_OPENS, EVENTS_OPT_OUTS, EVENTS_SENDS = range(6)
CAMPAIGNS_ALL, CAMPAIGNS_DRAFT, CAMPAIGNS_RUNNING, CAMPAIGNS_SENT, CAMPAIGNS_SCHEDULED = range(5)

# V2 Atom element names of each event type (the codec and the adapters both use them).
EVENT_ELEMENTS = {
    EVENTS_BOUNCES: "BounceEvent",
    EVENTS_CLICKS: "ClickEvent",
    EVENTS_FORWARDS: "ForwardEvent",
    EVENTS_OPENS: "OpenEvent",
    EVENTS_OPT_OUTS: "OptOutEvent",
    EVENTS_SENDS: "SentEvent",
}
EVENT_PATHS = {
    EVENTS_BOUNCES: "bounces",
    EVENTS_CLICKS: "clicks",
    EVENTS_FORWARDS: "forwards",
    EVENTS_OPENS: "opens",
    EVENTS_OPT_OUTS: "optouts",
    EVENTS_SENDS: "sends",
}
