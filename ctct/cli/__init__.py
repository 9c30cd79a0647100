"""The `ctct` command line. Each subcommand lives in its own module with a `register()`.

Subcommand modules import their heavy dependencies inside their run functions, so
`ctct --help` and `ctct --version` stay instant.
"""
import argparse
import logging
import sys

from .._version import __version__
from . import atom_cmds, auth_cmds, demo, migrate, serve

SUBCOMMANDS = (demo, serve, migrate, auth_cmds, atom_cmds)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="ctct",
        description="The 2009 Constant Contact client API on V3: demo, emulator, id migration, login, Atom tools.",
    )
    parser.add_argument("--version", action="version", version=f"ctct {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log requests (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG if args.verbose > 1 else logging.INFO,
                            format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
