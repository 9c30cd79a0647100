"""Contact imports (`contacts_json_import`, `contacts_file_import`): one row -> one upsert.

A row is a dict of V3 import columns (`email`, `first_name`, `home_phone`, `work_street2`,
`cf:<custom field name>`, ...). `RowMapper.map(row)` turns it into the sign-up-form style
body the contacts area's `upsert_contact` takes, or into a problem description. It keeps
per-row work to a dict lookup per column, since an import carries up to 40,000 rows.

Problems are of two kinds, as V3 counts them: *correctable* (invalid or missing email
address, birthday/anniversary format) and *errors* (unknown custom field or column, a value
too long or of the wrong type).
"""
import datetime as _dt
import re

from ..validate import is_email

# V3 limits from the JsonImportContact schema
NAME_MAX = 50
STREET_MAX = 255
CUSTOM_VALUE_MAX = 255
SMS_MAX = 16
MAX_CUSTOM_FIELDS = 25
MAX_PHONES = 3

SMS_RE = re.compile(r"^(?:\d{10}|\d{3}-\d{3}-\d{4})$")

ADDRESS_PARTS = {"street": ("street", STREET_MAX), "street2": ("street2", STREET_MAX),
                 "city": ("city", NAME_MAX), "state": ("state", NAME_MAX),
                 "zip": ("postal_code", NAME_MAX), "country": ("country", NAME_MAX)}


def _columns():
    """column -> (handler kind, target, max length)."""
    cols = {"email": ("email", None, NAME_MAX)}
    for name in ("first_name", "last_name", "job_title", "company_name"):
        cols[name] = ("text", name, NAME_MAX)
    cols["birthday_month"] = ("int", "birthday_month", None)
    cols["birthday_day"] = ("int", "birthday_day", None)
    cols["anniversary"] = ("date", "anniversary", None)
    # `phone` is the default kind (other); the explicit kinds win over it
    cols["phone"] = ("phone", "other", NAME_MAX)
    for kind in ("home", "work", "mobile", "other"):
        cols[f"{kind}_phone"] = ("phone", kind, NAME_MAX)
    # the unprefixed address columns are the home address (street2 is appended to street)
    for part, (target, limit) in ADDRESS_PARTS.items():
        cols[part] = ("address", ("home", target, False), limit)
        for kind in ("home", "work", "other"):
            cols[f"{kind}_{part}"] = ("address", (kind, target, True), limit)
    cols["home country"] = cols["home_country"]  # the spec spells this one with a space
    cols["sms_number"] = ("sms", "sms_number", SMS_MAX)
    cols["sms_consent_date"] = ("sms", "sms_consent_date", SMS_MAX)
    return cols


COLUMNS = _columns()

DATE_FORMATS = ("%m/%d/%Y", "%Y/%m/%d", "%Y-%m-%d", "%m-%d-%Y")


def parse_date(text):
    """V3's accepted date formats (MM/DD/YYYY, M/D/YYYY, YYYY/MM/DD, YYYY-M-D, M-D-YYYY, ...)
    as ISO YYYY-MM-DD, or None."""
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return _dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


class RowProblem(Exception):
    def __init__(self, messages, correctable):
        super().__init__("; ".join(messages))
        self.messages = messages
        self.correctable = correctable


class RowMapper:
    """Maps import rows for one account (custom fields resolved once per import)."""

    def __init__(self, custom_fields, sms_permission=None):
        self.sms_permission = sms_permission or "not_set"
        self.custom_by_name = {}
        folded = {}
        for field in custom_fields:
            name = field.get("name")
            if name:
                self.custom_by_name[name] = field["custom_field_id"]
                folded.setdefault(name.lower(), field["custom_field_id"])
        self._custom_folded = folded

    def custom_field_id(self, name):
        found = self.custom_by_name.get(name)
        return found if found is not None else self._custom_folded.get(name.lower())

    def map(self, row):
        """(email, body) for one row; raises RowProblem."""
        errors = []  # non-correctable
        fixable = []  # correctable
        body = {}
        phones = {}
        addresses = {}
        customs = []
        sms = {}
        email = None
        for key, value in row.items():
            if value is None or value == "":
                continue
            spec = COLUMNS.get(key)
            if spec is None:
                if key.startswith("cf:"):
                    name = key[3:]
                    field_id = self.custom_field_id(name)
                    if field_id is None:
                        errors.append(f"unknown custom field '{name}'")
                        continue
                    text = _text(value)
                    if text is None:
                        errors.append(f"'{key}' must be a string")
                    elif len(text) > CUSTOM_VALUE_MAX:
                        errors.append(f"'{key}' is longer than {CUSTOM_VALUE_MAX} characters")
                    else:
                        customs.append({"custom_field_id": field_id, "value": text})
                else:
                    errors.append(f"unknown column '{key}'")
                continue
            handler, target, limit = spec
            if handler == "int":
                number = _int(value)
                if number is None:
                    fixable.append(f"{key} must be a whole number")
                else:
                    body[target] = number
                continue
            text = _text(value)
            if text is None:
                errors.append(f"'{key}' must be a string")
                continue
            text = text.strip()
            if not text:
                continue
            if limit is not None and len(text) > limit:
                errors.append(f"'{key}' is longer than {limit} characters")
                continue
            if handler == "text":
                body[target] = text
            elif handler == "email":
                email = text
            elif handler == "phone":
                # an explicit `other_phone` wins over the default-kind `phone`
                if key == "phone" and target in phones:
                    continue
                phones[target] = text
            elif handler == "address":
                kind, part, explicit = target
                address = addresses.setdefault(kind, {})
                if explicit or part not in address:
                    address[part] = text
            elif handler == "date":
                iso = parse_date(text)
                if iso is None:
                    fixable.append(f"anniversary '{text}' is not a valid date")
                else:
                    body[target] = iso
            elif handler == "sms":
                sms[target] = text

        if email is None and "sms_number" not in sms:
            fixable.append("missing email address")
        elif email is not None and not is_email(email):
            fixable.append(f"invalid email address '{email}'")
        if "sms_number" in sms and not SMS_RE.match(sms["sms_number"]):
            fixable.append(f"invalid sms_number '{sms['sms_number']}'")
        if "sms_consent_date" in sms:
            consent = parse_date(sms["sms_consent_date"])
            if consent is None:
                fixable.append(f"sms_consent_date '{sms['sms_consent_date']}' is not a valid date")
            else:
                sms["sms_consent_date"] = consent
        month, day = body.get("birthday_month"), body.get("birthday_day")
        if (month is None) != (day is None):
            fixable.append("birthday_month and birthday_day must be given together")
        elif month is not None and not (1 <= month <= 12 and 1 <= day <= 31):
            fixable.append(f"birthday {month}/{day} is not a valid month/day")
        if len(phones) > MAX_PHONES:
            errors.append(f"more than {MAX_PHONES} phone numbers")
        if len(customs) > MAX_CUSTOM_FIELDS:
            errors.append(f"more than {MAX_CUSTOM_FIELDS} custom fields")
        if errors or fixable:
            raise RowProblem(errors + fixable, correctable=not errors)

        if email is not None:
            body["email_address"] = email
        if phones:
            body["phone_numbers"] = [{"phone_number": number, "kind": kind} for kind, number in phones.items()]
        if addresses:
            body["street_addresses"] = [_address(kind, parts) for kind, parts in addresses.items()]
        if customs:
            body["custom_fields"] = customs
        if "sms_number" in sms:
            body["sms_channel"] = self._sms_channel(sms["sms_number"])
        return email, body

    def _sms_channel(self, number):
        """The sign-up form's sms_channel for a US number (V3 imports take US numbers only)."""
        consent = {"sms_consent_permission": self.sms_permission, "consent_type": "promotional_sms"}
        return {"sms_address": number.replace("-", ""), "dial_code": "1", "country_code": "US",
                "sms_channel_consents": [consent]}


def _address(kind, parts):
    street = parts.pop("street", None)
    street2 = parts.pop("street2", None)
    if street2:
        street = f"{street} {street2}" if street else street2
    address = {"kind": kind}
    if street:
        address["street"] = street[:STREET_MAX]
    address.update(parts)
    return address


def _text(value):
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


__all__ = ["COLUMNS", "RowMapper", "RowProblem", "parse_date"]
