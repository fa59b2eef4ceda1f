"""Deterministic CSV files for the benchmarks, generated from ``random.Random(seed)``.

The people file follows ``importCustomersFromCSV``'s format: one row per person, the company's
name and ids repeated on each of its rows (rows of one company are consecutive). Every company
has all eight ID columns filled, each unique to it; every email is unique and ASCII (people's
names carry accents, their addresses do not); company names are unique (a numbered suffix), so
the benchmark measures matching by id, not name clashes.
"""

from __future__ import annotations

import csv
import random
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ID_LABELS = (
    "customId",
    "attioId",
    "zendeskId",
    "hubspotId",
    "intercomId",
    "pipedriveId",
    "snowflakeId",
    "salesforceId",
)
PEOPLE_HEADER = ("companyName", "name", "email", *ID_LABELS)

# Whitespace-separated word lists (kept as text so they stay short on the page).
_FIRST = (  # noqa: SIM905
    "Anna Ben Chloé Dara Emil Farah Gustav Hana Ivan Jules Kofi Lena Marta Noor Oscar Priya "
    "Quentin Rosa Sami Tomás Uma Vera Wen Xavier Yara Zoe"
).split()
_LAST = (  # noqa: SIM905
    "Berg Costa Dubois Eriksen Fischer García Haddad Ito Jensen Kowalski Laurent Moreau Novak "
    "Okafor Petrov Quinn Rossi Schmidt Tanaka Urban Virtanen Weber Yilmaz Zhang"
).split()
_WORDS = (  # noqa: SIM905
    "Acme Northwind Blue Harbor Summit Vertex Atlas Nimbus Cobalt Maple Orbit Pioneer Quartz "
    "Redwood Silver Tidal Umbra Vector Willow Zenith"
).split()
_KINDS = (  # noqa: SIM905
    "Analytics Labs Systems Logistics Foods Health Capital Robotics Media Energy Software"
).split()
_SUFFIXES = ("Inc.", "Ltd", "GmbH", "SAS", "BV", "AB", "Oy", "LLC")
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


@dataclass(frozen=True)
class PeopleFile:
    """A generated people CSV: where it is, how many rows and companies it holds."""

    path: Path
    rows: int
    companies: int


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(_BASE62[digit])
    return "".join(reversed(digits))


def _ascii(text: str) -> str:
    """``text`` without its accents: names may carry them, email addresses seldom do."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def company_ids(index: int, rng: random.Random) -> tuple[str, ...]:
    """The eight ids of company ``index``, in ``ID_LABELS`` order; unique by construction."""
    return (
        f"cust-{index:07d}",
        f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-"
        f"a{rng.getrandbits(12):03x}-{index:012x}",
        str(360_000_000_000 + index * 97 + rng.randrange(97)),
        str(5_000_000_000 + index * 131 + rng.randrange(131)),
        f"{rng.getrandbits(64):016x}{index:08x}",
        str(index + 1),
        f"ACCT-{rng.getrandbits(20):05X}-{index:07d}",
        "001" + _base62(index, 9) + _base62(rng.getrandbits(32), 6),
    )


def company_name(index: int, rng: random.Random) -> str:
    """A company name; a few carry a comma, so the CSV holds quoted fields."""
    name = f"{rng.choice(_WORDS)} {rng.choice(_KINDS)} {index}"
    suffix = rng.choice(_SUFFIXES)
    return f"{name}, {suffix}" if rng.random() < 0.1 else f"{name} {suffix}"


def write_people_csv(
    path: Path, rows: int, *, seed: int = 7, per_company: tuple[int, int] = (1, 7)
) -> PeopleFile:
    """Write ``rows`` people, ``per_company`` (inclusive range) to a company, to ``path``.

    The default range averages 4 people per company, so 1,000,000 rows make ~250,000
    companies; the last company may be cut short to hit ``rows`` exactly.
    """
    rng = random.Random(seed)
    written = 0
    company = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(PEOPLE_HEADER)
        while written < rows:
            name = company_name(company, rng)
            ids = company_ids(company, rng)
            domain = f"c{company}.example.com"
            size = min(rng.randint(*per_company), rows - written)
            for _ in range(size):
                first, last = rng.choice(_FIRST), rng.choice(_LAST)
                email = _ascii(f"{first}.{last}.{written}@{domain}".lower())
                writer.writerow((name, f"{first} {last}", email, *ids))
                written += 1
            company += 1
    return PeopleFile(path=path, rows=written, companies=company)


@dataclass(frozen=True)
class UpdateColumn:
    """One attribute column of the update file: its name, type and (for a select) options."""

    name: str
    type: str
    options: tuple[str, ...] = ()


UPDATE_COLUMNS = (
    UpdateColumn("Plan notes", "text"),
    UpdateColumn("Seats", "number"),
    UpdateColumn("Active", "checkbox"),
    UpdateColumn("Tier", "select", tuple(f"Tier {n}" for n in range(1, 11))),
    UpdateColumn("Account owner", "text"),
)


def _update_cell(column: UpdateColumn, rng: random.Random) -> str:
    if column.type == "number":
        return str(rng.randint(1, 5000))
    if column.type == "checkbox":
        return rng.choice(("true", "false"))
    if column.type == "select":
        return rng.choice(column.options)
    if column.name == "Account owner":
        return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    return " ".join(rng.choice(_WORDS).lower() for _ in range(rng.randint(2, 8)))


def write_update_csv(path: Path, companies: int, *, seed: int = 11) -> int:
    """Write one row per company (``customId`` plus ``UPDATE_COLUMNS``), in shuffled order.

    Returns the number of rows written.
    """
    rng = random.Random(seed)
    order = list(range(companies))
    rng.shuffle(order)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("customId", *(c.name for c in UPDATE_COLUMNS)))
        for index in order:
            cells = [_update_cell(column, rng) for column in UPDATE_COLUMNS]
            writer.writerow((f"cust-{index:07d}", *cells))
    return companies
