"""The one error the codec raises."""


class AtomError(ValueError):
    """An Atom payload that cannot be read (or items that cannot be written).

    `kind` is the payload kind being read or written (None when it could not be told),
    `position` where it went wrong: (line, column) for a syntax error, (line, None) for an
    element, None when there is no place to point at. `line` and `column` unpack it.
    """

    def __init__(self, message, *, kind=None, position=None):
        self.kind = kind
        self.position = tuple(position) if position is not None else None
        self.reason = message
        super().__init__(self._describe())

    @property
    def line(self):
        return self.position[0] if self.position else None

    @property
    def column(self):
        return self.position[1] if self.position else None

    def _describe(self):
        kind = self.kind or "unknown kind"
        where = ""
        if self.line is not None:
            where = f" at line {self.line}" + (f", column {self.column}" if self.column is not None else "")
        return f"Atom payload ({kind}){where}: {self.reason}"
