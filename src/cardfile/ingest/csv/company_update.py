"""``updateCompanyAttributeValuesFromCSV``: bulk-update existing companies from a CSV.

One identifier column finds each row's company; every other header must be an attribute
name (exactly, case-sensitive), another identifier column, or one of the company's own
fields (``arr``, ``numberOfEmployees``, ``domain``). An unknown header refuses the whole file,
naming it. A row whose company cannot be found, or that holds a bad value, is refused whole
and reported (row, column, reason); the other rows are applied.

Which column identifies the company: the caller names it (``identifier``), or else each row
is matched by the identifier columns it fills, in Cardfile's identity order (customId, then
each CRM's id, then companyName). An empty attribute cell unsets that attribute; an empty
identifier cell leaves that id as it is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from cardfile.ingest.csv.reader import CsvFileError, CsvRow, CsvSource, Progress, chunks
from cardfile.ingest.csv.report import CsvReport
from cardfile.store import attributes, bulk, changes
from cardfile.store.schema import (
    EXTERNAL_ID_COLUMNS,
    AttributeDefinition,
    Company,
    CompanyValue,
    table_of,
    utcnow,
)
from cardfile.types import AttributeType, InvalidValue, TypeSpec, parse, to_json

# Identifier columns in identity order; companyName, the weakest, comes last.
IDENTIFIERS: dict[str, str] = {**EXTERNAL_ID_COLUMNS, "companyName": "name"}
# The company's own fields a file may set, with the type their cells are parsed as.
BUILTINS: dict[str, tuple[str, TypeSpec]] = {
    "arr": ("arr", TypeSpec(AttributeType.NUMBER)),
    "numberOfEmployees": ("number_of_employees", TypeSpec(AttributeType.NUMBER)),
    "domain": ("domain", TypeSpec(AttributeType.DOMAIN)),
}
CHUNK = 2000

_COMPANIES = table_of(Company)
_VALUES = table_of(CompanyValue)
_FETCH = ("id", "domain", "arr", "number_of_employees", *IDENTIFIERS.values())


@dataclass(frozen=True)
class _Plan:
    """What each column of the file means."""

    keys: list[str]  # identifier headers used to match, in order
    identifiers: list[str]  # every identifier header present
    attributes: dict[str, AttributeDefinition]
    specs: dict[int, TypeSpec]
    builtins: list[str]


def _plan(session: Session, workspace_id: int, header: list[str], identifier: str | None) -> _Plan:
    definitions = {
        d.name: d for d in attributes.definitions(session, workspace_id, attributes.COMPANY)
    }
    present_ids = [name for name in IDENTIFIERS if name in header]
    unknown = [
        name
        for name in header
        if name not in definitions and name not in IDENTIFIERS and name not in BUILTINS
    ]
    if unknown:
        listed = ", ".join(f"'{name}'" for name in unknown)
        raise CsvFileError(
            f"unknown column(s) {listed}: every column must be an identifier "
            f"({', '.join(IDENTIFIERS)}), a company field ({', '.join(BUILTINS)}) or the exact "
            "name of a company attribute (names are case-sensitive)"
        )
    if identifier is not None:
        if identifier not in IDENTIFIERS:
            raise CsvFileError(
                f"'{identifier}' cannot identify companies; use one of {', '.join(IDENTIFIERS)}"
            )
        if identifier not in header:
            raise CsvFileError(f"the identifier column '{identifier}' is not in the file")
        keys = [identifier]
    elif present_ids:
        keys = present_ids
    else:
        raise CsvFileError(
            f"the file has no identifier column: add one of {', '.join(IDENTIFIERS)}"
        )
    attribute_columns = {
        name: d for name, d in definitions.items() if name in header and name not in IDENTIFIERS
    }
    return _Plan(
        keys=keys,
        identifiers=present_ids,
        attributes=attribute_columns,
        specs=attributes.specs(session, list(attribute_columns.values())),
        # An attribute of the same name as a company field takes its column.
        builtins=[b for b in BUILTINS if b in header and b not in definitions],
    )


class _ChunkCompanies:
    """The companies a chunk's identifier cells point at, fetched in one query per column."""

    def __init__(
        self, session: Session, workspace_id: int, plan: _Plan, rows: list[CsvRow]
    ) -> None:
        self.rows: dict[int, dict[str, Any]] = {}
        self.index: dict[tuple[str, str], list[int]] = defaultdict(list)
        for label in plan.identifiers:
            values = sorted({r.cells[label].strip() for r in rows if r.cells[label].strip()})
            matching = bulk.rows_matching(
                session,
                _COMPANIES,
                _FETCH,
                workspace_id=workspace_id,
                column=IDENTIFIERS[label],
                values=values,
            )
            for row in matching:
                found = dict(zip(_FETCH, row, strict=True))
                if found["id"] not in self.rows:
                    self.rows[found["id"]] = dict(found)
                    for other_label, other in IDENTIFIERS.items():
                        if found[other]:
                            self.index[(other_label, found[other])].append(found["id"])
        self.claimed: dict[tuple[str, str], int] = {}

    def owner(self, label: str, value: str) -> int | None:
        """Who holds this id now, counting ids earlier rows of the chunk moved."""
        if (label, value) in self.claimed:
            return self.claimed[(label, value)]
        owners = self.index.get((label, value))
        return owners[0] if owners else None


def _match(
    row: CsvRow, plan: _Plan, companies: _ChunkCompanies
) -> tuple[int | None, str | None, str]:
    """The row's company id, or None with the column and reason for refusing the row."""
    tried: list[str] = []
    for label in plan.keys:
        value = row.cells[label].strip()
        if not value:
            continue
        tried.append(f"{label} '{value}'")
        found = companies.index.get((label, value), [])
        if len(found) > 1:
            return (
                None,
                label,
                (f"{len(found)} companies are named '{value}'; identify them by an id column"),
            )
        if found:
            return found[0], label, ""
    if not tried:
        names = ", ".join(plan.keys)
        return None, plan.keys[0], f"the row has no identifier value (in {names})"
    return None, plan.keys[0], f"no company matches {' or '.join(tried)}"


def _parse_row(
    row: CsvRow, plan: _Plan, report: CsvReport
) -> tuple[dict[int, object | None], dict[str, Any]] | None:
    """Typed attribute values and company fields of a row, or None if a cell is bad."""
    values: dict[int, object | None] = {}
    fields: dict[str, Any] = {}
    bad = 0
    for name, definition in plan.attributes.items():
        spec = plan.specs[definition.id]
        try:
            values[definition.id] = to_json(spec, parse(spec, row.cells[name]))
        except InvalidValue as error:
            report.refuse(row.number, name, error.message)
            bad += 1
    for name in plan.builtins:
        column, spec = BUILTINS[name]
        try:
            parsed = parse(spec, row.cells[name])
        except InvalidValue as error:
            report.refuse(row.number, name, error.message)
            bad += 1
            continue
        if column == "number_of_employees" and parsed is not None:
            number = float(str(parsed))
            if not number.is_integer() or number < 0:
                report.refuse(row.number, name, f"'{row.cells[name]}' is not a whole number")
                bad += 1
                continue
            parsed = int(number)
        fields[column] = parsed
    if row.extra:
        report.refuse(
            row.number, None, f"the row has {len(row.extra)} more cell(s) than the header"
        )
        bad += 1
    return None if bad else (values, fields)


def update_companies(
    session: Session,
    workspace_id: int,
    stream: BinaryIO,
    *,
    identifier: str | None = None,
    progress: Progress | None = None,
    on_refusal: Any = None,
) -> CsvReport:
    """Apply a bulk-update CSV to the workspace's companies; the caller commits.

    Raises:
        CsvFileError: the file is unreadable, has an unknown header, or no identifier column.
    """
    report = CsvReport(on_refusal=on_refusal)
    source = CsvSource(stream)
    plan = _plan(session, workspace_id, source.header, identifier)
    report.identifier = plan.keys[0] if identifier else " > ".join(plan.keys)
    touched: set[int] = set()
    changed: set[int] = set()
    changes.lock(session)  # other writers wait: what the update looks up stays true
    with bulk.large_write(session):
        for number, batch in enumerate(chunks(source, CHUNK), start=1):
            report.rows += len(batch)
            _apply_chunk(session, workspace_id, plan, batch, report, touched, changed)
            if number & (number - 1) == 0:  # after chunks 1, 2, 4, 8…: as the values grow
                bulk.refresh_statistics(session, [_COMPANIES, _VALUES])
            if progress is not None:
                progress(report.rows, source.bytes_read)
    report.companies_updated = len(changed)
    report.companies_unchanged = len(touched - changed)
    return report


def _apply_chunk(
    session: Session,
    workspace_id: int,
    plan: _Plan,
    batch: list[CsvRow],
    report: CsvReport,
    touched: set[int],
    changed: set[int],
) -> None:
    companies = _ChunkCompanies(session, workspace_id, plan, batch)
    wanted: list[tuple[int, dict[int, object | None], dict[str, Any]]] = []
    for row in batch:
        company_id, column, reason = _match(row, plan, companies)
        if company_id is None:
            report.refuse(row.number, column, reason)
            report.refused_rows += 1
            continue
        parsed = _parse_row(row, plan, report)
        if parsed is None:
            report.refused_rows += 1
            continue
        values, fields = parsed
        conflict = False
        for label in plan.identifiers:
            value = row.cells[label].strip()
            if not value or label == column:
                continue
            owner = companies.owner(label, value) if label != "companyName" else None
            if owner is not None and owner != company_id:
                report.refuse(
                    row.number, label, f"{label} '{value}' already belongs to another company"
                )
                conflict = True
                break
            fields[IDENTIFIERS[label]] = value
        if conflict:
            report.refused_rows += 1
            continue
        for label in plan.identifiers:
            value = row.cells[label].strip()
            if value and label != "companyName":
                companies.claimed[(label, value)] = company_id
        wanted.append((company_id, values, fields))
        report.rows_applied += 1
    _write(session, companies, wanted, report, touched, changed)


def _write(
    session: Session,
    companies: _ChunkCompanies,
    wanted: list[tuple[int, dict[int, object | None], dict[str, Any]]],
    report: CsvReport,
    touched: set[int],
    changed: set[int],
) -> None:
    current = attributes.values_of(
        session, attributes.COMPANY, sorted({company_id for company_id, _, _ in wanted})
    )
    stored = {
        (company_id, definition_id): value
        for company_id, held in current.items()
        for _row_id, definition_id, value in held
    }
    assignments: dict[tuple[int, int], object | None] = {}
    field_changes: dict[int, dict[str, Any]] = defaultdict(dict)
    for company_id, values, fields in wanted:
        touched.add(company_id)
        for definition_id, value in values.items():
            key = (company_id, definition_id)
            if stored.get(key) != value:
                assignments[key] = value
                stored[key] = value
        row = companies.rows[company_id]
        for column, value in fields.items():
            if row.get(column) != value:
                field_changes[company_id][column] = value
                row[column] = value
    if assignments:
        attributes.set_values(
            session,
            attributes.COMPANY,
            [(c, d, v) for (c, d), v in assignments.items()],
            bump=False,
        )
        report.values_set += sum(1 for v in assignments.values() if v is not None)
        report.values_unset += sum(1 for v in assignments.values() if v is None)
    ids = sorted({c for c, _ in assignments} | set(field_changes))
    if not ids:
        return
    first = changes.take(session, len(ids))
    now = bulk.bound(session, _COMPANIES, "updated_at", utcnow())
    by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for offset, company_id in enumerate(ids):
        fields = field_changes.get(company_id, {})
        columns = tuple(sorted(fields))
        by_columns[columns].append((*(fields[c] for c in columns), first + offset, now, company_id))
    for columns, batch in by_columns.items():
        bulk.update_rows(session, _COMPANIES, [*columns, "change_seq", "updated_at"], batch)
    changed.update(ids)
