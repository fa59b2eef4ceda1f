"""Every registered connector passes the conformance suite against its vendor's simulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cardfile.connectors.conformance import CASES
from cardfile.connectors.conformance.suite import Case
from cardfile.connectors.registry import providers
from tests.connectors.harnesses import PROVIDERS, harness_class, running


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module", params=PROVIDERS)
def simulator(request: pytest.FixtureRequest) -> Iterator[Any]:
    with running(request.param) as harness:
        yield harness


@pytest.fixture
def harness(simulator: Any) -> Any:
    simulator.control.reset()
    simulator.prepare()
    return simulator


@pytest.mark.parametrize("provider", providers())
def test_every_registered_connector_has_a_harness(provider: str) -> None:
    assert harness_class(provider).provider == provider


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
async def test_conformance(harness: Any, case: Case) -> None:
    await case(harness)
