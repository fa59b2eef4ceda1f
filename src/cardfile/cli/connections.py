"""``cardfile connections``: connect a workspace to a vendor, check it, list its fields.

Tokens go in and never come out: no command prints a credential, in text or JSON, and the
vendor's messages shown here were redacted by the connector layer before they got here.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import typer

from cardfile.cli.context import OpenedStore, opened_store
from cardfile.cli.output import JsonOption, console, emit_json, emit_row, fail
from cardfile.connectors.base import Connection, Connector, Field, Health
from cardfile.connectors.errors import ConnectorError
from cardfile.connectors.registry import UnknownProvider, connect, connector_class, providers
from cardfile.store import connections
from cardfile.store.connections import StoredConnection
from cardfile.store.db import transaction
from cardfile.store.vault import Vault
from cardfile.sync import oauth

connections_app = typer.Typer(
    help="Connect a workspace to HubSpot, Attio and other CRMs.", no_args_is_help=True
)

WorkspaceOption = typer.Option(..., "--workspace", help="The workspace's slug.")
NameArgument = typer.Argument(..., help="The connection's name.")


async def _check(connector: Connector) -> Health:
    async with connector:
        return await connector.check()


async def _fields(connector: Connector, entity: str) -> list[Field]:
    async with connector:
        return await connector.fields(entity)


async def _close(connector: Connector) -> None:
    await connector.aclose()


def _checked(store: OpenedStore, vault: Vault, workspace_id: int, name: str) -> StoredConnection:
    """Check the connection with a real call and keep the result."""
    connector = store.connector(workspace_id, name, vault)
    try:
        health = asyncio.run(_check(connector))
    except ConnectorError as error:  # check() reports a bad token itself; this is the rest
        health = Health(False, error.message)
    with transaction(store.sessions) as session:
        return connections.record_check(
            session, workspace_id, name, healthy=health.healthy, message=health.message
        )


def _report(stored: StoredConnection, *, as_json: bool, hint: str = "") -> None:
    """Print a checked connection's state; exit non-zero when it is broken."""
    healthy = stored.status == "healthy"
    if as_json:
        emit_json(
            {
                "name": stored.name,
                "provider": stored.provider,
                "status": stored.status,
                "healthy": healthy,
                "message": stored.status_message,
            }
        )
        if not healthy:
            raise typer.Exit(1)
    elif healthy:
        console.print(f"{stored.name}: healthy — {stored.status_message}", highlight=False)
    else:
        raise fail(f"{stored.name} is broken: {stored.status_message}{hint}")


def _settings(pairs: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--setting takes KEY=VALUE, not '{pair}'")
        found[key.strip()] = value.strip()
    return found


def _base_url(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--base-url must be an http:// or https:// URL, not '{url}'")
    return url.strip()


def _refuse_unusable(connection: Connection) -> None:
    """Build and close a connector, so settings it cannot work with are refused before
    anything is stored."""
    asyncio.run(_close(connect(connection)))


@connections_app.command("add")
def add(
    provider: str = typer.Argument(..., help="The vendor: " + ", ".join(providers()) + "."),
    workspace: str = WorkspaceOption,
    token: str = typer.Option(
        ...,
        "--token",
        help="The vendor's API token; for SugarCRM user:password (stored encrypted).",
    ),
    base_url: str | None = typer.Option(None, "--base-url", help="Another API root."),
    name: str | None = typer.Option(None, "--name", help="Defaults to the provider's name."),
    setting: list[str] = typer.Option([], "--setting", help="A vendor setting, KEY=VALUE."),
    as_json: bool = JsonOption,
) -> None:
    """Store a connection, then check it with a real call to the vendor."""
    token = token.strip()
    try:
        connector_class(provider)
        if not token:
            raise ValueError("--token must not be empty")
        connection = Connection(
            provider, token=token, base_url=_base_url(base_url), settings=_settings(setting)
        )
        _refuse_unusable(connection)
    except (UnknownProvider, ValueError) as error:
        raise fail(str(error), as_json=as_json) from None
    with opened_store(as_json=as_json) as store:
        vault = store.vault()
        workspace_id = store.workspace_id(workspace)
        with transaction(store.sessions) as session:
            added = connections.add(
                session,
                vault,
                workspace_id=workspace_id,
                provider=provider,
                credentials={"token": token},
                name=name,
                base_url=connection.base_url,
                settings=dict(connection.settings),
            )
        checked = _checked(store, vault, workspace_id, added.name)
    # The connection stays stored when the vendor refuses it, so `list` shows it as broken
    # and `status` can check it again once the vendor's side is fixed.
    hint = f" (stored; `cardfile connections status {checked.name}` checks it again)"
    _report(checked, as_json=as_json, hint=hint)


@connections_app.command("oauth")
def oauth_link(
    provider: str = typer.Argument(..., help="The vendor: " + ", ".join(providers()) + "."),
    workspace: str = WorkspaceOption,
    base_url: str | None = typer.Option(None, "--base-url", help="Another API root."),
    name: str | None = typer.Option(None, "--name", help="Defaults to the provider's name."),
    as_json: bool = JsonOption,
) -> None:
    """Print the vendor's consent link: open it, approve, and the vendor sends you back to
    Cardfile (CARDFILE_PUBLIC_URL), which stores the connection."""
    try:
        connector_class(provider)
        checked_url = _base_url(base_url)
    except (UnknownProvider, ValueError) as error:
        raise fail(str(error), as_json=as_json) from None
    with opened_store(as_json=as_json) as store:
        started = oauth.connect_url(
            store.settings,
            store.vault(),
            workspace_id=store.workspace_id(workspace),
            provider=provider,
            name=name,
            base_url=checked_url,
        )
    if as_json:
        emit_json({"connect_url": started.connect_url, "redirect_uri": started.redirect_uri})
    else:
        emit_row(started.connect_url)


@connections_app.command("list")
def list_connections(workspace: str = WorkspaceOption, as_json: bool = JsonOption) -> None:
    """List the workspace's connections (never their credentials)."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with store.sessions() as session:
            data = [
                {
                    "name": c.name,
                    "provider": c.provider,
                    "base_url": c.base_url,
                    "status": c.status,
                    "status_message": c.status_message,
                    "checked_at": c.checked_at.isoformat() if c.checked_at else None,
                }
                for c in connections.list_for(session, workspace_id)
            ]
    if as_json:
        emit_json(data)
        return
    for row in data:
        emit_row(
            row["name"],
            row["provider"],
            row["base_url"] or "(vendor's)",
            row["status"],
            row["checked_at"] or "never checked",
        )


@connections_app.command("status")
def status(
    name: str = NameArgument, workspace: str = WorkspaceOption, as_json: bool = JsonOption
) -> None:
    """Check a connection with a cheap real call, and keep the result."""
    with opened_store(as_json=as_json) as store:
        checked = _checked(store, store.vault(), store.workspace_id(workspace), name)
    _report(checked, as_json=as_json)


@connections_app.command("fields")
def fields(
    name: str = NameArgument,
    workspace: str = WorkspaceOption,
    entity: str = typer.Option(..., "--entity", help="companies, contacts, people, …"),
    as_json: bool = JsonOption,
) -> None:
    """The vendor's standard and custom fields of an entity."""
    with opened_store(as_json=as_json) as store:
        connector = store.connector(store.workspace_id(workspace), name, store.vault())
        try:
            found = asyncio.run(_fields(connector, entity))
        except ConnectorError as error:
            raise fail(f"{name}: {error.message}", as_json=as_json) from None
    data: list[dict[str, Any]] = [
        {
            "name": f.name,
            "label": f.label,
            "type": f.type.value if f.type else None,
            "vendor_type": f.vendor_type,
            "required": f.required,
            "unique": f.unique,
            "options": [{"id": o.id, "title": o.title} for o in f.options],
        }
        for f in found
    ]
    if as_json:
        emit_json(data)
        return
    emit_row("name", "label", "type", "vendor type", "required", "unique", "options")
    for row in data:
        emit_row(
            row["name"],
            row["label"],
            row["type"] or "-",
            row["vendor_type"],
            "yes" if row["required"] else "no",
            "yes" if row["unique"] else "no",
            "|".join(o["title"] for o in row["options"]) or "-",
        )


@connections_app.command("remove")
def remove(
    name: str = NameArgument, workspace: str = WorkspaceOption, as_json: bool = JsonOption
) -> None:
    """Delete a connection and its stored credentials."""
    with opened_store(as_json=as_json) as store:
        workspace_id = store.workspace_id(workspace)
        with transaction(store.sessions) as session:
            connections.remove(session, workspace_id, name)
    if as_json:
        emit_json({"removed": name})
    else:
        console.print(f"removed {name}", highlight=False)
