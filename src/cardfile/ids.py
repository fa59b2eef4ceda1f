"""Opaque global ids, in Cycle's form: base64 of ``<TypeName>_<id>``.

Clients treat them as opaque strings; the type name inside lets ``node(id)`` resolve any
object and lets every entry point refuse an id of the wrong kind.
"""

from __future__ import annotations

import base64
import binascii


class InvalidId(ValueError):
    """An id that is not a Cardfile global id of the expected type."""


def encode(type_name: str, pk: int) -> str:
    """The global id of row ``pk`` of ``type_name``."""
    return base64.b64encode(f"{type_name}_{pk}".encode()).decode()


def decode_any(global_id: str) -> tuple[str, int]:
    """Split a global id into its type name and row id."""
    try:
        text = base64.b64decode(global_id.encode(), validate=True).decode()
        type_name, _, raw_pk = text.rpartition("_")
        pk = int(raw_pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidId(f"'{global_id}' is not a valid id") from None
    if not type_name or pk <= 0:
        raise InvalidId(f"'{global_id}' is not a valid id")
    return type_name, pk


def decode(global_id: str, *type_names: str) -> int:
    """The row id inside ``global_id``, which must name one of ``type_names``."""
    type_name, pk = decode_any(global_id)
    if type_name not in type_names:
        expected = " or ".join(type_names)
        raise InvalidId(f"'{global_id}' is not the id of a {expected}")
    return pk
