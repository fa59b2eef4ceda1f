"""A faithful local Salesforce org: the REST API's sObject Collections (create, update,
upsert by external id, delete), SOQL queries, describe, limits, campaign members, sessions
and the OAuth web-server flow's token endpoint, the daily API allocation with its
``Sforce-Limit-Info`` header and 403 ``REQUEST_LIMIT_EXCEEDED``, Salesforce's error bodies.

``create_app()`` builds it; ``python -m simulators.salesforce --port 8103`` serves it.
"""

from simulators.salesforce.app import create_app
from simulators.salesforce.state import SalesforceSim

__all__ = ["SalesforceSim", "create_app"]
