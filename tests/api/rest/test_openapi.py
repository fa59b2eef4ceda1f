"""The OpenAPI description FastAPI serves is the truth: a schemathesis run over ``/api/v1``
against the live server finds no 5xx and no answer that breaks its documented schema.

``POST /api/v1/connections`` is left out: a generated ``base_url`` would send the connection's
check to an arbitrary host, and nothing may leave loopback here; its behaviour is tested
against the simulator in ``test_connections.py``. The OAuth callback accepts only a state
Cardfile sealed itself, which no generator can make, so there a refused well-formed request is
expected (``test_oauth.py`` covers the accepted one). Likewise a sync definition is checked
against the destination's discovered fields, which no schema can say, so a well-formed
definition naming a connection or vendor field the workspace lacks is refused with a 422
(``test_syncs.py`` covers the accepted ones); so are destination definitions, whose actions
are checked against the vendor's attributes (``test_destinations.py``). The cases are driven with Hypothesis
directly (schemathesis's pytest plugin does not load under this pytest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.conftest import LiveServer, Tenant


def test_the_rest_api_keeps_to_its_description(server: LiveServer, tenant: Tenant) -> None:
    loaded = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    schema = loaded.include(path_regex="^/api/v1/").exclude(
        method="POST", path="/api/v1/connections"
    )
    headers = {"Authorization": f"Bearer {tenant.key}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7

    for operation in operations:
        checked_beyond_schema = operation.path.endswith("/oauth/callback") or (
            operation.method.upper() in {"POST", "PUT"}
            and operation.path
            in {
                "/api/v1/syncs",
                "/api/v1/syncs/{name}",
                "/api/v1/destinations",
                "/api/v1/destinations/{name}",
            }
        )
        _cases(operation, headers, [positive_data_acceptance] if checked_beyond_schema else [])()


def _cases(
    operation: schemathesis.APIOperation, headers: dict[str, str], excluded: list[Any]
) -> Callable[[], None]:
    """A Hypothesis test of one operation's generated cases."""

    @settings(
        max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy())
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    return run
