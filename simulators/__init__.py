"""Faithful local stand-ins for the CRMs Cardfile talks to, for tests, benchmarks and
``cardfile sandbox``. Never imported by ``src/``: the product talks to real vendors."""
