"""Telling a payload's kind from what it holds: the root element, the first entry's body
element and, where those leave it open (events, empty feeds), the URIs it names."""
import re

from . import names

_EVENTS_OF = (
    (re.compile(r"/contacts/[^/]+/events(/|$)"), "contact_events"),
    (re.compile(r"/campaigns/[^/]+/events(/|$)"), "campaign_events"),
    (re.compile(r"/events/summary(/|$)"), "contact_events"),
)

# Collection paths (after /ws/customers/{user}/) -> the kind of a feed of them; first match wins.
_FEED_OF = (
    (re.compile(r"/lists/[^/?]+/members(/|\?|$)"), "list_members"),
    (re.compile(r"/contacts/[^/?]+/events(/|\?|$)"), "contact_events"),
    (re.compile(r"/campaigns/[^/?]+/events(/|\?|$)"), "campaign_events"),
    (re.compile(r"/lists(/|\?|$)"), "contact_lists"),
    (re.compile(r"/contacts(/|\?|$)"), "contacts"),
    (re.compile(r"/campaigns(/|\?|$)"), "campaigns"),
    (re.compile(r"/activities(/|\?|$)"), "activities"),
    (re.compile(r"/settings/emailaddresses(/|\?|$)"), "email_addresses"),
)


def events_kind(uris):
    """contact_events or campaign_events, from the first URI that names either; None if none does."""
    for uri in uris:
        if not uri:
            continue
        for pattern, kind in _EVENTS_OF:
            if pattern.search(uri):
                return kind
    return None


def kind_of_body(body_name, is_feed, uris):
    """The kind of a payload whose (first) entry has a body element `body_name`; None when the
    element is not a V2 one. `uris` are the ids seen so far (feed id, entry id, body id)."""
    if body_name == names.SUMMARY_ELEMENT:
        return "contact_events"
    if body_name in names.EVENT_ELEMENT_NAMES:
        return events_kind(uris) or "campaign_events"
    kinds = names.BODY_KINDS.get(body_name)
    if kinds is None:
        return None
    return kinds[0] if is_feed else kinds[1]


def kind_of_uri(uri):
    """The kind of a feed whose id (or self link) is `uri`, or None."""
    if not uri:
        return None
    for pattern, kind in _FEED_OF:
        if pattern.search(uri):
            return kind
    return None
