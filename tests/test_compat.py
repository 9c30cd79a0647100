"""The old import name: `from ctctwspylib import CTCTConnection` is ctct's class, and the
2009 README walkthrough runs through it unchanged."""
import importlib
import sys
from pathlib import Path

import pytest

import ctct
from ctct.emulator import Emulator
from ctct.legacy import walkthrough


def _import_compat():
    try:
        return importlib.import_module("ctctwspylib")
    except ImportError:  # not installed (pip install -e .): use the shim from the source tree
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "compat"))
        return importlib.import_module("ctctwspylib")


ctctwspylib = _import_compat()


def test_the_old_names_are_ctcts_objects():
    from ctctwspylib import CTCTConnection, InvalidUsernameException

    assert CTCTConnection is ctct.CTCTConnection
    assert InvalidUsernameException is ctct.InvalidUsernameException
    assert set(ctctwspylib.__all__) == {"CTCTConnection", "InvalidUsernameException"}


def test_the_exception_reads_as_before():
    err = ctctwspylib.InvalidUsernameException("bad name")
    assert err.parameter == "bad name" and str(err) == "'bad name'"  # str() was repr(parameter)
    assert isinstance(err, Exception)


@pytest.mark.parametrize("module_name", ["ctct", "ctctwspylib"])
def test_the_readme_walkthrough_runs_through_either_import(module_name):
    connection_class = importlib.import_module(module_name).CTCTConnection
    with Emulator(seed="demo") as emu:
        with connection_class("api-key", "joe", emu.access_token, base_url=emu.base_url, rate_limit=None) as conn:
            results = walkthrough.run(conn)
    failed = [(r.step.title, r.lines) for r in results if not r.ok]
    assert not failed
    assert len(results) == len(walkthrough.STEPS) == 21
