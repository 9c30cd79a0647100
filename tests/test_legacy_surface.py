"""A meta-test: the legacy surface is complete, signature for signature, and every method
that the 2009 README shows is exercised by the walkthrough (`ctct demo`)."""
import inspect
from pathlib import Path

import pytest

from ctct import CTCTConnection

# (name, the 2009 client's parameters in order, its defaults) as ctctwspylib 1.0 declared them
LEGACY_METHODS = [
    ("verify_credentials", [], {}),
    ("get_contact_lists", ["path"], {"path": None}),
    ("get_contact_list", ["list_id_number"], {}),
    ("get_contact_list_members", ["list_id_number", "path"], {"list_id_number": None, "path": None}),
    ("create_contact_list", ["contact_list_name"], {}),
    ("update_contact_list", ["params", "list_id_number"], {}),
    ("delete_contact_list", ["list_id_number"], {}),
    ("get_contacts", ["email", "path"], {"email": None, "path": None}),
    ("query_contacts", ["emails", "path"], {"path": None}),
    ("get_contact", ["email", "contact_id_number"], {"email": None, "contact_id_number": None}),
    ("create_contact", ["params"], {}),
    ("update_contact", ["params", "email", "contact_id_number"], {"email": None, "contact_id_number": None}),
    ("delete_contact", ["email", "contact_id_number"], {"email": None, "contact_id_number": None}),
    ("get_contact_events", ["event_type", "email", "contact_id_number", "path"],
     {"email": None, "contact_id_number": None, "path": None}),
    ("get_campaigns", ["type", "path"], {"type": 0, "path": None}),
    ("get_campaign", ["campaign_id_number"], {}),
    ("get_campaign_events", ["campaign_id_number", "event_type", "path"], {"path": None}),
    ("get_activities", ["path"], {"path": None}),
    ("get_activity", ["activity_id_number"], {}),
    ("create_activity", ["type", "lists", "data", "filename"], {"data": None, "filename": None}),
]

NOT_IN_THE_2009_README = {"query_contacts"}  # so the walkthrough has no step for it

WALKTHROUGH = (Path(__file__).resolve().parents[1] / "ctct" / "legacy" / "walkthrough.py").read_text()


@pytest.mark.parametrize("name, params, defaults", LEGACY_METHODS, ids=[m[0] for m in LEGACY_METHODS])
def test_method_keeps_the_2009_signature(name, params, defaults):
    signature = inspect.signature(getattr(CTCTConnection, name))
    positional = [p for p in signature.parameters.values()
                  if p.name != "self" and p.kind is p.POSITIONAL_OR_KEYWORD]
    assert [p.name for p in positional][:len(params)] == params
    for param in positional[len(params):]:
        assert param.default is not param.empty, f"{name}: new parameter {param.name} must be optional"
    for key, value in defaults.items():
        assert signature.parameters[key].default == value


@pytest.mark.parametrize("name", [m[0] for m in LEGACY_METHODS if m[0] not in NOT_IN_THE_2009_README])
def test_walkthrough_exercises_every_method_the_2009_readme_shows(name):
    assert f"conn.{name}(" in WALKTHROUGH


def test_constants_and_exception_as_2009_code_reads_them():
    c = CTCTConnection
    assert [c.EVENTS_BOUNCES, c.EVENTS_CLICKS, c.EVENTS_FORWARDS, c.EVENTS_OPENS, c.EVENTS_OPT_OUTS,
            c.EVENTS_SENDS] == list(range(6))
    assert c.EVENTS_OUT_OUTS == c.EVENTS_OPT_OUTS
    assert [c.CAMPAIGNS_ALL, c.CAMPAIGNS_DRAFT, c.CAMPAIGNS_RUNNING, c.CAMPAIGNS_SENT,
            c.CAMPAIGNS_SCHEDULED] == list(range(5))
    assert c.API_BASE_URL == "https://api.constantcontact.com/ws/customers/"
    assert c.NS_ATOM == "http://www.w3.org/2005/Atom"
    assert c.NS_CTCT == "http://ws.constantcontact.com/ns/1.0/"
    assert c.DO_NOT_INCLUDE_LISTS == ["Removed", "Do Not Mail", "Active"]
    from ctct import InvalidUsernameException

    assert c.InvalidUsernameException is InvalidUsernameException
