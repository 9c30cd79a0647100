"""`ctct demo`: the 2009 client's README walkthrough, run through CTCTConnection against an
emulated V3 account seeded with the demo data. Exits 1 when a step fails."""

DESCRIPTION = (
    "Start the V3 emulator with the demo account and run the 2009 client's README walkthrough "
    "(lists, contacts, campaigns, events, activities) through CTCTConnection, printing each step."
)


def register(subparsers):
    parser = subparsers.add_parser("demo", help="run the legacy README walkthrough on an emulated account",
                                   description=DESCRIPTION)
    parser.add_argument("--username", default="joe", help="the legacy username in the returned URIs (default: joe)")
    parser.add_argument("--strict", action="store_true", help="raise typed errors instead of logging them")
    parser.set_defaults(func=run)


def run(args):
    import logging
    import sys

    log = logging.getLogger("ctct")
    handler = None
    if not getattr(args, "verbose", 0):
        # a swallowed failure is logged at WARNING: show it next to the step it broke
        handler = logging.StreamHandler(sys.stdout)
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter("    %(levelname)s %(message)s"))
        log.addHandler(handler)
    try:
        return _run(args, log)
    finally:
        if handler is not None:
            log.removeHandler(handler)


def _run(args, log):
    import logging

    from ..connection import CTCTConnection
    from ..emulator import Emulator
    from ..legacy import walkthrough

    if log.getEffectiveLevel() > logging.WARNING:
        log.setLevel(logging.WARNING)

    def out(text=""):
        print(text, flush=True)

    with Emulator(seed="demo") as emu:
        out("ctct demo: the 2009 ctctwspylib README, run unchanged (but for Python 3 syntax) on the V3 API")
        out(f"V3 emulator with the demo account at {emu.base_url}")
        out("")
        out("    >>> from ctct import CTCTConnection        # or: from ctctwspylib import CTCTConnection")
        out(f"    >>> conn = CTCTConnection(API_KEY, {args.username!r}, ACCESS_TOKEN, base_url={emu.base_url!r})")
        with CTCTConnection("demo-client-id", args.username, emu.access_token, base_url=emu.base_url,
                            rate_limit=None, strict=args.strict) as conn:
            results = walkthrough.run(conn, out=out)
        failed = [r for r in results if not r.ok]
        out("")
        out(f"{len(results) - len(failed)} of {len(results)} steps passed; "
            f"{len(emu.requests)} V3 requests.")
        for result in failed:
            out(f"FAILED: {result.step.title}")
    return 1 if failed else 0
