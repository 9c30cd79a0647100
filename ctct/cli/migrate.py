"""`ctct` subcommands: migrate (to be written)."""


def register(subparsers):
    pass
