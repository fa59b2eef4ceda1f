"""Secrets never reach a log line or an error message: one redactor, used everywhere.

Connections register their secrets when a client is built; the logging filter installed on
Cardfile's loggers and the error messages built from vendor answers both pass through
:func:`redact`.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "[redacted]"
_MIN_SECRET = 6  # shorter strings would mask ordinary words
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
_lock = threading.Lock()


def register(*secrets: str | None) -> None:
    """Remember secrets to mask from now on."""
    global _pattern
    with _lock:
        before = len(_secrets)
        _secrets.update(s for s in secrets if s and len(s) >= _MIN_SECRET)
        if len(_secrets) != before:
            ordered = sorted(_secrets, key=len, reverse=True)  # longest first: no partial mask
            _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """``text`` with every registered secret masked."""
    pattern = _pattern
    return text if pattern is None else pattern.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Masks secrets in a log record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install(logger_name: str = "cardfile") -> None:
    """Put the filter on ``logger_name``'s logger and handlers (idempotent)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
