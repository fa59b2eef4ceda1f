"""Everything that talks to a vendor: one contract, one shared HTTP layer, one folder a vendor.

The sync engine, REST pushes and event actions reach a CRM only through a
:class:`~cardfile.connectors.base.Connector` found in the registry. Connectors know nothing of
the store or of requests coming in; they import only the type system and their HTTP layer.
"""
