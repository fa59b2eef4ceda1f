from __future__ import annotations

from dataclasses import asdict

import pytest

from cardfile.types import AttributeType, Option, TypeSpec


@pytest.mark.parametrize("kind", list(AttributeType))
def test_from_name_accepts_every_value_in_any_case(kind: AttributeType) -> None:
    assert AttributeType.from_name(kind.value) is kind
    assert AttributeType.from_name(kind.value.upper()) is kind
    assert AttributeType.from_name(f"  {kind.value.upper().replace('-', '_')} ") is kind


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Cycle's scalar and select types
        ("TEXT", AttributeType.TEXT),
        ("NUMBER", AttributeType.NUMBER),
        ("BOOLEAN", AttributeType.CHECKBOX),
        ("CHECKBOX", AttributeType.CHECKBOX),
        ("DATE", AttributeType.DATE),
        ("SINGLE_SELECT", AttributeType.SELECT),
        ("MULTI_SELECT", AttributeType.MULTI_SELECT),
        # the Attio table in Customer.io's docs
        ("email", AttributeType.EMAIL),
        ("pipeline", AttributeType.STATUS),
        ("phone", AttributeType.PHONE_NUMBER),
        ("Phone_Number", AttributeType.PHONE_NUMBER),
        ("email-address", AttributeType.EMAIL),
    ],
)
def test_from_name_accepts_the_other_dialects_names(name: str, expected: AttributeType) -> None:
    assert AttributeType.from_name(name) is expected


@pytest.mark.parametrize("name", ["", "string", "select2", "e-mail", "single select"])
def test_from_name_refuses_unknown_names_listing_the_accepted_ones(name: str) -> None:
    with pytest.raises(ValueError, match="unknown attribute type") as caught:
        AttributeType.from_name(name)
    assert "multi-select" in str(caught.value)
    assert "boolean" in str(caught.value)


def test_attribute_type_is_its_slug_as_a_string() -> None:
    assert AttributeType.MULTI_SELECT.value == "multi-select"
    assert isinstance(AttributeType.MULTI_SELECT, str)
    assert str(AttributeType.EMAIL) == "email-address"
    assert len(AttributeType) == 17


def test_type_spec_is_hashable_and_compares_by_its_fields() -> None:
    options = (Option("o1", "Open"), Option("o2", "Closed"))
    first = TypeSpec(AttributeType.SELECT, options=options)
    second = TypeSpec(AttributeType.SELECT, options=options)
    assert first == second
    assert hash(first) == hash(second)
    assert first != TypeSpec(AttributeType.SELECT, options=options[:1])


def test_type_spec_stores_options_given_as_a_list_as_a_tuple() -> None:
    spec = TypeSpec(AttributeType.STATUS, options=[Option("o1", "Open")])  # type: ignore[arg-type]
    assert spec.options == (Option("o1", "Open"),)
    hash(spec)


def test_type_spec_refuses_options_on_a_type_without_them() -> None:
    with pytest.raises(ValueError, match="a text attribute has no options"):
        TypeSpec(AttributeType.TEXT, options=(Option("a", "A"),))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ((Option("a", "A"), Option("a", "B")), "two options have the id 'a'"),
        ((Option("a", "A"), Option("b", "A")), "two options have the title 'A'"),
    ],
)
def test_type_spec_refuses_duplicate_options_when_defined(
    options: tuple[Option, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        TypeSpec(AttributeType.MULTI_SELECT, options=options)


def test_type_spec_checks_the_currency_code() -> None:
    assert TypeSpec(AttributeType.CURRENCY, currency_code="EUR").currency_code == "EUR"
    with pytest.raises(ValueError, match="ISO 4217"):
        TypeSpec(AttributeType.CURRENCY, currency_code="eur")
    with pytest.raises(ValueError, match="no currency code"):
        TypeSpec(AttributeType.NUMBER, currency_code="EUR")


def test_the_option_index_is_built_once_and_is_not_a_field() -> None:
    spec = TypeSpec(AttributeType.SELECT, options=(Option("o1", "Open"),))
    assert spec.index is spec.index
    assert asdict(spec) == {
        "type": AttributeType.SELECT,
        "options": ({"id": "o1", "title": "Open"},),
        "currency_code": None,
    }
