"""The 2009 client's import name. `from ctctwspylib import CTCTConnection` gives ctct's class,
so legacy code runs unchanged after `pip install ctct`."""
from ctct import CTCTConnection, InvalidUsernameException  # noqa: F401

__all__ = ["CTCTConnection", "InvalidUsernameException"]
