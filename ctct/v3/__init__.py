"""The V3 transport: client, auth, errors, paging, retries, rate limiting."""
from .client import DEFAULT_BASE_URL, V3Client
from .errors import *  # noqa: F401,F403  (the error family is part of this package's face)
from .errors import CTCTError
