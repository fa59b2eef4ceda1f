"""The one error the type system raises for bad input, and how it quotes the input back."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cardfile.types.kinds import AttributeType

# Values are quoted back to users in messages and logs; a pasted 10 kB cell must not make the
# message unreadable.
_MAX_SHOWN = 60


class InvalidValue(ValueError):
    """A raw value that cannot be read as a value of its attribute's type.

    Importers turn it into a per-row or per-record error, so it carries structured fields rather
    than only a string.

    Attributes:
        message: A sentence a user understands, naming the value and what was expected, e.g.
            ``'abc' is not a number``.
        type: The attribute type the value was parsed as.
        raw: The raw input, exactly as given.
    """

    def __init__(self, message: str, *, type: AttributeType, raw: object) -> None:
        super().__init__(message)
        self.message = message
        self.type = type
        self.raw = raw

    def __repr__(self) -> str:
        return f"InvalidValue({self.message!r}, type={self.type.value!r})"


def show(raw: object) -> str:
    """Quote a raw value for a message: strings in quotes, JSON values as JSON, long ones cut.

    Args:
        raw: A raw input (CSV text or a JSON value) or a typed value.

    Returns:
        A short, printable rendering such as ``'abc'``, ``3.5``, ``true`` or ``["a", "b"]``.
    """
    if isinstance(raw, str):
        text = raw if len(raw) <= _MAX_SHOWN else raw[:_MAX_SHOWN] + "…"
        return repr(text)
    if isinstance(raw, bool | int | float | list | dict) or raw is None:
        try:
            text = json.dumps(raw, ensure_ascii=False, allow_nan=True, default=str)
        except (TypeError, ValueError):  # e.g. a circular list; never let quoting fail
            text = repr(raw)
    else:
        text = repr(raw)
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"
