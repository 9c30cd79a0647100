"""`ctct serve` as users run it, and the `ctct_emulator` pytest fixture as users' suites get it."""
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ctct.v3 import V3Client

REPO = Path(__file__).resolve().parents[1]


def _env():
    return dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def start_serve(*args):
    proc = subprocess.Popen([sys.executable, "-m", "ctct", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    first = proc.stdout.readline().strip()
    second = proc.stdout.readline().strip()
    return proc, first, second


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    return proc.returncode, err


def test_serve_prints_url_and_token_first_then_serves_until_sigterm():
    proc, first, second = start_serve("--seed", "demo", "--no-rate-limit")
    try:
        assert first.startswith("CTCT_BASE_URL=http://127.0.0.1:") and first.endswith("/v3")
        assert ":0/" not in first  # --port 0 shows the port really bound
        assert second.startswith("CTCT_ACCESS_TOKEN=")
        base_url, token = first.split("=", 1)[1], second.split("=", 1)[1]
        with V3Client(base_url, access_token=token, rate_limit=None) as client:
            assert len(list(client.paginate("/contacts", "contacts"))) > 200
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_serve_state_file_is_saved_on_exit_and_loaded_on_next_start(tmp_path):
    state = tmp_path / "account.json"
    proc, first, second = start_serve("--state", str(state), "--no-rate-limit")
    try:
        with V3Client(first.split("=", 1)[1], access_token=second.split("=", 1)[1], rate_limit=None) as client:
            created = client.post("/contact_lists", json={"name": "Kept across restarts"})
    finally:
        code, err = stop(proc)
    assert code == 0, err
    saved = json.loads(state.read_text())
    assert [x["name"] for x in saved["contact_lists"]] == ["Kept across restarts"]

    token_before = second
    proc, first, second = start_serve("--state", str(state), "--no-rate-limit")
    try:
        assert second == token_before  # scripts holding the printed token keep working
        with V3Client(first.split("=", 1)[1], access_token=second.split("=", 1)[1], rate_limit=None) as client:
            again = client.get(f"/contact_lists/{created['list_id']}")
            assert again["name"] == "Kept across restarts"
    finally:
        stop(proc)


def test_serve_enforces_v3_rate_limits_by_default():
    proc, first, second = start_serve()
    try:
        from ctct.v3.errors import RateLimitedError
        from ctct.v3.retry import RetryPolicy

        with V3Client(first.split("=", 1)[1], access_token=second.split("=", 1)[1], rate_limit=None,
                      retry=RetryPolicy(max_attempts=1)) as client:
            with pytest.raises(RateLimitedError) as info:
                for _ in range(10):
                    client.get("/account/summary")
            assert info.value.throttled
    finally:
        stop(proc)


def test_the_pytest_plugin_gives_users_a_fresh_emulator_per_test(tmp_path):
    pytest.importorskip("ctct.emulator.pytest_plugin")
    from importlib.metadata import entry_points

    found = entry_points()
    group = found.select(group="pytest11") if hasattr(found, "select") else found.get("pytest11", [])  # 3.9: a dict
    registered = [ep for ep in group if ep.name == "ctct_emulator"]
    if not registered:
        pytest.skip("ctct is not installed (pip install -e .), so its pytest11 entry point is absent")
    (tmp_path / "test_user_suite.py").write_text(textwrap.dedent('''
        from ctct.v3 import V3Client

        def _client(emu):
            return V3Client(emu.base_url, access_token=emu.access_token, rate_limit=None)

        def test_first(ctct_emulator):
            _client(ctct_emulator).post("/contact_lists", json={"name": "only here"})
            assert len(ctct_emulator.state()["contact_lists"]) == 1

        def test_second_starts_empty(ctct_emulator):
            assert ctct_emulator.state()["contact_lists"] == []
            assert ctct_emulator.base_url.startswith("http://127.0.0.1:")
    '''))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                            capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120)
    assert "2 passed" in result.stdout, result.stdout + result.stderr
