"""What an import or update did, row by row where it refused something."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The response of an API call carries at most this many refusals; the full list goes to
# ``on_refusal`` (the CLI writes it to a file).
MAX_REPORTED_REFUSALS = 1000


@dataclass(frozen=True)
class Refusal:
    """A refused row: its spreadsheet row number, the column at fault (if one), and why."""

    row: int
    column: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class CsvReport:
    """Counts of what happened, plus the refused rows."""

    rows: int = 0
    rows_applied: int = 0
    companies_created: int = 0
    companies_updated: int = 0
    companies_unchanged: int = 0
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    values_set: int = 0
    values_unset: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    refused_rows: int = 0
    identifier: str | None = None
    on_refusal: Callable[[Refusal], None] | None = None
    keep: int | None = MAX_REPORTED_REFUSALS  # refusals kept in ``refusals``; None: all

    def refuse(self, row: int, column: str | None, reason: str) -> None:
        """Record one refusal (a row may have several, one per bad cell)."""
        refusal = Refusal(row=row, column=column, reason=reason)
        if self.keep is None or len(self.refusals) < self.keep:
            self.refusals.append(refusal)
        if self.on_refusal is not None:
            self.on_refusal(refusal)

    def merge_refusals(self, other: CsvReport) -> None:
        """Take the refusals another (scratch) report collected, in order."""
        for refusal in other.refusals:
            self.refuse(refusal.row, refusal.column, refusal.reason)
        self.refused_rows += other.refused_rows

    def as_dict(self) -> dict[str, Any]:
        """JSON form, as the GraphQL mutations return it."""
        data: dict[str, Any] = {
            "rows": self.rows,
            "rowsApplied": self.rows_applied,
            "rowsRefused": self.refused_rows,
            "companies": {
                "created": self.companies_created,
                "updated": self.companies_updated,
                "unchanged": self.companies_unchanged,
            },
            "people": {
                "created": self.people_created,
                "updated": self.people_updated,
                "unchanged": self.people_unchanged,
            },
            "values": {"set": self.values_set, "unset": self.values_unset},
            "ignoredColumns": self.ignored_columns,
            "refused": [r.as_dict() for r in self.refusals],
            "refusedTruncated": self.refused_rows > len({r.row for r in self.refusals}),
        }
        if self.identifier is not None:
            data["identifier"] = self.identifier
        return data


class RefusalFile:
    """Writes every refusal to a CSV file as it happens (row, column, reason)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = path.open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._handle)
        self._writer.writerow(["row", "column", "reason"])
        self.count = 0

    def __call__(self, refusal: Refusal) -> None:
        self._writer.writerow([refusal.row, refusal.column or "", refusal.reason])
        self.count += 1

    def close(self) -> None:
        """Flush and close; removes the file when nothing was refused."""
        self._handle.close()
        if self.count == 0:
            self.path.unlink(missing_ok=True)
