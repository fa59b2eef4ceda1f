"""Python values in the JSON a vendor's write takes, written once for every JSON vendor.

The vendors differ in three ways only: how a moment is written, whether a list is a JSON array
or one text joined with a separator (Salesforce's multi-select picklists), and whether an
object may nest. A value with no JSON form (NaN, an infinite number, an arbitrary object) is
refused with :class:`UnsendableValue`, naming the vendor, before anything is sent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


class UnsendableValue(ValueError):
    """A record holds a value the vendor has no JSON form for (NaN, an object, …)."""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc_milliseconds(moment: datetime) -> str:
    """``2026-01-02T03:04:05.000Z`` (Salesforce)."""
    stamp = _aware(moment).astimezone(UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def utc_seconds(moment: datetime) -> str:
    """``2026-01-02T03:04:05+00:00`` (SugarCRM)."""
    return _aware(moment).astimezone(UTC).isoformat(timespec="seconds")


def offset_seconds(moment: datetime) -> str:
    """The moment in its own offset, to the second (Zoho)."""
    return _aware(moment).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class JsonForm:
    """How one vendor's JSON writes values.

    Attributes:
        vendor: The vendor's name, for refusals.
        moment: How a datetime is written.
        list_separator: Lists are one text joined with this (None: a JSON array).
        objects: Whether a mapping may be sent (as a JSON object).
    """

    vendor: str
    moment: Callable[[datetime], str]
    list_separator: str | None = None
    objects: bool = True

    def value(self, value: Any) -> Any:
        """``value`` as the vendor takes it.

        Raises:
            UnsendableValue: It has no such form.
        """
        if value is None or isinstance(value, bool | int | str):
            return value
        if isinstance(value, float | Decimal):
            if not math.isfinite(value):
                raise UnsendableValue(f"{value} is not a number {self.vendor} can store")
            if isinstance(value, Decimal):
                return int(value) if value == value.to_integral_value() else float(value)
            return value
        if isinstance(value, datetime):
            return self.moment(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Mapping) and self.objects:
            return {str(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            if self.list_separator is not None:
                return self.list_separator.join(str(self.value(item)) for item in value)
            return [self.value(item) for item in value]
        raise UnsendableValue(f"a {type(value).__name__} has no {self.vendor} form")

    def values(
        self,
        record: Mapping[str, Any],
        *,
        without: tuple[str, ...] = (),
        special: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> dict[str, Any]:
        """The record's fields in the vendor's JSON, leaving out ``without``; a field named
        in ``special`` is converted by its own function.

        Raises:
            UnsendableValue: A value has no form (the message names the field).
        """
        found: dict[str, Any] = {}
        for name, value in record.items():
            if name in without:
                continue
            convert = (special or {}).get(name, self.value)
            try:
                found[str(name)] = convert(value)
            except UnsendableValue as error:
                raise UnsendableValue(f"{name}: {error}") from None
        return found
