"""Text-level repairs for payloads that are not well-formed XML.

Used only after a strict parse failed. Each repair fixes one damage pattern found in the V2
payloads that circulated (the docs' copies, hand-written request bodies, mis-encoded exports)
and reports what it changed, so the caller can warn about it. Everything here works on the
decoded text; the result is re-encoded as UTF-8 with a matching XML declaration.
"""
import codecs
import html.entities
import re

from .safety import sniff_encoding

_XML_ENTITIES = frozenset(("amp", "lt", "gt", "quot", "apos"))
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_DECLARATION_ENCODING = re.compile(r"^(\ufeff?\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2")


def _cp1252_fallback(error):
    # Bytes that are not UTF-8 in a UTF-8 payload are, in practice, Windows-1252 text pasted
    # in (the old exports); decode just those bytes that way and keep the rest as UTF-8.
    chars = []
    for byte in error.object[error.start:error.end]:
        try:
            chars.append(bytes((byte,)).decode("cp1252"))
        except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
            chars.append(chr(byte))
    return "".join(chars), error.end


codecs.register_error("ctct-atom-cp1252", _cp1252_fallback)


def decode(data):
    """(text, notes): the payload as text, by BOM, declaration or UTF-8."""
    notes = []
    encoding = sniff_encoding(data[:4])
    if encoding is None:
        match = _DECLARED_ENCODING.match(data[:200])
        encoding = match.group(1).decode("ascii").lower() if match else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        notes.append(f"unknown encoding {encoding!r} declared; read as UTF-8")
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        if codecs.lookup(encoding).name not in ("utf-8", "ascii"):
            text = data.decode(encoding, errors="replace")
            notes.append(f"bytes that are not {encoding} were replaced")
        else:
            text = data.decode("utf-8", errors="ctct-atom-cp1252")
            notes.append("bytes that are not UTF-8 were read as Windows-1252")
    return text.lstrip("\ufeff"), notes


def encode(text):
    text = _DECLARATION_ENCODING.sub(lambda m: m.group(1) + m.group(2) + "UTF-8" + m.group(2), text, count=1)
    return text.encode("utf-8")


# --- the repairs: (text) -> (text, count) --------------------------------------------------

_ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ILLEGAL_REFS = re.compile(r"&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01])|x0*(?:[0-8]|[bcef]|1[0-9a-f]));", re.IGNORECASE)


def _illegal_characters(text):
    text, chars = _ILLEGAL_CHARS.subn("", text)
    text, refs = _ILLEGAL_REFS.subn("", text)
    return text, chars + refs


_NAMESPACE = re.compile(r"(xmlns(?::[\w.-]+)?\s*=\s*)([\"'])(\s*)([^\"']*?)(\s*)\2")


def _namespace_spaces(text):
    count = 0

    def fix(match):
        nonlocal count
        if match.group(3) or match.group(5):
            count += 1
        return match.group(1) + match.group(2) + match.group(4) + match.group(2)

    return _NAMESPACE.sub(fix, text), count


# The docs' web pages wrapped URIs in anchors; copies of them kept "< a style=... >" and "< http".
_DOC_ANCHOR = re.compile(r"<\s+a\s[^<>]*>")
_DOC_LT_URI = re.compile(r"<\s+(?=https?://)")


def _doc_residue(text):
    text, anchors = _DOC_ANCHOR.subn("", text)
    text, uris = _DOC_LT_URI.subn("", text)
    return text, anchors + uris


_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def _html_entities(text):
    count = 0

    def fix(match):
        nonlocal count
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        count += 1
        codepoint = html.entities.name2codepoint.get(name)
        if codepoint is None:
            value = html.entities.html5.get(name + ";")
            if value is None:
                return "&amp;" + name + ";"  # unknown: keep it as literal text
            return "".join(f"&#{ord(c)};" for c in value)
        return f"&#{codepoint};"

    return _ENTITY.sub(fix, text), count


_BARE_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#x[0-9a-fA-F]+;|[A-Za-z_][\w.-]*;)")


def _bare_ampersands(text):
    return _BARE_AMPERSAND.subn("&amp;", text)


_STRAY_LT = re.compile(r"<(?=[\s\d=<>&]|$)")


def _stray_less_than(text):
    return _STRAY_LT.subn("&lt;", text)


_FIRST_TAG = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def _trailing_content(text):
    """Cut whatever follows the root element's end tag (the docs' stray quote)."""
    start = text.find("<", 0)
    while start >= 0 and text.startswith(("<?", "<!"), start):
        start = text.find(">", start)
        start = text.find("<", start) if start >= 0 else -1
    if start < 0:
        return text, 0
    match = _FIRST_TAG.match(text, start)
    if not match:
        return text, 0
    closing = re.compile(r"</" + re.escape(match.group(1) or "") + re.escape(match.group(2)) + r"\s*>")
    last = None
    for last in closing.finditer(text):
        pass
    if last is None or not text[last.end():].strip():
        return text, 0
    return text[:last.end()] + "\n", 1


REPAIRS = (
    (_illegal_characters, "removed {n} characters XML does not allow"),
    (_namespace_spaces, "removed spaces around {n} namespace URIs"),
    (_doc_residue, "removed {n} fragments of HTML copied from the API documentation pages"),
    (_html_entities, "replaced {n} undeclared (HTML) entities by the characters they name"),
    (_bare_ampersands, "escaped {n} bare '&'"),
    (_stray_less_than, "escaped {n} '<' that start no element"),
    (_trailing_content, "ignored text after the root element"),
)


def repair(data):
    """(repaired bytes, notes) for a payload a strict parse refused."""
    text, notes = decode(data)
    for func, message in REPAIRS:
        text, count = func(text)
        if count:
            notes.append(message.format(n=count))
    return encode(text), notes
