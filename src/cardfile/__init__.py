"""Cardfile: a self-hosted customer data hub that keeps your CRMs in agreement."""

__version__ = "0.1.0"
