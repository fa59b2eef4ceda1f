"""The rows of a people-granularity CSV: which column is which, and each row checked."""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter

from cardfile.ingest.csv.reader import CsvFileError, CsvRow
from cardfile.ingest.csv.report import CsvReport
from cardfile.store.people import normalise_email
from cardfile.store.schema import EXTERNAL_ID_COLUMNS
from cardfile.types import AttributeType, InvalidValue, TypeSpec, parse

REQUIRED = ("companyName", "name", "email")
# Cycle's doc lists "pipedrive (optional)" beside the pipedriveId column of its example.
ALIASES = {"pipedrive": "pipedriveId"}

_EMAIL = TypeSpec(AttributeType.EMAIL)


@dataclass
class PersonRow:
    """A valid row: the person, their company's name and the company's ids by store column."""

    number: int
    company_name: str
    person_name: str
    email: str
    ids: dict[str, str]


class Columns:
    """Where each understood column sits in a row, by position."""

    def __init__(
        self,
        company_name: int,
        name: int,
        email: int,
        ids: tuple[tuple[str, int], ...],
        headers: dict[str, str],
    ) -> None:
        self.company_name = company_name
        self.name = name
        self.email = email
        self.ids = ids  # (store column, position)
        self.headers = headers  # canonical name -> header as written
        self._id_cells = itemgetter(*(p for _, p in ids)) if ids else None
        self._last: tuple[object, dict[str, str]] = ((), {})

    def ids_of(self, values: list[str]) -> dict[str, str]:
        """The row's non-empty company ids by store column.

        A company's people usually sit on consecutive rows with the same id cells, so the
        previous row's answer is reused when its cells are the same (the dict is shared and
        must not be changed by its users).
        """
        if self._id_cells is None:
            return {}
        cells = self._id_cells(values)
        if cells == self._last[0]:
            return self._last[1]
        if len(self.ids) == 1:
            cells_tuple: tuple[str, ...] = (cells,)
        else:
            cells_tuple = cells
        found = {
            column: value
            for (column, _), cell in zip(self.ids, cells_tuple, strict=True)
            if (value := cell.strip())
        }
        self._last = (cells, found)
        return found


def locate_columns(header: list[str], report: CsvReport) -> Columns:
    """Locate each understood column; note the ignored ones in the report."""
    known = {"companyName", "name", "email", *EXTERNAL_ID_COLUMNS}
    positions: dict[str, int] = {}
    for position, name in enumerate(header):
        canonical = ALIASES.get(name, name)
        if canonical in known and canonical not in positions:
            positions[canonical] = position
        else:
            report.ignored_columns.append(name)
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise CsvFileError(
            f"the header lacks the required column(s) {', '.join(missing)}; "
            f"a people import needs {', '.join(REQUIRED)}"
        )
    return Columns(
        company_name=positions["companyName"],
        name=positions["name"],
        email=positions["email"],
        ids=tuple(
            (column, positions[label])
            for label, column in EXTERNAL_ID_COLUMNS.items()
            if label in positions
        ),
        headers={canonical: header[position] for canonical, position in positions.items()},
    )


def check_row(row: CsvRow, columns: Columns, report: CsvReport) -> PersonRow | None:
    """The row as a ``PersonRow``, or None after reporting each of its problems."""
    values = row.values
    company_name = values[columns.company_name].strip()
    person_name = values[columns.name].strip()
    email = ""
    problems: list[tuple[str | None, str]] = []
    try:
        parsed = parse(_EMAIL, values[columns.email])
        if parsed is None:
            problems.append((columns.headers["email"], "is empty: every row needs an email"))
        else:
            email = normalise_email(str(parsed)) or ""
    except InvalidValue as error:
        problems.append((columns.headers["email"], error.message))
    if row.extra or not company_name or not person_name or problems:
        if row.extra:
            problems.insert(0, (None, f"the row has {len(row.extra)} more cell(s) than the header"))
        if not company_name:
            problems.append(
                (columns.headers["companyName"], "is empty: every row needs its company's name")
            )
        if not person_name:
            problems.append(
                (
                    columns.headers["name"],
                    "is empty: give the person's name, or 'Main contact' for a company",
                )
            )
        for column, reason in problems:
            report.refuse(row.number, column, reason)
        report.refused_rows += 1
        return None
    return PersonRow(row.number, company_name, person_name, email, columns.ids_of(values))
