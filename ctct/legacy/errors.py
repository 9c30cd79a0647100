"""The legacy client's one public exception, kept for `except conn.InvalidUsernameException`."""


class InvalidUsernameException(Exception):
    """The username has characters the old API refused (allowed: a-zA-Z0-9 . - _ @)."""

    def __init__(self, value):
        super().__init__(value)
        self.parameter = value

    def __str__(self):
        return repr(self.parameter)
