"""read_ahead: items arrive in order, errors reach the consumer, the thread always ends."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from cardfile.ingest.csv.read_ahead import read_ahead


def test_items_arrive_in_order() -> None:
    with read_ahead(iter(range(100)), depth=3) as items:
        assert list(items) == list(range(100))


def test_a_producer_error_is_raised_where_the_consumer_reaches_it() -> None:
    def broken() -> Iterator[int]:
        yield 1
        raise ValueError("bad byte on row 900,000")

    seen = []
    with pytest.raises(ValueError, match="row 900,000"), read_ahead(broken()) as items:
        for item in items:
            seen.append(item)
    assert seen == [1]


def test_the_producer_stops_when_the_consumer_gives_up() -> None:
    produced = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    before = threading.active_count()
    with pytest.raises(RuntimeError), read_ahead(endless(), depth=2) as items:
        for item in items:
            if item == 5:
                raise RuntimeError("the database refused the chunk")
    assert threading.active_count() == before
    assert len(produced) <= 5 + 1 + 2 + 1  # at most depth (and one in hand) ahead
