"""Saving a sync: its shape checked, then its mappings checked against what the destination
says it has (a real call for the vendor's fields), then stored.

Every face that saves syncs (REST, CLI, a YAML file) comes through here, so a mapping to a
field the vendor does not have, or a value that cannot convert, is refused the same way
everywhere, before anything runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.base import Connector
from cardfile.connectors.errors import ConnectorError
from cardfile.store import syncs
from cardfile.store.db import transaction
from cardfile.store.errors import NotFound
from cardfile.store.syncs import StoredSync
from cardfile.store.vault import Vault
from cardfile.sync.connections import open_connector
from cardfile.sync.pushes import NoSuchEntity, vendor_entity
from cardfile.sync.source import attribute_types
from cardfile.sync.spec import SpecError, SyncSpec, check_against, parse


async def connector_named(
    sessions: sessionmaker[Session], vault: Vault, workspace_id: int, name: str
) -> Connector:
    """A connector for the connection a definition names.

    Raises:
        SpecError: The workspace has no connection of that name (field ``connection``).
    """
    try:
        return await asyncio.to_thread(open_connector, sessions, workspace_id, name, vault)
    except NotFound:
        raise SpecError(f"no connection '{name}' in this workspace", "connection") from None


async def checked(
    sessions: sessionmaker[Session], vault: Vault, workspace_id: int, data: Mapping[str, Any]
) -> SyncSpec:
    """The definition, checked in shape and against the destination's fields.

    Raises:
        SpecError: naming the field at fault (a connection the workspace does not have, and
            the destination's refusal of the fields call in the vendor's words, too).
    """
    spec = parse(data)
    async with await connector_named(sessions, vault, workspace_id, spec.connection) as connector:
        try:
            entity = vendor_entity(connector, spec.entity)
        except NoSuchEntity as error:
            raise SpecError(str(error), "entity") from None
        try:
            fields = await connector.fields(entity)
        except ConnectorError as error:
            raise SpecError(
                f"{connector.provider} did not list its fields: {error.message}", "entity"
            ) from None
        capabilities = connector.capabilities
        keys = capabilities.match_keys.get(entity, ())

    def types() -> Any:
        with sessions() as session:
            return attribute_types(session, workspace_id, spec.source)

    check_against(
        spec,
        fields,
        await asyncio.to_thread(types),
        keys,
        finds=capabilities.finds,
        removes=capabilities.removes,
    )
    return spec


async def save(
    sessions: sessionmaker[Session],
    vault: Vault,
    workspace_id: int,
    data: Mapping[str, Any],
    *,
    replacing: str | None = None,
) -> tuple[StoredSync, bool]:
    """Check and store a sync: created, or replaced (``replacing``: the name it had, when a
    definition may rename it). True when created."""
    spec = await checked(sessions, vault, workspace_id, data)

    def store() -> tuple[StoredSync, bool]:
        with transaction(sessions) as session:
            if replacing is not None:
                return syncs.rename(session, workspace_id, replacing, spec.as_dict()), False
            return syncs.save(session, workspace_id, spec.as_dict())

    return await asyncio.to_thread(store)
