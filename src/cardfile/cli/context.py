"""The store as the CLI opens it: settings from the environment, migrations applied."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
import yaml
from sqlalchemy.orm import Session, sessionmaker

from cardfile.cli.output import fail
from cardfile.connectors.base import Connector
from cardfile.connectors.registry import UnknownProvider
from cardfile.settings import InsecureSettingsError, Settings, get_settings
from cardfile.store import workspaces
from cardfile.store.db import create_store_engine, migrate, session_factory, transaction
from cardfile.store.errors import StoreError
from cardfile.store.vault import Vault
from cardfile.sync.connections import open_connector


@contextmanager
def store_session() -> Iterator[Session]:
    """One write transaction on the configured store, migrated to the newest schema."""
    engine = create_store_engine(get_settings().effective_database_url)
    try:
        migrate(engine)
        with transaction(session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


@dataclass
class OpenedStore:
    """The configured store, opened for one command."""

    sessions: sessionmaker[Session]
    settings: Settings
    as_json: bool

    def vault(self) -> Vault:
        """The vault; only commands that touch credentials need the secret key."""
        return Vault(self.settings.resolved_secret_key())

    def workspace_id(self, slug: str) -> int:
        """The id of the workspace with this slug, or ``NotFound``."""
        with self.sessions() as session:
            return workspaces.require_by_slug(session, slug).id

    def connector(self, workspace_id: int, name: str, vault: Vault) -> Connector:
        """A connector for a stored connection, or a clean exit saying why there is none."""
        try:
            return open_connector(self.sessions, workspace_id, name, vault)
        except (UnknownProvider, ValueError) as error:
            # An uninstalled connector package, or settings a newer connector refuses.
            raise fail(f"{name}: {error}", as_json=self.as_json) from None


@contextmanager
def opened_store(*, as_json: bool) -> Iterator[OpenedStore]:
    """The migrated store; the store's refusals become a clean exit with their message."""
    settings = get_settings()
    engine = create_store_engine(settings.effective_database_url)
    try:
        migrate(engine)
        yield OpenedStore(session_factory(engine), settings, as_json)
    except StoreError as error:
        raise fail(error.message, as_json=as_json) from None
    except InsecureSettingsError as error:
        raise fail(str(error), as_json=as_json) from None
    finally:
        engine.dispose()


WorkspaceOption = typer.Option(..., "--workspace", help="The workspace's slug.")


def definitions_in(path: Path, key: str) -> list[dict[str, Any]]:
    """The definitions a YAML file lists under ``key`` (or as its whole content), or a clean
    exit saying what is wrong with the file."""
    try:
        loaded = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise fail(f"{path}: {error}") from None
    found = loaded.get(key) if isinstance(loaded, dict) else loaded
    if not isinstance(found, list) or not all(isinstance(d, dict) for d in found):
        raise fail(f"{path}: expected '{key}:' followed by a list of definitions")
    return found
