"""Pipedrive's lists: labels.

Pipedrive has no static lists; the static segment its users keep is a label, an option of the
``label_ids`` field that persons and organizations each have (their own labels, with their
own ids). A Cardfile list id is therefore ``<entity>:<label id>`` — ``contacts:12`` or
``companies:5`` (``persons:``/``organizations:`` also do) — or a bare label id, meaning a
person label. Adding a record to the list adds the label id to the record's ``label_ids``;
removing takes it away; a record already so is left alone, without a write.
"""

from __future__ import annotations

from typing import Any

from cardfile.connectors.errors import Refused, VendorError

_KINDS = {
    "contacts": "persons",
    "persons": "persons",
    "companies": "organizations",
    "organizations": "organizations",
}


def parse_list_id(list_id: str) -> tuple[str, int]:
    """The object and label id a list id names.

    Raises:
        Refused: The list id is not of that form.
    """
    kind_name, _, label = str(list_id).strip().rpartition(":")
    kind = _KINDS.get(kind_name or "contacts")
    if kind is None or not label.isdigit():
        raise Refused(
            VendorError(
                f"{list_id!r} is not a Pipedrive list: use contacts:<label id> or "
                "companies:<label id> (Pipedrive's lists are the labels of persons and "
                "organizations)"
            )
        )
    return kind, int(label)


def labels_of(body: Any) -> list[int]:
    """The ``label_ids`` of a record answer."""
    data = body.get("data") if isinstance(body, dict) else None
    held = data.get("label_ids") if isinstance(data, dict) else None
    return [int(i) for i in held or [] if str(i).isdigit()]


def changed(held: list[int], label: int, adding: bool) -> list[int] | None:
    """The record's new ``label_ids``, or None when it already is as asked."""
    if adding:
        return None if label in held else [*held, label]
    return [i for i in held if i != label] if label in held else None
