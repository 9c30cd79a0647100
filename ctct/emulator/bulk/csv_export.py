"""Contact exports (`POST /activities/contact_exports`): which contacts, which columns, the CSV.

Columns are V3's export field names (the `fields` array); custom fields are exported as
`cf:<custom field name>`. Without `fields`, every standard column plus every custom field
is exported. The `email_opt*` columns need `email_address` among the fields, as in V3.
"""
import csv
import datetime as _dt
import io

from .. import isotime

STANDARD_FIELDS = (
    "email_address", "first_name", "last_name", "job_title", "company_name", "phone_number",
    "street", "city", "state", "zip", "country", "birthday_month", "birthday_day", "birthday",
    "anniversary", "email_lists", "tag", "notes", "website", "social_profiles", "source_name",
    "email_permission", "email_optin", "email_optin_source", "email_optin_date",
    "email_optout_source", "email_optout_date", "email_optout_reason",
    "sms_number", "sms_consent_date", "sms_status", "created_at", "updated_at",
)
# exported when `fields` is not given (V3: "By default, all fields are returned")
DEFAULT_FIELDS = tuple(f for f in STANDARD_FIELDS if f not in ("website", "social_profiles", "birthday", "email_optin"))
NEEDS_EMAIL = ("email_optin_source", "email_optin_date", "email_optout_source", "email_optout_date", "email_optout_reason")
STATUSES = ("active", "unsubscribed", "removed", "deleted")
NEW_SUBSCRIBER_DAYS = 30


def contact_status(contact):
    """`removed` (deleted), `unsubscribed`, or `active`."""
    if contact.get("deleted_at"):
        return "removed"
    email = contact.get("email_address") or {}
    if email.get("permission_to_send") == "unsubscribed":
        return "unsubscribed"
    return "active"


def matches_status(contact, status):
    """Whether a contact is exported for `status` (None: every contact not deleted)."""
    actual = contact_status(contact)
    if status is None:
        return actual != "removed"
    if status in ("removed", "deleted"):
        return actual == "removed"
    return actual == status


def is_new_subscriber(contact, now=None):
    created = isotime.parse(contact.get("created_at"))
    if created is None:
        return False
    now = now or _dt.datetime.now(_dt.timezone.utc)
    return now - created <= _dt.timedelta(days=NEW_SUBSCRIBER_DAYS)




class CsvWriter:
    """Renders contacts into V3 export rows for a fixed list of columns."""

    def __init__(self, fields, custom_fields, list_names):
        self.fields = list(fields)
        self.custom_by_name = {}
        for field in custom_fields:
            if field.get("name"):
                self.custom_by_name.setdefault(field["name"], field["custom_field_id"])
                self.custom_by_name.setdefault(field["name"].lower(), field["custom_field_id"])
        self.list_names = list_names

    def render(self, contacts):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.fields)
        getters = [self._getter(name) for name in self.fields]
        for contact in contacts:
            writer.writerow([get(contact) for get in getters])
        return out.getvalue()

    def _getter(self, name):
        if name.startswith("cf:"):
            field_id = self.custom_by_name.get(name[3:], self.custom_by_name.get(name[3:].lower()))
            return lambda c: _custom_value(c, field_id)
        simple = SIMPLE.get(name)
        if simple is not None:
            return simple
        if name == "email_lists":
            return lambda c: ";".join(self.list_names.get(i, i) for i in c.get("list_memberships") or [])
        return lambda c: ""


def _email(contact, key):
    return (contact.get("email_address") or {}).get(key) or ""


def _first_address(contact):
    addresses = contact.get("street_addresses") or []
    for address in addresses:
        if address.get("kind") == "home":
            return address
    return addresses[0] if addresses else {}


def _first_phone(contact):
    phones = contact.get("phone_numbers") or []
    return phones[0].get("phone_number", "") if phones else ""


def _custom_value(contact, field_id):
    if field_id is None:
        return ""
    for item in contact.get("custom_fields") or []:
        if item.get("custom_field_id") == field_id:
            return item.get("value", "")
    return ""


def _birthday(contact):
    month, day = contact.get("birthday_month"), contact.get("birthday_day")
    return f"{month}/{day}" if month and day else ""


def _sms(contact, key):
    return (contact.get("sms_channel") or {}).get(key) or ""


def _value(key):
    return lambda c: "" if c.get(key) is None else c.get(key)


def _joined(key, item_key):
    return lambda c: ";".join(str(x.get(item_key, "")) if isinstance(x, dict) else str(x) for x in c.get(key) or [])


SIMPLE = {
    "email_address": lambda c: _email(c, "address"),
    "first_name": _value("first_name"),
    "last_name": _value("last_name"),
    "job_title": _value("job_title"),
    "company_name": _value("company_name"),
    "phone_number": _first_phone,
    "street": lambda c: _first_address(c).get("street", ""),
    "city": lambda c: _first_address(c).get("city", ""),
    "state": lambda c: _first_address(c).get("state", ""),
    "zip": lambda c: _first_address(c).get("postal_code", ""),
    "country": lambda c: _first_address(c).get("country", ""),
    "birthday_month": _value("birthday_month"),
    "birthday_day": _value("birthday_day"),
    "birthday": _birthday,
    "anniversary": _value("anniversary"),
    "tag": _joined("taggings", "tag_id"),
    "notes": _joined("notes", "content"),
    "website": lambda c: "",
    "social_profiles": lambda c: "",
    "source_name": _value("create_source"),
    "email_permission": lambda c: _email(c, "permission_to_send"),
    "email_optin": lambda c: "true" if _email(c, "permission_to_send") in ("implicit", "explicit") else "false",
    "email_optin_source": lambda c: _email(c, "opt_in_source"),
    "email_optin_date": lambda c: _email(c, "opt_in_date"),
    "email_optout_source": lambda c: _email(c, "opt_out_source"),
    "email_optout_date": lambda c: _email(c, "opt_out_date"),
    "email_optout_reason": lambda c: _email(c, "opt_out_reason"),
    "sms_number": lambda c: _sms(c, "sms_number") or _sms(c, "full_sms_address"),
    "sms_consent_date": lambda c: _sms(c, "sms_consent_date"),
    "sms_status": lambda c: _sms(c, "sms_channel_status") or _sms(c, "sms_status"),
    "created_at": _value("created_at"),
    "updated_at": _value("updated_at"),
}


__all__ = ["STANDARD_FIELDS", "DEFAULT_FIELDS", "NEEDS_EMAIL", "STATUSES", "CsvWriter",
           "contact_status", "matches_status", "is_new_subscriber"]
