"""The options of a select, multi-select or status attribute, and how a raw value finds one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """One choice of a select, multi-select or status attribute.

    Attributes:
        id: The stable identifier stored in records (a UUID, a vendor's id, or a slug).
        title: The label users see and type.

    Raises:
        ValueError: If ``id`` or ``title`` is empty or has surrounding whitespace. Raw values are
            trimmed before they are matched, so such an option could never be chosen.
    """

    id: str
    title: str

    def __post_init__(self) -> None:
        for field, text in (("id", self.id), ("title", self.title)):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"an option's {field} must be a non-empty string, not {text!r}")
            if text != text.strip():
                raise ValueError(f"an option's {field} must not start or end with spaces: {text!r}")


class OptionIndex:
    """Looks options up the way users name them: by id, then by exact title, then ignoring case.

    Built once per :class:`~cardfile.types.kinds.TypeSpec` (its ``index``), so matching a
    million CSV cells does not rebuild the dictionaries.
    """

    def __init__(self, options: tuple[Option, ...]) -> None:
        self.options = options
        self._by_id: dict[str, Option] = {}
        self._by_title: dict[str, Option] = {}
        self._by_folded: dict[str, list[Option]] = {}
        for option in options:
            if option.id in self._by_id:
                raise ValueError(f"two options have the id {option.id!r}")
            if option.title in self._by_title:
                raise ValueError(f"two options have the title {option.title!r}")
            self._by_id[option.id] = option
            self._by_title[option.title] = option
            self._by_folded.setdefault(option.title.casefold(), []).append(option)

    def find(self, name: str) -> list[Option]:
        """Return the options ``name`` may mean, best match first rule by rule.

        Args:
            name: A trimmed raw value: an option id or title.

        Returns:
            One option when the name is unambiguous, none when nothing matches, and several when
            it matches only titles that differ by case (the caller reports that as ambiguous).
        """
        found = self._by_id.get(name) or self._by_title.get(name)
        if found is not None:
            return [found]
        return self._by_folded.get(name.casefold(), [])

    def has_id(self, option_id: str) -> bool:
        """Tell whether ``option_id`` is the id of one of the options."""
        return option_id in self._by_id
