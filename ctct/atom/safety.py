"""What the codec refuses before and while parsing: DTDs, entities, the network, huge input.

V2 payloads never carried a DTD, so anything beyond a bare `<!DOCTYPE name>` (an internal
subset, where entity bombs live, or an external identifier, which is how XXE reaches files and
the network) is refused before libxml2 sees the document. The parser itself never loads a DTD,
never resolves an entity, never touches the network and keeps libxml2's size limits
(huge_tree=False: no text node over 10 MB, no nesting deeper than 256).
"""
import re

from lxml import etree

from .errors import AtomError

# parse() takes the whole payload in memory; bigger inputs belong to iterparse().
MAX_PARSE_BYTES = 100 * 1024 * 1024

PARSER_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    dtd_validation=False,
    attribute_defaults=False,
)

# How much of the input the prolog check reads: a prolog longer than this (before the root
# element starts) is itself refused.
PROLOG_WINDOW = 64 * 1024

_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"), (b"\xef\xbb\xbf", "utf-8"),
)
_UTF16_SNIFF = ((b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"))

# The prolog: XML declaration, comments, processing instructions, whitespace.
_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_BARE_DOCTYPE = re.compile(r"<!DOCTYPE\s+[A-Za-z_][\w.:-]*\s*>")


def make_parser(recover=False):
    return etree.XMLParser(recover=recover, **PARSER_OPTIONS)


def check_size(size, limit, kind):
    if limit is not None and size > limit:
        raise AtomError(
            f"payload of {size} bytes is over the {limit}-byte limit of parse(); "
            "use atom.iterparse() for big feeds or raise max_bytes", kind=kind)


def sniff_encoding(head):
    """The encoding a byte-order mark or a UTF-16 '<?' announces, else None."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    for pattern, name in _UTF16_SNIFF:
        if head.startswith(pattern):
            return name
    return None


def _prolog_text(head):
    encoding = sniff_encoding(head)
    if encoding and encoding != "utf-8":
        return head.decode(encoding, errors="ignore").lstrip("\ufeff")
    # Markup characters are ASCII in every other encoding a V2 payload used.
    return head.decode("latin-1").lstrip("\ufeff").lstrip("\u00ef\u00bb\u00bf")


def check_prolog(head, kind):
    """Refuse a DOCTYPE with an internal subset (the only place entities can be declared)
    or an external identifier. `head` is the first PROLOG_WINDOW bytes of the input."""
    text = _prolog_text(head)
    pos = 0
    while True:
        match = _PROLOG_ITEM.match(text, pos)
        if not match or match.end() == pos:
            break
        pos = match.end()
    if text.startswith("<!DOCTYPE", pos) or text.startswith("<!doctype", pos):
        if not _BARE_DOCTYPE.match(text, pos):
            raise AtomError(
                "a DOCTYPE with an internal subset or an external DTD is refused "
                "(entity expansion and external entities are never allowed)",
                kind=kind, position=_line_col(text, pos))
    elif pos >= len(text) and len(head) >= PROLOG_WINDOW:
        raise AtomError("no root element in the first 64 KiB", kind=kind)


def _line_col(text, offset):
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
