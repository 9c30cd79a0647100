"""The accounts the benchmarks run against, loaded through the emulator's seeders so that
setting them up is never part of what is measured.

Every contact uses most of V3's fields (names, job, company, a phone number, a street
address, list memberships, and for half of them the legacy custom fields CustomField1 and
CustomField2), so a job that reads or rewrites contacts carries realistic bodies.
"""
import datetime as _dt

SENDER = "owner@example.com"  # the emulator's default account address (confirmed)
LISTS = ("General", "Newsletter", "Import A", "Import B")
CUSTOM_FIELDS = ("CustomField1", "CustomField2")
LINKS = tuple(f"https://shop.example.com/{page}" for page in ("spring", "roses", "tulips", "delivery"))
SENT_AT = "2025-03-03T15:00:00.000Z"
CITIES = (("Chicago", "IL", "60601"), ("Austin", "TX", "73301"), ("Portland", "OR", "97201"),
          ("Boston", "MA", "02108"))


def email_of(number):
    return f"person{number:06d}@example.com"


def contact(number, lists=("General",)):
    """The seed body of contact `number` (its V2 id is number + 1)."""
    city, state, postal = CITIES[number % len(CITIES)]
    body = {
        "v2_id": number + 1,
        "email_address": {"address": email_of(number), "permission_to_send": "implicit"},
        "first_name": f"First{number}",
        "last_name": f"Last{number}",
        "job_title": "Buyer" if number % 3 else "Manager",
        "company_name": f"Company {number % 97}",
        "phone_numbers": [{"phone_number": f"+1-555-{number % 10000:04d}", "kind": "work"}],
        "street_addresses": [{"kind": "work", "street": f"{number} Main St", "city": city, "state": state,
                              "postal_code": postal, "country": "United States"}],
        "list_memberships": list(lists),
    }
    if number % 2 == 0:
        body["custom_fields"] = [{"name": "CustomField1", "value": f"tier-{number % 5}"},
                                 {"name": "CustomField2", "value": f"code {number}"}]
    return body


def account(contacts, newsletter=0):
    """`contacts` contacts, all in "General"; the first `newsletter` also in "Newsletter"."""
    return {
        "custom_fields": [{"label": label, "type": "string"} for label in CUSTOM_FIELDS],
        "contact_lists": [{"name": name, "v2_id": number} for number, name in enumerate(LISTS, 1)],
        "contacts": [contact(n, ("General", "Newsletter") if n < newsletter else ("General",))
                     for n in range(contacts)],
    }


def sent_campaign(sends):
    """A Done campaign sent to the first `sends` contacts (the "Newsletter" list), with what
    its recipients did: opens (some twice), clicks on four links, bounces, forwards and
    opt-outs, in fixed proportions so every size has each kind."""
    base = _dt.datetime(2025, 3, 3, 16)
    events = []

    def at(minutes):
        # a time of its own for each event, to the millisecond as V3 reports them, so no
        # reader gains from events sharing a time more than real reports allow
        moment = base + _dt.timedelta(minutes=minutes, milliseconds=(len(events) * 7919) % 60_000)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    for n in range(sends):
        address = email_of(n)
        if n % 50 == 7:
            events.append({"type": "em_bounces", "email_address": address, "bounce_code": "B", "created_time": at(n % 600)})
            continue
        if n % 5 in (0, 1):  # 40% open, a quarter of them twice
            events.append({"type": "em_opens", "email_address": address, "created_time": at(n % 900),
                           "device_type": "computer"})
            if n % 4 == 0:
                events.append({"type": "em_opens", "email_address": address, "created_time": at(n % 900 + 600),
                               "device_type": "mobile"})
            if n % 3 == 0:
                events.append({"type": "em_clicks", "email_address": address, "link_url": LINKS[n % len(LINKS)],
                               "created_time": at(n % 900 + 2), "device_type": "computer"})
            if n % 40 == 1:
                events.append({"type": "em_forwards", "email_address": address, "created_time": at(n % 900 + 30)})
        if n % 200 == 3:
            events.append({"type": "em_optouts", "email_address": address, "opt_out_reason": "Too many emails",
                           "created_time": at(n % 900 + 60)})
    html = ("<html><body>[[trackingImage]]<ul>"
            + "".join(f'<li><a href="{url}">{url.rsplit("/", 1)[-1]}</a></li>' for url in LINKS)
            + "</ul></body></html>")
    return {
        "v2_id": 1100000000001,
        "name": "Spring sale",
        "current_status": "Done",
        "scheduled_date": SENT_AT,
        "created_at": "2025-03-01T10:00:00.000Z",
        "contact_list_ids": ["Newsletter"],
        "email_campaign_activities": [{
            "format_type": 5, "from_name": "Shop", "from_email": SENDER, "reply_to_email": SENDER,
            "subject": "Spring sale", "html_content": html,
        }],
        "tracking": events,
    }


def event_counts(campaign):
    """{tracking type: count} of a seeded campaign's events (sends: one per list member)."""
    counts = {}
    for event in campaign["tracking"]:
        counts[event["type"]] = counts.get(event["type"], 0) + 1
    return counts
