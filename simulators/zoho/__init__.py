"""A faithful local Zoho CRM (API v8): Contacts, Accounts, Leads, Deals and Campaigns, their
fields, upsert with duplicate checks, reads by id, search, deletion, campaign members, the
org, ``Zoho-oauthtoken`` auth with an OAuth token endpoint, API credits and concurrency
limits, Zoho's error bodies.

``create_app()`` builds it; ``python -m simulators.zoho --port 8105`` serves it.
"""

from simulators.zoho.app import create_app
from simulators.zoho.state import ZohoSim

__all__ = ["ZohoSim", "create_app"]
