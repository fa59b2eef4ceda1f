"""The registry: built-in connectors by name, third-party ones registered or by entry point."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from cardfile.connectors import registry
from cardfile.connectors.base import (
    Capabilities,
    Connection,
    Connector,
    Field,
    Health,
    Identity,
    ListResult,
    RateLimit,
    Record,
    RecordResult,
    UpsertMode,
)


class Elsewhere(Connector):
    """A connector a third party would ship in a package of its own."""

    provider = "elsewhere"
    default_base_url = "https://api.elsewhere.example"
    capabilities = Capabilities(
        batch_size=10,
        writes=RateLimit(5, 1),
        reads=RateLimit(5, 1),
        upsert=UpsertMode.SEARCH_THEN_WRITE,
        entities=frozenset({"contacts"}),
        match_keys={"contacts": ("email",)},
    )

    async def check(self) -> Health:
        return Health(True, "ok")

    async def fields(self, entity: str) -> list[Field]:
        return []

    async def upsert(
        self, entity: str, records: Sequence[Record], match_key: str
    ) -> list[RecordResult]:
        return []

    async def update_list(
        self, list_id: str, add_ids: Sequence[str], remove_ids: Sequence[str]
    ) -> list[ListResult]:
        return []

    def identity(self, entity: str, record: Record) -> Identity:
        return Identity(email=record.get("email"))

    async def aclose(self) -> None:
        pass


def test_the_built_in_connectors_are_found_by_name() -> None:
    assert {"hubspot", "attio"} <= set(registry.providers())
    hubspot = registry.connect(Connection(provider="hubspot", token="t-123456"))
    assert hubspot.provider == "hubspot"
    assert hubspot.base_url == "https://api.hubapi.com"
    assert registry.connector_class("attio").capabilities.batch_size == 1


def test_an_unknown_provider_names_the_known_ones() -> None:
    with pytest.raises(registry.UnknownProvider, match=r"known: .*attio.*hubspot"):
        registry.connector_class("nocrm")


def test_a_registered_connector_is_listed_and_connected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", dict(registry._registered))
    registry.register(Elsewhere)
    assert "elsewhere" in registry.providers()
    made = registry.connect(Connection(provider="elsewhere", base_url="http://127.0.0.1:9/"))
    assert isinstance(made, Elsewhere)
    assert made.base_url == "http://127.0.0.1:9"


def test_an_entry_point_that_is_not_a_connector_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Point:
        name = "broken"

        def load(self) -> object:
            return object

    monkeypatch.setattr(registry, "entry_points", lambda group: [Point()])
    with pytest.raises(registry.UnknownProvider, match="does not name a Connector class"):
        registry.connector_class("broken")
