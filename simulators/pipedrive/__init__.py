"""A faithful local Pipedrive: persons and organizations through the v2 API (one record per
request, searched by exact match), custom fields under ``custom_fields`` keyed by 40-character
hashes, person, organization and deal fields with their options, labels as Pipedrive's static
lists, the current user (v1), API tokens in ``x-api-token`` and OAuth tokens from a token
endpoint taking HTTP Basic client credentials, Pipedrive's burst, search and daily token
limits with its ``x-ratelimit-*`` headers, and its error bodies.

``create_app()`` builds it; ``python -m simulators.pipedrive --port 8104`` serves it.
"""

from simulators.pipedrive.app import create_app
from simulators.pipedrive.state import PipedriveSim

__all__ = ["PipedriveSim", "create_app"]
