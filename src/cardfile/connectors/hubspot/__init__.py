"""HubSpot: companies and contacts through the CRM v3 API, Lists v3 memberships, and changes
read through the search API. The registry finds :class:`HubSpotConnector` under "hubspot"."""

from cardfile.connectors.hubspot.connector import HubSpotConnector

__all__ = ["HubSpotConnector"]
