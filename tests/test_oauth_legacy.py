"""The 2009 constructor on OAuth2: after `ctct login`, `CTCTConnection(client_id, username,
None)` works from the token store and refreshes by itself; without a usable login it says
to run `ctct login`."""
import logging

import pytest

from ctct import AuthenticationError, CTCTConnection
from ctct.emulator import Emulator
from ctct.emulator.api.oauth import auth_server
from ctct.v3.oauth import OAuthClient
from ctct.v3.refreshing_auth import RefreshingAuth
from ctct.v3.tokens import FileTokenStore

from .oauth_support import (
    CLIENT_ID,
    FakeClock,
    assert_no_secret,
    child_env,
    config_home,  # noqa: F401  (fixture)
    issued_secrets,
    login,
    play_browser,
    read_line_starting,
    spawn,
)

LISTS = {"contact_lists": [{"name": f"List {n}"} for n in range(3)]}


@pytest.fixture
def lists_emu():
    with Emulator(seed=LISTS) as emulator:
        yield emulator


def connect(emu, **kw):
    return CTCTConnection(CLIENT_ID, "joesflowers", None, base_url=emu.base_url, rate_limit=None, **kw)


def names(lists):
    return sorted(item["name"] for item in lists)


def test_after_ctct_login_the_legacy_constructor_works_and_refreshes(lists_emu, config_home):
    emu = lists_emu
    proc = spawn(["-m", "ctct", "login", "--client-id", CLIENT_ID, "--no-browser", "--auth-url", emu.auth_url,
                  "--timeout", "20"], child_env(config_home))
    url, _ = read_line_starting(proc, "http")
    play_browser(url)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err

    conn = connect(emu, strict=True)
    assert names(conn.get_contact_lists()) == ["List 0", "List 1", "List 2"]

    emu.revoke_access_token(FileTokenStore().load(CLIENT_ID).access_token)  # the token dies
    assert names(conn.get_contact_lists()) == ["List 0", "List 1", "List 2"]
    assert auth_server(emu).grants("refresh_token") == 1
    # the rotated tokens were saved: a new connection (a later cron run) starts from them
    assert FileTokenStore().load(CLIENT_ID).access_token == conn.client.auth.tokens.access_token
    assert names(connect(emu).get_contact_lists()) == ["List 0", "List 1", "List 2"]
    assert auth_server(emu).grants("refresh_token") == 1
    assert_no_secret(repr(conn) + repr(conn.client), issued_secrets(emu))


def test_refresh_before_expiry_through_the_legacy_facade(lists_emu, config_home):
    emu = lists_emu
    tokens = login(emu)
    FileTokenStore().save(tokens)
    clock = FakeClock(tokens.expires_at - 5)  # five seconds left
    store = FileTokenStore()
    conn = connect(emu, strict=True, auth=RefreshingAuth(store.load(CLIENT_ID), store=store, clock=clock))
    assert len(conn.get_contact_lists()) == 3
    assert conn.client.auth.refresh_count == 1
    assert [r.status for r in emu.requests if r.path == "/contact_lists"] == [200]


def test_without_any_login_the_constructor_says_run_ctct_login(lists_emu, config_home):
    with pytest.raises(AuthenticationError, match=f"ctct login --client-id {CLIENT_ID}"):
        connect(lists_emu)


def test_a_revoked_login_gives_the_clear_message(lists_emu, config_home, caplog):
    emu = lists_emu
    tokens = login(emu)
    FileTokenStore().save(tokens)
    OAuthClient(CLIENT_ID, auth_url=emu.auth_url).revoke(tokens.refresh_token, "refresh_token")

    with pytest.raises(AuthenticationError) as info:
        connect(emu, strict=True).get_contact_lists()
    assert f"run `ctct login --client-id {CLIENT_ID}`" in str(info.value)

    # lenient mode (the 2009 default) returns the legacy failure value and logs the same message
    with caplog.at_level(logging.WARNING, logger="ctct"):
        assert connect(emu).get_contact_lists() is None
    assert f"run `ctct login --client-id {CLIENT_ID}`" in caplog.text
    assert_no_secret(caplog.text + str(info.value) + repr(info.value), issued_secrets(emu))


def test_the_password_argument_is_still_an_explicit_token(lists_emu, config_home):
    conn = CTCTConnection("any-api-key", "joesflowers", lists_emu.access_token, base_url=lists_emu.base_url,
                          rate_limit=None, strict=True)
    assert len(conn.get_contact_lists()) == 3
