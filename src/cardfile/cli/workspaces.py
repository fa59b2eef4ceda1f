"""``cardfile workspaces`` and ``cardfile api-keys``."""

from __future__ import annotations

import typer

from cardfile import ids
from cardfile.cli.context import store_session
from cardfile.cli.output import JsonOption, console, emit_json, emit_row, fail
from cardfile.store import api_keys, workspaces
from cardfile.store.errors import StoreError

workspaces_app = typer.Typer(help="Create and list workspaces.", no_args_is_help=True)
keys_app = typer.Typer(help="Issue and revoke API keys.", no_args_is_help=True)


@workspaces_app.command("create")
def create_workspace(
    name: str = typer.Option(..., "--name", help="Display name."),
    slug: str = typer.Option(..., "--slug", help="Lowercase letters, digits and dashes."),
    as_json: bool = JsonOption,
) -> None:
    """Create a workspace and print its id (the productId of the GraphQL API)."""
    try:
        with store_session() as session:
            workspace = workspaces.create(session, name=name, slug=slug)
            data = {
                "id": ids.encode("Product", workspace.id),
                "name": workspace.name,
                "slug": workspace.slug,
            }
    except StoreError as error:
        raise fail(error.message, as_json=as_json) from None
    if as_json:
        emit_json(data)
    else:
        emit_row(data["id"])


@workspaces_app.command("list")
def list_workspaces(as_json: bool = JsonOption) -> None:
    """List every workspace."""
    with store_session() as session:
        data = [
            {
                "id": ids.encode("Product", w.id),
                "name": w.name,
                "slug": w.slug,
                "created_at": w.created_at.isoformat(),
            }
            for w in workspaces.list_all(session)
        ]
    if as_json:
        emit_json(data)
        return
    for row in data:
        emit_row(row["slug"], row["name"], row["id"])


@keys_app.command("create")
def create_key(
    workspace: str = typer.Option(..., "--workspace", help="The workspace's slug."),
    name: str = typer.Option("", "--name", help="A label to recognise the key by."),
    as_json: bool = JsonOption,
) -> None:
    """Issue an API key; it is printed once and cannot be shown again."""
    try:
        with store_session() as session:
            found = workspaces.require_by_slug(session, workspace)
            issued = api_keys.create(session, workspace_id=found.id, name=name)
            data = {
                "id": issued.record.id,
                "key": issued.secret,
                "workspace": found.slug,
                "name": name,
            }
    except StoreError as error:
        raise fail(error.message, as_json=as_json) from None
    if as_json:
        emit_json(data)
    else:
        emit_row(data["key"])  # verbatim: Rich would fold it on a narrow terminal


@keys_app.command("list")
def list_keys(
    workspace: str = typer.Option(..., "--workspace", help="The workspace's slug."),
    as_json: bool = JsonOption,
) -> None:
    """List a workspace's keys (their prefixes only)."""
    try:
        with store_session() as session:
            found = workspaces.require_by_slug(session, workspace)
            data = [
                {
                    "id": k.id,
                    "name": k.name,
                    "prefix": k.prefix,
                    "created_at": k.created_at.isoformat(),
                    "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                }
                for k in api_keys.list_for(session, found.id)
            ]
    except StoreError as error:
        raise fail(error.message, as_json=as_json) from None
    if as_json:
        emit_json(data)
        return
    for row in data:
        state = "revoked" if row["revoked_at"] else "active"
        emit_row(row["id"], f"{row['prefix']}…", state, row["name"])


@keys_app.command("revoke")
def revoke_key(
    key_id: int = typer.Argument(..., help="The key's id."), as_json: bool = JsonOption
) -> None:
    """Revoke an API key; requests using it are refused from now on."""
    try:
        with store_session() as session:
            record = api_keys.revoke(session, key_id)
            revoked_at = record.revoked_at.isoformat() if record.revoked_at else None
            data = {"id": record.id, "revoked_at": revoked_at}
    except StoreError as error:
        raise fail(error.message, as_json=as_json) from None
    if as_json:
        emit_json(data)
    else:
        console.print(f"revoked key {key_id}")
