"""OAuth2 flows over HTTP against the emulator's authorization server: PKCE with the
loopback listener (the test plays the browser), state and PKCE checks, client secrets,
the device flow, refresh rotation, revocation, HTTPS-only endpoints."""
import base64
import json
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ctct.emulator import Emulator
from ctct.emulator.api.oauth import DEVICE_GRANT, auth_server
from ctct.v3 import V3Client
from ctct.v3.errors import AuthenticationError, InvalidInputError, TransportError
from ctct.v3.oauth import (
    LoopbackListener,
    OAuthClient,
    OAuthError,
    new_state,
    pkce_pair,
    require_secure,
    resolve_auth_url,
)

from .oauth_support import CLIENT_ID, FakeClock, browser_login, login, play_browser


def v3(emu, tokens):
    return V3Client(emu.base_url, access_token=tokens.access_token, rate_limit=None)


def token_post(emu, form, auth=None):
    return requests.post(emu.auth_url + "/token", data=form, auth=auth, timeout=5)


def authorize(emu, **query):
    query.setdefault("client_id", CLIENT_ID)
    query.setdefault("response_type", "code")
    query.setdefault("scope", "contact_data offline_access")
    return requests.get(emu.auth_url + "/authorize", params=query, allow_redirects=False, timeout=5)


def redirect_params(response):
    assert response.status_code == 302
    location = response.headers["Location"]
    return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


# -- PKCE end to end ------------------------------------------------------------------------

def test_pkce_login_end_to_end_with_loopback_listener(emu):
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    tokens, seen = browser_login(oauth)

    query = parse_qs(urlsplit(seen["url"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert urlsplit(query["redirect_uri"][0]).hostname == "127.0.0.1"
    assert seen["page"].status_code == 200 and "close this window" in seen["page"].text
    assert tokens.refresh_token and tokens.user == "owner@example.com"
    assert set(tokens.scopes) >= {"contact_data", "campaign_data", "offline_access"}
    assert v3(emu, tokens).get("/account/summary")["contact_email"] == "owner@example.com"
    assert auth_server(emu).grants("authorization_code") == 1


def test_loopback_listener_ignores_other_paths_and_answers_once():
    with LoopbackListener() as listener:
        results = {}

        def browser():
            results["favicon"] = requests.get(f"http://127.0.0.1:{listener.port}/favicon.ico", timeout=5)
            results["callback"] = requests.get(listener.redirect_uri, params={"code": "abcdefgh", "state": "s"},
                                               timeout=5)

        thread = threading.Thread(target=browser)
        thread.start()
        params = listener.wait(timeout=10)
        thread.join()
    assert results["favicon"].status_code == 404
    assert results["callback"].status_code == 200
    assert params == {"code": "abcdefgh", "state": "s"}
    with pytest.raises(requests.ConnectionError):  # one-shot: nobody listens any more
        requests.get(listener.redirect_uri, timeout=2)


def test_listener_times_out_with_a_clear_error():
    with LoopbackListener() as listener, pytest.raises(OAuthError, match="no authorization redirect"):
        listener.wait(timeout=0.05)


def test_state_mismatch_is_refused_before_any_code_exchange(emu):
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    verifier, challenge = pkce_pair()
    redirect_uri = "http://127.0.0.1:9/callback"
    url = oauth.authorization_url(redirect_uri, state="attacker-state", code_challenge=challenge)
    _, params = redirect_params(requests.get(url, allow_redirects=False, timeout=5))
    with pytest.raises(OAuthError, match="state") as info:
        oauth.finish_redirect(params, new_state(), redirect_uri, verifier)
    assert info.value.error == "state_mismatch"
    assert auth_server(emu).grants() == 0
    # the code itself was fine: only the state check stopped it
    assert oauth.finish_redirect(params, "attacker-state", redirect_uri, verifier).access_token


def test_wrong_pkce_verifier_is_refused_and_the_code_stays_unused(emu):
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    verifier, challenge = pkce_pair()
    redirect_uri = "http://127.0.0.1:9/callback"
    _, params = redirect_params(authorize(emu, redirect_uri=redirect_uri, state="s", code_challenge=challenge,
                                          code_challenge_method="S256"))
    other_verifier, _ = pkce_pair()
    with pytest.raises(OAuthError) as info:
        oauth.exchange_code(params["code"], redirect_uri, code_verifier=other_verifier)
    assert info.value.error == "invalid_grant" and "PKCE" in info.value.description
    # a public client cannot skip the verifier
    response = token_post(emu, {"grant_type": "authorization_code", "code": params["code"],
                                "redirect_uri": redirect_uri, "client_id": CLIENT_ID})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert oauth.exchange_code(params["code"], redirect_uri, code_verifier=verifier).access_token


def test_authorization_codes_are_single_use_and_a_replay_revokes_the_grant(emu):
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    verifier, challenge = pkce_pair()
    redirect_uri = "http://127.0.0.1:9/callback"
    _, params = redirect_params(authorize(emu, redirect_uri=redirect_uri, code_challenge=challenge,
                                          code_challenge_method="S256"))
    tokens = oauth.exchange_code(params["code"], redirect_uri, code_verifier=verifier)
    assert v3(emu, tokens).get("/account/summary")
    with pytest.raises(OAuthError) as info:
        oauth.exchange_code(params["code"], redirect_uri, code_verifier=verifier)
    assert info.value.error == "invalid_grant"
    with pytest.raises(AuthenticationError):
        v3(emu, tokens).get("/account/summary")
    with pytest.raises(OAuthError, match="invalid_grant"):
        oauth.refresh(tokens.refresh_token)


def test_authorization_codes_expire_after_five_minutes(emu):
    clock = FakeClock()
    auth_server(emu).clock = clock
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    verifier, challenge = pkce_pair()
    redirect_uri = "http://127.0.0.1:9/callback"
    _, params = redirect_params(authorize(emu, redirect_uri=redirect_uri, code_challenge=challenge,
                                          code_challenge_method="S256"))
    clock.advance(301)
    with pytest.raises(OAuthError, match="expired"):
        oauth.exchange_code(params["code"], redirect_uri, code_verifier=verifier)


def test_redirect_uri_must_match_the_authorization_request(emu):
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    verifier, challenge = pkce_pair()
    _, params = redirect_params(authorize(emu, redirect_uri="http://127.0.0.1:9/callback",
                                          code_challenge=challenge, code_challenge_method="S256"))
    with pytest.raises(OAuthError, match="redirect_uri"):
        oauth.exchange_code(params["code"], "http://127.0.0.1:10/callback", code_verifier=verifier)


@pytest.mark.parametrize("query, error", [
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"scope": "contact_data not_a_scope"}, "invalid_scope"),
    ({"scope": ""}, "invalid_scope"),
    ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request"),
    ({"code_challenge": "too-short", "code_challenge_method": "S256"}, "invalid_request"),
])
def test_authorize_redirects_request_errors_with_the_state(emu, query, error):
    _, params = redirect_params(authorize(emu, redirect_uri="http://127.0.0.1:9/cb", state="st-1", **query))
    assert params["error"] == error and params["state"] == "st-1" and "code" not in params


@pytest.mark.parametrize("redirect_uri", [None, "http://example.com/cb", "ftp://127.0.0.1/cb", "not a url"])
def test_authorize_never_redirects_to_a_bad_redirect_uri(emu, redirect_uri):
    response = authorize(emu, redirect_uri=redirect_uri)
    assert response.status_code == 400 and "Location" not in response.headers


# -- client secret (server-side apps) and the client registry ---------------------------------

def test_authorization_code_with_client_secret_over_http_basic(emu):
    server = auth_server(emu)
    server.register_client("server-app", secret="s3cret-value", redirect_uris=["https://app.example.com/cb"])
    redirect_uri = "https://app.example.com/cb"
    location, params = redirect_params(authorize(emu, client_id="server-app", redirect_uri=redirect_uri, state="x"))
    assert location.startswith(redirect_uri + "?")

    wrong = OAuthClient("server-app", "wrong-secret", auth_url=emu.auth_url)
    with pytest.raises(OAuthError) as info:
        wrong.exchange_code(params["code"], redirect_uri)
    assert info.value.error == "invalid_client" and info.value.status == 401

    oauth = OAuthClient("server-app", "s3cret-value", auth_url=emu.auth_url)
    tokens = oauth.exchange_code(params["code"], redirect_uri)
    assert v3(emu, tokens).get("/account/summary")
    renewed = oauth.refresh(tokens.refresh_token)
    assert renewed.refresh_token != tokens.refresh_token
    # the public form of the same client (no secret) may not refresh a confidential grant
    with pytest.raises(OAuthError, match="invalid_client"):
        OAuthClient("server-app", auth_url=emu.auth_url).refresh(renewed.refresh_token)


def test_a_code_without_pkce_needs_the_client_secret(emu):
    redirect_uri = "http://127.0.0.1:9/callback"
    _, params = redirect_params(authorize(emu, redirect_uri=redirect_uri))
    response = token_post(emu, {"grant_type": "authorization_code", "code": params["code"],
                                "redirect_uri": redirect_uri, "client_id": CLIENT_ID})
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    with pytest.raises(InvalidInputError):
        OAuthClient(CLIENT_ID, auth_url=emu.auth_url).exchange_code(params["code"], redirect_uri)


def test_a_registry_refuses_unknown_clients_and_unregistered_redirects(emu):
    auth_server(emu).register_client("known", redirect_uris=["http://127.0.0.1:1234/callback"])
    assert authorize(emu, client_id="unknown", redirect_uri="http://127.0.0.1:9/callback").status_code == 400
    assert authorize(emu, client_id="known", redirect_uri="https://evil.example.com/cb").status_code == 400
    # a loopback redirect may use any port (RFC 8252 7.3)
    _, params = redirect_params(authorize(emu, client_id="known", redirect_uri="http://127.0.0.1:5555/callback",
                                          state="s"))
    assert params["error"] == "invalid_request"  # a public client must use PKCE
    with pytest.raises(OAuthError, match="invalid_client"):
        OAuthClient("unknown", auth_url=emu.auth_url).start_device_flow()
    assert login(emu, client_id="known").access_token


# -- device flow ----------------------------------------------------------------------------

def test_device_flow_pending_then_approved(emu):
    clock = FakeClock()
    server = auth_server(emu)
    server.clock = clock
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    device = oauth.start_device_flow(scope="contact_data offline_access", clock=clock)
    assert device.verification_uri.startswith(emu.auth_url) and len(device.user_code) == 9
    assert device.interval == server.device_interval

    tokens = oauth.poll_device(device, sleep=clock.sleep, clock=clock)

    assert clock.sleeps == [device.interval, device.interval]  # pending once, then approved
    assert tokens.scope == "contact_data offline_access" and tokens.refresh_token
    assert v3(emu, tokens).get("/account/summary")
    with pytest.raises(OAuthError, match="invalid_grant"):  # a device code gives tokens once
        oauth.poll_device(device, sleep=clock.sleep, clock=clock)


def test_device_flow_slow_down_when_polled_faster_than_the_interval(emu):
    clock = FakeClock()
    server = auth_server(emu)
    server.clock = clock
    server.device_interval = 5
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    device = oauth.start_device_flow(clock=clock)
    form = {"grant_type": DEVICE_GRANT, "device_code": device.device_code, "client_id": CLIENT_ID}

    answers = [token_post(emu, form).json()["error"]]
    clock.advance(1)
    answers.append(token_post(emu, form).json()["error"])
    assert answers == ["authorization_pending", "slow_down"]

    # a poller that once sleeps too little gets slow_down, and from then on waits 5 s longer
    fresh = oauth.start_device_flow(clock=clock)

    def impatient_sleep(seconds):
        clock.sleeps.append(seconds)
        clock.advance(1 if len(clock.sleeps) == 2 else seconds)

    tokens = oauth.poll_device(fresh, sleep=impatient_sleep, clock=clock)
    assert tokens.access_token
    # pending, then (1 s later) slow_down, then approved after the widened interval
    assert clock.sleeps == [5, 5, 10]


def test_device_flow_expired_code(emu):
    clock = FakeClock()
    auth_server(emu).clock = clock
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    device = oauth.start_device_flow(clock=clock)
    clock.advance(device.expires_in + 1)
    with pytest.raises(OAuthError, match="expired"):
        oauth.poll_device(device, sleep=lambda s: None, clock=clock)
    form = {"grant_type": DEVICE_GRANT, "device_code": device.device_code, "client_id": CLIENT_ID}
    assert token_post(emu, form).json()["error"] == "expired_token"


def test_device_verification_page_approves_the_code(emu):
    clock = FakeClock()
    auth_server(emu).clock = clock
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    device = oauth.start_device_flow(clock=clock)
    assert play_browser(device.verification_uri_complete).status_code == 200
    oauth.poll_device(device, sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [device.interval]  # approved already: the first poll succeeds


# -- refresh rotation and revocation -----------------------------------------------------------

def test_refresh_rotates_and_a_used_refresh_token_is_refused(emu):
    tokens = login(emu)
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    second = oauth.refresh(tokens.refresh_token)
    assert second.refresh_token != tokens.refresh_token and second.access_token != tokens.access_token
    with pytest.raises(OAuthError) as info:
        oauth.refresh(tokens.refresh_token)
    assert info.value.error == "invalid_grant"
    assert info.value.description == "unknown, invalid, or expired refresh token"
    assert oauth.refresh(second.refresh_token).access_token
    with pytest.raises(OAuthError, match="invalid_grant"):  # rotation killed every older one
        oauth.refresh(second.refresh_token)


def test_refresh_may_narrow_but_not_widen_the_scope(emu):
    tokens = login(emu, scope="contact_data campaign_data offline_access")
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    with pytest.raises(OAuthError, match="invalid_scope"):
        oauth.refresh(tokens.refresh_token, scope="contact_data account_update offline_access")
    narrowed = oauth.refresh(tokens.refresh_token, scope="contact_data offline_access")
    assert narrowed.scope == "contact_data offline_access"


def test_refresh_token_is_bound_to_its_client(emu):
    tokens = login(emu)
    with pytest.raises(OAuthError, match="invalid_grant"):
        OAuthClient("another-app", auth_url=emu.auth_url).refresh(tokens.refresh_token)


def test_no_refresh_token_without_offline_access(emu):
    tokens = login(emu, scope="contact_data")
    assert tokens.access_token and tokens.refresh_token is None


def test_revoking_a_refresh_token_ends_the_grant(emu):
    tokens = login(emu)
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url)
    oauth.revoke(tokens.refresh_token, "refresh_token")
    with pytest.raises(OAuthError, match="invalid_grant"):
        oauth.refresh(tokens.refresh_token)
    with pytest.raises(AuthenticationError):
        v3(emu, tokens).get("/account/summary")
    oauth.revoke("never-issued-token")  # RFC 7009: unknown tokens are fine


def test_revoking_an_access_token(emu):
    tokens = login(emu)
    OAuthClient(CLIENT_ID, auth_url=emu.auth_url).revoke(tokens.access_token, "access_token")
    with pytest.raises(AuthenticationError):
        v3(emu, tokens).get("/account/summary")
    # another client cannot revoke it
    other = login(emu)
    OAuthClient("another-app", auth_url=emu.auth_url).revoke(other.access_token)
    assert v3(emu, other).get("/account/summary")


@pytest.mark.parametrize("form, error", [
    ({"grant_type": "password", "client_id": CLIENT_ID}, "unsupported_grant_type"),
    ({"grant_type": "refresh_token", "client_id": CLIENT_ID}, "invalid_grant"),
    ({"grant_type": "refresh_token", "refresh_token": "x"}, "invalid_client"),
])
def test_token_endpoint_errors_are_oauth_shaped(emu, form, error):
    response = token_post(emu, form)
    assert response.status_code in (400, 401)
    assert response.json()["error"] == error and "error_description" in response.json()
    assert response.headers["Cache-Control"] == "no-store"


def test_token_endpoint_needs_a_form_body(emu):
    response = requests.post(emu.auth_url + "/token", json={"grant_type": "refresh_token"}, timeout=5)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_malformed_basic_credentials(emu):
    response = requests.post(emu.auth_url + "/token", data={"grant_type": "refresh_token", "refresh_token": "x"},
                             headers={"Authorization": "Basic !!!"}, timeout=5)
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert "WWW-Authenticate" in response.headers
    auth = base64.b64encode(b"a:b").decode()
    response = requests.post(emu.auth_url + "/token", data={"grant_type": "refresh_token", "client_id": "other"},
                             headers={"Authorization": f"Basic {auth}"}, timeout=5)
    assert response.json()["error"] == "invalid_request"


# -- the token endpoint's rate limit ---------------------------------------------------------

def test_token_endpoint_allows_one_request_a_second_when_rate_limited():
    with Emulator(rate_limit=True) as emu:
        form = {"grant_type": "refresh_token", "refresh_token": "x", "client_id": CLIENT_ID}
        statuses = [token_post(emu, form).status_code for _ in range(2)]
        assert statuses == [400, 429]
        # the other endpoints are not limited
        assert authorize(emu, redirect_uri="http://127.0.0.1:9/cb").status_code == 302
        assert authorize(emu, redirect_uri="http://127.0.0.1:9/cb").status_code == 302


def test_token_endpoint_unlimited_by_default(emu):
    form = {"grant_type": "refresh_token", "refresh_token": "x", "client_id": CLIENT_ID}
    assert {token_post(emu, form).status_code for _ in range(5)} == {400}


def test_client_waits_and_retries_on_a_throttled_token_endpoint(emu):
    tokens = login(emu)
    clock = FakeClock()
    oauth = OAuthClient(CLIENT_ID, auth_url=emu.auth_url, sleep=clock.sleep)
    emu.inject(429, times=1, path="/oauth2/default/v1/token")
    assert oauth.refresh(tokens.refresh_token).access_token
    assert clock.sleeps == [1.0]


# -- HTTPS only, except loopback ---------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]:9/x",
                                 "https://authz.constantcontact.com/oauth2/default/v1"])
def test_https_or_loopback_is_accepted(url):
    assert require_secure(url) == url


@pytest.mark.parametrize("url", ["http://authz.constantcontact.com/oauth2/default/v1", "http://10.0.0.5/x",
                                 "http://127.0.0.1.evil.com/x", "ftp://127.0.0.1/x", "authz.example.com"])
def test_other_endpoints_are_refused_with_a_clear_error(url):
    with pytest.raises(InvalidInputError, match="HTTPS|https"):
        require_secure(url)
    with pytest.raises(InvalidInputError):
        OAuthClient(CLIENT_ID, auth_url=url)


def test_auth_url_from_env(monkeypatch):
    monkeypatch.setenv("CTCT_AUTH_URL", "http://127.0.0.1:1/oauth2/default/v1/")
    assert resolve_auth_url() == "http://127.0.0.1:1/oauth2/default/v1"
    monkeypatch.setenv("CTCT_AUTH_URL", "http://auth.example.com/v1")
    with pytest.raises(InvalidInputError):
        resolve_auth_url()
    monkeypatch.delenv("CTCT_AUTH_URL")
    assert resolve_auth_url() == "https://authz.constantcontact.com/oauth2/default/v1"


def test_unreachable_authorization_server_is_a_transport_error():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    oauth = OAuthClient(CLIENT_ID, auth_url=f"http://127.0.0.1:{port}/v1", sleep=lambda s: None)
    with pytest.raises(TransportError):
        oauth.refresh("some-refresh-token")


# -- the emulator's auth state across restarts ---------------------------------------------------

def test_a_saved_emulator_keeps_its_logins_across_a_restart(tmp_path):
    state = tmp_path / "account.json"
    with Emulator(state_file=state) as first:
        fixed = first.access_token
        tokens = login(first)
        # from now on only registered clients: the registry must survive the restart too
        auth_server(first).register_client(CLIENT_ID)
        auth_server(first).register_client("registered-app", secret="app-secret", redirect_uris=["https://app.example/cb"])
    assert oct(state.stat().st_mode & 0o777) == "0o600"  # it holds tokens

    with Emulator(state_file=state) as second:
        assert second.access_token == fixed  # the token `ctct serve` printed last time
        with V3Client(second.base_url, access_token=fixed, rate_limit=None) as client:
            assert client.get("/account/summary")
        assert v3(second, tokens).get("/account/summary")  # the login's access token
        refreshed = OAuthClient(CLIENT_ID, auth_url=second.auth_url).refresh(tokens.refresh_token)
        assert v3(second, refreshed).get("/account/summary")
        with pytest.raises(OAuthError, match="invalid_grant"):  # rotation still holds
            OAuthClient(CLIENT_ID, auth_url=second.auth_url).refresh(tokens.refresh_token)
        assert auth_server(second).clients["registered-app"]["secret"] == "app-secret"
        with pytest.raises(OAuthError, match="invalid_client"):
            OAuthClient("unregistered-app", auth_url=second.auth_url).refresh(refreshed.refresh_token)


def test_expired_tokens_are_not_saved_and_a_given_access_token_wins(tmp_path):
    state = tmp_path / "account.json"
    with Emulator(state_file=state, token_ttl=3600) as first:
        short, _ = first.issue_access_token(client_id=CLIENT_ID, ttl=-1)  # already expired
        kept, _ = first.issue_access_token(client_id=CLIENT_ID)
    saved = state.read_text()
    assert short not in saved and kept in saved

    with Emulator(state_file=state, access_token="chosen-token") as second:
        assert second.access_token == "chosen-token"
        with V3Client(second.base_url, access_token=kept, rate_limit=None) as client:
            assert client.get("/account/summary")


def test_a_state_file_without_tokens_still_loads(tmp_path):
    # what earlier versions wrote: the account alone
    with Emulator(seed={"contact_lists": [{"name": "Older file"}]}) as first:
        snapshot = first.state()
    state = tmp_path / "old.json"
    state.write_text(json.dumps(snapshot))
    with Emulator(state_file=state) as second:
        with V3Client(second.base_url, access_token=second.access_token, rate_limit=None) as client:
            assert [x["name"] for x in client.get("/contact_lists")["lists"]] == ["Older file"]
