"""The `data` of a legacy bulk activity: its columns and rows, read and checked before
anything is sent.

The 2009 API took CSV-like text (`EMAIL ADDRESS,FIRST NAME\\nnum1@email.com,Joe`) and the
old client built it from `{'columns': [...], 'rows': [...]}`. Its README shows `rows` as one
flat list (`['num1@email.com', 'Joe']`) while its code iterated rows of values; both are
accepted here, as are rows given as CSV lines, and `data` given as the raw CSV text.

Column names are matched loosely (case, spaces, underscores and hyphens do not matter) against
the names the 2009 bulk API used ("EMAIL ADDRESS", "First Name", "CUSTOM FIELD 1",
"Zip/Postal Code", ...) and the legacy contact dict keys ("email_address", "custom_field1").
Each names a legacy contact field; `LEGACY_FIELDS` lists them in `shapes.CONTACT_WRITABLE`'s
vocabulary.
"""
import csv
import io
import re

from . import mapping

# normalised column name -> legacy contact field
_ALIASES = {
    "EMAIL ADDRESS": "email_address", "EMAIL": "email_address", "E MAIL": "email_address",
    "E MAIL ADDRESS": "email_address", "EMAILADDRESS": "email_address",
    "EMAIL TYPE": "email_type", "EMAIL FORMAT": "email_type",
    "NAME": "name", "FULL NAME": "name",
    "FIRST NAME": "first_name", "FIRSTNAME": "first_name",
    "MIDDLE NAME": "middle_name", "MIDDLENAME": "middle_name",
    "LAST NAME": "last_name", "LASTNAME": "last_name",
    "JOB TITLE": "job_title", "JOBTITLE": "job_title", "TITLE": "job_title",
    "COMPANY NAME": "company_name", "COMPANY": "company_name", "COMPANYNAME": "company_name",
    "HOME PHONE": "home_phone", "HOMEPHONE": "home_phone",
    "WORK PHONE": "work_phone", "WORKPHONE": "work_phone",
    "ADDRESS LINE 1": "addr1", "ADDRESS 1": "addr1", "ADDR1": "addr1", "ADDRESS": "addr1",
    "ADDRESS LINE 2": "addr2", "ADDRESS 2": "addr2", "ADDR2": "addr2",
    "ADDRESS LINE 3": "addr3", "ADDRESS 3": "addr3", "ADDR3": "addr3",
    "CITY": "city",
    "STATE": "state_code", "STATE CODE": "state_code", "US STATE/CA PROVINCE": "state_code",
    "STATE/PROVINCE (US/CANADA)": "state_code", "STATE/PROVINCE": "state_code",
    "STATE NAME": "state_name", "PROVINCE": "state_name",
    "STATE/PROVINCE (INTERNATIONAL)": "state_name", "INTERNATIONAL STATE": "state_name",
    "COUNTRY": "country_code", "COUNTRY CODE": "country_code", "COUNTRY NAME": "country_name",
    "POSTAL CODE": "postal_code", "ZIP": "postal_code", "ZIP CODE": "postal_code",
    "ZIP/POSTAL CODE": "postal_code", "POSTALCODE": "postal_code",
    "SUB POSTAL CODE": "sub_postal_code", "SUB ZIP/POSTAL CODE": "sub_postal_code",
    "SUBPOSTALCODE": "sub_postal_code", "ZIP+4": "sub_postal_code",
    "NOTE": "note", "NOTES": "note",
}
_CUSTOM = re.compile(r"^CUSTOM ?FIELD ?(\d{1,2})$")

LEGACY_FIELDS = tuple(dict.fromkeys(_ALIASES.values())) + tuple(f"custom_field{n}" for n in range(1, 16))


class DataError(ValueError):
    """The caller's data cannot be used as given (the message says where and why)."""


def normalise(name):
    text = re.sub(r"[\s_\-]+", " ", str(name).strip().upper())
    return re.sub(r"\s*/\s*", "/", text)


def field_for(column):
    """The legacy contact field a column names, or None."""
    norm = normalise(column)
    if norm in _ALIASES:
        return _ALIASES[norm]
    match = _CUSTOM.match(norm)
    if match and 1 <= int(match.group(1)) <= 15:
        return f"custom_field{int(match.group(1))}"
    lowered = str(column).strip().lower()
    return lowered if lowered in LEGACY_FIELDS else None


def is_email(text):
    """The same check create_contact applies (V3 takes addresses of up to 80 characters)."""
    return mapping.is_valid_email(text)


class Table:
    """Parsed activity data: `fields` (one legacy field per column) and `rows` (lists of
    stripped strings). `line_of(i)` is row i's line number as the 2009 API counted it (the
    column row is line 1, so the first contact is line 2)."""

    def __init__(self, columns, fields, rows):
        self.columns = columns
        self.fields = fields
        self.rows = rows

    @staticmethod
    def line_of(index):
        return index + 2

    def records(self):
        """Each row as {legacy field: value} (empty values left out)."""
        for row in self.rows:
            yield {field: value for field, value in zip(self.fields, row) if value != ""}

    def emails(self):
        index = self.fields.index("email_address")
        return [row[index] for row in self.rows]


def read_data(data):
    """A Table from `data` ({'columns', 'rows'} or CSV text); DataError when unusable."""
    if isinstance(data, (str, bytes)):
        columns, rows = _split_csv(data.decode("utf-8-sig") if isinstance(data, bytes) else data)
    elif isinstance(data, dict):
        if "columns" not in data or "rows" not in data:
            raise DataError("data needs 'columns' and 'rows'")
        columns = _column_list(data["columns"])
        rows = _row_list(data["rows"], len(columns))
    else:
        raise DataError("data must be a dict with 'columns' and 'rows' (or CSV text)")
    return _table(columns, rows)


def read_file(path):
    """A Table from a CSV file whose first line names the columns. A file of bare email
    addresses (one a line, no column row) is read as one EMAIL ADDRESS column."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    columns, rows = _split_csv(text)
    if len(columns) == 1 and is_email(columns[0]):
        rows = [[columns[0]]] + rows
        columns = ["EMAIL ADDRESS"]
    return _table(columns, rows)


# -- parsing ---------------------------------------------------------------------------------

def _split_csv(text):
    lines = [row for row in csv.reader(io.StringIO(text.strip("\r\n")), skipinitialspace=True)
             if any(cell.strip() for cell in row)]
    if not lines:
        raise DataError("data is empty")
    return [c.strip() for c in lines[0]], [[c.strip() for c in row] for row in lines[1:]]


def _column_list(columns):
    if isinstance(columns, str):
        columns = next(csv.reader([columns], skipinitialspace=True), [])
    if not isinstance(columns, (list, tuple)) or not columns:
        raise DataError("data['columns'] must be a non-empty list of column names")
    if not all(isinstance(c, str) and c.strip() for c in columns):
        raise DataError("every column name must be a non-empty string")
    return [c.strip() for c in columns]


def _row_list(rows, width):
    """Rows as lists of strings. Accepts a list of rows, a flat list of values (the README's
    form, `width` values per row) and a list of CSV lines."""
    if isinstance(rows, (str, bytes)):
        rows = [rows]
    if not isinstance(rows, (list, tuple)):
        raise DataError("data['rows'] must be a list")
    if not rows:
        return []
    if all(isinstance(r, (list, tuple)) for r in rows):
        return [[_cell(v) for v in row] for row in rows]
    if any(isinstance(r, (list, tuple, dict, set)) for r in rows):
        raise DataError("data['rows'] mixes rows (lists) and single values")
    values = [_cell(v) for v in rows]
    if width > 1:
        split = [next(csv.reader([v], skipinitialspace=True), []) for v in values]
        if all(len(cells) == width for cells in split):
            return [[c.strip() for c in cells] for cells in split]  # CSV lines
    if len(values) % width:
        raise DataError(
            f"data['rows'] holds {len(values)} values, not a whole number of rows of "
            f"{width} columns")
    return [values[i:i + width] for i in range(0, len(values), width)]


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    raise DataError(f"value {value!r} is not text")


def _table(columns, rows):
    fields = []
    for column in columns:
        field = field_for(column)
        if field is None:
            raise DataError(f"unknown column {column!r}")
        if field in fields:
            raise DataError(f"column {column!r} repeats {field!r}")
        fields.append(field)
    width = len(columns)
    for index, row in enumerate(rows):
        if len(row) != width:
            raise DataError(f"line {Table.line_of(index)} has {len(row)} values for {width} columns")
    return Table(columns, fields, rows)


def require_emails(table):
    """Every row needs a valid email address (the adds and removes are keyed by it)."""
    if "email_address" not in table.fields:
        raise DataError("data has no EMAIL ADDRESS column")
    if not table.rows:
        raise DataError("data has no rows")
    index = table.fields.index("email_address")
    for number, row in enumerate(table.rows):
        value = row[index]
        if not value:
            raise DataError(f"line {Table.line_of(number)} has no email address")
        if not is_email(value):
            raise DataError(f"line {Table.line_of(number)} has an invalid email address {value!r}")
