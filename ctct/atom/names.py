"""The V2 vocabulary: namespaces, payload kinds, and which V2 element feeds which legacy key.

Field tables list (legacy key, V2 element) pairs in the order the old API wrote the elements,
so the reader and the writer share one definition.
"""
import re

from ..legacy import shapes

ATOM = "http://www.w3.org/2005/Atom"
CTCT = "http://ws.constantcontact.com/ns/1.0/"
APP = "http://www.w3.org/2007/app"
CONTENT_TYPE = "application/vnd.ctct+xml"

ORIGIN = "http://api.constantcontact.com"
NO_ID = "data:,none"  # the atom:id of a create body (no resource yet)

# The kinds of the public interface, plus the account e-mail addresses (`/settings/
# emailaddresses`), which the old client never read but captured payloads contain.
KINDS = (
    "service", "contact_lists", "contact_list", "list_members", "contacts", "contact",
    "contact_events", "campaigns", "campaign", "campaign_events", "activities", "activity",
    "email_addresses", "email_address",
)
FEED_KINDS = frozenset(
    ("contact_lists", "list_members", "contacts", "contact_events", "campaigns", "campaign_events",
     "activities", "email_addresses"))
ENTRY_KINDS = frozenset(("contact_list", "contact", "campaign", "activity", "email_address"))
EVENT_KINDS = frozenset(("contact_events", "campaign_events"))

# V2 body element -> (kind of a feed of them, kind of a single entry of it)
BODY_KINDS = {
    "ContactList": ("contact_lists", "contact_list"),
    "ContactListMember": ("list_members", "list_members"),
    "Contact": ("contacts", "contact"),
    "Campaign": ("campaigns", "campaign"),
    "Activity": ("activities", "activity"),
    "Email": ("email_addresses", "email_address"),
}
SUMMARY_ELEMENT = "ReportsSummary"
EVENT_ELEMENT_NAMES = frozenset(shapes.EVENT_ELEMENTS.values()) | {"OptoutEvent"}  # [php] spelling
EVENT_ELEMENT_BY_PATH = {path: shapes.EVENT_ELEMENTS[code] for code, path in shapes.EVENT_PATHS.items()}
CLICK_ELEMENT = shapes.EVENT_ELEMENTS[shapes.EVENTS_CLICKS]

# The body element each kind is written with (events are chosen per item).
KIND_BODY = {}
for _element, (_feed_kind, _entry_kind) in BODY_KINDS.items():
    KIND_BODY[_feed_kind] = _element
    KIND_BODY[_entry_kind] = _element

# The collection path segment of each kind's resources, for feed ids and kind detection.
KIND_COLLECTION = {
    "contact_lists": "lists", "contact_list": "lists", "list_members": "members",
    "contacts": "contacts", "contact": "contacts", "campaigns": "campaigns", "campaign": "campaigns",
    "activities": "activities", "activity": "activities",
    "email_addresses": "settings/emailaddresses", "email_address": "settings/emailaddresses",
}


def snake(element_name):
    """`OptInDefault` -> `opt_in_default`, `CustomField12` -> `custom_field12`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", element_name).lower()


def _text_fields(names):
    return tuple((snake(name), name) for name in names.split())


# Plain text fields of each body (id, updated and structured fields are handled apart).
TEXT_FIELDS = {
    "contact_lists": _text_fields("Name"),
    "contact_list": _text_fields("OptInDefault Name ShortName SortOrder"),
    "list_members": _text_fields("EmailAddress Name"),
    "contacts": _text_fields("Status EmailAddress EmailType Name OptInTime OptInSource"),
    "contact": _text_fields(
        "Status EmailAddress EmailType Name FirstName MiddleName LastName JobTitle CompanyName "
        "HomePhone WorkPhone Addr1 Addr2 Addr3 City StateCode StateName CountryCode CountryName "
        "PostalCode SubPostalCode Note " + " ".join(f"CustomField{n}" for n in range(1, 16))),
    "contact_tail": _text_fields("Confirmed InsertTime LastUpdateTime"),  # after ContactLists
    "campaigns": _text_fields("Name Status Date"),
    "campaign": _text_fields(
        "Name Status Date LastEditDate LastRunDate Sent Opens Clicks Bounces Forwards OptOuts SpamReports"),
    "activity_head": _text_fields("Type Status"),  # before Errors
    "activity_tail": _text_fields("FileName TransactionCount RunStartTime RunFinishTime InsertTime"),
    "activity_error": _text_fields("LineNumber EmailAddress Message"),
    "email_address": _text_fields("EmailAddress Status VerifiedTime"),
    "summary_counts": _text_fields("Opens Clicks Forwards"),
}
URL_FIELDS = (("value", "Value"), ("clicks", "Clicks"))

# Shapes of the kinds the old client never returned (documented in ctct/atom/__init__.py).
SERVICE_COLLECTION = ("title", "href", "accept", "workspace")
EVENTS_SUMMARY = shapes.EVENT + ("campaign_name", "opens", "clicks", "forwards")
EMAIL_ADDRESS = ("id", "updated", "email_address", "status", "verified_time")

KIND_SHAPE = {
    "service": SERVICE_COLLECTION,
    "contact_lists": shapes.LIST_SUMMARY,
    "contact_list": shapes.LIST,
    "list_members": shapes.LIST_MEMBER,
    "contacts": shapes.CONTACT_SUMMARY,
    "contact": shapes.CONTACT,
    "campaigns": shapes.CAMPAIGN_SUMMARY,
    "campaign": shapes.CAMPAIGN,
    "activities": shapes.ACTIVITY,
    "activity": shapes.ACTIVITY,
    "email_addresses": EMAIL_ADDRESS,
    "email_address": EMAIL_ADDRESS,
    # events: shapes.EVENT, shapes.CLICK_EVENT or EVENTS_SUMMARY, per item
}


def event_shape(body_name):
    if body_name == SUMMARY_ELEMENT:
        return EVENTS_SUMMARY
    if body_name == CLICK_ELEMENT:
        return shapes.CLICK_EVENT
    return shapes.EVENT


def local(tag):
    """The local part of a Clark-notation tag; None for comments, PIs and entities."""
    if not isinstance(tag, str):
        return None
    return tag[tag.rfind("}") + 1:]


def namespace(tag):
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:tag.index("}")]
    return ""
