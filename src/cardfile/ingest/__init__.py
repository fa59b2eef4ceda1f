"""Everything that brings data into the store."""
