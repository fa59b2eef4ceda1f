"""The ``Node`` interface: anything fetchable by its global id."""

from __future__ import annotations

import strawberry


@strawberry.interface
class Node:
    """An object with a global id."""

    id: strawberry.ID
