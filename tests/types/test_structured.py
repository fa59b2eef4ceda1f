from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardfile.types import (
    AttributeType,
    InvalidValue,
    Location,
    PersonalName,
    TypeSpec,
    format_text,
    parse,
    to_json,
)
from cardfile.types.countries import COUNTRY_CODES
from tests.types.conftest import refusal

RoundTrips = Callable[[TypeSpec, object], None]

NAME = TypeSpec(AttributeType.PERSONAL_NAME)
LOCATION = TypeSpec(AttributeType.LOCATION)


# personal name


@pytest.mark.parametrize(
    ("raw", "first", "last", "full"),
    [
        ("Bloggs, Joe", "Joe", "Bloggs", "Joe Bloggs"),  # the seed's example
        (" Bloggs ,  Joe ", "Joe", "Bloggs", "Joe Bloggs"),
        ("van der Berg, Anna Maria", "Anna Maria", "van der Berg", "Anna Maria van der Berg"),
        ("Bloggs, Joe, Jr.", "Joe, Jr.", "Bloggs", "Joe, Jr. Bloggs"),  # the first comma splits
        ("Joe Bloggs", "Joe", "Bloggs", "Joe Bloggs"),
        ("Mary Ann  Smith", "Mary Ann", "Smith", "Mary Ann Smith"),
        ("Cher", "Cher", "", "Cher"),
        ("Bloggs,", "", "Bloggs", "Bloggs"),
        (", Mary Ann", "Mary Ann", "", "Mary Ann"),
        ({"first_name": "Joe", "last_name": "Bloggs"}, "Joe", "Bloggs", "Joe Bloggs"),
        (
            {"first_name": "Joe", "last_name": "Bloggs", "full_name": "Dr. Joe Bloggs"},
            "Joe",
            "Bloggs",
            "Dr. Joe Bloggs",
        ),
        ({"full_name": "Joe Bloggs"}, "Joe", "Bloggs", "Joe Bloggs"),
        ({"last_name": " Bloggs ", "first_name": None}, "", "Bloggs", "Bloggs"),
        ('{"first_name": "Joe", "last_name": "Bloggs"}', "Joe", "Bloggs", "Joe Bloggs"),
        ("{Joe}", "{Joe}", "", "{Joe}"),  # braces but not JSON: plain text
        (PersonalName("Joe", "Bloggs", "Joe Bloggs"), "Joe", "Bloggs", "Joe Bloggs"),
    ],
)
def test_personal_name_accepts(raw: object, first: str, last: str, full: str) -> None:
    assert parse(NAME, raw) == PersonalName(first_name=first, last_name=last, full_name=full)


@pytest.mark.parametrize("raw", [{}, {"first_name": "", "full_name": None}, "{}"])
def test_an_empty_personal_name_object_is_unset(raw: object) -> None:
    assert parse(NAME, raw) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (",", '\',\' is not a name (expected "Last, First", "First Last" or an object'),
        (" , ", "is not a name"),
        (
            {"first": "Joe"},
            "has unknown key(s) 'first'; expected first_name, last_name, full_name",
        ),
        ({"first_name": 3}, "has a first_name that is not a string: 3"),
        ('{"first_name": ["Joe"]}', "has a first_name that is not a string"),
        (42, "42 is not a name"),
        (["Joe", "Bloggs"], "is not a name"),
    ],
)
def test_personal_name_refuses(raw: object, message: str) -> None:
    assert message in refusal(NAME, raw)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (PersonalName("Joe", "Bloggs", "Joe Bloggs"), "Bloggs, Joe"),
        (PersonalName("Cher", "", "Cher"), "Cher"),
        (PersonalName("Mary Ann", "", "Mary Ann"), ", Mary Ann"),
        (PersonalName("", "Bloggs", "Bloggs"), "Bloggs,"),
        (
            PersonalName("Joe", "Bloggs", "Dr. Joe Bloggs"),
            '{"first_name": "Joe", "last_name": "Bloggs", "full_name": "Dr. Joe Bloggs"}',
        ),
        (
            PersonalName("Joe", "Bloggs, Jr.", "Joe Bloggs, Jr."),
            '{"first_name": "Joe", "last_name": "Bloggs, Jr.", "full_name": "Joe Bloggs, Jr."}',
        ),
    ],
)
def test_personal_name_text_is_last_comma_first_or_else_json(
    value: PersonalName, text: str
) -> None:
    assert format_text(NAME, value) == text


def test_personal_name_json_has_the_three_keys() -> None:
    value = PersonalName("Joe", "Bloggs", "Joe Bloggs")
    assert to_json(NAME, value) == {
        "first_name": "Joe",
        "last_name": "Bloggs",
        "full_name": "Joe Bloggs",
    }


_name_part = st.text(alphabet='ab AB,é"{}:', max_size=8).map(str.strip)


@given(_name_part, _name_part, st.one_of(st.just(""), _name_part))
@settings(max_examples=300)
def test_personal_names_round_trip(
    round_trips: RoundTrips, first: str, last: str, full: str
) -> None:
    raw = {"first_name": first, "last_name": last, "full_name": full}
    if not first and not last and full and not full.replace(",", "").strip():
        with pytest.raises(InvalidValue, match="is not a name"):  # a full name of only commas
            parse(NAME, raw)
        return
    value = parse(NAME, raw)
    if value is None:
        assert not first
        assert not last
        assert not full
        return
    round_trips(NAME, value)


@given(
    st.from_regex(r"[A-Za-zé]+( [A-Za-zé]+)?", fullmatch=True),
    st.from_regex(r"[A-Za-z'-]+", fullmatch=True),
)
@settings(max_examples=100)
def test_first_last_and_last_comma_first_agree(first: str, last: str) -> None:
    expected = PersonalName(first_name=first, last_name=last, full_name=f"{first} {last}")
    assert parse(NAME, f"{first} {last}") == expected
    assert parse(NAME, f"{last}, {first}") == expected


# location


def place(**parts: str) -> Location:
    return Location(**parts)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "1 Infinite Loop, Cupertino, CA, US",  # the seed's example
            place(line_1="1 Infinite Loop", locality="Cupertino", region="CA", country_code="US"),
        ),
        (
            "1 Infinite Loop, Cupertino, CA 95014, US",
            place(
                line_1="1 Infinite Loop",
                locality="Cupertino",
                region="CA",
                postcode="95014",
                country_code="US",
            ),
        ),
        (
            "1 Infinite Loop, Cupertino, CA, 95014, us",
            place(
                line_1="1 Infinite Loop",
                locality="Cupertino",
                region="CA",
                postcode="95014",
                country_code="US",
            ),
        ),
        (
            "10 Downing St, London, SW1A 2AA, UK",
            place(
                line_1="10 Downing St", locality="London", postcode="SW1A 2AA", country_code="GB"
            ),
        ),
        (
            "Flat 2, 5 High St, Leeds, West Yorkshire, LS1 4AP, GB",
            place(
                line_1="Flat 2",
                line_2="5 High St",
                locality="Leeds",
                region="West Yorkshire",
                postcode="LS1 4AP",
                country_code="GB",
            ),
        ),
        ("Paris, FR", place(locality="Paris", country_code="FR")),
        (
            "Paris, Île-de-France, FR",
            place(locality="Paris", region="Île-de-France", country_code="FR"),
        ),
        ("Cupertino, CA", place(locality="Cupertino", country_code="CA")),  # CA is Canada here
        ("Berlin", place(locality="Berlin")),
        ("US", place(country_code="US")),
        (
            "Sydney, NSW 2000, AU",
            place(locality="Sydney", region="NSW", postcode="2000", country_code="AU"),
        ),
        (
            {
                "line_1": "1 Infinite Loop",
                "country_code": "us",
                "latitude": "37.3",
                "longitude": "-122",
            },
            place(line_1="1 Infinite Loop", country_code="US"),
        ),
        ({"region": " CA ", "locality": ""}, place(region="CA")),
        ('{"region": "CA", "country_code": "US"}', place(region="CA", country_code="US")),
        (place(locality="Paris"), place(locality="Paris")),
    ],
)
def test_location_accepts(raw: object, expected: Location) -> None:
    assert parse(LOCATION, raw) == expected


@pytest.mark.parametrize("raw", [{}, {"line_1": " ", "latitude": 1.5}, "{}"])
def test_an_empty_location_object_is_unset(raw: object) -> None:
    assert parse(LOCATION, raw) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            ", ,",
            "', ,' is not a location (expected e.g. \"1 Infinite Loop, Cupertino, CA, 95014, US\")",
        ),
        ("a, b, c, d, e, f, g", "has too many parts: a location has at most 4 street lines"),
        ({"city": "Paris"}, "has unknown key(s) 'city'; expected line_1, line_2"),
        (
            {"country_code": "XX"},
            "has a country_code that is not an ISO 3166-1 alpha-2 code (e.g. US): 'XX'",
        ),
        ({"country_code": "USA"}, "is not an ISO 3166-1 alpha-2 code"),
        ({"postcode": 95014}, "has a postcode that is not a string: 95014"),
        (3, "3 is not a location"),
    ],
)
def test_location_refuses(raw: object, message: str) -> None:
    assert message in refusal(LOCATION, raw)


def test_location_text_is_comma_separated_or_else_json() -> None:
    seed = place(line_1="1 Infinite Loop", locality="Cupertino", region="CA", country_code="US")
    assert format_text(LOCATION, seed) == "1 Infinite Loop, Cupertino, CA, US"
    region_only = place(region="CA", country_code="US")
    assert json.loads(format_text(LOCATION, region_only)) == {"region": "CA", "country_code": "US"}
    with_comma = place(line_1="Unit 5, Block B", locality="Dublin", country_code="IE")
    assert json.loads(format_text(LOCATION, with_comma))["line_1"] == "Unit 5, Block B"


def test_location_json_has_every_key() -> None:
    assert to_json(LOCATION, place(locality="Paris")) == {
        "line_1": None,
        "line_2": None,
        "line_3": None,
        "line_4": None,
        "locality": "Paris",
        "region": None,
        "postcode": None,
        "country_code": None,
    }


_address_part = st.one_of(
    st.none(),
    st.text(alphabet="aB1 9,{}-", max_size=8).map(str.strip),
    st.sampled_from(["CA", "US", "95014", "SW1A 1AA", "CA 95014", "1 Main St", "Paris"]),
)


@given(
    st.fixed_dictionaries(
        dict.fromkeys(
            ("line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode"),
            _address_part,
        ),
    ),
    st.one_of(st.none(), st.sampled_from(sorted(COUNTRY_CODES))),
)
@settings(max_examples=400)
def test_locations_round_trip(
    round_trips: RoundTrips, parts: dict[str, str | None], country: str | None
) -> None:
    value = parse(LOCATION, {**parts, "country_code": country})
    if value is None:
        assert not any(parts.values())
        assert country is None
        return
    round_trips(LOCATION, value)
