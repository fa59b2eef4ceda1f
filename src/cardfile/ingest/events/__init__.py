"""Tracking events: taken in durably (``intake``, ``messages``) and applied to the hub."""
