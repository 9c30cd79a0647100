"""CTCTConnection itself: the 2009 surface (constants, signatures, exception), credentials,
verify_credentials, and the strict/lenient convention."""
import inspect
import logging

import pytest

import ctct
from ctct import AuthenticationError, CTCTConnection, InvalidUsernameException, ServerError
from ctct.legacy import shapes
from .legacy_support import USERNAME, Counter, connect

# The 2009 client's methods and their parameters, in order (self left out).
LEGACY_SIGNATURES = {
    "verify_credentials": [],
    "get_contact_lists": ["path"],
    "get_contact_list": ["list_id_number"],
    "get_contact_list_members": ["list_id_number", "path"],
    "create_contact_list": ["contact_list_name"],
    "update_contact_list": ["params", "list_id_number"],
    "delete_contact_list": ["list_id_number"],
    "get_contacts": ["email", "path"],
    "query_contacts": ["emails", "path"],
    "get_contact": ["email", "contact_id_number"],
    "create_contact": ["params"],
    "update_contact": ["params", "email", "contact_id_number"],
    "delete_contact": ["email", "contact_id_number"],
    "get_contact_events": ["event_type", "email", "contact_id_number", "path"],
    "get_campaigns": ["type", "path"],
    "get_campaign": ["campaign_id_number"],
    "get_campaign_events": ["campaign_id_number", "event_type", "path"],
    "get_activities": ["path"],
    "get_activity": ["activity_id_number"],
    "create_activity": ["type", "lists", "data", "filename"],
}


def test_the_twenty_methods_keep_their_names_and_positional_parameters():
    for name, params in LEGACY_SIGNATURES.items():
        signature = inspect.signature(getattr(CTCTConnection, name))
        positional = [p.name for p in signature.parameters.values()
                      if p.kind == p.POSITIONAL_OR_KEYWORD and p.name != "self"]
        assert positional == params, name
    assert inspect.signature(CTCTConnection.get_campaigns).parameters["type"].default == 0


def test_constructor_keeps_the_three_positional_arguments():
    params = list(inspect.signature(CTCTConnection).parameters.values())
    assert [p.name for p in params[:3]] == ["api_key", "username", "password"]
    assert all(p.kind == p.KEYWORD_ONLY for p in params[3:])


def test_constants_are_the_2009_values():
    c = CTCTConnection
    assert c.API_BASE_URL == "https://api.constantcontact.com/ws/customers/"
    assert c.DO_NOT_INCLUDE_LISTS == ["Removed", "Do Not Mail", "Active"]
    assert (c.EVENTS_BOUNCES, c.EVENTS_CLICKS, c.EVENTS_FORWARDS, c.EVENTS_OPENS, c.EVENTS_OPT_OUTS,
            c.EVENTS_SENDS) == (0, 1, 2, 3, 4, 5)
    assert c.EVENTS_OUT_OUTS == c.EVENTS_OPT_OUTS == 4  # the README's spelling and the code's
    assert (c.CAMPAIGNS_ALL, c.CAMPAIGNS_DRAFT, c.CAMPAIGNS_RUNNING, c.CAMPAIGNS_SENT,
            c.CAMPAIGNS_SCHEDULED) == (0, 1, 2, 3, 4)
    assert c.NS_ATOM == "http://www.w3.org/2005/Atom"
    assert c.NS_CTCT == "http://ws.constantcontact.com/ns/1.0/"
    assert shapes.EVENTS_OPT_OUTS == c.EVENTS_OPT_OUTS


def test_verify_credentials_with_a_good_token_is_one_cheap_request(emu):
    with connect(emu) as conn, Counter(emu) as counted:
        assert conn.verify_credentials() is True
    assert counted.paths() == [("GET", "/account/summary")]


@pytest.mark.parametrize("strict", [False, True])
def test_verify_credentials_with_a_bad_token_is_false(emu, strict):
    with CTCTConnection("key", USERNAME, "not-a-token", base_url=emu.base_url, rate_limit=None, strict=strict) as conn:
        assert conn.verify_credentials() is False


@pytest.mark.parametrize("username", ["joe", "joe smith!", "", "jöe_smith"])
def test_verify_credentials_raises_the_old_exception_for_an_old_style_bad_username(emu, username):
    conn = CTCTConnection("key", username, "password123", base_url=emu.base_url, rate_limit=None)
    with pytest.raises(conn.InvalidUsernameException) as caught:  # as the 2009 README catches it
        conn.verify_credentials()
    assert "no longer supported" in str(caught.value)
    assert conn.InvalidUsernameException is InvalidUsernameException is ctct.InvalidUsernameException
    # with a good token the username does not matter, as before
    assert CTCTConnection("key", username, emu.access_token, base_url=emu.base_url,
                          rate_limit=None).verify_credentials() is True


def test_verify_credentials_when_v3_fails_otherwise(emu, caplog):
    emu.inject(500, times=20, path="/account/summary")
    with connect(emu) as conn, caplog.at_level(logging.WARNING, logger="ctct"):
        assert conn.verify_credentials() is False
    assert "verify_credentials failed" in caplog.text and "500" in caplog.text
    with connect(emu, strict=True) as strict:
        with pytest.raises(ServerError):
            strict.verify_credentials()


def test_the_token_can_be_the_password_or_a_keyword_or_the_environment(emu, monkeypatch):
    assert CTCTConnection("k", USERNAME, None, access_token=emu.access_token, base_url=emu.base_url,
                          rate_limit=None).verify_credentials()
    monkeypatch.setenv("CTCT_BASE_URL", emu.base_url)
    monkeypatch.setenv("CTCT_ACCESS_TOKEN", emu.access_token)
    conn = CTCTConnection("k", USERNAME, None, rate_limit=None)
    assert conn.client.base_url == emu.base_url
    assert conn.verify_credentials() is True


def test_no_credentials_at_all_raises_at_construction_telling_to_log_in(monkeypatch, tmp_path):
    for name in ("CTCT_ACCESS_TOKEN", "CTCT_REFRESH_TOKEN", "CTCT_CLIENT_ID", "CTCT_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(AuthenticationError) as caught:
        CTCTConnection("client-id", USERNAME, None)
    assert "ctct login" in str(caught.value)


def test_no_token_in_repr_or_logs(emu, caplog):
    with caplog.at_level(logging.DEBUG, logger="ctct"):
        conn = connect(emu)
        conn.verify_credentials()
        conn.get_contact(email="nobody@example.com")
    assert emu.access_token not in repr(conn)
    assert emu.access_token not in caplog.text


def test_lenient_failures_log_v3s_message_at_warning(emu, caplog):
    with connect(emu) as conn, caplog.at_level(logging.WARNING, logger="ctct"):
        assert conn.get_contact_list("00000000-0000-4000-8000-000000000000") is None
    (record,) = [r for r in caplog.records if r.name == "ctct"]
    assert record.levelno == logging.WARNING
    assert "get_contact_list failed" in record.getMessage() and "404" in record.getMessage()


def test_an_unwritable_default_id_cache_falls_back_to_memory_with_a_warning(monkeypatch, tmp_path, caplog):
    import logging

    from ctct import CTCTConnection
    from ctct.emulator import Emulator

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("CTCT_CACHE", str(blocker / "xref.sqlite3"))
    with Emulator(seed={"contact_lists": [{"name": "News", "v2_id": 7}]}) as emu:
        with caplog.at_level(logging.WARNING, logger="ctct"):
            conn = CTCTConnection("key", "joe", emu.access_token, base_url=emu.base_url, rate_limit=None)
        assert conn.get_contact_list(7)["name"] == "News"
    assert any("V2 id cache unavailable" in r.getMessage() for r in caplog.records)
