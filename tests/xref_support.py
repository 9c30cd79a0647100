"""Seeds and request counting shared by the xref and migrate-ids tests."""
CAMPAIGN_V2_BASE = 1100000000000
XREF_PATHS = {
    "contacts": ("/contacts/contact_id_xrefs", "sequence_ids"),
    "lists": ("/contact_lists/list_id_xrefs", "sequence_ids"),
    "campaigns": ("/emails/campaign_id_xrefs", "v2_email_campaign_ids"),
}


def contacts_seed(v2_ids):
    """Contacts with the given V2 ids, through the emulator's "contacts" seeder."""
    return [{"email_address": f"c{v2}@example.com", "first_name": f"C{v2}", "v2_id": v2} for v2 in v2_ids]


def campaigns_seed(v2_ids):
    body = {"format_type": 5, "from_name": "Joe", "from_email": "owner@example.com",
            "reply_to_email": "owner@example.com", "subject": "News",
            "html_content": "<html><body>[[trackingImage]]Hello</body></html>"}
    return [{"name": f"Campaign {v2}", "v2_id": v2, "email_campaign_activities": [dict(body)]} for v2 in v2_ids]


def lists_seed(v2_ids):
    """Contact lists with the given V2 ids, through the emulator's "contact_lists" seeder."""
    return [{"name": f"List {v2}", "v2_id": v2} for v2 in v2_ids]


def add_lists(emu, v2_ids):
    emu.seed({"contact_lists": lists_seed(v2_ids)})


def v2_to_v3(emu, kind):
    collection = {"contacts": emu.store.contacts, "lists": emu.store.contact_lists, "campaigns": emu.store.emails}[kind]
    return dict(collection.by_v2)


def xref_requests(emu, kind):
    """The id lists of every xref request of `kind` the emulator answered, in order."""
    path, param = XREF_PATHS[kind]
    out = []
    for req in list(emu.requests):
        if req.path == path:
            value = req.query.get(param, "")
            values = value if isinstance(value, list) else [value]
            out.append([int(v) for part in values for v in part.split(",") if v])
    return out
