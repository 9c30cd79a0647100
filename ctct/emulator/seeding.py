"""Loading a seed (None, "demo", a JSON file, a directory of V2 Atom payloads or a dict) into
the account store.

Each area module registers a seeder for its key with `@seeder(key, order)`; seeders run in
order (lists before contacts before emails) and use the same validation as the API.
"""
import json
from pathlib import Path

_SEEDERS = []  # (order, key, function(store, items))

DEMO_SEED = Path(__file__).with_name("demo.json")


def seeder(key, order):
    def register(func):
        _SEEDERS.append((order, key, func))
        _SEEDERS.sort(key=lambda s: s[0])
        return func

    return register


def load_seed(seed):
    """The seed as a dict: a directory path is read as captured V2 Atom payloads."""
    if seed is None:
        return {}
    if isinstance(seed, dict):
        return seed
    if seed == "demo":
        from .demo import demo_seed

        return demo_seed()
    path = Path(seed)
    if not path.exists():
        raise FileNotFoundError(f"seed file not found: {path}")
    if path.is_dir():  # a directory of captured V2 Atom payloads (ctct.atom.to_seed)
        from ..atom import to_seed

        return to_seed(path)
    return json.loads(path.read_text(encoding="utf-8"))


def apply_seed(store, seed):
    unknown = set(seed) - {key for _, key, _ in _SEEDERS}
    if unknown:
        raise ValueError(f"unknown seed keys: {sorted(unknown)}")
    with store.lock:
        for _, key, func in _SEEDERS:
            if seed.get(key):
                func(store, seed[key])
