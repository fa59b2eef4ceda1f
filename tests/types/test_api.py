from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from cardfile.types import (
    CODECS,
    AttributeType,
    InvalidValue,
    Location,
    Option,
    PersonalName,
    RecordReference,
    TypeSpec,
    format_text,
    from_json,
    parse,
    to_json,
)

OPTIONS = (Option("o1", "Open"), Option("o2", "Closed"))


def spec_for(kind: AttributeType) -> TypeSpec:
    choices = kind in (AttributeType.SELECT, AttributeType.MULTI_SELECT, AttributeType.STATUS)
    return TypeSpec(kind, options=OPTIONS if choices else ())


# One valid typed value per type, and a raw form of it.
EXAMPLES: dict[AttributeType, tuple[object, object]] = {
    AttributeType.TEXT: ("A piece of text", "A piece of text"),
    AttributeType.NUMBER: ("42.192", 42.192),
    AttributeType.CHECKBOX: ("yes", True),
    AttributeType.CURRENCY: ("29.9999", Decimal("29.9999")),
    AttributeType.DATE: ("2023-09-28", date(2023, 9, 28)),
    AttributeType.TIMESTAMP: ("2023-09-28T04:39:17", datetime(2023, 9, 28, 4, 39, 17, tzinfo=UTC)),
    AttributeType.RATING: ("5", 5),
    AttributeType.SELECT: ("open", "o1"),
    AttributeType.MULTI_SELECT: ("Open; Closed", ("o1", "o2")),
    AttributeType.STATUS: ("closed", "o2"),
    AttributeType.EMAIL: ("person@example.com", "person@example.com"),
    AttributeType.DOMAIN: ("app.attio.com", "app.attio.com"),
    AttributeType.PHONE_NUMBER: ("+15558675309", "+15558675309"),
    AttributeType.PERSONAL_NAME: ("Bloggs, Joe", PersonalName("Joe", "Bloggs", "Joe Bloggs")),
    AttributeType.LOCATION: (
        "1 Infinite Loop, Cupertino, CA, US",
        Location(line_1="1 Infinite Loop", locality="Cupertino", region="CA", country_code="US"),
    ),
    AttributeType.RECORD_REFERENCE: ("0677efa", RecordReference("0677efa")),
    AttributeType.ACTOR_REFERENCE: ("alice@attio.com", "alice@attio.com"),
}


def test_every_type_has_a_codec_and_an_example() -> None:
    assert set(CODECS) == set(AttributeType)
    assert set(EXAMPLES) == set(AttributeType)


@pytest.mark.parametrize("kind", list(AttributeType))
@pytest.mark.parametrize("raw", [None, "", " ", "\t\r\n", "\u00a0"])
def test_none_and_blank_text_are_unset_for_every_type(kind: AttributeType, raw: object) -> None:
    spec = spec_for(kind)
    assert parse(spec, raw) is None
    assert from_json(spec, raw) is None


@pytest.mark.parametrize("kind", list(AttributeType))
def test_unset_passes_through_the_writers(kind: AttributeType) -> None:
    spec = spec_for(kind)
    assert to_json(spec, None) is None
    assert format_text(spec, None) == ""


@pytest.mark.parametrize("kind", list(AttributeType))
def test_each_type_reads_its_example_and_writes_it_back(kind: AttributeType) -> None:
    spec = spec_for(kind)
    raw, value = EXAMPLES[kind]
    assert parse(spec, raw) == value
    assert parse(spec, format_text(spec, value)) == value
    data = to_json(spec, value)
    assert json.loads(json.dumps(data)) == data  # JSON-compatible as it is
    assert from_json(spec, data) == value


@pytest.mark.parametrize("kind", list(AttributeType))
def test_parse_is_idempotent(kind: AttributeType) -> None:
    spec = spec_for(kind)
    value = EXAMPLES[kind][1]
    assert parse(spec, value) == value


@pytest.mark.parametrize("kind", list(AttributeType))
def test_the_writers_refuse_a_value_of_the_wrong_python_type(kind: AttributeType) -> None:
    spec = spec_for(kind)
    wrong: object = object()
    with pytest.raises(TypeError, match=f"a {kind.value} value must be"):
        to_json(spec, wrong)
    with pytest.raises(TypeError, match=f"a {kind.value} value must be"):
        format_text(spec, wrong)


@pytest.mark.parametrize("kind", list(AttributeType))
def test_every_type_refuses_something_with_a_sentence(kind: AttributeType) -> None:
    spec = spec_for(kind)
    raw: object = {"unexpected": ["shape"]} if kind is not AttributeType.TEXT else 12
    if kind in (AttributeType.PERSONAL_NAME, AttributeType.LOCATION):
        raw = ["unexpected"]
    with pytest.raises(InvalidValue) as caught:
        parse(spec, raw)
    assert caught.value.type is kind
    assert caught.value.raw is raw
    assert caught.value.message.startswith(("[", "{", "12"))
    assert " is not " in caught.value.message


def test_from_json_refuses_the_wrong_shape() -> None:
    with pytest.raises(InvalidValue):
        from_json(spec_for(AttributeType.MULTI_SELECT), "o1")
    with pytest.raises(InvalidValue):
        from_json(spec_for(AttributeType.PERSONAL_NAME), "Bloggs, Joe")
    with pytest.raises(InvalidValue):
        from_json(spec_for(AttributeType.LOCATION), "Paris, FR")
    with pytest.raises(InvalidValue):
        from_json(spec_for(AttributeType.DOMAIN), ["example.com"])


def test_the_package_touches_neither_the_database_nor_the_network() -> None:
    import subprocess
    import sys

    code = (
        "import sys, cardfile.types; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'httpx', 'requests', 'dns') "
        "or m.startswith(('cardfile.store', 'cardfile.connectors'))]; "
        "print(','.join(bad))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == ""
