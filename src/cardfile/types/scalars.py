"""Text, number, checkbox, currency and rating: the types whose values are plain scalars."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Context, Decimal, InvalidOperation

from cardfile.types.codec import (
    JSONValue,
    check_text,
    invalid,
    require_str,
    str_value,
    wrong_value,
)
from cardfile.types.errors import InvalidValue, show
from cardfile.types.kinds import TypeSpec

# A plain decimal number, as written in CSV files and JSON. Python's float() also takes "1_000",
# "nan" and "infinity", none of which a user means as a number, so the shape is checked first.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


def _number_hint(text: str) -> str | None:
    """Say why a string that is not a plain number was refused, for the common mistakes."""
    if _NON_FINITE.fullmatch(text):
        return "NaN and Infinity are not allowed"
    if "," in text and _NUMBER.fullmatch(text.replace(",", "")):
        # "1,000" and "2,5" are both refused: guessing which one was meant would corrupt data.
        return "write it without thousands separators and with a dot for decimals, e.g. 1000.5"
    return None


class TextCodec:
    """Text: kept exactly as given, surrounding spaces included; only blank text is unset."""

    def parse(self, spec: TypeSpec, raw: object) -> str:
        text = require_str(spec, raw, "text (expected a string)")
        return check_text(spec, raw, text)

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        return str_value(spec, value)

    def from_json(self, spec: TypeSpec, data: object) -> str:
        return self.parse(spec, data)

    def format_text(self, spec: TypeSpec, value: object) -> str:
        return str_value(spec, value)


class NumberCodec:
    """Number: a finite 64-bit float, as Attio stores it."""

    def parse(self, spec: TypeSpec, raw: object) -> float:
        if isinstance(raw, bool):  # bool is an int subclass; true is not 1 here
            raise invalid(spec, raw, "a number")
        if isinstance(raw, int | float | Decimal):
            try:
                number = float(raw)
            except OverflowError:  # an int beyond 1.8e308
                number = math.inf
        elif isinstance(raw, str):
            text = raw.strip()
            if not _NUMBER.fullmatch(text):
                hint = _number_hint(text)
                raise invalid(spec, raw, f"a number ({hint})" if hint else "a number")
            number = float(text)
        else:
            raise invalid(spec, raw, "a number")
        if math.isnan(number):
            raise invalid(spec, raw, "a number (NaN is not allowed)")
        if math.isinf(number):
            raise InvalidValue(
                f"{show(raw)} is too large for a number (at most about 1.8e308)",
                type=spec.type,
                raw=raw,
            )
        return number

    def _number(self, spec: TypeSpec, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong_value(spec, value, "a float")
        if not math.isfinite(value):
            raise wrong_value(spec, value, "a finite float")
        return float(value)

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        return self._number(spec, value)

    def from_json(self, spec: TypeSpec, data: object) -> float:
        return self.parse(spec, data)

    def format_text(self, spec: TypeSpec, value: object) -> str:
        number = self._number(spec, value)
        # Whole numbers read better as "17" than "17.0"; past 2**53 repr's exponent form is exact.
        if number.is_integer() and abs(number) < 2**53:
            return str(int(number))
        return repr(number)  # the shortest text that reads back as the same float


_TRUE = frozenset({"true", "yes", "y", "1", "on", "checked"})
_FALSE = frozenset({"false", "no", "n", "0", "off", "unchecked"})


class CheckboxCodec:
    """Checkbox: ``True`` or ``False``."""

    _EXPECTED = (
        "a checkbox value (expected true/false, yes/no, y/n, 1/0, on/off or checked/unchecked)"
    )

    def parse(self, spec: TypeSpec, raw: object) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):  # JSON 0/1, as some exporters write booleans
            return raw == 1
        if isinstance(raw, str):
            word = raw.strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
        raise invalid(spec, raw, self._EXPECTED)

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        if not isinstance(value, bool):
            raise wrong_value(spec, value, "a bool")
        return value

    def from_json(self, spec: TypeSpec, data: object) -> bool:
        return self.parse(spec, data)

    def format_text(self, spec: TypeSpec, value: object) -> str:
        return "true" if self.to_json(spec, value) else "false"


CURRENCY_PLACES = 4  # Attio: "Number with up to 4 decimal places"
# 24 digits before the point plus 4 after fit Decimal's default 28-digit precision, so sums of a
# few amounts stay exact for whoever adds them up downstream.
CURRENCY_INTEGER_DIGITS = 24
_QUANTUM = Decimal(1).scaleb(-CURRENCY_PLACES)
_WIDE = Context(prec=CURRENCY_INTEGER_DIGITS + CURRENCY_PLACES + 2)
_CODE_AROUND = re.compile(r"^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$")


def _without_currency(text: str) -> str:
    """Drop currency signs ("$", "€") and a leading or trailing ISO code ("EUR") from text."""
    unsigned = "".join(char for char in text if unicodedata.category(char) != "Sc").strip()
    return _CODE_AROUND.sub("", unsigned).strip()


class CurrencyCodec:
    """Currency: a :class:`~decimal.Decimal` amount with at most four decimal places.

    More places are refused, not rounded: rounding money silently is worse than asking. Trailing
    zeros past the fourth place are harmless and dropped (``"1.50000"`` is ``Decimal("1.5000")``).
    The spec's currency code is informational and not part of the value.
    """

    _EXPECTED = "an amount (expected a number with up to 4 decimal places, e.g. 29.9999)"
    _NO_SIGN = "an amount (write it without a currency sign or code, e.g. 29.99)"

    def parse(self, spec: TypeSpec, raw: object) -> Decimal:
        if isinstance(raw, bool):
            raise invalid(spec, raw, self._EXPECTED)
        if isinstance(raw, Decimal):
            amount = raw
        elif isinstance(raw, int):
            amount = Decimal(raw)
        elif isinstance(raw, float):
            # repr gives the shortest decimal that is this float: 29.9999, not 29.99989999...
            amount = Decimal(repr(raw)) if math.isfinite(raw) else Decimal("NaN")
        elif isinstance(raw, str):
            text = raw.strip()
            if not _NUMBER.fullmatch(text):
                if _NUMBER.fullmatch(_without_currency(text)):
                    raise invalid(spec, raw, self._NO_SIGN)
                hint = _number_hint(text)
                raise invalid(spec, raw, f"an amount ({hint})" if hint else self._EXPECTED)
            amount = Decimal(text)
        else:
            raise invalid(spec, raw, self._EXPECTED)
        return self._canonical(spec, raw, amount)

    def _canonical(self, spec: TypeSpec, raw: object, amount: Decimal) -> Decimal:
        if not amount.is_finite():
            raise invalid(spec, raw, "an amount (NaN and Infinity are not allowed)")
        if amount and amount.adjusted() >= CURRENCY_INTEGER_DIGITS:
            raise InvalidValue(
                f"{show(raw)} is too large for an amount "
                f"(at most {CURRENCY_INTEGER_DIGITS} digits before the decimal point)",
                type=spec.type,
                raw=raw,
            )
        exponent = amount.as_tuple().exponent
        assert isinstance(exponent, int)  # finite, checked above
        if exponent < -CURRENCY_PLACES:
            try:
                shorter = amount.quantize(_QUANTUM, context=_WIDE)
            except InvalidOperation:  # pragma: no cover - the size check above prevents it
                shorter = amount
            if shorter != amount:
                raise InvalidValue(
                    f"{show(raw)} has more than {CURRENCY_PLACES} decimal places; "
                    "amounts are not rounded, so round it before importing",
                    type=spec.type,
                    raw=raw,
                )
            amount = shorter
        elif exponent > 0:
            amount = amount.quantize(Decimal(1), context=_WIDE)  # 1E+3 -> 1000
        return amount if amount else abs(amount)  # -0.00 -> 0.00

    def _text(self, spec: TypeSpec, value: object) -> str:
        if not isinstance(value, Decimal):
            raise wrong_value(spec, value, "a Decimal")
        if not value.is_finite():
            raise wrong_value(spec, value, "a finite Decimal")
        return format(value, "f")  # positional notation: "1000", never "1E+3"

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        # A string, not a JSON number: JSON readers turn numbers into binary floats.
        return self._text(spec, value)

    def from_json(self, spec: TypeSpec, data: object) -> Decimal:
        return self.parse(spec, data)

    def format_text(self, spec: TypeSpec, value: object) -> str:
        return self._text(spec, value)


class RatingCodec:
    """Rating: a whole number from 0 to 5."""

    _EXPECTED = "a rating (expected a whole number from 0 to 5)"

    def parse(self, spec: TypeSpec, raw: object) -> int:
        if isinstance(raw, bool):
            raise invalid(spec, raw, self._EXPECTED)
        if isinstance(raw, int):
            rating = raw
        elif isinstance(raw, float | str | Decimal):
            text = str(raw).strip()  # 3.0 -> "3.0", Decimal("3") -> "3", nan -> "nan"
            # "3" and 3.0 are 3; 3.5 and "3.5" are refused rather than rounded.
            if not _NUMBER.fullmatch(text) or not float(text).is_integer():
                raise invalid(spec, raw, self._EXPECTED)
            rating = int(float(text))
        else:
            raise invalid(spec, raw, self._EXPECTED)
        if not 0 <= rating <= 5:
            raise invalid(spec, raw, self._EXPECTED)
        return rating

    def _rating(self, spec: TypeSpec, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            raise wrong_value(spec, value, "an int from 0 to 5")
        return value

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        return self._rating(spec, value)

    def from_json(self, spec: TypeSpec, data: object) -> int:
        return self.parse(spec, data)

    def format_text(self, spec: TypeSpec, value: object) -> str:
        return str(self._rating(spec, value))
