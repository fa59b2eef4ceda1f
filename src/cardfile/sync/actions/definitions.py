"""Saving a destination: its shape checked, its actions checked against what the vendor can
do and the attributes it has (a real call for its fields), then stored.

Every face that saves destinations (REST, CLI) comes through here. An object the vendor has
not activated (Attio's users and workspaces) does not stop the save: it is reported as a
warning, and each event the action then takes fails visibly with the same words until it
is activated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.errors import ConnectionBroken, ConnectorError
from cardfile.store import connections, destinations, sources
from cardfile.store.db import transaction
from cardfile.store.destinations import StoredDestination
from cardfile.store.errors import NotFound
from cardfile.store.vault import Vault
from cardfile.sync.actions.kinds import attributes_written
from cardfile.sync.actions.spec import DestinationSpec, check_against, parse, stored_action
from cardfile.sync.definitions import connector_named
from cardfile.sync.spec import SpecError


async def checked(
    sessions: sessionmaker[Session], vault: Vault, workspace_id: int, data: Mapping[str, Any]
) -> tuple[DestinationSpec, list[str]]:
    """The definition, checked; and warnings (objects the vendor would not list).

    Raises:
        SpecError: naming the field at fault.
    """
    spec = parse(data)
    warnings: list[str] = []
    async with await connector_named(sessions, vault, workspace_id, spec.connection) as connector:
        check_against(spec, connector.provider, connector.capabilities)
        for i, action in enumerate(spec.actions):
            written = attributes_written(action.kind.name, action.settings, connector.capabilities)
            for entity, names in written.items():
                try:
                    fields = {f.name: f for f in await connector.fields(entity)}
                except ConnectionBroken as error:
                    warnings.append(f"actions[{i}] ({action.name}): {error.message}")
                    continue
                except ConnectorError as error:
                    raise SpecError(
                        f"{connector.provider} did not list the fields of {entity}: "
                        f"{error.message}",
                        f"actions[{i}]",
                    ) from None
                unknown = sorted(n for n in names if n not in fields)
                if unknown:
                    raise SpecError(
                        f"{connector.provider} has no attribute "
                        f"{', '.join(repr(n) for n in unknown)} on {entity} (create it in "
                        f"{connector.provider} first; Cardfile does not create attributes)",
                        f"actions[{i}]",
                    )
    return spec, warnings


async def save(
    sessions: sessionmaker[Session], vault: Vault, workspace_id: int, data: Mapping[str, Any]
) -> tuple[StoredDestination, bool, list[str]]:
    """Check and store a destination (created, or its definition replaced): the stored
    destination, True when created, and warnings."""
    spec, warnings = await checked(sessions, vault, workspace_id, data)

    def store() -> tuple[StoredDestination, bool]:
        with transaction(sessions) as session:
            return stored(session, workspace_id, spec)

    destination, created = await asyncio.to_thread(store)
    return destination, created, warnings


def stored(
    session: Session, workspace_id: int, spec: DestinationSpec
) -> tuple[StoredDestination, bool]:
    """Store a checked definition in the caller's transaction; True when created.

    Raises:
        SpecError: The workspace has no source of that name (field ``source``).
    """
    try:
        source = sources.get(session, workspace_id, spec.source)
    except NotFound:
        raise SpecError(f"no source '{spec.source}' in this workspace", "source") from None
    connection = connections.get(session, workspace_id, spec.connection)
    return destinations.save(
        session,
        workspace_id,
        name=spec.name,
        source_id=source.id,
        connection_id=connection.id,
        enabled=spec.enabled,
        actions=[stored_action(a) for a in spec.actions],
    )
