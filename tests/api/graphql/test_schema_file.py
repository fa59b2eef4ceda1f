"""docs/schema.graphql is the schema the server serves (regenerate it when this fails)."""

from __future__ import annotations

from pathlib import Path

from cardfile.api.graphql.schema import schema

SCHEMA_FILE = Path(__file__).parents[3] / "docs" / "schema.graphql"


def test_the_documented_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text() == str(schema) + "\n", (
        "docs/schema.graphql is stale: regenerate it with "
        'python -c "from cardfile.api.graphql.schema import schema; print(schema)" '
        "> docs/schema.graphql"
    )
