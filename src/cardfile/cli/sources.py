"""``cardfile sources`` and ``cardfile write-keys``: where tracking events come from, and the
keys the Segment, RudderStack and Customer.io SDKs send.

A write key's secret is printed once, by the command that creates it; only its hash is kept.
A running server notices a key revoked here within ``CARDFILE_TRACKING_KEY_CACHE_SECONDS``.
"""

from __future__ import annotations

from typing import Any

import typer

from cardfile.cli.context import opened_store
from cardfile.cli.output import JsonOption, console, emit_json, emit_row
from cardfile.store import sources
from cardfile.store.db import transaction
from cardfile.store.errors import NotFound
from cardfile.store.schema import Source, WriteKey

sources_app = typer.Typer(
    help="Tracking sources: where events come from (a website, an app, a backend).",
    no_args_is_help=True,
)
write_keys_app = typer.Typer(
    help="Issue, list and revoke a source's write keys.", no_args_is_help=True
)

WorkspaceOption = typer.Option(..., "--workspace", help="The workspace's slug.")
SourceArgument = typer.Argument(..., help="The source's name or id.")


def _source(source: Source) -> dict[str, Any]:
    return {"id": source.id, "name": source.name, "created_at": source.created_at.isoformat()}


def _key(key: WriteKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "source_id": key.source_id,
        "name": key.name,
        "prefix": key.prefix,
        "status": "revoked" if key.revoked_at else "live",
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def _issued(issued: sources.IssuedWriteKey) -> dict[str, Any]:
    return {**_key(issued.record), "secret": issued.secret}


@sources_app.command("create")
def create_source(
    name: str = typer.Argument(..., help="Lower case letters, digits, '-' and '_'."),
    workspace: str = WorkspaceOption,
    as_json: bool = JsonOption,
) -> None:
    """Create a source with a first write key; the key is printed once."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with transaction(store.sessions) as session:
            source = sources.create(session, workspace_id=workspace_id, name=name)
            data = {**_source(source), "write_key": _issued(sources.create_key(session, source))}
    if as_json:
        emit_json(data)
    else:
        emit_row(data["write_key"]["secret"])  # verbatim: Rich would fold it


@sources_app.command("list")
def list_sources(workspace: str = WorkspaceOption, as_json: bool = JsonOption) -> None:
    """List the workspace's sources."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with store.sessions() as session:
            data = [_source(s) for s in sources.list_for(session, workspace_id)]
    if as_json:
        emit_json(data)
        return
    for row in data:
        emit_row(row["id"], row["name"], row["created_at"])


@sources_app.command("delete")
def delete_source(
    source: str = SourceArgument, workspace: str = WorkspaceOption, as_json: bool = JsonOption
) -> None:
    """Delete a source with its write keys and its events."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with transaction(store.sessions) as session:
            found = sources.get(session, workspace_id, source)
            name = found.name
            sources.delete(session, workspace_id, found.id)
    if as_json:
        emit_json({"deleted": name})
    else:
        console.print(f"deleted source {name}", highlight=False)


@write_keys_app.command("create")
def create_write_key(
    source: str = SourceArgument,
    workspace: str = WorkspaceOption,
    name: str = typer.Option("", "--name", help="A label to recognise the key by."),
    as_json: bool = JsonOption,
) -> None:
    """Issue a write key for a source; it is printed once and cannot be shown again."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with transaction(store.sessions) as session:
            found = sources.get(session, workspace_id, source)
            data = _issued(sources.create_key(session, found, name=name))
    if as_json:
        emit_json(data)
    else:
        emit_row(data["secret"])


@write_keys_app.command("list")
def list_write_keys(
    source: str = SourceArgument, workspace: str = WorkspaceOption, as_json: bool = JsonOption
) -> None:
    """List a source's write keys (their prefixes only), revoked ones included."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with store.sessions() as session:
            found = sources.get(session, workspace_id, source)
            data = [_key(k) for k in sources.keys_of(session, found)]
    if as_json:
        emit_json(data)
        return
    for row in data:
        emit_row(row["id"], f"{row['prefix']}…", row["status"], row["name"])


@write_keys_app.command("revoke")
def revoke_write_key(
    key_id: int = typer.Argument(..., help="The key's id (see `write-keys list`)."),
    workspace: str = WorkspaceOption,
    as_json: bool = JsonOption,
) -> None:
    """Revoke a write key: the tracking API refuses it from now on (a running server within
    CARDFILE_TRACKING_KEY_CACHE_SECONDS)."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        if not 0 < key_id < 2**63:
            raise NotFound(f"no write key with id {key_id} in this workspace")
        with transaction(store.sessions) as session:
            data = _key(sources.revoke_key(session, workspace_id, key_id))
    if as_json:
        emit_json(data)
    else:
        console.print(f"revoked write key {key_id}", highlight=False)
