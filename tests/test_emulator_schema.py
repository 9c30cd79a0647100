"""Schema conformance: schemathesis 4 drives the emulator from V3's own Swagger 2.0 description.

Three runs against one live emulator (a bearer token in every request):
- property-based, well-formed requests (positive mode): every answer must use a status code the
  spec documents for the operation, a documented content type, and a body that matches the
  response schema;
- property-based, malformed requests (negative mode): never a server error, and any success
  answer still matches its schema (400s have no schema in the spec);
- recorded calls on seeded objects, so GET/PUT/DELETE by id and every `include=` are checked on
  real 2xx bodies too (random ids only ever find 404s).

`EMULATED_PATHS` is the single list of spec paths the emulator serves; each area adds its own.
Known mistakes of the spec (tests/spec/SOURCES.md) are patched in `load_spec()`.
Bounded: a handful of examples per operation, so the module runs in seconds.
"""
import json

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
try:
    from schemathesis.checks import (  # noqa: E402
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )
except ImportError:  # the newest schemathesis pip installs on Python 3.9 (4.4) lacks these checks
    pytest.skip("the conformance checks need a newer schemathesis (Python 3.10+)", allow_module_level=True)

from ctct.emulator import Emulator  # noqa: E402

from .conftest import SPEC_DIR  # noqa: E402

# The spec paths the emulator implements (extend this list when an area adds endpoints).
EMULATED_PATHS = [
    "/contact_lists",
    "/contact_lists/{list_id}",
    "/contacts",
    "/contacts/counts",
    "/contacts/sign_up_form",
    "/contacts/{contact_id}",
    "/contact_custom_fields",
    "/contact_custom_fields/{custom_field_id}",
    # email campaigns (ctct/emulator/api/emails.py)
    "/emails",
    "/emails/{campaign_id}",
    "/emails/activities/{campaign_activity_id}",
    "/emails/activities/{campaign_activity_id}/schedules",
    "/emails/activities/{campaign_activity_id}/send_history",
    "/emails/activities/{campaign_activity_id}/previews",
    "/emails/activities/{campaign_activity_id}/tests",
    # reports (ctct/emulator/api/reports.py)
    "/reports/stats/email_campaigns/{campaign_ids}",
    "/reports/stats/email_campaign_activities/{campaign_activity_ids}",
    "/reports/summary_reports/email_campaign_summaries",
    "/reports/email_reports/{campaign_activity_id}/links",
    "/reports/email_reports/{campaign_activity_id}/tracking/sends",
    "/reports/email_reports/{campaign_activity_id}/tracking/opens",
    "/reports/email_reports/{campaign_activity_id}/tracking/unique_opens",
    "/reports/email_reports/{campaign_activity_id}/tracking/didnotopens",
    "/reports/email_reports/{campaign_activity_id}/tracking/clicks",
    "/reports/email_reports/{campaign_activity_id}/tracking/forwards",
    "/reports/email_reports/{campaign_activity_id}/tracking/optouts",
    "/reports/email_reports/{campaign_activity_id}/tracking/bounces",
    "/reports/contact_reports/{contact_id}/activity_details",
    "/reports/contact_reports/{contact_id}/activity_summary",
    "/reports/contact_reports/{contact_id}/open_and_click_rates",
    # bulk activities (ctct/emulator/api/activities.py)
    "/activities",
    "/activities/{activity_id}",
    "/activities/contacts_json_import",
    "/activities/contacts_file_import",
    "/activities/add_list_memberships",
    "/activities/remove_list_memberships",
    "/activities/contact_delete",
    "/activities/list_delete",
    "/activities/contact_exports",
    "/contact_exports/{file_export_id}",
]

MAX_EXAMPLES = 6
# Methods probed on each path for 405 answers. QUERY is left out: the stdlib server answers a
# method it has no handler for itself (501) before the emulator's router sees it.
UNEXPECTED_METHODS = {"get", "put", "post", "delete", "patch", "options", "trace"}


def content_type_unless_empty(ctx, response, case):
    """content_type_conformance, except for an empty 204: Swagger 2.0's global `produces` lists
    application/json for every answer, but a response without a body has no media type."""
    if response.status_code == 204 and not response.content:
        return None
    # V3's error bodies are JSON even where an operation produces only text/csv
    # (GET /contact_exports/{id}); Swagger 2.0 has no per-response media types to say so
    if response.status_code >= 400 and (response.headers.get("content-type") or [""])[0].startswith("application/json"):
        return None
    return content_type_conformance(ctx, response, case)


CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_unless_empty, response_schema_conformance]
ROBUSTNESS = [not_a_server_error, content_type_unless_empty, response_schema_conformance]

SEED = {
    "custom_fields": [{"label": "Favorite fruit", "type": "string", "custom_field_id": "0f0e0d0c-0000-4000-8000-0000000000f1"}],
    "contact_lists": [{"name": "Seeded list", "list_id": "0a0b0c0d-0000-4000-8000-0000000000a1", "description": "seed"}],
    "contacts": [{
        "contact_id": "0c0d0e0f-0000-4000-8000-0000000000c1",
        "email_address": {"address": "seeded@example.com", "permission_to_send": "explicit"},
        "first_name": "Seeded", "last_name": "Contact", "job_title": "Tester", "company_name": "Acme",
        "birthday_month": 1, "birthday_day": 2, "anniversary": "2020-01-02",
        "list_memberships": ["Seeded list"], "custom_fields": [{"name": "Favorite fruit", "value": "kiwi"}],
        "phone_numbers": [{"phone_number": "555-0100", "kind": "home"}],
        "street_addresses": [{"kind": "work", "street": "1 Main St", "city": "Waltham"}],
        "notes": [{"content": "A note"}], "taggings": ["0d0e0f10-0000-4000-8000-0000000000d1"],
    }],
}
LIST_ID = SEED["contact_lists"][0]["list_id"]
CONTACT_ID = SEED["contacts"][0]["contact_id"]
FIELD_ID = SEED["custom_fields"][0]["custom_field_id"]


def load_spec():
    """V3's Swagger 2.0 description with its known mistakes (SOURCES.md) corrected."""
    spec = json.loads((SPEC_DIR / "v3-swagger.json").read_text(encoding="utf-8"))

    def fix(node):
        if isinstance(node, dict):
            # `maxItems: 0` on list_ids/contact_ids/tag_ids in the membership activities: the prose
            # says up to 50/500; with 0 no valid request could name anything.
            if node.get("maxItems") == 0:
                del node["maxItems"]
            # `maximum` on string query parameters (lists, tags, segment_id) means "at most N
            # comma-separated ids"; as a JSON Schema keyword it does not apply to strings.
            if node.get("type") == "string" and "maximum" in node:
                del node["maximum"]
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)

    fix(spec)
    return spec


def negatable(spec):
    """(METHOD, path) of the operations negative mode can break: those with a query parameter, a
    body, or a constrained path parameter (an unconstrained string id has no invalid value)."""
    found = set()
    for path in EMULATED_PATHS:
        item = spec["paths"][path]
        for method, operation in item.items():
            if method == "parameters":
                continue
            params = list(item.get("parameters", [])) + list(operation.get("parameters", []))
            if any(p["in"] != "path" or set(p) & {"format", "enum", "pattern", "minLength", "maxLength"}
                   for p in params):
                found.add((method.upper(), path))
    return found


def load_schema(mode):
    spec = load_spec()
    schema = schemathesis.openapi.from_dict(spec).include(path=EMULATED_PATHS)
    if mode == GenerationMode.NEGATIVE:
        operations = negatable(spec)
        schema = schema.exclude(lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) not in operations)
    schema.config.generation.update(modes=[mode], max_examples=MAX_EXAMPLES)
    schema.config.phases.coverage.unexpected_methods = set(UNEXPECTED_METHODS)
    if mode == GenerationMode.NEGATIVE:
        # the coverage phase enumerates every boundary and negation (dozens of cases per
        # operation); bounded random fuzzing is enough to show bad input never breaks anything
        schema.config.phases.coverage.enabled = False
        schema.config.phases.examples.enabled = False
    return schema


positive = load_schema(GenerationMode.POSITIVE)
negative = load_schema(GenerationMode.NEGATIVE)
BOUNDED = settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                   derandomize=True, database=None)


@pytest.fixture(scope="module")
def live():
    with Emulator(seed=SEED) as emu:
        yield emu


def auth(emu):
    return {"Authorization": f"Bearer {emu.access_token}"}


def test_every_emulated_path_is_in_the_spec():
    spec_paths = set(load_spec()["paths"])
    assert set(EMULATED_PATHS) <= spec_paths
    assert {op.path for op in (r.ok() for r in positive.get_all_operations())} == set(EMULATED_PATHS)


@positive.parametrize()
@BOUNDED
def test_well_formed_requests_get_documented_answers(case, live):
    case.call_and_validate(base_url=live.base_url, headers=auth(live), checks=CONFORMANCE)


@negative.parametrize()
@BOUNDED
def test_malformed_requests_never_break_the_emulator(case, live):
    case.call_and_validate(base_url=live.base_url, headers=auth(live), checks=ROBUSTNESS)


EVERYTHING = "custom_fields,list_memberships,phone_numbers,street_addresses,taggings,notes"
RECORDED = [
    ("GET", "/contact_lists", {}, {"include_count": "true", "include_membership_count": "all", "limit": 1}, None),
    ("GET", "/contact_lists/{list_id}", {"list_id": LIST_ID}, {"include_membership_count": "active"}, None),
    ("PUT", "/contact_lists/{list_id}", {"list_id": LIST_ID}, {}, {"name": "Seeded list", "favorite": True}),
    ("POST", "/contact_lists", {}, {}, {"name": "Recorded list", "description": "made here"}),
    ("GET", "/contacts", {}, {"include": EVERYTHING, "include_count": "true", "limit": 1, "status": "all"}, None),
    ("GET", "/contacts", {}, {"lists": LIST_ID, "email": "seeded@example.com"}, None),
    ("GET", "/contacts/counts", {}, {"include": "new_subscriber"}, None),
    ("GET", "/contacts/{contact_id}", {"contact_id": CONTACT_ID}, {"include": EVERYTHING}, None),
    ("PUT", "/contacts/{contact_id}", {"contact_id": CONTACT_ID}, {},
     {"update_source": "Account", "first_name": "Put", "email_address": {"address": "seeded@example.com"}}),
    ("POST", "/contacts", {}, {}, {"email_address": {"address": "recorded@example.com"}, "create_source": "Contact",
                                   "list_memberships": [LIST_ID], "notes": [{"content": "n"}]}),
    ("POST", "/contacts/sign_up_form", {}, {}, {"email_address": "signup@example.com", "list_memberships": [LIST_ID]}),
    ("POST", "/contacts/sign_up_form", {}, {}, {"email_address": "signup@example.com", "list_memberships": [LIST_ID]}),
    ("GET", "/contact_custom_fields", {}, {"limit": 1}, None),
    ("GET", "/contact_custom_fields/{custom_field_id}", {"custom_field_id": FIELD_ID}, {}, None),
    ("PUT", "/contact_custom_fields/{custom_field_id}", {"custom_field_id": FIELD_ID}, {}, {"label": "Favorite fruit"}),
    ("POST", "/contact_custom_fields", {}, {}, {"label": "Renewal date", "type": "date"}),
    ("DELETE", "/contacts/{contact_id}", {"contact_id": CONTACT_ID}, {}, None),
    ("GET", "/contacts/{contact_id}", {"contact_id": CONTACT_ID}, {}, None),
    ("DELETE", "/contact_lists/{list_id}", {"list_id": LIST_ID}, {}, None),
    ("DELETE", "/contact_custom_fields/{custom_field_id}", {"custom_field_id": FIELD_ID}, {}, None),
]


def test_recorded_calls_on_seeded_objects_conform():
    """Real 2xx bodies of every operation, in an order that ends by deleting what it read."""
    with Emulator(seed=SEED) as emu:
        for method, path, path_parameters, query, body in RECORDED:
            operation = positive[path][method]
            kwargs = {"path_parameters": path_parameters, "query": query}
            if body is not None:
                kwargs.update(body=body, media_type="application/json")
            response = operation.Case(**kwargs).call_and_validate(
                base_url=emu.base_url, headers=auth(emu), checks=CONFORMANCE)
            assert 200 <= response.status_code < 300, (method, path, response.status_code, response.text)
