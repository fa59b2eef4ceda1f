"""``cardfile syncs`` and ``cardfile runs``: syncs kept in a YAML file of the user's repo,
applied, run with a progress bar, and their runs' results read back.

A YAML file holds ``syncs:``, a list of definitions in the shape REST takes. ``apply`` checks
every one against its destination's fields before it saves any: a file with one bad sync is
refused whole, naming the sync and the field, so what is stored always matches one version of
the file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from cardfile.cli.context import OpenedStore, WorkspaceOption, definitions_in, opened_store
from cardfile.cli.output import JsonOption, console, emit_json, emit_row, fail
from cardfile.jobs.syncs import run_sync
from cardfile.store import runs, syncs
from cardfile.store.db import transaction
from cardfile.store.errors import NotFound
from cardfile.store.runs import StoredRun
from cardfile.store.schema import Company, Person
from cardfile.sync.definitions import checked
from cardfile.sync.spec import SpecError, SyncSpec

syncs_app = typer.Typer(help="Keep CRMs in agreement with the hub.", no_args_is_help=True)
runs_app = typer.Typer(help="What sync runs did.", no_args_is_help=True)


@syncs_app.command("apply")
def apply(
    path: Path = typer.Argument(..., help="A YAML file with a 'syncs:' list."),
    workspace: str = WorkspaceOption,
    as_json: bool = JsonOption,
) -> None:
    """Create or update every sync in the file (all checked first; none saved if one fails)."""
    definitions = definitions_in(path, "syncs")
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        vault = store.vault()
        specs: list[SyncSpec] = []
        for n, data in enumerate(definitions):
            label = data.get("name") or f"syncs[{n}]"
            try:
                specs.append(asyncio.run(checked(store.sessions, vault, workspace_id, data)))
            except SpecError as error:
                raise fail(f"{label}: {error.field}: {error.message}", as_json=as_json) from None
        names = [s.name for s in specs]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise fail(f"{path}: sync names used twice: {', '.join(doubled)}", as_json=as_json)
        outcome: list[dict[str, str]] = []
        with transaction(store.sessions) as session:
            for spec in specs:
                before = _current(session, workspace_id, spec.name)
                _, created = syncs.save(session, workspace_id, spec.as_dict())
                state = "created" if created else "unchanged"
                if not created and before != spec.as_dict():
                    state = "updated"
                outcome.append({"name": spec.name, "result": state})
    if as_json:
        emit_json(outcome)
        return
    for entry in outcome:
        emit_row(entry["result"], entry["name"])


def _current(session: Any, workspace_id: int, name: str) -> dict[str, Any] | None:
    try:
        return syncs.get(session, workspace_id, name).definition
    except NotFound:
        return None


@syncs_app.command("list")
def list_syncs(workspace: str = WorkspaceOption, as_json: bool = JsonOption) -> None:
    """The workspace's syncs with their latest run."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with store.sessions() as session:
            found = syncs.list_for(session, workspace_id)
            latest = {s.id: runs.list_for(session, s.id, limit=1) for s in found}
    rows = [
        {
            "name": s.name,
            "connection": s.connection,
            "source": s.definition["source"],
            "entity": s.definition["entity"],
            "schedule": s.definition["schedule"],
            "enabled": s.definition["enabled"],
            "last_run": _run_dict(latest[s.id][0]) if latest[s.id] else None,
        }
        for s in found
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        last = row["last_run"]
        emit_row(
            row["name"],
            f"{row['source']} -> {row['connection']}/{row['entity']}",
            row["schedule"],
            f"{last['status']} {last['created_at']}" if last else "never run",
        )


@syncs_app.command("show")
def show(
    name: str = typer.Argument(..., help="The sync's name."),
    workspace: str = WorkspaceOption,
    as_json: bool = JsonOption,
) -> None:
    """A sync's definition (as YAML) and its latest runs."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with store.sessions() as session:
            sync = syncs.get(session, workspace_id, name)
            latest = runs.list_for(session, sync.id, limit=5)
    if as_json:
        emit_json({**sync.definition, "runs": [_run_dict(r) for r in latest]})
        return
    typer.echo(yaml.safe_dump({"syncs": [sync.definition]}, sort_keys=False).rstrip())
    for run in latest:
        emit_row(run.id, run.status, run.created_at.isoformat(), _summary(run))


def _run_dict(run: StoredRun) -> dict[str, Any]:
    return {
        "run_id": run.id,
        "status": run.status,
        "full": run.full,
        "dry_run": run.dry_run,
        "trigger": run.trigger,
        "counts": run.counts,
        "error": run.error,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def _summary(run: StoredRun) -> str:
    c = run.counts
    return (
        f"created {c.get('created', 0)}, updated {c.get('updated', 0)}, "
        f"unchanged {c.get('unchanged', 0)}, failed {c.get('failed', 0)}, "
        f"skipped {c.get('skipped', 0)}, removed {c.get('removed', 0)}; "
        f"{c.get('requests', 0)} requests, {c.get('rate_limited', 0)} 429s, "
        f"{c.get('seconds', 0)} s"
    )


def _total(store: OpenedStore, workspace_id: int, source: str) -> int:
    from sqlalchemy import func, select

    model: Any = Company if source == "companies" else Person
    with store.sessions() as session:
        return int(
            session.scalar(select(func.count()).where(model.workspace_id == workspace_id)) or 0
        )


@syncs_app.command("run")
def run(
    name: str = typer.Argument(..., help="The sync's name."),
    workspace: str = WorkspaceOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan only: send nothing."),
    full: bool = typer.Option(False, "--full", help="Send every record, changed or not."),
    as_json: bool = JsonOption,
) -> None:
    """Run a sync now, in this process, with a progress bar; exits 1 unless it succeeded."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        vault = store.vault()
        with transaction(store.sessions) as session:
            sync = syncs.get(session, workspace_id, name)
            started, created = runs.start(session, sync, full=full, dry_run=dry_run, trigger="cli")
        if not created:
            raise fail(
                f"{name} is already running (run {started.id}); see cardfile runs show",
                as_json=as_json,
            )
        total = _total(store, workspace_id, sync.definition["source"])
        _execute(store, vault, started.id, total, quiet=as_json)
        with store.sessions() as session:
            done = runs.get(session, workspace_id, started.id)
    if as_json:
        emit_json(_run_dict(done))
    else:
        console.print(f"{done.status}: {_summary(done)}", highlight=False)
        if done.error:
            console.print(done.error, highlight=False)
    if done.status != runs.SUCCEEDED:
        raise typer.Exit(1)


def _execute(store: OpenedStore, vault: Any, run_id: str, total: int, *, quiet: bool) -> None:
    """Run the run here, drawing its counts as they are stored."""

    async def with_progress() -> None:
        task = asyncio.create_task(run_sync(store.sessions, vault, run_id))
        if quiet:
            await task
            return
        columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[line]}"))
        with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
            bar = progress.add_task("syncing", total=max(total, 1), line="")
            while not task.done():
                await asyncio.sleep(0.25)
                counts = await asyncio.to_thread(_counts, store, run_id)
                looked = counts.get("planned", 0) + counts.get("filtered", 0)
                progress.update(
                    bar,
                    completed=min(looked, total),
                    line=f"{counts.get('created', 0)} created, {counts.get('updated', 0)} "
                    f"updated, {counts.get('failed', 0)} failed",
                )
            progress.update(bar, completed=max(total, 1))
        await task

    asyncio.run(with_progress())


def _counts(store: OpenedStore, run_id: str) -> dict[str, Any]:
    with store.sessions() as session:
        return runs.by_id(session, run_id).counts


@runs_app.command("show")
def show_run(
    run_id: str = typer.Argument(..., help="The run's id."),
    workspace: str = WorkspaceOption,
    failed: bool = typer.Option(False, "--failed", help="List each refused record and why."),
    as_json: bool = JsonOption,
) -> None:
    """A run's status and counts; with --failed, every record the vendor refused."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with store.sessions() as session:
            run_found = runs.get(session, workspace_id, run_id)
            refused: list[runs.Result] = []
            after = 0
            while failed:
                page = runs.results(
                    session, workspace_id, run_id, outcome="failed", after=after, limit=1000
                )
                refused += page
                if len(page) < 1000:
                    break
                after = page[-1].record_id
    if as_json:
        shown = _run_dict(run_found)
        if failed:
            shown["failed"] = [
                {"record_id": r.record_id, "error": r.error, "attempt": r.attempt} for r in refused
            ]
        emit_json(shown)
        return
    console.print(f"{run_found.id} {run_found.status}: {_summary(run_found)}", highlight=False)
    for result in refused:
        emit_row(result.record_id, f"attempt {result.attempt}", result.error or "")
