"""The V3 areas the emulator serves; importing each module registers its routes and seeders."""
from . import account, lists, contacts, custom_fields, xrefs, emails, reports, activities, oauth  # noqa: F401
