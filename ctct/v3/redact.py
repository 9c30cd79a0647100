"""Keep secrets out of logs: a registry of secret strings and a filter on the "ctct" logger."""
import logging
import re
import threading

_lock = threading.Lock()
_secrets = set()
_BEARER = re.compile(r"(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_TOKEN_FIELDS = re.compile(
    r"((?:access_token|refresh_token|id_token|client_secret|code_verifier|device_code|password)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]+",
    re.IGNORECASE,
)
MASK = "***"


def register_secret(value):
    """Remember a secret (token, client secret) so it is masked wherever it would be logged."""
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def redact(text):
    """`text` with every registered secret, bearer credential and token field masked."""
    if not text:
        return text
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _TOKEN_FIELDS.sub(lambda m: m.group(1) + MASK, text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def mask(value):
    """How a secret appears in reprs: its presence, never its value."""
    return MASK if value else None


class RedactingFilter(logging.Filter):
    """Renders each record's message, masks secrets in it, and drops the arguments."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep it as logging would
            return True
        record.msg = redact(message)
        record.args = None
        return True


def install(logger_name="ctct"):
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger
