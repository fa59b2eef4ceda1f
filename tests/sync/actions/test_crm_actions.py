"""The CRM actions against every CRM's simulator: identify upserts a contact, group upserts a
company and links the user's contact to it; many events' contacts travel in few requests."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from simulators.kit import serve
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.connectors.registry import connector_class
from tests.conftest import Tenant
from tests.connectors.harnesses import harness_class
from tests.sync.actions.conftest import make_pipe

# provider -> (token, the contact's name field, the company's name field)
VENDORS: dict[str, tuple[str, str, str]] = {
    "hubspot": ("hubspot-test-token", "lastname", "name"),
    "salesforce": ("salesforce-test-token", "LastName", "Name"),
    "pipedrive": ("pipedrive-test-token", "name", "name"),
    "zoho": ("zoho-test-token", "Last_Name", "Account_Name"),
    "sugarcrm": ("admin:sugar-sim-password", "last_name", "name"),
}
USERS = 20


@pytest.fixture(scope="module", params=sorted(VENDORS))
def simulator(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    app = importlib.import_module(f"simulators.{request.param}").create_app()
    with serve(app) as base_url:
        yield request.param, base_url


def test_contacts_and_companies_are_upserted_and_linked(
    simulator: tuple[str, str], sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    provider, base_url = simulator
    token, person_name, company_name = VENDORS[provider]
    control = SimulatorControl(base_url)
    control.reset()
    pipe = make_pipe(sessions, tenant, provider, base_url, token)
    destination = pipe.destination(
        [
            {
                "name": "contact",
                "kind": "upsert_contact",
                "attributes": {person_name: "traits.lastName"},
            },
            {
                "name": "company",
                "kind": "upsert_company",
                "attributes": {company_name: "traits.name"},
            },
        ]
    )
    identifies: list[dict[str, Any]] = [
        {
            "type": "identify",
            "userId": f"u{n}",
            "traits": {"email": f"user{n}@acme.example.com", "lastName": f"User {n}"},
        }
        for n in range(USERS)
    ]
    groups: list[dict[str, Any]] = [
        {
            "type": "group",
            "userId": f"u{n}",
            "groupId": f"g{n % 2}",
            "traits": {"website": f"https://co{n % 2}.example.com", "name": f"Co {n % 2}"},
        }
        for n in range(USERS)
    ]
    before = control.stats()["requests"]
    pipe.send(*identifies, *groups)
    pipe.deliver(destination)
    requests = control.stats()["requests"] - before
    done = pipe.deliveries(destination)
    assert {d["status"] for d in done} == {"sent"}, [d["error"] for d in done if d["error"]]

    capabilities = connector_class(provider).capabilities
    people, companies = capabilities.people, capabilities.companies
    assert people is not None
    assert companies is not None
    contact_of = {d["event_id"]: d["detail"][people] for d in done if d["action"] == "contact"}
    linked = [d["detail"] for d in done if d["action"] == "company"]
    assert len(set(contact_of.values())) == USERS
    assert len({d[companies] for d in linked}) == 2
    harness = harness_class(provider)(base_url)
    for detail in linked[:3]:  # a few: the vendor's read budget is spent by now
        assert harness.linked(people, detail[people], companies) == [detail[companies]]
    # Contacts go in the vendor's batches where it has them, not one request per event.
    if capabilities.batch_size >= USERS:
        assert requests < USERS, requests
