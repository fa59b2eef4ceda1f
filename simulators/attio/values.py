"""Attio's attribute values: what a write may send for each type, what is stored, what is
answered.

A write sends, per attribute slug, a single value or a list of values, each either in the
simple form (``"person@example.com"``, ``"Bloggs, Joe"``, ``99``, ``"open"``) or as an object
(``{"email_address": …}``, ``{"first_name": …}``, ``{"currency_value": …}``, ``{"option": …}``);
``null`` or ``[]`` clears the attribute. The formats per type are those of Customer.io's Attio
destination table and Attio's ``input-value`` schema; a value that fits neither is refused with
a 400 ``validation_type``, an option or status that does not exist with a 400
``value_not_found``. Answers carry each value as Attio's ``output-value`` plus ``active_from``,
``active_until``, ``created_by_actor`` and ``attribute_type``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulators.attio.errors import bad_request, invalid_value
from simulators.attio.schema import Attribute, Container, choice_json
from simulators.attio.timestamps import date_text, stamp, timestamp_text

Payload = dict[str, Any]
"""A stored value: its type's fields, without ``attribute_type``."""

Resolve = Callable[[Attribute, Any], Payload]
"""Turns a raw record-reference or actor-reference value into its stored form."""

_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_EMAIL = re.compile(r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?P<domain>[^@\s]+)$", re.IGNORECASE)
_COORDINATE = {
    "latitude": re.compile(r"^[-+]?([1-8]?\d(\.\d+)?|90(\.0+)?)$"),
    "longitude": re.compile(r"^[-+]?(180(\.0+)?|((1[0-7]\d)|([1-9]?\d))(\.\d+)?)$"),
}
_LOCATION_FIELDS = (
    "line_1",
    "line_2",
    "line_3",
    "line_4",
    "locality",
    "region",
    "postcode",
    "country_code",
    "latitude",
    "longitude",
)
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu"}
# Calling codes of the countries a sync most often meets, longest prefixes tried first.
_CALLING_CODES = {
    "1": "US",
    "7": "RU",
    "20": "EG",
    "27": "ZA",
    "30": "GR",
    "31": "NL",
    "32": "BE",
    "33": "FR",
    "34": "ES",
    "36": "HU",
    "39": "IT",
    "40": "RO",
    "41": "CH",
    "43": "AT",
    "44": "GB",
    "45": "DK",
    "46": "SE",
    "47": "NO",
    "48": "PL",
    "49": "DE",
    "51": "PE",
    "52": "MX",
    "54": "AR",
    "55": "BR",
    "56": "CL",
    "57": "CO",
    "60": "MY",
    "61": "AU",
    "62": "ID",
    "63": "PH",
    "64": "NZ",
    "65": "SG",
    "66": "TH",
    "81": "JP",
    "82": "KR",
    "84": "VN",
    "86": "CN",
    "90": "TR",
    "91": "IN",
    "234": "NG",
    "254": "KE",
    "351": "PT",
    "353": "IE",
    "358": "FI",
    "420": "CZ",
    "852": "HK",
    "886": "TW",
    "971": "AE",
    "972": "IL",
}
_DIAL_BY_COUNTRY = {country: code for code, country in _CALLING_CODES.items()}
CURRENCY_CODES = frozenset(
    [
        "ARS",
        "AUD",
        "BRL",
        "BGN",
        "CAD",
        "CLP",
        "CNY",
        "COP",
        "CZK",
        "DKK",
        "EUR",
        "HKD",
        "HUF",
        "ISK",
        "INR",
        "ILS",
        "JPY",
        "KES",
        "KRW",
        "MYR",
        "MXN",
        "NTD",
        "NZD",
        "NGN",
        "NOK",
        "XPF",
        "PEN",
        "PHP",
        "PLN",
        "GBP",
        "RWF",
        "SAR",
        "SGD",
        "ZAR",
        "SEK",
        "CHF",
        "THB",
        "AED",
        "UYU",
        "USD",
    ]
)


@dataclass
class Stored:
    """One active value of an attribute, as a record or entry holds it."""

    payload: Payload
    active_from: float
    actor: dict[str, Any]


def _field(item: Any, name: str, slug: str, kinds: tuple[type, ...]) -> Any:
    """The raw value: ``item`` itself, or its ``name`` field when it is an object."""
    if isinstance(item, dict):
        extra = set(item) - {name}
        if name not in item or extra:
            wanted = f'an object with "{name}"'
            raise invalid_value(slug, f"Expected {wanted}, got keys {sorted(item)}.")
        item = item[name]
    if isinstance(item, bool) and bool not in kinds:
        raise invalid_value(slug, f"Expected {_names(kinds)}, got a boolean.")
    if not isinstance(item, kinds):
        raise invalid_value(slug, f"Expected {_names(kinds)}, got {_json_kind(item)}.")
    return item


def _names(kinds: tuple[type, ...]) -> str:
    words = {str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return " or ".join(dict.fromkeys(words.get(kind, kind.__name__) for kind in kinds))


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _text(attribute: Attribute, item: Any) -> Payload:
    return {"value": _field(item, "value", attribute.api_slug, (str,))}


def _number(attribute: Attribute, item: Any) -> Payload:
    number = _field(item, "value", attribute.api_slug, (int, float))
    if not math.isfinite(number):
        raise invalid_value(attribute.api_slug, "Numbers must be finite.")
    return {"value": number}


def _checkbox(attribute: Attribute, item: Any) -> Payload:
    raw = _field(item, "value", attribute.api_slug, (bool, str))
    if isinstance(raw, str):
        if raw not in ("true", "false"):
            raise invalid_value(attribute.api_slug, f'Expected true or false, got "{raw}".')
        raw = raw == "true"
    return {"value": raw}


def _currency(attribute: Attribute, item: Any) -> Payload:
    slug = attribute.api_slug
    code = attribute.currency_code
    if isinstance(item, dict):
        extra = set(item) - {"currency_value", "currency_code"}
        if "currency_value" not in item or extra:
            raise invalid_value(slug, 'Expected an object with "currency_value".')
        code = item.get("currency_code") or code
        item = item["currency_value"]
    amount = _field(item, "value", slug, (int, float))
    if not math.isfinite(amount) or round(amount, 4) != amount:
        raise invalid_value(slug, "Currency values may have at most 4 decimal places.")
    if code is not None and code not in CURRENCY_CODES:
        raise invalid_value(slug, f'"{code}" is not a supported currency code.')
    return {"currency_value": amount, "currency_code": code}


def _date(attribute: Attribute, item: Any) -> Payload:
    raw = _field(item, "value", attribute.api_slug, (str,))
    found = date_text(raw)
    if found is None:
        raise invalid_value(attribute.api_slug, f'"{raw}" is not a date (YYYY-MM-DD).')
    return {"value": found}


def _timestamp(attribute: Attribute, item: Any) -> Payload:
    raw = _field(item, "value", attribute.api_slug, (str,))
    found = timestamp_text(raw)
    if found is None:
        raise invalid_value(attribute.api_slug, f'"{raw}" is not an ISO 8601 timestamp.')
    return {"value": found}


def _rating(attribute: Attribute, item: Any) -> Payload:
    raw = _field(item, "value", attribute.api_slug, (int, float))
    if raw != int(raw) or not 0 <= raw <= 5:
        raise invalid_value(attribute.api_slug, "A rating is a whole number from 0 to 5.")
    return {"value": int(raw)}


def _choice(attribute: Attribute, item: Any) -> Payload:
    key = "status" if attribute.type == "status" else "option"
    raw = _field(item, key, attribute.api_slug, (str,))
    found = attribute.choice(raw)
    if found is None or found.is_archived:
        kind = "status attribute with status" if key == "status" else "select attribute with select"
        raise bad_request("value_not_found", f'Cannot find {kind} option title "{raw}".')
    return {key: found.id}


def _domain(attribute: Attribute, item: Any) -> Payload:
    raw = _field(item, "domain", attribute.api_slug, (str,))
    domain = normal_domain(raw)
    if domain is None:
        raise invalid_value(attribute.api_slug, f'"{raw}" is not a valid domain.')
    return {"domain": domain, "root_domain": root_domain(domain)}


def normal_domain(raw: str) -> str | None:
    """A domain as Attio stores it (lower case, without scheme, path or port); None if the
    text is not a domain."""
    text = raw.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.split(":", 1)[0].rstrip(".")
    return text if _DOMAIN.match(text) else None


def root_domain(domain: str) -> str:
    """The registrable part of a domain (``app.attio.com`` → ``attio.com``)."""
    labels = domain.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def _email(attribute: Attribute, item: Any) -> Payload:
    raw = _field(item, "email_address", attribute.api_slug, (str,))
    return email_payload(attribute.api_slug, raw)


def email_payload(slug: str, raw: str) -> Payload:
    """The stored form of an email address.

    Raises:
        AttioError: The text is not an email address.
    """
    text = raw.strip()
    found = _EMAIL.match(text)
    domain = normal_domain(found.group("domain")) if found else None
    if found is None or domain is None or found.group("domain").lower() != domain:
        raise invalid_value(slug, f'"{raw}" is not a valid email address.')
    local = text.rsplit("@", 1)[0]
    return {
        "original_email_address": text,
        "email_address": text.lower(),
        "email_domain": domain,
        "email_root_domain": root_domain(domain),
        "email_local_specifier": local.lower(),
    }


def _phone(attribute: Attribute, item: Any) -> Payload:
    slug = attribute.api_slug
    country: str | None = None
    if isinstance(item, dict):
        extra = set(item) - {"original_phone_number", "country_code"}
        if "original_phone_number" not in item or extra:
            raise invalid_value(slug, 'Expected an object with "original_phone_number".')
        country = item.get("country_code")
        item = item["original_phone_number"]
    raw = _field(item, "original_phone_number", slug, (str,))
    digits = re.sub(r"[\s().-]", "", raw)
    if not digits.startswith("+"):
        dial = _DIAL_BY_COUNTRY.get(country or "")
        if dial is None:
            raise invalid_value(
                slug, f'"{raw}" is not in E.164 format (+…) and names no known country_code.'
            )
        digits = f"+{dial}{digits.lstrip('0')}"
    if not re.fullmatch(r"\+[1-9]\d{6,14}", digits):
        raise invalid_value(slug, f'"{raw}" is not a valid phone number.')
    found = next(
        (
            _CALLING_CODES[digits[1 : 1 + size]]
            for size in (3, 2, 1)
            if digits[1 : 1 + size] in _CALLING_CODES
        ),
        None,
    )
    code = country or found
    if code is None:
        raise invalid_value(slug, f'The country of "{raw}" is not known; pass country_code.')
    return {"original_phone_number": raw, "country_code": code, "phone_number": digits}


def _personal_name(attribute: Attribute, item: Any) -> Payload:
    slug = attribute.api_slug
    if isinstance(item, dict):
        extra = set(item) - {"first_name", "last_name", "full_name"}
        if extra or not item:
            raise invalid_value(slug, "Expected first_name, last_name and full_name.")
        parts = {key: item.get(key) for key in ("first_name", "last_name", "full_name")}
        if not all(part is None or isinstance(part, str) for part in parts.values()):
            raise invalid_value(slug, "Name parts must be strings.")
        first = (parts["first_name"] or "").strip()
        last = (parts["last_name"] or "").strip()
        full = (parts["full_name"] or f"{first} {last}").strip()
        return {"first_name": first, "last_name": last, "full_name": full}
    raw = _field(item, "full_name", slug, (str,))
    # The simple form is "Last name(s), First name(s)".
    last, comma, first = raw.partition(",")
    if not comma:
        first, last = raw, ""
    first, last = first.strip(), last.strip()
    return {"first_name": first, "last_name": last, "full_name": f"{first} {last}".strip()}


def _location(attribute: Attribute, item: Any) -> Payload:
    slug = attribute.api_slug
    if isinstance(item, str):
        return _location_from_text(item)
    if not isinstance(item, dict) or set(item) - set(_LOCATION_FIELDS):
        raise invalid_value(slug, "Expected an address string or an object of address parts.")
    found: Payload = {key: item.get(key) for key in _LOCATION_FIELDS}
    for key, part in found.items():
        if part is not None and not isinstance(part, str):
            raise invalid_value(slug, f'"{key}" must be a string or null.')
    country = found["country_code"]
    if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
        raise invalid_value(slug, f'"{country}" is not an ISO 3166-1 alpha-2 country code.')
    for key, pattern in _COORDINATE.items():
        if found[key] is not None and not pattern.match(found[key]):
            raise invalid_value(slug, f'"{found[key]}" is not a valid {key}.')
    return found


def _location_from_text(text: str) -> Payload:
    """Address parts from "street, city, state, country" (the country as a 2-letter code)."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    found: Payload = dict.fromkeys(_LOCATION_FIELDS)
    if parts and re.fullmatch(r"[A-Za-z]{2}", parts[-1]):
        found["country_code"] = parts.pop().upper()
    if len(parts) >= 3:
        found["region"] = parts.pop()
    if len(parts) >= 2:
        found["locality"] = parts.pop()
    if parts:
        found["line_1"] = ", ".join(parts)
    return found


def _refused_type(attribute: Attribute, item: Any) -> Payload:
    del item
    raise invalid_value(attribute.api_slug, f'Attributes of type "{attribute.type}" are read-only.')


_PARSERS: dict[str, Callable[[Attribute, Any], Payload]] = {
    "text": _text,
    "number": _number,
    "checkbox": _checkbox,
    "currency": _currency,
    "date": _date,
    "timestamp": _timestamp,
    "rating": _rating,
    "status": _choice,
    "select": _choice,
    "domain": _domain,
    "email-address": _email,
    "phone-number": _phone,
    "personal-name": _personal_name,
    "location": _location,
    "interaction": _refused_type,
}


def parse(attribute: Attribute, raw: Any, resolve: Resolve) -> list[Payload]:
    """The values a write sends for ``attribute``, in their stored form.

    Args:
        attribute: The attribute written.
        raw: A single value, a list of values, or None (clear).
        resolve: Reads record and actor references (they need the workspace's records).

    Raises:
        AttioError: A value has the wrong shape or type (400 ``validation_type``), or names an
            option, status, record or member that does not exist (400 ``value_not_found``).
    """
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > 1 and not attribute.is_multiselect:
        raise invalid_value(
            attribute.api_slug,
            "It is not a multiselect attribute, so it takes a single value.",
        )
    parser = _PARSERS.get(attribute.type)
    found: dict[str, Payload] = {}
    for item in items:
        if item is None:
            raise invalid_value(attribute.api_slug, "null may only replace the whole value.")
        payload = resolve(attribute, item) if parser is None else parser(attribute, item)
        found.setdefault(key_of(attribute, payload), payload)
    return list(found.values())


def key_of(attribute: Attribute, payload: Payload) -> str:
    """What makes two values of ``attribute`` the same value (uniqueness, matching)."""
    match attribute.type:
        case "email-address":
            return str(payload["email_address"])
        case "domain":
            return str(payload["domain"])
        case "phone-number":
            return str(payload["phone_number"])
        case "record-reference":
            return f"{payload['target_object']}/{payload['target_record_id']}"
        case "select":
            return str(payload["option"])
        case "status":
            return str(payload["status"])
        case "number" | "rating":
            return repr(float(payload["value"]))
    return json.dumps(payload, sort_keys=True)


def comparable(attribute: Attribute, payload: Payload) -> list[Any]:
    """The plain values a shorthand filter compares a stored value with."""
    match attribute.type:
        case "email-address":
            return [payload["email_address"]]
        case "domain":
            return [payload["domain"]]
        case "phone-number":
            return [payload["phone_number"], payload["original_phone_number"]]
        case "personal-name":
            return [payload["full_name"]]
        case "record-reference":
            return [payload["target_record_id"]]
        case "currency":
            return [payload["currency_value"]]
        case "actor-reference":
            return [payload["referenced_actor_id"]]
        case "select" | "status":
            key = "option" if attribute.type == "select" else "status"
            choice = next((c for c in attribute.choices if c.id == payload[key]), None)
            return [payload[key], choice.title] if choice is not None else [payload[key]]
        case "location":
            return [payload.get("locality"), payload.get("country_code")]
    return [payload.get("value")]


def render(container: Container, attribute: Attribute, stored: Stored) -> dict[str, Any]:
    """One value as Attio answers it."""
    shown: dict[str, Any] = {
        "active_from": stamp(stored.active_from),
        "active_until": None,
        "created_by_actor": stored.actor,
    }
    payload = dict(stored.payload)
    if attribute.type in ("select", "status"):
        key = "option" if attribute.type == "select" else "status"
        choice = next((c for c in attribute.choices if c.id == payload[key]), None)
        if choice is not None:
            payload[key] = choice_json(container, attribute, choice)
    shown.update(payload)
    shown["attribute_type"] = attribute.type
    return shown
