"""Legacy add-contacts data as V3 import rows, split at V3's per-request limits.

Each legacy field lands where `mapping.py` keeps it for single contacts, so a contact added
in bulk reads back through get_contact like one added by create_contact:
- email_address, first_name, last_name, job_title, company_name, home_phone, work_phone,
  city: the import columns of the same meaning (email, ..., home_phone, work_phone, city);
- addr1..addr3: `street`, the lines joined with "\\n"; state_name (else state_code): `state`;
  country_name (else country_code): `country`; postal_code: `zip`;
- custom_field1..15, middle_name, email_type, state_code, country_code, sub_postal_code, and a
  display name that is not simply "first last": the custom fields mapping.py names
  ("CustomField1", "Middle Name", ...), as `cf:<field name>` columns. Missing definitions
  are created first (V3 imports only fill existing custom fields).
- note: V3 imports have no notes column, so a NOTE column is refused before anything is sent.

V3 takes at most 40,000 contacts and less than 4 MB per import request; larger data becomes
several imports (see activities.py for how they read back as one activity).
"""
import csv
import io
import json

from . import mapping, shapes
from .activity_data import DataError, Table
from .custom_fields import registry_for

MAX_IMPORT_ROWS = 40_000
# "less than 4 MB": kept under 4,000,000 bytes whichever megabyte V3 means
MAX_IMPORT_BYTES = 4_000_000

_SAME = ("first_name", "last_name", "job_title", "company_name", "home_phone", "work_phone", "city")
_IMPORT_COLUMN = {"email_address": "email", "postal_code": "zip"}
_IMPORT_COLUMN.update({key: key for key in _SAME})
NOT_IMPORTABLE = {"note": "V3 bulk imports have no notes column; use create_contact/update_contact for notes"}
_EMAIL_TYPES = {"html": "HTML", "text": "Text"}


def check_importable(table):
    """DataError for a column V3 imports cannot carry, or a bad email type."""
    for field in table.fields:
        if field in NOT_IMPORTABLE:
            raise DataError(f"column {table.columns[table.fields.index(field)]!r}: {NOT_IMPORTABLE[field]}")
    if "email_type" in table.fields:
        index = table.fields.index("email_type")
        for number, row in enumerate(table.rows):
            if row[index] and row[index].lower() not in _EMAIL_TYPES:
                raise DataError(f"line {Table.line_of(number)}: email type must be HTML or Text, got {row[index]!r}")


def custom_keys_needed(table):
    """The legacy keys this data keeps in custom fields (definitions needed before import)."""
    needed = [f for f in table.fields if f in mapping.EXTRA_FIELD_LABELS and f != "name"]
    if "name" in table.fields:
        needed.append("name")  # only used by rows whose name is not "first last"; harmless
    return needed


def missing_custom_fields(ctx, keys):
    """The legacy keys among `keys` whose custom field definition does not exist yet (so
    ensure_custom_fields would create it). Reads the definitions (once per connection; the
    read ensure_custom_fields would make anyway)."""
    if not keys:
        return []
    existing = registry_for(ctx).names_for(keys, create=False)
    return [key for key in keys if key not in existing]


def ensure_custom_fields(ctx, keys):
    """{legacy key: V3 custom field name} for `keys`, creating missing definitions (through
    the connection's registry, so an account's definitions are read once per connection)."""
    if not keys:
        return {}
    names = registry_for(ctx).names_for(keys)
    return {key: names.get(key) or mapping.EXTRA_FIELD_LABELS[key] for key in keys}


def import_rows(table, field_names):
    """The V3 import dict of every row (field_names: {legacy key: custom field name})."""
    return [_import_row(record, field_names) for record in table.records()]


# legacy keys kept in custom fields (email_type and name are handled on their own)
_CUSTOM_COLUMNS = frozenset(("state_code", "country_code", "sub_postal_code", "middle_name")
                            + shapes.CUSTOM_FIELD_KEYS)


def _import_row(record, field_names):
    # One pass over the columns the row has (imports run to 100,000s of rows), instead of
    # asking each row for every legacy key.
    row, customs = {}, {}
    for key, value in record.items():
        if not value:
            continue
        column = _IMPORT_COLUMN.get(key)
        if column is not None:
            row[column] = value
        elif key in _CUSTOM_COLUMNS:
            customs[key] = value
    if "addr1" in record or "addr2" in record or "addr3" in record:
        lines = [record.get("addr1", ""), record.get("addr2", ""), record.get("addr3", "")]
        while lines and not lines[-1]:
            lines.pop()
        if lines:
            row["street"] = "\n".join(lines)
    state = record.get("state_name") or record.get("state_code")
    if state:
        row["state"] = state
    country = record.get("country_name") or record.get("country_code")
    if country:
        row["country"] = country
    if record.get("email_type"):
        customs["email_type"] = _EMAIL_TYPES[record["email_type"].lower()]
    name = record.get("name")
    if name and name != mapping.display_name(row.get("first_name"), row.get("last_name")):
        split = _split_name(name) if "first_name" not in row and "last_name" not in row else None
        if split:
            row["first_name"] = split[0]
            if split[1]:
                row["last_name"] = split[1]
        else:
            customs["name"] = name
    for key, value in customs.items():
        row[f"cf:{field_names[key]}"] = value
    return row


def _split_name(name):
    """(first, last) when "First Last" splits back into the same display name."""
    if "," in name:
        return None
    first, _, last = name.partition(" ")
    if mapping.display_name(first, last or None) != name:
        return None
    if len(first) > mapping.MAX_LENGTHS["first_name"] or len(last) > mapping.MAX_LENGTHS["last_name"]:
        return None
    return first, last or None


def json_chunks(rows, list_ids):
    """[(first row index, rows)] of import requests within V3's limits (sizes measured as
    the JSON requests sends: json.dumps with its default separators)."""
    envelope = len(json.dumps({"import_data": [], "list_ids": list_ids}))
    chunks, start = [], 0
    while start < len(rows):
        # Usually a whole request's worth of rows fits: one dumps of them says so (a list
        # dumps as its items joined by ", " in brackets: the sum of the per-row sizes below).
        part = rows[start:start + MAX_IMPORT_ROWS]
        if envelope + len(json.dumps(part)) < MAX_IMPORT_BYTES:
            chunks.append((start, part))
            start += len(part)
            continue
        # too many bytes: measure row by row from here on
        chunks.extend(_chunks(rows[start:], envelope, lambda row: len(json.dumps(row)) + 2,
                              MAX_IMPORT_ROWS, first_index=start))
        break
    return chunks


def csv_chunks(rows, list_ids):
    """[(first row index, csv bytes)] for file imports: ≤ 40,000 lines with the column row,
    each body under the size limit."""
    header = list(dict.fromkeys(key for row in rows for key in row))
    header_bytes = len(_csv_line(header))
    envelope = header_bytes + 400 + len(",".join(list_ids))  # multipart framing and fields
    pieces = []
    for start, part in _chunks(rows, envelope, lambda row: len(_csv_line([row.get(k, "") for k in header])),
                               MAX_IMPORT_ROWS - 1):
        text = _csv_line(header) + b"".join(_csv_line([row.get(k, "") for k in header]) for row in part)
        pieces.append((start, text))
    return pieces


def _csv_line(values):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue().encode("utf-8")


def _chunks(rows, envelope, size_of, max_rows, first_index=0):
    """[(index of the first row, rows)]: as many rows a request as the limits allow
    (first_index: the index of rows[0] in the whole table, for indexes and line numbers)."""
    chunks = []
    start, used, current = first_index, envelope, []
    for index, row in enumerate(rows, first_index):
        size = size_of(row)
        if envelope + size >= MAX_IMPORT_BYTES:
            raise DataError(f"line {Table.line_of(index)} alone exceeds V3's 4 MB import limit")
        if current and (len(current) >= max_rows or used + size >= MAX_IMPORT_BYTES):
            chunks.append((start, current))
            start, used, current = index, envelope, []
        current.append(row)
        used += size
    if current:
        chunks.append((start, current))
    return chunks
