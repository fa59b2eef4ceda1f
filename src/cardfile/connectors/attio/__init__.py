"""Attio: people, companies, users, workspaces and deals asserted one record per request by a
unique attribute, and list entries. The registry finds :class:`AttioConnector` under
"attio"."""

from cardfile.connectors.attio.connector import AttioConnector

__all__ = ["AttioConnector"]
