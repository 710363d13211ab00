"""custom_fields: a ``custom`` JSON column on the records a client may add fields to (EXT-16)

The column holds only the client's custom fields (declared in customer.toml or on
Configuration → Fields); no plugin migration ever writes into it, so upgrades leave them alone.

Revision ID: b3e6d9a1c7f4
Revises: d5f9a3b4c2e7
Create Date: 2026-11-30 12:30:00
"""

from alembic import op

from crm_core.toolkit import add_custom_column

revision = "b3e6d9a1c7f4"
down_revision = "d5f9a3b4c2e7"
branch_labels = None
depends_on = None

TABLES = ("act_activity",)


def upgrade() -> None:
    for table in TABLES:
        add_custom_column(table)


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "custom")
