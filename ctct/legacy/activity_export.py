"""EXPORT_CONTACTS options (the 2009 form fields) as a V3 contact export.

Legacy option          V3 contact_exports
fileType CSV|TXT       V3 writes CSV only; TXT is accepted and noted in the log
exportOptDate          adds the field email_optin_date   (default true, as the old client)
exportOptSource        adds the field email_optin_source (default true)
exportListName         adds the field email_lists        (default true)
sortBy EMAIL_ADDRESS|DATE_DESC   V3 exports have no order option; accepted, noted in the log
columns                the fields: EMAIL ADDRESS -> email_address (always exported),
                       FIRST NAME -> first_name, HOME/WORK PHONE -> phone_number,
                       ADDRESS LINE n -> street, STATE -> state, POSTAL CODE -> zip,
                       NOTE -> notes, CUSTOM FIELD n / MIDDLE NAME / ... -> cf:<custom field>
lists                  list_ids; the XML API's system lists select by status instead
                       (active -> active, do-not-mail -> unsubscribed, removed -> removed)
"""
import logging

from . import mapping
from .activity_data import DataError, field_for

log = logging.getLogger("ctct")

OPTIONS = ("fileType", "exportOptDate", "exportOptSource", "exportListName", "sortBy", "columns")
FILE_TYPES = ("CSV", "TXT")
SORTS = ("EMAIL_ADDRESS", "DATE_DESC")
SYSTEM_LIST_STATUS = {"active": "active", "do-not-mail": "unsubscribed", "removed": "removed"}

# legacy field -> V3 export fields
_EXPORT_FIELDS = {
    "email_address": ("email_address",),
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "job_title": ("job_title",),
    "company_name": ("company_name",),
    "home_phone": ("phone_number",),
    "work_phone": ("phone_number",),
    "addr1": ("street",), "addr2": ("street",), "addr3": ("street",),
    "city": ("city",),
    "state_name": ("state",),
    "country_name": ("country",),
    "postal_code": ("zip",),
    "note": ("notes",),
    "name": ("first_name", "last_name"),
}
# legacy fields also (or only) kept in custom fields
_CUSTOM = tuple(mapping.EXTRA_FIELD_LABELS)


class ExportPlan:
    """Validated options: `fields` (V3 export fields without custom ones), `custom_keys`
    (legacy keys to export from custom fields)."""

    def __init__(self, fields, custom_keys):
        self.fields = fields
        self.custom_keys = custom_keys

    def body(self, list_ids, statuses, custom_names):
        """The POST /activities/contact_exports body. custom_names: {legacy key: V3 custom
        field name} for the custom keys that exist (others have nothing to export)."""
        body = {}
        if list_ids:
            body["list_ids"] = list(list_ids)
        if statuses:
            body["status"] = statuses[0]
        fields = list(self.fields)
        for key in self.custom_keys:
            if key in custom_names:
                fields.append(f"cf:{custom_names[key]}")
        body["fields"] = list(dict.fromkeys(fields))
        return body


def plan_export(data):
    """An ExportPlan for the caller's options (DataError when one is unusable)."""
    options = {} if data is None else data
    if not isinstance(options, dict):
        raise DataError("EXPORT_CONTACTS options (data) must be a dict")
    unknown = [k for k in options if k not in OPTIONS]
    if unknown:
        raise DataError(f"unknown export option(s) {', '.join(map(repr, unknown))}; known: {', '.join(OPTIONS)}")
    file_type = str(options.get("fileType", "CSV")).strip().upper()
    if file_type not in FILE_TYPES:
        raise DataError(f"fileType must be CSV or TXT, got {options['fileType']!r}")
    if file_type == "TXT":
        log.info("ctct: EXPORT_CONTACTS fileType TXT: V3 exports CSV files only")
    sort = str(options.get("sortBy", "EMAIL_ADDRESS")).strip().upper()
    if sort not in SORTS:
        raise DataError(f"sortBy must be EMAIL_ADDRESS or DATE_DESC, got {options['sortBy']!r}")
    if sort != "EMAIL_ADDRESS":
        log.info("ctct: EXPORT_CONTACTS sortBy %s: V3 exports have no sort order", sort)

    fields = ["email_address"]
    custom = []
    columns = options.get("columns", ["EMAIL ADDRESS"])
    if isinstance(columns, str):
        columns = [columns]
    if not isinstance(columns, (list, tuple)):
        raise DataError("columns must be a list of column names")
    for column in columns:
        field = field_for(column) if isinstance(column, str) else None
        if field is None:
            raise DataError(f"unknown export column {column!r}")
        fields.extend(_EXPORT_FIELDS.get(field, ()))
        if field in _CUSTOM and field not in custom:
            custom.append(field)
        if field in ("state_code", "country_code") and field not in _EXPORT_FIELDS:
            # the address shows the code when no name was given
            fields.append("state" if field == "state_code" else "country")
    for option, field in (("exportOptDate", "email_optin_date"), ("exportOptSource", "email_optin_source"),
                          ("exportListName", "email_lists")):
        if _flag(options.get(option, True), option):
            fields.append(field)
    return ExportPlan(list(dict.fromkeys(fields)), custom)


def _flag(value, name):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise DataError(f"{name} must be true or false, got {value!r}")
