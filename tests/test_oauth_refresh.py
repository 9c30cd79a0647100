"""Automatic refresh against the emulator: before expiry, once on a 401 (also in the middle
of a paginated listing), across threads and processes sharing one store with rotating
refresh tokens, and the clear `ctct login` message when the login is gone."""
import logging
import threading
import time

import pytest

from ctct.emulator import Emulator
from ctct.emulator.api.oauth import auth_server
from ctct.v3 import V3Client
from ctct.v3.auth import StaticTokenAuth
from ctct.v3.credentials import find_auth
from ctct.v3.errors import AuthenticationError
from ctct.v3.oauth import OAuthClient
from ctct.v3.refreshing_auth import RefreshingAuth
from ctct.v3.tokens import FileTokenStore, MemoryTokenStore, TokenSet

from .oauth_support import (
    CLIENT_ID,
    FakeClock,
    assert_no_secret,
    child_env,
    config_home,  # noqa: F401  (fixture)
    issued_secrets,
    login,
    spawn,
)


def client_for(emu, auth):
    return V3Client(emu.base_url, auth=auth, rate_limit=None)


def statuses(emu, path):
    return [r.status for r in emu.requests if r.path == path]


def stored_login(emu, **kw):
    """Log in and keep the tokens in the default file store (the `ctct login` result)."""
    tokens = login(emu, **kw)
    FileTokenStore().save(tokens)
    return tokens


# -- refresh before expiry -------------------------------------------------------------------

def test_refresh_before_expiry_with_an_injected_clock(emu, config_home):
    tokens = stored_login(emu)
    clock = FakeClock()
    auth = RefreshingAuth(tokens, store=FileTokenStore(), clock=clock)
    client = client_for(emu, auth)
    client.get("/account/summary")
    assert auth.refresh_count == 0

    clock.advance(tokens.expires_at - clock.now - 30)  # 30 s left: inside the 60 s margin
    client.get("/account/summary")

    assert auth.refresh_count == 1 and auth_server(emu).grants("refresh_token") == 1
    assert 401 not in statuses(emu, "/account/summary")  # refreshed before, not after failing
    assert auth.tokens.access_token != tokens.access_token
    assert FileTokenStore().load(CLIENT_ID).refresh_token == auth.tokens.refresh_token
    client.get("/account/summary")
    assert auth.refresh_count == 1  # the new token is good for another day


def test_refresh_before_real_expiry_of_a_short_token(config_home):
    with Emulator(token_ttl=1) as emu:
        auth = find_auth(client_id=stored_login(emu).client_id)
        client = client_for(emu, auth)
        client.get("/account/summary")
        time.sleep(0.9)  # a quarter of a 1 s lifetime is the margin: this is inside it
        client.get("/account/summary")
        assert auth.refresh_count == 1
        assert statuses(emu, "/account/summary") == [200, 200]


def test_refresh_once_on_401_and_retry(emu, config_home):
    tokens = stored_login(emu)
    auth = find_auth(client_id=CLIENT_ID)
    client = client_for(emu, auth)
    emu.revoke_access_token(tokens.access_token)  # e.g. the server forgot it early

    assert client.get("/account/summary")["contact_email"] == "owner@example.com"
    assert statuses(emu, "/account/summary") == [401, 200]
    assert auth.refresh_count == 1


def test_a_second_401_after_refreshing_is_raised_not_looped(emu, config_home):
    stored_login(emu)
    auth = find_auth(client_id=CLIENT_ID)
    client = client_for(emu, auth)
    emu.inject(401, times=2, path="/account/summary")
    with pytest.raises(AuthenticationError):
        client.get("/account/summary")
    assert statuses(emu, "/account/summary") == [401, 401]
    assert auth.refresh_count == 1


CAMPAIGNS = {"emails": [
    {"name": f"Item {n:02d}", "email_campaign_activities": [
        {"format_type": 5, "from_name": "Joe", "from_email": "owner@example.com",
         "reply_to_email": "owner@example.com", "subject": f"Subject {n}",
         "html_content": "<html><body>[[trackingImage]]Hello</body></html>"}]}
    for n in range(23)]}
CONTACTS = {"contacts": [
    {"email_address": {"address": f"item{n:02d}@example.com"}, "first_name": f"Item {n:02d}",
     "create_source": "Account"}
    for n in range(23)]}


@pytest.mark.parametrize("seed, path, key, field", [
    (CONTACTS, "/contacts", "contacts", "first_name"),
    (CAMPAIGNS, "/emails", "campaigns", "name"),
])
def test_refresh_on_401_in_the_middle_of_a_paginated_listing(config_home, seed, path, key, field):
    with Emulator(seed=seed) as emu:
        tokens = stored_login(emu)
        auth = find_auth(client_id=CLIENT_ID)
        client = client_for(emu, auth)
        seen = []
        for item in client.paginate(path, key, page_size=5):
            seen.append(item[field])
            if len(seen) == 7:  # on the second page: the token dies before the third
                emu.revoke_access_token(auth.tokens.access_token)

        assert seen == [f"Item {n:02d}" for n in range(23)]  # nothing lost, nothing twice
        assert statuses(emu, path) == [200, 200, 401, 200, 200, 200]
        assert auth.refresh_count == 1 and auth.tokens.access_token != tokens.access_token


# -- one refresh at a time: threads --------------------------------------------------------------

def _run_threads(count, target):
    errors = []
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait(5)
            target(index)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


def test_threads_sharing_one_auth_refresh_once(emu, config_home):
    tokens = stored_login(emu)
    auth = find_auth(client_id=CLIENT_ID)
    client = client_for(emu, auth)
    emu.revoke_access_token(tokens.access_token)

    errors = _run_threads(8, lambda i: client.get("/account/summary"))

    assert errors == []
    assert auth_server(emu).grants("refresh_token") == 1


def test_threads_with_their_own_auth_share_the_store_and_refresh_once(emu, config_home):
    tokens = stored_login(emu)
    clients = [client_for(emu, find_auth(client_id=CLIENT_ID)) for _ in range(6)]
    for c in clients:
        c.get("/account/summary")  # each holds the same access token now
    emu.revoke_access_token(tokens.access_token)

    errors = _run_threads(6, lambda i: clients[i].get("/account/summary"))

    assert errors == []
    assert auth_server(emu).grants("refresh_token") == 1
    assert sum(c.auth.refresh_count for c in clients) == 1


def test_threads_rotating_over_and_over_never_reuse_a_refresh_token(emu, config_home):
    stored_login(emu)
    auths = [find_auth(client_id=CLIENT_ID) for _ in range(4)]

    def churn(index):
        client = client_for(emu, auths[index])
        for _ in range(8):
            auths[index].refresh()
            client.get("/account/summary")

    assert _run_threads(4, churn) == []
    refreshed = sum(a.refresh_count for a in auths)
    assert refreshed == auth_server(emu).grants("refresh_token") >= 8
    assert find_auth(client_id=CLIENT_ID).refresh().access_token  # the stored one is still live


# -- one refresh at a time: processes ------------------------------------------------------------

CHILD = r"""
import sys
from ctct.v3 import V3Client
from ctct.v3.credentials import find_auth

base_url, client_id, mode, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
auth = find_auth(client_id=client_id)
client = V3Client(base_url, auth=auth, rate_limit=None)
client.get("/account/summary")
print("ready", flush=True)
sys.stdin.readline()
if mode == "once":
    client.get("/account/summary")
else:
    for _ in range(rounds):
        auth.refresh()
        client.get("/account/summary")
print("refreshed", auth.refresh_count, flush=True)
"""


def _run_children(emu, config_home, mode, rounds=0, before_go=None, count=2):
    env = child_env(config_home)
    children = [spawn(["-c", CHILD, emu.base_url, CLIENT_ID, mode, str(rounds)], env) for _ in range(count)]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
        if before_go:
            before_go()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [child.communicate(timeout=60) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    for child, (out, err) in zip(children, results):
        assert child.returncode == 0, err
    return [int(out.split()[-1]) for out, _ in results]


def test_two_processes_hit_by_the_same_401_refresh_once(emu, config_home):
    tokens = stored_login(emu)
    counts = _run_children(emu, config_home, "once",
                           before_go=lambda: emu.revoke_access_token(tokens.access_token))
    assert sorted(counts) == [0, 1]  # one refreshed, the other read its result from the store
    assert auth_server(emu).grants("refresh_token") == 1
    assert statuses(emu, "/account/summary").count(401) == 2


def test_two_processes_rotating_concurrently_never_get_invalid_grant(emu, config_home):
    stored_login(emu)
    counts = _run_children(emu, config_home, "rotate", rounds=10)
    assert sum(counts) == auth_server(emu).grants("refresh_token") >= 10
    # the stored refresh token is the live end of the chain
    assert find_auth(client_id=CLIENT_ID).refresh().access_token


# -- the clear message when the login is gone ---------------------------------------------------

def test_revoked_refresh_token_gives_the_login_message(emu, config_home):
    tokens = stored_login(emu)
    OAuthClient(CLIENT_ID, auth_url=emu.auth_url).revoke(tokens.refresh_token, "refresh_token")
    client = client_for(emu, find_auth(client_id=CLIENT_ID))

    with pytest.raises(AuthenticationError) as info:
        client.get("/account/summary")

    message = str(info.value)
    assert f"run `ctct login --client-id {CLIENT_ID}`" in message and "no longer valid" in message
    assert_no_secret(message + repr(info.value) + repr(info.value.errors), issued_secrets(emu))


def test_expired_login_with_revoked_refresh_fails_before_sending(emu, config_home):
    tokens = stored_login(emu)
    OAuthClient(CLIENT_ID, auth_url=emu.auth_url).revoke(tokens.refresh_token, "refresh_token")
    clock = FakeClock(tokens.expires_at + 1)
    client = client_for(emu, RefreshingAuth(tokens, store=FileTokenStore(), clock=clock))
    with pytest.raises(AuthenticationError, match="ctct login"):
        client.get("/account/summary")
    assert statuses(emu, "/account/summary") == []  # no doomed request went out


def test_no_credentials_anywhere_gives_the_login_message(config_home):
    with pytest.raises(AuthenticationError, match="run `ctct login"):
        find_auth(client_id="someone")
    with pytest.raises(AuthenticationError, match="run `ctct login`"):
        find_auth()


def test_expired_stored_login_without_refresh_token_fails_at_construction(config_home):
    FileTokenStore().save(TokenSet(client_id="app", access_token="expired-access-token",
                                   expires_at=time.time() - 10, auth_url="http://127.0.0.1:9/v1"))
    with pytest.raises(AuthenticationError, match="expired.*ctct login --client-id app"):
        find_auth(client_id="app")


# -- where credentials come from ---------------------------------------------------------------

def test_explicit_token_then_env_then_store(emu, config_home, monkeypatch):
    stored_login(emu)
    monkeypatch.setenv("CTCT_ACCESS_TOKEN", "env-access-token")
    explicit = find_auth(client_id=CLIENT_ID, access_token="explicit-token")
    assert isinstance(explicit, StaticTokenAuth) and explicit.authorization() == "Bearer explicit-token"
    assert find_auth(client_id=CLIENT_ID).authorization() == "Bearer env-access-token"
    monkeypatch.delenv("CTCT_ACCESS_TOKEN")
    from_store = find_auth(client_id=CLIENT_ID)
    assert isinstance(from_store, RefreshingAuth) and from_store.client_id == CLIENT_ID


def test_client_id_from_env_or_the_only_stored_login(emu, config_home, monkeypatch):
    stored_login(emu)
    assert find_auth().client_id == CLIENT_ID
    monkeypatch.setenv("CTCT_CLIENT_ID", CLIENT_ID)
    assert find_auth().client_id == CLIENT_ID
    monkeypatch.delenv("CTCT_CLIENT_ID")
    FileTokenStore().save(login(emu, client_id="second-app"))
    with pytest.raises(AuthenticationError, match="several logins"):
        find_auth()
    assert find_auth(client_id="second-app").client_id == "second-app"


def test_env_refresh_token_keeps_working_across_runs_despite_rotation(emu, config_home, monkeypatch):
    original = login(emu)
    monkeypatch.setenv("CTCT_REFRESH_TOKEN", original.refresh_token)
    monkeypatch.setenv("CTCT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CTCT_AUTH_URL", emu.auth_url)

    first_run = find_auth()
    client_for(emu, first_run).get("/account/summary")  # no access token yet: refreshes first
    assert first_run.refresh_count == 1

    second_run = find_auth()  # same env, whose refresh token rotation has killed
    second_run.refresh()
    assert client_for(emu, second_run).get("/account/summary")
    assert auth_server(emu).grants("refresh_token") == 2
    # kept apart from a `ctct login` for the same client
    assert FileTokenStore().load(CLIENT_ID) is None and len(FileTokenStore().keys()) == 1


def test_env_refresh_token_needs_a_client_id(config_home, monkeypatch):
    monkeypatch.setenv("CTCT_REFRESH_TOKEN", "some-refresh-token")
    with pytest.raises(AuthenticationError, match="CTCT_CLIENT_ID"):
        find_auth()


def test_env_access_and_refresh_token_refresh_on_401(emu, config_home, monkeypatch):
    tokens = login(emu)
    monkeypatch.setenv("CTCT_ACCESS_TOKEN", tokens.access_token)
    monkeypatch.setenv("CTCT_REFRESH_TOKEN", tokens.refresh_token)
    monkeypatch.setenv("CTCT_AUTH_URL", emu.auth_url)
    auth = find_auth(client_id=CLIENT_ID)
    client = client_for(emu, auth)
    client.get("/account/summary")
    assert auth.refresh_count == 0  # lifetime unknown: used until refused
    emu.revoke_access_token(tokens.access_token)
    client.get("/account/summary")
    assert auth.refresh_count == 1


def test_a_pluggable_store(emu, config_home):
    store = MemoryTokenStore()
    tokens = login(emu)
    store.save(tokens)
    auth = find_auth(client_id=CLIENT_ID, store=store)
    emu.revoke_access_token(tokens.access_token)
    client_for(emu, auth).get("/account/summary")
    assert store.load(CLIENT_ID).access_token == auth.tokens.access_token != tokens.access_token
    assert not FileTokenStore().path.exists()


def test_a_short_lived_token_is_not_refreshed_before_every_call(emu):
    # a 60 s margin on a 10 s token would mean a refresh per call: the margin is capped
    clock = FakeClock()
    tokens = TokenSet(client_id=CLIENT_ID, access_token="a" * 20, refresh_token="r" * 20,
                      obtained_at=clock.now, expires_at=clock.now + 10, auth_url=emu.auth_url)
    auth = RefreshingAuth(tokens, clock=clock)
    assert auth.authorization() == "Bearer " + "a" * 20
    clock.advance(7)
    assert auth.authorization() == "Bearer " + "a" * 20


# -- no token in logs, reprs or errors -------------------------------------------------------------

def test_no_token_in_logs_or_reprs(emu, config_home, caplog):
    caplog.set_level(logging.DEBUG, logger="ctct")
    tokens = stored_login(emu)
    auth = find_auth(client_id=CLIENT_ID)
    client = client_for(emu, auth)
    emu.revoke_access_token(tokens.access_token)
    client.get("/account/summary")
    auth.refresh()
    OAuthClient(CLIENT_ID, auth_url=emu.auth_url).revoke(auth.tokens.refresh_token)
    with pytest.raises(AuthenticationError) as info:
        auth.refresh()

    texts = [caplog.text, repr(auth), repr(auth.tokens), repr(tokens), repr(client), repr(FileTokenStore()),
             str(info.value), repr(info.value), repr(OAuthClient(CLIENT_ID, "client-secret-value", emu.auth_url))]
    secrets_ = issued_secrets(emu) | {"client-secret-value"}
    assert len(secrets_) >= 5
    for text in texts:
        assert_no_secret(text, secrets_)
    assert "refreshed the access token" in caplog.text  # the log did record the refreshes


def test_env_client_secret_applies_only_to_its_own_client(emu, config_home, monkeypatch):
    FileTokenStore().save(login(emu))
    monkeypatch.setenv("CTCT_CLIENT_SECRET", "secret-of-another-app")
    monkeypatch.setenv("CTCT_CLIENT_ID", "another-app")
    assert find_auth(client_id=CLIENT_ID).tokens.client_secret is None
    monkeypatch.setenv("CTCT_CLIENT_ID", CLIENT_ID)
    assert find_auth(client_id=CLIENT_ID).tokens.client_secret == "secret-of-another-app"
