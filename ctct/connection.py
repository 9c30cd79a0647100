"""`CTCTConnection`: the 2009 client's class, its names, arguments and return shapes, on V3.

Each method is a one-line delegation to an adapter in ctct/legacy/ under the legacy error
convention (`LegacyContext.call`): in the default mode a failure is logged at WARNING on the
"ctct" logger with V3's message and the method returns what the 2009 client returned on
failure (None, or False for the True/False methods); with strict=True the typed CTCTError is
raised instead.
"""
import logging
import os

from .legacy import account, activities, campaigns, contacts, events, lists, shapes
from .legacy.context import LegacyContext
from .legacy.errors import InvalidUsernameException
from .v3.client import DEFAULT_TIMEOUT, V3Client
from .v3.credentials import find_auth
from .xref import XrefResolver
from .xref_cache import XrefCacheError, default_cache_path

_DEFAULT_CACHE = object()  # "the per-user persistent cache", told apart from None (memory)
log = logging.getLogger("ctct")


def _resolver_with_default_cache(client):
    """A resolver on the per-user cache; if that cannot be opened (a read-only home in a
    container, say), legacy calls must still work: fall back to memory and say so."""
    path = default_cache_path()
    try:
        return XrefResolver(client, cache=path)
    except XrefCacheError as err:
        log.warning("ctct: V2 id cache unavailable (%s); V2 ids are cached in memory for this "
                    "connection only (set CTCT_CACHE to a writable path)", err)
        return XrefResolver(client)


class CTCTConnection:
    """A connection to a Constant Contact account through the V3 API.

    CTCTConnection(api_key, username, password): as in 2009, except that the password is
    now a V3 access token (and api_key, your V3 application's client id, finds the login
    `ctct login` stored when no token is given). Keyword additions:

    access_token: a V3 access token (instead of the third argument).
    base_url: the V3 root (default: env CTCT_BASE_URL, then https://api.cc.email/v3).
    auth_url: the OAuth2 authorization server for token refreshes (default: env CTCT_AUTH_URL).
    strict: raise typed errors (`ctct.CTCTError` family) instead of logging and returning
        the legacy failure value.
    rate_limit: client-side pacing in requests per second (None: off).
    auth: a `ctct.v3.auth.Auth` to use instead of looking credentials up.
    timeout, retry, daily_budget: passed to the V3 client.
    cache: the V2 -> V3 id cache: a SQLite path, an xref cache object, or None for memory
        only. Default: the per-user persistent cache (env CTCT_CACHE, else the user cache
        dir), shared with `ctct migrate-ids`, so each V2 id costs one lookup, ever.
    client: a ready `V3Client` (the other transport options are then ignored).
    """

    API_BASE_URL = "https://api.constantcontact.com/ws/customers/"
    DO_NOT_INCLUDE_LISTS = ["Removed", "Do Not Mail", "Active"]

    EVENTS_BOUNCES = shapes.EVENTS_BOUNCES
    EVENTS_CLICKS = shapes.EVENTS_CLICKS
    EVENTS_FORWARDS = shapes.EVENTS_FORWARDS
    EVENTS_OPENS = shapes.EVENTS_OPENS
    EVENTS_OPT_OUTS = shapes.EVENTS_OPT_OUTS
    EVENTS_OUT_OUTS = shapes.EVENTS_OPT_OUTS  # the 2009 README's spelling
    EVENTS_SENDS = shapes.EVENTS_SENDS

    CAMPAIGNS_ALL = shapes.CAMPAIGNS_ALL
    CAMPAIGNS_DRAFT = shapes.CAMPAIGNS_DRAFT
    CAMPAIGNS_RUNNING = shapes.CAMPAIGNS_RUNNING
    CAMPAIGNS_SENT = shapes.CAMPAIGNS_SENT
    CAMPAIGNS_SCHEDULED = shapes.CAMPAIGNS_SCHEDULED

    NS_ATOM = "http://www.w3.org/2005/Atom"
    NS_CTCT = "http://ws.constantcontact.com/ns/1.0/"

    # reachable as conn.InvalidUsernameException, as the 2009 README catches it
    InvalidUsernameException = InvalidUsernameException

    def __init__(self, api_key, username, password, *, access_token=None, base_url=None,
                 auth_url=None, strict=False, rate_limit=4.0, auth=None, timeout=DEFAULT_TIMEOUT,
                 retry=None, daily_budget=10_000, cache=_DEFAULT_CACHE, client=None):
        self.api_key = api_key
        self.username = username
        self.strict = bool(strict)
        if client is None:
            if auth is None:
                auth = find_auth(client_id=api_key or None, access_token=access_token or password or None,
                                 auth_url=auth_url)
            client = V3Client(base_url or os.environ.get("CTCT_BASE_URL") or None, auth=auth,
                              rate_limit=rate_limit, timeout=timeout, retry=retry, daily_budget=daily_budget)
        self.client = client
        if cache is _DEFAULT_CACHE:
            resolver = _resolver_with_default_cache(client)
        else:
            resolver = XrefResolver(client, cache=cache)
        self._ctx = LegacyContext(client, username, strict=self.strict, resolver=resolver)

    def __repr__(self):
        return f"CTCTConnection(username={self.username!r}, base_url={self.client.base_url!r}, strict={self.strict})"

    def close(self):
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _call(self, name, default, func, *args, **kwargs):
        return self._ctx.call(name, default, func, *args, **kwargs)

    # -- account ----------------------------------------------------------------------------

    def verify_credentials(self):
        """True when V3 accepts the credentials; False, or InvalidUsernameException under
        the 2009 username rule, when it does not."""
        return self._call("verify_credentials", False, account.verify_credentials)

    # -- lists ------------------------------------------------------------------------------

    def get_contact_lists(self, path=None):
        return self._call("get_contact_lists", None, lists.get_contact_lists, path, tuple(self.DO_NOT_INCLUDE_LISTS))

    def get_contact_list(self, list_id_number):
        return self._call("get_contact_list", None, lists.get_contact_list, list_id_number)

    def get_contact_list_members(self, list_id_number=None, path=None):
        return self._call("get_contact_list_members", None, lists.get_contact_list_members, list_id_number, path)

    def create_contact_list(self, contact_list_name):
        return self._call("create_contact_list", False, lists.create_contact_list, contact_list_name)

    def update_contact_list(self, params, list_id_number):
        return self._call("update_contact_list", False, lists.update_contact_list, params, list_id_number)

    def delete_contact_list(self, list_id_number):
        return self._call("delete_contact_list", False, lists.delete_contact_list, list_id_number)

    # -- contacts ---------------------------------------------------------------------------

    def get_contacts(self, email=None, path=None):
        return self._call("get_contacts", None, contacts.get_contacts, email, path)

    def query_contacts(self, emails, path=None):
        return self._call("query_contacts", None, contacts.query_contacts, emails, path)

    def get_contact(self, email=None, contact_id_number=None):
        return self._call("get_contact", None, contacts.get_contact, email, contact_id_number)

    def create_contact(self, params):
        return self._call("create_contact", False, contacts.create_contact, params)

    def update_contact(self, params, email=None, contact_id_number=None):
        return self._call("update_contact", False, contacts.update_contact, params, email, contact_id_number)

    def delete_contact(self, email=None, contact_id_number=None, *, hard=False):
        """Unsubscribe (the 2009 meaning: Do Not Mail); hard=True deletes the contact."""
        return self._call("delete_contact", False, contacts.delete_contact, email, contact_id_number, hard)

    # -- events -----------------------------------------------------------------------------

    def get_contact_events(self, event_type, email=None, contact_id_number=None, path=None):
        return self._call("get_contact_events", None, events.get_contact_events, event_type, email, contact_id_number)

    def get_campaign_events(self, campaign_id_number, event_type, path=None):
        return self._call("get_campaign_events", None, events.get_campaign_events, campaign_id_number, event_type)

    # -- campaigns --------------------------------------------------------------------------

    def get_campaigns(self, type=CAMPAIGNS_ALL, path=None):
        return self._call("get_campaigns", None, campaigns.get_campaigns, type)

    def get_campaign(self, campaign_id_number):
        return self._call("get_campaign", None, campaigns.get_campaign, campaign_id_number)

    # -- activities -------------------------------------------------------------------------

    def get_activities(self, path=None):
        return self._call("get_activities", None, activities.get_activities)

    def get_activity(self, activity_id_number):
        return self._call("get_activity", None, activities.get_activity, activity_id_number)

    def create_activity(self, type, lists, data=None, filename=None):
        return self._call("create_activity", None, activities.create_activity, type, lists, data, filename)
