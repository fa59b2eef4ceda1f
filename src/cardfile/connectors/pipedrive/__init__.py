"""Pipedrive: persons (contacts) and organizations (companies) written one record per request
after an exact-match search, deal fields, and labels as lists. The registry finds
:class:`PipedriveConnector` under "pipedrive"."""

from cardfile.connectors.pipedrive.connector import PipedriveConnector

__all__ = ["PipedriveConnector"]
