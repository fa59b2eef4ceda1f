"""Sync definitions: their shape refused with the field at fault, their mappings checked
against the destination's fields and the workspace's attributes."""

from __future__ import annotations

from typing import Any

import pytest

from cardfile.connectors.base import Field
from cardfile.sync.spec import SpecError, check_against, parse
from cardfile.types import AttributeType

BASE: dict[str, Any] = {
    "name": "out",
    "source": "companies",
    "connection": "hubspot",
    "entity": "companies",
    "match": {"hub": "domain", "vendor": "domain"},
    "mappings": [{"to": "name", "field": "name"}],
}
FIELDS = [
    Field("domain", "Domain", AttributeType.DOMAIN, "string", unique=True),
    Field("name", "Name", AttributeType.TEXT, "string"),
    Field("employees", "Employees", AttributeType.NUMBER, "number"),
    Field("plan", "Plan", AttributeType.SELECT, "enumeration"),
    Field("created", "Created", AttributeType.TIMESTAMP, "datetime", read_only=True),
]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"source": "deals"}, "source", "'companies' or 'people'"),
        ({"match": {"hub": "nope", "vendor": "domain"}}, "match.hub", "no hub field 'nope'"),
        ({"mappings": [{"to": "name"}]}, "mappings[0]", "exactly one of"),
        ({"mappings": [{"to": "name", "field": "x"}]}, "mappings[0].field", "no hub field"),
        ({"mappings": [{"to": "a", "field": "name"}, {"to": "a", "constant": 1}]}, "mappings",
         "mapped twice: a"),
        ({"filter": [{"field": "name", "op": "like"}]}, "filter[0].op", "is one of"),
        ({"schedule": "sometimes"}, "schedule", "every 15 minutes"),
        ({"mode": "mirrored"}, "mode", "is one of upsert, update, create, mirror"),
        ({"name": ""}, "name", "is required"),
    ],
)  # fmt: skip
def test_a_malformed_definition_names_its_field(
    change: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(SpecError) as refused:
        parse({**BASE, **change})
    assert refused.value.field == field
    assert words in refused.value.message


def test_schedules_may_be_an_interval_or_a_cron_line() -> None:
    assert parse({**BASE, "schedule": "every 2 hours"}).schedule == "every 2 hours"
    assert parse({**BASE, "schedule": "*/5 * * * *"}).schedule == "*/5 * * * *"


def test_a_definition_reads_back_as_written() -> None:
    written = {
        **BASE,
        "mappings": [
            {"to": "name", "field": "name", "skip_nulls": True, "only_if_empty": False},
            {"to": "plan", "attribute": "Plan", "skip_nulls": False, "only_if_empty": True},
            {"to": "employees", "constant": 5, "skip_nulls": False, "only_if_empty": False},
        ],
        "filter": [{"attribute": "Plan", "op": "in", "value": ["Pro"]}],
    }
    assert parse(parse(written).as_dict()) == parse(written)


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        ({"to": "missing", "field": "name"}, "no field 'missing'"),
        ({"to": "created", "field": "name"}, "read-only"),
        ({"to": "employees", "field": "domain"}, "cannot convert"),
        ({"to": "name", "attribute": "Tier"}, "no companies attribute 'Tier'"),
        ({"to": "employees", "attribute": "Plan"}, "select values, which cannot convert"),
    ],
)
def test_mappings_are_checked_against_the_vendors_fields(
    mapping: dict[str, Any], words: str
) -> None:
    spec = parse({**BASE, "mappings": [mapping]})
    with pytest.raises(SpecError) as refused:
        check_against(spec, FIELDS, {"Plan": AttributeType.SELECT}, ("domain",))
    assert words in refused.value.message


def test_a_good_definition_passes_the_check() -> None:
    spec = parse(
        {
            **BASE,
            "mappings": [
                {"to": "name", "field": "name"},
                {"to": "employees", "field": "numberOfEmployees"},
                {"to": "plan", "attribute": "Plan"},
            ],
        }
    )
    check_against(spec, FIELDS, {"Plan": AttributeType.SELECT}, ("domain",))


@pytest.mark.parametrize(
    ("mode", "finds", "removes", "words"),
    [
        ("update", False, True, "update-only needs a vendor search"),
        ("create", False, True, "create-only needs a vendor search"),
        ("mirror", True, False, "mirror needs removals"),
    ],
)
def test_a_mode_the_connector_cannot_serve_is_refused(
    mode: str, finds: bool, removes: bool, words: str
) -> None:
    spec = parse({**BASE, "mode": mode})
    with pytest.raises(SpecError) as refused:
        check_against(spec, FIELDS, {}, ("domain",), finds=finds, removes=removes)
    assert (refused.value.field, words in refused.value.message) == ("mode", True)
