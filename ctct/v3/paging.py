"""Follow V3's cursor pagination (`_links.next.href`) to the end."""

# The largest `limit` each V3 list endpoint accepts (from the spec), so listing N objects
# costs ceil(N / max page) requests.
MAX_PAGE_SIZE = {
    "/contacts": 500,
    "/contact_lists": 1000,
    "/contact_custom_fields": 100,
    "/contact_tags": 500,
    "/activities": 500,
    "/emails": 500,
    "/reports/email_reports/": 500,
    "/reports/contact_reports/": 100,
}


def max_page_size(path):
    """The page size to ask for on `path` (None when the endpoint takes no limit we know)."""
    if path in MAX_PAGE_SIZE:
        return MAX_PAGE_SIZE[path]
    for prefix, size in MAX_PAGE_SIZE.items():
        if prefix.endswith("/") and path.startswith(prefix):
            return size
    return None


def next_href(page):
    """The next page's href from a V3 page body, or None on the last page."""
    links = page.get("_links") if isinstance(page, dict) else None
    nxt = links.get("next") if isinstance(links, dict) else None
    if isinstance(nxt, dict):
        return nxt.get("href") or None
    if isinstance(nxt, str):  # tolerate a bare string, seen in third-party clients
        return nxt or None
    return None
