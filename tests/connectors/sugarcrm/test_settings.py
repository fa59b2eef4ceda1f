"""Connection settings and the instance root (no simulator needed)."""

from __future__ import annotations

import pytest

from cardfile.connectors.base import Connection, RateLimit
from cardfile.connectors.sugarcrm import SugarCRMConnector
from cardfile.connectors.sugarcrm.settings import SugarSettings, instance_root, settings_of


def test_defaults_pin_a_rest_version_and_a_conservative_budget() -> None:
    assert settings_of({}) == SugarSettings(
        rest_version="v11_20",
        client_id="sugar",
        client_secret="",
        platform="cardfile",
        requests_per_second=5,
        bulk_size=50,
    )


def test_settings_from_the_cli_arrive_as_strings() -> None:
    found = settings_of(
        {
            "rest_version": "11_10",
            "platform": "mobile",
            "requests_per_second": "2",
            "bulk_size": "20",
        }
    )
    assert (found.rest_version, found.platform) == ("v11_10", "mobile")
    assert (found.requests_per_second, found.bulk_size) == (2, 20)


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"rest_version": "latest"}, "rest_version"),
        ({"requests_per_second": "0"}, "requests_per_second"),
        ({"requests_per_second": "fast"}, "requests_per_second"),
        ({"bulk_size": "500"}, "at most 100"),
    ],
)
def test_unusable_settings_are_refused_when_the_connector_is_built(
    settings: dict[str, str], fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        SugarCRMConnector(
            Connection("sugarcrm", token="u:p", base_url="https://x", settings=settings)
        )


@pytest.mark.parametrize(
    ("base_url", "root"),
    [
        ("https://crm.example.com", "https://crm.example.com"),
        ("https://crm.example.com/", "https://crm.example.com"),
        ("https://example.com/sugar/rest/v11_20/", "https://example.com/sugar"),
        ("", None),
        (None, None),
        ("crm.example.com", None),
    ],
)
def test_the_instance_root_comes_from_the_base_url(base_url: str | None, root: str | None) -> None:
    assert instance_root(base_url) == root


@pytest.mark.anyio
async def test_the_connectors_budget_follows_the_setting() -> None:
    connection = Connection(
        "sugarcrm",
        token="u:p",
        base_url="https://crm.example.com",
        settings={"requests_per_second": "3"},
    )
    connector = SugarCRMConnector(connection)
    try:
        assert connector.budget.limit == RateLimit(3, 1.0)
        assert connector.base_url == "https://crm.example.com/rest/v11_20"
        assert connector.token_url() == "https://crm.example.com/rest/v11_20/oauth2/token"
    finally:
        await connector.aclose()
