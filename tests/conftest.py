"""Shared fixtures: a fresh emulator per test and a V3 client pointed at it.

Everything runs over real HTTP on 127.0.0.1; nothing here mocks `requests`.
"""
from pathlib import Path

import pytest

from ctct.emulator import Emulator
from ctct.v3 import V3Client
from ctct.v3.retry import RetryPolicy

FIXTURES = Path(__file__).parent / "fixtures"
ATOM_FIXTURES = FIXTURES / "v2-atom"
SPEC_DIR = Path(__file__).parent / "spec"


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def demo_emu():
    with Emulator(seed="demo") as emulator:
        yield emulator


def make_client(emulator, **kw):
    """A V3 client for the emulator: no client-side pacing and no real sleeping on retries."""
    kw.setdefault("rate_limit", None)
    kw.setdefault("retry", RetryPolicy(backoff_base=0.001, backoff_cap=0.01))
    return V3Client(emulator.base_url, access_token=emulator.access_token, **kw)


@pytest.fixture
def client(emu):
    with make_client(emu) as c:
        yield c


@pytest.fixture(autouse=True, scope="session")
def _private_user_dirs(tmp_path_factory):
    """Keep the suite's id cache and token store out of the user's own directories."""
    import os

    home = tmp_path_factory.mktemp("user-dirs")
    saved = {k: os.environ.get(k) for k in ("CTCT_CACHE", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    os.environ["CTCT_CACHE"] = str(home / "xref.sqlite3")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_CACHE_HOME"] = str(home / "cache")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
