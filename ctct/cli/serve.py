"""`ctct serve`: run the V3 emulator until SIGINT or SIGTERM."""
import signal
import sys
import threading


def register(subparsers):
    p = subparsers.add_parser("serve", help="serve the V3 emulator on loopback")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (0 picks a free one)")
    p.add_argument("--seed", help='"demo", a JSON seed file, or a directory of V2 Atom payloads')
    p.add_argument("--state", help="JSON file: loaded at start when it exists, saved on exit")
    p.add_argument("--no-rate-limit", action="store_true", help="do not enforce V3's 4/s and 10,000/day limits")
    p.add_argument("--token-ttl", type=int, default=None, help="lifetime of issued access tokens, seconds")
    p.set_defaults(func=run)


def run(args):
    from ..emulator import Emulator

    emu = Emulator(seed=args.seed, rate_limit=not args.no_rate_limit, token_ttl=args.token_ttl,
                   host=args.host, port=args.port, state_file=args.state)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    emu.start()
    print(f"CTCT_BASE_URL={emu.base_url}", flush=True)
    print(f"CTCT_ACCESS_TOKEN={emu.access_token}", flush=True)
    print(f"CTCT_AUTH_URL={emu.auth_url}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
    print("ctct serve: stopped", file=sys.stderr)
    return 0
