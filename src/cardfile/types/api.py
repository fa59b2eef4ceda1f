"""The four functions every way in and out of Cardfile reads and writes attribute values with.

``parse`` validates what arrives (a CSV cell, a JSON value from one of the APIs, a database row)
and returns the typed value; ``to_json``/``from_json`` move typed values through JSON (API
responses, the store's JSON columns, sync payloads); ``format_text`` writes CSV cells. ``None``
is "unset" everywhere: it is what blank input parses to, and it passes through the others.

Typed values by type:

=================  ==================================================  ======================
type               typed value                                         JSON form
=================  ==================================================  ======================
text               ``str``, exactly as given                           string
number             ``float`` (finite)                                  number
checkbox           ``bool``                                            boolean
currency           ``Decimal``, at most 4 decimal places               string, ``"29.9999"``
date               ``datetime.date``                                   ``"2023-09-28"``
timestamp          aware ``datetime`` in UTC                           ``"…T04:39:17.000000Z"``
rating             ``int`` from 0 to 5                                 number
select, status     the option's id, ``str``                            string
multi-select       ``tuple[str, ...]`` of option ids                   list of strings
email-address      ``str``, normalised by ``email_validator``          string
domain             ``str``, lower case, Unicode form                   string
phone-number       ``str`` in E.164                                    string
personal-name      :class:`PersonalName`                               object
location           :class:`Location`                                   object
record-reference   :class:`RecordReference`                            string
actor-reference    ``str``, an email address                           string
=================  ==================================================  ======================
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from cardfile.types.choices import MultiSelectCodec, SelectCodec
from cardfile.types.codec import Codec, JSONValue
from cardfile.types.contact import DomainCodec, EmailCodec, PhoneCodec
from cardfile.types.kinds import AttributeType, TypeSpec
from cardfile.types.references import ActorReferenceCodec, RecordReferenceCodec
from cardfile.types.scalars import CheckboxCodec, CurrencyCodec, NumberCodec, RatingCodec, TextCodec
from cardfile.types.structured import LocationCodec, PersonalNameCodec
from cardfile.types.temporal import DateCodec, TimestampCodec

CODECS: Mapping[AttributeType, Codec] = MappingProxyType(
    {
        AttributeType.TEXT: TextCodec(),
        AttributeType.NUMBER: NumberCodec(),
        AttributeType.CHECKBOX: CheckboxCodec(),
        AttributeType.CURRENCY: CurrencyCodec(),
        AttributeType.DATE: DateCodec(),
        AttributeType.TIMESTAMP: TimestampCodec(),
        AttributeType.RATING: RatingCodec(),
        AttributeType.SELECT: SelectCodec(),
        AttributeType.MULTI_SELECT: MultiSelectCodec(),
        AttributeType.STATUS: SelectCodec(),
        AttributeType.EMAIL: EmailCodec(),
        AttributeType.DOMAIN: DomainCodec(),
        AttributeType.PHONE_NUMBER: PhoneCodec(),
        AttributeType.PERSONAL_NAME: PersonalNameCodec(),
        AttributeType.LOCATION: LocationCodec(),
        AttributeType.RECORD_REFERENCE: RecordReferenceCodec(),
        AttributeType.ACTOR_REFERENCE: ActorReferenceCodec(),
    }
)


def _is_unset(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and (not raw or raw.isspace()))


def parse(spec: TypeSpec, raw: object) -> object | None:
    """Validate a raw value and return its typed value.

    Args:
        spec: The attribute's type (and options, for selects).
        raw: CSV cell text (a ``str``) or a JSON value (``None``, ``bool``, ``int``, ``float``,
            ``str``, ``list``, ``dict``). The typed value itself is accepted too (so parsing is
            idempotent, and a database source can pass the ``date``, ``datetime`` and
            ``Decimal`` values its driver returns).

    Returns:
        The typed value (see the table in this module's docstring), or ``None`` when ``raw`` is
        unset: ``None``, an empty or all-whitespace string, and for multi-select, personal-name
        and location an empty list or object.

    Raises:
        InvalidValue: If ``raw`` is not a valid value of the type; its ``message`` says why in a
            sentence a user understands.
    """
    if _is_unset(raw):
        return None
    return CODECS[spec.type].parse(spec, raw)


def to_json(spec: TypeSpec, value: object | None) -> JSONValue:
    """Return the JSON-compatible form of a typed value (``None`` stays ``None``).

    The form is fixed per type, so equal values always give equal JSON (the sync engine
    fingerprints it). ``from_json`` reverses it, and ``parse`` accepts it as raw input.

    Args:
        spec: The attribute's type.
        value: A typed value, as ``parse`` returns them.

    Raises:
        TypeError: If ``value`` is not of the type's Python type: a bug in the caller.
    """
    if value is None:
        return None
    return CODECS[spec.type].to_json(spec, value)


def from_json(spec: TypeSpec, data: object) -> object | None:
    """Decode the JSON form ``to_json`` made back into the typed value.

    Meant for JSON we wrote ourselves (the store, our own payloads): it checks the shape but
    does not repeat the costly checks ``parse`` made on the way in (email syntax, IDNA, phone
    numbering plans) nor whether a select's option still exists. Use ``parse`` for anything that
    came from outside.

    Args:
        spec: The attribute's type.
        data: What ``to_json`` returned, possibly after a trip through a JSON encoder.

    Returns:
        The typed value, or ``None`` for ``None`` (and blank strings, as in ``parse``).

    Raises:
        InvalidValue: If ``data`` does not have the type's JSON shape.
    """
    if _is_unset(data):
        return None
    return CODECS[spec.type].from_json(spec, data)


def format_text(spec: TypeSpec, value: object | None) -> str:
    """Write a typed value as CSV cell text that ``parse`` reads back as the same value.

    ``None`` is the empty string. Multi-select choices are joined with ``", "``, and a choice
    whose id contains a comma or semicolon (or starts with ``"``) is double-quoted, ``""``
    standing for a quote inside; option ids and titles may therefore contain any character.
    Personal names and locations that their text form cannot express exactly are written as
    their JSON object.

    Args:
        spec: The attribute's type (and options, for multi-select quoting).
        value: A typed value, as ``parse`` returns them.

    Raises:
        TypeError: If ``value`` is not of the type's Python type: a bug in the caller.
    """
    if value is None:
        return ""
    return CODECS[spec.type].format_text(spec, value)
