"""Destination definitions: read, defaults filled, refused with the field at fault; triggers,
conditions and ``integrations`` deciding which events an action takes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cardfile.connectors.registry import connector_class
from cardfile.store.destinations import StoredAction, StoredDestination
from cardfile.sync.actions.fanout import chain_of, skipped_because
from cardfile.sync.actions.paths import ABSENT, read
from cardfile.sync.actions.spec import check_against, parse, stored_action
from cardfile.sync.spec import SpecError


def _definition(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"name": "out", "source": "web", "connection": "crm", "actions": list(actions)}


def test_an_action_gets_its_kinds_defaults() -> None:
    spec = parse(_definition({"name": "identify", "kind": "identify_user"}))
    (action,) = spec.actions
    assert action.trigger.types == frozenset({"identify"})
    assert action.settings == {
        "email": ["traits.email", "email"],
        "user_id": "userId",
        "person_attributes": {},
        "user_attributes": {},
    }
    stored = stored_action(action)
    assert stored["trigger"] == {"type": "identify", "condition": []}
    # What is stored reads back the same.
    again = parse(_definition({"name": "identify", "kind": "identify_user", **stored["settings"]}))
    assert again.actions[0].settings == action.settings


@pytest.mark.parametrize(
    ("action", "field", "message"),
    [
        ({"name": "x", "kind": "teleport"}, "actions[0].kind", "unknown kind"),
        ({"name": "X Y", "kind": "identify_user"}, "actions[0].name", "lower case"),
        ({"name": "x", "kind": "identify_user", "colour": "red"}, "actions[0]", "takes no colour"),
        (
            {"name": "x", "kind": "assert_record", "matching_attribute": "email"},
            "actions[0].object",
            "needs object",
        ),
        (
            {
                "name": "x",
                "kind": "assert_record",
                "object": "people",
                "matching_attribute": "email_addresses",
                "attributes": {"name": "traits.name"},
            },
            "actions[0].attributes",
            "matching attribute",
        ),
        (
            {"name": "x", "kind": "identify_user", "trigger": {"type": "purchase"}},
            "actions[0].trigger.type",
            "must be one of",
        ),
        (
            {
                "name": "x",
                "kind": "identify_user",
                "trigger": {"type": "identify", "condition": [{"path": "a", "op": "like"}]},
            },
            "actions[0].trigger.condition[0].op",
            "op must be",
        ),
        (
            {"name": "x", "kind": "identify_user", "person_attributes": {"name": 3}},
            "actions[0].person_attributes.name",
            "expected a path",
        ),
    ],
)
def test_a_bad_definition_names_the_field(action: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse(_definition(action))
    assert raised.value.field == field
    assert message in raised.value.message


def test_kinds_are_checked_against_the_vendor() -> None:
    attio = connector_class("attio").capabilities
    hubspot = connector_class("hubspot").capabilities
    identify = parse(_definition({"name": "i", "kind": "identify_user"}))
    check_against(identify, "attio", attio)
    with pytest.raises(SpecError, match="identify_user is for attio, not hubspot"):
        check_against(identify, "hubspot", hubspot)
    contact = parse(_definition({"name": "c", "kind": "upsert_contact"}))
    check_against(contact, "hubspot", hubspot)
    unknown_object = parse(
        _definition(
            {
                "name": "a",
                "kind": "assert_record",
                "object": "tickets",
                "matching_attribute": "id",
                "attributes": {"id": "userId"},
            }
        )
    )
    with pytest.raises(SpecError, match="no object 'tickets'"):
        check_against(unknown_object, "hubspot", hubspot)


def test_paths_fallbacks_and_constants() -> None:
    event = {"traits": {"email": None, "emails": ["a@b.co"]}, "email": "x@y.co", "userId": 7}
    assert read(event, "traits.email") is None  # present and null: unset
    assert read(event, "traits.phone") is ABSENT  # absent: nothing sent
    assert read(event, ["traits.email", "email"]) == "x@y.co"
    assert read(event, "$.traits.emails.0") == "a@b.co"
    assert read(event, {"const": "fixed"}) == "fixed"
    assert chain_of(event) == "u:7"
    assert chain_of({"anonymousId": "anon"}) == "a:anon"


def _destination(**trigger: Any) -> tuple[StoredDestination, StoredAction]:
    action = StoredAction(1, "a", "upsert_contact", {"type": "identify", **trigger}, {}, True)
    now = datetime.now(UTC)
    destination = StoredDestination(
        1, 1, "crm", 1, "web", 1, "hubspot", "hubspot", True, (action,), now, now
    )
    return destination, action


def test_conditions_and_integrations_decide_which_events_an_action_takes() -> None:
    destination, action = _destination(
        condition=[
            {"path": "traits.plan", "op": "in", "value": ["pro", "team"]},
            {"path": "traits.email", "op": "exists"},
        ]
    )
    taken = {"type": "identify", "traits": {"plan": "pro", "email": "a@b.co"}}
    assert skipped_because(destination, action, taken) is None
    assert "traits.plan in" in str(
        skipped_because(destination, action, {**taken, "traits": {"plan": "free", "email": "x"}})
    )
    assert "a track event" in str(skipped_because(destination, action, {"type": "track"}))
    off = {**taken, "integrations": {"All": False}}
    assert skipped_because(destination, action, off) == "integrations.All is false"
    named = {**taken, "integrations": {"All": False, "HubSpot": True}}
    assert skipped_because(destination, action, named) is None
    refused = {**taken, "integrations": {"crm": False}}
    assert skipped_because(destination, action, refused) == "integrations.crm is false"
