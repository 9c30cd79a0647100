"""`ctct` subcommands: auth_cmds (to be written)."""


def register(subparsers):
    pass
