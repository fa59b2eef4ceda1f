"""Which connectors exist: the built-in ones, and any a package declares under the entry-point
group ``cardfile.connectors`` (``name = "package.module:ConnectorClass"``)."""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

from cardfile.connectors.base import Connection, Connector

ENTRY_POINT_GROUP = "cardfile.connectors"

# Built-ins by import path, so listing providers does not import every vendor's code.
_BUILT_IN = {
    "hubspot": "cardfile.connectors.hubspot.connector:HubSpotConnector",
    "attio": "cardfile.connectors.attio.connector:AttioConnector",
    "salesforce": "cardfile.connectors.salesforce.connector:SalesforceConnector",
    "pipedrive": "cardfile.connectors.pipedrive.connector:PipedriveConnector",
    "zoho": "cardfile.connectors.zoho.connector:ZohoConnector",
    "sugarcrm": "cardfile.connectors.sugarcrm.connector:SugarCRMConnector",
}
_registered: dict[str, type[Connector]] = {}


class UnknownProvider(LookupError):
    """No connector is registered under that name."""


def register(connector: type[Connector]) -> type[Connector]:
    """Register a connector class under its ``provider`` name (usable as a decorator)."""
    _registered[connector.provider] = connector
    return connector


def providers() -> list[str]:
    """The names of every known provider, sorted."""
    names = set(_BUILT_IN) | set(_registered)
    names |= {point.name for point in entry_points(group=ENTRY_POINT_GROUP)}
    return sorted(names)


def connector_class(provider: str) -> type[Connector]:
    """The connector class registered for ``provider``."""
    if provider in _registered:
        return _registered[provider]
    path = _BUILT_IN.get(provider)
    if path is None:
        points = [p for p in entry_points(group=ENTRY_POINT_GROUP) if p.name == provider]
        if not points:
            known = ", ".join(providers())
            raise UnknownProvider(f"no connector for '{provider}'; known: {known}")
        loaded = points[0].load()
    else:
        module, _, name = path.partition(":")
        loaded = getattr(import_module(module), name)
    if not (isinstance(loaded, type) and issubclass(loaded, Connector)):
        raise UnknownProvider(f"'{provider}' does not name a Connector class")
    return register(loaded)


def connect(connection: Connection) -> Connector:
    """A connector for ``connection``."""
    return connector_class(connection.provider)(connection)
