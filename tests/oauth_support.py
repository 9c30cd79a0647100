"""Helpers shared by the OAuth tests: a fake clock, a test "browser", child processes,
and the set of every secret the emulator handed out (to prove none leaks)."""
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from ctct.emulator.api.oauth import auth_server
from ctct.v3.oauth import OAuthClient

REPO_ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "ctct-test-app"


class FakeClock:
    """Epoch seconds that move only when told (or when a fake sleep is called)."""

    def __init__(self, start=None):
        self.now = time.time() if start is None else start
        self.sleeps = []

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    """An empty config dir for the token store; no CTCT_* credentials leak in from outside."""
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    for name in ("CTCT_ACCESS_TOKEN", "CTCT_REFRESH_TOKEN", "CTCT_CLIENT_ID", "CTCT_CLIENT_SECRET",
                 "CTCT_AUTH_URL", "CTCT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return home


def play_browser(url):
    """What a browser does with the authorization URL: GET it, follow the redirect."""
    return requests.get(url, timeout=10)


def browser_login(oauth, **kw):
    """OAuthClient.login_with_browser with this thread playing the browser."""
    seen = {}

    def announce(url):
        seen["url"] = url
        seen["thread"] = threading.Thread(target=lambda: seen.setdefault("page", play_browser(url)))
        seen["thread"].start()

    tokens = oauth.login_with_browser(announce=announce, **kw)
    seen["thread"].join(10)
    return tokens, seen


def login(emu, client_id=CLIENT_ID, **kw):
    """A fresh PKCE login against the emulator: its TokenSet."""
    tokens, _ = browser_login(OAuthClient(client_id, auth_url=emu.auth_url), **kw)
    return tokens


def issued_secrets(emu):
    """Every token, code and device code the emulator issued or knows."""
    server = auth_server(emu)
    found = set(emu.tokens) | set(server.refresh_tokens) | set(server.codes) | set(server.devices)
    found.discard(emu.access_token)
    return found


def assert_no_secret(text, secrets_):
    leaked = [s for s in secrets_ if s and s in text]
    assert not leaked, f"{len(leaked)} secret(s) leaked into the text"


def child_env(config_home, **extra):
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(config_home)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    for name in ("CTCT_ACCESS_TOKEN", "CTCT_REFRESH_TOKEN", "CTCT_CLIENT_ID", "CTCT_CLIENT_SECRET"):
        env.pop(name, None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def spawn(args, env, **kw):
    return subprocess.Popen([sys.executable] + list(args), env=env, cwd=str(REPO_ROOT), text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def read_line_starting(proc, prefix, limit=40):
    """Read the child's stdout until a line starts with prefix; (that line, all lines read)."""
    lines = []
    for _ in range(limit):
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith(prefix):
            return line.strip(), lines
    proc.kill()
    raise AssertionError(f"no line starting with {prefix!r}; got {lines!r}; stderr {proc.stderr.read()!r}")
