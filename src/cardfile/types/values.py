"""The typed values of the structured attribute types."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalName:
    """A person's name, as Attio's personal-name type holds it.

    Attributes:
        first_name: First name(s); may be empty.
        last_name: Last name(s); may be empty.
        full_name: The name as displayed; ``"First Last"`` unless a source said otherwise.
    """

    first_name: str
    last_name: str
    full_name: str


@dataclass(frozen=True)
class Location:
    """A postal address, as Attio's location type holds it; any part may be missing.

    Attributes:
        line_1: First street address line.
        line_2: Second street address line.
        line_3: Third street address line.
        line_4: Fourth street address line.
        locality: City or town.
        region: State, province or county.
        postcode: Postal code.
        country_code: ISO 3166-1 alpha-2 country code, upper case (e.g. ``"US"``).
    """

    line_1: str | None = None
    line_2: str | None = None
    line_3: str | None = None
    line_4: str | None = None
    locality: str | None = None
    region: str | None = None
    postcode: str | None = None
    country_code: str | None = None


@dataclass(frozen=True)
class RecordReference:
    """A reference to another record, by whatever identifies it.

    Attributes:
        value: An email address (a person), a domain (a company) or a record id, as Attio's
            record-reference type accepts them.
    """

    value: str
