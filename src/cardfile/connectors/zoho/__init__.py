"""Zoho CRM: contacts, companies (Accounts), leads and deals upserted by a duplicate-check
field in batches of 100, found by search without writing, deleted by id, and campaign
members. The registry finds :class:`ZohoConnector` under
"zoho"."""

from cardfile.connectors.zoho.connector import ZohoConnector

__all__ = ["ZohoConnector"]
