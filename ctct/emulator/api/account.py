"""Emulated V3 area: the account (`GET /account/summary`, `GET /account/emails`)."""
from ..http import bad_request, route

EXTRA_FIELDS = {"physical_address", "company_logo"}


@route("GET", "/account/summary")
def get_summary(request):
    account = request.state.account
    extra = set(request.args("extra_fields"))
    if extra - EXTRA_FIELDS:
        raise bad_request(f"extra_fields must be among {sorted(EXTRA_FIELDS)}.")
    body = {k: v for k, v in account.items() if not k.startswith("_") and k not in EXTRA_FIELDS}
    for name in extra:
        if account.get(name) is not None:
            body[name] = account[name]
    return body


@route("GET", "/account/emails")
def get_emails(request):
    emails = request.state.account.get("_emails", [])
    filters = {
        "confirm_status": lambda e, v: e["confirm_status"] == v,
        "role_code": lambda e, v: v in e["roles"],
        "email_address": lambda e, v: e["email_address"].lower() == v.lower(),
    }
    for name, test in filters.items():
        value = request.arg(name)
        if value is not None:
            emails = [e for e in emails if test(e, value)]
    return emails
