"""Printing for humans or, with ``--json``, for scripts."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

console = Console()
errors = Console(stderr=True)

JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def emit_row(*cells: object) -> None:
    """Print one tab-separated line on stdout, verbatim (Rich would expand the tabs)."""
    sys.stdout.write("\t".join(str(cell) for cell in cells) + "\n")


def fail(message: str, *, as_json: bool = False, code: int = 1) -> typer.Exit:
    """Report an error and return the exit to raise."""
    if as_json:
        emit_json({"error": message})
    else:
        # The message is plain text: a slug or a column like "[bold]x" must print as it is.
        errors.print(Text.assemble(("error:", "red"), " ", message))
    return typer.Exit(code)
