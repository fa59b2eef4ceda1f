"""``cardfile destinations`` and ``cardfile events``: destinations kept in a YAML file of the
user's repo and applied; a source's events read back with what each action did; deliveries
replayed after a fix.

A YAML file holds ``destinations:``, a list of definitions in the shape REST takes. ``apply``
checks every one against its vendor before it saves any: a file with one bad destination is
refused whole, naming the destination and the field.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
import yaml

from cardfile.cli.context import WorkspaceOption, definitions_in, opened_store
from cardfile.cli.output import JsonOption, emit_json, emit_row, fail
from cardfile.store import deliveries, destinations
from cardfile.store.db import transaction
from cardfile.store.schema import as_utc
from cardfile.sync.actions import debugger
from cardfile.sync.actions.definitions import checked, stored
from cardfile.sync.actions.spec import DestinationSpec
from cardfile.sync.spec import SpecError

destinations_app = typer.Typer(help="Send a source's events on to a CRM.", no_args_is_help=True)
events_app = typer.Typer(help="Tracking events: what arrived, what was done.", no_args_is_help=True)


@destinations_app.command("apply")
def apply(
    path: Path = typer.Argument(..., help="A YAML file with a 'destinations:' list."),
    workspace: str = WorkspaceOption,
    as_json: bool = JsonOption,
) -> None:
    """Create or update every destination in the file (all checked first; none saved if one
    fails)."""
    definitions = definitions_in(path, "destinations")
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        vault = store.vault()
        specs: list[tuple[DestinationSpec, list[str]]] = []
        for n, data in enumerate(definitions):
            label = data.get("name") or f"destinations[{n}]"
            try:
                specs.append(asyncio.run(checked(store.sessions, vault, workspace_id, data)))
            except SpecError as error:
                where = f"{error.field}: " if error.field else ""
                raise fail(f"{label}: {where}{error.message}", as_json=as_json) from None
        names = [s.name for s, _ in specs]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise fail(f"{path}: names used twice: {', '.join(doubled)}", as_json=as_json)
        outcome: list[dict[str, Any]] = []
        with transaction(store.sessions) as session:
            for spec, warnings in specs:
                try:
                    _, created = stored(session, workspace_id, spec)
                except SpecError as error:
                    raise fail(f"{spec.name}: {error}", as_json=as_json) from None
                outcome.append(
                    {
                        "name": spec.name,
                        "result": "created" if created else "saved",
                        "warnings": warnings,
                    }
                )
    if as_json:
        emit_json(outcome)
        return
    for entry in outcome:
        emit_row(entry["result"], entry["name"])
        for warning in entry["warnings"]:
            emit_row("warning", entry["name"], warning)


@destinations_app.command("list")
def list_destinations(workspace: str = WorkspaceOption, as_json: bool = JsonOption) -> None:
    """The workspace's destinations, with their deliveries counted by status."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with store.sessions() as session:
            rows: list[dict[str, Any]] = [
                {
                    "name": d.name,
                    "source": d.source,
                    "connection": d.connection,
                    "enabled": d.enabled,
                    "actions": [a.name for a in d.actions],
                    "deliveries": deliveries.counts(session, d.id),
                }
                for d in destinations.list_for(session, workspace_id)
            ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        counts = " ".join(f"{k}={v}" for k, v in sorted(row["deliveries"].items()))
        emit_row(
            row["name"], f"{row['source']} -> {row['connection']}", ",".join(row["actions"]), counts
        )


@destinations_app.command("show")
def show(name: str, workspace: str = WorkspaceOption) -> None:
    """A destination's definition, as YAML ``apply`` takes back."""
    with opened_store(as_json=False) as store:
        workspace_id = store.workspace_id(workspace)
        with store.sessions() as session:
            found = destinations.get(session, workspace_id, name)
    typer.echo(yaml.safe_dump({"destinations": [found.definition()]}, sort_keys=False))


@destinations_app.command("remove")
def remove(name: str, workspace: str = WorkspaceOption, as_json: bool = JsonOption) -> None:
    """Delete a destination and its deliveries (what reached the vendor stays there)."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with transaction(store.sessions) as session:
            destinations.delete(session, workspace_id, name)
    if as_json:
        emit_json({"name": name, "deleted": True})
    else:
        emit_row("deleted", name)


def _when(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise fail(f"{option}: expected an ISO 8601 time, e.g. 2026-11-23T10:00:00Z") from None


@events_app.command("replay")
def replay(
    workspace: str = WorkspaceOption,
    destination: str | None = typer.Option(None, help="Only this destination (default: all)."),
    since: str | None = typer.Option(None, help="Events received at or after (ISO 8601)."),
    until: str | None = typer.Option(None, help="Events received before (ISO 8601)."),
    status: list[str] = typer.Option(
        ["failed", "dead"], "--status", help="Deliveries in this status (repeatable)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Deliver events again (after fixing a mapping, say): the dead letters and failures by
    default, of a time range if given. The workers send them at once."""
    unknown = sorted(set(status) - set(deliveries.STATUSES))
    if unknown:
        raise fail(f"--status: unknown {', '.join(unknown)}", as_json=as_json)
    start, end = _when(since, "--since"), _when(until, "--until")
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with transaction(store.sessions) as session:
            chosen = (
                [destinations.get(session, workspace_id, destination)]
                if destination
                else destinations.list_for(session, workspace_id)
            )
            counts = {
                d.name: deliveries.replay(
                    session,
                    workspace_id,
                    destination_id=d.id,
                    since=start,
                    until=end,
                    statuses=status,
                )
                for d in chosen
            }
        from cardfile.jobs.tasks import Jobs

        jobs = Jobs(store.settings, store.sessions)
        for d in chosen:
            if counts[d.name]:
                jobs.deliver(d.id)
    if as_json:
        emit_json(counts)
        return
    for name, count in counts.items():
        emit_row(name, f"{count} replayed")


@events_app.command("list")
def list_events(
    source: str = typer.Argument(..., help="The source's name."),
    workspace: str = WorkspaceOption,
    limit: int = typer.Option(20, min=1, max=500, help="How many, newest first."),
    as_json: bool = JsonOption,
) -> None:
    """The debugger: a source's newest events and what every action did with each."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with store.sessions() as session:
            views = debugger.recent(session, workspace_id, source, limit=limit, before=None)
    if as_json:
        emit_json([v.__dict__ | {"actions": [a.__dict__ for a in v.actions]} for v in views])
        return
    for view in views:
        who = view.user_id or view.anonymous_id or "-"
        emit_row(view.id, view.received_at.isoformat(), view.type, who, f"hub: {view.hub_status}")
        for action in view.actions:
            emit_row("", f"{action.destination}/{action.action}", action.status, action.error or "")
