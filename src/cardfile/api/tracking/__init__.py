"""Segment's HTTP tracking API (``/v1/…``), the way every Segment, RudderStack and Customer.io
SDK already speaks it."""

from cardfile.api.tracking.service import Tracking

__all__ = ["Tracking"]
