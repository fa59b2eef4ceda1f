"""The cases every connector must pass against its vendor's simulator.

Each case is an async function of a :class:`~cardfile.connectors.conformance.harness.Harness`
that raises ``AssertionError`` when the connector misbehaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cardfile.connectors.base import Connector, OAuthTokens, Outcome, RecordResult
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
)
