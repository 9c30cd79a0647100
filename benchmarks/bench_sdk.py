"""The same jobs written on the official V3 Python SDK (`constant-contact-api-client` 1.5.0),
the way its README teaches: `Configuration(access_token=...)`, `ApiClient`, one API class per
area, its model objects.

The SDK's list methods take no cursor, so page 2 onwards is a raw request through the SDK's
own `ApiClient` (`param_serialize` / `call_api` / `response_deserialize`, what its generated
methods do inside) for the `_links.next.href` V3 returned. Each job does the least a careful
hand-written script would do for the same answer, so the comparison is with good SDK code,
not with a strawman.

Also a command, for workload 6 (run as a separate process, as a user runs a script):
    python -m benchmarks.bench_sdk xref INPUT.csv -o OUTPUT.csv
reads env CTCT_BASE_URL and CTCT_ACCESS_TOKEN and prints `summary: requests=N seconds=S ...`.
"""
import argparse
import csv
import itertools
import os
import sys
import time

from .measure import Side

INCLUDE_ALL = "custom_fields,list_memberships,phone_numbers,street_addresses,notes"
PAGE = 500  # V3's largest page for contacts and tracking reports
IMPORT_ROWS = 40_000  # V3: contacts per JSON import request
XREF_BATCH = 500  # V3: ids per contact_id_xrefs request
PENDING = ("initialized", "processing")


def available():
    """Whether the SDK is installed (found without importing it: that takes over a second)."""
    import importlib.util

    return importlib.util.find_spec("constant_contact_api_client") is not None


def version():
    try:
        from importlib.metadata import version as dist_version

        return dist_version("constant-contact-api-client")
    except Exception:  # not installed
        return None


def connect(base_url, access_token):
    import constant_contact_api_client as sdk

    return sdk.ApiClient(sdk.Configuration(host=base_url, access_token=access_token))


def next_pages(api_client, page, response_type):
    """The pages after `page`, each fetched from its `_links.next.href` and deserialized into
    `response_type` (the SDK's model name for that listing)."""
    host_path = api_client.configuration.host.split("://", 1)[-1].partition("/")[2]
    root = "/" + host_path if host_path else ""
    while page.links is not None and page.links.next is not None and page.links.next.href:
        href = page.links.next.href
        resource = href[len(root):] if root and href.startswith(root + "/") else href
        method, url, headers, body, post = api_client.param_serialize(
            "GET", resource, auth_settings=["oauth2_access_code"])
        response = api_client.call_api(method, url, header_params=headers, body=body, post_params=post)
        response.read()
        page = api_client.response_deserialize(response, {"200": response_type}).data
        yield page


def _field_labels(api_client):
    """{custom_field_id: label}: one request (100 definitions a page; the account has fewer)."""
    import constant_contact_api_client as sdk

    page = sdk.ContactsCustomFieldsApi(api_client).get_all_custom_fields(limit=100)
    labels = {f.custom_field_id: f.label for f in page.custom_fields or []}
    for more in next_pages(api_client, page, "GetAllCustomFields200Response"):
        labels.update({f.custom_field_id: f.label for f in more.custom_fields or []})
    return labels


def _labelled(contact, labels):
    return {labels.get(f.custom_field_id, f.custom_field_id): f.value for f in contact.custom_fields or []}


# -- 1. every contact --------------------------------------------------------------------------

def list_all_contacts(emu, meter, plan):
    """Every contact (deleted ones too, as get_contacts lists them) with its custom fields
    named, as the legacy summary carries them."""
    import constant_contact_api_client as sdk

    side = Side()
    with connect(emu.base_url, emu.access_token) as api_client, meter.job(side):
        labels = _field_labels(api_client)
        page = sdk.ContactsApi(api_client).get_all_contacts(status="all", include="custom_fields", limit=PAGE)
        contacts = list(page.contacts or [])
        for more in next_pages(api_client, page, "GetAllContacts200Response"):
            contacts.extend(more.contacts or [])
        fields = [_labelled(c, labels) for c in contacts]
    _expect(len(contacts) == plan.contacts, f"SDK listed {len(contacts)} of {plan.contacts} contacts")
    side.extra.update(contacts=len(contacts), with_custom_fields=sum(1 for f in fields if f))
    return side


# -- 2. lookups by email -----------------------------------------------------------------------

def get_contact_by_email(emu, meter, plan):
    """One filtered listing per address with every subresource (what get_contact returns)."""
    import constant_contact_api_client as sdk

    side = Side()
    found = []
    with connect(emu.base_url, emu.access_token) as api_client, meter.job(side):
        labels = _field_labels(api_client)
        contacts_api = sdk.ContactsApi(api_client)
        for address in plan.addresses:
            page = contacts_api.get_all_contacts(email=address, status="all", include=INCLUDE_ALL)
            contact = page.contacts[0]
            found.append((contact, _labelled(contact, labels)))
    _expect([c.email_address.address for c, _ in found] == list(plan.addresses), "SDK lookups answered other contacts")
    side.extra["contacts"] = len(found)
    return side


def query_contacts(emu, meter, plan):
    """Many addresses: V3's email filter takes one, so a careful script reads every page
    (fewer requests than one per address once addresses outnumber pages)."""
    import constant_contact_api_client as sdk

    wanted = {a.lower() for a in plan.addresses}
    side = Side()
    found = {}
    with connect(emu.base_url, emu.access_token) as api_client, meter.job(side):
        labels = _field_labels(api_client)
        first = sdk.ContactsApi(api_client).get_all_contacts(status="all", include="custom_fields", limit=PAGE)
        for page in itertools.chain([first], next_pages(api_client, first, "GetAllContacts200Response")):
            for contact in page.contacts or []:
                if contact.email_address.address.lower() in wanted:
                    found[contact.email_address.address.lower()] = (contact, _labelled(contact, labels))
            if len(found) == len(wanted):
                break
    _expect(set(found) == wanted, f"SDK query found {len(found)} of {len(wanted)} addresses")
    side.extra["contacts"] = len(found)
    return side


# -- 4. bulk import ----------------------------------------------------------------------------

def bulk_import(emu, meter, plan):
    """JSON imports of at most 40,000 rows each into the two lists, then each activity read
    until it is no longer pending."""
    import constant_contact_api_client as sdk
    from constant_contact_api_client.models.create_import_json_activity_request import (
        CreateImportJSONActivityRequest,
    )
    from constant_contact_api_client.models.create_import_json_activity_request_import_data_inner import (
        CreateImportJSONActivityRequestImportDataInner as ImportRow,
    )

    side = Side()
    with connect(emu.base_url, emu.access_token) as api_client, meter.job(side):
        bulk = sdk.BulkActivitiesApi(api_client)
        rows = [ImportRow(email=email, first_name=first, last_name=last) for email, first, last in plan.rows]
        activity_ids = []
        for start in range(0, len(rows), IMPORT_ROWS):
            request = CreateImportJSONActivityRequest(import_data=rows[start:start + IMPORT_ROWS],
                                                      list_ids=list(plan.list_ids))
            activity_ids.append(bulk.create_import_json_activity(request).activity_id)
        done = {}
        with meter.polls(side):
            for _ in range(plan.max_polls):
                side.polls += 1
                for activity_id in activity_ids:
                    if activity_id not in done:
                        activity = bulk.get_activity_by_id(activity_id)
                        if activity.state not in PENDING:
                            done[activity_id] = activity
                if len(done) == len(activity_ids):
                    break
    _expect(len(done) == len(activity_ids) and all(a.state == "completed" for a in done.values()),
            "SDK import did not complete")
    imported = sum(a.status.person_count or 0 for a in done.values())
    _expect(imported == len(plan.rows), f"SDK import counted {imported} of {len(plan.rows)} rows")
    side.extra.update(rows=len(plan.rows), activities=len(activity_ids))
    return side


# -- 5. campaign report ------------------------------------------------------------------------

TRACKING_REPORTS = (
    ("bounces", "get_bounces_report", "GetBouncesReport200Response"),
    ("clicks", "get_clicks_report", "GetClicksReport200Response"),
    ("forwards", "get_forwards_report", "GetForwardsReport200Response"),
    ("opens", "get_email_opens_report", "GetEmailOpensReport200Response"),
    ("opt_outs", "get_optouts_report", "GetOptoutsReport200Response"),
    ("sends", "get_email_sends_report", "GetEmailSendsReport200Response"),
)


def campaign_report(emu, meter, plan):
    """What get_campaign plus every get_campaign_events type report: the campaign, its
    primary activity's stats (every counter, the spam count too), links (unclicked ones
    too), send history (lists and run date), and every tracking report, page by page."""
    import constant_contact_api_client as sdk

    side = Side()
    events = {}
    with connect(emu.base_url, emu.access_token) as api_client, meter.job(side):
        campaign = sdk.EmailCampaignsApi(api_client).get_email_campaign_by_id(plan.campaign_id)
        primary = next(a.campaign_activity_id for a in campaign.campaign_activities if a.role == "primary_email")
        reports = sdk.EmailReportingApi(api_client)
        stats = reports.get_email_campaign_activity_report(primary).results[0].stats
        links = reports.get_campaign_activity_link_report(primary, no_clicks=True).link_click_counts
        history = sdk.EmailSchedulingApi(api_client).get_email_campaign_activity_send_history(primary)
        for name, method, response_type in TRACKING_REPORTS:
            page = getattr(reports, method)(primary, limit=str(PAGE))
            rows = list(page.tracking_activities or [])
            for more in next_pages(api_client, page, response_type):
                rows.extend(more.tracking_activities or [])
            events[name] = rows
    counts = {name: len(rows) for name, rows in events.items()}
    _expect(counts == plan.event_counts, f"SDK events {counts} != seeded {plan.event_counts}")
    _expect(stats.em_sends == plan.event_counts["sends"] and len(links) == plan.links and history,
            "SDK campaign stats, links or send history wrong")
    side.extra.update(events=counts, sent=stats.em_sends, urls=len(links))
    return side


class WrongAnswer(AssertionError):
    pass


def _expect(condition, message):
    if not condition:
        raise WrongAnswer(message)


# -- 6. V2 id resolution (a separate process) --------------------------------------------------

def _v2_number(cell):
    """The V2 number in a stored cell: a bare number or a legacy URI ending in one."""
    text = cell.strip().rstrip("/").rsplit("/", 1)[-1]
    return int(text) if text.isdigit() else None


def resolve_xrefs(input_path, output_path, base_url, access_token, column="id"):
    """Read the stored ids, resolve each distinct V2 id (500 a request), write the file with
    V3 ids (unknown ones left as they were). Returns (summary dict)."""
    import constant_contact_api_client as sdk

    started = time.perf_counter()
    with open(input_path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    index = header.index(column)
    distinct = list(dict.fromkeys(n for n in (_v2_number(row[index]) for row in rows) if n is not None))
    mapping = {}
    requests = 0
    with connect(base_url, access_token) as api_client:
        contacts_api = sdk.ContactsApi(api_client)
        for start in range(0, len(distinct), XREF_BATCH):
            batch = distinct[start:start + XREF_BATCH]
            answer = contacts_api.get_contact_id_xrefs(",".join(map(str, batch)))
            requests += 1
            for xref in answer.xrefs or []:
                mapping[int(xref.sequence_id)] = xref.contact_id
    with open(output_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            v2 = _v2_number(row[index])
            if v2 in mapping:
                row[index] = mapping[v2]
            writer.writerow(row)
    return {"read": len(rows), "unique": len(distinct), "mapped": len(mapping),
            "unmapped": len(distinct) - len(mapping), "requests": requests,
            "seconds": round(time.perf_counter() - started, 3)}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_sdk")
    commands = parser.add_subparsers(dest="command", required=True)
    xref = commands.add_parser("xref", help="resolve the V2 contact ids of a CSV with the official SDK")
    xref.add_argument("input")
    xref.add_argument("-o", "--output", required=True)
    xref.add_argument("--column", default="id")
    args = parser.parse_args(argv)
    summary = resolve_xrefs(args.input, args.output, os.environ["CTCT_BASE_URL"], os.environ["CTCT_ACCESS_TOKEN"],
                            column=args.column)
    print("summary: " + " ".join(f"{k}={v}" for k, v in summary.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
