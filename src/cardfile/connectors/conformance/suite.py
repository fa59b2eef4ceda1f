"""The cases every connector must pass against its vendor's simulator.

Each case is an async function of a :class:`~cardfile.connectors.conformance.harness.Harness`
that raises ``AssertionError`` when the connector misbehaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection

from cardfile.connectors.base import Connector, Link, OAuthTokens, Outcome, RecordResult
from cardfile.connectors.conformance.harness import Harness
from cardfile.connectors.registry import connect, connector_class

Case = Callable[[Harness], Awaitable[None]]


def _ok(results: list[RecordResult]) -> None:
    failed = [r.error for r in results if r.outcome is Outcome.FAILED]
    assert not failed, f"records failed: {failed}"


async def _upsert(connector: Connector, harness: Harness, n: range) -> list[RecordResult]:
    records = [harness.record(i) for i in n]
    return await connector.upsert(harness.entity, records, harness.match_key)


async def check_with_a_good_token(harness: Harness) -> None:
    """``check`` answers healthy through a real call."""
    async with connect(harness.connection()) as connector:
        health = await connector.check()
    assert health.healthy, health.message


async def check_with_a_bad_token(harness: Harness) -> None:
    """``check`` reports a refused token in the vendor's words, without raising."""
    async with connect(harness.bad_connection()) as connector:
        health = await connector.check()
    assert not health.healthy
    assert health.message


async def fields_are_discovered(harness: Harness) -> None:
    """``fields`` lists the entity's fields, the match key among them, typed and unique."""
    async with connect(harness.connection()) as connector:
        found = {f.name: f for f in await connector.fields(harness.entity)}
    assert harness.match_key in found, sorted(found)
    key = found[harness.match_key]
    assert key.unique, f"{harness.match_key} should be reported unique"
    assert key.type is not None
    assert all(f.label for f in found.values())
    assert any(f.options for f in found.values()), "no select field carries its options"


async def create_then_update(harness: Harness) -> None:
    """New records are created; sent again changed, the same records are updated."""
    async with connect(harness.connection()) as connector:
        created = await _upsert(connector, harness, range(3))
        _ok(created)
        assert [r.outcome for r in created] == [Outcome.CREATED] * 3
        assert all(r.vendor_id for r in created)
        changed = [harness.changed(harness.record(i)) for i in range(3)]
        updated = await connector.upsert(harness.entity, changed, harness.match_key)
    _ok(updated)
    assert [r.outcome for r in updated] == [Outcome.UPDATED] * 3
    assert [r.vendor_id for r in updated] == [r.vendor_id for r in created]
    assert harness.control.stored(harness.entity) == 3


async def resending_creates_no_duplicate(harness: Harness) -> None:
    """The same records sent twice (a retried run) exist once in the vendor."""
    async with connect(harness.connection()) as connector:
        first = await _upsert(connector, harness, range(5))
        again = await _upsert(connector, harness, range(5))
    _ok(first)
    _ok(again)
    assert [r.vendor_id for r in again] == [r.vendor_id for r in first]
    assert harness.control.stored(harness.entity) == 5


async def results_come_in_input_order(harness: Harness) -> None:
    """Results line up with the records given, across the connector's batches."""
    # Two batches and a part; a vendor without batches still gets several concurrent calls.
    count = min(connector_class(harness.provider).capabilities.batch_size, 100) * 2 + 3
    async with connect(harness.connection()) as connector:
        results = await _upsert(connector, harness, range(count))
        _ok(results)
        again = await connector.upsert(
            harness.entity, [harness.record(i) for i in reversed(range(count))], harness.match_key
        )
    _ok(again)
    assert [r.vendor_id for r in again] == [r.vendor_id for r in reversed(results)]
    assert harness.control.stored(harness.entity) == count


async def a_refused_record_fails_alone_with_the_vendors_message(harness: Harness) -> None:
    """One record the vendor refuses fails with its message; the others are written."""
    field, value = harness.refusable(1)
    harness.control.refuse(field, value, "Refused by the vendor for this test")
    async with connect(harness.connection()) as connector:
        results = await _upsert(connector, harness, range(3))
    assert results[0].outcome is not Outcome.FAILED
    assert results[1].outcome is Outcome.FAILED
    assert results[1].error is not None
    assert "Refused by the vendor for this test" in results[1].error.message
    assert results[2].outcome is not Outcome.FAILED
    assert harness.control.stored(harness.entity) == 2


async def an_invalid_record_fails_with_the_vendors_validation_message(harness: Harness) -> None:
    """The vendor's own validation error reaches the record's result."""
    record, fragment = harness.invalid()
    async with connect(harness.connection()) as connector:
        results = await connector.upsert(
            harness.entity, [harness.record(0), record], harness.match_key
        )
    assert results[0].outcome is Outcome.CREATED
    assert results[1].outcome is Outcome.FAILED
    assert results[1].error is not None
    assert fragment in results[1].error.message, results[1].error.message


async def a_429_is_waited_out_and_nothing_is_lost(harness: Harness) -> None:
    """Rate-limited answers are retried after the vendor's wait; every record lands once."""
    harness.control.fail(
        429, times=2, path=harness.write_path, headers=harness.rate_limited_headers()
    )
    async with connect(harness.connection()) as connector:
        results = await _upsert(connector, harness, range(4))
    _ok(results)
    assert harness.control.stored(harness.entity) == 4


async def a_5xx_is_retried(harness: Harness) -> None:
    """Passing server errors are retried; the records land once."""
    harness.control.fail(503, times=2, path=harness.write_path)
    async with connect(harness.connection()) as connector:
        results = await _upsert(connector, harness, range(2))
    _ok(results)
    assert harness.control.stored(harness.entity) == 2


async def an_expired_token_is_refreshed_and_the_call_goes_on(harness: Harness) -> None:
    """An OAuth token that expires mid-way is refreshed once and the new grant handed out."""
    seen: list[OAuthTokens] = []
    async with connect(harness.oauth_connection(seen.append)) as connector:
        _ok(await _upsert(connector, harness, range(2)))
        harness.control.expire_tokens()
        _ok(await _upsert(connector, harness, range(2, 4)))
    assert len(seen) == 1, "the refreshed grant should reach on_tokens once"
    assert harness.control.stored(harness.entity) == 4


async def list_members_are_added_and_removed(harness: Harness) -> None:
    """Records join and leave a list; a repeated add changes nothing."""
    list_id = harness.create_list()
    async with connect(harness.connection()) as connector:
        results = await _upsert(connector, harness, range(3))
        ids = [r.vendor_id for r in results if r.vendor_id]
        added = await connector.update_list(list_id, ids, [])
        assert all(r.ok and r.added for r in added), added
        again = await connector.update_list(list_id, ids[:1], [])
        assert all(r.ok for r in again), again
        removed = await connector.update_list(list_id, [], ids[1:])
        assert all(r.ok and not r.added for r in removed), removed
    assert sorted(harness.members(list_id)) == sorted(ids[:1])


def absent_id(real: str, taken: Collection[str] = ()) -> str:
    """An id shaped like ``real`` that no record has: one digit changed, away from the first
    and last three characters where vendors keep a type prefix or check characters (a
    Salesforce id's), so that the vendor reads it as an id it does not have, not a malformed
    one; never one of ``taken``."""
    chars = list(real)
    inner = range(3, len(chars) - 3) if len(chars) > 6 else range(len(chars))
    for index in reversed(inner):
        if not chars[index].isdigit():
            continue
        for step in (5, 6, 7, 8, 9, 1, 2, 3, 4):
            made = [*chars[:index], str((int(chars[index]) + step) % 10), *chars[index + 1 :]]
            if "".join(made) not in taken:
                return "".join(made)
    raise AssertionError(f"no digit of {real!r} can be changed to make an id like it")


async def _linkable(connector: Connector, harness: Harness, n: int) -> Link:
    """``harness.link_records(n)`` upserted, and the link from the person to the company."""
    ends: list[tuple[str, str]] = []
    for entity, match_key, record in harness.link_records(n):
        results = await connector.upsert(entity, [record], match_key)
        _ok(results)
        assert results[0].vendor_id, results
        ends.append((entity, results[0].vendor_id))
    (person, person_id), (company, company_id) = ends
    return Link(person, person_id, company, company_id)


async def records_are_linked(harness: Harness) -> None:
    """A person is linked to a company, which the vendor's API then reports; linking again
    leaves one link; a link to a company that does not exist fails alone as ``not_found``
    while another link of the same call is made."""
    links = connector_class(harness.provider).capabilities.links
    if not links:
        return
    async with connect(harness.connection()) as connector:
        link = await _linkable(connector, harness, 0)
        other = await _linkable(connector, harness, 1)
        assert link.target_entity in links.get(link.entity, ()), (link, dict(links))
        for attempt in ("first", "again"):
            results = await connector.link([link])
            assert [(r.outcome, r.vendor_id) for r in results] == [
                (Outcome.UPDATED, link.vendor_id)
            ], (attempt, results)
            found = harness.linked(link.entity, link.vendor_id, link.target_entity)
            assert found == [link.target_id], (attempt, found)
        ghost = absent_id(link.target_id, {link.target_id, other.target_id})
        missing = Link(link.entity, link.vendor_id, link.target_entity, ghost)
        mixed = await connector.link([missing, other])
    assert mixed[0].outcome is Outcome.FAILED, mixed
    assert mixed[0].error is not None, mixed
    assert mixed[0].error.code == "not_found", mixed[0].error
    assert mixed[0].error.message
    assert (mixed[1].outcome, mixed[1].vendor_id) == (Outcome.UPDATED, other.vendor_id), mixed
    assert harness.linked(link.entity, link.vendor_id, link.target_entity) == [link.target_id]
    assert harness.linked(other.entity, other.vendor_id, other.target_entity) == [other.target_id]


CASES: tuple[Case, ...] = (
    check_with_a_good_token,
    check_with_a_bad_token,
    fields_are_discovered,
    create_then_update,
    resending_creates_no_duplicate,
    results_come_in_input_order,
    a_refused_record_fails_alone_with_the_vendors_message,
    an_invalid_record_fails_with_the_vendors_validation_message,
    a_429_is_waited_out_and_nothing_is_lost,
    a_5xx_is_retried,
    an_expired_token_is_refreshed_and_the_call_goes_on,
    list_members_are_added_and_removed,
    records_are_linked,
)
