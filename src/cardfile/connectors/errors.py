"""What went wrong with a vendor, classified by what the caller must do about it.

Every vendor's status codes and bodies map into these classes in one table per vendor
(``connectors/<vendor>/errors.py``), so the sync engine decides from the class alone and never
from a vendor's status code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """What the caller must do about a vendor's answer."""

    RETRY = "retry"  # a passing fault (5xx, timeout): try again after a backoff
    RATE_LIMITED = "rate_limited"  # slow down: wait as long as the vendor says, then retry
    REFRESH = "refresh"  # the access token expired: refresh it, then retry
    REFUSE = "refuse"  # the vendor refused this record or request; retrying will not help
    BROKEN = "broken"  # the connection cannot work until a person fixes it


@dataclass(frozen=True)
class VendorError:
    """A vendor's refusal in its own words, with what is known about it."""

    message: str
    status: int | None = None
    code: str | None = None
    action: Action = Action.REFUSE

    def __post_init__(self) -> None:
        # Every vendor message passes here, whichever connector read it: a vendor that
        # echoes a token back never puts it into a result, a log line or a run report.
        from cardfile.connectors.http.redaction import redact  # the http layer imports us

        object.__setattr__(self, "message", redact(self.message))

    def __str__(self) -> str:
        where = f"HTTP {self.status}" if self.status is not None else "no answer"
        code = f" {self.code}" if self.code else ""
        return f"{where}{code}: {self.message}"


class ConnectorError(Exception):
    """A vendor call failed; ``error`` carries the vendor's words and the action."""

    action: Action = Action.REFUSE

    def __init__(self, error: VendorError) -> None:
        super().__init__(str(error))
        self.error = error

    @property
    def message(self) -> str:
        """The vendor's own message."""
        return self.error.message

    @property
    def status(self) -> int | None:
        """The HTTP status, if the vendor answered."""
        return self.error.status


class RetryLater(ConnectorError):
    """A passing fault or a rate limit outlasted the retry budget; try in a later run."""

    action = Action.RETRY

    def __init__(self, error: VendorError, retry_after: float | None = None) -> None:
        super().__init__(error)
        self.retry_after = retry_after


class TokenExpired(ConnectorError):
    """The access token expired and could not be refreshed here."""

    action = Action.REFRESH


class Refused(ConnectorError):
    """The vendor refused the request (or the one record it carried)."""

    action = Action.REFUSE


class ConnectionBroken(ConnectorError):
    """The connection cannot work until a person fixes it: a bad or revoked token, a missing
    permission, an object that is not activated in the vendor."""

    action = Action.BROKEN


def raised_for(error: VendorError, retry_after: float | None = None) -> ConnectorError:
    """The exception that carries ``error``, chosen by its action."""
    match error.action:
        case Action.RETRY | Action.RATE_LIMITED:
            return RetryLater(error, retry_after)
        case Action.REFRESH:
            return TokenExpired(error)
        case Action.BROKEN:
            return ConnectionBroken(error)
        case _:
            return Refused(error)
