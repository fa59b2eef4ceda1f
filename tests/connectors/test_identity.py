"""Each connector reads the hub's identity out of a record in its vendor's own format."""

from __future__ import annotations

from cardfile.connectors.base import Connection, Identity
from cardfile.connectors.registry import connect


def test_hubspot_records() -> None:
    hubspot = connect(Connection(provider="hubspot", token="t-123456"))
    contact = {"email": " jane@acme.com ", "firstname": "Jane", "lastname": "Smith"}
    assert hubspot.identity("contacts", contact) == Identity(
        email="jane@acme.com", name="Jane Smith"
    )
    assert hubspot.identity("companies", {"name": "Acme", "domain": "acme.com"}) == Identity(
        name="Acme", domain="acme.com"
    )


def test_attio_records_in_each_shape_attio_takes() -> None:
    attio = connect(Connection(provider="attio", token="t-123456"))
    assert attio.identity(
        "people",
        {
            "email_addresses": [{"email_address": "ann@x.com"}],
            "name": {"first_name": "Ann", "last_name": "Lee", "full_name": "Ann Lee"},
        },
    ) == Identity(email="ann@x.com", name="Ann Lee")
    assert attio.identity("people", {"email_addresses": ["bo@x.com"], "name": "Bo"}) == Identity(
        email="bo@x.com", name="Bo"
    )
    assert attio.identity(
        "companies", {"domains": [{"domain": "acme.com"}], "name": "Acme"}
    ) == Identity(name="Acme", domain="acme.com")
