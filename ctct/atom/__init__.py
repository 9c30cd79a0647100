"""ctct.atom: read and write the V2 ("Web Services", 2008-2013) Atom/XML payloads.

    from ctct import atom
    parsed = atom.parse(data)            # bytes or str
    parsed.kind, parsed.items, parsed.next, parsed.warnings
    atom.render("contacts", items, next=None)      # -> bytes
    for item in atom.iterparse("big-feed.xml"):    # constant memory
        ...
    seed = atom.to_seed("captured/")               # -> Emulator(seed=seed)
    atom.parse_activity_form(body)                 # -> create_activity(**...) arguments

Kinds (`atom.KINDS`): "service", "contact_lists", "contact_list", "list_members", "contacts",
"contact", "contact_events", "campaigns", "campaign", "campaign_events", "activities",
"activity", and two the old client never read: "email_addresses" / "email_address" (the
account's `/settings/emailaddresses`). The kind is told from the payload (root element, the
body element of the first entry, and for events and empty feeds the URIs it names); `kind=`
forces it.

Items are the dicts the 2009 `CTCTConnection` methods return, keys from
`ctct.legacy.shapes`, every value text (or None where the element is missing, "" where it is
empty): a feed gives one item per entry, a single entry one item. Decisions where the old
client gave no answer or a broken one:
  - contact_lists: every list in the feed, the system lists (active, do-not-mail, removed)
    included; `get_contact_lists()` leaves those out, the codec does not drop data.
  - contact: `contact_lists` holds the list URIs as `ctct.legacy.refs.ListRef` (a str, so
    2009 code comparing strings works, that also answers `ref["id"]` as the README's code
    expects); campaign `contact_lists` are `{"id": uri}` dicts as `get_campaign()` gave.
  - activities and activity: `errors` is a list of {line_number, email_address, message} for
    both (the 2009 `get_activities()` returned the <Errors> element's whitespace text).
  - events: `shapes.EVENT`; click events (`ClickEvent`) add `link_url` as a string (the 2009
    code wrapped it in a 1-tuple by accident). The opt-out element is read under both of its
    spellings (OptOutEvent, OptoutEvent).
  - the contact events summary (`/contacts/{id}/events/summary`, `ReportsSummary`) is kind
    "contact_events" with items of `EVENTS_SUMMARY`: the EVENT keys (event_time None, the
    summary has none) plus campaign_name, opens, clicks, forwards.
  - service: one item per collection, {title, href, accept: [media types], workspace: title}.
  - email_address(es): {id, updated, email_address, status, verified_time}.
  - ids: an item's id is its atom:id, except where the payload left that missing, garbled or
    set to the collection URI (the docs' campaign and event samples do) and the body's `id`
    attribute names the resource; `data:,none` (a create body) reads as None.

Tolerance: every problem that was worked around is logged once per payload at WARNING on
logging.getLogger("ctct") and listed in `.warnings`. A strict read comes first; a feed cut
short keeps its complete entries; text after the root is ignored; otherwise the text is
repaired (undeclared HTML entities, bare '&' and '<', bytes that are not UTF-8 read as
Windows-1252, spaces in namespace URIs, HTML residue copied from the docs' pages) and read
strictly again, and lxml's recover mode is the last resort. Elements are found by local name,
so missing or wrong namespaces and differently-cased element names still read. Input nothing
can be read from raises one `AtomError` with `.kind` and `.position` (line, column).

Safety: no DTD is loaded, no entity resolved, no network touched; a DOCTYPE with an internal
subset or an external identifier is refused before parsing (entity bombs, XXE); `parse()`
refuses payloads over `max_bytes` (MAX_PARSE_BYTES, 100 MiB) before reading them, and
`iterparse()` keeps memory flat for any number of entries. `render()` builds an lxml tree, so
every value is escaped and reads back verbatim.
"""
from .errors import AtomError
from .forms import parse_activity_form
from .iterate import AtomStream, iterparse
from .load import Parsed, parse
from .names import EMAIL_ADDRESS, EVENTS_SUMMARY, KINDS, SERVICE_COLLECTION
from .safety import MAX_PARSE_BYTES
from .seed import to_seed
from .write import render

__all__ = [
    "AtomError", "AtomStream", "EMAIL_ADDRESS", "EVENTS_SUMMARY", "KINDS", "MAX_PARSE_BYTES", "Parsed",
    "SERVICE_COLLECTION", "iterparse", "parse", "parse_activity_form", "render", "to_seed",
]
