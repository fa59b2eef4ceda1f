"""Destination definitions: read, checked, and normalised with each action's defaults.

A definition (JSON, or YAML through the CLI)::

    name: product-to-attio
    source: web                     # the source whose events it takes
    connection: attio               # the vendor connection it writes to
    actions:
      - name: identify
        kind: identify_user         # trigger defaults to {type: identify}
        person_attributes: {name: traits.name}
      - name: upgrades
        kind: assert_record
        trigger: {type: track, condition: [{path: event, op: eq, value: Upgraded}]}
        object: people
        matching_attribute: email_addresses
        attributes: {email_addresses: traits.email, plan: properties.plan}

Which kinds there are and what each takes is :mod:`cardfile.sync.actions.kinds`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cardfile.connectors.base import Capabilities
from cardfile.sync.actions.kinds import KINDS, Kind
from cardfile.sync.actions.paths import ABSENT, check_source, lookup
from cardfile.sync.spec import SpecError

EVENT_TYPES = frozenset({"identify", "group", "track", "page", "screen", "alias"})
OPS = frozenset({"eq", "ne", "in", "not_in", "exists", "missing"})
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


@dataclass(frozen=True)
class Condition:
    """One test an event must pass: the value at ``path`` compared by ``op``."""

    path: str
    op: str
    value: Any = None

    def holds(self, event: Mapping[str, Any]) -> bool:
        """Whether ``event`` passes."""
        found = lookup(event, self.path)
        match self.op:
            case "exists":
                return found is not ABSENT and found is not None
            case "missing":
                return found is ABSENT or found is None
            case "eq":
                return bool(found == self.value)
            case "ne":
                return bool(found != self.value)
            case "in":
                return bool(found in self.value)
            case _:  # not_in
                return bool(found not in self.value)


@dataclass(frozen=True)
class Trigger:
    """Which events an action takes: their types, and conditions all of which must hold."""

    types: frozenset[str]
    conditions: tuple[Condition, ...] = ()

    def refuses(self, event: Mapping[str, Any]) -> str | None:
        """Why the trigger does not select ``event`` (None: it does)."""
        kind = event.get("type")
        if kind not in self.types:
            return f"a {kind} event; the trigger takes {', '.join(sorted(self.types))}"
        for condition in self.conditions:
            if not condition.holds(event):
                shown = "" if condition.op in ("exists", "missing") else f" {condition.value!r}"
                return f"condition not met: {condition.path} {condition.op}{shown}"
        return None

    def document(self) -> dict[str, Any]:
        """The trigger as stored."""
        types = sorted(self.types)
        return {
            "type": types[0] if len(types) == 1 else types,
            "condition": [
                {"path": c.path, "op": c.op, **({"value": c.value} if c.op in _VALUED else {})}
                for c in self.conditions
            ],
        }


_VALUED = frozenset({"eq", "ne", "in", "not_in"})


@dataclass(frozen=True)
class ActionSpec:
    """One action: its kind, trigger, and settings with the kind's defaults filled in."""

    name: str
    kind: Kind
    trigger: Trigger
    settings: dict[str, Any]
    enabled: bool = True


@dataclass(frozen=True)
class DestinationSpec:
    """A checked destination definition."""

    name: str
    source: str
    connection: str
    enabled: bool
    actions: tuple[ActionSpec, ...]


def _text(document: Mapping[str, Any], key: str, where: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SpecError("is required (a non-empty string)", f"{where}{key}")
    return value.strip()


def trigger_of(raw: Any, default: str, where: str) -> Trigger:
    """A trigger from its document (None: the kind's default event type)."""
    if raw is None:
        return Trigger(frozenset({default}))
    if not isinstance(raw, Mapping):
        raise SpecError("expected {type: …, condition: […]}", where)
    types = raw.get("type", default)
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not types or any(t not in EVENT_TYPES for t in types):
        known = ", ".join(sorted(EVENT_TYPES))
        raise SpecError(f"type must be one of {known} (or a list of them)", f"{where}.type")
    conditions = []
    for i, item in enumerate(raw.get("condition") or []):
        at = f"{where}.condition[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
            raise SpecError("expected {path, op, value}", at)
        op = item.get("op", "eq")
        if op not in OPS:
            raise SpecError(f"op must be one of {', '.join(sorted(OPS))}", f"{at}.op")
        if op in ("in", "not_in") and not isinstance(item.get("value"), list):
            raise SpecError(f"{op} takes a list of values", f"{at}.value")
        conditions.append(Condition(item["path"], op, item.get("value")))
    return Trigger(frozenset(types), tuple(conditions))


def _sources(raw: Any, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SpecError("expected a map of vendor attribute to event path", where)
    for slug, source in raw.items():
        problem = check_source(source)
        if problem:
            raise SpecError(problem, f"{where}.{slug}")
    return dict(raw)


def action_of(raw: Any, where: str) -> ActionSpec:
    """One action from its document, the kind's defaults filled in."""
    if not isinstance(raw, Mapping):
        raise SpecError("expected an action {name, kind, …}", where)
    name = _text(raw, "name", f"{where}.")
    if not _NAME.match(name):
        raise SpecError("lower case letters, digits, '-' or '_'", f"{where}.name")
    kind_name = _text(raw, "kind", f"{where}.")
    kind = KINDS.get(kind_name)
    if kind is None:
        raise SpecError(f"unknown kind; known: {', '.join(sorted(KINDS))}", f"{where}.kind")
    known = {"name", "kind", "trigger", "enabled", *kind.fields, *kind.maps, *kind.options}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SpecError(
            f"{kind.name} takes no {', '.join(unknown)} (it takes "
            f"{', '.join(sorted(known - {'name', 'kind'}))})",
            where,
        )
    settings: dict[str, Any] = {}
    for field, default in kind.fields.items():
        source = raw.get(field, default)
        if source is None:
            settings[field] = None
            continue
        problem = check_source(source)
        if problem:
            raise SpecError(problem, f"{where}.{field}")
        settings[field] = source
    for field in kind.maps:
        settings[field] = _sources(raw.get(field), f"{where}.{field}")
    for option, default in kind.options.items():
        value = raw.get(option, default)
        if value is None and default is None and option in kind.required_options:
            raise SpecError(f"{kind.name} needs {option}", f"{where}.{option}")
        settings[option] = value
    kind.check(settings, where)
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise SpecError("expected true or false", f"{where}.enabled")
    trigger = trigger_of(raw.get("trigger"), kind.event, f"{where}.trigger")
    return ActionSpec(name, kind, trigger, settings, enabled)


def parse(document: Any) -> DestinationSpec:
    """A destination definition, checked in itself (not yet against the vendor).

    Raises:
        SpecError: The first problem found, naming where.
    """
    if not isinstance(document, Mapping):
        raise SpecError("expected a destination {name, source, connection, actions}", "")
    name = _text(document, "name", "")
    if not _NAME.match(name):
        raise SpecError("lower case letters, digits, '-' or '_'", "name")
    actions = document.get("actions")
    if not isinstance(actions, list) or not actions:
        raise SpecError("a destination needs at least one action", "actions")
    parsed = tuple(action_of(a, f"actions[{i}]") for i, a in enumerate(actions))
    names = [a.name for a in parsed]
    if len(set(names)) != len(names):
        raise SpecError("two actions share a name", "actions")
    enabled = document.get("enabled", True)
    if not isinstance(enabled, bool):
        raise SpecError("expected true or false", "enabled")
    return DestinationSpec(
        name=name,
        source=_text(document, "source", ""),
        connection=_text(document, "connection", ""),
        enabled=enabled,
        actions=parsed,
    )


def check_against(spec: DestinationSpec, provider: str, capabilities: Capabilities) -> None:
    """Refuse actions the connection's vendor cannot carry out.

    Raises:
        SpecError: An action of a kind for another vendor, or one that needs what the vendor
            lacks (people, companies, links).
    """
    for i, action in enumerate(spec.actions):
        problem = action.kind.unfit(provider, capabilities, action.settings)
        if problem:
            raise SpecError(problem, f"actions[{i}].kind")


def stored_action(action: ActionSpec) -> dict[str, Any]:
    """An action as ``store.destinations.save`` takes it."""
    return {
        "name": action.name,
        "kind": action.kind.name,
        "trigger": action.trigger.document(),
        "settings": action.settings,
        "enabled": action.enabled,
    }
