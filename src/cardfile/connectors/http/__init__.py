"""The one HTTP client every connector uses: auth, the rate budget, retries, the error table
and redaction live here once, and a connector overrides only its own rows."""

from cardfile.connectors.http.auth import Auth, BearerToken, HeaderToken, OAuth2
from cardfile.connectors.http.client import CallStats, VendorClient
from cardfile.connectors.http.ratelimit import RateBudget
from cardfile.connectors.http.table import ErrorTable

__all__ = [
    "Auth",
    "BearerToken",
    "CallStats",
    "ErrorTable",
    "HeaderToken",
    "OAuth2",
    "RateBudget",
    "VendorClient",
]
