"""Which attribute types exist, and the specification of one attribute's type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from cardfile.types.options import Option, OptionIndex


class AttributeType(StrEnum):
    """The attribute types, named by Attio's slugs (the richest of the dialects we speak)."""

    TEXT = "text"
    NUMBER = "number"
    CHECKBOX = "checkbox"
    CURRENCY = "currency"
    DATE = "date"
    TIMESTAMP = "timestamp"
    RATING = "rating"
    SELECT = "select"
    MULTI_SELECT = "multi-select"
    STATUS = "status"
    EMAIL = "email-address"
    DOMAIN = "domain"
    PHONE_NUMBER = "phone-number"
    PERSONAL_NAME = "personal-name"
    LOCATION = "location"
    RECORD_REFERENCE = "record-reference"
    ACTOR_REFERENCE = "actor-reference"

    @classmethod
    def from_name(cls, name: str) -> AttributeType:
        """Read a type name as any of our dialects spells it.

        Accepts the values above and the other dialects' names, ignoring case and treating ``_``
        like ``-``: Cycle's ``TEXT``, ``NUMBER``, ``BOOLEAN``/``CHECKBOX``, ``DATE``,
        ``SINGLE_SELECT`` and ``MULTI_SELECT``; the Attio table's ``email``, ``pipeline`` and
        ``phone``.

        Args:
            name: The type name.

        Returns:
            The attribute type.

        Raises:
            ValueError: If the name is not known; the message lists the accepted names.
        """
        key = name.strip().lower().replace("_", "-") if isinstance(name, str) else ""
        found = _BY_NAME.get(key)
        if found is None:
            accepted = ", ".join([*(t.value for t in cls), *_ALIASES])
            raise ValueError(f"unknown attribute type {name!r}; expected one of: {accepted}")
        return found


# Other dialects' names, already lower-cased with "_" turned into "-".
_ALIASES: dict[str, AttributeType] = {
    "boolean": AttributeType.CHECKBOX,  # Cycle's scalar type; its help centre says CHECKBOX
    "single-select": AttributeType.SELECT,  # Cycle
    "email": AttributeType.EMAIL,  # the Attio table in Customer.io's docs
    "pipeline": AttributeType.STATUS,  # ditto: "pipeline" is Attio's status
    "phone": AttributeType.PHONE_NUMBER,
}
_BY_NAME: dict[str, AttributeType] = {**{t.value: t for t in AttributeType}, **_ALIASES}

CHOICE_TYPES = frozenset({AttributeType.SELECT, AttributeType.MULTI_SELECT, AttributeType.STATUS})
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class TypeSpec:
    """Everything the type system needs to know about one attribute to read its values.

    Attributes:
        type: The attribute type.
        options: The choices of a select, multi-select or status attribute, in display order.
            Ids and titles must each be unique; they may contain any character, including the
            commas and semicolons that separate multi-select values in CSV text (such a value is
            quoted there, see :func:`cardfile.types.format_text`).
        currency_code: For a currency attribute, its ISO 4217 code (e.g. ``"EUR"``). Only
            informational: amounts are stored without it.

    Raises:
        ValueError: If options are given to a type without options, two options share an id or
            a title, or the currency code is not three capital letters.
    """

    type: AttributeType
    options: tuple[Option, ...] = ()
    currency_code: str | None = None

    def __post_init__(self) -> None:
        # Callers building specs from JSON pass lists; store a tuple so the spec stays hashable.
        if not isinstance(self.options, tuple):
            object.__setattr__(self, "options", tuple(self.options))
        if self.options and self.type not in CHOICE_TYPES:
            raise ValueError(f"a {self.type.value} attribute has no options")
        if self.currency_code is not None:
            if self.type is not AttributeType.CURRENCY:
                raise ValueError(f"a {self.type.value} attribute has no currency code")
            if not _CURRENCY_CODE.fullmatch(self.currency_code):
                raise ValueError(
                    f"{self.currency_code!r} is not an ISO 4217 currency code (e.g. EUR)"
                )
        _ = self.index  # built now, so that duplicate options fail when the attribute is defined

    @cached_property
    def index(self) -> OptionIndex:
        """The options, indexed for matching raw values.

        Cached on the spec (``cached_property`` writes past the frozen dataclass's guard), so
        matching a million CSV cells does not rebuild dictionaries. Not a dataclass field: it
        takes no part in equality, hashing, ``repr`` or ``asdict``.
        """
        return OptionIndex(self.options)
