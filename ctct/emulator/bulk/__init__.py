"""The bulk activity kinds of the emulated V3 account.

Each module validates one family of `POST /activities/<kind>` bodies into a job payload and
registers the job that does the work with `ctct.emulator.jobs`:
  imports.py      contacts_json_import, contacts_file_import (rows.py maps the rows)
  memberships.py  add_list_memberships, remove_list_memberships, contact_delete, list_delete
  exports.py      contact_exports (csv_export.py writes the file)
The HTTP side (routes, activity reads, the seeder) is `ctct.emulator.api.activities`.
"""
from . import exports, imports, memberships  # noqa: F401  (importing registers the job kinds)

# kind -> function(store, request body) -> job payload (raises ApiError 400 on bad input)
VALIDATORS = {
    "contacts_json_import": imports.validate_json_import,
    "add_list_memberships": memberships.validate_membership,
    "remove_list_memberships": memberships.validate_removal,
    "contact_delete": memberships.validate_contact_delete,
    "list_delete": memberships.validate_list_delete,
    "contact_exports": exports.validate_export,
}
