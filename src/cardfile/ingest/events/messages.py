"""Segment messages as the tracking API takes them in: checked, completed, ready to store.

A message is one ``identify``, ``group``, ``track``, ``page``, ``screen`` or ``alias`` call,
sent alone (``/v1/track`` …) or as an item of a batch (``/v1/batch``). What Segment's HTTP API
does to a message before it keeps it, done here the same way:

- a batch's top-level ``context`` and ``integrations`` are merged into each item, key by key,
  the item's own keys winning;
- ``userId`` and ``anonymousId`` become strings (SDKs send numbers too); a message with
  neither is refused as ``no_user_anon_id``;
- ``messageId`` (the key a client's retry is recognised by) is generated when absent;
- the server's ``receivedAt`` is added, the client's ``timestamp`` kept as
  ``originalTimestamp``, and ``timestamp`` corrected for the client's clock skew when the
  client also said when it sent the message: ``receivedAt - (sentAt - originalTimestamp)``;
- the ``writeKey`` a body may carry is removed: a credential is never stored.

A refused message raises :class:`MessageRefused` with a code and a reason; nothing here knows
about HTTP.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from cardfile.store.events import NewEvent
from cardfile.store.sources import KeyOwner

TYPES = frozenset({"identify", "group", "track", "page", "screen", "alias"})
MAX_MESSAGE_BYTES = 32 << 10
"""Segment's limit for one message, and analytics-python's (``MAX_MSG_SIZE``)."""
MAX_MESSAGE_ID_CHARS = 100
MAX_ID_CHARS = 255
"""The event log's ``user_id`` / ``anonymous_id`` columns; a longer id could not be stored."""

_OBJECT_FIELDS = ("context", "integrations", "traits", "properties")


class MessageRefused(Exception):
    """A message that cannot be accepted, and why (``code`` as Segment names such refusals)."""

    def __init__(self, code: str, message: str, message_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_id = message_id


@dataclass(frozen=True)
class Envelope:
    """What a request adds to each of its messages: the batch's shared fields, and when the
    server received it."""

    received_at: datetime
    context: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    sent_at: Any = None

    @cached_property
    def received(self) -> str:
        """``received_at`` as stored (formatted once for the whole batch)."""
        return iso(self.received_at)

    @cached_property
    def sent(self) -> datetime | None:
        """The batch's ``sentAt``, parsed once."""
        return parse_time(self.sent_at)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (UTC when it names no zone); None when
    ``value`` is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    """An aware datetime as Segment writes it: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def size_of(raw: Any) -> int:
    """A message's size in bytes as compact JSON: never more than the text the client sent."""
    return len(
        json.dumps(raw, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "replace")
    )


def _storable(value: str) -> bool:
    # A NUL or a lone surrogate cannot go into a PostgreSQL text column (nor be UTF-8 encoded),
    # and one such row would fail the whole group commit it is part of.
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _id(raw: dict[str, Any], field: str, message_id: str | None) -> str | None:
    """A user id field as a string; None when absent or empty."""
    value = raw.get(field)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        raise MessageRefused(
            "invalid_" + field, f"{field} must be a string or a number", message_id
        )
    if not value:
        return None
    if len(value) > MAX_ID_CHARS or not _storable(value):
        raise MessageRefused(
            "invalid_" + field,
            f"{field} must be at most {MAX_ID_CHARS} characters of text",
            message_id,
        )
    return value


def _message_id(raw: dict[str, Any]) -> str:
    value = raw.get("messageId")
    if value is None or value == "":
        return str(uuid.uuid4())
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) > MAX_MESSAGE_ID_CHARS or not _storable(value):
        raise MessageRefused(
            "invalid_message_id",
            f"messageId must be a string of at most {MAX_MESSAGE_ID_CHARS} characters",
        )
    return value


def _merged(shared: dict[str, Any] | None, own: Any) -> dict[str, Any]:
    if not shared:
        return dict(own) if own else {}
    return {**shared, **own} if own else dict(shared)


def _timestamps(raw: dict[str, Any], envelope: Envelope, payload: dict[str, Any]) -> None:
    # RudderStack's SDKs send the device's time as originalTimestamp and no timestamp.
    original = raw.get("timestamp", raw.get("originalTimestamp"))
    own_sent = raw.get("sentAt")
    sent = envelope.sent_at if own_sent is None else own_sent
    payload["receivedAt"] = envelope.received
    if sent is not None:
        payload["sentAt"] = sent
    if original is None:
        payload["timestamp"] = envelope.received
        return
    payload["originalTimestamp"] = original
    happened = parse_time(original)
    if happened is None:  # kept as sent under originalTimestamp; the server's time stands in
        payload["timestamp"] = envelope.received
        return
    sent_at = envelope.sent if own_sent is None else parse_time(own_sent)
    if sent_at is not None:
        happened = envelope.received_at - (sent_at - happened)
    payload["timestamp"] = iso(happened)


def _required(kind: str, payload: dict[str, Any], message_id: str) -> None:
    if kind == "track":
        event = payload.get("event")
        if not isinstance(event, str) or not event.strip():
            raise MessageRefused("missing_event", "a track call needs an event name", message_id)
    elif kind == "group":
        group_id = payload.get("groupId")
        if group_id is None or group_id == "" or isinstance(group_id, dict | list | bool):
            raise MessageRefused("missing_group_id", "a group call needs a groupId", message_id)
        payload["groupId"] = str(group_id)
    elif kind == "alias":
        previous = payload.get("previousId")
        if previous is None or previous == "" or isinstance(previous, dict | list | bool):
            raise MessageRefused(
                "missing_previous_id", "an alias call needs a previousId", message_id
            )
        payload["previousId"] = str(previous)


def prepare(
    raw: Any,
    owner: KeyOwner,
    envelope: Envelope,
    *,
    kind: str | None = None,
    measure: bool = True,
) -> NewEvent:
    """The event to store for one message.

    Args:
        raw: The message as parsed from the request.
        owner: The source the request's write key opens.
        envelope: The request's shared fields and time of receipt.
        kind: The route's type (``/v1/track`` …); None for a batch item, whose own ``type``
            says.
        measure: Check the message's size; a caller whose whole body is within the limit
            may skip it (no part can be larger than the whole).

    Raises:
        MessageRefused: The message is not one Segment's API would accept.
    """
    if not isinstance(raw, dict):
        raise MessageRefused("invalid_message", "a message must be a JSON object")
    message_id = _message_id(raw)
    try:
        return _prepared(raw, owner, envelope, kind, message_id, measure=measure)
    except MessageRefused as refused:
        # A refusal names the client's messageId, not one made up for a message not kept.
        sent = raw.get("messageId")
        refused.message_id = str(sent) if isinstance(sent, str | int) else None
        raise


def _prepared(
    raw: dict[str, Any],
    owner: KeyOwner,
    envelope: Envelope,
    kind: str | None,
    message_id: str,
    *,
    measure: bool,
) -> NewEvent:
    if measure and size_of(raw) > MAX_MESSAGE_BYTES:
        raise MessageRefused(
            "message_too_large",
            f"a message must be at most {MAX_MESSAGE_BYTES} bytes",
            message_id,
        )
    declared = raw.get("type")
    if kind is None:
        kind = declared.lower() if isinstance(declared, str) else ""
        if kind not in TYPES:
            raise MessageRefused(
                "invalid_type",
                f"type must be one of {', '.join(sorted(TYPES))}, not {declared!r}",
                message_id,
            )
    for field in _OBJECT_FIELDS:
        value = raw.get(field)
        if value is not None and not isinstance(value, dict):
            raise MessageRefused("invalid_" + field, f"{field} must be an object", message_id)
    user_id = _id(raw, "userId", message_id)
    anonymous_id = _id(raw, "anonymousId", message_id)
    if user_id is None and anonymous_id is None:
        raise MessageRefused(
            "no_user_anon_id", "a message needs a userId or an anonymousId", message_id
        )
    payload = dict(raw)
    payload.pop("writeKey", None)
    payload["type"] = kind
    payload["messageId"] = message_id
    for field, value in (("userId", user_id), ("anonymousId", anonymous_id)):
        if value is None:
            payload.pop(field, None)
        else:
            payload[field] = value
    payload["context"] = _merged(envelope.context, raw.get("context"))
    payload["integrations"] = _merged(envelope.integrations, raw.get("integrations"))
    _required(kind, payload, message_id)
    _timestamps(raw, envelope, payload)
    return NewEvent(
        workspace_id=owner.workspace_id,
        source_id=owner.source_id,
        message_id=message_id,
        type=kind,
        user_id=user_id,
        anonymous_id=anonymous_id,
        payload=payload,
        received_at=envelope.received_at,
    )
