"""The ``cardfile`` command."""
