from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cardfile.types import (
    AttributeType,
    InvalidValue,
    Option,
    TypeSpec,
    format_text,
    from_json,
    parse,
    to_json,
)
from cardfile.types.choices import split_choices
from tests.types.conftest import refusal

RoundTrips = Callable[[TypeSpec, object], None]

STAGES = (
    Option("st_open", "Open"),
    Option("st_won", "Closed Won"),
    Option("st_lost", "Closed Lost"),
)
STATUS = TypeSpec(AttributeType.STATUS, options=STAGES)
SELECT = TypeSpec(AttributeType.SELECT, options=STAGES)
TAGS = TypeSpec(
    AttributeType.MULTI_SELECT,
    options=(
        Option("t_yes", "Yes, please"),
        Option("t_no", "No"),
        Option("t_later", "Maybe; later"),
        Option("t_quote", '"Quoted"'),
        Option("t_vip", "VIP"),
    ),
)


# select and status


@pytest.mark.parametrize("spec", [SELECT, STATUS])
@pytest.mark.parametrize(
    ("raw", "option_id"),
    [
        ("st_won", "st_won"),  # by id
        ("Closed Won", "st_won"),  # by title
        ("closed won", "st_won"),  # by title, ignoring case
        ("  OPEN ", "st_open"),
    ],
)
def test_select_reads_an_id_or_a_title(spec: TypeSpec, raw: str, option_id: str) -> None:
    assert parse(spec, raw) == option_id


def test_select_refuses_an_unknown_option_listing_the_options() -> None:
    assert (
        refusal(STATUS, "Foo") == "'Foo' is not an option (options: Open, Closed Won, Closed Lost)"
    )


def test_select_lists_at_most_ten_options() -> None:
    spec = TypeSpec(
        AttributeType.SELECT, options=tuple(Option(f"o{i}", f"T{i}") for i in range(25))
    )
    message = refusal(spec, "nope")
    assert message.endswith("(options: T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, and 15 more)")


def test_select_without_options_refuses_everything() -> None:
    spec = TypeSpec(AttributeType.SELECT)
    assert refusal(spec, "Open") == "'Open' is not an option (this attribute has no options)"


def test_select_refuses_a_title_that_only_matches_ignoring_case_ambiguously() -> None:
    spec = TypeSpec(AttributeType.SELECT, options=(Option("a", "Lead"), Option("b", "LEAD")))
    assert parse(spec, "Lead") == "a"
    assert parse(spec, "LEAD") == "b"
    message = refusal(spec, "lead")
    assert message == (
        "'lead' matches more than one option (Lead, LEAD); write the exact title or the option id"
    )


@pytest.mark.parametrize("raw", [3, True, ["Open"], {"id": "st_open"}])
def test_select_refuses_json_that_is_not_a_string(raw: object) -> None:
    assert refusal(STATUS, raw).endswith(
        "is not an option (expected an option id or title as a string)"
    )


def test_select_from_json_trusts_stored_ids_of_archived_options() -> None:
    assert from_json(STATUS, "st_gone") == "st_gone"
    with pytest.raises(InvalidValue):
        from_json(STATUS, 3)


# multi-select


@pytest.mark.parametrize(
    ("raw", "ids"),
    [
        ("No", ("t_no",)),
        ("No, VIP", ("t_no", "t_vip")),
        ("no;vip", ("t_no", "t_vip")),
        (" VIP ,  No ", ("t_vip", "t_no")),
        ("No, no, t_no, VIP", ("t_no", "t_vip")),  # duplicates dropped, first order kept
        ("Yes, please", ("t_yes",)),  # the whole cell names one option
        ('"Yes, please", No', ("t_yes", "t_no")),
        ('"Maybe; later";"Yes, please"', ("t_later", "t_yes")),
        ('"""Quoted""", VIP', ("t_quote", "t_vip")),
        ('"""Quoted"""', ("t_quote",)),  # a title starting with a quote must be quoted
        ("No,,VIP,", ("t_no", "t_vip")),
        (["No", "t_vip", "No"], ("t_no", "t_vip")),
        (["Yes, please"], ("t_yes",)),
        (("t_no",), ("t_no",)),
    ],
)
def test_multi_select_reads(raw: object, ids: tuple[str, ...]) -> None:
    assert parse(TAGS, raw) == ids


@pytest.mark.parametrize("raw", [[], ["", "  "], ",", " ; , "])
def test_an_empty_multi_select_is_unset(raw: object) -> None:
    assert parse(TAGS, raw) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("No, Nope", "'Nope' is not an option (options: "),
        ("Maybe; later, No", "'Maybe' is not an option"),  # needs quotes next to another
        ('"No', "is not a list of options (a double quote is not closed)"),
        ('"No" VIP', "is not a list of options (a double quote is not closed)"),
        (["No", 3], "is not a list of options (3 is not a string)"),
        (3, "3 is not a list of options (expected option ids or titles)"),
    ],
)
def test_multi_select_refuses(raw: object, message: str) -> None:
    assert message in refusal(TAGS, raw)


def test_multi_select_messages_quote_titles_with_separators() -> None:
    assert refusal(TAGS, "x").endswith(
        '(options: "Yes, please", No, "Maybe; later", """Quoted""", VIP)'
    )


def test_multi_select_writes_ids_quoting_separators() -> None:
    assert format_text(TAGS, ("t_no", "t_vip")) == "t_no, t_vip"
    assert to_json(TAGS, ("t_no", "t_vip")) == ["t_no", "t_vip"]
    spec = TypeSpec(AttributeType.MULTI_SELECT, options=(Option("a,b", "AB"), Option("c", "C")))
    assert format_text(spec, ("a,b", "c")) == '"a,b", c'


def test_multi_select_quotes_everything_when_the_joined_ids_name_an_option() -> None:
    spec = TypeSpec(
        AttributeType.MULTI_SELECT,
        options=(Option("a", "A"), Option("b", "B"), Option("ab", "a, b")),
    )
    assert format_text(spec, ("a", "b")) == '"a", "b"'
    assert parse(spec, format_text(spec, ("a", "b"))) == ("a", "b")
    assert parse(spec, "a, b") == ("ab",)


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("a, b;c", ["a", "b", "c"]),
        ('"a, b" ; c', ["a, b", "c"]),
        ('"say ""hi""", x', ['say "hi"', "x"]),
        ('5" screen, x', ['5" screen', "x"]),  # a quote inside a piece is a plain character
        ('""', []),
        ('"a"b', None),
        ('"a', None),
        ("", []),
    ],
)
def test_split_choices(text: str, pieces: list[str] | None) -> None:
    assert split_choices(text) == pieces


# Option ids and titles from an alphabet rich in separators, quotes and case, so that the
# quoting and the whole-cell rule are exercised.
_names = st.text(alphabet='aAbB ,;"é1', min_size=1, max_size=6).map(str.strip).filter(bool)


@st.composite
def choice_specs(draw: st.DrawFn, kind: AttributeType) -> TypeSpec:
    ids = draw(st.lists(_names, min_size=1, max_size=6, unique=True))
    titles = draw(st.lists(_names, min_size=len(ids), max_size=len(ids), unique=True))
    return TypeSpec(kind, options=tuple(map(Option, ids, titles)))


@given(st.data())
@settings(max_examples=150)
def test_select_and_status_round_trip(round_trips: RoundTrips, data: st.DataObject) -> None:
    spec = data.draw(
        choice_specs(data.draw(st.sampled_from([AttributeType.SELECT, AttributeType.STATUS])))
    )
    option = data.draw(st.sampled_from(spec.options))
    round_trips(spec, option.id)


@given(st.data())
@settings(max_examples=150)
def test_select_reads_a_title(data: st.DataObject) -> None:
    spec = data.draw(choice_specs(AttributeType.SELECT))
    option = data.draw(st.sampled_from(spec.options))
    assume(not spec.index.has_id(option.title))  # an id that is also a title wins
    assert parse(spec, option.title) == option.id


@given(st.data())
@settings(max_examples=300)
def test_multi_select_round_trips(round_trips: RoundTrips, data: st.DataObject) -> None:
    spec = data.draw(choice_specs(AttributeType.MULTI_SELECT))
    ids = [option.id for option in spec.options]
    value = tuple(data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True)))
    round_trips(spec, value)


@given(st.data())
@settings(max_examples=150)
def test_multi_select_reads_titles_from_a_json_list(data: st.DataObject) -> None:
    spec = data.draw(choice_specs(AttributeType.MULTI_SELECT))
    chosen = data.draw(st.lists(st.sampled_from(spec.options), min_size=1, unique=True))
    assume(not any(spec.index.has_id(option.title) for option in chosen))
    assume(all(len(spec.index.find(option.title)) == 1 for option in chosen))
    assert parse(spec, [option.title for option in chosen]) == tuple(o.id for o in chosen)
