"""`ctct` subcommands: atom_cmds (to be written)."""


def register(subparsers):
    pass
