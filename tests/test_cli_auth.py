"""`ctct login`, `ctct token`, `ctct logout` against the emulator's authorization server.
The login runs as a real subprocess; the test reads the URL it prints and plays the browser."""
import json
import stat
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests

from ctct.cli import main
from ctct.emulator.api.oauth import auth_server
from ctct.v3 import V3Client
from ctct.v3.credentials import find_auth
from ctct.v3.oauth import OAuthClient, OAuthError
from ctct.v3.tokens import FileTokenStore

from .oauth_support import (
    CLIENT_ID,
    assert_no_secret,
    child_env,
    config_home,  # noqa: F401  (fixture)
    issued_secrets,
    login,
    play_browser,
    read_line_starting,
    spawn,
)


def start_login(emu, config_home, *extra):
    args = ["-m", "ctct", *extra, "login", "--client-id", CLIENT_ID, "--no-browser", "--auth-url", emu.auth_url,
            "--timeout", "20"]
    return spawn(args, child_env(config_home))


def finish(proc):
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out, err


def test_login_end_to_end_in_a_subprocess(emu, config_home):
    proc = start_login(emu, config_home)
    url, before = read_line_starting(proc, "http")
    assert url.startswith(emu.auth_url + "/authorize?")
    page = play_browser(url)
    code, out, err = finish(proc)

    assert code == 0, err
    assert page.status_code == 200
    output = "".join(before) + out + err
    assert "Logged in as owner@example.com (client ctct-test-app)" in output
    store = FileTokenStore()
    assert store.path == config_home / "ctct" / "tokens.json"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    saved = store.load(CLIENT_ID)
    assert saved.refresh_token and saved.auth_url == emu.auth_url
    assert_no_secret(output, issued_secrets(emu))
    # and the stored login works, refreshing by itself
    auth = find_auth(client_id=CLIENT_ID)
    emu.revoke_access_token(saved.access_token)
    assert V3Client(emu.base_url, auth=auth, rate_limit=None).get("/account/summary")
    assert auth.refresh_count == 1


def test_device_login_in_a_subprocess(emu, config_home):
    auth_server(emu).device_interval = 0.1
    args = ["-m", "ctct", "-vv", "login", "--device", "--client-id", CLIENT_ID, "--auth-url", emu.auth_url]
    proc = spawn(args, child_env(config_home))
    url, _ = read_line_starting(proc, "http")
    lines = [proc.stdout.readline().strip() for _ in range(2)]
    code, out, err = finish(proc)

    assert code == 0, err
    assert url == emu.auth_url + "/device"
    user_code = lines[1]
    assert [d["user_code"] for d in auth_server(emu).devices.values()] == [user_code]
    assert "Logged in as owner@example.com" in out
    assert auth_server(emu).grants("urn:ietf:params:oauth:grant-type:device_code") == 1
    assert "authorization_pending" not in out
    assert_no_secret(out + err, issued_secrets(emu))  # -vv logs every request, yet no secret
    assert "/token" in err


def test_login_refuses_a_redirect_with_a_forged_state(emu, config_home):
    proc = start_login(emu, config_home)
    url, _ = read_line_starting(proc, "http")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = "forged-state"
    play_browser(urlunsplit(parts._replace(query=urlencode(query))))
    code, out, err = finish(proc)

    assert code == 1
    assert "state" in err and "ctct login" in err
    assert auth_server(emu).grants() == 0
    assert not FileTokenStore().path.exists()


def test_login_with_verbose_logging_leaks_no_secret(emu, config_home):
    proc = start_login(emu, config_home, "-vv")
    url, before = read_line_starting(proc, "http")
    play_browser(url)
    code, out, err = finish(proc)
    assert code == 0, err
    assert "/oauth2/default/v1/token" in err  # the debug log is on
    assert_no_secret("".join(before) + out + err, issued_secrets(emu))


def test_login_needs_a_client_id(config_home, capsys):
    assert main(["login", "--no-browser"]) == 2
    assert "--client-id" in capsys.readouterr().err


def test_login_refuses_a_plain_http_authorization_server(config_home, capsys):
    assert main(["login", "--client-id", "x", "--no-browser", "--auth-url", "http://auth.example.com/v1"]) == 1
    assert "HTTPS" in capsys.readouterr().err


def test_token_shows_who_scopes_and_expiry_but_never_the_token(emu, config_home, capsys):
    FileTokenStore().save(login(emu))
    assert main(["token"]) == 0
    out = capsys.readouterr().out
    assert "client id:  ctct-test-app" in out and "user:       owner@example.com" in out
    assert "contact_data" in out and "expires:" in out and "renews itself" in out
    assert str(FileTokenStore().path) in out
    assert_no_secret(out, issued_secrets(emu))

    assert main(["token", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [entry] = data["logins"]
    assert entry["client_id"] == CLIENT_ID and entry["refreshable"] and entry["expires_in"] > 80_000
    assert not {"access_token", "refresh_token", "client_secret"} & set(entry)


def test_token_when_not_logged_in(config_home, capsys):
    assert main(["token"]) == 1
    assert "not logged in" in capsys.readouterr().err


def test_logout_revokes_and_forgets_one_login(emu, config_home, capsys):
    store = FileTokenStore()
    first, second = login(emu), login(emu, client_id="second-app")
    store.save(first)
    store.save(second)

    assert main(["logout", "--client-id", CLIENT_ID]) == 0

    out = capsys.readouterr().out
    assert "Logged out client ctct-test-app (owner@example.com): revoked and forgotten" in out
    assert store.keys() == ["second-app"]
    with pytest.raises(OAuthError, match="invalid_grant"):
        OAuthClient(CLIENT_ID, auth_url=emu.auth_url).refresh(first.refresh_token)
    assert V3Client(emu.base_url, access_token=second.access_token, rate_limit=None).get("/account/summary")
    assert_no_secret(out, issued_secrets(emu))


def test_logout_without_client_id_forgets_every_login(emu, config_home, capsys):
    store = FileTokenStore()
    store.save(login(emu))
    store.save(login(emu, client_id="second-app"))
    assert main(["logout"]) == 0
    assert store.keys() == []
    assert main(["logout"]) == 0
    assert "Not logged in" in capsys.readouterr().out


def test_logout_when_the_server_is_unreachable_still_forgets(emu, config_home, capsys):
    tokens = login(emu)
    FileTokenStore().save(tokens)
    emu.stop()
    assert main(["logout"]) == 1
    captured = capsys.readouterr()
    assert "did not confirm the revocation" in captured.out
    assert FileTokenStore().keys() == []
    assert_no_secret(captured.out + captured.err, {tokens.access_token, tokens.refresh_token})


def test_login_then_browser_reaches_the_listener_only_once(emu, config_home):
    proc = start_login(emu, config_home)
    url, _ = read_line_starting(proc, "http")
    first = play_browser(url)
    code, _, err = finish(proc)
    assert code == 0, err
    assert first.status_code == 200
    with pytest.raises(requests.ConnectionError):  # the listener is gone after one redirect
        play_browser(url)
