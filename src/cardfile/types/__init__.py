"""The attribute type system: read raw values into typed values, validate them, write them back.

Every way into Cardfile (CSV import and update, the GraphQL and REST APIs, tracking events,
CRM pulls, the database source) reads attribute values through :func:`parse`, and every way out
writes them with :func:`to_json` or :func:`format_text`. It touches neither the database nor the
network.

Example:
    >>> from cardfile.types import AttributeType, Option, TypeSpec, parse
    >>> status = TypeSpec(AttributeType.STATUS, options=(Option("s1", "Open"),))
    >>> parse(status, "open")
    's1'
"""

from __future__ import annotations

from cardfile.types.api import CODECS, format_text, from_json, parse, to_json
from cardfile.types.codec import JSONValue
from cardfile.types.errors import InvalidValue
from cardfile.types.kinds import AttributeType, TypeSpec
from cardfile.types.options import Option
from cardfile.types.values import Location, PersonalName, RecordReference

__all__ = [
    "CODECS",
    "AttributeType",
    "InvalidValue",
    "JSONValue",
    "Location",
    "Option",
    "PersonalName",
    "RecordReference",
    "TypeSpec",
    "format_text",
    "from_json",
    "parse",
    "to_json",
]
