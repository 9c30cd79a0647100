"""The 2009 client's README walkthrough, step by step, run through a `CTCTConnection`.

Each step is the README's code in Python 3 syntax (the README's example ids, like '123',
replaced by ids the account really has), run against whatever account the connection talks
to. `ctct demo` runs it on an emulator seeded with the demo account and prints it; the tests
run the same steps. A step fails when its call returns the legacy failure value (None or
False), returns something of the wrong shape, or raises.

Steps write to the account (a list is created, renamed and deleted; a contact is created,
updated and unsubscribed; three bulk activities are started), so run it on an emulator or a
test account only.
"""
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, List

NEW_LIST = "My New List"
RENAMED_LIST = "New List Name"
ACTIVITY_LIST = "Walkthrough Activity List"
NEW_CONTACT = {"email_address": "joe@samplename.com", "name": "joe", "home_phone": "9785554444"}
CONTACT_UPDATE = {"name": "joey", "home_phone": "9783334545", "city": "New York"}
SHOWN = 5  # how many items of a long result a step prints


class StepFailed(Exception):
    """The call answered with the legacy failure value or an unexpected shape."""


@dataclass
class Step:
    section: str
    title: str
    code: str  # the README's code, as shown
    run: Callable  # run(conn, state) -> list of output lines


@dataclass
class StepResult:
    step: Step
    ok: bool
    lines: List[str] = field(default_factory=list)
    error: Any = None


STEPS = []


def step(section, title, code):
    def register(func):
        STEPS.append(Step(section, title, code.strip("\n"), func))
        return func

    return register


def expect(value, kind, what):
    """`value` if it is of `kind`; StepFailed otherwise (None/False: the call failed)."""
    if value is None or value is False:
        raise StepFailed(f"{what} returned {value!r}, the legacy failure value (see the warning logged above)")
    if not isinstance(value, kind):
        raise StepFailed(f"{what} returned {type(value).__name__}, expected {getattr(kind, '__name__', kind)}")
    return value


def _more(items):
    return [f"... and {len(items) - SHOWN} more"] if len(items) > SHOWN else []


def _list_named(conn, name):
    for contact_list in expect(conn.get_contact_lists(), list, "get_contact_lists()"):
        if contact_list["name"] == name:
            return contact_list["id"]
    raise StepFailed(f"no list named {name!r}")


# -- Authentication -----------------------------------------------------------------------------

@step("Authentication", "Verify the credentials", """
isValid = conn.verify_credentials()
""")
def _verify(conn, st):
    valid = conn.verify_credentials()
    if valid is not True:
        raise StepFailed(f"verify_credentials() returned {valid!r}")
    return ["isValid = True"]


# -- Contact Lists ------------------------------------------------------------------------------

@step("Contact Lists", "Retrieve ALL Lists", """
lists = conn.get_contact_lists()
for list in lists:
    print(list['name'])
""")
def _lists(conn, st):
    lists = expect(conn.get_contact_lists(), list, "get_contact_lists()")
    if not lists:
        raise StepFailed("the account has no lists")
    st["list_id"] = lists[0]["id"]
    return [lst["name"] for lst in lists]


@step("Contact Lists", "Retrieve Individual List", """
list = conn.get_contact_list(list_id)
print(list['name'])
""")
def _list(conn, st):
    contact_list = expect(conn.get_contact_list(st["list_id"]), dict, "get_contact_list()")
    return [f"list_id = {st['list_id']!r}", contact_list["name"]]


@step("Contact Lists", "Retrieve List Members", """
members = conn.get_contact_list_members(list_id)
for member in members:
    print(member['email_address'])
""")
def _members(conn, st):
    members = expect(conn.get_contact_list_members(st["list_id"]), list, "get_contact_list_members()")
    return [m["email_address"] for m in members[:SHOWN]] + _more(members) + [f"({len(members)} members)"]


@step("Contact Lists", "Creating a New List", """
wasCreated = conn.create_contact_list('My New List')
""")
def _create_list(conn, st):
    created = conn.create_contact_list(NEW_LIST)
    if created is not True:
        raise StepFailed(f"create_contact_list() returned {created!r}")
    st["new_list_id"] = _list_named(conn, NEW_LIST)
    return ["wasCreated = True", f"(its id: {st['new_list_id']})"]


@step("Contact Lists", "Update a List", """
params = {'name': 'New List Name'}
wasUpdated = conn.update_contact_list(params, list_id)
""")
def _update_list(conn, st):
    params = {"name": RENAMED_LIST}
    updated = conn.update_contact_list(params, st["new_list_id"])
    if updated is not True:
        raise StepFailed(f"update_contact_list() returned {updated!r}")
    name = expect(conn.get_contact_list(st["new_list_id"]), dict, "get_contact_list()")["name"]
    if name != RENAMED_LIST:
        raise StepFailed(f"the list is named {name!r} after the update")
    return ["wasUpdated = True", f"(now named {name!r})"]


@step("Contact Lists", "Delete a List", """
wasDeleted = conn.delete_contact_list(list_id)
""")
def _delete_list(conn, st):
    deleted = conn.delete_contact_list(st["new_list_id"])
    if deleted is not True:
        raise StepFailed(f"delete_contact_list() returned {deleted!r}")
    return ["wasDeleted = True", "(V3 deletes lists in a background activity)"]


# -- Contacts -----------------------------------------------------------------------------------

@step("Contacts", "Retrieve ALL Contacts", """
contacts = conn.get_contacts()
for contact in contacts:
    print(contact['email_address'])
""")
def _contacts(conn, st):
    contacts = expect(conn.get_contacts(), list, "get_contacts()")
    if not contacts:
        raise StepFailed("the account has no contacts")
    active = [c for c in contacts if c["status"] == "Active"]
    st["contact_email"] = (active or contacts)[0]["email_address"]
    return [c["email_address"] for c in contacts[:SHOWN]] + _more(contacts) + [f"({len(contacts)} contacts)"]


@step("Contacts", "Retrieve Individual Contact", """
contact = conn.get_contact(email='joe@sampleaddress.com')
contact = conn.get_contact(contact_id_number='123')
lists = contact['contact_lists']
for list in lists:
    print(list['id'])
""")
def _contact(conn, st):
    email = st["contact_email"]
    by_email = expect(conn.get_contact(email=email), dict, "get_contact(email=...)")
    contact_id = by_email["id"].rsplit("/", 1)[-1]  # as 2009 code sliced ids
    by_id = expect(conn.get_contact(contact_id_number=contact_id), dict, "get_contact(contact_id_number=...)")
    if by_id["email_address"] != by_email["email_address"]:
        raise StepFailed("get_contact by id and by email disagree")
    lines = [f"get_contact(email={email!r}): {by_email['name']} <{by_email['email_address']}>, {by_email['status']}",
             f"get_contact(contact_id_number={contact_id!r}): {by_id['name']}"]
    return lines + [lst["id"] for lst in by_id["contact_lists"]]


@step("Contacts", "Create A Contact", """
params = {'email_address': 'joe@samplename.com', 'name': 'joe', 'home_phone': '9785554444'}
wasCreated = conn.create_contact(params)
""")
def _create_contact(conn, st):
    created = conn.create_contact(dict(NEW_CONTACT))
    if created is not True:
        raise StepFailed(f"create_contact() returned {created!r}")
    contact = expect(conn.get_contact(email=NEW_CONTACT["email_address"]), dict, "get_contact()")
    st["new_contact_id"] = contact["id"].rsplit("/", 1)[-1]
    return ["wasCreated = True", f"(its id: {contact['id']})"]


@step("Contacts", "Update A Contact", """
params = {'name': 'joey', 'home_phone': '9783334545', 'city': 'New York'}
wasUpdated = conn.update_contact(params, contact_id_number=contact_id)
wasUpdated = conn.update_contact(params, email='joe@samplename.com')
""")
def _update_contact(conn, st):
    params = dict(CONTACT_UPDATE)
    for kwargs in ({"contact_id_number": st["new_contact_id"]}, {"email": NEW_CONTACT["email_address"]}):
        updated = conn.update_contact(params, **kwargs)
        if updated is not True:
            raise StepFailed(f"update_contact(params, {kwargs}) returned {updated!r}")
    if params != CONTACT_UPDATE:
        raise StepFailed("update_contact changed the caller's dict")
    contact = expect(conn.get_contact(contact_id_number=st["new_contact_id"]), dict, "get_contact()")
    for key, value in CONTACT_UPDATE.items():
        if contact[key] != value:
            raise StepFailed(f"after the update {key} is {contact[key]!r}, expected {value!r}")
    return ["wasUpdated = True", "wasUpdated = True",
            f"(now: name={contact['name']!r}, home_phone={contact['home_phone']!r}, city={contact['city']!r}, "
            f"email_address={contact['email_address']!r})"]


@step("Contacts", "Deleting A Contact", """
wasDeleted = conn.delete_contact(contact_id_number=contact_id)
wasDeleted = conn.delete_contact(email='joe@samplename.com')
""")
def _delete_contact(conn, st):
    for kwargs in ({"contact_id_number": st["new_contact_id"]}, {"email": NEW_CONTACT["email_address"]}):
        deleted = conn.delete_contact(**kwargs)
        if deleted is not True:
            raise StepFailed(f"delete_contact({kwargs}) returned {deleted!r}")
    status = expect(conn.get_contact(contact_id_number=st["new_contact_id"]), dict, "get_contact()")["status"]
    if status != "Do Not Mail":
        raise StepFailed(f"the deleted contact's status is {status!r}")
    return ["wasDeleted = True", "wasDeleted = True", f"(status now {status!r}, as the old API's delete did)"]


@step("Contacts", "Retrieve Contact Events", """
bounce_events = conn.get_contact_events(event_type=CTCTConnection.EVENTS_BOUNCES, contact_id_number=contact_id)
open_events = conn.get_contact_events(event_type=CTCTConnection.EVENTS_OPENS, email='joe@samplename.com')
""")
def _contact_events(conn, st):
    # a contact the sent campaign reached, so the events are not all empty
    sent = expect(conn.get_campaigns(type=conn.CAMPAIGNS_SENT), list, "get_campaigns()")
    email, contact_id = st["contact_email"], None
    if sent:
        opens = expect(conn.get_campaign_events(sent[0]["id"], conn.EVENTS_OPENS), list, "get_campaign_events()")
        if opens:
            email, contact_id = opens[0]["contact_email_address"], opens[0]["contact_id"]
    if contact_id is None:
        contact_id = expect(conn.get_contact(email=email), dict, "get_contact()")["id"]
    bounces = expect(conn.get_contact_events(event_type=conn.EVENTS_BOUNCES, contact_id_number=contact_id),
                     list, "get_contact_events(EVENTS_BOUNCES)")
    opens = expect(conn.get_contact_events(event_type=conn.EVENTS_OPENS, email=email), list,
                   "get_contact_events(EVENTS_OPENS)")
    return [f"(contact {email})", f"{len(bounces)} bounce events", f"{len(opens)} open events"] + [
        f"  opened {e['campaign']} at {e['event_time']}" for e in opens[:SHOWN]]


# -- Campaigns ----------------------------------------------------------------------------------

@step("Campaigns", "Retrieve ALL Campaigns", """
sent_campaigns = conn.get_campaigns(type=CTCTConnection.CAMPAIGNS_SENT)
for campaign in sent_campaigns:
    print(campaign['date'])
""")
def _campaigns(conn, st):
    lines = []
    by_type = {}
    for name in ("CAMPAIGNS_ALL", "CAMPAIGNS_DRAFT", "CAMPAIGNS_RUNNING", "CAMPAIGNS_SENT", "CAMPAIGNS_SCHEDULED"):
        campaigns = by_type[name] = expect(conn.get_campaigns(type=getattr(conn, name)), list, f"get_campaigns({name})")
        lines.append(f"{name}: {len(campaigns)}")
        lines += [f"    {c['name']} ({c['status']}, date {c['date']})" for c in campaigns[:SHOWN]]
    if not by_type["CAMPAIGNS_SENT"]:
        raise StepFailed("the account has no sent campaign")
    st["campaign_id"] = by_type["CAMPAIGNS_SENT"][0]["id"]
    return lines


@step("Campaigns", "Get An Individual Campaign", """
campaign = conn.get_campaign(campaign_id_number=campaign_id)
print('The Campaign Name is ' + campaign['name'])
for list in campaign['contact_lists']:
    print(list['id'])
for url in campaign['urls']:
    print(url['clicks'])
""")
def _campaign(conn, st):
    campaign = expect(conn.get_campaign(campaign_id_number=st["campaign_id"]), dict, "get_campaign()")
    lines = ["The Campaign Name is " + campaign["name"],
             "sent {sent}, opens {opens}, clicks {clicks}, bounces {bounces}, forwards {forwards}, "
             "opt_outs {opt_outs}, spam_reports {spam_reports}".format(**campaign)]
    lines += [f"list {lst['id']}" for lst in campaign["contact_lists"]]
    lines += [f"{url['clicks']} clicks on {url['value']}" for url in campaign["urls"]]
    return lines


@step("Campaigns", "Get Campaign Events", """
bounce_events = conn.get_campaign_events(campaign_id, CTCTConnection.EVENTS_BOUNCES)
sent = conn.get_campaign_events(campaign_id, CTCTConnection.EVENTS_SENDS)
""")
def _campaign_events(conn, st):
    bounces = expect(conn.get_campaign_events(st["campaign_id"], conn.EVENTS_BOUNCES), list, "get_campaign_events(BOUNCES)")
    sends = expect(conn.get_campaign_events(st["campaign_id"], conn.EVENTS_SENDS), list, "get_campaign_events(SENDS)")
    return [f"{len(bounces)} bounce events", f"{len(sends)} send events"]


# -- Activities ---------------------------------------------------------------------------------

@step("Activities", "Retrieve ALL Activities", """
activities = conn.get_activities()
for activity in activities:
    print(activity['status'])
""")
def _activities(conn, st):
    activities = expect(conn.get_activities(), list, "get_activities()")
    st["activity_id"] = activities[0]["id"] if activities else None
    return [f"{a['type']}: {a['status']}" for a in activities[:SHOWN]] + _more(activities)


@step("Activities", "Get An Individual Activity", """
activity = conn.get_activity(activity_id_number=activity_id)
for error in activity['errors']:
    print(error)
""")
def _activity(conn, st):
    if not st.get("activity_id"):
        return ["(the account has no activities yet)"]
    activity = expect(conn.get_activity(activity_id_number=st["activity_id"]), dict, "get_activity()")
    return [f"{activity['type']}: {activity['status']}, {len(activity['errors'] or [])} errors"] + [
        str(error) for error in (activity["errors"] or [])[:SHOWN]]


def _activity_lists(conn, st):
    """Two list URIs for the activity steps: a list the walkthrough makes for them (so the
    clear step empties nothing of the account's) and the account's first list."""
    if "activity_lists" not in st:
        if conn.create_contact_list(ACTIVITY_LIST) is not True:
            raise StepFailed("could not create a list for the activity steps")
        st["activity_lists"] = [_list_named(conn, ACTIVITY_LIST)]
    return st["activity_lists"]


def _run_activity(conn, what, **kwargs):
    activity_id = conn.create_activity(**kwargs)
    if not activity_id:
        raise StepFailed(f"create_activity({what}) returned {activity_id!r}")
    activity = expect(conn.get_activity(activity_id_number=activity_id), dict, "get_activity()")
    return [f"activity_id = {activity_id!r}", f"print(activity['status']) -> {activity['status']}"]


@step("Activities", "Creating an Add Contacts Activity", """
lists = [list_uri]
data = {'columns': ['EMAIL ADDRESS', 'FIRST NAME'], 'rows': ['num1@email.com', 'Joe']}
activity_id = conn.create_activity(type='SV_ADD', lists=lists, data=data)
activity = conn.get_activity(activity_id_number=activity_id)
print(activity['status'])
""")
def _add_activity(conn, st):
    data = {"columns": ["EMAIL ADDRESS", "FIRST NAME"], "rows": ["num1@email.com", "Joe"]}
    return _run_activity(conn, "SV_ADD", type="SV_ADD", lists=_activity_lists(conn, st), data=data)


@step("Activities", "Creating a Clear Contacts Activity", """
activity_id = conn.create_activity(type='CLEAR_CONTACTS_FROM_LISTS', lists=lists)
activity = conn.get_activity(activity_id_number=activity_id)
print(activity['status'])
""")
def _clear_activity(conn, st):
    return _run_activity(conn, "CLEAR_CONTACTS_FROM_LISTS", type="CLEAR_CONTACTS_FROM_LISTS",
                         lists=_activity_lists(conn, st))


@step("Activities", "Creating a Export Contacts Activity", """
lists = {'list_id': list_uri}
data = {'columns': ['First Name', 'Last Name']}
activity_id = conn.create_activity(type='EXPORT_CONTACTS', lists=lists, data=data)
activity = conn.get_activity(activity_id_number=activity_id)
print(activity['status'])
""")
def _export_activity(conn, st):
    lists = {"list_id": st["list_id"]}
    return _run_activity(conn, "EXPORT_CONTACTS", type="EXPORT_CONTACTS", lists=lists,
                         data={"columns": ["First Name", "Last Name"]})


# -- running ------------------------------------------------------------------------------------

def run(conn, out=None, steps=None):
    """Run the steps in order; `out(text)` receives what a user would see (None: silent).
    Returns a StepResult per step. A failing step does not stop the others."""
    results = []
    state = {}
    section = None
    for number, current in enumerate(steps or STEPS, 1):
        if out and current.section != section:
            section = current.section
            out(f"\n----- {section} -----")
        if out:
            out(f"\n[{number}] {current.title}")
            for line in current.code.splitlines():
                out(f"    >>> {line}" if not line.startswith(" ") else f"    ... {line}")
        try:
            lines = current.run(conn, state)
            result = StepResult(current, True, lines)
        except StepFailed as failure:
            result = StepResult(current, False, [f"FAILED: {failure}"], failure)
        except Exception as exc:  # a step must report, not end the walkthrough
            result = StepResult(current, False, [f"FAILED: {type(exc).__name__}: {exc}"], exc)
            result.lines += ["    " + line for line in traceback.format_exc().rstrip().splitlines()[-3:]]
        results.append(result)
        if out:
            for line in result.lines:
                out(f"    {line}")
    return results
