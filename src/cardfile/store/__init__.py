"""The store: tables, migrations and one module per aggregate."""
