"""Connections, seeds, id forms and request counting shared by the legacy facade tests."""
import pytest

from ctct import CTCTConnection
from ctct.emulator import Emulator
from ctct.v3.retry import RetryPolicy

USERNAME = "joesflowers"
ORIGIN = f"http://api.constantcontact.com/ws/customers/{USERNAME}"

LIST_V2 = {"General Interest": 1, "Clients": 2, "Wedding Leads": 3}
CONTACT_V2 = {"jon@example.com": 22199, "mary@example.com": 22200}

SEED = {
    "contact_lists": [{"name": name, "v2_id": v2} for name, v2 in LIST_V2.items()],
    "contacts": [
        {"email_address": {"address": "jon@example.com", "permission_to_send": "implicit"},
         "first_name": "Jon", "last_name": "Smith", "job_title": "Florist", "v2_id": 22199,
         "list_memberships": ["General Interest", "Clients"],
         "phone_numbers": [{"kind": "mobile", "phone_number": "555-0100"}],
         "street_addresses": [{"kind": "work", "street": "1 Work Way", "city": "Boston"}]},
        {"email_address": {"address": "mary@example.com", "permission_to_send": "pending_confirmation"},
         "first_name": "Mary", "v2_id": 22200, "list_memberships": ["Clients"]},
    ],
}


@pytest.fixture
def seeded():
    """An emulator holding SEED (import this fixture into a test module to use it)."""
    with Emulator(seed=SEED) as emulator:
        yield emulator


@pytest.fixture
def conn(seeded):
    with connect(seeded) as connection:
        yield connection


def connect(emu, **kw):
    """A CTCTConnection on the emulator: no client-side pacing, fast retries."""
    kw.setdefault("rate_limit", None)
    kw.setdefault("retry", RetryPolicy(backoff_base=0.001, backoff_cap=0.01))
    kw.setdefault("base_url", emu.base_url)
    return CTCTConnection("api-key", USERNAME, emu.access_token, **kw)


def v3_id(emu, kind, v2):
    collection = {"contacts": emu.store.contacts, "lists": emu.store.contact_lists}[kind]
    return collection.by_v2[v2]


def id_forms(emu, kind, v2):
    """(label, value) for every id form a legacy caller may pass for one object."""
    v3 = v3_id(emu, kind, v2)
    return [
        ("v2 int", v2),
        ("v2 str", str(v2)),
        ("uri v2", f"{ORIGIN}/{kind}/{v2}"),
        ("v3", v3),
        ("uri v3", f"{ORIGIN}/{kind}/{v3}"),
    ]


class Counter:
    """The emulator requests made inside a `with` block."""

    def __init__(self, emu):
        self.emu = emu
        self.requests = []

    def __enter__(self):
        self._start = len(self.emu.requests)
        return self

    def __exit__(self, *exc):
        self.requests = list(self.emu.requests[self._start:])

    def __len__(self):
        return len(self.requests)

    def paths(self):
        return [(r.method, r.path) for r in self.requests]
