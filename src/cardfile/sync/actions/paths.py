"""Values read out of a tracking event: by path (``traits.email``, ``context.ip``,
``$.userId``), with fallbacks, or a constant.

A *source* in an action's mapping is a path (``"traits.email"``), a list of paths tried in
order (the first present wins, as Segment's ``@if`` defaults do), or ``{"const": value}``.
A path that leads nowhere is *absent* (nothing is sent); one that leads to ``null`` is null
(the vendor's value is unset).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()


def lookup(event: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` (list items by index), or :data:`ABSENT`."""
    here: Any = event
    for part in path.removeprefix("$.").split("."):
        if isinstance(here, Mapping) and part in here:
            here = here[part]
        elif isinstance(here, list) and part.isdigit() and int(part) < len(here):
            here = here[int(part)]
        else:
            return ABSENT
    return here


def read(event: Mapping[str, Any], source: Any) -> Any:
    """The value ``source`` names in ``event`` (see the module), or :data:`ABSENT`."""
    if isinstance(source, Mapping):
        return source["const"]
    if isinstance(source, str):
        return lookup(event, source)
    for path in source:
        found = lookup(event, path)
        if found is not ABSENT and found not in (None, ""):
            return found
    return ABSENT


def check_source(source: Any) -> str | None:
    """Why ``source`` is not a valid mapping source (None: it is)."""
    if isinstance(source, str):
        return None if source.strip() else "an empty path"
    if isinstance(source, Mapping):
        return None if set(source) == {"const"} else "a constant is written {'const': value}"
    if isinstance(source, list) and source and all(isinstance(p, str) and p for p in source):
        return None
    return "expected a path, a list of paths or {'const': value}"
