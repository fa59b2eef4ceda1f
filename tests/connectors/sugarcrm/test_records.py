"""Values for Sugar, match keys as compared, and domains of websites."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from cardfile.connectors.sugarcrm.records import (
    SubRequest,
    domain_of,
    email_list,
    json_ready,
    key_texts,
    values_of,
)
from cardfile.connectors.values import UnsendableValue


def test_values_take_their_json_forms() -> None:
    paris = timezone(timedelta(hours=1))
    assert json_ready(datetime(2026, 1, 2, 3, 4, 5, tzinfo=paris)) == "2026-01-02T02:04:05+00:00"
    assert json_ready(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05+00:00"
    assert json_ready(date(2026, 1, 2)) == "2026-01-02"
    assert json_ready(Decimal("12")) == 12 and json_ready(Decimal("1.5")) == 1.5
    assert sorted(json_ready({"b", "a"})) == ["a", "b"]
    assert json_ready({"when": datetime(2026, 1, 1, tzinfo=UTC)}) == {
        "when": "2026-01-01T00:00:00+00:00"
    }
    with pytest.raises(UnsendableValue):
        json_ready(float("inf"))
    with pytest.raises(UnsendableValue):
        json_ready(object())


def test_an_email_value_becomes_sugars_list_with_one_primary() -> None:
    assert email_list("a@x.com") == [{"email_address": "a@x.com", "primary_address": True}]
    assert email_list(["a@x.com", "b@x.com"])[1] == {"email_address": "b@x.com"}
    kept = [{"email_address": "a@x.com"}, {"email_address": "b@x.com", "primary_address": True}]
    assert email_list(kept) == kept
    assert values_of({"email": "a@x.com", "id": "x"}, without=("id",)) == {
        "email": [{"email_address": "a@x.com", "primary_address": True}]
    }


def test_match_keys_compare_without_case_primary_address_first() -> None:
    both = [
        {"email_address": "Other@X.com"},
        {"email_address": "Main@X.com", "primary_address": True},
    ]
    assert key_texts("email", both) == ["main@x.com", "other@x.com"]
    assert key_texts("website", " Acme.COM ") == ["acme.com"]
    assert key_texts("id", "AbC") == ["AbC"]
    assert key_texts("name", "") == [] and key_texts("name", None) == []


@pytest.mark.parametrize(
    ("website", "domain"),
    [
        ("https://www.acme.com/about", "acme.com"),
        ("acme.com", "acme.com"),
        ("http://shop.acme.co.uk", "shop.acme.co.uk"),
        ("", None),
        (None, None),
    ],
)
def test_the_domain_of_a_website(website: str | None, domain: str | None) -> None:
    assert domain_of(website) == domain


def test_a_sub_request_carries_its_body_as_json_text() -> None:
    item = SubRequest("PUT", "Accounts/1", {"name": "A"}).envelope_item("v11_20")
    assert item == {"url": "/v11_20/Accounts/1", "method": "PUT", "data": '{"name": "A"}'}
    assert json.loads(item["data"]) == {"name": "A"}
    assert "data" not in SubRequest("DELETE", "ProspectLists/1/link/accounts/2").envelope_item(
        "v10"
    )
