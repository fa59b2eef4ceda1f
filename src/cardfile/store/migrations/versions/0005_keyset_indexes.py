"""keyset indexes: companies and people of a workspace by id

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_companies_workspace_id_id", "companies", ["workspace_id", "id"])
    op.create_index("ix_people_workspace_id_id", "people", ["workspace_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_people_workspace_id_id", table_name="people")
    op.drop_index("ix_companies_workspace_id_id", table_name="companies")
