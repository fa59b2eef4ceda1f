"""Personal name and location: values with named parts.

Both read a one-cell text form (the one Attio's table documents) and a JSON object with the
parts. The text form cannot say everything (a last name with a comma, a full name that is not
"First Last", a region without a locality), so when :meth:`format_text` cannot express a value
in it, it writes the JSON object into the cell instead, and parsing reads a cell that holds a
JSON object as that object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import astuple, fields
from typing import Generic, TypeVar

from cardfile.types.codec import JSONValue, check_text, invalid, wrong_value
from cardfile.types.countries import country_code
from cardfile.types.errors import InvalidValue, show
from cardfile.types.kinds import TypeSpec
from cardfile.types.values import Location, PersonalName

V = TypeVar("V", PersonalName, Location)


def _object_in_text(text: str) -> object | None:
    """Return the JSON object a cell holds, or ``None`` if the cell is plain text."""
    if not (text.startswith("{") and text.endswith("}")):
        return None
    try:
        found = json.loads(text)
    except json.JSONDecodeError:  # a name such as "{Joe}": plain text after all
        return None
    return found if isinstance(found, dict) else None


def _parts(
    spec: TypeSpec, raw: object, data: Mapping[object, object], keys: tuple[str, ...]
) -> dict[str, str]:
    """Read the string parts of a JSON object: trimmed, missing/null/blank as ``""``."""
    unknown = [key for key in data if key not in keys]
    if unknown:
        raise InvalidValue(
            f"{show(raw)} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"expected {', '.join(keys)}",
            type=spec.type,
            raw=raw,
        )
    parts: dict[str, str] = {}
    for key in keys:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise InvalidValue(
                f"{show(raw)} has a {key} that is not a string: {show(value)}",
                type=spec.type,
                raw=raw,
            )
        parts[key] = check_text(spec, raw, value or "").strip()
    return parts


def _format_or_json(
    spec: TypeSpec,
    value: object,
    candidates: list[str],
    parse: Callable[[TypeSpec, object], object],
    as_object: dict[str, str],
) -> str:
    """Return the first candidate text that parses back to ``value``, else the JSON object."""
    for text in candidates:
        try:
            if parse(spec, text) == value:
                return text
        except InvalidValue:
            continue
    return json.dumps(as_object, ensure_ascii=False)


def _join_name(first: str, last: str) -> str:
    return " ".join(part for part in (first, last) if part)


class _StructuredCodec(Generic[V]):
    """Parsing shared by the object-valued types: the typed value itself, a JSON object, a
    JSON object written in a text cell, or the type's own text form."""

    _VALUE: type[V]
    _KEYS: tuple[str, ...]
    _EXPECTED: str

    def parse(self, spec: TypeSpec, raw: object) -> V | None:
        if isinstance(raw, self._VALUE):
            return self._from_object(spec, raw, dict(zip(self._KEYS, astuple(raw), strict=True)))
        if isinstance(raw, dict):
            return self._from_object(spec, raw, raw)
        if not isinstance(raw, str):
            raise invalid(spec, raw, self._EXPECTED)
        text = check_text(spec, raw, raw).strip()
        found = _object_in_text(text)
        if isinstance(found, dict):
            return self._from_object(spec, raw, found)
        return self._from_text(spec, raw, text)

    def _from_text(self, spec: TypeSpec, raw: object, text: str) -> V:
        raise NotImplementedError

    def _from_object(self, spec: TypeSpec, raw: object, data: Mapping[object, object]) -> V | None:
        raise NotImplementedError


class PersonalNameCodec(_StructuredCodec[PersonalName]):
    """Personal name: :class:`~cardfile.types.values.PersonalName`.

    Text is ``"Last, First"`` as Attio documents it (split at the first comma), or, without a
    comma, ``"First Last"`` (the last word is the last name; a single word is a first name). A
    JSON object has ``first_name``, ``last_name`` and ``full_name``, each optional; a missing
    full name is ``"First Last"``, and a full name alone is split as text is.
    """

    _VALUE = PersonalName
    _KEYS = ("first_name", "last_name", "full_name")
    _EXPECTED = 'a name (expected "Last, First", "First Last" or an object with first_name)'

    def _from_text(self, spec: TypeSpec, raw: object, text: str) -> PersonalName:
        if "," in text:
            last, _, first = text.partition(",")
        else:
            words = text.rsplit(None, 1)
            first, last = (words[0], "") if len(words) == 1 else (words[0], words[1])
        first, last = first.strip(), last.strip()
        if not first and not last:
            raise invalid(spec, raw, self._EXPECTED)
        return PersonalName(first_name=first, last_name=last, full_name=_join_name(first, last))

    def _from_object(
        self, spec: TypeSpec, raw: object, data: Mapping[object, object]
    ) -> PersonalName | None:
        parts = _parts(spec, raw, data, self._KEYS)
        first, last, full = parts["first_name"], parts["last_name"], parts["full_name"]
        if not (first or last or full):
            return None  # an object with nothing in it unsets the name, like null
        if not first and not last:
            split = self._from_text(spec, raw, full)
            first, last = split.first_name, split.last_name
        return PersonalName(
            first_name=first, last_name=last, full_name=full or _join_name(first, last)
        )

    def _name(self, spec: TypeSpec, value: object) -> PersonalName:
        if not isinstance(value, PersonalName):
            raise wrong_value(spec, value, "a PersonalName")
        return value

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        value = self._name(spec, value)
        return {
            "first_name": value.first_name,
            "last_name": value.last_name,
            "full_name": value.full_name,
        }

    def from_json(self, spec: TypeSpec, data: object) -> PersonalName | None:
        if not isinstance(data, dict):
            raise invalid(spec, data, self._EXPECTED)
        return self.parse(spec, data)

    def format_text(self, spec: TypeSpec, value: object) -> str:
        value = self._name(spec, value)
        first, last = value.first_name, value.last_name
        if last:
            candidates = [f"{last}, {first}" if first else f"{last},"]
        else:
            candidates = [first, f", {first}"]
        as_object = {
            key: text for key, text in zip(self._KEYS, astuple(value), strict=True) if text
        }
        return _format_or_json(spec, value, candidates, self.parse, as_object)


# A postcode: its first word has a digit (95014, SW1A 1AA, K1A 0B1, 1012 AB, 95014-1234) and it
# is upper case, which keeps "10 Main" and "Suite 5" out.
_POSTCODE = re.compile(r"(?=\S*\d)[A-Z0-9]{2,8}(?:[ -][A-Z0-9]{1,4})?")
# "CA 95014" or "NSW 2000": a state abbreviation and a numeric postcode in one part.
_REGION_POSTCODE = re.compile(r"([A-Z]{2,3})\s+(\d{3,5}(?:-\d{4})?)")
_MAX_LINES = 4


class LocationCodec(_StructuredCodec[Location]):
    """Location: :class:`~cardfile.types.values.Location`.

    Text is the address parts separated by commas, read from the end: a last part that is a
    2-letter ISO country code is the country (so write ``"Cupertino, CA, US"``, not
    ``"Cupertino, CA"``, which is in Canada); then a postcode-shaped part (``95014``,
    ``SW1A 1AA``) or a state with a postcode (``CA 95014``); then the region and the locality,
    and up to four street lines before them. One remaining part is a locality; two are a
    locality and a region, or a street line and a locality if the first starts with a digit.
    A JSON object has the keys of ``Location``, each optional; ``latitude`` and ``longitude``
    (which Attio returns) are ignored.
    """

    _VALUE = Location
    _KEYS = tuple(field.name for field in fields(Location))
    _IGNORED = frozenset({"latitude", "longitude"})
    _EXPECTED = 'a location (expected e.g. "1 Infinite Loop, Cupertino, CA, 95014, US")'

    def _from_text(self, spec: TypeSpec, raw: object, text: str) -> Location:
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not parts:
            raise invalid(spec, raw, self._EXPECTED)
        country = country_code(parts[-1]) if len(parts[-1]) == 2 else None
        if country is not None:
            parts.pop()
        region = postcode = locality = None
        if parts and _POSTCODE.fullmatch(parts[-1]):
            postcode = parts.pop()
        elif parts and (both := _REGION_POSTCODE.fullmatch(parts[-1])):
            region, postcode = both.groups()
            parts.pop()
        # Two parts left are "Cupertino, CA", unless the first is a street, which in most
        # countries' addresses starts with its number: "1 Infinite Loop, Cupertino".
        street_and_town = len(parts) == 2 and parts[0][:1].isdigit()
        if region is None and len(parts) >= 2 and not street_and_town:
            region = parts.pop()
        if parts:
            locality = parts.pop()
        if len(parts) > _MAX_LINES:
            raise InvalidValue(
                f"{show(raw)} has too many parts: a location has at most {_MAX_LINES} street "
                "lines, a locality, a region, a postcode and a country code",
                type=spec.type,
                raw=raw,
            )
        lines: list[str | None] = [*parts, None, None, None, None]
        return Location(
            line_1=lines[0],
            line_2=lines[1],
            line_3=lines[2],
            line_4=lines[3],
            locality=locality,
            region=region,
            postcode=postcode,
            country_code=country,
        )

    def _from_object(
        self, spec: TypeSpec, raw: object, data: Mapping[object, object]
    ) -> Location | None:
        kept = {key: value for key, value in data.items() if key not in self._IGNORED}
        parts = _parts(spec, raw, kept, self._KEYS)
        if parts["country_code"]:
            code = country_code(parts["country_code"])
            if code is None:
                raise InvalidValue(
                    f"{show(raw)} has a country_code that is not an ISO 3166-1 alpha-2 code "
                    f"(e.g. US): {show(parts['country_code'])}",
                    type=spec.type,
                    raw=raw,
                )
            parts["country_code"] = code
        if not any(parts.values()):
            return None
        return Location(**{key: text or None for key, text in parts.items()})

    def _location(self, spec: TypeSpec, value: object) -> Location:
        if not isinstance(value, Location):
            raise wrong_value(spec, value, "a Location")
        return value

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        return dict(zip(self._KEYS, astuple(self._location(spec, value)), strict=True))

    def from_json(self, spec: TypeSpec, data: object) -> Location | None:
        if not isinstance(data, dict):
            raise invalid(spec, data, self._EXPECTED)
        return self.parse(spec, data)

    def format_text(self, spec: TypeSpec, value: object) -> str:
        value = self._location(spec, value)
        present = {key: text for key, text in zip(self._KEYS, astuple(value), strict=True) if text}
        candidates = [", ".join(present.values())] if present else []
        return _format_or_json(spec, value, candidates, self.parse, present)
