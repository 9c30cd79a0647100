"""The token store: location, 0600 permissions, atomic writes, locking across threads and
processes, and secrets kept out of its repr."""
import json
import logging
import os
import stat
import threading

import pytest

from ctct.v3 import tokens as tokens_module
from ctct.v3.tokens import FileTokenStore, MemoryTokenStore, TokenSet, default_store_path

from .oauth_support import assert_no_secret, child_env, config_home, spawn  # noqa: F401

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and fcntl locks")


def sample(client_id="app", n=0):
    return TokenSet(client_id=client_id, access_token=f"access-token-{client_id}-{n}",
                    refresh_token=f"refresh-token-{client_id}-{n}", expires_at=2e9, scope="contact_data",
                    auth_url="https://authz.constantcontact.com/oauth2/default/v1", user="owner@example.com")


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_default_path_honours_xdg_config_home(config_home):
    assert default_store_path() == config_home / "ctct" / "tokens.json"
    assert FileTokenStore().path == config_home / "ctct" / "tokens.json"


def test_file_is_0600_and_its_directory_0700(config_home):
    old_umask = os.umask(0o022)  # a permissive umask must not loosen anything
    try:
        store = FileTokenStore()
        store.save(sample())
    finally:
        os.umask(old_umask)
    assert mode(store.path) == 0o600
    assert mode(store.path.parent) == 0o700
    store.save(sample(n=1))  # still 0600 after a rewrite
    assert mode(store.path) == 0o600


def test_round_trip_and_several_logins(config_home):
    store = FileTokenStore()
    store.save(sample("a"))
    store.save(sample("b"))
    assert sorted(store.keys()) == ["a", "b"]
    assert store.load("a") == sample("a")
    assert store.delete("a") and not store.delete("a")
    assert store.keys() == ["b"]
    assert json.loads(store.path.read_text())["version"] == 1


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(config_home, monkeypatch):
    store = FileTokenStore()
    store.save(sample(n=1))
    before = store.path.read_bytes()

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tokens_module.os, "replace", crash)
    with pytest.raises(OSError):
        store.save(sample(n=2))
    monkeypatch.undo()

    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["tokens.json", "tokens.json.lock"]


def test_writes_replace_the_file_rather_than_rewriting_it(config_home):
    store = FileTokenStore()
    store.save(sample(n=1))
    reader = open(store.path, "rb")  # a reader holding the old file keeps a whole old copy
    try:
        store.save(sample(n=2))
        assert json.loads(reader.read())["logins"]["app"]["access_token"] == "access-token-app-1"
    finally:
        reader.close()
    assert store.load("app").access_token == "access-token-app-2"


def test_concurrent_writers_in_threads_lose_nothing(config_home):
    store = FileTokenStore()
    errors = []

    def writer(index):
        try:
            for n in range(10):
                FileTokenStore().save(sample(f"client-{index}", n))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(store.keys()) == sorted(f"client-{i}" for i in range(6))
    assert {store.load(f"client-{i}").access_token for i in range(6)} == {
        f"access-token-client-{i}-9" for i in range(6)}


COUNTER = r"""
import sys
from ctct.v3.tokens import FileTokenStore, TokenSet
store = FileTokenStore()
for _ in range(int(sys.argv[1])):
    with store.locked():  # a read-modify-write that must not interleave with the other process
        current = store.load("counter")
        count = int(current.scope) if current else 0
        store.save(TokenSet(client_id="counter", access_token="access-token-x", scope=str(count + 1)))
"""


def test_the_lock_excludes_other_processes(config_home):
    children = [spawn(["-c", COUNTER, "25"], child_env(config_home)) for _ in range(3)]
    for child in children:
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
    assert FileTokenStore().load("counter").scope == "75"


def test_lock_is_reentrant_within_a_thread(config_home):
    store = FileTokenStore()
    with store.locked():
        with store.locked():
            store.save(sample())
        store.save(sample(n=1))
    assert store.load("app").access_token == "access-token-app-1"


def test_a_readable_store_file_is_warned_about(config_home, caplog):
    store = FileTokenStore()
    store.save(sample())
    os.chmod(store.path, 0o644)
    with caplog.at_level(logging.WARNING, logger="ctct"):
        store.load("app")
    assert "readable by other users" in caplog.text


def test_a_corrupt_store_gives_a_clear_error(config_home):
    store = FileTokenStore()
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON.*ctct login"):
        store.load("app")


def test_reprs_never_show_tokens(config_home):
    tokens = sample()
    tokens.client_secret = "client-secret-xyz"
    text = repr(tokens) + repr(FileTokenStore()) + str(tokens)
    assert_no_secret(text, {tokens.access_token, tokens.refresh_token, tokens.client_secret})
    assert "owner@example.com" in text and "***" in text


def test_memory_store_is_a_token_store():
    store = MemoryTokenStore()
    store.save(sample())
    assert store.load("app") == sample() and store.keys() == ["app"]
    with store.locked():
        assert store.delete("app")
    assert store.load("app") is None
