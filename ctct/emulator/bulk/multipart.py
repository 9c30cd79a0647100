"""A small multipart/form-data parser for the emulator (the CSV contact import).

The standard library's `cgi` module is deprecated (and gone in Python 3.13), and the
`email` parser copies every part several times; this one splits the body on the boundary
once, which keeps a 4 MB upload cheap.
"""
import re
from dataclasses import dataclass

_PARAM_RE = re.compile(r';\s*([A-Za-z0-9_\-\*]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


@dataclass
class Part:
    name: str
    data: bytes
    filename: str = None
    content_type: str = None

    def text(self):
        return self.data.decode("utf-8", "replace")


def header_params(value):
    """('main/value', {param: value}) for a header such as Content-Type or Content-Disposition."""
    main, _, rest = (value or "").partition(";")
    params = {}
    for key, raw in _PARAM_RE.findall(";" + rest):
        raw = raw.strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[key.lower()] = raw
    return main.strip().lower(), params


def parse(body, content_type):
    """The parts of a multipart/form-data body, in order. Raises MultipartError."""
    kind, params = header_params(content_type)
    if kind != "multipart/form-data":
        raise MultipartError("not multipart/form-data")
    boundary = params.get("boundary")
    if not boundary:
        raise MultipartError("the Content-Type has no boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise MultipartError("no parts found")
    parts = []
    # chunks[0] is the preamble; the last chunk starts with "--" (the closing delimiter)
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, data = chunk.partition(b"\n\n")
            if not sep:
                raise MultipartError("a part has no header block")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        elif data.endswith(b"\n"):
            data = data[:-1]
        headers = {}
        for line in head.decode("latin-1").splitlines():
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        disposition, disp_params = header_params(headers.get("content-disposition"))
        if disposition != "form-data" or "name" not in disp_params:
            raise MultipartError("a part has no form-data name")
        filename = disp_params.get("filename")
        if filename is not None:
            filename = filename.encode("latin-1", "replace").decode("utf-8", "replace")
        parts.append(Part(disp_params["name"], data, filename, headers.get("content-type")))
    return parts


__all__ = ["Part", "MultipartError", "parse", "header_params"]
