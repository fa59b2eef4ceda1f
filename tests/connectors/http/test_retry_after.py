"""Retry-After in seconds (HubSpot) and as an HTTP date (Attio)."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from cardfile.connectors.http.retry_after import seconds_until


@pytest.mark.parametrize(("value", "expected"), [("3", 3.0), ("0.5", 0.5), (" 10 ", 10.0)])
def test_seconds_are_read_as_seconds(value: str, expected: float) -> None:
    assert seconds_until(value) == expected


def test_an_http_date_is_read_as_the_time_left_until_it() -> None:
    now = 1_800_000_000.0
    header = formatdate(now + 2, usegmt=True)  # "Fri, 15 Jan 2027 08:00:02 GMT"
    assert seconds_until(header, now=now) == pytest.approx(2.0)


def test_a_date_in_the_past_means_no_wait() -> None:
    now = 1_800_000_000.0
    assert seconds_until(formatdate(now - 30, usegmt=True), now=now) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "-", "Mon, 99 Foo 2026"])
def test_a_missing_or_unreadable_header_says_nothing(value: str | None) -> None:
    assert seconds_until(value) is None


def test_negative_seconds_mean_no_wait() -> None:
    assert seconds_until("-5") == 0.0
