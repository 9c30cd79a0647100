"""`ctct login`, `ctct token`, `ctct logout`: the OAuth2 login kept in the token store.

No token ever reaches the terminal: `login` prints only the URL (or the device
verification URL and user code), `token` shows who, scopes and expiry.
The client secret of a server-side app comes from env CTCT_CLIENT_SECRET only, so it
never appears in the process list or shell history.
"""
import os
import sys


def register(subparsers):
    p = subparsers.add_parser("login", help="log in with OAuth2 and store the tokens (0600)",
                              description="Authorize ctct for your Constant Contact account and store the tokens "
                                          "in the user's config dir. The client secret of a server-side app is "
                                          "read from env CTCT_CLIENT_SECRET.")
    p.add_argument("--client-id", help="the application's client id, i.e. its API key (default: env CTCT_CLIENT_ID)")
    p.add_argument("--device", action="store_true", help="device flow, for machines without a browser")
    p.add_argument("--no-browser", action="store_true", help="only print the URL to open; start no browser")
    p.add_argument("--auth-url", help="authorization server base (default: env CTCT_AUTH_URL, then "
                                      "https://authz.constantcontact.com/oauth2/default/v1)")
    p.add_argument("--scope", action="append", metavar="SCOPE",
                   help="scope to ask for; repeat or space-separate (default: account_read account_update "
                        "contact_data campaign_data offline_access)")
    p.add_argument("--port", type=int, default=0,
                   help="loopback port for the redirect, if your app registers a fixed one (default: any free port)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the browser (default 300)")
    p.set_defaults(func=run_login)

    p = subparsers.add_parser("token", help="show who is logged in, scopes and expiry (never the token)")
    p.add_argument("--client-id", help="only this client's login")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run_token)

    p = subparsers.add_parser("logout", help="revoke and forget the stored login(s)")
    p.add_argument("--client-id", help="only this client's login (default: every stored login)")
    p.set_defaults(func=run_logout)


def _say(*lines):
    for line in lines:
        print(line, flush=True)


def _fail(command, message, code=1):
    print(f"ctct {command}: {message}", file=sys.stderr, flush=True)
    return code


# -- login -----------------------------------------------------------------------------------

def run_login(args):
    from ..v3.credentials import env_secret_for
    from ..v3.errors import CTCTError
    from ..v3.oauth import OAuthClient, scope_string
    from ..v3.tokens import FileTokenStore

    client_id = args.client_id or os.environ.get("CTCT_CLIENT_ID")
    if not client_id:
        return _fail("login", "give --client-id (your application's API key) or set CTCT_CLIENT_ID", 2)
    scope = scope_string(" ".join(args.scope)) if args.scope else scope_string(None)
    store = FileTokenStore()
    try:
        oauth = OAuthClient(client_id, env_secret_for(client_id), args.auth_url)
        tokens = _device_login(oauth, scope) if args.device else _browser_login(oauth, scope, args)
        store.save(tokens)
    except CTCTError as err:
        return _fail("login", str(err))
    except OSError as err:
        return _fail("login", f"could not save the tokens to {store.describe()}: {err.strerror or err}")
    who = f" as {tokens.user}" if tokens.user else ""
    _say(f"Logged in{who} (client {tokens.client_id}).",
         f"Scopes: {tokens.scope or '(none reported)'}",
         f"Access token valid until {_when(tokens.expires_at)}"
         + ("; it renews itself." if tokens.refresh_token else "; no refresh token (ask for offline_access)."),
         f"Tokens saved to {store.describe()}")
    return 0


def _browser_login(oauth, scope, args):
    def announce(url):
        _say("Open this URL in a browser to authorize ctct:", url, "Waiting for the authorization (Ctrl-C to cancel)...")

    return oauth.login_with_browser(scope=scope, announce=announce, open_browser=not args.no_browser,
                                    timeout=args.timeout, port=args.port)


def _device_login(oauth, scope):
    device = oauth.start_device_flow(scope)
    _say("To authorize ctct, open this URL on any device with a browser:", device.verification_uri,
         "and enter this code:", device.user_code, "Waiting for the authorization (Ctrl-C to cancel)...")
    return oauth.poll_device(device)


# -- token -----------------------------------------------------------------------------------

def run_token(args):
    import json

    from ..v3.tokens import FileTokenStore

    store = FileTokenStore()
    try:
        logins = [t for t in store.load_all() if not args.client_id or t.client_id == args.client_id]
    except (OSError, ValueError) as err:
        return _fail("token", str(err))
    if not logins:
        suffix = f" for client {args.client_id}" if args.client_id else ""
        return _fail("token", f"not logged in{suffix}: run `ctct login`")
    described = [_describe(t) for t in logins]
    if args.json:
        print(json.dumps({"store": store.describe(), "logins": described}, indent=2))
        return 0
    for index, info in enumerate(described):
        if index:
            print()
        expires = info["expires_at"] or "unknown"
        if info["expires_in"] is not None:
            left = info["expires_in"]
            expires += f" (in {_duration(left)})" if left > 0 else f" (expired {_duration(-left)} ago)"
        renew = "yes, renews itself" if info["refreshable"] else "no: run `ctct login` when it expires"
        print(f"client id:  {info['client_id']}" + ("  (from CTCT_REFRESH_TOKEN)" if info["from_env"] else ""))
        print(f"user:       {info['user'] or 'unknown'}")
        print(f"scopes:     {info['scope'] or '(none reported)'}")
        print(f"expires:    {expires}")
        print(f"refresh:    {renew}")
        print(f"server:     {info['auth_url'] or 'default'}")
    print(f"\nstore:      {store.describe()}")
    return 0


def _describe(tokens):
    import time

    remaining = tokens.expires_in(time.time())
    return {"client_id": tokens.client_id, "user": tokens.user, "scope": tokens.scope,
            "expires_at": _when(tokens.expires_at) if tokens.expires_at else None,
            "expires_in": int(remaining) if remaining is not None else None,
            "refreshable": bool(tokens.refresh_token), "auth_url": tokens.auth_url,
            "from_env": bool(tokens.source_hash)}


def _when(epoch):
    import datetime as dt

    if epoch is None:
        return "unknown"
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(seconds):
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


# -- logout ----------------------------------------------------------------------------------

def run_logout(args):
    from ..v3.errors import CTCTError
    from ..v3.oauth import OAuthClient
    from ..v3.tokens import FileTokenStore

    store = FileTokenStore()
    failures = 0
    with store.locked():  # no process refreshes (and stores a new token) while we revoke
        try:
            logins = [t for t in store.load_all() if not args.client_id or t.client_id == args.client_id]
        except (OSError, ValueError) as err:
            return _fail("logout", str(err))
        if not logins:
            _say("Not logged in" + (f" for client {args.client_id}." if args.client_id else "."))
            return 0
        for tokens in logins:
            try:
                oauth = OAuthClient(tokens.client_id, tokens.client_secret, tokens.auth_url)
                # revoking the refresh token ends the whole grant; the access token too, for
                # servers that keep them apart
                for value, hint in ((tokens.refresh_token, "refresh_token"), (tokens.access_token, "access_token")):
                    if value:
                        oauth.revoke(value, hint)
                revoked = "revoked and forgotten"
            except CTCTError as err:
                failures += 1
                revoked = "forgotten here, but the server did not confirm the revocation"
                print(f"ctct logout: client {tokens.client_id}: {err}", file=sys.stderr, flush=True)
            try:
                store.delete(tokens.key)
            except OSError as err:
                return _fail("logout", f"could not update {store.describe()}: {err.strerror or err}")
            who = f" ({tokens.user})" if tokens.user else ""
            _say(f"Logged out client {tokens.client_id}{who}: {revoked}.")
    return 1 if failures else 0
