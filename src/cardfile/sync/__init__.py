"""Hub to vendors: stored connections made into connectors (and, with the sync engine, what
to send them)."""
