"""``cardfile connections``: connect a workspace to a vendor, check it, list its fields."""

from __future__ import annotations

import asyncio
from typing import Any

import typer
from sqlalchemy.orm import Session, sessionmaker

from cardfile.cli.output import JsonOption, console, emit_json, emit_row, fail
from cardfile.connectors.base import Connector, Field, Health
from cardfile.connectors.errors import ConnectorError
from cardfile.connectors.registry import UnknownProvider, connector_class, providers
from cardfile.settings import get_settings
from cardfile.store import connections, workspaces
from cardfile.store.db import create_store_engine, migrate, session_factory, transaction
from cardfile.store.errors import StoreError
from cardfile.store.vault import Vault
from cardfile.sync.connections import open_connector

connections_app = typer.Typer(
    help="Connect a workspace to HubSpot, Attio and other CRMs.", no_args_is_help=True
)

WorkspaceOption = typer.Option(..., "--workspace", help="The workspace's slug.")


def _store() -> tuple[sessionmaker[Session], Vault, Any]:
    settings = get_settings()
    engine = create_store_engine(settings.effective_database_url)
    migrate(engine)
    return session_factory(engine), Vault(settings.resolved_secret_key()), engine


def _workspace_id(sessions: sessionmaker[Session], slug: str) -> int:
    with sessions() as session:
        return workspaces.require_by_slug(session, slug).id


async def _check(connector: Connector) -> Health:
    async with connector:
        return await connector.check()


async def _fields(connector: Connector, entity: str) -> list[Field]:
    async with connector:
        return await connector.fields(entity)


def _checked(sessions: sessionmaker[Session], vault: Vault, workspace_id: int, name: str) -> Health:
    health = asyncio.run(_check(open_connector(sessions, workspace_id, name, vault)))
    with transaction(sessions) as session:
        connections.record_check(
            session, workspace_id, name, healthy=health.healthy, message=health.message
        )
    return health


def _show_health(name: str, health: Health, *, as_json: bool) -> None:
    if as_json:
        emit_json(
            {
                "name": name,
                "healthy": health.healthy,
                "message": health.message,
                "account": health.account,
            }
        )
    elif health.healthy:
        console.print(f"{name}: healthy — {health.message}", highlight=False)


def _settings(pairs: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--setting takes KEY=VALUE, not '{pair}'")
        found[key.strip()] = value.strip()
    return found


@connections_app.command("add")
def add(
    provider: str = typer.Argument(..., help="The vendor: " + ", ".join(providers()) + "."),
    workspace: str = WorkspaceOption,
    token: str = typer.Option(..., "--token", help="The vendor's API token (stored encrypted)."),
    base_url: str | None = typer.Option(None, "--base-url", help="Another API root."),
    name: str | None = typer.Option(None, "--name", help="Defaults to the provider's name."),
    setting: list[str] = typer.Option([], "--setting", help="A vendor setting, KEY=VALUE."),
    as_json: bool = JsonOption,
) -> None:
    """Store a connection, then check it with a real call to the vendor."""
    try:
        connector_class(provider)
        settings = _settings(setting)
    except (UnknownProvider, ValueError) as error:
        raise fail(str(error), as_json=as_json) from None
    sessions, vault, engine = _store()
    try:
        workspace_id = _workspace_id(sessions, workspace)
        with transaction(sessions) as session:
            stored = connections.add(
                session,
                vault,
                workspace_id=workspace_id,
                provider=provider,
                credentials={"token": token},
                name=name,
                base_url=base_url,
                settings=settings,
            )
        health = _checked(sessions, vault, workspace_id, stored.name)
    except StoreError as error:
        raise fail(error.message, as_json=as_json) from None
    finally:
        engine.dispose()
    if not health.healthy:
        raise fail(
            f"{stored.name}: stored, but {provider} refused it: {health.message}",
            as_json=as_json,
        )
    _show_health(stored.name, health, as_json=as_json)


@connections_app.command("list")
def list_connections(workspace: str = WorkspaceOption, as_json: bool = JsonOption) -> None:
    """List the workspace's connections (never their credentials)."""
    sessions, _, engine = _store()
    try:
        workspace_id = _workspace_id(sessions, workspace)
        with sessions() as session:
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
    except StoreError as error:
        raise fail(error.message, as_json=as_json) from None
    finally:
        engine.dispose()
    if as_json:
        emit_json(data)
        return
    for row in data:
        emit_row(row["name"], row["provider"], row["status"], row["base_url"] or "(vendor's)")


@connections_app.command("status")
def status(
    name: str = typer.Argument(..., help="The connection's name."),
    workspace: str = WorkspaceOption,
    as_json: bool = JsonOption,
) -> None:
    """Check a connection with a cheap real call, and keep the result."""
    sessions, vault, engine = _store()
    try:
        health = _checked(sessions, vault, _workspace_id(sessions, workspace), name)
    except StoreError as error:
        raise fail(error.message, as_json=as_json) from None
    finally:
        engine.dispose()
    if not health.healthy:
        if as_json:
            _show_health(name, health, as_json=True)
            raise typer.Exit(1)
        raise fail(f"{name}: {health.message}")
    _show_health(name, health, as_json=as_json)


@connections_app.command("fields")
def fields(
    name: str = typer.Argument(..., help="The connection's name."),
    workspace: str = WorkspaceOption,
    entity: str = typer.Option(..., "--entity", help="companies, contacts, people, …"),
    as_json: bool = JsonOption,
) -> None:
    """The vendor's standard and custom fields of an entity."""
    sessions, vault, engine = _store()
    try:
        connector = open_connector(sessions, _workspace_id(sessions, workspace), name, vault)
        found = asyncio.run(_fields(connector, entity))
    except StoreError as error:
        raise fail(error.message, as_json=as_json) from None
    except ConnectorError as error:
        raise fail(f"{name}: {error.message}", as_json=as_json) from None
    finally:
        engine.dispose()
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
    for row in data:
        flags = ",".join(k for k in ("required", "unique") if row[k]) or "-"
        options = "|".join(o["title"] for o in row["options"])
        emit_row(row["name"], row["label"], row["type"] or "-", row["vendor_type"], flags, options)


@connections_app.command("remove")
def remove(
    name: str = typer.Argument(..., help="The connection's name."),
    workspace: str = WorkspaceOption,
    as_json: bool = JsonOption,
) -> None:
    """Delete a connection and its stored credentials."""
    sessions, _, engine = _store()
    try:
        workspace_id = _workspace_id(sessions, workspace)
        with transaction(sessions) as session:
            connections.remove(session, workspace_id, name)
    except StoreError as error:
        raise fail(error.message, as_json=as_json) from None
    finally:
        engine.dispose()
    if as_json:
        emit_json({"removed": name})
    else:
        console.print(f"removed {name}")
