"""Emulated V3 area: the V2 -> V3 id cross-reference endpoints.

    GET /contacts/contact_id_xrefs?sequence_ids=1,2,3          (at most 500 ids)
    GET /contact_lists/list_id_xrefs?sequence_ids=1,2,3        (at most 500 ids)
    GET /emails/campaign_id_xrefs?v2_email_campaign_ids=...    (at most 50 ids)

Answers follow the spec's ContactXrefs, ListXrefs and CrossReferenceResponse: V2 ids come
back as strings, sorted ascending; an id the account does not know is simply absent. The
mapping is each collection's `by_v2` index, which the store keeps as objects are added.
"""
from ..http import bad_request, route

CONTACT_LIST_MAX = 500
CAMPAIGN_MAX = 50


def _v2_ids(request, name, maximum):
    """The distinct V2 ids asked for, ascending; 400 as V3 answers for a bad list."""
    raw = request.args(name)
    if not raw:
        raise bad_request(f"The {name} query parameter is required.", "api.validation.required")
    if len(raw) > maximum:
        raise bad_request(f"{name} accepts at most {maximum} ids; {len(raw)} were given.",
                          "api.validation.max_items")
    ids = set()
    for value in raw:
        text = value.strip()
        if not text.isdigit() or len(text) > 19:
            raise bad_request(f"{name} must be a comma-separated list of V2 ids; {value!r} is not one.",
                              "api.validation.invalid")
        ids.add(int(text))
    return sorted(ids)


@route("GET", "/contacts/contact_id_xrefs")
def contact_id_xrefs(request):
    by_v2 = request.state.contacts.by_v2
    ids = _v2_ids(request, "sequence_ids", CONTACT_LIST_MAX)
    return {"xrefs": [{"sequence_id": str(v2), "contact_id": by_v2[v2]} for v2 in ids if v2 in by_v2]}


@route("GET", "/contact_lists/list_id_xrefs")
def list_id_xrefs(request):
    by_v2 = request.state.contact_lists.by_v2
    ids = _v2_ids(request, "sequence_ids", CONTACT_LIST_MAX)
    return {"xrefs": [{"sequence_id": str(v2), "list_id": by_v2[v2]} for v2 in ids if v2 in by_v2]}


@route("GET", "/emails/campaign_id_xrefs")
def campaign_id_xrefs(request):
    emails = request.state.emails
    ids = _v2_ids(request, "v2_email_campaign_ids", CAMPAIGN_MAX)
    xrefs = []
    for v2 in ids:
        campaign_id = emails.by_v2.get(v2)
        if campaign_id is None:
            continue
        xref = {"v2_email_campaign_id": str(v2), "campaign_id": campaign_id}
        activity_id = primary_email_activity_id(emails.get(campaign_id))
        if activity_id:
            xref["campaign_activity_id"] = activity_id
        xrefs.append(xref)
    return {"xrefs": xrefs}


def primary_email_activity_id(campaign):
    """The campaign's primary_email activity id (V3 lists it first), or None."""
    for activity in (campaign or {}).get("campaign_activities") or []:
        if activity.get("role") == "primary_email":
            return activity.get("campaign_activity_id")
    return None
