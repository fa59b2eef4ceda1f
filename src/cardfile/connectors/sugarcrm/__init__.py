"""SugarCRM (Sugar Sell/Enterprise, REST v11, self-hosted): Accounts, Contacts, Leads and
Opportunities matched by search and written through ``/bulk`` envelopes, and Target List
memberships. The registry finds :class:`SugarCRMConnector` under "sugarcrm"."""

from cardfile.connectors.sugarcrm.connector import SugarCRMConnector

__all__ = ["SugarCRMConnector"]
