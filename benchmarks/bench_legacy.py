"""The workloads as a 2009 `CTCTConnection` user writes them, run by ctct on V3.

Each function takes the running emulator, a `Meter` and the workload's `Plan` (what was
seeded and what to ask for), runs the job on a fresh connection (so per-connection caches
start cold, as in a new script) and returns a `Side`. Every job checks its own answer:
a fast wrong answer must fail, not be reported.
"""
from ctct import CTCTConnection

from .measure import Side

CHANGED_FIELD = "job_title"
NEW_VALUE = "Director"
# legacy keys that carry the time of the last change (expected to move on an update)
LEGACY_UPDATE_STAMPS = ("updated", "last_update_time")
# V3 keys an update is allowed to change besides the field itself
V3_UPDATE_STAMPS = ("updated_at",)


def connect(emu):
    """A connection to the emulator: no client-side pacing, errors raised (strict)."""
    return CTCTConnection("benchmark", "benchmark", None, access_token=emu.access_token,
                          base_url=emu.base_url, rate_limit=None, strict=True)


def contact_uri(v3_id):
    return f"{CTCTConnection.API_BASE_URL}benchmark/contacts/{v3_id}"


def list_uri(v3_id):
    return f"{CTCTConnection.API_BASE_URL}benchmark/lists/{v3_id}"


def campaign_uri(v3_id):
    return f"{CTCTConnection.API_BASE_URL}benchmark/campaigns/{v3_id}"


class WrongAnswer(AssertionError):
    """A job returned something other than what the seeded account holds."""


def expect(condition, message):
    if not condition:
        raise WrongAnswer(message)


# -- 1. get_contacts ---------------------------------------------------------------------------

def list_all_contacts(emu, meter, plan):
    side = Side()
    with connect(emu) as conn, meter.job(side):
        contacts = conn.get_contacts()
    expect(len(contacts) == plan.contacts, f"get_contacts returned {len(contacts)} of {plan.contacts} contacts")
    side.extra["contacts"] = len(contacts)
    return side


# -- 2. lookups by email -----------------------------------------------------------------------

def get_contact_by_email(emu, meter, plan):
    side = Side()
    found = []
    with connect(emu) as conn, meter.job(side):
        for address in plan.addresses:
            found.append(conn.get_contact(email=address))
    expect([c["email_address"] for c in found] == list(plan.addresses), "get_contact answered other contacts")
    expect(all(c.get("custom_field1") for c in found if int(c["first_name"][5:]) % 2 == 0),
           "custom fields missing from get_contact")
    side.extra["contacts"] = len(found)
    return side


def query_contacts(emu, meter, plan):
    side = Side()
    with connect(emu) as conn, meter.job(side):
        found = conn.query_contacts(list(plan.addresses))
    expect(sorted(c["email_address"] for c in found) == sorted(plan.addresses),
           f"query_contacts found {len(found)} of {len(plan.addresses)} addresses")
    side.extra["contacts"] = len(found)
    return side


# -- 3. update one field -----------------------------------------------------------------------

def update_one_field(emu, meter, plan):
    """update_contact({'job_title': ...}) on each address; then proves that nothing but that
    field and the update timestamps changed, twice: in the legacy view (get_contact before
    and after, on another connection whose requests are not counted) and in the V3 record
    the emulator stores (every property and subresource)."""
    with connect(emu) as verifier:
        before = {a: verifier.get_contact(email=a) for a in plan.update_addresses}
    stored_before = {a: _stored(emu, a) for a in plan.update_addresses}
    expect(all(c[CHANGED_FIELD] != NEW_VALUE for c in before.values()), "the field already has the new value")

    side = Side()
    with connect(emu) as conn, meter.job(side):
        for address in plan.update_addresses:
            conn.update_contact({CHANGED_FIELD: NEW_VALUE}, email=address)

    with connect(emu) as verifier:
        after = {a: verifier.get_contact(email=a) for a in plan.update_addresses}
    legacy_diffs = set()
    v3_diffs = set()
    for address in plan.update_addresses:
        old, new = before[address], after[address]
        expect(new[CHANGED_FIELD] == NEW_VALUE, f"{address}: {CHANGED_FIELD} not updated")
        legacy_diffs.update(k for k in old if old[k] != new[k])
        v3_diffs.update(_differences(stored_before[address], _stored(emu, address)))
    unexpected_legacy = legacy_diffs - {CHANGED_FIELD, *LEGACY_UPDATE_STAMPS}
    unexpected_v3 = {path for path in v3_diffs if not _allowed_v3_change(path)}
    expect(not unexpected_legacy, f"update_contact changed legacy fields {sorted(unexpected_legacy)}")
    expect(not unexpected_v3, f"update_contact changed V3 properties {sorted(unexpected_v3)}")
    side.extra.update(contacts=len(plan.update_addresses), legacy_fields_changed=sorted(legacy_diffs),
                      v3_properties_changed=sorted(v3_diffs), nothing_else_changed=True)
    return side


def _stored(emu, address):
    from ctct.emulator.api.contacts import find_by_email

    with emu.store.lock:
        contact = find_by_email(emu.store, address)
        return _plain(contact)


def _plain(value):
    """A deep copy without private keys (they are the emulator's bookkeeping)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _differences(old, new, prefix=""):
    """Dotted paths of what differs between two stored contacts ("phone_numbers.0.kind")."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = set()
        for key in set(old) | set(new):
            out |= _differences(old.get(key), new.get(key), f"{prefix}{key}.")
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = set()
        for index, (a, b) in enumerate(zip(old, new)):
            out |= _differences(a, b, f"{prefix}{index}.")
        return out
    return set() if old == new else {prefix.rstrip(".")}


def _allowed_v3_change(path):
    return path == CHANGED_FIELD or path.rsplit(".", 1)[-1] in V3_UPDATE_STAMPS


# -- 4. bulk import ----------------------------------------------------------------------------

def bulk_import(emu, meter, plan):
    """create_activity('SV_ADD', two lists, rows), then get_activity until COMPLETE."""
    side = Side()
    data = {"columns": ["Email Address", "First Name", "Last Name"], "rows": plan.rows}
    lists = [list_uri(list_id) for list_id in plan.list_ids]
    with connect(emu) as conn, meter.job(side):
        activity = conn.create_activity("SV_ADD", lists, data=data)
        status = None
        with meter.polls(side):
            for _ in range(plan.max_polls):
                side.polls += 1
                status = conn.get_activity(activity)
                if status["status"] in ("COMPLETE", "ERROR"):
                    break
    expect(status is not None and status["status"] == "COMPLETE", f"the import ended {status and status['status']}")
    expect(int(status["transaction_count"]) == len(plan.rows),
           f"the import counted {status['transaction_count']} of {len(plan.rows)} rows")
    side.extra.update(rows=len(plan.rows), transaction_count=int(status["transaction_count"]))
    return side


# -- 5. campaign report ------------------------------------------------------------------------

EVENT_TYPES = (
    ("bounces", CTCTConnection.EVENTS_BOUNCES),
    ("clicks", CTCTConnection.EVENTS_CLICKS),
    ("forwards", CTCTConnection.EVENTS_FORWARDS),
    ("opens", CTCTConnection.EVENTS_OPENS),
    ("opt_outs", CTCTConnection.EVENTS_OPT_OUTS),
    ("sends", CTCTConnection.EVENTS_SENDS),
)


def campaign_report(emu, meter, plan):
    """get_campaign plus get_campaign_events of every type, for a sent campaign."""
    side = Side()
    uri = campaign_uri(plan.campaign_id)
    events = {}
    with connect(emu) as conn, meter.job(side):
        campaign = conn.get_campaign(uri)
        for name, event_type in EVENT_TYPES:
            events[name] = conn.get_campaign_events(uri, event_type)
    clicks = sum(len(group["events"]) for group in events["clicks"])
    counts = {name: (clicks if name == "clicks" else len(rows)) for name, rows in events.items()}
    expect(counts == plan.event_counts, f"events {counts} != seeded {plan.event_counts}")
    expect(campaign["sent"] == str(plan.event_counts["sends"]), f"get_campaign sent={campaign['sent']}")
    expect(len(campaign["urls"]) == plan.links, f"get_campaign has {len(campaign['urls'])} urls")
    side.extra.update(events=counts, sent=campaign["sent"], urls=len(campaign["urls"]))
    return side
