"""Record and actor references in writes: which record or workspace member a value names.

A record reference may name its record by id (``{"target_object", "target_record_id"}`` or a
bare UUID), or by a value of one of the target object's unique attributes, either explicitly
(``{"target_object": "people", "email_addresses": [{"email_address": …}]}``) or as a bare
string (an email for people, a domain for companies, a ``user_id`` for users), as Attio's
simple format allows. A name that matches no record is refused with a 400 ``value_not_found``,
one that matches several with a 400 ``multiple_match_results``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from simulators.attio.errors import AttioError, bad_request, invalid_value
from simulators.attio.members import member
from simulators.attio.records import Record, RecordStore
from simulators.attio.schema import Attribute
from simulators.attio.values import Payload, email_payload, key_of, normal_domain, parse

_MATCHABLE = ("email-address", "domain", "text", "number", "phone-number")


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


class References:
    """Resolves reference values against the workspace's records.

    Args:
        stores: The record stores of the activated objects, by slug.
        object_slug: Reads an object's slug from its slug or id (None: no such object).
    """

    def __init__(
        self, stores: Mapping[str, RecordStore], object_slug: Callable[[str], str | None]
    ) -> None:
        self.stores = stores
        self.object_slug = object_slug

    def __call__(self, attribute: Attribute, item: Any) -> Payload:
        """The stored form of a record or actor reference.

        Raises:
            AttioError: The value has the wrong shape, or names nothing that exists.
        """
        if attribute.type == "actor-reference":
            return _actor(attribute, item)
        if attribute.type != "record-reference":
            raise invalid_value(attribute.api_slug, f'Unknown attribute type "{attribute.type}".')
        targets = [s for s in attribute.allowed_objects if s in self.stores] or list(self.stores)
        if isinstance(item, str):
            return self._by_text(attribute, targets, item)
        if not isinstance(item, dict) or not isinstance(item.get("target_object"), str):
            raise invalid_value(
                attribute.api_slug,
                "Expected a record ID, a unique value, or an object with target_object.",
            )
        target = self.object_slug(item["target_object"])
        if target is None or target not in targets:
            raise bad_request(
                "value_not_found",
                f'Object with slug/ID "{item["target_object"]}" cannot be referenced by '
                f'attribute "{attribute.api_slug}".',
            )
        rest = {key: value for key, value in item.items() if key != "target_object"}
        if set(rest) == {"target_record_id"} and isinstance(rest["target_record_id"], str):
            return self._by_id(target, rest["target_record_id"])
        if len(rest) != 1:
            raise invalid_value(
                attribute.api_slug,
                "Expected target_record_id or exactly one matching attribute.",
            )
        ((slug, raw),) = rest.items()
        return self._by_attribute(target, slug, raw)

    def _by_id(self, target: str, record_id: str) -> Payload:
        if record_id not in self.stores[target].records:
            raise bad_request(
                "value_not_found", f'Record with ID "{record_id}" not found in "{target}".'
            )
        return {"target_object": target, "target_record_id": record_id}

    def _by_attribute(self, target: str, slug: str, raw: Any) -> Payload:
        store = self.stores[target]
        attribute = store.object.attribute(slug)
        if attribute is None or not attribute.is_unique or attribute.type not in _MATCHABLE:
            raise bad_request(
                "value_not_found",
                f'Cannot match "{target}" records on "{slug}": it is not a unique attribute.',
            )
        payloads = parse(attribute, raw if isinstance(raw, list) else [raw], self)
        keys = [key_of(attribute, p) for p in payloads]
        return self._one(target, store.holding(attribute, keys), f'{slug} "{raw}"')

    def _by_text(self, attribute: Attribute, targets: list[str], text: str) -> Payload:
        if _is_uuid(text):
            for target in targets:
                if text in self.stores[target].records:
                    return {"target_object": target, "target_record_id": text}
            raise bad_request("value_not_found", f'Record with ID "{text}" not found.')
        found: list[tuple[str, str]] = []
        for target in targets:
            for candidate in self.stores[target].object.attributes.values():
                if not candidate.is_unique or candidate.type not in _MATCHABLE:
                    continue
                key = _simple_key(candidate, text)
                if key is None:
                    continue
                found += [(target, r.id) for r in self.stores[target].holding(candidate, [key])]
        unique = list(dict.fromkeys(found))
        if not unique:
            raise bad_request(
                "value_not_found",
                f'No record referenced by "{text}" was found for attribute "{attribute.api_slug}".',
            )
        if len(unique) > 1:
            raise bad_request(
                "multiple_match_results",
                f'"{text}" matches several records for attribute "{attribute.api_slug}".',
            )
        target, record_id = unique[0]
        return {"target_object": target, "target_record_id": record_id}

    def _one(self, target: str, records: list[Record], named: str) -> Payload:
        if not records:
            raise bad_request("value_not_found", f'No "{target}" record matches {named}.')
        if len(records) > 1:
            raise bad_request(
                "multiple_match_results", f'Several "{target}" records match {named}.'
            )
        return {"target_object": target, "target_record_id": records[0].id}


def _simple_key(attribute: Attribute, text: str) -> str | None:
    """The key a bare string would have as a value of ``attribute`` (None: it cannot be one)."""
    if attribute.api_slug == "record_id":
        return None
    try:
        match attribute.type:
            case "email-address":
                return key_of(attribute, email_payload(attribute.api_slug, text))
            case "domain":
                domain = normal_domain(text)
                return key_of(attribute, {"domain": domain}) if domain else None
            case "text":
                return key_of(attribute, {"value": text})
    except AttioError:
        return None
    return None


def _actor(attribute: Attribute, item: Any) -> Payload:
    """A workspace member named by email, by ``workspace_member_email_address`` or by id."""
    found = None
    if isinstance(item, str):
        found, named = member(email=item), f'email "{item}"'
    elif isinstance(item, dict) and set(item) == {"workspace_member_email_address"}:
        email = str(item["workspace_member_email_address"])
        found, named = member(email=email), f'email "{email}"'
    elif (
        isinstance(item, dict)
        and set(item) == {"referenced_actor_type", "referenced_actor_id"}
        and item["referenced_actor_type"] == "workspace-member"
    ):
        found = member(member_id=str(item["referenced_actor_id"]))
        named = f'ID "{item["referenced_actor_id"]}"'
    else:
        raise invalid_value(
            attribute.api_slug, "Expected a workspace member's email address or actor ID."
        )
    if found is None:
        raise bad_request("value_not_found", f"Workspace member with {named} not found.")
    return {"referenced_actor_type": "workspace-member", "referenced_actor_id": found.id}
