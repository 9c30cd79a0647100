"""Loopback throughput of the emulator (issue #3), against a bare stdlib server.

Two requests, each sent N times in a row on one keep-alive connection by the stdlib's
`http.client` (the lightest client, so the figure is the server's):
  - GET /v3/contacts/{contact_id}            one contact
  - GET /v3/contacts?limit=500               a page of 500 contacts
The same client then sends the same paths to a bare `ThreadingHTTPServer` whose handler
answers each with the very bytes the emulator answered (HTTP/1.1 keep-alive, TCP_NODELAY,
no logging: the fastest a Python stdlib server gets). The ratio emulator / bare says what
the emulator's routing, auth check, state lookup and JSON rendering cost.

    python -m benchmarks.bench_emulator [--requests 5000] [--rounds 3] [--json]
"""
import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import seeds

ACCOUNT_CONTACTS = 1_000
PAGE = 500
WARM_UP = 50


class _FixedBodyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # or each response waits for the delayed ACK
    bodies = {}  # path (with query) -> bytes

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        body = self.bodies.get(self.path, b"{}")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class BareServer:
    """A ThreadingHTTPServer on 127.0.0.1 answering fixed bodies, in a background thread."""

    def __init__(self, bodies):
        handler = type("Handler", (_FixedBodyHandler,), {"bodies": dict(bodies)})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def port(self):
        return self.server.server_address[1]


def fetch(port, path, headers):
    """One request on a fresh connection: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def requests_per_second(port, path, headers, count):
    """`count` GETs of `path` on one keep-alive connection, after a short warm-up."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for _ in range(WARM_UP):
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
        started = time.perf_counter()
        for _ in range(count):
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}")
        return count / (time.perf_counter() - started)
    finally:
        conn.close()


def run(count, rounds=1):
    """{case: {...}} for the two requests, emulator and bare server; each rate is the
    median of `rounds` measurements."""
    from ctct.emulator import Emulator

    with Emulator(seed=seeds.account(ACCOUNT_CONTACTS)) as emu:
        root = urlsplit(emu.base_url).path
        headers = {"Authorization": f"Bearer {emu.access_token}", "Accept": "application/json"}
        contact_id = next(iter(emu.store.contacts.values()))["contact_id"]
        cases = {
            "get_contact_by_id": f"{root}/contacts/{contact_id}",
            "page_of_500": f"{root}/contacts?limit={PAGE}",
        }
        bodies = {}
        for name, path in cases.items():
            status, body = fetch(emu.port, path, headers)
            if status != 200:
                raise RuntimeError(f"emulator answered {status} to GET {path}")
            bodies[path] = body
        if len(json.loads(bodies[cases["page_of_500"]])["contacts"]) != PAGE:
            raise RuntimeError("the emulator's page is not 500 contacts")
        # fewer page requests: each moves ~200 times the bytes of a single contact
        counts = {"get_contact_by_id": count, "page_of_500": max(20, count // 10)}
        emulator = {name: _median(requests_per_second(emu.port, path, headers, counts[name]) for _ in range(rounds))
                    for name, path in cases.items()}
    with BareServer(bodies) as bare:
        baseline = {name: _median(requests_per_second(bare.port, path, headers, counts[name]) for _ in range(rounds))
                    for name, path in cases.items()}
    results = {}
    for name, path in cases.items():
        results[name] = {
            "requests": counts[name],
            "body_bytes": len(bodies[path]),
            "emulator_per_second": round(emulator[name], 1),
            "bare_server_per_second": round(baseline[name], 1),
            "emulator_vs_bare": round(emulator[name] / baseline[name], 3),
        }
    return {"client": "http.client, one keep-alive connection", "account_contacts": ACCOUNT_CONTACTS,
            "rounds": rounds, "cases": results}


def _median(values):
    return statistics.median(list(values))


def main(argv=None):
    parser = argparse.ArgumentParser(description="emulator loopback throughput")
    parser.add_argument("--requests", type=int, default=5_000, help="GETs by id (pages: a tenth)")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per case (the median is kept)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = run(args.requests, args.rounds)
    if args.json:
        print(json.dumps(results))
        return 0
    for name, row in results["cases"].items():
        print(f"{name:<18} emulator {row['emulator_per_second']:>8.0f}/s   bare server "
              f"{row['bare_server_per_second']:>8.0f}/s   ratio {row['emulator_vs_bare']:.2f}   "
              f"({row['body_bytes']:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
