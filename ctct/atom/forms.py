"""The other V2 payload: the form body of `POST /activities` (bulk activities).

`parse_activity_form(body)` gives the arguments of the legacy `create_activity(type, lists,
data)` for a captured body, so an archived request can be replayed:

    conn.create_activity(**atom.parse_activity_form(body))

  - add/remove types (SV_ADD, ADD_CONTACTS, ADD_CONTACT_DETAIL, REMOVE_CONTACTS_FROM_LISTS):
    data = {"columns": [...], "rows": [[...], ...]} from the CSV-like `data` parameter
    (quoted values and CRLF or LF line breaks are handled; blanks after commas dropped);
  - EXPORT_CONTACTS: data = {"fileType", "exportOptDate", ..., "columns": [...]}, lists from
    the `listId` parameters;
  - CLEAR_CONTACTS_FROM_LISTS: lists only (data None).
"""
import csv
import io
from urllib.parse import parse_qsl

from .errors import AtomError

_EXPORT_OPTIONS = ("fileType", "exportOptDate", "exportOptSource", "exportListName", "sortBy")


def parse_activity_form(body):
    """{"type", "lists", "data"} for an application/x-www-form-urlencoded activity body."""
    if isinstance(body, (bytes, bytearray)):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            body = bytes(body).decode("latin-1")
    if not isinstance(body, str):
        raise TypeError(f"parse_activity_form() takes str or bytes, not {type(body).__name__}")
    pairs = parse_qsl(body.strip(), keep_blank_values=True)
    values = {}
    for key, value in pairs:
        values.setdefault(key, []).append(value)
    kind = (values.get("activityType") or [None])[0]
    if not kind:
        raise AtomError("not an activity form body: no activityType", kind="activity_form")
    if kind == "EXPORT_CONTACTS":
        data = {key: values[key][0] for key in _EXPORT_OPTIONS if key in values}
        if "columns" in values:
            data["columns"] = values["columns"]
        return {"type": kind, "lists": values.get("listId", []), "data": data}
    data = None
    if "data" in values:
        rows = [row for row in csv.reader(io.StringIO(values["data"][0]), skipinitialspace=True) if row]
        data = {"columns": rows[0] if rows else [], "rows": rows[1:]}
    return {"type": kind, "lists": values.get("lists", []), "data": data}
