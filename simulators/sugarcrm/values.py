"""Sugar's check of submitted values, field by field, as ``ApiHelper::populateFromApi`` does
it: fields the module does not define are dropped without a word, read-only ones are ignored,
and a value of the wrong kind is refused with 422 ``invalid_parameter`` naming the field and
the module. Sugar's API does not enforce ``required`` (the UI does).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from simulators.sugarcrm.errors import invalid_parameter
from simulators.sugarcrm.schema import APP_LIST_STRINGS, Vardef

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBERS = {"int", "decimal", "float", "currency"}
_TRUE = {True, "1", "true", "on", "yes"}
_FALSE = {False, "0", "false", "off", "no", "", None}


def _invalid(name: str, module: str) -> Exception:
    return invalid_parameter(f"Invalid field value: {name} in module: {module}")


def _email(raw: Any, module: str) -> list[dict[str, Any]]:
    """The ``email`` field: a list of ``{email_address, primary_address, …}``."""
    if not isinstance(raw, list):
        raise _invalid("email", module)
    addresses: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not _EMAIL.match(str(item.get("email_address", ""))):
            raise _invalid("email", module)
        addresses.append(
            {
                "email_address": str(item["email_address"]),
                "primary_address": bool(item.get("primary_address", index == 0)),
                "invalid_email": bool(item.get("invalid_email", False)),
                "opt_out": bool(item.get("opt_out", False)),
            }
        )
    if addresses and not any(a["primary_address"] for a in addresses):
        addresses[0]["primary_address"] = True
    return addresses


def _checked(vardef: Vardef, raw: Any, module: str) -> Any:
    name = str(vardef["name"])
    kind = vardef["type"]
    if raw is None:
        return ""
    if kind == "email":
        return _email(raw, module)
    if kind == "enum":
        if str(raw) not in APP_LIST_STRINGS[vardef["options"]]:
            raise _invalid(name, module)
        return str(raw)
    if kind == "multienum":
        items = raw if isinstance(raw, list) else [raw]
        if any(str(item) not in APP_LIST_STRINGS[vardef["options"]] for item in items):
            raise _invalid(name, module)
        return [str(item) for item in items]
    if kind == "bool":
        if isinstance(raw, dict | list):
            raise _invalid(name, module)
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise _invalid(name, module)
    if kind in _NUMBERS:
        if raw == "":
            return ""
        try:
            number = float(raw) if kind != "int" else int(str(raw))
        except ValueError:
            raise _invalid(name, module) from None
        return number
    if kind == "date" and raw != "":
        try:
            return date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise _invalid(name, module) from None
    if kind == "datetime" and raw != "":
        try:
            return datetime.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise _invalid(name, module) from None
    if isinstance(raw, dict | list):
        raise _invalid(name, module)
    text = str(raw)
    if vardef.get("len") and len(text) > int(vardef["len"]):
        raise _invalid(name, module)
    return text


def accepted(module: str, fields: dict[str, Vardef], submitted: dict[str, Any]) -> dict[str, Any]:
    """The values Sugar stores from ``submitted``.

    Raises:
        SugarError: 422 ``invalid_parameter`` for the first value of the wrong kind.
    """
    values: dict[str, Any] = {}
    for name, raw in submitted.items():
        vardef = fields.get(name)
        if vardef is None or vardef.get("readonly"):
            continue
        if name == "email1":  # the primary address, as a plain string
            if raw not in (None, "") and not _EMAIL.match(str(raw)):
                raise _invalid(name, module)
            values[name] = str(raw or "")
            continue
        values[name] = _checked(vardef, raw, module)
    if "email1" in values:
        primary = values.pop("email1")
        current = values.get("email")
        others = [a for a in current or [] if a["email_address"].lower() != primary.lower()]
        if primary:
            first = {"email_address": primary, "primary_address": True}
            values["email"] = [
                {**first, "invalid_email": False, "opt_out": False},
                *[{**a, "primary_address": False} for a in others],
            ]
    return values
