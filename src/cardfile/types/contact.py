"""Email address, domain and phone number: the ways to reach a person or a company."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import email_validator
import idna
import phonenumbers
from email_validator.rfc_constants import (
    CASE_INSENSITIVE_MAILBOX_NAMES,
    DNS_LABEL_LENGTH_LIMIT,
    DOMAIN_MAX_LENGTH,
    DOT_ATOM_TEXT,
    DOT_ATOM_TEXT_HOSTNAME,
    EMAIL_MAX_LENGTH,
)

from cardfile.types.codec import (
    StringValued,
    check_text,
    invalid,
    require_str,
)
from cardfile.types.errors import InvalidValue, show
from cardfile.types.kinds import TypeSpec


@lru_cache(maxsize=4)
def _special_use(names: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The special-use names, and the suffixes of their subdomains, for C-speed matching."""
    return frozenset(names), tuple("." + name for name in names)


def _simple_email(text: str) -> str | None:
    """Normalise a plain all-ASCII address exactly as ``email_validator`` would, or give up.

    ``validate_email`` costs about 30 µs a call, which is most of a million-row import. Nearly
    every real address is ``dot-atom@ascii-hostname``; for those the library's checks reduce to
    the ones below, written with the library's own constants. Anything else (Unicode, quotes,
    Punycode, ``--`` in the domain, special-use names) returns ``None`` and goes through the
    library. So this path changes the cost, never the verdict or the result;
    ``tests/types/test_contact.py`` checks that against the library on generated addresses.
    """
    if not text.isascii() or len(text) > EMAIL_MAX_LENGTH:
        return None
    local, _, domain = text.partition("@")
    if not DOT_ATOM_TEXT.match(local) or not DOT_ATOM_TEXT_HOSTNAME.match(domain):
        return None
    domain = domain.lower()  # what UTS-46 mapping does to an ASCII hostname
    # A dot, a TLD ending in a letter (the library's "globally deliverable" rule), no Punycode or
    # other "ab--" label (IDNA rules apply), and labels within the DNS limit.
    if "." not in domain or not domain[-1].isalpha() or "--" in domain:
        return None
    if max(map(len, domain.split("."))) > DNS_LABEL_LENGTH_LIMIT:
        return None
    # Read at call time: the library documents this list as changeable by its users.
    specials, suffixes = _special_use(tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES))
    if domain in specials or domain.endswith(suffixes):
        return None
    if local.lower() in CASE_INSENSITIVE_MAILBOX_NAMES:  # RFC 2142 role names, e.g. Info@
        local = local.lower()
    return f"{local}@{domain}"


def normalize_email(spec: TypeSpec, raw: object) -> str:
    """Validate an email address and return ``email_validator``'s normalised form.

    Args:
        spec: The attribute's spec (email or actor-reference), for the error.
        raw: The raw value; surrounding whitespace is ignored.

    Returns:
        The address with its domain lower-cased (and Unicode domains in Unicode form).

    Raises:
        InvalidValue: If it is not a string or not a valid address. Deliverability (DNS) is
            never checked: the type system does not touch the network.
    """
    text = require_str(spec, raw, "an email address (expected a string)").strip()
    simple = _simple_email(text)
    if simple is not None:
        return simple
    try:
        checked = email_validator.validate_email(
            text,
            check_deliverability=False,
            # Pinned rather than read from the library's module globals, which anyone may change.
            allow_smtputf8=True,
            allow_empty_local=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            strict=False,
            globally_deliverable=True,
            test_environment=False,
        )
    except email_validator.EmailNotValidError as error:
        reason = str(error).rstrip(".")
        reason = reason[:1].lower() + reason[1:]
        raise InvalidValue(
            f"{show(raw)} is not a valid email address ({reason})", type=spec.type, raw=raw
        ) from None
    return checked.normalized


class EmailCodec(StringValued):
    """Email address: validated with ``email_validator``, stored normalised."""

    _EXPECTED = "an email address (expected a string)"

    def parse(self, spec: TypeSpec, raw: object) -> str:
        return normalize_email(spec, raw)


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_PORT = re.compile(r"(.*):\d*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# A TLD is letters, or Punycode for an internationalised one; "1.2.3.4" is not a domain.
_TLD = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


def _host_of(text: str) -> str:
    """Take the host out of a URL or a bare ``host[:port][/path]``."""
    if _SCHEME.match(text):
        try:
            return urlsplit(text).hostname or ""
        except ValueError:  # e.g. an unclosed "[" of an IPv6 literal
            return ""
    host = re.split(r"[/?#]", text, maxsplit=1)[0]
    if port := _PORT.fullmatch(host):
        host = port.group(1)
    return host


class DomainCodec(StringValued):
    """Domain: a bare domain name, lower case, international names in Unicode form.

    Reads a domain (``app.attio.com``) or a URL (``https://www.Acme.com/about`` is
    ``www.acme.com``); the ``www.`` is kept, as Attio keeps it. The name needs a dot and a
    TLD-shaped last label. Punycode (``xn--bcher-kva.de``) is read as its Unicode form
    (``bücher.de``), so one company does not end up under two domains.
    """

    _EXPECTED = "a domain (expected e.g. example.com or https://www.example.com)"

    def parse(self, spec: TypeSpec, raw: object) -> str:
        text = check_text(spec, raw, require_str(spec, raw, self._EXPECTED).strip())
        host = _host_of(text)
        if "@" in host:
            raise invalid(spec, raw, "a domain (it looks like an email address)")
        host = host.removesuffix(".")  # the DNS root, as in "example.com."
        try:
            if host.isascii():
                ascii_host = host.lower()
            else:
                ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as error:
            raise InvalidValue(
                f"{show(raw)} is not a valid domain ({error})", type=spec.type, raw=raw
            ) from None
        labels = ascii_host.split(".")
        if (
            len(labels) < 2
            or len(ascii_host) > DOMAIN_MAX_LENGTH
            or not all(_LABEL.fullmatch(label) for label in labels)
            or not _TLD.fullmatch(labels[-1])
        ):
            raise invalid(spec, raw, self._EXPECTED)
        if "xn--" not in ascii_host:
            return ascii_host
        try:
            return idna.decode(ascii_host)
        except idna.IDNAError as error:
            raise InvalidValue(
                f"{show(raw)} is not a valid domain ({error})", type=spec.type, raw=raw
            ) from None


# Digits and the punctuation people put between them; letters (vanity numbers, "ext. 12") are
# refused because E.164 cannot hold an extension and dropping it silently loses data.
_PHONE_TEXT = re.compile(r"[\d\s+\-.()/]+")
_EXTENSION = re.compile(r"(?:ext|x|#)\.?\s*\d+\s*$", re.IGNORECASE)
_PARSE = phonenumbers.NumberParseException
_WHY_UNPARSABLE = {
    _PARSE.INVALID_COUNTRY_CODE: "its country code does not exist",
    _PARSE.NOT_A_NUMBER: "it does not look like one",
    _PARSE.TOO_SHORT_AFTER_IDD: "it is too short",
    _PARSE.TOO_SHORT_NSN: "it is too short",
    _PARSE.TOO_LONG: "it is too long",
}
_POSSIBLE = phonenumbers.ValidationResult
_WHY_IMPOSSIBLE = {
    _POSSIBLE.INVALID_COUNTRY_CODE: "its country code does not exist",
    _POSSIBLE.TOO_SHORT: "it is too short for its country code",
    _POSSIBLE.TOO_LONG: "it is too long for its country code",
    _POSSIBLE.INVALID_LENGTH: "it has the wrong length for its country code",
}


class PhoneCodec(StringValued):
    """Phone number: stored in E.164 (``+15558675309``).

    The raw number must say its country: a leading ``+`` or ``00`` then the country code. A
    number without one is refused rather than guessed from a default region, since the same
    digits are different people in different countries.
    """

    _EXPECTED = "a phone number (expected + and the country code, e.g. +1 555 867 5309)"

    def parse(self, spec: TypeSpec, raw: object) -> str:
        if isinstance(raw, int) and not isinstance(raw, bool):
            raise invalid(spec, raw, self._EXPECTED + "; write it as text")
        text = require_str(spec, raw, self._EXPECTED).strip()
        if not _PHONE_TEXT.fullmatch(text):
            if _EXTENSION.search(text):
                raise invalid(
                    spec, raw, "a phone number that can be stored (E.164 has no extension)"
                )
            raise invalid(spec, raw, self._EXPECTED)
        if text.startswith("00"):  # the international call prefix most countries use
            text = "+" + text[2:]
        if not text.startswith("+"):
            raise InvalidValue(
                f"{show(raw)} has no country code; write it with + and the country code, "
                "e.g. +1 555 867 5309",
                type=spec.type,
                raw=raw,
            )
        if text.count("+") > 1:
            raise invalid(spec, raw, self._EXPECTED)
        try:
            number = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException as error:
            reason = _WHY_UNPARSABLE.get(error.error_type, "it does not look like one")
            raise InvalidValue(
                f"{show(raw)} is not a phone number ({reason})", type=spec.type, raw=raw
            ) from None
        impossible = _WHY_IMPOSSIBLE.get(phonenumbers.is_possible_number_with_reason(number))
        if impossible is not None:
            raise InvalidValue(
                f"{show(raw)} is not a possible phone number ({impossible})",
                type=spec.type,
                raw=raw,
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
