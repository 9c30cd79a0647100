"""Cursor pages as V3 answers them: items plus `_links.next.href` while more remain."""
from urllib.parse import urlencode

from .http import bad_request
from .store import decode_cursor, encode_cursor


def page_of(request, collection, items_key, *, limit, match=None, render=None, extra=None):
    """One page of `collection` for `request`.

    The cursor records the limit and the position to resume at, so a page costs time in
    proportion to its length (plus skipped non-matching objects), not to the account.
    match(obj) filters; render(obj) builds the response item; extra adds top-level keys.
    """
    position = 0
    cursor = request.arg("cursor")
    if cursor:
        decoded = decode_cursor(cursor)
        if decoded is None:
            raise bad_request("The cursor is invalid.", "api.validation.error")
        limit, position = decoded
    items = []
    next_position = None
    for pos, obj in collection.iter_from(position):
        if match is not None and not match(obj):
            continue
        if len(items) == limit:
            next_position = pos
            break
        items.append(render(obj) if render else obj)
    body = {items_key: items}
    if extra:
        body.update(extra)
    if next_position is not None:
        body["_links"] = {"next": {"href": next_href(request, limit, next_position)}}
    return body


def next_href(request, limit, position):
    """`/v3/<path>?<the request's filters>&cursor=...`, relative to the host, as V3 writes it."""
    query = [(k, v) for k, vs in request.query.items() if k not in ("cursor", "limit") for v in vs]
    query.append(("cursor", encode_cursor(limit, position)))
    return f"{request.emulator.api_root}{request.path}?{urlencode(query)}"
