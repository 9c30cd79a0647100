"""The "demo" seed: a small flower shop's account that exercises every part of the emulator.

- 3 custom fields and 4 contact lists;
- 250 contacts using every contact field (names, job title, company, birthday, anniversary,
  home/work/mobile phones, street addresses, notes, custom fields, SMS channel, list
  memberships), some unsubscribed, some pending confirmation, a few deleted;
- 3 campaigns: a draft, one scheduled two weeks ahead, and one sent to the newsletter list
  from the account's confirmed address, with sends to every member, opens, clicks on four
  links, bounces of every code, forwards, opt-outs and a spam complaint;
- finished bulk activities (an import, a list membership change, an export).

Deterministic: the same dict every call (random.Random with a fixed seed, fixed dates),
except what V3 measures from "now": the scheduled campaign goes out 14 days after `today`
and the bulk activities finished in the last few days (V3 lists only the past 10 days).
"""
import datetime as _dt
import random

RANDOM_SEED = 20090611  # fixed: the demo account is the same on every run
CONTACT_COUNT = 250
SENDER = "owner@example.com"  # the default account's confirmed address (store.default_account)

LISTS = [
    {"name": "Newsletter Subscribers", "description": "Monthly newsletter and seasonal offers", "favorite": True},
    {"name": "VIP Customers", "description": "Repeat customers with a loyalty card", "favorite": True},
    {"name": "Wedding Leads", "description": "Couples who asked about wedding flowers", "favorite": False},
    {"name": "Event Invitees", "description": "Invited to the spring open house", "favorite": False},
]
NEWSLETTER, VIP, WEDDING, EVENTS = (lst["name"] for lst in LISTS)

CUSTOM_FIELDS = [
    {"label": "Favorite Flower", "type": "string"},
    {"label": "Loyalty Number", "type": "string"},
    {"label": "First Purchase", "type": "date"},
]
FLOWERS = ["Rose", "Tulip", "Peony", "Lily", "Orchid", "Sunflower", "Daisy", "Hydrangea", "Ranunculus", "Dahlia"]

FIRST_NAMES = ["Ava", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Henry", "Isla", "Jack", "Kara",
               "Liam", "Maya", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Victor",
               "Wendy", "Xavier", "Yara", "Zoe"]
LAST_NAMES = ["Adams", "Baker", "Carter", "Diaz", "Evans", "Foster", "Garcia", "Hughes", "Ito", "Jensen",
              "Kim", "Lopez", "Moreau", "Nguyen", "Okafor", "Patel", "Quist", "Rossi", "Silva", "Turner"]
JOB_TITLES = ["Event Planner", "Office Manager", "Chef", "Teacher", "Architect", "Nurse", "Photographer",
              "Wedding Coordinator", "Accountant", "Florist"]
COMPANIES = ["Harbor Events", "Maple Bistro", "Northside Clinic", "Lumen Studio", "Greenway School",
             "Bluebird Hotel", "Cedar & Co", "Riverside Realty"]
STREETS = ["Elm St", "Main St", "Oak Ave", "Pine Rd", "Harbor Way", "Maple Dr", "Cedar Ln", "Lake Blvd"]
CITIES = [("Waltham", "MA", "02451"), ("Boston", "MA", "02108"), ("Cambridge", "MA", "02139"),
          ("Providence", "RI", "02903"), ("Portland", "ME", "04101"), ("Nashua", "NH", "03060")]
NOTES = ["Prefers pastel arrangements.", "Asked about weekly office deliveries.",
         "Allergic to lilies: suggest alternatives.", "Met at the spring open house.",
         "Orders for every anniversary."]

ACCOUNT_OPENED = "2022-12-15T09:00:00.000Z"
SENT_AT = "2024-12-02T15:00:00.000Z"
SENT_LINKS = [
    "https://joesflowers.example.com/holiday",
    "https://joesflowers.example.com/shop/wreaths",
    "https://joesflowers.example.com/shop/centerpieces",
    "https://joesflowers.example.com/visit",
]
OPT_OUT_REASONS = ["Too many emails", "The content is not what I expected", None, "Moving away"]
BOUNCE_CODES = ["B", "D", "F", "S", "V", "X", "Z"]
DEVICES = ["computer", "mobile", "tablet", "mobile", "computer", "other", None]


def demo_seed(today=None):
    """The demo seed dict (keys custom_fields, contact_lists, contacts, emails, activities).

    today: the date the scheduled campaign and the recent activities are placed around
    (default: today in UTC).
    """
    today = today or _dt.datetime.now(_dt.timezone.utc).date()
    rng = random.Random(RANDOM_SEED)
    contacts, history = _contacts(rng)
    return {
        "custom_fields": [dict(field, created_at=ACCOUNT_OPENED, updated_at=ACCOUNT_OPENED) for field in CUSTOM_FIELDS],
        "contact_lists": [dict(lst, v2_id=number, created_at=ACCOUNT_OPENED, updated_at=ACCOUNT_OPENED)
                          for number, lst in enumerate(LISTS, start=1)],
        "contacts": contacts,
        "emails": _campaigns(rng, history, today),
        "activities": _activities(today, contacts[:3]),
    }


# -- contacts ---------------------------------------------------------------------------------

def _contacts(rng):
    """250 contacts, plus what the sent campaign needs to know about them: newsletter members at
    send time, who later opted out through it (unsubscribed since), who was deleted since."""
    contacts = []
    history = {"sent_to": [], "opted_out": {}, "deleted": set()}
    opt_out_numbers = set(range(17, CONTACT_COUNT, 41))  # 6 newsletter readers who opted out
    for number in range(1, CONTACT_COUNT + 1):
        first, last = FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[(number * 7) % len(LAST_NAMES)]
        address = f"{first}.{last}{number}@example.com".lower()
        lists = _memberships(rng, number)
        created = _stamp(_dt.datetime(2023, 1, 1, 9) + _dt.timedelta(hours=37 * number))
        contact = {
            "v2_id": number,
            "email_address": {"address": address, "permission_to_send": "implicit", "created_at": created,
                              "updated_at": created, "opt_in_date": created,
                              "opt_in_source": "Account" if number % 5 else "Contact"},
            "first_name": first,
            "last_name": last,
            "create_source": "Account" if number % 5 else "Contact",
            "created_at": created,
            "updated_at": created,
            "list_memberships": lists,
        }
        if number % 3:
            contact["job_title"] = rng.choice(JOB_TITLES)
            contact["company_name"] = rng.choice(COMPANIES)
        if number % 4:
            contact["birthday_month"] = rng.randint(1, 12)
            contact["birthday_day"] = rng.randint(1, 28)
        if number % 6 == 0:
            contact["anniversary"] = f"{rng.randint(1995, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        contact["phone_numbers"] = _phones(rng, number)
        contact["street_addresses"] = _addresses(rng, number)
        contact["custom_fields"] = _custom_values(rng, number)
        if number % 9 == 0:
            contact["notes"] = [{"content": NOTES[number % len(NOTES)], "created_at": created}]
        if number % 50 == 7:
            contact["sms_channel"] = {
                "full_sms_address": f"1617555{number:04d}",
                "sms_channel_consents": [{"sms_consent_permission": "explicit", "consent_type": "promotional_sms"}],
            }
        was_on_newsletter = NEWSLETTER in lists
        _permission(contact, number, was_on_newsletter and number in opt_out_numbers, history)
        if number % 83 == 0 and was_on_newsletter:  # deleted after the holiday email went out
            contact["deleted_at"] = "2025-01-15T10:00:00.000Z"
            history["deleted"].add(address)
        if was_on_newsletter and contact["email_address"]["permission_to_send"] != "pending_confirmation":
            history["sent_to"].append(address)
        contacts.append(contact)
    return contacts, history


def _memberships(rng, number):
    lists = []
    if number % 10 < 7:
        lists.append(NEWSLETTER)
    if number % 8 == 0:
        lists.append(VIP)
    if rng.random() < 0.12:
        lists.append(WEDDING)
    if number % 5 == 2:
        lists.append(EVENTS)
    return lists


def _phones(rng, number):
    phones = [{"phone_number": f"+1-617-555-{number:04d}", "kind": "home"}]
    if number % 2:
        phones.append({"phone_number": f"+1-781-555-{rng.randint(0, 9999):04d}", "kind": "work"})
    if number % 3 == 0:
        phones.append({"phone_number": f"+1-857-555-{rng.randint(0, 9999):04d}", "kind": "mobile"})
    return phones


def _addresses(rng, number):
    city, state, postal = CITIES[number % len(CITIES)]
    addresses = [{"kind": "home", "street": f"{rng.randint(1, 999)} {rng.choice(STREETS)}", "city": city,
                  "state": state, "postal_code": postal, "country": "United States"}]
    if number % 7 == 0:
        addresses.append({"kind": "work", "street": f"{rng.randint(1, 99)} Commerce Park", "city": "Boston",
                          "state": "MA", "postal_code": "02110", "country": "United States"})
    return addresses


def _custom_values(rng, number):
    values = [{"name": "Favorite Flower", "value": rng.choice(FLOWERS)}]
    if number % 4 == 0:
        values.append({"name": "Loyalty Number", "value": f"JF-{100000 + number}"})
    if number % 5 == 0:
        values.append({"name": "First Purchase", "value": f"20{rng.randint(15, 23)}-{rng.randint(1, 12):02d}-"
                                                           f"{rng.randint(1, 28):02d}"})
    return values


def _permission(contact, number, opted_out_by_campaign, history):
    email = contact["email_address"]
    if opted_out_by_campaign:
        reason = OPT_OUT_REASONS[len(history["opted_out"]) % len(OPT_OUT_REASONS)]
        stamp = _stamp(_dt.datetime(2024, 12, 3, 8) + _dt.timedelta(hours=5 * len(history["opted_out"])))
        email.update(permission_to_send="unsubscribed", opt_out_source="Contact", opt_out_date=stamp,
                     updated_at=stamp)
        if reason:
            email["opt_out_reason"] = reason
        contact["updated_at"] = stamp
        history["opted_out"][email["address"]] = (stamp, reason)
    elif number % 29 == 0:  # opted out long ago (before the campaign): not sent it
        email.update(permission_to_send="unsubscribed", opt_out_source="Contact",
                     opt_out_date="2024-06-01T12:00:00.000Z", updated_at="2024-06-01T12:00:00.000Z")
        contact["updated_at"] = "2024-06-01T12:00:00.000Z"
    elif number % 23 == 0:
        email["permission_to_send"] = "pending_confirmation"
        email["confirm_status"] = "pending"
    elif number % 4 == 1:
        email["permission_to_send"] = "explicit"


# -- campaigns --------------------------------------------------------------------------------

def _html(title, links, footer_note):
    items = "".join(f'<li><a href="{url}">{url.rsplit("/", 1)[-1].title()}</a></li>' for url in links)
    return ("<html><body>[[trackingImage]]"
            f'<table width="600" style="font-family:Georgia,serif"><tr><td><h1>{title}</h1>'
            f"<ul>{items}</ul><p>{footer_note}</p></td></tr></table></body></html>")


def _activity(subject, html, preheader):
    return {"format_type": 5, "from_name": "Joe's Flowers", "from_email": SENDER, "reply_to_email": SENDER,
            "subject": subject, "preheader": preheader, "html_content": html}


def _campaigns(rng, history, today):
    scheduled_for = _dt.datetime.combine(today + _dt.timedelta(days=14), _dt.time(14, 0))
    return [
        {
            "v2_id": 1100000000001,
            "name": "Spring Garden Tips (draft)",
            "created_at": "2025-02-10T09:30:00.000Z",
            "updated_at": "2025-02-12T16:05:00.000Z",
            "contact_list_ids": [NEWSLETTER],
            "email_campaign_activities": [_activity(
                "Five spring garden tips", _html("Spring is coming", SENT_LINKS[3:], "Draft: not sent yet."),
                "Get your garden ready")],
        },
        {
            "v2_id": 1100000000002,
            "name": "Mother's Day Sale",
            "current_status": "Scheduled",
            "scheduled_date": _stamp(scheduled_for),
            "created_at": "2025-03-01T11:00:00.000Z",
            "updated_at": "2025-03-02T08:15:00.000Z",
            "contact_list_ids": [NEWSLETTER, VIP],
            "email_campaign_activities": [_activity(
                "20% off for Mother's Day", _html("Mother's Day", SENT_LINKS[:2], "Order by Friday."),
                "Bouquets she will love")],
        },
        {
            "v2_id": 1100000000003,
            "name": "Holiday Bouquets 2024",
            "current_status": "Done",
            "scheduled_date": SENT_AT,
            "created_at": "2024-11-20T10:00:00.000Z",
            "updated_at": SENT_AT,
            "contact_list_ids": [NEWSLETTER],
            "email_campaign_activities": [_activity(
                "Holiday bouquets are here", _html("Holiday Bouquets", SENT_LINKS, "Free delivery in town."),
                "Wreaths, centerpieces and more")],
            "tracking": _tracking(rng, history),
        },
    ]


def _tracking(rng, history):
    """The sent campaign's events: a send to each member, then what recipients did with it."""
    base = _dt.datetime(2024, 12, 2, 15)
    events = [{"type": "em_sends", "email_address": address, "created_time": SENT_AT}
              for address in history["sent_to"]]
    bounce_count = 0
    for position, address in enumerate(history["sent_to"]):
        if position % 19 == 5:  # one of every bounce code
            events.append({"type": "em_bounces", "email_address": address,
                           "bounce_code": BOUNCE_CODES[bounce_count % len(BOUNCE_CODES)],
                           "created_time": _stamp(base + _dt.timedelta(minutes=2 + position))})
            bounce_count += 1
            continue
        opted_out = history["opted_out"].get(address)
        if rng.random() > 0.55 and not opted_out:
            continue  # did not open
        opened = base + _dt.timedelta(minutes=rng.randint(10, 2000))
        for repeat in range(1 + (rng.random() < 0.3)):
            events.append({"type": "em_opens", "email_address": address, "device_type": rng.choice(DEVICES),
                           "created_time": _stamp(opened + _dt.timedelta(hours=20 * repeat))})
        if rng.random() < 0.5:
            for link in rng.sample(SENT_LINKS, rng.randint(1, 3)):
                events.append({"type": "em_clicks", "email_address": address, "link_url": link,
                               "device_type": rng.choice(DEVICES),
                               "created_time": _stamp(opened + _dt.timedelta(minutes=rng.randint(1, 30)))})
        if rng.random() < 0.08:
            events.append({"type": "em_forwards", "email_address": address,
                           "created_time": _stamp(opened + _dt.timedelta(minutes=45))})
        if opted_out:
            stamp, reason = opted_out
            events.append({"type": "em_optouts", "email_address": address, "opt_out_reason": reason,
                           "created_time": stamp})
    complainer = next(a for i, a in enumerate(history["sent_to"]) if i % 19 != 5 and a not in history["opted_out"])
    events.append({"type": "em_abuse", "email_address": complainer, "created_time": "2024-12-04T09:00:00.000Z"})
    return events


# -- bulk activities --------------------------------------------------------------------------

def _activities(today, exported):
    def at(days_ago, hour, minute=0):
        return _stamp(_dt.datetime.combine(today - _dt.timedelta(days=days_ago), _dt.time(hour, minute)))

    return [
        {"kind": "contacts_json_import", "state": "completed", "created_at": at(3, 9),
         "started_at": at(3, 9, 1), "completed_at": at(3, 9, 4), "v2_id": 1,
         "status": {"items_total_count": 41, "person_count": 40, "error_count": 1, "correctable_count": 0,
                    "cannot_add_to_list_count": 0},
         "activity_errors": ["Line 17: email address 'ava.adams@' is not valid"]},
        {"kind": "add_list_memberships", "state": "completed", "created_at": at(2, 14),
         "started_at": at(2, 14), "completed_at": at(2, 14, 2), "v2_id": 2,
         "status": {"items_total_count": 25, "items_completed_count": 25, "list_count": 1}},
        {"kind": "contact_exports", "state": "completed", "created_at": at(1, 16),
         "started_at": at(1, 16), "completed_at": at(1, 16, 1), "v2_id": 3,
         "status": {"items_total_count": len(exported), "items_completed_count": len(exported)},
         "csv": "email_address,first_name,last_name\r\n" + "".join(
             f"{c['email_address']['address']},{c['first_name']},{c['last_name']}\r\n" for c in exported)},
    ]


def _stamp(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
