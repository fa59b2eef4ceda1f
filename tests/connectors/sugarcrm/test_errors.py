"""Sugar's error table, row by row, and its message reader."""

from __future__ import annotations

import httpx
import pytest

from cardfile.connectors.errors import Action
from cardfile.connectors.sugarcrm.errors import ERRORS, read_message, sub_action


def _answer(status: int, label: str | None = None, message: str = "words") -> httpx.Response:
    body = {"error": label, "error_message": message} if label else {}
    return httpx.Response(status, json=body)


@pytest.mark.parametrize(
    ("status", "label", "action"),
    [
        (200, None, None),
        (401, "need_login", Action.REFRESH),
        (401, "invalid_grant", Action.REFRESH),
        (403, "not_authorized", Action.BROKEN),
        (404, "no_method", Action.BROKEN),
        (404, "not_found", Action.REFUSE),
        (409, "edit_conflict", Action.REFUSE),
        (412, "metadata_out_of_date", Action.RETRY),
        (422, "invalid_parameter", Action.REFUSE),
        (422, "missing_parameter", Action.REFUSE),
        (429, "too_many_requests", Action.RATE_LIMITED),
        (500, "fatal_error", Action.RETRY),
        (503, "maintenance", Action.RETRY),
    ],
)
def test_each_status_and_label_has_its_action(
    status: int, label: str | None, action: Action | None
) -> None:
    assert ERRORS.action(_answer(status, label)) is action
    assert sub_action(status, _answer(status, label).json()) is action


def test_the_message_is_sugars_error_message_and_the_code_its_label() -> None:
    answer = _answer(422, "invalid_parameter", "Invalid field value: industry in module: Accounts")
    assert read_message(answer) == (
        "Invalid field value: industry in module: Accounts",
        "invalid_parameter",
    )


def test_a_body_that_is_not_sugars_is_read_as_text() -> None:
    answer = httpx.Response(502, text="<html>Bad gateway</html>")
    assert read_message(answer) == ("<html>Bad gateway</html>", None)
