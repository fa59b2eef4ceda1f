from __future__ import annotations

import pytest

from cardfile.types import Option
from cardfile.types.options import OptionIndex


@pytest.mark.parametrize(
    ("option_id", "title"),
    [("", "Open"), ("o1", ""), ("  ", "Open"), (" o1", "Open"), ("o1", "Open ")],
)
def test_option_refuses_empty_or_padded_ids_and_titles(option_id: str, title: str) -> None:
    with pytest.raises(ValueError, match="an option's"):
        Option(option_id, title)


def test_find_prefers_id_then_exact_title_then_title_ignoring_case() -> None:
    # "b" is one option's id and another's title: the id wins.
    index = OptionIndex((Option("a", "b"), Option("b", "Bee"), Option("c", "BEE")))
    assert index.find("b") == [Option("b", "Bee")]
    assert index.find("Bee") == [Option("b", "Bee")]
    assert index.find("BEE") == [Option("c", "BEE")]
    assert index.find("bee") == [Option("b", "Bee"), Option("c", "BEE")]  # ambiguous
    assert index.find("zzz") == []


def test_find_ignores_case_the_unicode_way() -> None:
    index = OptionIndex((Option("s", "Straße"),))
    assert index.find("STRASSE") == [Option("s", "Straße")]


def test_has_id() -> None:
    index = OptionIndex((Option("a", "A"),))
    assert index.has_id("a")
    assert not index.has_id("A")
