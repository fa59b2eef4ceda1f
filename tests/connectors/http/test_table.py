"""The error table: statuses to actions, vendor rows on top of the default."""

from __future__ import annotations

import httpx
import pytest

from cardfile.connectors.errors import (
    Action,
    ConnectionBroken,
    Refused,
    RetryLater,
    TokenExpired,
    VendorError,
    raised_for,
)
from cardfile.connectors.http.table import ErrorTable


def _response(
    status: int, body: object = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (200, None),
        (201, None),
        (207, None),
        (400, Action.REFUSE),
        (401, Action.REFRESH),
        (403, Action.BROKEN),
        (404, Action.REFUSE),
        (409, Action.REFUSE),
        (422, Action.REFUSE),
        (429, Action.RATE_LIMITED),
        (500, Action.RETRY),
        (502, Action.RETRY),
        (503, Action.RETRY),
        (504, Action.RETRY),
    ],
)
def test_the_default_rows(status: int, action: Action | None) -> None:
    assert ErrorTable().action(_response(status)) == action


def test_a_vendor_row_overrides_a_status_and_may_read_the_body() -> None:
    def expired_or_broken(response: httpx.Response) -> Action:
        expired = response.json().get("category") == "EXPIRED_AUTHENTICATION"
        return Action.REFRESH if expired else Action.BROKEN

    table = ErrorTable(rows={401: expired_or_broken, 404: Action.BROKEN})
    assert table.action(_response(401, {"category": "EXPIRED_AUTHENTICATION"})) == Action.REFRESH
    assert table.action(_response(401, {"category": "INVALID_AUTHENTICATION"})) == Action.BROKEN
    assert table.action(_response(404)) == Action.BROKEN
    assert table.action(_response(500)) == Action.RETRY


def test_the_wait_comes_from_retry_after_unless_the_vendor_says_elsewhere() -> None:
    assert ErrorTable().wait(_response(429, headers={"Retry-After": "7"})) == 7.0
    assert ErrorTable().wait(_response(429)) is None
    table = ErrorTable(wait_rule=lambda r: 30.0 if r.status_code == 429 else None)
    assert table.wait(_response(429, headers={"Retry-After": "7"})) == 30.0
    assert table.wait(_response(503, headers={"Retry-After": "7"})) == 7.0


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        (Action.RETRY, RetryLater),
        (Action.RATE_LIMITED, RetryLater),
        (Action.REFRESH, TokenExpired),
        (Action.REFUSE, Refused),
        (Action.BROKEN, ConnectionBroken),
    ],
)
def test_each_action_raises_its_own_class(action: Action, kind: type[Exception]) -> None:
    error = raised_for(VendorError("no", 400, "code", action), retry_after=3.0)
    assert isinstance(error, kind)
    assert error.error.message == "no"
    assert "HTTP 400 code: no" in str(error)
