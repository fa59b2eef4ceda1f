from __future__ import annotations

from collections.abc import Callable

import email_validator
import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains

from cardfile.types import AttributeType, InvalidValue, TypeSpec, from_json, parse
from cardfile.types.contact import _simple_email
from tests.types.conftest import refusal

RoundTrips = Callable[[TypeSpec, object], None]

EMAIL = TypeSpec(AttributeType.EMAIL)
DOMAIN = TypeSpec(AttributeType.DOMAIN)
PHONE = TypeSpec(AttributeType.PHONE_NUMBER)


# email


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("person@example.com", "person@example.com"),
        (" John.Smith+crm@EXAMPLE.Com ", "John.Smith+crm@example.com"),  # local part keeps case
        ("Info@Example.com", "info@example.com"),  # RFC 2142 role names are case-insensitive
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("josé@bücher.de", "josé@bücher.de"),
        ("x@xn--bcher-kva.de", "x@bücher.de"),  # Punycode is shown in Unicode, as the library does
        ("x@B\u00fcCHER.de", "x@bücher.de"),
    ],
)
def test_email_accepts_and_normalizes(raw: str, normalized: str) -> None:
    assert parse(EMAIL, raw) == normalized


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not an email", "'not an email' is not a valid email address (an email address must have"),
        (
            "john@",
            "'john@' is not a valid email address (there must be something after the @-sign)",
        ),
        ("john doe@example.com", "contains invalid characters before the @-sign"),
        ("john@localhost", "is not a valid email address (the part after the @-sign is not valid"),
        ("john@example.test", "special-use or reserved name"),
        ("john@mail.local", "special-use or reserved name"),
        ("John <john@example.com>", "a display name and angle brackets"),
        ('"john"@example.com', "quoting the part before the @-sign is not allowed here"),
        ("john@[127.0.0.1]", "a bracketed IP address after the @-sign is not allowed here"),
        ("john..doe@example.com", "two periods in a row"),
        ("john@example.c0m1", "not within a valid top-level domain"),
        (42, "42 is not an email address (expected a string)"),
    ],
)
def test_email_refuses(raw: object, message: str) -> None:
    assert message in refusal(EMAIL, raw)


def test_common_addresses_do_not_need_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fast path should have answered")

    monkeypatch.setattr(email_validator, "validate_email", unavailable)
    assert parse(EMAIL, "john@email.com") == "john@email.com"
    assert parse(EMAIL, "First.Last+tag@Sub.Example.CO.UK") == "First.Last+tag@sub.example.co.uk"


@pytest.mark.parametrize(
    "text",
    [
        "josé@example.com",  # Unicode
        "x@xn--bcher-kva.de",  # Punycode
        "x@ab--cd.com",  # an R-LDH label
        "x@example.invalid",  # special-use
        '"x"@example.com',
        "x@example",
        "x@" + "a" * 64 + ".com",  # label too long
        "x" * 250 + "@a.com",  # address too long
    ],
)
def test_the_fast_path_leaves_unusual_addresses_to_the_library(text: str) -> None:
    assert _simple_email(text) is None


# Addresses built from pieces that hit every rule the fast path re-implements: case, dots,
# hyphens, Punycode, special-use and numeric TLDs, long labels, Unicode, quotes and brackets.
# Most pieces are plausible, so that both paths and both verdicts are common.
_local = st.one_of(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+'-]{0,8}", fullmatch=True),
    st.text(alphabet="aZ09._+-!#'\"() é<>", min_size=0, max_size=10),
    st.sampled_from(["Info", "POSTMASTER", "x" * 64, "x" * 65]),
)
_label = st.one_of(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,6}", fullmatch=True),
    st.text(alphabet="aZ09-é_", min_size=0, max_size=8),
    st.sampled_from(["xn--bcher-kva", "xn--zz", "ab--cd", "a" * 63, "a" * 64, "-a", "a-"]),
)
_tld = st.sampled_from(
    ["com", "com", "COM", "de", "local", "test", "invalid", "localhost", "onion", "arpa", "1", ""]
)
_addresses = st.builds(
    lambda local, labels, tld, at: local + at + ".".join([*labels, tld]),
    _local,
    st.lists(_label, min_size=0, max_size=3),
    _tld,
    st.sampled_from(["@", "@", "@", "@", "", "@@", "@ "]),
)
_plausible = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join([*labels, tld])}",
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+'-]{0,8}", fullmatch=True),
    st.lists(
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,6}", fullmatch=True), min_size=1, max_size=3
    ),
    _tld,
)


@given(st.one_of(_plausible, _addresses, st.emails()))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_email_agrees_with_email_validator(text: str) -> None:
    try:
        expected: str | None = email_validator.validate_email(
            text.strip(), check_deliverability=False
        ).normalized
    except email_validator.EmailNotValidError:
        expected = None
    try:
        parsed = parse(EMAIL, text)
    except InvalidValue:
        parsed = None
    if not text.strip():
        return  # blank is unset, not a refusal
    assert parsed == expected


@given(st.emails())
@settings(max_examples=200, deadline=None)
def test_email_round_trips(round_trips: RoundTrips, text: str) -> None:
    try:
        value = parse(EMAIL, text)
    except InvalidValue:
        assume(False)
    round_trips(EMAIL, value)
    assert parse(EMAIL, value) == value  # normalising is idempotent


def test_email_from_json_trusts_stored_values() -> None:
    assert from_json(EMAIL, "john@email.com") == "john@email.com"
    with pytest.raises(InvalidValue):
        from_json(EMAIL, 3)


# domain


@pytest.mark.parametrize(
    ("raw", "domain"),
    [
        ("app.attio.com", "app.attio.com"),
        ("www.example.com", "www.example.com"),
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("https://www.Acme.com/about", "www.acme.com"),
        ("HTTP://acme.com:8080/x?y#z", "acme.com"),
        ("https://user:pw@acme.com", "acme.com"),
        ("acme.com/pricing", "acme.com"),
        ("acme.com:443", "acme.com"),
        ("acme.co.uk?ref=x", "acme.co.uk"),
        ("Bücher.DE", "bücher.de"),
        ("xn--bcher-kva.de", "bücher.de"),
        ("例え.テスト", "例え.テスト"),
        ("example.xn--p1ai", "example.рф"),
    ],
)
def test_domain_accepts(raw: str, domain: str) -> None:
    assert parse(DOMAIN, raw) == domain


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("localhost", "'localhost' is not a domain (expected e.g. example.com"),
        ("192.168.0.1", "is not a domain"),
        ("example.c0m", "is not a domain"),
        ("exa mple.com", "is not a domain"),
        ("-acme.com", "is not a domain"),
        ("acme..com", "is not a domain"),
        ("my_site.com", "is not a domain"),
        ("a" * 64 + ".com", "is not a domain"),
        ("https://", "is not a domain"),
        ("https://[::1", "is not a domain"),
        ("john@acme.com", "'john@acme.com' is not a domain (it looks like an email address)"),
        ("xn--zz.com", "is not a valid domain"),
        ("☃\u200d.com", "is not a valid domain"),
        (3, "3 is not a domain"),
    ],
)
def test_domain_refuses(raw: object, message: str) -> None:
    assert message in refusal(DOMAIN, raw)


@given(domains())
@settings(max_examples=200, deadline=None)
def test_domain_round_trips(round_trips: RoundTrips, text: str) -> None:
    value = parse(DOMAIN, text)
    assert isinstance(value, str)
    round_trips(DOMAIN, value)
    assert parse(DOMAIN, f"https://{text.upper()}/path") == value


@given(st.text(alphabet="ab-éü", min_size=1, max_size=10), st.sampled_from(["com", "de", "рф"]))
@settings(max_examples=100, deadline=None)
def test_international_domains_round_trip(round_trips: RoundTrips, label: str, tld: str) -> None:
    try:
        value = parse(DOMAIN, f"{label}.{tld}")
    except InvalidValue:
        assume(False)
    assert isinstance(value, str)
    round_trips(DOMAIN, value)


# phone number


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+15558675309", "+15558675309"),
        ("+1 555-867-5309", "+15558675309"),
        ("+1 (555) 867.5309", "+15558675309"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+49 30/1234567", "+49301234567"),
    ],
)
def test_phone_number_accepts(raw: str, e164: str) -> None:
    assert parse(PHONE, raw) == e164


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "555-867-5309",
            "'555-867-5309' has no country code; write it with + and the country code, "
            "e.g. +1 555 867 5309",
        ),
        ("020 7946 0958", "has no country code"),
        ("+1 555 867 5309 ext 12", "is not a phone number that can be stored (E.164 has no ext"),
        ("+1 555 867 5309 x12", "E.164 has no extension"),
        ("+1-800-FLOWERS", "is not a phone number (expected + and the country code"),
        ("call +1 555 867 5309", "is not a phone number"),
        ("+999 1234567", "is not a phone number (its country code does not exist)"),
        ("+1 55", "is not a possible phone number (it is too short for its country code)"),
        ("+44 20 7946 0958 1234 5678", "is not a"),
        ("+1 555 +867", "is not a phone number"),
        (15558675309, "is not a phone number (expected + and the country code"),
        ("+", "is not a phone number"),
    ],
)
def test_phone_number_refuses(raw: object, message: str) -> None:
    assert message in refusal(PHONE, raw)


_number_types = [
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
]


@given(
    st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)),
    st.sampled_from(_number_types),
    st.sampled_from(
        [
            phonenumbers.PhoneNumberFormat.E164,
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            phonenumbers.PhoneNumberFormat.RFC3966,
        ]
    ),
)
@settings(max_examples=200, deadline=None)
def test_phone_numbers_round_trip(
    round_trips: RoundTrips, region: str, kind: int, style: int
) -> None:
    example = phonenumbers.example_number_for_type(region, kind)
    assume(example is not None)
    assert example is not None
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    written = phonenumbers.format_number(example, style).removeprefix("tel:")
    assume(_phone_text_ok(written))
    assert parse(PHONE, written) == e164
    assert parse(PHONE, "00" + e164[1:]) == e164
    round_trips(PHONE, e164)


def _phone_text_ok(text: str) -> bool:
    # RFC 3966 may carry ";ext=" or ";isub="; those are refused by design.
    return ";" not in text
