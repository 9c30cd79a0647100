"""Emulated V3 area: email campaigns and their activities, schedules and send history.

    GET/POST /emails, GET/PATCH/DELETE /emails/{campaign_id},
    GET/PUT /emails/activities/{campaign_activity_id},
    GET/POST/DELETE /emails/activities/{campaign_activity_id}/schedules,
    GET /emails/activities/{campaign_activity_id}/send_history, .../previews, POST .../tests

A campaign holds only its name and status; the content lives in its `primary_email` activity
(POST /emails also creates a `permalink` activity). Sending is in `ctct.emulator.sending`, the
tracking events it produces in `ctct.emulator.tracking`. The "emails" seeder loads campaigns
through the same validation, optionally already scheduled or sent with tracking history.
"""
import functools
import re
import weakref

from .. import isotime, sending, tracking
from ..http import ApiError, bad_request, conflict, not_found, route
from ..paging import page_of
from ..seeding import seeder
from ..store import new_id

NAME_MAX = 80
TRACKING_IMAGE = "[[trackingImage]]"
DEFAULT_TYPE, DEFAULT_TYPE_CODE = "NEWSLETTER", 10
CUSTOM_CODE_FORMAT = 5
LEGACY_CUSTOM_CODE_FORMAT = 1  # V7 custom code: V3 converts it to format 5 on create

ACTIVITY_INPUT_FIELDS = {"format_type", "from_name", "from_email", "reply_to_email", "subject",
                         "preheader", "html_content", "physical_address_in_footer"}
# PUT /emails/activities/{id}: what it writes, and the read-only fields it ignores
ACTIVITY_WRITABLE = {"contact_list_ids", "segment_ids", "from_name", "from_email", "reply_to_email",
                     "subject", "preheader", "html_content", "physical_address_in_footer",
                     "document_properties"}
ACTIVITY_READ_ONLY = {"campaign_activity_id", "campaign_id", "role", "current_status", "format_type",
                      "template_id", "permalink_url"}
ACTIVITY_BASE_FIELDS = ("campaign_activity_id", "campaign_id", "role", "contact_list_ids", "segment_ids",
                        "current_status", "format_type", "from_email", "from_name", "reply_to_email",
                        "subject", "template_id", "preheader")
ACTIVITY_INCLUDES = ("physical_address_in_footer", "permalink_url", "html_content", "document_properties")
CAMPAIGN_SUMMARY_FIELDS = ("campaign_id", "created_at", "current_status", "name", "type", "type_code",
                           "updated_at")

ADDRESS_FIELDS = {"address_line1", "address_line2", "address_line3", "address_optional", "city",
                  "country_code", "organization_name", "postal_code", "state_code", "state_non_us_name"}
ADDRESS_READ_ONLY = {"country_name", "state_name"}
ADDRESS_REQUIRED = ("address_line1", "country_code", "organization_name")

# document_properties: name -> max length (None: no limit); letter_format is read-only
DOCUMENT_PROPERTIES = {
    "style_content": 150000, "greeting_salutation": 50, "greeting_name_type": None,
    "greeting_secondary": 1500, "subscribe_link_enabled": None, "subscribe_link_name": 80,
    "text_content": 150000, "permission_reminder_enabled": None, "permission_reminder": 1500,
    "view_as_webpage_enabled": None, "view_as_webpage_text": 50, "view_as_webpage_link_name": None,
    "forward_email_link_enabled": None, "forward_email_link_name": 80,
}
DOCUMENT_FLAGS = {"subscribe_link_enabled", "permission_reminder_enabled", "view_as_webpage_enabled",
                  "forward_email_link_enabled"}
GREETING_NAME_TYPES = ("F", "L", "B", "N")

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def campaign_route(method, pattern):
    """A V3 route that first runs the scheduled sends that are due (sends happen lazily)."""

    def register(handler):
        @functools.wraps(handler)
        def run(request):
            sending.run_due(request.state)
            return handler(request)

        route(method, pattern)(run)
        return handler

    return register


# -- validation -------------------------------------------------------------------------------

def _reject_unknown(obj, allowed, where):
    unknown = sorted(set(obj) - set(allowed))
    if unknown:
        raise bad_request(f"{where}{unknown[0]} is not a recognized property.")


def _string(obj, key, where, *, required=False, max_len=None, allow_empty=False):
    value = obj.get(key)
    if value is None:
        if required:
            raise bad_request(f"{where}{key} is required.")
        return None
    if not isinstance(value, str):
        raise bad_request(f"{where}{key} must be a string.")
    if required and not allow_empty and not value.strip():
        raise bad_request(f"{where}{key} must not be blank.")
    if max_len is not None and len(value) > max_len:
        raise bad_request(f"{where}{key} must be at most {max_len} characters.")
    return value


def confirmed_account_emails(store):
    return {e["email_address"].lower() for e in store.account.get("_emails", [])
            if e.get("confirm_status") == "CONFIRMED"}


def _account_address(store, obj, key, where):
    value = _string(obj, key, where, required=True, max_len=80)
    if value.strip().lower() not in confirmed_account_emails(store):
        raise bad_request(f"{where}{key} {value} is not a confirmed account email address; "
                          "see GET /account/emails.", "api.validation.error")
    return value.strip()


def _physical_address(value, where):
    if not isinstance(value, dict):
        raise bad_request(f"{where}physical_address_in_footer must be an object.")
    inner = where + "physical_address_in_footer."
    _reject_unknown(value, ADDRESS_FIELDS | ADDRESS_READ_ONLY, inner)
    address = {}
    for key in sorted(ADDRESS_FIELDS):
        text = _string(value, key, inner, required=key in ADDRESS_REQUIRED, max_len=255)
        if text is not None:
            address[key] = text
    if address["country_code"].upper() == "US" and not address.get("state_code"):
        raise bad_request(f"{inner}state_code is required when country_code is US.")
    return address


def _html_content(value, format_type, where, *, required):
    html = _string({"html_content": value}, "html_content", where, required=required, max_len=150000,
                   allow_empty=False)
    if html is not None and format_type == CUSTOM_CODE_FORMAT and TRACKING_IMAGE not in html:
        raise bad_request(f"{where}html_content must contain {TRACKING_IMAGE} in the body of a custom "
                          "code (format_type 5) email.")
    return html


def _document_properties(value, where):
    if not isinstance(value, dict):
        raise bad_request(f"{where}document_properties must be an object.")
    inner = where + "document_properties."
    _reject_unknown(value, set(DOCUMENT_PROPERTIES) | {"letter_format"}, inner)
    props = {}
    for key, max_len in DOCUMENT_PROPERTIES.items():
        text = _string(value, key, inner, max_len=max_len, allow_empty=True)
        if text is None:
            continue
        if key in DOCUMENT_FLAGS and text not in ("true", "false"):
            raise bad_request(f"{inner}{key} must be \"true\" or \"false\".")
        if key == "greeting_name_type" and text not in GREETING_NAME_TYPES:
            raise bad_request(f"{inner}greeting_name_type must be one of {', '.join(GREETING_NAME_TYPES)}.")
        props[key] = text
    return props


def _header_fields(store, obj, where):
    """from_name, from_email, reply_to_email, subject (all required) and preheader."""
    return {
        "from_name": _string(obj, "from_name", where, required=True, max_len=100),
        "from_email": _account_address(store, obj, "from_email", where),
        "reply_to_email": _account_address(store, obj, "reply_to_email", where),
        "subject": _string(obj, "subject", where, required=True),
        "preheader": _string(obj, "preheader", where, max_len=200, allow_empty=True),
    }


def validate_campaign_name(store, body, *, exclude_campaign_id=None):
    name = _string(body, "name", "", required=True, max_len=NAME_MAX)
    name = name.strip()
    owner = _name_index(store).get(name.lower())
    if owner is not None and owner != exclude_campaign_id:
        raise conflict(f"An email campaign named {name!r} already exists; campaign names must be unique.",
                       "api.conflict")
    return name


def validate_new_campaign(store, body):
    """The (name, primary activity fields) of a POST /emails body; ApiError when invalid."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    _reject_unknown(body, {"name", "email_campaign_activities"}, "")
    name = validate_campaign_name(store, body)
    activities = body.get("email_campaign_activities")
    if activities is None:
        raise bad_request("email_campaign_activities is required.")
    if not isinstance(activities, list) or len(activities) != 1 or not isinstance(activities[0], dict):
        raise bad_request("email_campaign_activities must be an array holding one email campaign activity.")
    given = activities[0]
    where = "email_campaign_activities[0]."
    _reject_unknown(given, ACTIVITY_INPUT_FIELDS, where)
    format_type = given.get("format_type")
    if format_type is None:
        raise bad_request(f"{where}format_type is required.")
    if isinstance(format_type, bool) or not isinstance(format_type, int):
        raise bad_request(f"{where}format_type must be an integer.")
    if format_type not in (CUSTOM_CODE_FORMAT, LEGACY_CUSTOM_CODE_FORMAT):
        raise bad_request(f"{where}format_type {format_type} is not supported; the V3 API creates "
                          "custom code emails (format_type 5).")
    fields = _header_fields(store, given, where)
    html = given.get("html_content")
    if format_type == LEGACY_CUSTOM_CODE_FORMAT and isinstance(html, str) and TRACKING_IMAGE not in html:
        html = _with_tracking_image(html)  # the V7 -> custom code conversion adds it
    fields["html_content"] = _html_content(html, CUSTOM_CODE_FORMAT, where, required=True)
    fields["format_type"] = CUSTOM_CODE_FORMAT
    if given.get("physical_address_in_footer") is not None:
        fields["physical_address_in_footer"] = _physical_address(given["physical_address_in_footer"], where)
    else:
        fields["physical_address_in_footer"] = _account_footer(store)
    return name, fields


def _with_tracking_image(html):
    match = re.search(r"<body[^>]*>", html, re.IGNORECASE)
    if match:
        return html[:match.end()] + TRACKING_IMAGE + html[match.end():]
    return TRACKING_IMAGE + html


def _account_footer(store):
    """The footer V3 fills in from the account when a campaign gives none."""
    account = store.account
    address = dict(account.get("physical_address") or {})
    footer = {k: v for k, v in address.items() if k in ADDRESS_FIELDS and v}
    footer.setdefault("address_line1", "Address unknown")
    footer.setdefault("country_code", account.get("country_code") or "US")
    footer["organization_name"] = account.get("organization_name") or "Organization"
    if footer["country_code"] == "US":
        footer.setdefault("state_code", account.get("state_code") or "MA")
    return footer


def validate_recipients(store, body):
    """contact_list_ids / segment_ids of a PUT body (missing means none, as PUT overwrites)."""
    list_ids = body.get("contact_list_ids")
    segment_ids = body.get("segment_ids")
    if list_ids is None:
        list_ids = []
    if segment_ids is None:
        segment_ids = []
    if not isinstance(list_ids, list) or not all(isinstance(x, str) for x in list_ids):
        raise bad_request("contact_list_ids must be an array of list_id strings.")
    if not isinstance(segment_ids, list) or not all(isinstance(x, int) and not isinstance(x, bool)
                                                    for x in segment_ids):
        raise bad_request("segment_ids must be an array of integers.")
    if list_ids and segment_ids:
        raise bad_request("Use contact_list_ids or segment_ids, not both.")
    for list_id in list_ids:
        if list_id not in store.contact_lists:
            raise bad_request(f"contact_list_ids: the contact list {list_id} does not exist.")
    if segment_ids:  # the emulator keeps no segments, so no segment_id exists
        raise bad_request(f"segment_ids: the segment {segment_ids[0]} does not exist.")
    return list(dict.fromkeys(list_ids)), []


def validate_activity_put(store, activity, body):
    """The new stored fields of a primary_email activity from a PUT body; ApiError when invalid."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    _reject_unknown(body, ACTIVITY_WRITABLE | ACTIVITY_READ_ONLY, "")
    fields = _header_fields(store, body, "")
    fields["contact_list_ids"], fields["segment_ids"] = validate_recipients(store, body)
    # Subresources a PUT omits are kept; html_content is one of them.
    if body.get("html_content") is not None:
        fields["html_content"] = _html_content(body["html_content"], activity["format_type"], "", required=True)
    footer = body.get("physical_address_in_footer")
    if footer is not None:
        if not isinstance(footer, dict):
            raise bad_request("physical_address_in_footer must be an object.")
        merged = {**(activity.get("physical_address_in_footer") or {}), **footer}
        fields["physical_address_in_footer"] = _physical_address(merged, "")
    if body.get("document_properties") is not None:
        merged = dict(activity.get("document_properties") or {})
        merged.pop("letter_format", None)
        props = _document_properties(body["document_properties"], "")
        merged.update(props)
        merged["letter_format"] = (activity.get("document_properties") or {}).get("letter_format", "HTML")
        fields["document_properties"] = merged
    return fields


# -- the store --------------------------------------------------------------------------------

_NAME_INDEXES = weakref.WeakKeyDictionary()  # AccountStore -> (emails collection, {lower name: id})


def _name_index(store):
    cached = _NAME_INDEXES.get(store)
    if cached is None or cached[0] is not store.emails:  # rebuilt after reset / state load
        names = {c["name"].lower(): c["campaign_id"] for c in store.emails.values()}
        cached = _NAME_INDEXES[store] = (store.emails, names)
    return cached[1]


def create_campaign(store, body, *, v2_id=None, campaign_id=None, activity_id=None, when=None):
    """Validate a POST /emails body and store the campaign with its primary_email and permalink
    activities; returns the campaign. Raises ApiError like V3."""
    name, fields = validate_new_campaign(store, body)
    campaign_id = campaign_id or new_id()
    activity_id = activity_id or new_id()
    permalink_id = new_id()
    when = when or isotime.format_utc(isotime.now())
    primary = {
        "campaign_activity_id": activity_id,
        "campaign_id": campaign_id,
        "role": "primary_email",
        "contact_list_ids": [],
        "current_status": "DRAFT",
        "format_type": fields["format_type"],
        "from_email": fields["from_email"],
        "from_name": fields["from_name"],
        "reply_to_email": fields["reply_to_email"],
        "subject": fields["subject"],
        "html_content": fields["html_content"],
        "physical_address_in_footer": fields["physical_address_in_footer"],
        "document_properties": {"letter_format": "HTML"},
    }
    if fields.get("preheader") is not None:
        primary["preheader"] = fields["preheader"]
    permalink = {k: primary[k] for k in ("campaign_id", "current_status", "format_type", "from_email",
                                         "from_name", "reply_to_email", "subject")}
    permalink.update({"campaign_activity_id": permalink_id, "role": "permalink", "contact_list_ids": []})
    campaign = {
        "campaign_id": campaign_id,
        "name": name,
        "current_status": "Draft",
        "type": DEFAULT_TYPE,
        "type_code": DEFAULT_TYPE_CODE,
        "created_at": when,
        "updated_at": when,
        "campaign_activities": [
            {"campaign_activity_id": activity_id, "role": "primary_email"},
            {"campaign_activity_id": permalink_id, "role": "permalink"},
        ],
    }
    store.emails.add(campaign, v2_id)
    store.campaign_activities.add(primary)
    store.campaign_activities.add(permalink)
    _name_index(store)[name.lower()] = campaign_id
    return campaign


def primary_activity(store, campaign):
    """The campaign's primary_email activity (its content; the one V2 ids and reports follow)."""
    for ref in campaign.get("campaign_activities", []):
        if ref["role"] == "primary_email":
            return store.campaign_activities.get(ref["campaign_activity_id"])
    return None


def rename_campaign(store, campaign, name):
    index = _name_index(store)
    index.pop(campaign["name"].lower(), None)
    campaign["name"] = name
    index[name.lower()] = campaign["campaign_id"]


def remove_campaign(store, campaign):
    """DELETE: the campaign and its activities become Removed (V3 keeps them, restorable in the UI)."""
    for ref in campaign.get("campaign_activities", []):
        activity = store.campaign_activities.get(ref["campaign_activity_id"])
        if activity is not None:
            activity["current_status"] = "REMOVED"
            sending.schedules(store).pop(activity["campaign_activity_id"], None)
    campaign["current_status"] = "Removed"
    campaign["updated_at"] = isotime.format_utc(isotime.now())


def render_campaign(campaign, *, with_activities=True):
    body = {k: campaign[k] for k in CAMPAIGN_SUMMARY_FIELDS if campaign.get(k) is not None}
    if with_activities:
        body["campaign_activities"] = [dict(ref) for ref in campaign.get("campaign_activities", [])]
    return body


def render_activity(activity, include=ACTIVITY_INCLUDES):
    body = {}
    for key in ACTIVITY_BASE_FIELDS + tuple(include):
        value = activity.get(key)
        if value is None or (key == "segment_ids" and not value):
            continue
        body[key] = [*value] if isinstance(value, list) else (dict(value) if isinstance(value, dict) else value)
    return body


# -- lookups ----------------------------------------------------------------------------------

def find_campaign(request):
    campaign = request.state.emails.get(request.params["campaign_id"])
    if campaign is None:
        raise not_found(f"Email campaign {request.params['campaign_id']} was not found.")
    return campaign


def find_activity(request, *, allow_removed=False):
    activity = request.state.campaign_activities.get(request.params["campaign_activity_id"])
    if activity is None or (activity["current_status"] == "REMOVED" and not allow_removed):
        raise not_found(f"Email campaign activity {request.params['campaign_activity_id']} was not found.")
    return activity


def _require_primary(activity, action):
    if activity["role"] != "primary_email":
        raise bad_request(f"Only primary_email campaign activities can be {action}; this one is "
                          f"{activity['role']}.")


# -- campaigns --------------------------------------------------------------------------------

@campaign_route("GET", "/emails")
def list_campaigns(request):
    limit = request.int_arg("limit", 50, minimum=1, maximum=500)
    bounds = {}
    for name in ("before_date", "after_date"):
        raw = request.arg(name)
        if raw is not None:
            bounds[name] = isotime.normalize(raw)
            if bounds[name] is None:
                raise bad_request(f"{name} must be an ISO-8601 date-time.")
    before, after = bounds.get("before_date"), bounds.get("after_date")

    def match(campaign):
        updated = campaign.get("updated_at") or ""
        return (before is None or updated < before) and (after is None or updated > after)

    return page_of(request, request.state.emails, "campaigns", limit=limit,
                   match=match if bounds else None,
                   render=lambda c: render_campaign(c, with_activities=False))


@campaign_route("POST", "/emails")
def post_campaign(request):
    campaign = create_campaign(request.state, request.json())
    return 200, render_campaign(campaign)  # V3 answers 200, not 201


@campaign_route("GET", "/emails/{campaign_id}")
def get_campaign(request):
    return render_campaign(find_campaign(request))


@campaign_route("PATCH", "/emails/{campaign_id}")
def patch_campaign(request):
    campaign = find_campaign(request)
    body = request.json_object()
    _reject_unknown(body, {"name"}, "")
    if campaign["current_status"] == "Removed":
        raise bad_request("You cannot rename an email campaign that has a Removed status.")
    name = validate_campaign_name(request.state, body, exclude_campaign_id=campaign["campaign_id"])
    rename_campaign(request.state, campaign, name)
    campaign["updated_at"] = isotime.format_utc(isotime.now())
    return render_campaign(campaign)


@campaign_route("DELETE", "/emails/{campaign_id}")
def delete_campaign(request):
    campaign = find_campaign(request)
    if campaign["current_status"] == "Removed":
        raise not_found(f"Email campaign {campaign['campaign_id']} was not found.")
    if campaign["current_status"] == "Scheduled":
        raise bad_request("You cannot delete an email campaign that has a Scheduled status; "
                          "unschedule it first.")
    remove_campaign(request.state, campaign)
    return 204, None


# -- activities -------------------------------------------------------------------------------

@campaign_route("GET", "/emails/activities/{campaign_activity_id}")
def get_activity(request):
    activity = find_activity(request)
    include = request.args("include")
    unknown = [name for name in include if name not in ACTIVITY_INCLUDES]
    if unknown:
        raise bad_request(f"include: {unknown[0]} is not one of {', '.join(ACTIVITY_INCLUDES)}.")
    return render_activity(activity, [name for name in ACTIVITY_INCLUDES if name in include])


@campaign_route("PUT", "/emails/activities/{campaign_activity_id}")
def put_activity(request):
    activity = find_activity(request)
    body = request.json()
    _require_primary(activity, "updated")
    if activity["current_status"] not in ("DRAFT", "DONE"):
        raise bad_request(f"You can only update email campaign activities in DRAFT or DONE status; "
                          f"this one is {activity['current_status']}.")
    fields = validate_activity_put(request.state, activity, body)
    if fields.get("preheader") is None:
        activity.pop("preheader", None)  # PUT overwrites the properties it omits
    activity.update({k: v for k, v in fields.items() if v is not None})
    _sync_permalink(request.state, activity)
    campaign = request.state.emails.get(activity["campaign_id"])
    if campaign is not None:
        campaign["updated_at"] = isotime.format_utc(isotime.now())
    return render_activity(activity)


def _sync_permalink(store, primary):
    campaign = store.emails.get(primary["campaign_id"]) or {}
    for ref in campaign.get("campaign_activities", []):
        if ref["role"] == "permalink":
            permalink = store.campaign_activities.get(ref["campaign_activity_id"])
            if permalink is not None:
                for key in ("from_email", "from_name", "reply_to_email", "subject"):
                    permalink[key] = primary[key]


# -- schedules --------------------------------------------------------------------------------

@campaign_route("GET", "/emails/activities/{campaign_activity_id}/schedules")
def get_schedules(request):
    activity = find_activity(request)
    date = sending.scheduled_date(request.state, activity)
    if activity["current_status"] != "SCHEDULED" or date is None:
        return []
    return [{"scheduled_date": date}]


@campaign_route("POST", "/emails/activities/{campaign_activity_id}/schedules")
def post_schedule(request):
    activity = find_activity(request)
    body = request.json_object()
    _reject_unknown(body, {"scheduled_date"}, "")
    raw = body.get("scheduled_date")
    if raw is None:
        raise bad_request("scheduled_date is required.")
    if not isinstance(raw, str):
        raise bad_request('scheduled_date must be an ISO-8601 date-time string or "0".')
    send_now = raw.strip() == "0"
    when = None if send_now else isotime.normalize(raw)
    if not send_now and when is None:
        raise bad_request('scheduled_date must be an ISO-8601 date-time or "0" (send now).')
    _require_primary(activity, "scheduled")
    if activity["current_status"] not in sending.SCHEDULABLE:
        raise bad_request(f"You can only schedule email campaign activities in DRAFT, DONE or ERROR "
                          f"status; this one is {activity['current_status']}.")
    if not activity.get("contact_list_ids") and not activity.get("segment_ids"):
        raise bad_request("The email campaign activity has no recipients: add contact_list_ids with "
                          "PUT /emails/activities/{campaign_activity_id} before scheduling it.")
    now = isotime.format_utc(isotime.now())
    if send_now or when <= now:
        sending.send(request.state, activity, now if send_now else when)
        return 201, ([] if send_now else [{"scheduled_date": when}])
    sending.schedule(request.state, activity, when)
    return 201, [{"scheduled_date": when}]


@campaign_route("DELETE", "/emails/activities/{campaign_activity_id}/schedules")
def delete_schedule(request):
    activity = find_activity(request)
    if activity["current_status"] != "SCHEDULED":
        raise bad_request(f"Only SCHEDULED email campaign activities can be unscheduled; this one is "
                          f"{activity['current_status']}.")
    sending.unschedule(request.state, activity)
    return 204, None


@campaign_route("GET", "/emails/activities/{campaign_activity_id}/send_history")
def get_send_history(request):
    activity = find_activity(request)
    return [dict(item) for item in sending.send_history(request.state, activity["campaign_activity_id"])]


@campaign_route("GET", "/emails/activities/{campaign_activity_id}/previews")
def get_preview(request):
    activity = find_activity(request)
    html = activity.get("html_content") or ""
    account = request.state.account
    preview = html.replace(TRACKING_IMAGE, "")
    for key in ("first_name", "last_name"):
        preview = preview.replace(f"[[{key.upper()}]]", account.get(key) or "")
    preview_body = {
        "campaign_activity_id": activity["campaign_activity_id"],
        "from_email": activity.get("from_email"),
        "from_name": activity.get("from_name"),
        "preheader": activity.get("preheader"),
        "preview_html_content": preview,
        "preview_text_content": re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview)).strip(),
        "reply_to_email": activity.get("reply_to_email"),
        "subject": activity.get("subject"),
    }
    return {k: v for k, v in preview_body.items() if v is not None}


@campaign_route("POST", "/emails/activities/{campaign_activity_id}/tests")
def post_test_send(request):
    activity = find_activity(request)
    body = request.json_object()
    _reject_unknown(body, {"email_addresses", "personal_message"}, "")
    addresses = body.get("email_addresses")
    if not isinstance(addresses, list) or not addresses or not all(isinstance(a, str) for a in addresses):
        raise bad_request("email_addresses must be a non-empty array of email addresses.")
    if len(addresses) > 5:
        raise bad_request("email_addresses may hold at most 5 addresses.")
    for address in addresses:
        if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", address):
            raise bad_request(f"email_addresses: {address} is not a valid email address.")
    _string(body, "personal_message", "", max_len=1000, allow_empty=True)
    _require_primary(activity, "test sent")
    return 204, None  # the emulator sends no mail


# -- seeding ----------------------------------------------------------------------------------

SEED_CAMPAIGN_KEYS = {"v2_id", "campaign_id", "current_status", "scheduled_date", "tracking", "created_at",
                      "updated_at", "type", "type_code", "contact_list_ids", "campaign_activities"}
SEED_ACTIVITY_KEYS = {"campaign_activity_id", "contact_list_ids", "document_properties", "permalink_url",
                      "role", "current_status", "campaign_id"}
SEED_STATUSES = ("Draft", "Scheduled", "Done", "Error", "Removed")
EVENT_ALIASES = {"sends": "em_sends", "opens": "em_opens", "clicks": "em_clicks", "bounces": "em_bounces",
                 "forwards": "em_forwards", "optouts": "em_optouts", "unsubscribes": "em_optouts",
                 "abuse": "em_abuse", "spam": "em_abuse"}


@seeder("emails", 30)
def seed_emails(store, items):
    """Load campaigns: V3 POST /emails bodies, each optionally carrying
      v2_id, campaign_id, created_at, updated_at, type, type_code,
      current_status  "Draft" (default) | "Scheduled" | "Done" | "Error" | "Removed",
      scheduled_date  when a Scheduled campaign goes out, or when a Done one went out,
      contact_list_ids  (top level or in the activity) lists by list_id, V2 id or name,
      tracking  [{type: em_sends|em_opens|em_clicks|em_bounces|em_forwards|em_optouts|em_abuse
                  (or sends, opens, ...), email_address, created_time, link_url, bounce_code,
                  opt_out_reason, device_type}] naming contacts by email address.
    A Done campaign whose tracking has no sends is sent to its lists' members at scheduled_date.
    The activity may also carry campaign_activity_id, document_properties and permalink_url.
    """
    list_names = None
    for number, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"emails[{number}] must be an object")
        label = f"emails[{number}] ({item.get('name')!r})"
        try:
            if list_names is None:
                list_names = {lst.get("name"): lst["list_id"] for lst in store.contact_lists.values()}
            seed_campaign(store, item, list_names)
        except ApiError as err:
            raise ValueError(f"{label}: {err.error_message}") from None
        except ValueError as err:
            raise ValueError(f"{label}: {err}") from None


def seed_campaign(store, item, list_names):
    item = dict(item)
    unknown = set(item) - SEED_CAMPAIGN_KEYS - {"name", "email_campaign_activities"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    activities = item.pop("email_campaign_activities", None) or item.pop("campaign_activities", None)
    item.pop("campaign_activities", None)
    if not isinstance(activities, list) or not activities:
        raise ValueError("email_campaign_activities is required")
    given = _seed_primary(activities)
    activity_extra = {k: given.pop(k) for k in list(given) if k in SEED_ACTIVITY_KEYS}
    status = item.pop("current_status", None) or "Draft"
    if status not in SEED_STATUSES:
        raise ValueError(f"current_status must be one of {', '.join(SEED_STATUSES)}")
    when_text = item.pop("scheduled_date", None)
    when = isotime.normalize(when_text) if when_text is not None else None
    if when_text is not None and when is None:
        raise ValueError("scheduled_date must be an ISO-8601 date-time")
    created_at = _seed_time(item.pop("created_at", None), "created_at")
    updated_at = _seed_time(item.pop("updated_at", None), "updated_at")
    events = item.pop("tracking", None) or []
    list_refs = item.pop("contact_list_ids", None) or activity_extra.pop("contact_list_ids", None) or []
    campaign_type, type_code = item.pop("type", None), item.pop("type_code", None)
    if type_code is not None and (isinstance(type_code, bool) or not isinstance(type_code, int)):
        raise ValueError("type_code must be an integer")
    v2_id = item.pop("v2_id", None)
    if item.get("campaign_id") in store.emails:
        raise ValueError(f"campaign_id {item['campaign_id']} is already used")
    if activity_extra.get("campaign_activity_id") in store.campaign_activities:
        raise ValueError(f"campaign_activity_id {activity_extra['campaign_activity_id']} is already used")

    campaign = create_campaign(store, {"name": item.get("name"), "email_campaign_activities": [given]},
                               v2_id=v2_id, campaign_id=item.pop("campaign_id", None),
                               activity_id=activity_extra.get("campaign_activity_id"), when=created_at)
    if campaign_type is not None:
        campaign["type"] = campaign_type
    if type_code is not None:
        campaign["type_code"] = type_code
    activity = primary_activity(store, campaign)
    activity["contact_list_ids"] = [_resolve_list(store, ref, list_names) for ref in list_refs]
    if activity_extra.get("document_properties") is not None:
        props = _document_properties(activity_extra["document_properties"], "")
        activity["document_properties"] = {**props, "letter_format": "HTML"}
    if activity_extra.get("permalink_url"):
        activity["permalink_url"] = activity_extra["permalink_url"]

    if status in ("Draft", "Error", "Removed") and events:
        raise ValueError(f"a {status} campaign has no tracking history (use Done)")
    if status == "Scheduled":
        if events:
            raise ValueError("a Scheduled campaign has no tracking history yet")
        if when is None:
            raise ValueError("a Scheduled campaign needs scheduled_date")
        if not activity["contact_list_ids"]:
            raise ValueError("a Scheduled campaign needs contact_list_ids")
        sending.schedule(store, activity, when)
    elif status == "Done":
        _seed_sent(store, activity, events, when or created_at or updated_at)
    elif status == "Error":
        sending.set_status(store, activity, "ERROR")
    elif status == "Removed":
        remove_campaign(store, campaign)
    campaign["updated_at"] = updated_at or (max(campaign["updated_at"], created_at) if created_at
                                            else campaign["updated_at"])
    return campaign


def _seed_primary(activities):
    for given in activities:
        if isinstance(given, dict) and given.get("role", "primary_email") == "primary_email":
            return dict(given)
    raise ValueError("email_campaign_activities needs a primary_email activity")


def _seed_time(text, name):
    if text is None:
        return None
    value = isotime.normalize(text)
    if value is None:
        raise ValueError(f"{name} must be an ISO-8601 date-time")
    return value


def _resolve_list(store, ref, list_names):
    """A seed's list reference (list_id, V2 id or list name) as a list_id."""
    if isinstance(ref, str) and ref in store.contact_lists:
        return ref
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        list_id = store.contact_lists.by_v2.get(int(ref))
        if list_id is not None:
            return list_id
    if isinstance(ref, str) and ref in list_names:
        return list_names[ref]
    raise ValueError(f"contact list {ref!r} is not a list_id, V2 id or list name in the seed")


def _seed_sent(store, activity, events, when):
    """Record a sent campaign's history: its sends (given, or one per list member) and events."""
    from .contacts import find_by_email

    caid = activity["campaign_activity_id"]
    parsed = []
    for number, raw in enumerate(events):
        if not isinstance(raw, dict):
            raise ValueError(f"tracking[{number}] must be an object")
        kind = raw.get("type") or raw.get("tracking_activity_type")
        kind = EVENT_ALIASES.get(kind, kind)
        if kind not in tracking.EVENT_TYPES:
            raise ValueError(f"tracking[{number}]: type {kind!r} is not one of {', '.join(tracking.EVENT_TYPES)}")
        address = raw.get("email_address")
        contact = find_by_email(store, address) if isinstance(address, str) else None
        if contact is None:
            raise ValueError(f"tracking[{number}]: no contact has email_address {address!r}")
        created = _seed_time(raw.get("created_time"), f"tracking[{number}].created_time")
        parsed.append((number, kind, contact, created, raw))
    sends = [p for p in parsed if p[1] == tracking.SENDS]
    if when is None:
        times = [p[3] for p in parsed if p[3]]
        when = min(times) if times else isotime.format_utc(isotime.now())
    if sends:
        tracking.record(store, caid, [sending.contact_event(c, kind, created or when)
                                      for _, kind, c, created, _ in sends])
        count = len(sends)
        sending.finish_send(store, activity, when, count)
    else:
        sending.send(store, activity, when)
    sent_to = tracking.index(store, caid).contacts_sent()
    others = []
    for number, kind, contact, created, raw in parsed:
        if kind == tracking.SENDS:
            continue
        if contact["contact_id"] not in sent_to:
            raise ValueError(f"tracking[{number}]: {contact['email_address']['address']} was not sent "
                             "this campaign (not a member of its lists)")
        extra = {"device_type": raw.get("device_type")}
        if kind == tracking.CLICKS:
            link_url = raw.get("link_url")
            if not isinstance(link_url, str) or not link_url:
                raise ValueError(f"tracking[{number}]: a click needs link_url")
            extra.update(link_url=link_url, url_id=tracking.url_id_for(store, caid, link_url))
        elif kind == tracking.BOUNCES:
            code = raw.get("bounce_code")
            if code not in tracking.BOUNCE_CODES:
                raise ValueError(f"tracking[{number}]: bounce_code must be one of "
                                 f"{', '.join(tracking.BOUNCE_CODES)}")
            extra["bounce_code"] = code
        elif kind == tracking.OPTOUTS:
            extra["opt_out_reason"] = raw.get("opt_out_reason")
        others.append(sending.contact_event(contact, kind, created or when, **extra))
    tracking.record(store, caid, others)
