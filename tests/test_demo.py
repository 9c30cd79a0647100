"""`ctct demo` and the walkthrough it shares with the tests."""
import re
import subprocess
import sys

import pytest

from ctct import CTCTConnection
from ctct.cli import main
from ctct.emulator import Emulator
from ctct.legacy import walkthrough
from ctct.v3.retry import RetryPolicy
from .test_legacy_connection import LEGACY_SIGNATURES

NOT_IN_THE_README = {"query_contacts"}  # the 2009 README never shows it (tests/test_legacy_contacts.py does)


def test_ctct_demo_prints_every_step_and_exits_0(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "21 of 21 steps passed" in out
    for number, step in enumerate(walkthrough.STEPS, 1):
        assert f"[{number}] {step.title}" in out
    assert ">>> isValid = conn.verify_credentials()" in out and "isValid = True" in out
    assert "Newsletter Subscribers" in out  # the demo account's lists
    assert "The Campaign Name is Holiday Bouquets 2024" in out
    assert "(status now 'Do Not Mail'" in out
    assert "FAILED" not in out
    assert not re.search(r"emu_[A-Za-z0-9_-]{20,}", out)  # no token printed


def test_ctct_demo_exits_1_when_a_step_fails(capsys, monkeypatch):
    def broken(conn, state):
        return conn.get_contact_list("00000000-0000-4000-8000-000000000000") or walkthrough.expect(None, dict, "x")

    steps = walkthrough.STEPS[:2] + [walkthrough.Step("Contact Lists", "A list that is not there", "x", broken)]
    monkeypatch.setattr(walkthrough, "STEPS", steps)
    assert main(["demo"]) == 1
    out = capsys.readouterr().out
    assert "2 of 3 steps passed" in out and "FAILED: A list that is not there" in out
    assert "WARNING" in out and "404" in out  # the swallowed failure is shown next to its step


def test_ctct_demo_as_a_command():
    done = subprocess.run([sys.executable, "-m", "ctct", "demo"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "21 of 21 steps passed" in done.stdout


def test_the_walkthrough_calls_every_readme_method():
    shown = "\n".join(step.code for step in walkthrough.STEPS)
    for name in LEGACY_SIGNATURES:
        if name not in NOT_IN_THE_README:
            assert f"conn.{name}(" in shown, name


@pytest.mark.parametrize("strict", [False, True])
def test_the_walkthrough_passes_in_both_modes_and_reports_failures(strict):
    with Emulator(seed="demo") as emu:
        with CTCTConnection("k", "joe", emu.access_token, base_url=emu.base_url, rate_limit=None,
                            strict=strict) as conn:
            results = walkthrough.run(conn)
        assert [r.step.title for r in results if not r.ok] == []
        emu.inject(500, times=1000, path="/contact_lists")
        with CTCTConnection("k", "joe", emu.access_token, base_url=emu.base_url, rate_limit=None,
                            strict=strict, retry=RetryPolicy(max_attempts=1)) as conn:
            broken = walkthrough.run(conn, steps=walkthrough.STEPS[:3])
    assert [r.ok for r in broken] == [True, False, False]
    assert "FAILED" in broken[1].lines[0]
