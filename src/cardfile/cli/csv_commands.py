"""``cardfile import`` and ``cardfile update``: the GraphQL CSV mutations, from a shell."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import typer
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from sqlalchemy.orm import Session

from cardfile.cli.context import store_session
from cardfile.cli.output import JsonOption, console, emit_json, fail
from cardfile.ingest.csv import CsvFileError, CsvReport, import_people, update_companies
from cardfile.ingest.csv.report import RefusalFile
from cardfile.store import workspaces
from cardfile.store.errors import StoreError


class RowsPerSecond(ProgressColumn):
    """Rows done and the rate, from the task's ``rows`` field."""

    def render(self, task: Task) -> Text:
        """Render ``N rows, R rows/s``."""
        rows = int(task.fields.get("rows", 0))
        elapsed = task.elapsed or 0
        rate = rows / elapsed if elapsed > 0 else 0
        return Text(f"{rows:,} rows  {rate:,.0f} rows/s")


Runner = Callable[[Session, int, BinaryIO, Any, Any], CsvReport]


def run_csv(file: Path, workspace: str, as_json: bool, runner: Runner, verb: str) -> None:
    """Run ``runner`` on ``file`` with a progress bar and a report (shared by both commands).

    Refusals go to a temporary file that replaces ``FILE.refused.csv`` only when the run
    succeeds (a run without refusals removes a stale one); a failed run changes nothing,
    neither the store nor the refusal list of an earlier run.
    """
    if not file.is_file():
        raise fail(f"{file} is not a file", as_json=as_json)
    refused_path = file.with_name(file.name + ".refused.csv")
    pending = file.with_name(f".{file.name}.refused.csv.partial")
    try:
        refusals = RefusalFile(pending)
    except OSError as error:
        raise fail(
            f"cannot write the list of refused rows beside {file.name}: {error.strerror}",
            as_json=as_json,
        ) from None
    size = file.stat().st_size
    columns = [
        # The file name is data: neither str.format fields nor Rich markup.
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        RowsPerSecond(),
        TimeRemainingColumn(),
    ]
    succeeded = False
    try:
        with (
            Progress(*columns, console=console, disable=as_json, transient=False) as progress,
            store_session() as session,
            file.open("rb") as stream,
        ):
            task = progress.add_task(f"{verb} {file.name}", total=size, rows=0)
            found = workspaces.require_by_slug(session, workspace)

            def advance(rows: int, read: int) -> None:
                progress.update(task, completed=read, rows=rows)

            report = runner(session, found.id, stream, advance, refusals)
            progress.update(task, completed=size)
        succeeded = True
    except (CsvFileError, StoreError) as error:
        raise fail(f"{file.name}: {error.message} (nothing was changed)", as_json=as_json) from None
    finally:
        refusals.close()
        if not succeeded:
            pending.unlink(missing_ok=True)
    if refusals.count:
        pending.replace(refused_path)
    else:
        refused_path.unlink(missing_ok=True)
    data = report.as_dict()
    if refusals.count:
        data["refusedFile"] = str(refused_path)
    if as_json:
        emit_json(data)
    else:
        _print_report(report, refusals.count, refused_path)


def _print_report(report: CsvReport, refused: int, path: Path) -> None:
    console.print(
        f"{report.rows:,} rows: {report.rows_applied:,} applied, {report.refused_rows:,} refused"
    )
    console.print(
        f"companies: {report.companies_created:,} created, {report.companies_updated:,} updated, "
        f"{report.companies_unchanged:,} unchanged"
    )
    if report.people_created or report.people_updated or report.people_unchanged:
        console.print(
            f"people: {report.people_created:,} created, {report.people_updated:,} updated, "
            f"{report.people_unchanged:,} unchanged"
        )
    if report.values_set or report.values_unset:
        console.print(f"values: {report.values_set:,} set, {report.values_unset:,} unset")
    if report.ignored_columns:
        console.print(f"ignored columns: {', '.join(report.ignored_columns)}", markup=False)
    for refusal in report.refusals[:10]:
        column = f" [{refusal.column}]" if refusal.column else ""
        console.print(f"  row {refusal.row}{column}: {refusal.reason}", markup=False)
    if refused:
        console.print(f"every refusal ({refused:,}) is listed in {path}", markup=False)


def import_command(
    file: Path = typer.Argument(..., help="A people-granularity CSV (see docs/csv.md)."),
    workspace: str = typer.Option(..., "--workspace", help="The workspace's slug."),
    as_json: bool = JsonOption,
) -> None:
    """Import companies and people from a CSV, as importCustomersFromCSV does."""
    run_csv(
        file,
        workspace,
        as_json,
        lambda s, w, f, p, r: import_people(s, w, f, progress=p, on_refusal=r),
        "importing",
    )


def update_command(
    file: Path = typer.Argument(..., help="A company bulk-update CSV (see docs/csv.md)."),
    workspace: str = typer.Option(..., "--workspace", help="The workspace's slug."),
    key: str | None = typer.Option(
        None,
        "--key",
        help="The identifier column that matches companies (default: each row's "
        "first filled identifier, in the order customId, CRM ids, companyName).",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Bulk-update company attributes from a CSV, as updateCompanyAttributeValuesFromCSV does."""
    run_csv(
        file,
        workspace,
        as_json,
        lambda s, w, f, p, r: update_companies(s, w, f, identifier=key, progress=p, on_refusal=r),
        "updating",
    )
