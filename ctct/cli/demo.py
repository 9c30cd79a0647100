"""`ctct` subcommands: demo (to be written)."""


def register(subparsers):
    pass
