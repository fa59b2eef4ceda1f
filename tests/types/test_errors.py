from __future__ import annotations

import pytest

from cardfile.types import AttributeType, InvalidValue, TypeSpec, parse
from cardfile.types.errors import show


def test_invalid_value_carries_message_type_and_raw() -> None:
    with pytest.raises(InvalidValue) as caught:
        parse(TypeSpec(AttributeType.NUMBER), "abc")
    error = caught.value
    assert error.message == "'abc' is not a number"
    assert str(error) == error.message
    assert error.type is AttributeType.NUMBER
    assert error.raw == "abc"
    assert isinstance(error, ValueError)
    assert "number" in repr(error)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("abc", "'abc'"),
        ("it's", '"it\'s"'),
        (True, "true"),
        (None, "null"),
        (3.5, "3.5"),
        (["a", 1], '["a", 1]'),
        ({"é": 1}, '{"é": 1}'),
        ("tab\there", "'tab\\there'"),
    ],
)
def test_show_quotes_values_as_a_user_reads_them(raw: object, shown: str) -> None:
    assert show(raw) == shown


def test_show_cuts_long_values() -> None:
    shown = show("x" * 10_000)
    assert len(shown) < 70
    assert shown.endswith("…'")
    assert len(show(list(range(1000)))) <= 61


def test_show_never_fails() -> None:
    circular: list[object] = []
    circular.append(circular)
    assert show(circular) == "[[...]]"
    assert show(object()).startswith("<object")
