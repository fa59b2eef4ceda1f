"""A faithful local Attio: standard objects (people, companies, users, workspaces, deals) with
their attributes, options and statuses, records with Attio's value formats and validation,
assert by a unique attribute, lists and entries, token introspection, API keys and OAuth
tokens, Attio's read and write rate limits, and Attio's error bodies.

``create_app()`` builds it; ``python -m simulators.attio --port 8102`` serves it.
"""

from simulators.attio.app import create_app
from simulators.attio.state import AttioSim

__all__ = ["AttioSim", "create_app"]
