"""What a sync is, as a user writes it (YAML, REST, GraphQL) and as it is checked.

A sync reads hub companies or people (optionally narrowed by a filter), maps each to a vendor
record, and keeps one object of one connection in agreement with them. Its definition is
checked twice: its shape when it is read (:func:`parse`), and its mappings against the
destination's discovered fields when it is saved (:func:`check_against`), so an unknown vendor
field or a type that cannot convert is refused before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from huey import crontab

from cardfile.connectors.base import Field
from cardfile.types import AttributeType


class Mode(StrEnum):
    """What a run may do in the vendor."""

    UPSERT = "upsert"  # update what matches, create the rest
    UPDATE = "update"  # update what matches, create nothing
    CREATE = "create"  # create what does not match, change nothing existing
    MIRROR = "mirror"  # upsert, and remove from the vendor what left the source


# The hub's own fields of each source, and the attribute type their values have.
HUB_FIELDS: dict[str, dict[str, AttributeType]] = {
    "companies": {
        "id": AttributeType.TEXT,
        "name": AttributeType.TEXT,
        "domain": AttributeType.DOMAIN,
        "arr": AttributeType.NUMBER,
        "numberOfEmployees": AttributeType.NUMBER,
        "customId": AttributeType.TEXT,
        **{
            f"{vendor}Id": AttributeType.TEXT
            for vendor in (
                "attio",
                "zendesk",
                "hubspot",
                "intercom",
                "pipedrive",
                "snowflake",
                "salesforce",
                "zoho",
                "sugarcrm",
            )
        },
    },
    "people": {
        "id": AttributeType.TEXT,
        "name": AttributeType.TEXT,
        "email": AttributeType.EMAIL,
        "userId": AttributeType.TEXT,
        "companyName": AttributeType.TEXT,
        "companyDomain": AttributeType.DOMAIN,
    },
}

# Which vendor types a hub value of each type converts to (text takes anything).
_CONVERTS: dict[AttributeType, frozenset[AttributeType]] = {
    AttributeType.TEXT: frozenset(
        {
            AttributeType.TEXT,
            AttributeType.EMAIL,
            AttributeType.DOMAIN,
            AttributeType.PHONE_NUMBER,
            AttributeType.SELECT,
            AttributeType.STATUS,
            AttributeType.PERSONAL_NAME,
        }
    ),
    AttributeType.NUMBER: frozenset(
        {AttributeType.NUMBER, AttributeType.CURRENCY, AttributeType.RATING, AttributeType.TEXT}
    ),
    AttributeType.CURRENCY: frozenset({AttributeType.CURRENCY, AttributeType.NUMBER}),
    AttributeType.CHECKBOX: frozenset({AttributeType.CHECKBOX, AttributeType.TEXT}),
    AttributeType.DATE: frozenset(
        {AttributeType.DATE, AttributeType.TIMESTAMP, AttributeType.TEXT}
    ),
    AttributeType.TIMESTAMP: frozenset({AttributeType.TIMESTAMP, AttributeType.TEXT}),
    AttributeType.SELECT: frozenset(
        {AttributeType.SELECT, AttributeType.STATUS, AttributeType.TEXT}
    ),
    AttributeType.MULTI_SELECT: frozenset({AttributeType.MULTI_SELECT, AttributeType.TEXT}),
    AttributeType.EMAIL: frozenset({AttributeType.EMAIL, AttributeType.TEXT}),
    AttributeType.DOMAIN: frozenset({AttributeType.DOMAIN, AttributeType.TEXT}),
    AttributeType.PHONE_NUMBER: frozenset({AttributeType.PHONE_NUMBER, AttributeType.TEXT}),
    AttributeType.RATING: frozenset({AttributeType.RATING, AttributeType.NUMBER}),
}
_OPS = ("eq", "ne", "in", "exists", "missing")
_EVERY = re.compile(r"^every\s+(\d+)\s*(m|min|minutes?|h|hours?)$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$")


class SpecError(ValueError):
    """A sync definition that cannot be run; ``field`` names where."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Source:
    """Where a mapped value comes from: a hub field, an attribute, or a constant."""

    field: str | None = None
    attribute: str | None = None
    constant: Any = None
    is_constant: bool = False

    def describe(self) -> str:
        """How an error names it."""
        if self.is_constant:
            return f"constant {self.constant!r}"
        return f"field '{self.field}'" if self.field else f"attribute '{self.attribute}'"


@dataclass(frozen=True)
class FieldMapping:
    """One vendor field and where its value comes from.

    Attributes:
        skip_nulls: An empty hub value leaves the vendor's value alone (rather than clear it).
        only_if_empty: Set the vendor field when the record is created only, so a value
            someone set in the CRM is never overwritten.
    """

    to: str
    source: Source
    skip_nulls: bool = False
    only_if_empty: bool = False


@dataclass(frozen=True)
class Condition:
    """One filter condition on a hub field or attribute."""

    source: Source
    op: str
    value: Any = None


@dataclass(frozen=True)
class SyncSpec:
    """A sync as defined (connection and entity by name; nothing resolved yet)."""

    name: str
    source: str
    connection: str
    entity: str
    match_hub: str
    match_vendor: str
    mappings: tuple[FieldMapping, ...]
    mode: Mode = Mode.UPSERT
    filter: tuple[Condition, ...] = ()
    schedule: str = "manual"
    enabled: bool = True
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The definition as it is written (YAML, REST), the inverse of :func:`parse`."""
        return {
            "name": self.name,
            "source": self.source,
            "connection": self.connection,
            "entity": self.entity,
            "mode": self.mode.value,
            "match": {"hub": self.match_hub, "vendor": self.match_vendor},
            "mappings": [_mapping_dict(m) for m in self.mappings],
            "filter": [_condition_dict(c) for c in self.filter],
            "schedule": self.schedule,
            "enabled": self.enabled,
        }


def _source_dict(source: Source) -> dict[str, Any]:
    if source.is_constant:
        return {"constant": source.constant}
    return {"field": source.field} if source.field else {"attribute": source.attribute}


def _mapping_dict(mapping: FieldMapping) -> dict[str, Any]:
    return {
        "to": mapping.to,
        **_source_dict(mapping.source),
        "skip_nulls": mapping.skip_nulls,
        "only_if_empty": mapping.only_if_empty,
    }


def _condition_dict(condition: Condition) -> dict[str, Any]:
    found = {**_source_dict(condition.source), "op": condition.op}
    if condition.op not in ("exists", "missing"):
        found["value"] = condition.value
    return found


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SpecError("is required (text)", f"{where}{key}")
    return value.strip()


def _source_of(data: Mapping[str, Any], where: str, hub_fields: Mapping[str, Any]) -> Source:
    given = [k for k in ("field", "attribute", "constant") if k in data]
    if len(given) != 1:
        raise SpecError("give exactly one of field, attribute or constant", where.rstrip("."))
    if given[0] == "constant":
        return Source(constant=data["constant"], is_constant=True)
    name = _text(data, given[0], where)
    if given[0] == "field" and name not in hub_fields:
        known = ", ".join(sorted(hub_fields))
        raise SpecError(f"no hub field '{name}'; the fields are {known}", f"{where}field")
    return Source(field=name) if given[0] == "field" else Source(attribute=name)


def interval_of(schedule: str) -> timedelta | None:
    """The interval of an ``every N minutes|hours`` schedule (None for any other)."""
    every = _EVERY.match(schedule.strip().lower())
    if every is None:
        return None
    amount = int(every.group(1))
    return timedelta(hours=amount) if every.group(2).startswith("h") else timedelta(minutes=amount)


def check_schedule(schedule: str) -> None:
    """Refuse a schedule that is not ``manual``, ``every N minutes|hours`` or a 5-field cron."""
    text = schedule.strip().lower()
    if text == "manual" or interval_of(text) is not None:
        return
    parts = text.split()
    if len(parts) == 5:
        try:
            crontab(*parts)
            return
        except ValueError:
            pass
    raise SpecError(
        "use 'manual', 'every 15 minutes', 'every 2 hours' or a cron line such as '*/5 * * * *'",
        "schedule",
    )


def parse(data: Mapping[str, Any]) -> SyncSpec:
    """Read a sync definition, checking its shape (not yet the vendor's fields).

    Raises:
        SpecError: naming the field at fault.
    """
    name = _text(data, "name", "")
    if not _NAME.match(name):
        raise SpecError("letters, digits, spaces, '.', '_' and '-', at most 100", "name")
    source = _text(data, "source", "")
    if source not in HUB_FIELDS:
        raise SpecError("is 'companies' or 'people'", "source")
    hub_fields = HUB_FIELDS[source]
    try:
        mode = Mode(str(data.get("mode", "upsert")))
    except ValueError:
        raise SpecError("is one of upsert, update, create, mirror", "mode") from None
    match = data.get("match")
    if not isinstance(match, Mapping):
        raise SpecError("is required: {hub: <hub field>, vendor: <vendor field>}", "match")
    match_hub = _text(match, "hub", "match.")
    if match_hub not in hub_fields:
        raise SpecError(f"no hub field '{match_hub}' on {source}", "match.hub")
    raw_mappings = data.get("mappings")
    if not isinstance(raw_mappings, Sequence) or isinstance(raw_mappings, str | bytes):
        raise SpecError("is required: a list of {to, field|attribute|constant}", "mappings")
    mappings: list[FieldMapping] = []
    for n, raw in enumerate(raw_mappings):
        where = f"mappings[{n}]."
        if not isinstance(raw, Mapping):
            raise SpecError("is not a mapping", where.rstrip("."))
        mappings.append(
            FieldMapping(
                to=_text(raw, "to", where),
                source=_source_of(raw, where, hub_fields),
                skip_nulls=bool(raw.get("skip_nulls", False)),
                only_if_empty=bool(raw.get("only_if_empty", False)),
            )
        )
    targets = [m.to for m in mappings]
    doubled = sorted({t for t in targets if targets.count(t) > 1})
    if doubled:
        raise SpecError(f"vendor field(s) mapped twice: {', '.join(doubled)}", "mappings")
    conditions: list[Condition] = []
    for n, raw in enumerate(data.get("filter") or []):
        where = f"filter[{n}]."
        if not isinstance(raw, Mapping):
            raise SpecError("is not a condition", where.rstrip("."))
        op = str(raw.get("op", "eq"))
        if op not in _OPS:
            raise SpecError(f"is one of {', '.join(_OPS)}", f"{where}op")
        if op == "in" and not isinstance(raw.get("value"), list):
            raise SpecError("takes a list", f"{where}value")
        conditions.append(Condition(_source_of(raw, where, hub_fields), op, raw.get("value")))
    schedule = str(data.get("schedule", "manual"))
    check_schedule(schedule)
    return SyncSpec(
        name=name,
        source=source,
        connection=_text(data, "connection", ""),
        entity=_text(data, "entity", ""),
        match_hub=match_hub,
        match_vendor=_text(match, "vendor", "match."),
        mappings=tuple(mappings),
        mode=mode,
        filter=tuple(conditions),
        schedule=schedule,
        enabled=bool(data.get("enabled", True)),
    )


def check_against(
    spec: SyncSpec,
    vendor_fields: Sequence[Field],
    attribute_types: Mapping[str, AttributeType],
    match_keys: Sequence[str],
    *,
    finds: bool = True,
    removes: bool = True,
) -> None:
    """Check the mappings against the destination's discovered fields and the workspace's
    attributes: every vendor field exists and can be written, every hub value converts.

    Raises:
        SpecError: naming the mapping at fault, with the vendor fields that would do.
    """
    if spec.mode in (Mode.UPDATE, Mode.CREATE) and not finds:
        raise SpecError(
            f"{spec.mode.value}-only needs a vendor search this connector does not offer "
            "yet; use upsert",
            "mode",
        )
    if spec.mode is Mode.MIRROR and not removes:
        raise SpecError(
            "mirror needs removals this connector does not offer yet; use upsert", "mode"
        )
    by_name = {f.name: f for f in vendor_fields}
    if spec.match_vendor not in match_keys and spec.match_vendor not in by_name:
        raise SpecError(
            f"the vendor cannot match on '{spec.match_vendor}'; it matches on "
            f"{', '.join(match_keys)}",
            "match.vendor",
        )
    hub_fields = HUB_FIELDS[spec.source]
    for n, mapping in enumerate(spec.mappings):
        where = f"mappings[{n}]"
        target = by_name.get(mapping.to)
        if target is None:
            close = sorted(f.name for f in vendor_fields if not f.read_only)[:30]
            raise SpecError(
                f"the vendor has no field '{mapping.to}' on {spec.entity}; writable fields "
                f"include {', '.join(close)}",
                f"{where}.to",
            )
        if target.read_only:
            raise SpecError(f"'{mapping.to}' is read-only in the vendor", f"{where}.to")
        source = mapping.source
        if source.attribute is not None and source.attribute not in attribute_types:
            known = ", ".join(sorted(attribute_types)) or "none yet"
            raise SpecError(
                f"no {spec.source} attribute '{source.attribute}' (attributes: {known})",
                f"{where}.attribute",
            )
        if source.is_constant or target.type is None:
            continue  # a constant is the user's own value; an untyped field takes it as is
        kind = (
            hub_fields[source.field]
            if source.field is not None
            else attribute_types[str(source.attribute)]
        )
        if target.type not in _CONVERTS.get(kind, frozenset({kind})):
            raise SpecError(
                f"{source.describe()} holds {kind.value} values, which cannot convert to "
                f"'{mapping.to}' ({target.type.value})",
                where,
            )
