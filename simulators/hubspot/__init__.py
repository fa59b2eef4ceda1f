"""A faithful local HubSpot: CRM objects (companies, contacts) and their associations,
properties, Lists v3, account details, private-app and OAuth tokens, burst and daily limits,
HubSpot's error bodies.

``create_app()`` builds it; ``python -m simulators.hubspot --port 8101`` serves it.
"""

from simulators.hubspot.app import create_app
from simulators.hubspot.state import HubSpotSim

__all__ = ["HubSpotSim", "create_app"]
