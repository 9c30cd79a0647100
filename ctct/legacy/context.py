"""What every adapter function receives: the V3 client, the caller's username (for legacy
URIs), the strict flag, and id resolution."""
import logging

from ..v3.errors import CTCTError, InvalidInputError, NotFoundError
from ..xref import XrefResolver
from . import ids

log = logging.getLogger("ctct")

# legacy id kind -> xref kind
_XREF_KIND = {"contacts": "contacts", "lists": "lists", "campaigns": "campaigns"}


class LegacyContext:
    def __init__(self, client, username, *, strict=False, resolver=None):
        self.client = client
        self.username = username
        self.strict = strict
        self.resolver = resolver or XrefResolver(client)

    def uri(self, kind, v3_id):
        """The legacy URI for a V3 object (None stays None)."""
        return ids.legacy_uri(self.username, kind, v3_id) if v3_id else None

    def parse(self, value, kind):
        return ids.parse(value, kind)

    def v3_id(self, kind, value):
        """The V3 id for any accepted id form. V2 numbers go through the xref endpoint
        (cached); an unknown one raises NotFoundError. System list names are returned as is."""
        parsed = ids.parse(value, kind)
        if parsed.form != "v2":
            return parsed.value
        if kind not in _XREF_KIND:
            raise InvalidInputError(f"{kind} have no V2 -> V3 cross-reference; pass the V3 id")
        v3 = self.resolver.resolve_one(_XREF_KIND[kind], parsed.v2_number)
        if v3 is None:
            raise NotFoundError(f"V2 {kind[:-1]} id {parsed.value} is unknown to V3 (no xref)",
                                status=404, method="GET", path=f"xref:{kind}")
        return v3

    def call(self, method_name, default, func, *args, **kwargs):
        """Run an adapter function with the legacy error convention: in strict mode errors
        propagate; otherwise each is logged at WARNING with V3's message and `default` is
        returned."""
        try:
            return func(self, *args, **kwargs)
        except CTCTError as err:
            if self.strict:
                raise
            log.warning("ctct: %s failed: %s", method_name, err)
            return default

    def invalid(self, message):
        """Raise the error for bad caller input (turned into the legacy value by `call`)."""
        raise InvalidInputError(message)
