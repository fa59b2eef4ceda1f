from __future__ import annotations

import pytest

from cardfile.types import AttributeType, InvalidValue, TypeSpec
from cardfile.types.codec import check_text, invalid, require_str, wrong_value

TEXT = TypeSpec(AttributeType.TEXT)


def test_check_text_returns_storable_text_unchanged() -> None:
    assert check_text(TEXT, "raw", " héllo\twörld ") == " héllo\twörld "


def test_check_text_refuses_nul_which_postgresql_cannot_store() -> None:
    with pytest.raises(InvalidValue, match="NUL character") as caught:
        check_text(TEXT, "a\x00b", "a\x00b")
    assert caught.value.raw == "a\x00b"


def test_check_text_refuses_lone_surrogates_as_json_can_produce() -> None:
    with pytest.raises(InvalidValue, match="unpaired surrogate"):
        check_text(TEXT, "\ud800", "a\ud800")


def test_invalid_builds_the_usual_sentence() -> None:
    error = invalid(TEXT, 3, "text (expected a string)")
    assert error.message == "3 is not text (expected a string)"
    assert error.type is AttributeType.TEXT


def test_require_str() -> None:
    assert require_str(TEXT, "x", "text") == "x"
    with pytest.raises(InvalidValue, match=r"^\[1\] is not text$"):
        require_str(TEXT, [1], "text")


def test_wrong_value_is_a_type_error_naming_the_type() -> None:
    error = wrong_value(TEXT, 3, "a str")
    assert isinstance(error, TypeError)
    assert str(error) == "a text value must be a str, not int 3"
