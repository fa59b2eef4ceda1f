"""Reading an identify or group event into what it asks of the hub, before any record is found.

Identity values are normalised as the store compares them (emails through the type system,
then lower-cased as ``store.people`` does; domains through the type system's domain type, a
leading ``www.`` dropped). Traits named like an attribute definition become that attribute's
value, parsed with its type; the match is on the exact name, else on the name ignoring case
when only one definition of the entity has it. A trait the type refuses is dropped with a
note saying why; the others still apply. Traits no definition names are left alone: they stay
in the event's payload, which is stored whole.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from cardfile.store import attributes
from cardfile.store.people import normalise_email
from cardfile.store.schema import Event
from cardfile.types import AttributeType, InvalidValue, TypeSpec, parse, to_json

_EMAIL = TypeSpec(AttributeType.EMAIL)
_DOMAIN = TypeSpec(AttributeType.DOMAIN)
_NUMBER = TypeSpec(AttributeType.NUMBER)

# Column widths of the store (PostgreSQL refuses longer text; SQLite would keep it).
_NAME_MAX = 500
_ID_MAX = 255
_EMPLOYEES_MAX = 2**31 - 1


class Unreadable(Exception):
    """An event that cannot be applied at all; the message says why."""


@dataclass(frozen=True)
class Definition:
    """An attribute definition as traits are read into it."""

    id: int
    name: str
    spec: TypeSpec


class Catalogue:
    """One entity's attribute definitions in a workspace, found by trait name."""

    def __init__(self, definitions: Sequence[Definition]) -> None:
        self._exact = {d.name: d for d in definitions}
        folded: dict[str, list[Definition]] = defaultdict(list)
        for definition in definitions:
            folded[definition.name.casefold()].append(definition)
        # A name that differs only in case from two definitions names neither.
        self._folded = {name: found[0] for name, found in folded.items() if len(found) == 1}
        self._found: dict[str, Definition | None] = {}

    @classmethod
    def load(
        cls, session: Session, workspace_id: int, entity: str, *, needed: bool = True
    ) -> Catalogue:
        """The workspace's definitions of ``entity`` (options loaded in one more query); an
        empty catalogue without a query when not ``needed``."""
        stored = attributes.definitions(session, workspace_id, entity) if needed else []
        if not stored:
            return cls(())
        specs = attributes.specs(session, stored)
        return cls([Definition(d.id, d.name, specs[d.id]) for d in stored])

    def __bool__(self) -> bool:
        return bool(self._exact)

    def find(self, trait: str) -> Definition | None:
        """The definition a trait of this name goes to, if any."""
        try:
            return self._found[trait]
        except KeyError:
            found = self._found[trait] = self._exact.get(trait) or self._folded.get(
                trait.casefold()
            )
            return found


@dataclass(slots=True)
class PersonWish:
    """What an identify asks: the person to find or make, and what to set on them."""

    email: str | None
    user_id: str | None
    name: str | None
    values: dict[int, str | None]
    notes: list[str]


@dataclass(slots=True)
class CompanyWish:
    """What a group asks: the company to find or make, what to set, whom to link to it."""

    group_id: str | None
    domain: str | None
    name: str | None
    fields: dict[str, Any]  # number_of_employees, arr
    values: dict[int, str | None]
    user_id: str | None
    notes: list[str]


def _dropped(trait: str, why: str) -> str:
    return f"trait '{trait}' dropped: {why}"


def _traits(event: Event) -> Mapping[str, Any]:
    traits = event.payload.get("traits")
    if traits is None:
        return {}
    if not isinstance(traits, dict):
        raise Unreadable("traits must be an object")
    return traits


def _user_id(event: Event) -> str | None:
    if event.user_id:
        return event.user_id
    raw = event.payload.get("userId")
    return _identifier(raw, "userId")


def _identifier(raw: object, label: str) -> str | None:
    """An id as Segment's libraries send it: a string, or a number they did not quote."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw.strip()
    else:
        raise Unreadable(f"{label} must be a string")
    if len(text) > _ID_MAX:
        raise Unreadable(f"{label} is longer than {_ID_MAX} characters")
    return text or None


def _text(traits: Mapping[str, Any], trait: str, notes: list[str]) -> str | None:
    raw = traits.get(trait)
    if raw is None:
        return None
    if not isinstance(raw, str):
        notes.append(_dropped(trait, "expected a string"))
        return None
    text = raw.strip()
    if len(text) > _NAME_MAX:
        notes.append(_dropped(trait, f"longer than {_NAME_MAX} characters"))
        return None
    return text or None


_HASHABLE = (str, int, float, bool)
Parsed = tuple[object, InvalidValue | None]  # (the value, or the reason there is none)


class Reader:
    """Reads one batch's identify and group events.

    Parses are remembered for the batch: the same website, plan or email comes back in many
    events, and the type system's checks are the costly part of reading one.
    """

    def __init__(self, people: Catalogue, companies: Catalogue) -> None:
        self.people = people
        self.companies = companies
        self._memo: dict[tuple[int, type, object], Parsed] = {}
        self.json_of: dict[str, object] = {}  # stored text -> its JSON value, for writing

    def _parse(
        self, spec: TypeSpec, raw: object, convert: Callable[[TypeSpec, object], object]
    ) -> Parsed:
        if not isinstance(raw, _HASHABLE):  # lists and objects are not
            return _attempt(convert, spec, raw)
        key = (id(spec), type(raw), raw)  # specs outlive the reader; 1, 1.0 and True differ
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = _attempt(convert, spec, raw)
        return found

    def _values(
        self, traits: Mapping[str, Any], catalogue: Catalogue, notes: list[str]
    ) -> dict[int, str | None]:
        """The attribute values ``traits`` carry, each parsed with its definition's type."""
        encoded: dict[int, str | None] = {}
        if not catalogue:
            return encoded
        for trait, raw in traits.items():
            definition = catalogue.find(trait)
            if definition is None:
                continue
            spec = definition.spec
            text, error = self._parse(spec, raw, self._encode)
            if error is not None:
                notes.append(_dropped(trait, error.message))
                continue
            encoded[definition.id] = text if isinstance(text, str) else None
        return encoded

    def _encode(self, spec: TypeSpec, raw: object) -> str | None:
        value = to_json(spec, parse(spec, raw))
        if value is None:
            return None
        text = attributes.encode_value(value)
        self.json_of[text] = value
        return text

    def _email(self, traits: Mapping[str, Any], notes: list[str]) -> str | None:
        raw = traits.get("email")
        if raw is None:
            return None
        email, error = self._parse(_EMAIL, raw, _normalised_email)
        if error is not None:
            notes.append(_dropped("email", error.message))
        return email if isinstance(email, str) else None

    def identify(self, event: Event) -> PersonWish:
        """What an identify asks of the hub.

        Raises:
            Unreadable: it names no person (no usable email trait and no userId).
        """
        traits = _traits(event)
        notes: list[str] = []
        email = self._email(traits, notes)
        user_id = _user_id(event)
        if email is None and user_id is None:
            why = "an identify needs an email trait or a userId to find its person by"
            raise Unreadable("; ".join([why, *notes]))
        name = _person_name(traits, notes)
        values = self._values(traits, self.people, notes)
        return PersonWish(email, user_id, name, values, notes)

    def _domain(self, traits: Mapping[str, Any], notes: list[str]) -> str | None:
        for trait in ("domain", "website"):
            raw = traits.get(trait)
            if raw is None:
                continue
            found, error = self._parse(_DOMAIN, raw, _bare_domain)
            if error is not None:
                notes.append(_dropped(trait, error.message))
            elif isinstance(found, str):
                return found
        return None

    def _number(self, traits: Mapping[str, Any], trait: str, notes: list[str]) -> float | None:
        raw = traits.get(trait)
        if raw is None:
            return None
        number, error = self._parse(_NUMBER, raw, parse)
        if error is not None:
            notes.append(_dropped(trait, error.message))
        return number if isinstance(number, float) else None

    def _company_fields(self, traits: Mapping[str, Any], notes: list[str]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        employees = self._number(traits, "employees", notes)
        if employees is not None:
            if employees.is_integer() and 0 <= employees <= _EMPLOYEES_MAX:
                fields["number_of_employees"] = int(employees)
            else:
                notes.append(_dropped("employees", "expected a whole number of at least 0"))
        arr = self._number(traits, "arr", notes)
        if arr is not None and math.isfinite(arr):
            fields["arr"] = arr
        return fields

    def group(self, event: Event) -> CompanyWish:
        """What a group asks of the hub.

        Raises:
            Unreadable: it names no company (no groupId and no usable website/domain trait).
        """
        traits = _traits(event)
        notes: list[str] = []
        group_id = _identifier(event.payload.get("groupId"), "groupId")
        domain = self._domain(traits, notes)
        if group_id is None and domain is None:
            why = "a group needs a groupId or a website/domain trait to find its company by"
            raise Unreadable("; ".join([why, *notes]))
        name = _text(traits, "name", notes)
        fields = self._company_fields(traits, notes)
        values = self._values(traits, self.companies, notes)
        return CompanyWish(group_id, domain, name, fields, values, _user_id(event), notes)


def _attempt(convert: Callable[[TypeSpec, object], object], spec: TypeSpec, raw: object) -> Parsed:
    try:
        return convert(spec, raw), None
    except InvalidValue as error:
        return None, error


def _normalised_email(spec: TypeSpec, raw: object) -> str | None:
    parsed = parse(spec, raw)
    return None if parsed is None else normalise_email(str(parsed))


def _person_name(traits: Mapping[str, Any], notes: list[str]) -> str | None:
    name = _text(traits, "name", notes)
    if name is not None:
        return name
    parts = [_text(traits, "firstName", notes), _text(traits, "lastName", notes)]
    joined = " ".join(part for part in parts if part)
    if len(joined) > _NAME_MAX:
        notes.append(_dropped("firstName", f"the name is longer than {_NAME_MAX} characters"))
        return None
    return joined or None


def _bare_domain(spec: TypeSpec, raw: object) -> str | None:
    """A website or domain as the hub keeps a company's domain (``www.`` dropped).

    Raises:
        InvalidValue: ``raw`` is not a domain or a URL.
    """
    if isinstance(raw, str):
        return _bare_domain_of_text(raw)
    parsed = parse(spec, raw)
    return None if parsed is None else str(parsed).removeprefix("www.")


@lru_cache(maxsize=8192)
def _bare_domain_of_text(raw: str) -> str | None:
    # A company's website comes back in every group event of its users, batch after batch;
    # reading a URL is the costliest check of a group event, and its answer never changes.
    parsed = parse(_DOMAIN, raw)
    return None if parsed is None else str(parsed).removeprefix("www.")
