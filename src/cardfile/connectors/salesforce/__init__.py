"""Salesforce: contacts, accounts, leads and opportunities through the REST API's sObject
Collections and SOQL, campaign members as lists. The registry finds
:class:`SalesforceConnector` under "salesforce"."""

from cardfile.connectors.salesforce.connector import SalesforceConnector

__all__ = ["SalesforceConnector"]
