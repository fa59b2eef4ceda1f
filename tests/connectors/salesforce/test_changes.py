"""Reading changes from the Salesforce simulator, a page at a time."""

from __future__ import annotations

import pytest

from cardfile.connectors.errors import Refused
from cardfile.connectors.salesforce import SalesforceConnector, changes
from cardfile.connectors.salesforce.changes import parse_cursor, soql_datetime
from tests.connectors.salesforce.conftest import Org

pytestmark = pytest.mark.anyio


def test_datetimes_become_soql_literals_in_utc() -> None:
    assert soql_datetime("2026-01-02T03:04:05.000+0000") == "2026-01-02T03:04:05.000Z"
    assert soql_datetime("2026-01-02T04:04:05+01:00") == "2026-01-02T03:04:05.000Z"
    assert soql_datetime("2026-01-02T03:04:05") == "2026-01-02T03:04:05.000Z"
    assert parse_cursor("2026-01-02T03:04:05.000Z/003AAA") == (
        "2026-01-02T03:04:05.000Z",
        "003AAA",
    )
    assert parse_cursor(None) == (None, None)
    with pytest.raises(Refused, match="not a Salesforce change cursor"):
        parse_cursor("yesterday")


async def test_changes_are_read_in_pages_each_record_once(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changes, "CHANGES_PAGE", 3)
    made = [org.create("Contact", LastName=f"P{n}", Email=f"p{n}@x.com") for n in range(7)]
    read: list[str] = []
    pages: list[bool] = []
    cursor = None
    async with SalesforceConnector(org.connection()) as connector:
        while True:
            page = await connector.read_changes("contacts", cursor)
            read += [record_id for record_id, _ in page.records]
            pages.append(page.more)
            cursor = page.cursor
            if not page.more:
                break
        assert read == made  # records of one second, told apart by id
        assert pages == [True, True, False]
        record_id, values = (await connector.read_changes("contacts", None)).records[0]
        assert values["Email"] == "p0@x.com" and values["Id"] == record_id
        assert "attributes" not in values
        # A change a minute later is read from the cursor, and only it.
        stored = org.sim.objects["Contact"].records[made[2]]
        stored.values["SystemModstamp"] = "2099-01-01T00:01:00.000+0000"
        later = await connector.read_changes("contacts", cursor)
        assert [r for r, _ in later.records] == [made[2]]
        assert later.cursor == f"2099-01-01T00:01:00.000Z/{made[2]}"
        nothing = await connector.read_changes("contacts", later.cursor)
        assert (nothing.records, nothing.cursor, nothing.more) == ([], later.cursor, False)


async def test_changes_since_a_datetime_start_there(org: Org) -> None:
    org.create("Account", Name="A")
    async with SalesforceConnector(org.connection()) as connector:
        assert len((await connector.read_changes("companies", "2000-01-01T00:00:00Z")).records)
        future = await connector.read_changes("companies", "2099-01-01T00:00:00Z")
    assert future.records == [] and future.cursor == "2099-01-01T00:00:00Z"
    query = org.sim.calls_to("/query")
    assert len(query) == 2
