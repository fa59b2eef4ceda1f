"""Record and actor references: values that point at another record or a workspace member."""

from __future__ import annotations

from cardfile.types.codec import JSONValue, check_text, require_str, str_value, wrong_value
from cardfile.types.contact import normalize_email
from cardfile.types.kinds import TypeSpec
from cardfile.types.values import RecordReference


class RecordReferenceCodec:
    """Record reference: :class:`~cardfile.types.values.RecordReference`.

    Whatever identifies the target, as Attio's table allows: an email (a person), a domain (a
    company) or a record id. Which one it is, and whether the record exists, is for the store to
    resolve; here it is only trimmed and checked to be storable text.
    """

    _EXPECTED = "a record reference (expected an email, a domain or a record id)"

    def parse(self, spec: TypeSpec, raw: object) -> RecordReference | None:
        if isinstance(raw, RecordReference):
            raw = raw.value
        text = check_text(spec, raw, require_str(spec, raw, self._EXPECTED)).strip()
        return RecordReference(text) if text else None

    def _text(self, spec: TypeSpec, value: object) -> str:
        if not isinstance(value, RecordReference):
            raise wrong_value(spec, value, "a RecordReference")
        return value.value

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        return self._text(spec, value)

    def from_json(self, spec: TypeSpec, data: object) -> RecordReference | None:
        return self.parse(spec, data)

    def format_text(self, spec: TypeSpec, value: object) -> str:
        return self._text(spec, value)


class ActorReferenceCodec:
    """Actor reference: a workspace member, by email address (validated like an email)."""

    def parse(self, spec: TypeSpec, raw: object) -> str:
        return normalize_email(spec, raw)

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        return str_value(spec, value, "an email address (str)")

    def from_json(self, spec: TypeSpec, data: object) -> str:
        # Trusted, like an email: it was validated on the way in.
        return require_str(spec, data, "an email address (expected a string)")

    def format_text(self, spec: TypeSpec, value: object) -> str:
        return str_value(spec, value, "an email address (str)")
