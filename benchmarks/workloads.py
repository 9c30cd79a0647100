"""The workloads of issue #8: sizes, what each asks for, and its request floor.

The floor of a workload is the fewest requests V3 allows for the job, derived from V3's
page sizes and batch limits (the numbers below, from V3's API description). Each `floor_*`
function says how it is derived, so a reader can check it without running anything.
"""
import json
import math
from dataclasses import dataclass, field

from . import seeds

# V3 limits the floors are derived from
CONTACTS_PAGE = 500  # GET /contacts?limit= at most 500
CUSTOM_FIELDS_PAGE = 100  # GET /contact_custom_fields?limit= at most 100
TRACKING_PAGE = 500  # GET /reports/email_reports/{id}/tracking/{type}?limit= at most 500
IMPORT_MAX_ROWS = 40_000  # POST /activities/contacts_json_import: contacts per request
IMPORT_MAX_BYTES = 4_000_000  # ... and "less than 4 MB" per request
XREF_BATCH = 500  # GET /contacts/contact_id_xrefs?sequence_ids= at most 500 ids
ACTIVITY_STEPS = 2  # the emulator's reads of an activity until it completes (see ctct/emulator/jobs.py)
MAX_POLLS = 20


@dataclass(frozen=True)
class Size:
    contacts: int  # workload 1 (and the account of 2, 3, 5)
    lookups: int  # workload 2
    updates: int  # workload 3
    import_rows: int  # workload 4
    sends: int  # workload 5
    xref_ids: int  # workload 6 (stored ids, 20% duplicates, 1% unknown to V3)
    atom_mb: float  # workload 7
    throughput_requests: int  # emulator loopback benchmark: requests per measurement
    import_runs: int  # python -X importtime runs per module (the median is kept)
    repeats: int  # runs of each read-only job (1, 2a, 2b, 5) per side; the median time is kept
    import_repeats: int  # runs of workload 4 per side, each importing its own fresh rows
    throughput_rounds: int  # rounds of the loopback benchmark; the median is kept


SIZES = {
    "full": Size(contacts=10_000, lookups=500, updates=200, import_rows=50_000, sends=5_000,
                 xref_ids=100_000, atom_mb=50, throughput_requests=5_000, import_runs=7, repeats=5,
                 import_repeats=3, throughput_rounds=3),
    # CI: every code path once, in seconds (still more than one page of contacts and events)
    "smoke": Size(contacts=600, lookups=8, updates=4, import_rows=300, sends=520,
                  xref_ids=1_000, atom_mb=0.5, throughput_requests=200, import_runs=1, repeats=1,
                  import_repeats=1, throughput_rounds=1),
}


@dataclass
class Plan:
    """What the account holds and what each job asks for (filled in by `build`)."""

    size: Size
    seed: dict
    contacts: int
    addresses: tuple = ()  # workload 2
    update_addresses: tuple = ()  # workload 3
    list_ids: tuple = ()  # workload 4: the two target lists (V3 ids)
    rows: list = field(default_factory=list)  # workload 4, set per run
    campaign_id: str = ""  # workload 5
    event_counts: dict = field(default_factory=dict)
    links: int = len(seeds.LINKS)
    max_polls: int = MAX_POLLS


def build(size):
    """The seed of the account for workloads 1-5 and the plan of each."""
    seed = seeds.account(size.contacts, newsletter=size.sends)
    campaign = seeds.sent_campaign(size.sends)
    seed["emails"] = [campaign]
    counts = seeds.event_counts(campaign)
    event_counts = {
        "bounces": counts.get("em_bounces", 0), "clicks": counts.get("em_clicks", 0),
        "forwards": counts.get("em_forwards", 0), "opens": counts.get("em_opens", 0),
        "opt_outs": counts.get("em_optouts", 0), "sends": size.sends,
    }
    return Plan(size=size, seed=seed, contacts=size.contacts,
                addresses=tuple(seeds.email_of(n) for n in spread(size.contacts, size.lookups)),
                update_addresses=tuple(seeds.email_of(n) for n in spread(size.contacts, size.updates)),
                event_counts=event_counts)


def spread(total, count):
    """`count` contact numbers spread over 0..total-1, even and odd ones alternating (only
    even contacts carry custom fields), the first of them the last contact (so a scan for
    them must read to the last page)."""
    if count >= total:
        return list(range(total))
    step = total / count
    numbers = set()
    for i in range(count):
        number = total - 1 - int(i * step)
        if step >= 2 and i and number % 2 != i % 2:
            number -= 1  # alternate parity (the first stays the last contact)
        numbers.add(number)
    return sorted(numbers)


def import_rows(prefix, count):
    return [[f"{prefix}{n:06d}@example.com", f"Imported{n}", f"Person{n}"] for n in range(count)]


# -- floors ------------------------------------------------------------------------------------

def floor_list_contacts(contacts):
    """Every contact, 500 a page, plus one read of the custom field definitions: V3 contacts
    name their custom fields by id only, and the legacy dict names them (custom_field1..15)
    by their labels (an account has far fewer than 100 definitions: one page)."""
    return math.ceil(contacts / CONTACTS_PAGE) + 1


def floor_lookups(lookups):
    """One filtered listing per address (V3's `email` filter takes one address, and each
    get_contact call stands alone), plus the one definitions read."""
    return lookups + 1


def floor_query(lookups, contacts):
    """Reading every page, or one filtered listing per address, whichever is fewer (the last
    address is on the last page), plus the one definitions read."""
    return min(lookups, math.ceil(contacts / CONTACTS_PAGE)) + 1


def floor_updates(updates):
    """Two per contact: V3's PUT /contacts/{id} replaces the core properties it is not given,
    so changing one field needs the current record first (the only partial update,
    POST /contacts/sign_up_form, also re-opts the contact in: not "nothing else changed").
    The custom fields travel by id in the PUT, so no definitions read is needed."""
    return 2 * updates


def floor_import(rows, list_ids):
    """As few JSON imports as the two per-request limits allow: 40,000 rows and less than
    4 MB each (sizes as json.dumps sends them). Polls for completion are counted apart."""
    envelope = len(json.dumps({"import_data": [], "list_ids": list(list_ids)}))
    body = sum(len(json.dumps({"email": r[0], "first_name": r[1], "last_name": r[2]})) + 2 for r in rows)
    return max(math.ceil(len(rows) / IMPORT_MAX_ROWS), math.ceil((envelope + body) / IMPORT_MAX_BYTES))


def floor_report(event_counts):
    """The campaign (1); its primary activity's stats (1: every legacy counter, the spam
    count included; the campaign-level stats report has no em_abuse and adds nothing for a
    campaign without a resend); its links report (1: per-URL clicks, and the URL groups of
    the click events); its send history (1: lists sent to, last run date); then each of the
    six tracking reports, 500 events a page (an empty report still costs its one request).
    The one links read serves two legacy calls (get_campaign's urls and the URL groups of
    get_campaign_events(EVENTS_CLICKS)): this is V3's floor for the whole report read by one
    program, as the SDK side reads it. Seven legacy calls, each standing alone with fresh
    report data (nothing kept between calls), need one more links read: 5 + the pages."""
    return 4 + sum(max(1, math.ceil(n / TRACKING_PAGE)) for n in event_counts.values())


def floor_xrefs(unique_ids):
    """Each distinct V2 id once, 500 per xref request (the warm rerun: 0, from the cache)."""
    return math.ceil(unique_ids / XREF_BATCH)
