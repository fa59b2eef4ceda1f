"""initial store

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    change_sequence = op.create_table(
        "change_sequence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_sequence")),
    )
    # The counter's one row; writers only ever UPDATE it.
    op.bulk_insert(change_sequence, [{"id": 1, "value": 0}])
    op.create_table(
        "workspaces",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint("slug", name=op.f("uq_workspaces_slug")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_api_keys_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_keys_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "attribute_definitions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("color", sa.String(length=40), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_attribute_definitions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attribute_definitions")),
        sa.UniqueConstraint("workspace_id", "entity", "name", name="uq_attribute_definitions_name"),
    )
    op.create_table(
        "companies",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.Column("arr", sa.Float(), nullable=True),
        sa.Column("number_of_employees", sa.Integer(), nullable=True),
        sa.Column("custom_id", sa.String(length=255), nullable=True),
        sa.Column("attio_id", sa.String(length=255), nullable=True),
        sa.Column("zendesk_id", sa.String(length=255), nullable=True),
        sa.Column("hubspot_id", sa.String(length=255), nullable=True),
        sa.Column("intercom_id", sa.String(length=255), nullable=True),
        sa.Column("pipedrive_id", sa.String(length=255), nullable=True),
        sa.Column("snowflake_id", sa.String(length=255), nullable=True),
        sa.Column("salesforce_id", sa.String(length=255), nullable=True),
        sa.Column("zoho_id", sa.String(length=255), nullable=True),
        sa.Column("sugarcrm_id", sa.String(length=255), nullable=True),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_companies_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("workspace_id", "attio_id", name="uq_companies_workspace_attio_id"),
        sa.UniqueConstraint("workspace_id", "custom_id", name="uq_companies_workspace_custom_id"),
        sa.UniqueConstraint("workspace_id", "hubspot_id", name="uq_companies_workspace_hubspot_id"),
        sa.UniqueConstraint(
            "workspace_id", "intercom_id", name="uq_companies_workspace_intercom_id"
        ),
        sa.UniqueConstraint(
            "workspace_id", "pipedrive_id", name="uq_companies_workspace_pipedrive_id"
        ),
        sa.UniqueConstraint(
            "workspace_id", "salesforce_id", name="uq_companies_workspace_salesforce_id"
        ),
        sa.UniqueConstraint(
            "workspace_id", "snowflake_id", name="uq_companies_workspace_snowflake_id"
        ),
        sa.UniqueConstraint(
            "workspace_id", "sugarcrm_id", name="uq_companies_workspace_sugarcrm_id"
        ),
        sa.UniqueConstraint("workspace_id", "zendesk_id", name="uq_companies_workspace_zendesk_id"),
        sa.UniqueConstraint("workspace_id", "zoho_id", name="uq_companies_workspace_zoho_id"),
    )
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_companies_workspace_change_seq", ["workspace_id", "change_seq"], unique=False
        )
        batch_op.create_index(
            "ix_companies_workspace_domain", ["workspace_id", "domain"], unique=False
        )
        batch_op.create_index("ix_companies_workspace_name", ["workspace_id", "name"], unique=False)

    op.create_table(
        "tombstones",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("identifiers", sa.Text(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_tombstones_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tombstones")),
    )
    with op.batch_alter_table("tombstones", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tombstones_workspace_change_seq", ["workspace_id", "change_seq"], unique=False
        )

    op.create_table(
        "attribute_options",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "definition_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["attribute_definitions.id"],
            name=op.f("fk_attribute_options_definition_id_attribute_definitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attribute_options")),
        sa.UniqueConstraint("definition_id", "title", name="uq_attribute_options_title"),
    )
    with op.batch_alter_table("attribute_options", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attribute_options_definition_id"), ["definition_id"], unique=False
        )

    op.create_table(
        "company_values",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "definition_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_company_values_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["attribute_definitions.id"],
            name=op.f("fk_company_values_definition_id_attribute_definitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_values")),
        sa.UniqueConstraint("company_id", "definition_id", name="uq_company_values_key"),
    )
    with op.batch_alter_table("company_values", schema=None) as batch_op:
        batch_op.create_index("ix_company_values_definition_id", ["definition_id"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("external_user_id", sa.String(length=255), nullable=True),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_people_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_people_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("workspace_id", "email", name="uq_people_workspace_email"),
        sa.UniqueConstraint(
            "workspace_id", "external_user_id", name="uq_people_workspace_external_user_id"
        ),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index("ix_people_company_id", ["company_id"], unique=False)
        batch_op.create_index(
            "ix_people_workspace_change_seq", ["workspace_id", "change_seq"], unique=False
        )

    op.create_table(
        "person_values",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "definition_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["attribute_definitions.id"],
            name=op.f("fk_person_values_definition_id_attribute_definitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_values_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_values")),
        sa.UniqueConstraint("person_id", "definition_id", name="uq_person_values_key"),
    )
    with op.batch_alter_table("person_values", schema=None) as batch_op:
        batch_op.create_index("ix_person_values_definition_id", ["definition_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person_values", schema=None) as batch_op:
        batch_op.drop_index("ix_person_values_definition_id")

    op.drop_table("person_values")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index("ix_people_workspace_change_seq")
        batch_op.drop_index("ix_people_company_id")

    op.drop_table("people")
    with op.batch_alter_table("company_values", schema=None) as batch_op:
        batch_op.drop_index("ix_company_values_definition_id")

    op.drop_table("company_values")
    with op.batch_alter_table("attribute_options", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attribute_options_definition_id"))

    op.drop_table("attribute_options")
    with op.batch_alter_table("tombstones", schema=None) as batch_op:
        batch_op.drop_index("ix_tombstones_workspace_change_seq")

    op.drop_table("tombstones")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index("ix_companies_workspace_name")
        batch_op.drop_index("ix_companies_workspace_domain")
        batch_op.drop_index("ix_companies_workspace_change_seq")

    op.drop_table("companies")
    op.drop_table("attribute_definitions")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_workspace_id"))

    op.drop_table("api_keys")
    op.drop_table("workspaces")
    op.drop_table("change_sequence")
