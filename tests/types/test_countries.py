from __future__ import annotations

import pytest

from cardfile.types.countries import COUNTRY_CODES, country_code


def test_the_list_has_every_assigned_code_and_kosovo() -> None:
    assert len(COUNTRY_CODES) == 250
    assert {"US", "GB", "FR", "DE", "AQ", "XK"} <= COUNTRY_CODES
    assert all(len(code) == 2 and code.isupper() for code in COUNTRY_CODES)


@pytest.mark.parametrize(
    ("text", "code"),
    [("US", "US"), ("us", "US"), ("Fr", "FR"), ("UK", "GB"), ("uk", "GB"), ("XX", None)],
)
def test_country_code(text: str, code: str | None) -> None:
    assert country_code(text) == code


@pytest.mark.parametrize("text", ["USA", "U", "", "EU", "AC"])
def test_country_code_refuses_what_is_not_an_iso_code(text: str) -> None:
    assert country_code(text) is None
